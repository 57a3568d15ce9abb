//! The daily loop: a [`Simulation`] of one run of a scenario with its
//! settings, stepped day by day by [`Simulation::run_until`], the one loop
//! every run goes through (behind [`run`]).
//!
//! The engine applies the model ([`crate::model`]) to agents; it holds no
//! behaviour rule itself. Its files:
//! - here: the simulation, the daily tables and records, the loop;
//! - `agents.rs`: step 2 below;
//! - `departure.rs`: step 3 below, and setting off again after giving up;
//! - `borders.rs`: step 4 below;
//! - `flows.rs`: the day's movements abroad;
//! - `state.rs`: the one owner of agent state transitions and of the
//!   tallies that follow them.
//!
//! Each simulated day runs in five steps:
//!
//! 1. **Tables** (once a day, cheap): regional signals (call-up so far, share
//!    who crossed), the draft probability of every priority class and its
//!    hazard, the daily factor of the leave hazard per region and documents
//!    (a cohort's hazard is its fixed factor, computed once per run, times
//!    this; see [`crate::model::decision`]), and the choice tables (utilities by origin, mode and crossing, with the
//!    seats left on the flights).
//! 2. **Agents** (parallel): the men at home who have not acted are counts
//!    per cohort: each region's cohorts draw, from the region's stream of the
//!    day, how many of their men are drafted and how many decide to leave
//!    (the competing risks of the model, see `agents.rs`), and each man who
//!    decides becomes an agent. Every agent is visited once. Agents at home
//!    may be drafted or try again (one uniform draw for both competing
//!    risks); deciders apply for a passport or choose a crossing; men abroad
//!    may move on or go home; travellers who arrive today are collected per
//!    crossing. The agents are cut into chunks of fixed size, each with its
//!    own random stream for the day, and the chunks' and regions' reports are
//!    merged in a fixed order, so the result does not depend on the number of
//!    threads.
//! 3. **Bookings** (sequential, `departure.rs`): men who chose a flight book
//!    a seat, one at a time in an order shuffled by the day's stream, or
//!    choose again.
//! 4. **Borders** (sequential, per crossing, its own stream): arrivals join
//!    the queue or give up, ordinary travellers join, the post processes its
//!    capacity, impatient men renege; men who give up or are turned back
//!    reroute or go home; ordinary travellers and men going home leave.
//! 5. **Records**: the day's rows.
//!
//! Before the decree only the ordinary traffic moves, so step 2 is skipped.
//! A run's size was checked when its [`RunSettings`] were built, so nothing
//! here checks it again.

mod agents;
mod borders;
mod departure;
mod flows;
mod state;

use rand_distr::Gamma;
use rayon::prelude::*;

use crate::exit::{self, Exit};
use crate::model::abroad::{Onward, Visitors};
use crate::model::air::{SeatLedger, SeatPatience};
use crate::model::border::Queue;
use crate::model::choice::{ChoiceTable, Outlook};
use crate::model::decision::{
    RegionalSignals, cohort_log_hazard, daily_log_hazard, leave_probability,
};
use crate::model::mobilization::CallUp;
use crate::model::policy::PolicyTimeline;
use crate::population::{AgentState, Population, synthesize};
use crate::results::{CrossingDay, DestinationDay, NationalDay, RegionOutcome, RunResults};
use crate::rng::threshold;
use crate::scenario::{Documents, Scenario};
use crate::settings::RunSettings;
use flows::Flows;
use state::Stocks;

/// Agents per chunk of the parallel passes over the population. Fixed, so
/// that random streams do not depend on the number of threads.
pub const CHUNK: usize = 1 << 16;

/// The longest wait (days) a man takes into account; a closed crossing's
/// infinite wait is capped here.
const MAX_OBSERVED_WAIT: f64 = 365.0;

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The patience distribution's parameters are invalid.
    #[error("invalid patience distribution (mean {mean} days, shape {shape}): {reason}")]
    Patience {
        /// Mean days.
        mean: f64,
        /// Shape.
        shape: f64,
        /// Cause.
        reason: String,
    },
    /// The caller asked the run to stop (between two days).
    #[error("the run was stopped before it finished")]
    Stopped,
    /// The command runs in shards ([`crate::shard`]): this process ran its
    /// share of a stage's jobs, or found a stage nobody has run yet, and
    /// the command stops there.
    #[error("the rest of this stage's jobs run in other shards")]
    Deferred,
}

