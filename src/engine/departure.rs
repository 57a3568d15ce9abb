//! Setting off: a man who has chosen a crossing books a seat if it is a
//! flight, or travels to a land post; when no seat is to be had within his
//! patience he chooses again without that route ([`crate::model::air`]).
//!
//! Men at home who chose a flight in the agent pass book after it, one at a
//! time, in an order shuffled by the day's own random stream: seats are
//! scarce, and which of the day's men gets the last one must not depend on
//! how the population is ordered or cut into chunks. Men who give up at a
//! border post and choose again set off through the same code.

use rand::RngExt;
use rand::seq::SliceRandom;

use super::Simulation;
use super::state::move_agent;
use crate::model::choice::{Choice, Chooser};
use crate::model::travel::Origin;
use crate::population::AgentState;
use crate::rng::{SimRng, Stream, stream};

/// A man at home who chose a flight and must book a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Booking {
    /// The agent.
    pub(super) agent: u32,
    /// The air route.
    pub(super) crossing: usize,
    /// The first day he can be at the airport.
    pub(super) earliest: i64,
}

/// What the day's bookings did.
#[derive(Debug, Default)]
pub(super) struct Booked {
    /// (crossing, agent) of each man who sets off and arrives today.
    pub(super) arrivals: Vec<(u8, u32)>,
    /// Agents who set off from home.
    pub(super) departed: u64,
}

/// Books the flights the men of the day chose, in a shuffled order.
pub(super) fn book_flights(
    sim: &mut Simulation<'_>,
    day: u32,
    mut bookings: Vec<Booking>,
) -> Booked {
    let mut booked = Booked::default();
    if bookings.is_empty() {
        return booked;
    }
    let mut rng = stream(sim.settings.seed(), Stream::Booking { day });
    bookings.shuffle(&mut rng);
    let cohorts = sim.population.cohorts;
    for b in bookings {
        let agent = sim.population.agents[b.agent as usize];
        let key = cohorts.key(agent.cohort());
        let who = Chooser::from_home(&key, agent.exempt_rank());
        let first = Choice {
            crossing: b.crossing,
            arrival: b.earliest,
            earliest: b.earliest,
        };
        if set_off(
            sim,
            &mut rng,
            day,
            b.agent,
            who,
            Some(first),
            &mut booked.arrivals,
        ) {
            booked.departed += 1;
        }
    }
    booked
}

/// Agent `agent` sets off towards `choice` from `who.origin` (home, or a
/// crossing he left). A flight is booked if a seat is free within his
/// patience; otherwise, while he has attempts left, he chooses again
/// without that route. A man who finds no way stays home wanting to leave
/// (stuck) if he set off from home, and goes home for good if he set off
/// from a crossing. Men who reach a crossing today are added to `arrivals`.
/// Returns whether he is now on his way.
pub(super) fn set_off(
    sim: &mut Simulation<'_>,
    rng: &mut SimRng,
    day: u32,
    agent: u32,
    mut who: Chooser,
    mut choice: Option<Choice>,
    arrivals: &mut Vec<(u8, u32)>,
) -> bool {
    let from_home = matches!(who.origin, Origin::Region(_));
    let today = i64::from(day);
    let max_attempts = sim.scenario.choice().max_attempts;
    let mut attempts = if from_home {
        0
    } else {
        sim.population.agents[agent as usize].attempts()
    };
    while let Some(chosen) = choice {
        attempts = attempts.saturating_add(1);
        let c = chosen.crossing;
        let arrival = if sim.seats.is_air(c) {
            // He takes the seat if his patience is at least the days he must
            // wait for it: one uniform draw against that chance, and none when
            // a seat is free on the first day he can fly (any patience waits
            // no days) or no seat is left at all.
            match sim.seats.first_free(c, chosen.earliest, today) {
                Some(flight) if flight <= chosen.earliest => Some(flight),
                Some(flight) => {
                    let waits = sim.seat_patience.waits(flight - chosen.earliest);
                    (rng.random::<f64>() < waits).then_some(flight)
                }
                None => None,
            }
        } else if from_home {
            Some(chosen.arrival)
        } else {
            Some(chosen.arrival.max(today + 1))
        };
        if let Some(arrival) = arrival {
            if sim.seats.is_air(c) {
                sim.seats.book(c, arrival);
            }
            let cohorts = sim.population.cohorts;
            let a = &mut sim.population.agents[agent as usize];
            a.crossing = c as u8;
            a.day = arrival as u16;
            a.set_attempts(attempts);
            move_agent(&mut sim.stocks, &cohorts, a, AgentState::Traveling);
            if arrival <= today {
                arrivals.push((c as u8, agent));
            }
            return true;
        }
        // No seat he will wait for: he chooses again without that route.
        if attempts >= max_attempts {
            break;
        }
        who.exclude = Some(c);
        choice = sim.choice.choose(&who, rng.random());
    }
    let cohorts = sim.population.cohorts;
    let a = &mut sim.population.agents[agent as usize];
    let fallback = if from_home {
        AgentState::Stuck
    } else {
        AgentState::Returned
    };
    if a.state != fallback {
        move_agent(&mut sim.stocks, &cohorts, a, fallback);
    }
    if !from_home {
        sim.retire(agent);
    }
    false
}
