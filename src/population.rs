//! The synthetic population: one agent per `scale` eligible men.
//!
//! **Counts where men are alike, agents where they act.** A man at home who
//! has not acted (not yet decided to leave, not drafted) is fully described
//! by his cohort, so the men of a cohort in that state are exchangeable and
//! their number is all the run keeps of them ([`Population::home`], in
//! agents of `scale` men). A man who acts becomes an individual [`Agent`]
//! with his own history, appended to [`Population::agents`], and stays one
//! (at home again when stuck, back or awaiting a passport, since his exempt
//! rank and attempts are his own). The engine draws the day's drafted men and
//! deciders per cohort (see `engine/agents.rs`). The reference sampling
//! ([`crate::settings::Sampling::PerMan`]), kept for the tests, makes every
//! man an agent from the start instead.
//!
//! Every man belongs to a *cohort*: the men of one region and age who share
//! prior service, documents, car access and an urban home. Everything the
//! model computes per man each day depends on his cohort only (plus one
//! random draw), so the daily probabilities are computed once per cohort and
//! looked up per agent. The cohort index packs the attributes
//! mixed-radix, so changing one attribute (a new passport) is arithmetic.
//!
//! Agents are compact ([`Agent`] is 8 bytes) and stored in one vector,
//! in the order they acted (in the reference sampling, by region and age). The cohort index fits the 20 bits the
//! scenario's cohort limit ([`crate::scenario::MAX_COHORTS`]) allows.
//! Synthesis runs per region in parallel, each region with its own random
//! stream under the run's seed, so the population does not depend on the
//! number of threads. With counts, the men of one region and age are shared
//! among the cohorts by one multinomial draw (conditional binomials) with the
//! same cell probabilities the reference draws man by man, so the two
//! populations have the same distribution.

use rand::RngExt;
use rand::distr::Distribution;
use rand_distr::Binomial;
use rayon::prelude::*;

use crate::memory::AGENT_BYTES;
use crate::rng::SimRng;
use crate::rng::{Stream, stream};
use crate::scenario::{COHORTS_PER_AGE, Documents, MAX_COHORTS, Scenario};
use crate::settings::RunSettings;

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
    /// Abroad, in the country [`Agent::country`] (entered at `crossing`,
    /// or [`Agent::NO_CROSSING`] when he came from another country).
    Abroad = 5,
    /// Called up at home.
    Drafted = 6,
    /// Caught by a draft office at `crossing`.
    DraftedAtBorder = 7,
    /// Gave up or was turned back, and went home for good.
    Returned = 8,
    /// Abroad, on his way from one country to the next
    /// ([`Agent::next_country`]), arriving on `day`.
    MovingOn = 9,
    /// Was abroad and went home for good.
    CameBack = 10,
    /// No man: the slot of an agent who went home for good (returned, came
    /// back) and is now one of his cohort's count
    /// ([`Population::returned`], [`Population::came_back`]); the engine
    /// removes such slots from time to time. Not counted among the
    /// [`AgentState::COUNT`] states.
    Counted = 11,
}

impl AgentState {
    /// Number of states.
    pub const COUNT: usize = 11;

    /// Whether the man is physically at home (and can be called up).
    pub fn is_home(self) -> bool {
        matches!(
            self,
            AgentState::AtHome
                | AgentState::Stuck
                | AgentState::AwaitingPassport
                | AgentState::Returned
                | AgentState::CameBack
        )
    }

    /// Whether the man is abroad (in a country, or between two).
    pub fn is_abroad(self) -> bool {
        matches!(self, AgentState::Abroad | AgentState::MovingOn)
    }
}

// The memory estimate counts an agent as `AGENT_BYTES`: keep them in step.
const _: () = assert!(std::mem::size_of::<Agent>() == AGENT_BYTES);