impl Exit for EngineError {
    fn exit_code(&self) -> u8 {
        match self {
            EngineError::Patience { .. } => exit::FAILURE,
            EngineError::Stopped => exit::INTERRUPTED,
            EngineError::Deferred => exit::FAILURE,
        }
    }
}

/// A cohort's probabilities for one day as thresholds on a uniform 64-bit
/// draw `u`: drafted if `u < draft`, decides to leave if `draft <= u < act`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Odds {
    /// `P(drafted) · 2^64`.
    pub draft: u64,
    /// `(P(drafted) + (1 − P(drafted)) · P(leave)) · 2^64`.
    pub act: u64,
}

impl Odds {
    /// Thresholds for a draft and a leave probability.
    pub fn new(draft: f64, leave: f64) -> Self {
        Self {
            draft: threshold(draft),
            act: threshold(draft + (1.0 - draft) * leave),
        }
    }
}

/// A simulation in progress.
pub struct Simulation<'s> {
    scenario: &'s Scenario,
    settings: RunSettings,
    population: Population,
    timeline: PolicyTimeline,
    callup: CallUp,
    choice: ChoiceTable,
    patience: Gamma<f64>,
    /// The chance that a man waits a number of days for a seat.
    seat_patience: SeatPatience,
    queues: Vec<Queue>,
    /// The seats of the air routes, booked day by day.
    seats: SeatLedger,
    /// Where men abroad move on to, and when they go home.
    onward: Onward,
    /// The ordinary travellers abroad, who leave as they came.
    visitors: Visitors,
    /// Every cohort's odds of the day (the per-man reference sampling only).
    odds: Vec<Odds>,
    /// The day's draft probability of each priority class.
    draft: Vec<f64>,
    /// The day's draft hazard `−ln(1 − p)` of each priority class (infinite
    /// when every man of the class is called up).
    draft_hazard: Vec<f64>,
    /// `e^{cohort part of ln λ}` of each cohort, fixed for the run (with
    /// counts only).
    exp_cohort: Vec<f64>,
    /// The day's `e^{daily part of ln λ}` per region and documents.
    exp_daily: Vec<f64>,
    /// Agents per state, the draft pool and the regional tallies, kept up
    /// to date by every transition (see [`state`]).
    stocks: Stocks,
    /// Observed wait per crossing at the end of each day.
    wait_history: Vec<Vec<f64>>,
    crossing_days: Vec<Vec<CrossingDay>>,
    destination_days: Vec<Vec<DestinationDay>>,
    national: Vec<NationalDay>,
    /// Agents who acted so far (with counts: every agent ever made).
    acted: u64,
    /// Slots of agents now in a count ([`AgentState::Counted`]).
    counted_slots: usize,
    /// Agents who set off from one country to another, over the run.
    onward_flows: Vec<u64>,
    next_day: u32,
}

impl<'s> Simulation<'s> {
    /// Builds the population and the model of a run of a scenario.
    pub fn new(scenario: &'s Scenario, settings: &RunSettings) -> Result<Self, EngineError> {
        let population = synthesize(scenario, settings);
        Self::with_population(scenario, settings, population)
    }

    /// Starts from a given population (all at home).
    pub fn with_population(
        scenario: &'s Scenario,
        settings: &RunSettings,
        population: Population,
    ) -> Result<Self, EngineError> {
        let q = scenario.queue();
        let patience = Gamma::new(q.patience_shape, q.patience_mean_days / q.patience_shape)
            .map_err(|e| EngineError::Patience {
                mean: q.patience_mean_days,
                shape: q.patience_shape,
                reason: e.to_string(),
            })?;
        let cohorts = population.cohorts;
        let regions = scenario.regions().len();
        let countries = scenario.destinations().len();
        let timeline = PolicyTimeline::new(scenario);
        let counts = settings.sampling().counts();
        let exp_cohort = if counts {
            let beta = scenario.decision();
            (0..cohorts.len() as u32)
                .into_par_iter()
                .map(|c| cohort_log_hazard(beta, &cohorts.key(c), cohorts.age_min()).exp())
                .collect()
        } else {
            Vec::new()
        };
        let classes = cohorts.priority_classes();
        Ok(Self {
            scenario,
            settings: *settings,
            callup: CallUp::new(scenario, &population),
            choice: ChoiceTable::new(scenario),
            patience,
            seat_patience: SeatPatience::new(
                q.patience_shape,
                q.patience_mean_days,
                scenario.air().map_or(0, |air| air.booking_days),
            ),
            queues: vec![Queue::default(); scenario.crossings().len()],
            seats: SeatLedger::new(scenario, &timeline, u64::from(settings.scale())),
            onward: Onward::new(scenario),
            visitors: Visitors::new(scenario),
            timeline,
            odds: if counts {
                Vec::new()
            } else {
                vec![Odds::default(); cohorts.len()]
            },
            draft: vec![0.0; classes],
            draft_hazard: vec![0.0; classes],
            exp_cohort,
            exp_daily: vec![0.0; regions * Documents::ALL.len()],
            stocks: Stocks::of(&population, regions, countries),
            wait_history: Vec::new(),
            crossing_days: Vec::new(),
            destination_days: Vec::new(),
            national: Vec::new(),
            onward_flows: vec![0; countries * countries],
            acted: 0,
            counted_slots: 0,
            population,
            next_day: 0,
        })
    }

