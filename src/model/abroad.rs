//! Life abroad: men of the exodus who move on to a third country or go home,
//! and the ordinary travellers who come and go. Together they make the
//! `exits` border services count: every Russian citizen leaving a
//! destination.
//!
//! **Men of the exodus.** A man in destination `d` moves on or goes home
//! each day with the competing daily hazards `η_d`
//! (`destination.onward_per_day`) and `ρ_d` (`destination.return_per_day`).
//! One uniform number `u` decides: he moves on if `u < p_on = 1 − e^−η_d`,
//! goes home if `p_on ≤ u < p_on + (1 − p_on)(1 − e^−ρ_d)`, and stays
//! otherwise. Transit hubs have high `η_d`: Kazakhstan towards Uzbekistan
//! and Kyrgyzstan, Georgia towards Turkey and Armenia. The next country is
//! drawn from the destination's `onward` shares (normalised to add to 1),
//! which may name `elsewhere`, the world beyond the scenario's destinations;
//! he arrives there `onward_days` later (at least the next day), is counted
//! among its entries, and may move on again from there. A man who goes home
//! stays home for good (and can be called up).
//!
//! **Ordinary travellers.** They are a flow, not agents. Those who entered
//! by crossing `c` of destination `d` form a stock `V_c` that leaves at the
//! rate of one over the mean stay `σ_d` (`destination.stay_days`):
//!
//! ```text
//! X_c(t) = round(V_c(t) / σ_d),   V_c(t+1) = V_c(t) + E_c(t) − X_c(t),
//! V_c(0) = baseline_c · σ_d
//! ```
//!
//! so that before anything changes the exits equal the entries, as they did
//! (Georgia counted about 5,000 Russians leaving a day against 5,000-6,000
//! entering before the decree), and a fall in ordinary entries (an entry
//! ban) shows in the exits only as the travellers already there go home.
//! Ordinary travellers leave by the crossing they came by.

use crate::rng::threshold;
use crate::scenario::Scenario;

/// What a man abroad does today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// He stays where he is.
    Stays,
    /// He moves on to another country.
    MovesOn,
    /// He goes home.
    GoesHome,
}

/// Per destination: the daily odds of moving on and going home, where those
/// who move on go, and how long it takes.
#[derive(Debug, Clone)]
pub struct Onward {
    /// `(p_on · 2^64, (p_on + (1 − p_on)·p_home) · 2^64)` per destination.
    odds: Vec<(u64, u64)>,
    /// Cumulative shares of the next countries, per destination.
    next: Vec<Vec<(usize, f64)>>,
    /// Days to the next country, per destination (at least 1).
    days: Vec<u16>,
}

impl Onward {
    /// The onward travel of a scenario's destinations.
    pub fn new(scenario: &Scenario) -> Self {
        let destinations = scenario.destinations();
        let odds = destinations
            .iter()
            .map(|d| {
                let on = -(-d.onward_per_day).exp_m1();
                let home = -(-d.return_per_day).exp_m1();
                (threshold(on), threshold(on + (1.0 - on) * home))
            })
            .collect();
        let next = destinations
            .iter()
            .map(|d| {
                let mut total = 0.0;
                d.onward
                    .iter()
                    .map(|&(to, share)| {
                        total += share;
                        (to, total)
                    })
                    .collect()
            })
            .collect();
        let days = destinations
            .iter()
            .map(|d| d.onward_days.round().clamp(1.0, 60.0) as u16)
            .collect();
        Self { odds, next, days }
    }

    /// What a man in destination `d` does today, by the uniform 64-bit `u`.
    pub fn fate(&self, d: usize, u: u64) -> Fate {
        let Some(&(on, home)) = self.odds.get(d) else {
            return Fate::Stays;
        };
        if u < on {
            Fate::MovesOn
        } else if u < home {
            Fate::GoesHome
        } else {
            Fate::Stays
        }
    }

    /// The country a man moving on from `d` goes to, by the uniform `u` in
    /// [0, 1) (`d` itself if it names none, which validation prevents for
    /// any destination men move on from).
    pub fn next_country(&self, d: usize, u: f64) -> usize {
        let Some(shares) = self.next.get(d) else {
            return d;
        };
        shares
            .iter()
            .find(|&&(_, cumulative)| u < cumulative)
            .or(shares.last())
            .map_or(d, |&(to, _)| to)
    }

    /// Days from `d` to the next country.
    pub fn travel_days(&self, d: usize) -> u16 {
        self.days.get(d).copied().unwrap_or(1)
    }
}

/// The ordinary travellers in each destination, by the crossing they came by.
#[derive(Debug, Clone)]
pub struct Visitors {
    /// Persons staying, per crossing.
    stock: Vec<f64>,
    /// Mean stay (days) of the crossing's destination.
    stay: Vec<f64>,
}

impl Visitors {
    /// The steady state before the run: `baseline × stay` at each crossing.
    pub fn new(scenario: &Scenario) -> Self {
        let destinations = scenario.destinations();
        let stay: Vec<f64> = scenario
            .crossings()
            .iter()
            .map(|c| destinations[c.destination].stay_days)
            .collect();
        let stock = scenario
            .crossings()
            .iter()
            .zip(&stay)
            .map(|(c, s)| f64::from(c.baseline) * s)
            .collect();
        Self { stock, stay }
    }

    /// The day at crossing `c`: those leaving today, then those who entered
    /// today join; returns the persons leaving.
    pub fn day(&mut self, c: usize, entered: u64) -> u64 {
        let (Some(stock), Some(&stay)) = (self.stock.get_mut(c), self.stay.get(c)) else {
            return 0;
        };
        let leaving = (*stock / stay).round().min(*stock).max(0.0);
        *stock += entered as f64 - leaving;
        leaving as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitors_leave_as_they_came_in_the_steady_state_and_after_a_change() {
        let mut v = Visitors {
            stock: vec![5_000.0 * 7.0],
            stay: vec![7.0],
        };
        for _ in 0..10 {
            assert_eq!(v.day(0, 5_000), 5_000);
        }
        // Entries stop: exits fall off as the stock drains, not at once.
        let first = v.day(0, 0);
        let later = (0..13).map(|_| v.day(0, 0)).last().unwrap_or(0);
        assert_eq!(first, 5_000);
        assert!(later < first / 2 && later > 0, "{first} then {later}");
    }

    #[test]
    fn fates_and_next_countries_follow_their_odds() {
        let onward = Onward {
            odds: vec![(threshold(0.25), threshold(0.5))],
            next: vec![vec![(3, 0.6), (5, 1.0)]],
            days: vec![2],
        };
        assert_eq!(onward.fate(0, 0), Fate::MovesOn);
        assert_eq!(onward.fate(0, threshold(0.3)), Fate::GoesHome);
        assert_eq!(onward.fate(0, u64::MAX), Fate::Stays);
        assert_eq!(onward.fate(9, 0), Fate::Stays, "no such destination");
        assert_eq!(onward.next_country(0, 0.59), 3);
        assert_eq!(onward.next_country(0, 0.61), 5);
        assert_eq!(onward.travel_days(0), 2);
    }
}