/// One agent: `scale` men with identical attributes and history, in 8 bytes.
///
/// The cohort index, the number of crossings tried and the exempt rank share
/// one packed word, so that the daily pass streams as little memory as
/// possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agent {
    /// Cohort (bits 0–19), attempts (bits 20–23), exempt rank (bits 24–31;
    /// from the day he is abroad, the country he is in: a man abroad never
    /// chooses a crossing again).
    profile: u32,
    /// Current state.
    pub state: AgentState,
    /// Crossing index while traveling, queued, abroad (the one he entered
    /// by) or caught; the next country while moving on.
    pub crossing: u8,
    /// Day of the next scheduled event (arrival, passport issue, while
    /// abroad his next move).
    pub day: u16,
}

impl Agent {
    /// The `crossing` of a man abroad who came from another country.
    pub const NO_CROSSING: u8 = u8::MAX;

    const COHORT_MASK: u32 = (MAX_COHORTS - 1) as u32;
    const ATTEMPTS_SHIFT: u32 = MAX_COHORTS.trailing_zeros();
    const RANK_SHIFT: u32 = 24;

    /// A man at home in `cohort` with this exempt rank.
    pub fn new(cohort: u32, exempt_rank: u8) -> Self {
        Self {
            profile: (cohort & Self::COHORT_MASK) | (u32::from(exempt_rank) << Self::RANK_SHIFT),
            state: AgentState::AtHome,
            crossing: 0,
            day: 0,
        }
    }

    /// Cohort index (see [`Cohorts`]).
    pub fn cohort(&self) -> u32 {
        self.profile & Self::COHORT_MASK
    }

    /// Moves the agent to another cohort (a new passport).
    pub fn set_cohort(&mut self, cohort: u32) {
        self.profile = (self.profile & !Self::COHORT_MASK) | (cohort & Self::COHORT_MASK);
    }

    /// Uniform rank in 0..=255 deciding exemption from entry bans: exempt
    /// under a ban with exempt share `s` when `rank < s × 256` (meaningless
    /// once he has been abroad).
    pub fn exempt_rank(&self) -> u8 {
        (self.profile >> Self::RANK_SHIFT) as u8
    }

    /// Crossings tried so far (at most 15).
    pub fn attempts(&self) -> u8 {
        ((self.profile >> Self::ATTEMPTS_SHIFT) & 0xF) as u8
    }

    /// The country (destination index) of a man abroad.
    pub fn country(&self) -> usize {
        usize::from((self.profile >> Self::RANK_SHIFT) as u8)
    }

    /// The country (destination index) a man moving on is bound for.
    pub fn next_country(&self) -> usize {
        usize::from(self.crossing)
    }

    /// Places him abroad in `country`, entered by `crossing` (or
    /// [`Agent::NO_CROSSING`]), until he moves on `move_day`; the state is
    /// set by the caller. The country takes the place of his exempt rank.
    pub fn set_abroad_in(&mut self, country: usize, crossing: u8, move_day: u16) {
        let rank_bits = 0xFF << Self::RANK_SHIFT;
        self.profile =
            (self.profile & !rank_bits) | (((country as u32) & 0xFF) << Self::RANK_SHIFT);
        self.crossing = crossing;
        self.day = move_day;
    }

    /// Sets him on his way to `country`, arriving on `arrival`; the state is
    /// set by the caller.
    pub fn set_moving_to(&mut self, country: usize, arrival: u16) {
        self.crossing = country as u8;
        self.day = arrival;
    }

    /// Sets the crossings tried (saturating at 15).
    pub fn set_attempts(&mut self, attempts: u8) {
        let bits = u32::from(attempts.min(15)) << Self::ATTEMPTS_SHIFT;
        self.profile = (self.profile & !(0xF << Self::ATTEMPTS_SHIFT)) | bits;
    }
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
    /// Of the resolute class (see [`crate::model::decision`]).
    pub resolute: bool,
}

/// Mixed-radix packing of [`CohortKey`]s into dense indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cohorts {
    regions: usize,
    age_min: u32,
    ages: usize,
}