    /// The population (for inspection in tests).
    pub fn population(&self) -> &Population {
        &self.population
    }

    /// Agents per state, kept up to date by every transition.
    pub fn state_counts(&self) -> [u64; AgentState::COUNT] {
        self.stocks.counts()
    }

    /// Counts the agents per state by looking at every count and agent.
    pub fn census(&self) -> [u64; AgentState::COUNT] {
        state::census(&self.population).0
    }

    /// Whether the draft pool (agents at home per priority class), which is
    /// kept up to date transition by transition, matches a recount.
    pub fn home_pool_is_consistent(&self) -> bool {
        let (_, recount) = state::census(&self.population);
        recount == self.stocks.home_by_class()
    }

    /// Agents who acted so far: the individual agents (with counts), or the
    /// agents no longer at home without having acted (per man).
    pub fn agents_acted(&self) -> u64 {
        if self.settings.sampling().counts() {
            self.acted
        } else {
            let never = |a: &&crate::population::Agent| a.state == AgentState::AtHome;
            let drafted = self.stocks.counts()[AgentState::Drafted as usize];
            let at_home = self.population.agents.iter().filter(never).count() as u64;
            self.population.agents.len() as u64 - at_home - drafted
        }
    }

    /// Days simulated so far.
    pub fn days_done(&self) -> u32 {
        self.next_day
    }

    /// Whether every day has been simulated.
    pub fn finished(&self) -> bool {
        self.next_day >= self.scenario.calendar().days
    }

    /// Simulates day after day to the end of the window, unless `stop` says
    /// so before a day (then [`EngineError::Stopped`]), calling `progress`
    /// with the days done after each. The one loop of every run.
    pub fn run_until(
        mut self,
        stop: &(dyn Fn() -> bool + Sync),
        progress: &(dyn Fn(u32) + Sync),
    ) -> Result<RunResults, EngineError> {
        while !self.finished() {
            if stop() {
                return Err(EngineError::Stopped);
            }
            self.step();
            progress(self.next_day);
        }
        Ok(self.into_results())
    }

    /// Simulates one day.
    pub fn step(&mut self) {
        let day = self.next_day;
        let active = day >= self.scenario.calendar().decree;
        let mut national = NationalDay::default();
        let (destinations, crossings) = (
            self.scenario.destinations().len(),
            self.scenario.crossings().len(),
        );
        let (arrivals, flows) = if active {
            self.prepare_tables(day);
            let pass = agents::run_pass(self, day);
            let mut arrivals = pass.arrivals;
            let booked = departure::book_flights(self, day, pass.bookings);
            let departed = pass.departed + booked.departed;
            for (crossing, agent) in booked.arrivals {
                arrivals[usize::from(crossing)].push(agent);
            }
            national.decided = pass.decided * u64::from(self.settings.scale());
            national.departed = departed * u64::from(self.settings.scale());
            (arrivals, pass.flows)
        } else {
            (
                vec![Vec::new(); crossings],
                Flows::new(destinations, crossings),
            )
        };
        let rows = borders::run_borders(self, day, arrivals, &flows);
        self.record(day, national, rows, &flows);
        self.compact();
        self.next_day += 1;
    }

    /// With counts, agent `agent`, who went home for good, joins his
    /// cohort's count of such men (see [`state::retire`]).
    fn retire(&mut self, agent: u32) {
        if !self.settings.sampling().counts() {
            return;
        }
        let (cohort, state) = state::retire(&mut self.population.agents[agent as usize]);
        let count = match state {
            AgentState::CameBack => &mut self.population.came_back,
            _ => &mut self.population.returned,
        };
        count[cohort as usize] += 1;
        self.counted_slots += 1;
    }

