//! Step 2 of a day: every agent once, in parallel over fixed chunks.
//!
//! Each chunk works on its own slice of agents with its own random stream
//! and returns a [`ChunkReport`]: its transitions (a [`Tally`]), the agents
//! arriving at a crossing today, the men who chose a flight and must now
//! book a seat, the men who decided to leave, and the movements abroad.
//! Reports are merged in chunk order, so the result does not depend on the
//! number of threads. What a man does is the model's ([`crate::model`]);
//! here it is applied to agents.

use rand::{Rng, RngExt};
use rayon::prelude::*;

use super::departure::Booking;
use super::flows::Flows;
use super::state::{self, Tally, move_agent};
use super::{CHUNK, Odds, Simulation};
use crate::model::abroad::{Fate, Onward};
use crate::model::air::SeatLedger;
use crate::model::choice::{ChoiceTable, Chooser};
use crate::model::documents;
use crate::model::policy::PolicyTimeline;
use crate::population::{Agent, AgentState, Cohorts};
use crate::rng::{SimRng, Stream, stream};
use crate::scenario::{Documents, Scenario};

/// The merged result of one agent pass.
pub(super) struct PassSummary {
    /// Agents arriving today, per crossing, in agent order.
    pub(super) arrivals: Vec<Vec<u32>>,
    /// Men at home who chose a flight, in agent order: they book next.
    pub(super) bookings: Vec<Booking>,
    /// Agents who decided to leave for the first time.
    pub(super) decided: u64,
    /// Agents who set off from home.
    pub(super) departed: u64,
    /// Movements abroad.
    pub(super) flows: Flows,
}

/// Read-only context shared by the chunks.
struct DayContext<'a> {
    scenario: &'a Scenario,
    cohorts: Cohorts,
    odds: &'a [Odds],
    choice: &'a ChoiceTable,
    timeline: &'a PolicyTimeline,
    seats: &'a SeatLedger,
    onward: &'a Onward,
    day: u32,
}

/// What one chunk did.
struct ChunkReport {
    tally: Tally,
    /// (crossing, agent) of each agent arriving today, in agent order.
    arrivals: Vec<(u8, u32)>,
    /// Men who chose a flight, in agent order.
    bookings: Vec<Booking>,
    decided: u64,
    flows: Flows,
}

/// Runs the agent pass of `day` and folds its reports into the simulation.
pub(super) fn run_pass(sim: &mut Simulation<'_>, day: u32) -> PassSummary {
    let s = sim.scenario;
    let ctx = DayContext {
        scenario: s,
        cohorts: sim.population.cohorts,
        odds: &sim.odds,
        choice: &sim.choice,
        timeline: &sim.timeline,
        seats: &sim.seats,
        onward: &sim.onward,
        day,
    };
    let regions = s.regions().len();
    let (countries, crossings) = (s.destinations().len(), s.crossings().len());
    let seed = sim.settings.seed();
    let reports: Vec<ChunkReport> = sim
        .population
        .agents
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(chunk, agents)| {
            let mut report = ChunkReport {
                tally: Tally::new(regions, countries),
                arrivals: Vec::new(),
                bookings: Vec::new(),
                decided: 0,
                flows: Flows::new(countries, crossings),
            };
            let chunk_stream = Stream::Agents {
                day,
                chunk: chunk as u32,
            };
            let mut rng = stream(seed, chunk_stream);
            let first = (chunk * CHUNK) as u32;
            for (offset, agent) in agents.iter_mut().enumerate() {
                step_agent(&ctx, &mut rng, &mut report, first + offset as u32, agent);
            }
            report
        })
        .collect();

    let mut summary = PassSummary {
        arrivals: vec![Vec::new(); crossings],
        bookings: Vec::new(),
        decided: 0,
        departed: 0,
        flows: Flows::new(countries, crossings),
    };
    for report in reports {
        for (crossing, agent) in report.arrivals {
            summary.arrivals[usize::from(crossing)].push(agent);
        }
        summary.bookings.extend(report.bookings);
        summary.decided += report.decided;
        summary.departed += report.tally.departed();
        summary.flows.merge(&report.flows);
        sim.stocks.merge(report.tally);
    }
    summary
}