impl Cohorts {
    /// Cohorts per region and age (prior service × documents × car × urban ×
    /// determination).
    pub const PER_AGE: usize = COHORTS_PER_AGE;

    /// Cohorts per draft-priority class (region, age, prior service): the
    /// attributes the call-up does not look at.
    const PER_CLASS: usize = COHORTS_PER_AGE / 2;

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
        let i = (((((k.region * self.ages + age) * 2 + usize::from(k.prior_service)) * 3
            + k.documents as usize)
            * 2
            + usize::from(k.car))
            * 2
            + usize::from(k.urban))
            * 2
            + usize::from(k.resolute);
        i as u32
    }

    /// The key of an index.
    pub fn key(&self, index: u32) -> CohortKey {
        let mut i = index as usize;
        let resolute = i % 2 == 1;
        i /= 2;
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
            resolute,
        }
    }

    /// Region of a cohort, without decoding the rest.
    pub fn region(&self, index: u32) -> usize {
        index as usize / (self.ages * Self::PER_AGE)
    }

    /// Documents of a cohort, without decoding the rest.
    pub fn documents(&self, index: u32) -> Documents {
        Documents::ALL[(index as usize / 8) % 3]
    }

    /// Index of the draft-priority class (region, prior service, age) of a cohort.
    pub fn priority_class(&self, index: u32) -> usize {
        index as usize / Self::PER_CLASS
    }

    /// Number of priority classes.
    pub fn priority_classes(&self) -> usize {
        self.len() / Self::PER_CLASS
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
    /// Men at home who have not acted, per cohort, in agents (empty in the
    /// reference sampling, where every man is an agent).
    pub home: Vec<u32>,
    /// Men drafted at home straight from a count, per cohort, in agents
    /// (they become no agents: nothing more happens to them).
    pub drafted: Vec<u32>,
    /// Men who gave up and went home for good, per cohort, in agents (empty
    /// in the reference sampling): all that can still happen to them is the
    /// draft, whose odds are their cohort's, so they are alike.
    pub returned: Vec<u32>,
    /// Men who were abroad and went home for good, per cohort, in agents
    /// (empty in the reference sampling), alike for the same reason.
    pub came_back: Vec<u32>,
    /// The individual agents: the men who acted (every man in the
    /// reference sampling).
    pub agents: Vec<Agent>,
    /// Eligible agents per region (counts and agents).
    pub agents_by_region: Vec<u64>,
    /// Persons per agent.
    pub scale: u32,
}

impl Population {
    /// Eligible agents: the men at home kept as counts and the individual
    /// agents together.
    pub fn eligible_agents(&self) -> u64 {
        self.agents_by_region.iter().sum()
    }

    /// Eligible persons (agents × scale).
    pub fn eligible_persons(&self) -> u64 {
        self.eligible_agents() * u64::from(self.scale)
    }

    /// Every group of agents alike: (cohort, state, agents), the counts at
    /// home and drafted from them first, then each individual agent as a
    /// group of one.
    pub fn groups(&self) -> impl Iterator<Item = (u32, AgentState, u64)> + '_ {
        counted(&self.home, AgentState::AtHome)
            .chain(counted(&self.drafted, AgentState::Drafted))
            .chain(counted(&self.returned, AgentState::Returned))
            .chain(counted(&self.came_back, AgentState::CameBack))
            .chain(
                (self.agents.iter())
                    .filter(|a| a.state != AgentState::Counted)
                    .map(|a| (a.cohort(), a.state, 1)),
            )
    }
}

/// The non-zero counts per cohort as groups (cohort, state, agents).
fn counted(counts: &[u32], state: AgentState) -> impl Iterator<Item = (u32, AgentState, u64)> + '_ {
    (counts.iter().enumerate())
        .filter(|&(_, &n)| n > 0)
        .map(move |(c, &n)| (c as u32, state, u64::from(n)))
}

