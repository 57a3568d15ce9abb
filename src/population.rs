//! The synthetic population: one agent per `scale` eligible men.
//!
//! Every man belongs to a *cohort*: the men of one region and age who share
//! prior service, documents, car access and an urban home. Everything the
//! model computes per man each day depends on his cohort only (plus one
//! random draw), so the daily probabilities are computed once per cohort and
//! looked up per agent. The cohort index packs the attributes
//! mixed-radix, so changing one attribute (a new passport) is arithmetic.
//!
//! Agents are compact ([`Agent`] is 12 bytes) and stored in one vector,
//! ordered by region and age. Synthesis runs per region in parallel, each
//! region with its own random stream, so the population does not depend on
//! the number of threads.

use rand::RngExt;
use rayon::prelude::*;

use crate::engine::rng::{SimRng, Stream, stream};
use crate::scenario::{Documents, Scenario};

/// What a man is doing at the end of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum AgentState {
    /// At home, not (yet) wanting to leave.
    AtHome = 0,
    /// At home: wanted to leave but had no feasible crossing at the last try.
    Stuck = 1,
    /// At home, waiting for a foreign passport (`day`: the day it is due).
    AwaitingPassport = 2,
    /// On the way to `crossing`, arriving on `day`.
    Traveling = 3,
    /// In the queue at `crossing`.
    Queued = 4,
    /// Crossed at `crossing`.
    Abroad = 5,
    /// Called up at home.
    Drafted = 6,
    /// Caught by a draft office at `crossing`.
    DraftedAtBorder = 7,
    /// Gave up or was turned back, and went home for good.
    Returned = 8,
}

impl AgentState {
    /// Number of states.
    pub const COUNT: usize = 9;

    /// Whether the man is physically at home (and can be called up).
    pub fn is_home(self) -> bool {
        matches!(
            self,
            AgentState::AtHome
                | AgentState::Stuck
                | AgentState::AwaitingPassport
                | AgentState::Returned
        )
    }
}

/// One agent: `scale` men with identical attributes and history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agent {
    /// Cohort index (see [`Cohorts`]).
    pub cohort: u32,
    /// Uniform rank in 0..=255 deciding exemption from entry bans: exempt
    /// under a ban with exempt share `s` when `rank < s × 256`.
    pub exempt_rank: u8,
    /// Current state.
    pub state: AgentState,
    /// Crossing index while traveling, queued, abroad or caught.
    pub crossing: u8,
    /// Crossings tried so far.
    pub attempts: u8,
    /// Day of the next scheduled event (arrival, passport issue).
    pub day: u16,
}

/// The attributes that make up a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortKey {
    /// Region index.
    pub region: usize,
    /// Age in years.
    pub age: u32,
    /// Prior military service.
    pub prior_service: bool,
    /// Documents held.
    pub documents: Documents,
    /// Car at his disposal.
    pub car: bool,
    /// Lives in a city.
    pub urban: bool,
}

/// Mixed-radix packing of [`CohortKey`]s into dense indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cohorts {
    regions: usize,
    age_min: u32,
    ages: usize,
}

impl Cohorts {
    const PER_AGE: usize = 2 * 3 * 2 * 2;

    /// Cohorts for `regions` regions and ages `age_min..=age_max`.
    pub fn new(regions: usize, age_min: u32, age_max: u32) -> Self {
        Self {
            regions,
            age_min,
            ages: (age_max - age_min + 1) as usize,
        }
    }

    /// Number of cohorts.
    pub fn len(&self) -> usize {
        self.regions * self.ages * Self::PER_AGE
    }

    /// Whether there are no cohorts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of ages.
    pub fn ages(&self) -> usize {
        self.ages
    }

    /// Youngest age.
    pub fn age_min(&self) -> u32 {
        self.age_min
    }

    /// The index of a key.
    pub fn index(&self, k: CohortKey) -> u32 {
        let age = (k.age - self.age_min) as usize;
        let i = ((((k.region * self.ages + age) * 2 + usize::from(k.prior_service)) * 3
            + k.documents as usize)
            * 2
            + usize::from(k.car))
            * 2
            + usize::from(k.urban);
        i as u32
    }

    /// The key of an index.
    pub fn key(&self, index: u32) -> CohortKey {
        let mut i = index as usize;
        let urban = i % 2 == 1;
        i /= 2;
        let car = i % 2 == 1;
        i /= 2;
        let documents = Documents::ALL[i % 3];
        i /= 3;
        let prior_service = i % 2 == 1;
        i /= 2;
        let age = self.age_min + (i % self.ages) as u32;
        let region = i / self.ages;
        CohortKey {
            region,
            age,
            prior_service,
            documents,
            car,
            urban,
        }
    }

    /// Region of a cohort, without decoding the rest.
    pub fn region(&self, index: u32) -> usize {
        index as usize / (self.ages * Self::PER_AGE)
    }

    /// Index of the draft-priority class (region, prior service, age) of a cohort.
    pub fn priority_class(&self, index: u32) -> usize {
        index as usize / (3 * 2 * 2)
    }

    /// Number of priority classes.
    pub fn priority_classes(&self) -> usize {
        self.len() / (3 * 2 * 2)
    }

    /// The same cohort with other documents.
    pub fn with_documents(&self, index: u32, documents: Documents) -> u32 {
        let mut key = self.key(index);
        key.documents = documents;
        self.index(key)
    }
}

