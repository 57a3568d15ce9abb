//! Step 3 of a day: the border posts, one after another, each with its own
//! random stream.
//!
//! At crossing `c` on day `t`:
//! 1. the day's arrivals are shuffled (their order within a day is not
//!    information) and each draws his patience `P ~ Gamma(k, mean/k)`; a man
//!    whose expected wait (persons ahead / capacity) exceeds `P` gives up at
//!    once, the others join the queue (at an airport, where men have booked
//!    their seats, nobody gives up and no patience is drawn);
//! 2. the day's ordinary travellers, `baseline × baseline factor ×
//!    exp(−queue.ordinary_wait_response × W)` with `W` the days of queue
//!    ahead at the start of the day (at a land post; on an air route the
//!    ordinary passengers hold their share of the seats), join as one block
//!    in the middle of the day's arrivals, so neither group has priority;
//! 3. the post processes its capacity, and the model's
//!    [`border::outcome`] says what becomes of each man processed;
//! 4. with reneging on, men whose days waited plus expected remaining wait
//!    exceed their patience leave the queue.
//!
//! A man who gives up or is turned back reroutes to another feasible
//! crossing (chosen from where he stands) while he has attempts left, or
//! goes home for good.
//!
//! An air route is a post too, but with no queue to speak of: its men have
//! booked their seats, so none gives up on arrival or reneges, and the
//! seats booked and the ordinary passengers fit its capacity. Ordinary
//! traffic at a land post follows its destination's weekly pattern.
//! Finally the day's exits: the ordinary travellers leaving by the crossing
//! ([`crate::model::abroad::Visitors`]) and the men of the exodus who went
//! home by it today.

use rand::RngExt;
use rand::distr::Distribution;
use rand::seq::SliceRandom;

use chrono::Datelike;

use super::Simulation;
use super::departure::set_off;
use super::flows::Flows;
use super::state::{self, move_agent};
use crate::model::border::{self, Entry, Outcome};
use crate::model::choice::Chooser;
use crate::model::policy::View;
use crate::population::AgentState;
use crate::results::CrossingDay;
use crate::rng::{SimRng, Stream, stream};
use crate::scenario::GiveUp;

/// Runs every crossing's day; returns the day's rows.
pub(super) fn run_borders(
    sim: &mut Simulation<'_>,
    day: u32,
    arrivals: Vec<Vec<u32>>,
    flows: &Flows,
) -> Vec<CrossingDay> {
    arrivals
        .into_iter()
        .enumerate()
        .map(|(c, arriving)| {
            let went_home = flows.went_home_by[c] * u64::from(sim.settings.scale());
            run_crossing(sim, day, c, arriving, went_home)
        })
        .collect()
}

fn run_crossing(
    sim: &mut Simulation<'_>,
    day: u32,
    c: usize,
    mut arriving: Vec<u32>,
    went_home: u64,
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
    let crossing = &s.crossings()[c];
    let air = crossing.is_air();
    let weekday = s
        .calendar()
        .date(i64::from(day))
        .weekday()
        .num_days_from_monday();
    let weekly = if air {
        1.0
    } else {
        s.destinations()[crossing.destination].weekly[weekday as usize]
    };
    // Ordinary travellers who hear of a queue of days put their trip off:
    // their day's number falls with the days of queue ahead this morning.
    let response = s.queue().ordinary_wait_response;
    let deterred = if air || response == 0.0 {
        1.0
    } else {
        (-response * sim.queues[c].expected_wait(actual.capacity)).exp()
    };
    let ordinary =
        (f64::from(crossing.baseline) * actual.baseline_factor * weekly * deterred).round() as u64;
    let middle = arriving.len() / 2;
    for (i, &agent) in arriving.iter().enumerate() {
        if i == middle {
            push_ordinary(sim, c, ordinary, day);
        }
        row.arrived += persons;
        // A man with a booked seat does not turn back at the airport, nor
        // leave its queue: his patience is not drawn there.
        let patience: f64 = if air {
            f64::INFINITY
        } else {
            sim.patience.sample(&mut rng)
        };
        if sim.queues[c].expected_wait(actual.capacity) > patience {
            row.gave_up_events += persons;
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
    let country = crossing.destination;
    for (agent, outcome) in men {
        match outcome {
            Outcome::Crossed => {
                let cohorts = sim.population.cohorts;
                let move_day = sim.onward.move_day(country, day, rng.random());
                let a = &mut sim.population.agents[agent as usize];
                state::cross(&mut sim.stocks, &cohorts, a, c, country, move_day);
            }
            Outcome::Caught => set_state(sim, agent, AgentState::DraftedAtBorder),
            Outcome::TurnedBack => leaving.push(agent),
        }
    }
    row.crossed = done.crossed * persons;
    row.caught = done.caught * persons;
    row.turned_back = done.turned_back * persons;
    row.baseline_entries = done.ordinary;
    row.entries = row.crossed + row.baseline_entries;
    row.mean_wait_days = (row.entries > 0).then(|| done.wait_person_days / row.entries as f64);

    if s.queue().renege && !air {
        let gone = sim.queues[c].renege(day, actual.capacity, scale);
        row.gave_up_events += gone.len() as u64 * persons;
        leaving.extend(gone);
    }
    row.baseline_exits = sim.visitors.day(c, row.baseline_entries);
    row.exits = row.baseline_exits + went_home;
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
    let who = Chooser::from_home(&key, a.exempt_rank()).leaving(c);
    let can_retry =
        s.choice().on_give_up == GiveUp::Reroute && a.attempts() < s.choice().max_attempts;
    let next = if can_retry {
        sim.choice.choose(&who, rng.random())
    } else {
        None
    };
    // Back on the road, nobody arrives anywhere before tomorrow.
    let mut today = Vec::new();
    set_off(sim, rng, day, agent, who, next, &mut today);
}
