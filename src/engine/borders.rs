//! Step 3 of a day: the border posts, one after another, each with its own
//! random stream.
//!
//! At crossing `c` on day `t`:
//! 1. the day's arrivals are shuffled (their order within a day is not
//!    information) and each draws his patience `P ~ Gamma(k, mean/k)`; a man
//!    whose expected wait (persons ahead / capacity) exceeds `P` gives up at
//!    once, the others join the queue;
//! 2. the day's ordinary travellers, `baseline × baseline factor`, join as
//!    one block in the middle of the day's arrivals, so neither group has
//!    priority;
//! 3. the post processes its capacity, and the model's
//!    [`border::outcome`] says what becomes of each man processed;
//! 4. with reneging on, men whose days waited plus expected remaining wait
//!    exceed their patience leave the queue.
//!
//! A man who gives up or is turned back reroutes to another feasible
//! crossing (chosen from where he stands) while he has attempts left, or
//! goes home for good.

use rand::RngExt;
use rand::distr::Distribution;
use rand::seq::SliceRandom;

use super::Simulation;
use super::state::move_agent;
use crate::model::border::{self, Entry, Outcome};
use crate::model::choice::Chooser;
use crate::model::policy::View;
use crate::model::travel::{Mode, Origin};
use crate::population::AgentState;
use crate::results::CrossingDay;
use crate::rng::{SimRng, Stream, stream};
use crate::scenario::GiveUp;

/// Runs every crossing's day; returns the day's rows.
pub(super) fn run_borders(
    sim: &mut Simulation<'_>,
    day: u32,
    arrivals: Vec<Vec<u32>>,
) -> Vec<CrossingDay> {
    arrivals
        .into_iter()
        .enumerate()
        .map(|(c, arriving)| run_crossing(sim, day, c, arriving))
        .collect()
}

fn run_crossing(
    sim: &mut Simulation<'_>,
    day: u32,
    c: usize,
    mut arriving: Vec<u32>,
) -> CrossingDay {
    let s = sim.scenario;
    let scale = sim.settings.scale();
    let persons = u64::from(scale);
    let mut rng = stream(
        sim.settings.seed(),
        Stream::Border {
            day,
            crossing: c as u32,
        },
    );
    let actual = sim.timeline.conditions(c, i64::from(day), View::Actual);
    let mut row = CrossingDay::default();
    let mut leaving: Vec<u32> = Vec::new();

    arriving.shuffle(&mut rng);
    let ordinary = (f64::from(s.crossings()[c].baseline) * actual.baseline_factor).round() as u64;
    let middle = arriving.len() / 2;
    for (i, &agent) in arriving.iter().enumerate() {
        if i == middle {
            push_ordinary(sim, c, ordinary, day);
        }
        row.arrived += persons;
        let patience: f64 = sim.patience.sample(&mut rng);
        if sim.queues[c].expected_wait(actual.capacity) > patience {
            row.gave_up += persons;
            leaving.push(agent);
            continue;
        }
        sim.queues[c].push(
            Entry::Man {
                agent,
                joined: day,
                patience: patience as f32,
            },
            scale,
        );
        set_state(sim, agent, AgentState::Queued);
    }
    if arriving.is_empty() {
        push_ordinary(sim, c, ordinary, day);
    }

    let agents = &sim.population.agents;
    let (done, men) = sim.queues[c].process(day, actual.capacity, scale, |agent| {
        let exempt_rank = agents[agent as usize].exempt_rank();
        border::outcome(&actual, exempt_rank, || rng.random::<f64>())
    });
    for (agent, outcome) in men {
        match outcome {
            Outcome::Crossed => set_state(sim, agent, AgentState::Abroad),
            Outcome::Caught => set_state(sim, agent, AgentState::DraftedAtBorder),
            Outcome::TurnedBack => leaving.push(agent),
        }
    }
    row.crossed = done.crossed * persons;
    row.caught = done.caught * persons;
    row.turned_back = done.turned_back * persons;
    row.baseline_entries = done.ordinary;
    row.entries = row.crossed + row.baseline_entries;
    row.mean_wait_days = if row.entries > 0 {
        done.wait_person_days / row.entries as f64
    } else {
        0.0
    };

    if s.queue().renege {
        let gone = sim.queues[c].renege(day, actual.capacity, scale);
        row.gave_up += gone.len() as u64 * persons;
        leaving.extend(gone);
    }
    for agent in leaving {
        give_up(sim, &mut rng, day, c, agent);
    }
    row.queue = sim.queues[c].persons();
    row
}

fn push_ordinary(sim: &mut Simulation<'_>, c: usize, persons: u64, day: u32) {
    if persons > 0 {
        sim.queues[c].push(
            Entry::Ordinary {
                persons,
                joined: day,
            },
            sim.settings.scale(),
        );
    }
}

/// Moves agent `agent` to state `to`, in the simulation's stocks.
fn set_state(sim: &mut Simulation<'_>, agent: u32, to: AgentState) {
    let cohorts = sim.population.cohorts;
    let agent = &mut sim.population.agents[agent as usize];
    move_agent(&mut sim.stocks, &cohorts, agent, to);
}

/// A man leaves crossing `c`: he reroutes while he has attempts left and a
/// feasible crossing, or goes home.
fn give_up(sim: &mut Simulation<'_>, rng: &mut SimRng, day: u32, c: usize, agent: u32) {
    let s = sim.scenario;
    let cohorts = sim.population.cohorts;
    let a = sim.population.agents[agent as usize];
    let key = cohorts.key(a.cohort());
    let can_retry =
        s.choice().on_give_up == GiveUp::Reroute && a.attempts() < s.choice().max_attempts;
    let next = if can_retry {
        let who = Chooser {
            origin: Origin::Crossing(c),
            mode: Mode::of(key.car),
            documents: key.documents,
            exempt_rank: a.exempt_rank(),
            exclude: Some(c),
        };
        sim.choice.choose(&who, rng.random())
    } else {
        None
    };
    match next {
        Some(choice) => {
            let m = &mut sim.population.agents[agent as usize];
            m.crossing = choice.crossing as u8;
            m.day = choice.arrival.max(i64::from(day) + 1) as u16;
            m.set_attempts(m.attempts() + 1);
            set_state(sim, agent, AgentState::Traveling);
        }
        None => set_state(sim, agent, AgentState::Returned),
    }
}