/// The synthetic population.
#[derive(Debug, Clone)]
pub struct Population {
    /// Cohort packing.
    pub cohorts: Cohorts,
    /// Agents, ordered by region then age.
    pub agents: Vec<Agent>,
    /// Agents per region.
    pub agents_by_region: Vec<u64>,
    /// Persons per agent.
    pub scale: u32,
}

impl Population {
    /// Eligible persons (agents × scale).
    pub fn eligible_persons(&self) -> u64 {
        self.agents.len() as u64 * u64::from(self.scale)
    }
}

/// Expected eligible men (persons) of each region, before sampling.
pub fn expected_eligible(scenario: &Scenario) -> Vec<f64> {
    let p = &scenario.population;
    scenario
        .regions
        .iter()
        .map(|r| (p.age_min..=p.age_max).map(|a| r.men_of_age(a)).sum())
        .collect()
}

/// Builds the agents of a scenario.
///
/// Two passes, so that the agents are written once into one allocation:
/// the first draws how many agents each (region, age) gets, the second
/// replays each region's stream and fills its slice of the vector in
/// parallel.
pub fn synthesize(scenario: &Scenario) -> Population {
    let p = &scenario.population;
    let cohorts = Cohorts::new(scenario.regions.len(), p.age_min, p.age_max);
    let counts: Vec<Vec<u64>> = (0..scenario.regions.len())
        .into_par_iter()
        .map(|r| age_counts(scenario, r, &mut region_stream(scenario, r)))
        .collect();
    let agents_by_region: Vec<u64> = counts.iter().map(|c| c.iter().sum()).collect();
    let total: u64 = agents_by_region.iter().sum();
    let blank = Agent {
        cohort: 0,
        exempt_rank: 0,
        state: AgentState::AtHome,
        crossing: 0,
        attempts: 0,
        day: 0,
    };
    let mut agents = vec![blank; total as usize];
    let mut slices: Vec<(usize, &mut [Agent])> = Vec::with_capacity(counts.len());
    let mut rest = agents.as_mut_slice();
    for (r, &n) in agents_by_region.iter().enumerate() {
        let (slice, tail) = rest.split_at_mut(n as usize);
        slices.push((r, slice));
        rest = tail;
    }
    slices.into_par_iter().for_each(|(r, slice)| {
        let mut rng = region_stream(scenario, r);
        let ages = age_counts(scenario, r, &mut rng);
        fill_region(scenario, &cohorts, r, &ages, &mut rng, slice);
    });
    Population {
        cohorts,
        agents,
        agents_by_region,
        scale: scenario.scale,
    }
}

fn region_stream(scenario: &Scenario, region: usize) -> SimRng {
    stream(
        scenario.seed,
        Stream::Population {
            region: region as u32,
        },
    )
}

/// Agents of each eligible age in a region: the expected number, rounded up
/// or down at random so that the expectation is exact.
fn age_counts(scenario: &Scenario, region: usize, rng: &mut SimRng) -> Vec<u64> {
    let p = &scenario.population;
    let scale = f64::from(scenario.scale);
    (p.age_min..=p.age_max)
        .map(|age| {
            let expected = scenario.regions[region].men_of_age(age) / scale;
            let whole = expected.floor();
            whole as u64 + u64::from(rng.random::<f64>() < expected - whole)
        })
        .collect()
}

/// Draws the attributes of a region's agents, youngest first.
fn fill_region(
    scenario: &Scenario,
    cohorts: &Cohorts,
    r: usize,
    ages: &[u64],
    rng: &mut SimRng,
    slice: &mut [Agent],
) {
    let p = &scenario.population;
    let urban_share = scenario.regions[r].urban_share;
    let (fp_urban, fp_rural) = p.foreign_passport[r];
    let (visa_urban, visa_rural) = p.schengen_visa[r];
    let mut slots = slice.iter_mut();
    for (age, &count) in (p.age_min..).zip(ages) {
        for agent in slots.by_ref().take(count as usize) {
            let urban = rng.random::<f64>() < urban_share;
            let (fp, visa) = if urban {
                (fp_urban, visa_urban)
            } else {
                (fp_rural, visa_rural)
            };
            let documents = if rng.random::<f64>() >= fp {
                Documents::InternalPassport
            } else if rng.random::<f64>() < visa {
                Documents::SchengenVisa
            } else {
                Documents::ForeignPassport
            };
            let key = CohortKey {
                region: r,
                age,
                prior_service: rng.random::<f64>() < p.prior_service_share,
                documents,
                car: rng.random::<f64>() < p.car_share,
                urban,
            };
            agent.cohort = cohorts.index(key);
            agent.exempt_rank = rng.random::<u8>();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohort_index_round_trips() {
        let c = Cohorts::new(83, 18, 50);
        for i in [0, 1, 7, 12_345, c.len() as u32 - 1] {
            assert_eq!(c.index(c.key(i)), i);
        }
        let k = CohortKey {
            region: 82,
            age: 50,
            prior_service: true,
            documents: Documents::SchengenVisa,
            car: true,
            urban: true,
        };
        assert_eq!(c.index(k) as usize, c.len() - 1);
        assert_eq!(c.region(c.index(k)), 82);
        let changed = c.with_documents(c.index(k), Documents::InternalPassport);
        assert_eq!(c.key(changed).documents, Documents::InternalPassport);
        assert_eq!(c.priority_class(changed), c.priority_class(c.index(k)));
    }

    #[test]
    fn agents_are_compact() {
        assert!(std::mem::size_of::<Agent>() <= 12);
    }
}
