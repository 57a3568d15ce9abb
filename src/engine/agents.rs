//! Step 2 of a day: every agent once, in parallel over fixed chunks.
//!
//! Each chunk works on its own slice of agents with its own random stream
//! and returns a [`ChunkReport`]; reports are merged in chunk order.

use rand::{Rng, RngExt};
use rayon::prelude::*;

use super::{CHUNK, Odds, Simulation};
use crate::model::choice::{ChoiceTable, Chooser};
use crate::model::policy::{PolicyTimeline, View};
use crate::model::travel::{Mode, Origin};
use crate::population::{Agent, AgentState, Cohorts};
use crate::rng::{SimRng, Stream, stream};
use crate::scenario::{Documents, Scenario};

/// The merged result of one agent pass.
pub(super) struct PassSummary {
    /// Agents arriving today, per crossing, in agent order.
    pub(super) arrivals: Vec<Vec<u32>>,
    /// Agents who decided to leave for the first time.
    pub(super) decided: u64,
    /// Agents who set off from home.
    pub(super) departed: u64,
}

/// Read-only context shared by the chunks.
struct DayContext<'a> {
    scenario: &'a Scenario,
    cohorts: Cohorts,
    odds: &'a [Odds],
    choice: &'a ChoiceTable,
    timeline: &'a PolicyTimeline,
    day: u32,
}

/// What one chunk did.
struct ChunkReport {
    arrivals: Vec<(u8, u32)>,
    delta: [i64; AgentState::COUNT],
    drafted_by_region: Vec<u32>,
    departed_by_region: Vec<u32>,
    /// Draft-priority class of each agent who left home (drafted or set off).
    left_home: Vec<u32>,
    decided: u64,
    departed: u64,
}

impl ChunkReport {
    fn new(regions: usize) -> Self {
        Self {
            arrivals: Vec::new(),
            delta: [0; AgentState::COUNT],
            drafted_by_region: vec![0; regions],
            departed_by_region: vec![0; regions],
            left_home: Vec::new(),
            decided: 0,
            departed: 0,
        }
    }

    fn set(&mut self, cohorts: &Cohorts, agent: &mut Agent, to: AgentState) {
        self.delta[agent.state as usize] -= 1;
        self.delta[to as usize] += 1;
        if agent.state.is_home() && !to.is_home() {
            self.left_home
                .push(cohorts.priority_class(agent.cohort()) as u32);
        }
        agent.state = to;
    }
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
        day,
    };
    let regions = s.regions().len();
    let seed = sim.settings.seed();
    let reports: Vec<ChunkReport> = sim
        .population
        .agents
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(chunk, agents)| {
            let mut report = ChunkReport::new(regions);
            let mut rng = stream(
                seed,
                Stream::Agents {
                    day,
                    chunk: chunk as u32,
                },
            );
            let first = (chunk * CHUNK) as u32;
            for (offset, agent) in agents.iter_mut().enumerate() {
                step_agent(&ctx, &mut rng, &mut report, first + offset as u32, agent);
            }
            report
        })
        .collect();

    let scale = f64::from(sim.settings.scale());
    let mut summary = PassSummary {
        arrivals: vec![Vec::new(); s.crossings().len()],
        decided: 0,
        departed: 0,
    };
    for report in reports {
        for (state, delta) in report.delta.iter().enumerate() {
            sim.counts[state] = sim.counts[state].wrapping_add_signed(*delta);
        }
        for (r, (&drafted, &departed)) in report
            .drafted_by_region
            .iter()
            .zip(&report.departed_by_region)
            .enumerate()
        {
            sim.drafted_by_region[r] += f64::from(drafted) * scale;
            sim.departed_by_region[r] += f64::from(departed) * scale;
        }
        for class in report.left_home {
            sim.home_by_class[class as usize] -= 1;
        }
        for (crossing, agent) in report.arrivals {
            summary.arrivals[usize::from(crossing)].push(agent);
        }
        summary.decided += report.decided;
        summary.departed += report.departed;
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
        | AgentState::Returned => {
            let odds = ctx.odds[agent.cohort() as usize];
            let u = rng.next_u64();
            if u < odds.draft {
                report.set(&ctx.cohorts, agent, AgentState::Drafted);
                report.drafted_by_region[ctx.cohorts.region(agent.cohort())] += 1;
                return;
            }
            match agent.state {
                AgentState::AtHome if u < odds.act => {
                    report.decided += 1;
                    decide(ctx, rng, report, index, agent);
                }
                AgentState::Stuck if u < odds.act => leave(ctx, rng, report, index, agent),
                AgentState::AwaitingPassport if u32::from(agent.day) <= day => {
                    let refused = ctx
                        .timeline
                        .passport_ban(i64::from(day), View::Actual)
                        .is_some_and(|ban| {
                            matches!(
                                ban.kind,
                                crate::scenario::PolicyKind::ForeignPassportBan {
                                    refuse_pending: true
                                }
                            )
                        });
                    if !refused {
                        agent.set_cohort(
                            ctx.cohorts
                                .with_documents(agent.cohort(), Documents::ForeignPassport),
                        );
                    }
                    leave(ctx, rng, report, index, agent);
                }
                _ => {}
            }
        }
        AgentState::Traveling if u32::from(agent.day) <= day => {
            report.arrivals.push((agent.crossing, index));
        }
        _ => {}
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
    let key = ctx.cohorts.key(agent.cohort());
    let passport = &ctx.scenario.passport();
    if key.documents == Documents::InternalPassport && passport.apply_share > 0.0 {
        let today = i64::from(ctx.day);
        let due = ctx.day + passport.processing_days.max(1);
        let ban_expected = ctx
            .timeline
            .passport_ban(i64::from(due), View::KnownOn(today))
            .is_some();
        if !ban_expected && rng.random::<f64>() < passport.apply_share {
            agent.day = due as u16;
            report.set(&ctx.cohorts, agent, AgentState::AwaitingPassport);
            return;
        }
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
    let who = Chooser {
        origin: Origin::Region(key.region),
        mode: Mode::of(key.car),
        documents: key.documents,
        exempt_rank: agent.exempt_rank(),
        exclude: None,
    };
    match ctx.choice.choose(&who, rng.random()) {
        Some(choice) => {
            agent.crossing = choice.crossing as u8;
            agent.day = choice.arrival as u16;
            agent.set_attempts(1);
            report.set(&ctx.cohorts, agent, AgentState::Traveling);
            report.departed += 1;
            report.departed_by_region[key.region] += 1;
            if choice.arrival <= i64::from(ctx.day) {
                report.arrivals.push((agent.crossing, index));
            }
        }
        None => {
            if agent.state != AgentState::Stuck {
                report.set(&ctx.cohorts, agent, AgentState::Stuck);
            }
        }
    }
}