/// One agent's day.
fn step_agent(
    ctx: &DayContext<'_>,
    rng: &mut SimRng,
    report: &mut ChunkReport,
    index: u32,
    agent: &mut Agent,
) {
    let day = ctx.day;
    match agent.state {
        AgentState::AtHome
        | AgentState::Stuck
        | AgentState::AwaitingPassport
        | AgentState::Returned
        | AgentState::CameBack => {
            let odds = ctx.odds[agent.cohort() as usize];
            let u = rng.next_u64();
            if u < odds.draft {
                move_agent(&mut report.tally, &ctx.cohorts, agent, AgentState::Drafted);
                return;
            }
            match agent.state {
                AgentState::AtHome if u < odds.act => {
                    report.decided += 1;
                    decide(ctx, rng, report, index, agent);
                }
                AgentState::Stuck if u < odds.act => leave(ctx, rng, report, index, agent),
                AgentState::AwaitingPassport if u32::from(agent.day) <= day => {
                    if documents::granted(ctx.timeline, i64::from(day)) {
                        agent.set_cohort(
                            ctx.cohorts
                                .with_documents(agent.cohort(), Documents::ForeignPassport),
                        );
                        leave(ctx, rng, report, index, agent);
                    } else {
                        // Refused: his plan is gone, and he is again one of the men at
                        // home, deciding afresh with the day's hazard.
                        move_agent(&mut report.tally, &ctx.cohorts, agent, AgentState::AtHome);
                    }
                }
                _ => {}
            }
        }
        AgentState::Traveling if u32::from(agent.day) <= day => {
            report.arrivals.push((agent.crossing, index));
        }
        AgentState::Abroad => abroad(ctx, rng, report, agent),
        AgentState::MovingOn if u32::from(agent.day) <= day => {
            report.flows.arriving(agent.next_country());
            state::arrive(&mut report.tally, &ctx.cohorts, agent);
        }
        _ => {}
    }
}

/// A day abroad: a man moves on, goes home, or stays.
fn abroad(ctx: &DayContext<'_>, rng: &mut SimRng, report: &mut ChunkReport, agent: &mut Agent) {
    let here = agent.country();
    match ctx.onward.fate(here, rng.next_u64()) {
        Fate::Stays => {}
        Fate::MovesOn => {
            let next = ctx.onward.next_country(here, rng.random());
            let arrival = (ctx.day as u16).saturating_add(ctx.onward.travel_days(here));
            report.flows.moving_on(here, next);
            state::move_on(&mut report.tally, &ctx.cohorts, agent, next, arrival);
        }
        Fate::GoesHome => {
            let by = (agent.crossing != Agent::NO_CROSSING).then_some(usize::from(agent.crossing));
            report.flows.going_home(here, by);
            state::come_back(&mut report.tally, &ctx.cohorts, agent);
        }
    }
}

/// A man at home has just decided to leave: he applies for a foreign
/// passport first, or sets off.
fn decide(
    ctx: &DayContext<'_>,
    rng: &mut SimRng,
    report: &mut ChunkReport,
    index: u32,
    agent: &mut Agent,
) {
    let held = ctx.cohorts.key(agent.cohort()).documents;
    let passport = ctx.scenario.passport();
    let application = documents::application(passport, ctx.timeline, held, ctx.day, || {
        rng.random::<f64>()
    });
    if let Some(due) = application {
        agent.day = due as u16;
        move_agent(
            &mut report.tally,
            &ctx.cohorts,
            agent,
            AgentState::AwaitingPassport,
        );
        return;
    }
    leave(ctx, rng, report, index, agent);
}

/// A man at home chooses a crossing and sets off, or is stuck.
fn leave(
    ctx: &DayContext<'_>,
    rng: &mut SimRng,
    report: &mut ChunkReport,
    index: u32,
    agent: &mut Agent,
) {
    let key = ctx.cohorts.key(agent.cohort());
    let who = Chooser::from_home(&key, agent.exempt_rank());
    match ctx.choice.choose(&who, rng.random()) {
        // A flight: he books a seat once every man of the day has chosen.
        Some(choice) if ctx.seats.is_air(choice.crossing) => {
            report.bookings.push(Booking {
                agent: index,
                crossing: choice.crossing,
                earliest: choice.earliest,
            });
        }
        Some(choice) => {
            agent.crossing = choice.crossing as u8;
            agent.day = choice.arrival as u16;
            agent.set_attempts(1);
            move_agent(
                &mut report.tally,
                &ctx.cohorts,
                agent,
                AgentState::Traveling,
            );
            if choice.arrival <= i64::from(ctx.day) {
                report.arrivals.push((agent.crossing, index));
            }
        }
        None => {
            if agent.state != AgentState::Stuck {
                move_agent(&mut report.tally, &ctx.cohorts, agent, AgentState::Stuck);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ScenarioDocument;

    /// The chunks' reports are merged in chunk order: each crossing's
    /// arrivals come in agent order across chunk boundaries, whatever the
    /// threads did. (A merge in any other order, even a fixed one, changes
    /// the order in which the border posts take arrivals, and so the
    /// results at any scale with more than one chunk.)
    #[test]
    fn reports_are_merged_in_chunk_order() {
        let (scenario, settings) = ScenarioDocument::embedded_default_at(50);
        let mut sim = Simulation::new(&scenario, &settings).unwrap();
        assert!(sim.population.agents.len() > 4 * CHUNK);
        let day = scenario.calendar().decree + 5;
        while sim.days_done() < day {
            sim.step();
        }
        sim.prepare_tables(day);
        let pass = run_pass(&mut sim, day);
        let chunk = |agent: &u32| *agent as usize / CHUNK;
        let mut spanning = 0;
        for arrivals in &pass.arrivals {
            assert!(arrivals.is_sorted(), "arrivals out of agent order");
            let chunks = arrivals.first().zip(arrivals.last());
            spanning += usize::from(chunks.is_some_and(|(a, b)| chunk(a) < chunk(b)));
        }
        assert!(spanning > 0, "no crossing had arrivals from several chunks");
    }
}
