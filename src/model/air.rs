//! Air travel: seats booked ahead, and fares that rise as flights fill.
//!
//! An air route `c` flies `K_c(t)` seats on day `t` (its `seats`, changed
//! by `capacity_change` policies), of which ordinary passengers hold
//! `O_c(t) = round(air.ordinary_load · seats · Π baseline_share)`. The rest
//! is what the exodus can buy:
//!
//! ```text
//! free_c(t) = K_c(t) − O_c(t) − booked_c(t)
//! ```
//!
//! A flight cannot queue for days the way a road can. A man who picks a
//! route on day `t` and can reach its airport on day `e` books the first
//! flight `f ≥ e` with a free seat, up to `air.booking_days` ahead; when
//! that means waiting longer than his patience (the same patience as at a
//! queue), or no seat is left within the horizon, he chooses again without
//! that route. Bookings are made one man at a time, in an order shuffled
//! every day, so scarce seats go to nobody in particular.
//!
//! **Fares.** Airlines price the last seats high. The fare of a flight `k`
//! days ahead is `fare_c · (1 + air.fare_surge · k)`: a man who must wait
//! four days for a seat pays it as one of the last seats, several times the
//! ordinary fare, as was reported on 21 September 2022. The fare enters the
//! choice of crossing as any cost does (`choice.cost_per_1000_rub`), and the
//! days until his flight as waiting days (`choice.wait_day`).

use statrs::function::gamma::checked_gamma_ur;

use crate::model::policy::{PolicyTimeline, View};
use crate::scenario::{CrossingMode, Scenario};

/// The seats of every air route, booked day by day.
#[derive(Debug, Clone)]
pub struct SeatLedger {
    /// Per crossing: its fare and free seats per day, for air routes only.
    routes: Vec<Option<Route>>,
    /// Days ahead that seats can be booked.
    horizon: i64,
    /// Fare rise per day ahead of the first free seat.
    fare_surge: f64,
    /// Seats one booking takes (the persons an agent stands for).
    persons: u64,
}

/// One air route's seats. A day is *open* while a booking still fits
/// (`free ≥ persons`); seats are only ever taken, so a day once full stays
/// full, and `next` skips the full days: `next[d] = d` when day `d` is
/// open, else a later day from which to look on (the number of days when
/// none). Finding the first open day is then a few jumps however many
/// flights are sold out, rather than a scan of the booking horizon; the
/// jumps are shortened as days fill.
#[derive(Debug, Clone)]
struct Route {
    /// Ordinary one-way fare (roubles).
    fare: f64,
    /// Persons who can still book, per day from day 0.
    free: Vec<u64>,
    /// Skip links over the full days (see above).
    next: Vec<u32>,
}

impl Route {
    fn new(fare: f64, free: Vec<u64>, persons: u64) -> Self {
        // Each full day links straight to the first open day after it.
        let mut next = vec![0; free.len()];
        let mut open = free.len() as u32;
        for d in (0..free.len()).rev() {
            if free[d] >= persons {
                open = d as u32;
            }
            next[d] = open;
        }
        Self { fare, free, next }
    }

    /// The first open day from `day` on; `None` past the last day.
    fn open_from(&self, day: usize) -> Option<usize> {
        let mut d = day;
        while let Some(&n) = self.next.get(d) {
            if n as usize == d {
                return Some(d);
            }
            d = n as usize;
        }
        None
    }

    /// Takes `persons` seats on `day`; a day that no longer fits a booking
    /// links on to the next open day, and the links on the way there are
    /// pointed at it.
    fn take(&mut self, day: usize, persons: u64) {
        let Some(free) = self.free.get_mut(day) else {
            return;
        };
        *free = free.saturating_sub(persons);
        if *free >= persons {
            return;
        }
        let after = self.open_from(day + 1).unwrap_or(self.next.len()) as u32;
        let mut d = day;
        while d < self.next.len() && self.next[d] != after {
            let on = self.next[d] as usize;
            self.next[d] = after;
            d = if on == d { d + 1 } else { on };
        }
    }
}

