//! The one owner of agent state transitions.
//!
//! An agent's state changes only through the functions here: [`move_agent`]
//! at home and on the way, and [`cross`], [`move_on`], [`arrive`] and
//! [`come_back`] into, between and out of the countries abroad. A
//! transition is also bookkeeping, and each records it with the state: the
//! agents per state, the draft pool (agents at home per draft-priority
//! class, which the call-up draws from), per region the persons drafted (at
//! home or at the border) and the persons who crossed the border out of
//! Russia (tomorrow's regional signals), and the men of the exodus in each
//! country. The record
//! goes to a [`Ledger`]:
//!
//! - the simulation's [`Stocks`], directly, where transitions happen one
//!   after another (the border posts);
//! - a chunk's [`Tally`] in the parallel agent pass, which [`Stocks::merge`]
//!   folds in afterwards, chunk by chunk in chunk order.
//!
//! The men at home kept as counts (see [`crate::population`]) leave their
//! count in two ways only: drafted ([`draft_from_count`]), or by acting, when
//! they become agents at home and nothing changes in the stocks until the
//! agent moves on. An agent who goes home for good (returned, came back)
//! joins a count again ([`retire`]), in the same state: nothing changes in
//! the stocks then either, and the men of those counts can only be drafted.
//!
//! Every tally is an integer (or an integer number of persons in a float,
//! exact far beyond any population), so the stocks do not depend on how the
//! agents were cut into chunks or on the number of threads.

use rayon::prelude::*;

use super::CHUNK;
use crate::population::{Agent, AgentState, Cohorts, Population};

/// One transition, with what the bookkeeping needs to know of the agent.
#[derive(Debug, Clone, Copy)]
pub(super) struct Change {
    from: AgentState,
    to: AgentState,
    /// Draft-priority class of the agent.
    class: usize,
    /// Home region of the agent.
    region: usize,
    /// The country he left, when he leaves one.
    left_country: Option<usize>,
    /// The country he entered, when he enters one.
    entered_country: Option<usize>,
    /// He crossed the border out of Russia.
    crossed: bool,
}

impl Change {
    fn left_home(&self) -> bool {
        self.from.is_home() && !self.to.is_home()
    }

    fn came_home(&self) -> bool {
        !self.from.is_home() && self.to.is_home()
    }

    fn drafted(&self) -> bool {
        matches!(self.to, AgentState::Drafted | AgentState::DraftedAtBorder)
    }

    /// He set off from home (as opposed to setting off again after giving
    /// up at a crossing).
    fn departed(&self) -> bool {
        self.from.is_home() && self.to == AgentState::Traveling
    }
}

/// Where transitions are recorded.
pub(super) trait Ledger {
    /// Records one transition.
    fn record(&mut self, change: Change);
}

/// Moves `agent` to state `to` (at home, on the way or drafted), recording
/// the transition in `ledger`.
pub(super) fn move_agent(
    ledger: &mut impl Ledger,
    cohorts: &Cohorts,
    agent: &mut Agent,
    to: AgentState,
) {
    debug_assert!(!to.is_abroad() && !agent.state.is_abroad());
    transition(ledger, cohorts, agent, to, None, None);
}

/// He crosses at `crossing` into `country`, where he stays until `move_day`.
pub(super) fn cross(
    ledger: &mut impl Ledger,
    cohorts: &Cohorts,
    agent: &mut Agent,
    crossing: usize,
    country: usize,
    move_day: u16,
) {
    let mut record = change(cohorts, agent, AgentState::Abroad, None, Some(country));
    // The one transition that counts toward his region's share gone (the
    // peer effect's signal): he is out of Russia.
    record.crossed = true;
    ledger.record(record);
    agent.state = AgentState::Abroad;
    agent.set_abroad_in(country, crossing as u8, move_day);
}

/// He is abroad in `country`, having come in at `crossing`
/// ([`Agent::NO_CROSSING`] when he came from another country), until he
/// moves on or goes home on `move_day`.
fn settle(
    ledger: &mut impl Ledger,
    cohorts: &Cohorts,
    agent: &mut Agent,
    country: usize,
    crossing: u8,
    move_day: u16,
) {
    transition(
        ledger,
        cohorts,
        agent,
        AgentState::Abroad,
        None,
        Some(country),
    );
    agent.set_abroad_in(country, crossing, move_day);
}

/// He leaves the country he is in for `next`, arriving on `arrival`.
pub(super) fn move_on(
    ledger: &mut impl Ledger,
    cohorts: &Cohorts,
    agent: &mut Agent,
    next: usize,
    arrival: u16,
) {
    let from = Some(agent.country());
    transition(ledger, cohorts, agent, AgentState::MovingOn, from, None);
    agent.set_moving_to(next, arrival);
}