/// Builds the agents of a run of a scenario.
///
/// Two passes, so that the agents are written once into one allocation: the
/// first draws how many agents each (region, age) gets, from one stream per
/// region; the second fills each (region, age) slice of the vector in
/// parallel, from one stream per (region, age).
pub fn synthesize(scenario: &Scenario, settings: &RunSettings) -> Population {
    let p = scenario.population();
    let regions = scenario.regions();
    let cohorts = Cohorts::new(regions.len(), p.age_min, p.age_max);
    let counts: Vec<Vec<u64>> = (0..regions.len())
        .into_par_iter()
        .map(|r| age_counts(scenario, settings, r))
        .collect();
    let agents_by_region: Vec<u64> = counts.iter().map(|c| c.iter().sum()).collect();
    if settings.sampling().counts() {
        let home = home_counts(scenario, settings.seed(), &cohorts, &counts);
        return Population {
            cohorts,
            drafted: vec![0; home.len()],
            returned: vec![0; home.len()],
            came_back: vec![0; home.len()],
            home,
            agents: Vec::new(),
            agents_by_region,
            scale: settings.scale(),
        };
    }
    let total: u64 = agents_by_region.iter().sum();
    let mut agents = vec![Agent::new(0, 0); total as usize];
    let mut slices: Vec<(usize, u32, &mut [Agent])> = Vec::new();
    let mut rest = agents.as_mut_slice();
    for (r, ages) in counts.iter().enumerate() {
        for (age, &n) in (p.age_min..).zip(ages) {
            let (slice, tail) = rest.split_at_mut(n as usize);
            slices.push((r, age, slice));
            rest = tail;
        }
    }
    slices
        .into_par_iter()
        .for_each(|(r, age, slice)| fill(scenario, settings.seed(), &cohorts, r, age, slice));
    Population {
        cohorts,
        home: Vec::new(),
        drafted: Vec::new(),
        returned: Vec::new(),
        came_back: Vec::new(),
        agents,
        agents_by_region,
        scale: settings.scale(),
    }
}

/// The men at home per cohort: the agents of each region and age shared
/// among its cohorts by a multinomial draw with the cell probabilities of
/// [`fill`], from the same stream per (region, age).
fn home_counts(scenario: &Scenario, seed: u64, cohorts: &Cohorts, counts: &[Vec<u64>]) -> Vec<u32> {
    let p = scenario.population();
    let mut home = vec![0u32; cohorts.len()];
    home.par_chunks_mut(cohorts.ages() * Cohorts::PER_AGE)
        .enumerate()
        .for_each(|(r, region)| {
            let ages = region.chunks_mut(Cohorts::PER_AGE).zip(&counts[r]);
            for (age, (cells, &n)) in (p.age_min..).zip(ages) {
                let mut rng = stream(
                    seed,
                    Stream::Population {
                        region: r as u32,
                        age,
                    },
                );
                let probabilities = cell_probabilities(scenario, r);
                multinomial(&mut rng, n, &probabilities, cells);
            }
        });
    home
}

/// The probability of each of the [`Cohorts::PER_AGE`] cohorts of one age in
/// region `r`, in cohort order: the product of the attribute shares that
/// [`fill`] draws man by man.
fn cell_probabilities(scenario: &Scenario, r: usize) -> [f64; Cohorts::PER_AGE] {
    let p = scenario.population();
    let urban_share = scenario.regions()[r].urban_share;
    let (fp_urban, fp_rural) = p.foreign_passport[r];
    let (visa_urban, visa_rural) = p.schengen_visa[r];
    let resolute_share = scenario.decision().resolute_share;
    let bernoulli = |share: f64, yes: bool| if yes { share } else { 1.0 - share };
    let reference = Cohorts::new(1, 0, 0);
    let mut out = [0.0; Cohorts::PER_AGE];
    for (i, cell) in out.iter_mut().enumerate() {
        let key = reference.key(i as u32);
        let (fp, visa) = if key.urban {
            (fp_urban, visa_urban)
        } else {
            (fp_rural, visa_rural)
        };
        let documents = match key.documents {
            Documents::InternalPassport => 1.0 - fp,
            Documents::ForeignPassport => fp * (1.0 - visa),
            Documents::SchengenVisa => fp * visa,
        };
        *cell = bernoulli(urban_share, key.urban)
            * documents
            * bernoulli(p.prior_service_share, key.prior_service)
            * bernoulli(p.car_share, key.car)
            * bernoulli(resolute_share, key.resolute);
    }
    out
}