impl SeatLedger {
    /// The seats of a scenario's air routes, none booked yet; each booking
    /// takes `persons` seats.
    pub fn new(scenario: &Scenario, timeline: &PolicyTimeline, persons: u64) -> Self {
        let Some(air) = scenario.air() else {
            return Self {
                routes: vec![None; scenario.crossings().len()],
                horizon: 0,
                fare_surge: 0.0,
                persons,
            };
        };
        let horizon = i64::from(air.booking_days);
        // Flights can be booked past the end of the run.
        let days = i64::from(scenario.calendar().days) + horizon + 1;
        let routes = scenario
            .crossings()
            .iter()
            .enumerate()
            .map(|(c, crossing)| {
                let CrossingMode::Air { fare_rub, .. } = crossing.mode else {
                    return None;
                };
                let free = (0..days)
                    .map(|day| {
                        let flown = timeline.conditions(c, day, View::Actual);
                        let ordinary =
                            (f64::from(crossing.baseline) * flown.baseline_factor).round() as u64;
                        u64::from(flown.capacity).saturating_sub(ordinary)
                    })
                    .collect();
                Some(Route::new(fare_rub, free, persons))
            })
            .collect();
        Self {
            routes,
            horizon,
            fare_surge: air.fare_surge,
            persons,
        }
    }

    /// Whether crossing `c` is an air route.
    pub fn is_air(&self, c: usize) -> bool {
        self.routes.get(c).is_some_and(Option::is_some)
    }

    /// The first day from `earliest` on with a booking's seats free on
    /// route `c`, booked on `today` (no later than `today` + the horizon).
    pub fn first_free(&self, c: usize, earliest: i64, today: i64) -> Option<i64> {
        let route = self.routes.get(c)?.as_ref()?;
        let first = usize::try_from(earliest.max(today).max(0)).ok()?;
        let day = route.open_from(first)? as i64;
        (day <= today + self.horizon).then_some(day)
    }

    /// Books a booking's seats on route `c` on `day` (which
    /// [`SeatLedger::first_free`] found free).
    pub fn book(&mut self, c: usize, day: i64) {
        let persons = self.persons;
        let route = self.routes.get_mut(c).and_then(Option::as_mut);
        if let (Some(route), Ok(day)) = (route, usize::try_from(day)) {
            route.take(day, persons);
        }
    }

    /// The fare (roubles) of a seat on route `c` on `day`, bought on `today`.
    pub fn fare(&self, c: usize, today: i64, day: i64) -> f64 {
        self.routes
            .get(c)
            .and_then(Option::as_ref)
            .map_or(0.0, |route| {
                route.fare * (1.0 + self.fare_surge * (day - today).max(0) as f64)
            })
    }
}

/// Whether a man takes a seat `w` whole days after the first day he can
/// fly: when his patience `P ~ Gamma(k, mean/k)` (the queue's) is at least
/// `w`. Only that comparison matters, not `P` itself, so the chance is
/// tabulated once, `P(P ≥ w) = Q(k, w·k/mean)` (the regularized upper
/// incomplete gamma function), and a man draws one uniform number against it
/// instead of a gamma variable: the same law for his choice, at a tenth of
/// the cost.
#[derive(Debug, Clone)]
pub struct SeatPatience {
    /// `P(P ≥ w)` for `w` = 0, 1, … days.
    at_least: Vec<f64>,
    shape: f64,
    scale: f64,
}

impl SeatPatience {
    /// The chances for a patience of shape `shape` and mean `mean` days,
    /// tabulated for waits up to `days`.
    pub fn new(shape: f64, mean: f64, days: u32) -> Self {
        let mut table = Self {
            at_least: Vec::new(),
            shape,
            scale: mean / shape,
        };
        table.at_least = (0..=days).map(|w| table.compute(f64::from(w))).collect();
        table
    }