/// He arrives in the country he was bound for, where he stays until
/// `move_day`.
pub(super) fn arrive(
    ledger: &mut impl Ledger,
    cohorts: &Cohorts,
    agent: &mut Agent,
    move_day: u16,
) {
    let country = agent.next_country();
    settle(
        ledger,
        cohorts,
        agent,
        country,
        Agent::NO_CROSSING,
        move_day,
    );
}

/// He goes home from the country he is in, for good.
pub(super) fn come_back(ledger: &mut impl Ledger, cohorts: &Cohorts, agent: &mut Agent) {
    let from = Some(agent.country());
    transition(ledger, cohorts, agent, AgentState::CameBack, from, None);
}

fn transition(
    ledger: &mut impl Ledger,
    cohorts: &Cohorts,
    agent: &mut Agent,
    to: AgentState,
    left_country: Option<usize>,
    entered_country: Option<usize>,
) {
    ledger.record(change(cohorts, agent, to, left_country, entered_country));
    agent.state = to;
}

/// The record of `agent` moving to `to`.
fn change(
    cohorts: &Cohorts,
    agent: &Agent,
    to: AgentState,
    left_country: Option<usize>,
    entered_country: Option<usize>,
) -> Change {
    let cohort = agent.cohort();
    Change {
        from: agent.state,
        to,
        class: cohorts.priority_class(cohort),
        region: cohorts.region(cohort),
        left_country,
        entered_country,
        crossed: false,
    }
}

/// The simulation's stocks, kept up to date by every transition.
#[derive(Debug, Clone)]
pub(super) struct Stocks {
    /// Persons per agent.
    scale: f64,
    /// Agents per state.
    counts: [u64; AgentState::COUNT],
    /// Agents at home per draft-priority class.
    home_by_class: Vec<u64>,
    /// Persons drafted per region (home region of those caught at the border too).
    drafted_by_region: Vec<f64>,
    /// Persons who crossed the border out of Russia per region.
    crossed_by_region: Vec<f64>,
    /// Agents of the exodus in each country (destination index).
    abroad_by_country: Vec<i64>,
}

impl Stocks {
    /// The stocks of a population, counted in parallel chunks.
    pub(super) fn of(population: &Population, regions: usize, countries: usize) -> Self {
        let (counts, home_by_class) = census(population);
        Self {
            scale: f64::from(population.scale),
            counts,
            home_by_class,
            drafted_by_region: vec![0.0; regions],
            crossed_by_region: vec![0.0; regions],
            abroad_by_country: vec![0; countries],
        }
    }

    /// Agents of the exodus in each country.
    pub(super) fn abroad_by_country(&self) -> &[i64] {
        &self.abroad_by_country
    }

    /// Agents per state.
    pub(super) fn counts(&self) -> [u64; AgentState::COUNT] {
        self.counts
    }

    /// Agents at home per draft-priority class.
    pub(super) fn home_by_class(&self) -> &[u64] {
        &self.home_by_class
    }

    /// Persons drafted per region so far.
    pub(super) fn drafted_by_region(&self) -> &[f64] {
        &self.drafted_by_region
    }

    /// Persons who crossed the border out of Russia per region so far.
    pub(super) fn crossed_by_region(&self) -> &[f64] {
        &self.crossed_by_region
    }

    /// Folds in a chunk's tally of the agent pass.
    pub(super) fn merge(&mut self, tally: Tally) {
        for (count, delta) in self.counts.iter_mut().zip(tally.delta) {
            *count = count.wrapping_add_signed(delta);
        }
        let regional = tally.drafted_by_region.iter().zip(&tally.crossed_by_region);
        for (r, (&drafted, &crossed)) in regional.enumerate() {
            self.drafted_by_region[r] += f64::from(drafted) * self.scale;
            self.crossed_by_region[r] += f64::from(crossed) * self.scale;
        }
        for class in tally.left_home {
            self.home_by_class[class as usize] -= 1;
        }
        for (class, n) in tally.left_home_counts {
            self.home_by_class[class as usize] -= u64::from(n);
        }
        for class in tally.came_home {
            self.home_by_class[class as usize] += 1;
        }
        for (stock, delta) in self.abroad_by_country.iter_mut().zip(tally.abroad) {
            *stock += delta;
        }
    }
}

impl Ledger for Stocks {
    fn record(&mut self, change: Change) {
        self.counts[change.from as usize] -= 1;
        self.counts[change.to as usize] += 1;
        if change.left_home() {
            self.home_by_class[change.class] -= 1;
        }
        if change.came_home() {
            self.home_by_class[change.class] += 1;
        }
        if change.drafted() {
            self.drafted_by_region[change.region] += self.scale;
        }
        if change.crossed {
            self.crossed_by_region[change.region] += self.scale;
        }
        if let Some(c) = change.left_country {
            self.abroad_by_country[c] -= 1;
        }
        if let Some(c) = change.entered_country {
            self.abroad_by_country[c] += 1;
        }
    }
}