/// Shares `n` among `cells` by a multinomial draw with `probabilities`
/// (summing to 1), as conditional binomials: cell `k` takes
/// `Binomial(n left, p_k / Σ_{j≥k} p_j)`, and the last cell the rest.
fn multinomial(rng: &mut SimRng, n: u64, probabilities: &[f64], cells: &mut [u32]) {
    let mut tail: Vec<f64> = probabilities.to_vec();
    for k in (0..tail.len().saturating_sub(1)).rev() {
        tail[k] += tail[k + 1];
    }
    let mut left = n;
    let last = cells.len().saturating_sub(1);
    for (k, cell) in cells.iter_mut().enumerate() {
        let take = if k == last {
            left
        } else if left == 0 || tail[k] <= 0.0 {
            0
        } else {
            let q = (probabilities[k] / tail[k]).clamp(0.0, 1.0);
            Binomial::new(left, q).map_or(0, |b| b.sample(rng))
        };
        *cell = take as u32;
        left -= take;
    }
}

/// Agents of each eligible age in a region: the expected number, rounded up
/// or down at random so that the expectation is exact.
fn age_counts(scenario: &Scenario, settings: &RunSettings, region: usize) -> Vec<u64> {
    let p = scenario.population();
    let scale = f64::from(settings.scale());
    let mut rng = stream(
        settings.seed(),
        Stream::PopulationCounts {
            region: region as u32,
        },
    );
    (p.age_min..=p.age_max)
        .map(|age| {
            let expected = scenario.regions()[region].men_of_age(age) / scale;
            let whole = expected.floor();
            whole as u64 + u64::from(rng.random::<f64>() < expected - whole)
        })
        .collect()
}

/// Draws the attributes of the agents of one region and age.
fn fill(
    scenario: &Scenario,
    seed: u64,
    cohorts: &Cohorts,
    r: usize,
    age: u32,
    slice: &mut [Agent],
) {
    let p = scenario.population();
    let mut rng = stream(
        seed,
        Stream::Population {
            region: r as u32,
            age,
        },
    );
    let urban_share = scenario.regions()[r].urban_share;
    let (fp_urban, fp_rural) = p.foreign_passport[r];
    let (visa_urban, visa_rural) = p.schengen_visa[r];
    let resolute_share = scenario.decision().resolute_share;
    for agent in slice {
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
            resolute: rng.random::<f64>() < resolute_share,
        };
        *agent = Agent::new(cohorts.index(key), rng.random::<u8>());
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
            resolute: true,
        };
        assert_eq!(c.index(k) as usize, c.len() - 1);
        assert_eq!(c.region(c.index(k)), 82);
        let changed = c.with_documents(c.index(k), Documents::InternalPassport);
        assert_eq!(c.key(changed).documents, Documents::InternalPassport);
        assert_eq!(c.priority_class(changed), c.priority_class(c.index(k)));
    }

    #[test]
    fn agents_are_compact_and_pack_losslessly() {
        assert_eq!(std::mem::size_of::<Agent>(), 8);
        let mut a = Agent::new(MAX_COHORTS as u32 - 1, 255);
        a.set_attempts(10);
        assert_eq!(
            (a.cohort(), a.exempt_rank(), a.attempts()),
            (MAX_COHORTS as u32 - 1, 255, 10)
        );
        a.set_cohort(7);
        assert_eq!((a.cohort(), a.exempt_rank(), a.attempts()), (7, 255, 10));
    }
}