    fn compute(&self, days: f64) -> f64 {
        if days <= 0.0 {
            return 1.0;
        }
        // Valid parameters are checked where the patience distribution is built.
        checked_gamma_ur(self.shape, days / self.scale).unwrap_or(0.0)
    }

    /// The chance that a man waits `days` (≥ 0) days for a seat.
    pub fn waits(&self, days: i64) -> f64 {
        usize::try_from(days).map_or(1.0, |w| {
            self.at_least
                .get(w)
                .copied()
                .unwrap_or_else(|| self.compute(days as f64))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the closed forms `Q(1, x) = e^{−x}` and `Q(2, x) = e^{−x}(1 + x)`,
    /// inside and past the table.
    #[test]
    fn the_chance_of_waiting_is_the_gamma_survival_function() {
        let exponential = SeatPatience::new(1.0, 2.0, 5);
        let shape2 = SeatPatience::new(2.0, 0.54, 5);
        for w in 0..9_i64 {
            let x = w as f64 / 2.0;
            assert!((exponential.waits(w) - (-x).exp()).abs() < 1e-12, "w = {w}");
            let x = w as f64 / 0.27;
            let q = (-x).exp() * (1.0 + x);
            assert!(
                (shape2.waits(w) - q).abs() < 1e-12 * q.max(1e-300),
                "w = {w}"
            );
        }
        assert_eq!(shape2.waits(-1), 1.0);
    }

    fn ledger(free: Vec<u64>, persons: u64) -> SeatLedger {
        SeatLedger {
            routes: vec![None, Some(Route::new(10_000.0, free, persons))],
            horizon: 3,
            fare_surge: 1.0,
            persons,
        }
    }

    #[test]
    fn the_first_free_seat_is_booked_and_fares_rise_with_the_wait() {
        let mut l = ledger(vec![20, 10, 10, 10, 10, 10], 10);
        assert!(!l.is_air(0) && l.is_air(1));
        assert_eq!(l.first_free(1, 0, 0), Some(0));
        l.book(1, 0);
        l.book(1, 0);
        assert_eq!(l.first_free(1, 0, 0), Some(1), "day 0 is full");
        let big = ledger(vec![20, 10, 10, 10, 10, 10], 11);
        assert_eq!(big.first_free(1, 2, 0), None, "no flight has 11 seats");
        for day in 1..=3 {
            l.book(1, day);
        }
        assert_eq!(l.first_free(1, 0, 0), None, "sold out to the horizon");
        assert_eq!(l.first_free(1, 0, 1), Some(4), "a day later, day 4 opens");
        assert_eq!(l.fare(1, 0, 0), 10_000.0);
        assert_eq!(l.fare(1, 1, 4), 40_000.0);
        assert_eq!(l.first_free(0, 0, 0), None, "a land crossing has no seats");
    }

    /// The skip links find what a scan of the days finds, whatever the
    /// order in which days fill (random bookings on 40 days of 0 to 5
    /// bookings' worth of seats, each checked from every day).
    #[test]
    fn the_skip_links_find_the_first_open_day_as_a_scan_does() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for trial in 0..200 {
            let persons = rng.random_range(1..4u64);
            let free: Vec<u64> = (0..40).map(|_| rng.random_range(0..6) * persons).collect();
            let mut route = Route::new(1.0, free.clone(), persons);
            let mut seats = free;
            for _ in 0..120 {
                let day = rng.random_range(0..40usize);
                if let Some(open) = route.open_from(day) {
                    route.take(open, persons);
                    seats[open] = seats[open].saturating_sub(persons);
                }
                for from in 0..42 {
                    let scan = (from..seats.len()).find(|&d| seats[d] >= persons);
                    assert_eq!(
                        route.open_from(from),
                        scan,
                        "trial {trial}, from day {from}"
                    );
                }
            }
        }
    }
}