    /// Removes the slots of agents now in a count once they are an eighth
    /// of all, so that the daily pass no longer visits them; the men in the
    /// queues are renumbered. Between two days nobody else holds an index.
    fn compact(&mut self) {
        let agents = &mut self.population.agents;
        if self.counted_slots == 0 || self.counted_slots * 8 < agents.len() {
            return;
        }
        let mut new_index = Vec::with_capacity(agents.len());
        let mut next = 0u32;
        for agent in agents.iter() {
            new_index.push(next);
            next += u32::from(agent.state != AgentState::Counted);
        }
        agents.retain(|a| a.state != AgentState::Counted);
        for queue in &mut self.queues {
            queue.renumber(|agent| new_index[agent as usize]);
        }
        self.counted_slots = 0;
    }

    fn prepare_tables(&mut self, day: u32) {
        let s = self.scenario;
        let today = i64::from(day);
        let cohorts = self.population.cohorts;
        let scale = f64::from(self.settings.scale());

        let signals: Vec<RegionalSignals> = self
            .population
            .agents_by_region
            .iter()
            .enumerate()
            .map(|(r, &agents)| {
                let eligible = agents as f64 * scale;
                if eligible <= 0.0 {
                    return RegionalSignals::default();
                }
                RegionalSignals {
                    callup_per_mille: 1000.0 * self.stocks.drafted_by_region()[r] / eligible,
                    left_percent: 100.0 * self.stocks.crossed_by_region()[r] / eligible,
                }
            })
            .collect();
        let rumour = self.timeline.rumour(today);
        let alarm = Documents::ALL.map(|d| {
            f64::from(u8::from(self.timeline.closure_announced(today, d))) + rumour.credence
        });
        let quotas = self
            .callup
            .quotas(s, today, self.stocks.drafted_by_region());
        let draft =
            self.callup
                .probabilities(&quotas, self.stocks.home_by_class(), self.settings.scale());
        let days_since_decree = today - i64::from(s.calendar().decree);
        if self.settings.sampling().counts() {
            // Per region and documents, the daily factor of the leave hazard;
            // per class, the draft hazard. Cohorts are touched only in the
            // count pass, and only those with men at home.
            let factor = self.settings.sampling().leave_hazard_factor();
            for (r, signals) in signals.iter().enumerate() {
                for (d, &alarm) in alarm.iter().enumerate() {
                    let log = daily_log_hazard(s.decision(), days_since_decree, *signals, alarm);
                    self.exp_daily[r * Documents::ALL.len() + d] = factor * log.exp();
                }
            }
            for (hazard, &p) in self.draft_hazard.iter_mut().zip(&draft) {
                *hazard = if p >= 1.0 {
                    f64::INFINITY
                } else {
                    -(-p).ln_1p()
                };
            }
            self.draft = draft;
        } else {
            self.odds
                .par_iter_mut()
                .enumerate()
                .for_each(|(index, odds)| {
                    let key = cohorts.key(index as u32);
                    let p_draft = draft[cohorts.priority_class(index as u32)];
                    let p_leave = leave_probability(
                        s.decision(),
                        &key,
                        cohorts.age_min(),
                        days_since_decree,
                        signals[key.region],
                        alarm[key.documents as usize],
                    );
                    *odds = Odds::new(p_draft, p_leave);
                });
        }

        let lag = i64::from(s.choice().information_lag_days);
        let seen_day = today - lag;
        let observed: Vec<f64> = (0..s.crossings().len())
            .map(|c| {
                usize::try_from(seen_day)
                    .ok()
                    .and_then(|d| self.wait_history.get(d))
                    .map_or(0.0, |w| w[c].min(MAX_OBSERVED_WAIT))
            })
            .collect();
        let outlook = Outlook {
            today,
            observed_wait: &observed,
            seats: &self.seats,
            rumour,
        };
        self.choice.update(s, &self.timeline, &outlook);
    }

