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
}

#[derive(Debug, Clone)]
struct Route {
    /// Ordinary one-way fare (roubles).
    fare: f64,
    /// Persons who can still book, per day from day 0.
    free: Vec<u64>,
}

impl SeatLedger {
    /// The seats of a scenario's air routes, none booked yet.
    pub fn new(scenario: &Scenario, timeline: &PolicyTimeline) -> Self {
        let Some(air) = scenario.air() else {
            return Self {
                routes: vec![None; scenario.crossings().len()],
                horizon: 0,
                fare_surge: 0.0,
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
                Some(Route {
                    fare: fare_rub,
                    free,
                })
            })
            .collect();
        Self {
            routes,
            horizon,
            fare_surge: air.fare_surge,
        }
    }

    /// Whether crossing `c` is an air route.
    pub fn is_air(&self, c: usize) -> bool {
        self.routes.get(c).is_some_and(Option::is_some)
    }

    /// The first day from `earliest` on with `persons` free seats on route
    /// `c`, booked on `today` (no later than `today` + the horizon).
    pub fn first_free(&self, c: usize, earliest: i64, today: i64, persons: u64) -> Option<i64> {
        let route = self.routes.get(c)?.as_ref()?;
        let first = earliest.max(today).max(0);
        let last = today + self.horizon;
        (first..=last).find(|&day| {
            usize::try_from(day)
                .ok()
                .and_then(|d| route.free.get(d))
                .is_some_and(|&free| free >= persons)
        })
    }

    /// Books `persons` seats on route `c` on `day` (which
    /// [`SeatLedger::first_free`] found free).
    pub fn book(&mut self, c: usize, day: i64, persons: u64) {
        let slot = self
            .routes
            .get_mut(c)
            .and_then(Option::as_mut)
            .and_then(|route| route.free.get_mut(usize::try_from(day).ok()?));
        if let Some(free) = slot {
            *free = free.saturating_sub(persons);
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

    fn ledger(free: Vec<u64>) -> SeatLedger {
        SeatLedger {
            routes: vec![
                None,
                Some(Route {
                    fare: 10_000.0,
                    free,
                }),
            ],
            horizon: 3,
            fare_surge: 1.0,
        }
    }

    #[test]
    fn the_first_free_seat_is_booked_and_fares_rise_with_the_wait() {
        let mut l = ledger(vec![20, 10, 10, 10, 10, 10]);
        assert!(!l.is_air(0) && l.is_air(1));
        assert_eq!(l.first_free(1, 0, 0, 10), Some(0));
        l.book(1, 0, 10);
        l.book(1, 0, 10);
        assert_eq!(l.first_free(1, 0, 0, 10), Some(1), "day 0 is full");
        assert_eq!(l.first_free(1, 2, 0, 11), None, "no flight has 11 seats");
        for day in 1..=3 {
            l.book(1, day, 10);
        }
        assert_eq!(l.first_free(1, 0, 0, 1), None, "sold out to the horizon");
        assert_eq!(
            l.first_free(1, 0, 1, 1),
            Some(4),
            "a day later, day 4 opens"
        );
        assert_eq!(l.fare(1, 0, 0), 10_000.0);
        assert_eq!(l.fare(1, 1, 4), 40_000.0);
        assert_eq!(
            l.first_free(0, 0, 0, 1),
            None,
            "a land crossing has no seats"
        );
    }
}
