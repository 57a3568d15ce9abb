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

use crate::engine::rng::{Stream, stream};
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
pub fn synthesize(scenario: &Scenario) -> Population {
    let p = &scenario.population;
    let cohorts = Cohorts::new(scenario.regions.len(), p.age_min, p.age_max);
    let scale = f64::from(scenario.scale);
    let per_region: Vec<Vec<Agent>> = scenario
        .regions
        .par_iter()
        .enumerate()
        .map(|(r, region)| {
            let mut rng = stream(scenario.seed, Stream::Population { region: r as u32 });
            let (fp_urban, fp_rural) = p.foreign_passport[r];
            let (visa_urban, visa_rural) = p.schengen_visa[r];
            let mut agents = Vec::new();
            for age in p.age_min..=p.age_max {
                let expected = region.men_of_age(age) / scale;
                let whole = expected.floor();
                let count = whole as u64 + u64::from(rng.random::<f64>() < expected - whole);
                for _ in 0..count {
                    let urban = rng.random::<f64>() < region.urban_share;
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
                    agents.push(Agent {
                        cohort: cohorts.index(key),
                        exempt_rank: rng.random::<u8>(),
                        state: AgentState::AtHome,
                        crossing: 0,
                        attempts: 0,
                        day: 0,
                    });
                }
            }
            agents
        })
        .collect();
    let agents_by_region = per_region.iter().map(|a| a.len() as u64).collect();
    Population {
        cohorts,
        agents: per_region.concat(),
        agents_by_region,
        scale: scenario.scale,
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