    fn record(
        &mut self,
        day: u32,
        mut national: NationalDay,
        rows: Vec<CrossingDay>,
        flows: &Flows,
    ) {
        let scale = u64::from(self.settings.scale());
        let counts = self.stocks.counts();
        let n = |state: AgentState| counts[state as usize] * scale;
        national.traveling = n(AgentState::Traveling);
        national.queued = n(AgentState::Queued);
        national.moving_on = n(AgentState::MovingOn);
        national.abroad = n(AgentState::Abroad) + national.moving_on;
        national.drafted = n(AgentState::Drafted) + n(AgentState::DraftedAtBorder);
        national.drafted_at_border = n(AgentState::DraftedAtBorder);
        national.stuck = n(AgentState::Stuck);
        national.came_back = n(AgentState::CameBack);
        national.returned = n(AgentState::Returned) + national.came_back;
        national.awaiting_passport = n(AgentState::AwaitingPassport);
        national.at_home = n(AgentState::AtHome) + national.stuck + national.awaiting_passport;
        let destinations = (0..self.scenario.destinations().len())
            .map(|d| DestinationDay {
                onward_entries: flows.onward_entries[d] * scale,
                moved_on: flows.moved_on[d] * scale,
                went_home: flows.went_home[d] * scale,
                abroad: self.stocks.abroad_by_country()[d].unsigned_abs() * scale,
            })
            .collect();
        self.destination_days.push(destinations);
        for (total, n) in self.onward_flows.iter_mut().zip(&flows.onward) {
            *total += n;
        }
        let waits = self
            .queues
            .iter()
            .enumerate()
            .map(|(c, q)| {
                let capacity = self
                    .timeline
                    .conditions(c, i64::from(day), crate::model::policy::View::Actual)
                    .capacity;
                q.expected_wait(capacity)
            })
            .collect();
        self.wait_history.push(waits);
        self.crossing_days.push(rows);
        self.national.push(national);
    }

    /// The finished results.
    pub fn into_results(self) -> RunResults {
        let s = self.scenario;
        let scale = u64::from(self.settings.scale());
        let cohorts = self.population.cohorts;
        let mut regions: Vec<RegionOutcome> = s
            .regions()
            .iter()
            .zip(&self.population.agents_by_region)
            .map(|(r, &agents)| RegionOutcome {
                iso: r.iso.clone(),
                name: r.name.clone(),
                eligible: agents * scale,
                left: 0,
                drafted: 0,
                left_by_destination: vec![0; s.destinations().len()],
            })
            .collect();
        // Per region: agents abroad by destination (the drafted are in the stocks).
        let width = s.destinations().len();
        let zero = || vec![0u64; regions.len() * width];
        let tally = self
            .population
            .agents
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut t = zero();
                for agent in chunk {
                    let base = cohorts.region(agent.cohort()) * width;
                    match agent.state {
                        AgentState::Abroad => t[base + agent.country()] += 1,
                        // Between two countries, he counts in the one he is bound for.
                        AgentState::MovingOn => t[base + agent.next_country()] += 1,
                        _ => {}
                    }
                }
                t
            })
            .reduce(zero, |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            });
        let drafted = self.stocks.drafted_by_region();
        for (r, (region, &persons)) in regions.iter_mut().zip(drafted).enumerate() {
            let t = &tally[r * width..(r + 1) * width];
            // Persons drafted, a whole number of agents times the scale.
            region.drafted = persons.round() as u64;
            region.left_by_destination = t.iter().map(|n| n * scale).collect();
            region.left = region.left_by_destination.iter().sum();
        }
        let countries = s.destinations().len();
        let onward = self
            .onward_flows
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(i, &n)| (i / countries, i % countries, n * scale))
            .collect();
        RunResults {
            calendar: *s.calendar(),
            destinations: s.destination_names(),
            crossings: s.crossing_ids(),
            crossing_days: self.crossing_days,
            destination_days: self.destination_days,
            national: self.national,
            onward,
            regions,
            eligible: self.population.eligible_persons(),
            agents: self.population.eligible_agents(),
        }
    }
}

/// Runs a scenario from start to end with `settings`, unless `stop` says so
/// before a day: then [`EngineError::Stopped`]. `stop` is how a caller
/// (Ctrl-C in the command line) cancels runs made deep inside a comparison
/// or a calibration; `progress` is told the days done after each.
pub fn run(
    scenario: &Scenario,
    settings: &RunSettings,
    stop: &(dyn Fn() -> bool + Sync),
    progress: &(dyn Fn(u32) + Sync),
) -> Result<RunResults, EngineError> {
    Simulation::new(scenario, settings)?.run_until(stop, progress)
}