/// The transitions of one chunk of the agent pass, in agents.
#[derive(Debug, Clone)]
pub(super) struct Tally {
    delta: [i64; AgentState::COUNT],
    /// Draft-priority class of each agent who left home.
    left_home: Vec<u32>,
    /// (draft-priority class, agents) of the counts drafted at home.
    left_home_counts: Vec<(u32, u32)>,
    /// Draft-priority class of each agent who came home.
    came_home: Vec<u32>,
    drafted_by_region: Vec<u32>,
    crossed_by_region: Vec<u32>,
    /// Agents who set off from home.
    departed: u64,
    /// Change of the agents of the exodus in each country.
    abroad: Vec<i64>,
}

impl Tally {
    /// An empty tally for `regions` regions and `countries` countries.
    pub(super) fn new(regions: usize, countries: usize) -> Self {
        Self {
            delta: [0; AgentState::COUNT],
            left_home: Vec::new(),
            left_home_counts: Vec::new(),
            came_home: Vec::new(),
            drafted_by_region: vec![0; regions],
            crossed_by_region: vec![0; regions],
            departed: 0,
            abroad: vec![0; countries],
        }
    }

    /// Agents who set off from home.
    pub(super) fn departed(&self) -> u64 {
        self.departed
    }
}

impl Ledger for Tally {
    fn record(&mut self, change: Change) {
        self.delta[change.from as usize] -= 1;
        self.delta[change.to as usize] += 1;
        if change.left_home() {
            self.left_home.push(change.class as u32);
        }
        if change.came_home() {
            self.came_home.push(change.class as u32);
        }
        if change.drafted() {
            self.drafted_by_region[change.region] += 1;
        }
        if change.departed() {
            self.departed += 1;
        }
        if change.crossed {
            self.crossed_by_region[change.region] += 1;
        }
        if let Some(c) = change.left_country {
            self.abroad[c] -= 1;
        }
        if let Some(c) = change.entered_country {
            self.abroad[c] += 1;
        }
    }
}

/// Agents per state and agents at home per priority class of a population:
/// the counts at home, then the individual agents counted one by one.
pub(super) fn census(population: &Population) -> ([u64; AgentState::COUNT], Vec<u64>) {
    let cohorts = population.cohorts;
    let classes = cohorts.priority_classes();
    let (mut counts, mut home) = population
        .agents
        .par_chunks(CHUNK)
        .map(|chunk| census_of(&cohorts, chunk))
        .reduce(
            || ([0u64; AgentState::COUNT], vec![0u64; classes]),
            |(mut c1, mut h1), (c2, h2)| {
                c1.iter_mut().zip(c2).for_each(|(a, b)| *a += b);
                h1.iter_mut().zip(h2).for_each(|(a, b)| *a += b);
                (c1, h1)
            },
        );
    let at_home = [
        (&population.home, AgentState::AtHome),
        (&population.returned, AgentState::Returned),
        (&population.came_back, AgentState::CameBack),
    ];
    for (count, state) in at_home {
        for (cohort, &n) in count.iter().enumerate() {
            counts[state as usize] += u64::from(n);
            home[cohorts.priority_class(cohort as u32)] += u64::from(n);
        }
    }
    counts[AgentState::Drafted as usize] += population
        .drafted
        .iter()
        .map(|&n| u64::from(n))
        .sum::<u64>();
    (counts, home)
}

/// Agents per state and agents at home per priority class among `agents`,
/// counted one by one.
fn census_of(cohorts: &Cohorts, agents: &[Agent]) -> ([u64; AgentState::COUNT], Vec<u64>) {
    let mut counts = [0u64; AgentState::COUNT];
    let mut home = vec![0u64; cohorts.priority_classes()];
    for agent in agents.iter().filter(|a| a.state != AgentState::Counted) {
        counts[agent.state as usize] += 1;
        if agent.state.is_home() {
            home[cohorts.priority_class(agent.cohort())] += 1;
        }
    }
    (counts, home)
}

/// An agent who went home for good (returned, came back) becomes one of his
/// cohort's count of such men: his slot is left [`AgentState::Counted`],
/// and the stocks do not change (he is counted in the same state). Returns
/// his cohort and state, for the caller to add him to the count.
pub(super) fn retire(agent: &mut Agent) -> (u32, AgentState) {
    let state = agent.state;
    agent.state = AgentState::Counted;
    (agent.cohort(), state)
}

/// `n` agents of one of `cohort`'s counts at home, of men in state `from`,
/// are drafted (the count itself is the caller's to lower).
pub(super) fn draft_from_count(
    tally: &mut Tally,
    cohorts: &Cohorts,
    cohort: u32,
    from: AgentState,
    n: u32,
) {
    if n == 0 {
        return;
    }
    tally.delta[from as usize] -= i64::from(n);
    tally.delta[AgentState::Drafted as usize] += i64::from(n);
    tally.drafted_by_region[cohorts.region(cohort)] += n;
    tally
        .left_home_counts
        .push((cohorts.priority_class(cohort) as u32, n));
}
