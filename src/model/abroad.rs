//! Life abroad: men of the exodus who move on to a third country or go home,
//! and the ordinary travellers who come and go. Together they make the
//! `exits` border services count: every Russian citizen leaving a
//! destination.
//!
//! **Men of the exodus.** A man in destination `d` moves on or goes home
//! each day with the competing daily hazards `η_d`
//! (`destination.onward_per_day`) and `ρ_d` (`destination.return_per_day`):
//! he moves on with probability `p_on = 1 − e^−η_d`, goes home with
//! `(1 − p_on)(1 − e^−ρ_d)`, and stays otherwise. Since the odds are the
//! same every day, the days he stays are not drawn one by one: on the day
//! he arrives, the day of his move is drawn at once, `K` days later with
//! `K` geometric on 1, 2, … with the daily probability `q = 1 − e^−(η_d+ρ_d)`
//! of either move ([`Onward::move_day`]: `K = 1 + ⌊ln(1 − u) / ln(1 − q)⌋`,
//! so `P(K > k) = (1 − q)^k`, as with a draw each day), and on that day he
//! moves on with probability `p_on / q` and goes home otherwise
//! ([`Onward::move_of`]), which is the daily draw's choice between the two
//! given that he moves. Transit hubs have high `η_d`: Kazakhstan towards Uzbekistan
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
use crate::scenario::{Policy, PolicyKind, Scenario};

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
    /// `ln(1 − q) = −(η + ρ)` per destination: `q` the daily probability of
    /// either move.
    log_stay: Vec<f64>,
    /// `p_on / q · 2^64` per destination: he moves on, given that he moves.
    onward_share: Vec<u64>,
    /// `η` per destination, for the odds on days of a homecoming.
    onward_hazard: Vec<f64>,
    /// The homecoming: from each day on, the extra daily hazard of going home
    /// (`mobilization_end` policies), in the order of the days; empty when
    /// there is none.
    homecoming: Vec<(i64, f64)>,
    /// Cumulative shares of the next countries, per destination.
    next: Vec<Vec<(usize, f64)>>,
    /// Days to the next country, per destination (at least 1).
    days: Vec<u16>,
}

impl Onward {
    /// The onward travel of a scenario's destinations.
    pub fn new(scenario: &Scenario) -> Self {
        let destinations = scenario.destinations();
        let log_stay = destinations
            .iter()
            .map(|d| -(d.onward_per_day + d.return_per_day))
            .collect();
        let onward_share = destinations
            .iter()
            .map(|d| share_moving_on(d.onward_per_day, d.onward_per_day + d.return_per_day))
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
        Self {
            log_stay,
            onward_share,
            onward_hazard: destinations.iter().map(|d| d.onward_per_day).collect(),
            homecoming: homecoming(scenario.policies()),
            next,
            days,
        }
    }

    /// The extra daily hazard of going home on `day`.
    fn extra(&self, day: i64) -> f64 {
        self.homecoming
            .iter()
            .take_while(|&&(from, _)| from <= day)
            .last()
            .map_or(0.0, |&(_, h)| h)
    }

    /// The day a man who is in `d` on day `today` (having just arrived)
    /// moves on or goes home, by the uniform `u` in [0, 1): `today + K`, `K`
    /// geometric on 1, 2, … while the odds stay the same (see the module's
    /// comment), and the same walk through each stretch of days of one
    /// homecoming hazard after another; [`u16::MAX`], a day no run
    /// reaches, if he never moves.
    pub fn move_day(&self, d: usize, today: u32, u: f64) -> u16 {
        let log_stay = self.log_stay.get(d).copied().unwrap_or(0.0);
        if log_stay.is_nan() {
            return u16::MAX;
        }
        // The exponential "distance" E = −ln(1 − u) ≥ 0 to the move, walked
        // through stretches of constant daily hazard: a stretch of `n` days at
        // hazard `λ` takes the move if ⌊E/λ⌋ < n, else uses up `n·λ` of it.
        let mut distance = -(-u).ln_1p();
        let mut first = i64::from(today) + 1;
        let mut hazard = -log_stay + self.extra(first);
        let start = first;
        for &(from, _) in self.homecoming.iter().filter(|&&(from, _)| from > start) {
            let days = (from - first) as f64;
            if hazard > 0.0 && (distance / hazard).floor() < days {
                break;
            }
            distance -= hazard * days;
            first = from;
            hazard = -log_stay + self.extra(first);
        }
        if hazard.is_nan() || hazard <= 0.0 {
            return u16::MAX;
        }
        let day = first as f64 + (distance / hazard).floor();
        // Float-to-integer casts saturate.
        (day.min(f64::from(u16::MAX))) as u16
    }

    /// What a man in `d` does on `day`, the day he moves, by the uniform
    /// 64-bit `u`: he moves on with probability `p_on / q` of that day's
    /// odds, or goes home.
    pub fn move_of(&self, d: usize, day: u32, u: u64) -> Fate {
        let Some(&share) = self.onward_share.get(d) else {
            return Fate::Stays;
        };
        let extra = self.extra(i64::from(day));
        let share = if extra > 0.0 {
            let eta = self.onward_hazard.get(d).copied().unwrap_or(0.0);
            let log_stay = self.log_stay.get(d).copied().unwrap_or(0.0);
            share_moving_on(eta, -log_stay + extra)
        } else {
            share
        };
        if u < share {
            Fate::MovesOn
        } else {
            Fate::GoesHome
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

/// `p_on / q · 2^64`: the share of moves that are onward, with the daily
/// hazards `onward` of moving on and `either` of either move.
fn share_moving_on(onward: f64, either: f64) -> u64 {
    let on = -(-onward).exp_m1();
    let either = -(-either).exp_m1();
    if either > 0.0 {
        threshold(on / either)
    } else {
        0
    }
}

/// The days from which a homecoming hazard applies, with the sum of the
/// `mobilization_end` policies in force from that day: a step function,
/// constant between its steps.
fn homecoming(policies: &[Policy]) -> Vec<(i64, f64)> {
    let mut days: Vec<i64> = policies
        .iter()
        .filter(|p| matches!(p.kind, PolicyKind::MobilizationEnd { .. }))
        .flat_map(|p| [Some(p.start), p.end.map(|e| e + 1)])
        .flatten()
        .collect();
    days.sort_unstable();
    days.dedup();
    days.into_iter()
        .map(|day| {
            let hazard = policies
                .iter()
                .filter(|p| p.in_force(day))
                .map(|p| match p.kind {
                    PolicyKind::MobilizationEnd { return_per_day } => return_per_day,
                    _ => 0.0,
                })
                .sum();
            (day, hazard)
        })
        .collect()
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
            log_stay: vec![0.5f64.ln()],
            onward_share: vec![threshold(0.5)],
            onward_hazard: vec![0.2],
            homecoming: Vec::new(),
            next: vec![vec![(3, 0.6), (5, 1.0)]],
            days: vec![2],
        };
        assert_eq!(onward.next_country(0, 0.59), 3);
        assert_eq!(onward.next_country(0, 0.61), 5);
        assert_eq!(onward.travel_days(0), 2);
        assert_eq!(onward.move_of(0, 5, 0), Fate::MovesOn);
        assert_eq!(onward.move_of(0, 5, u64::MAX), Fate::GoesHome);
        assert_eq!(onward.move_of(9, 5, 0), Fate::Stays, "no such destination");
    }

    /// The day of the move drawn at once has the distribution of daily
    /// draws: `P(K = k) = (1 − q)^(k−1) q`, and moving on is `p_on / q` of
    /// the moves.
    #[test]
    fn the_day_of_a_move_is_geometric_as_with_a_draw_each_day() {
        use rand::{RngExt, SeedableRng};
        let (eta, rho) = (0.2f64, 0.1f64);
        let (on, home) = (-(-eta).exp_m1(), -(-rho).exp_m1());
        let q = on + (1.0 - on) * home;
        let onward = Onward {
            log_stay: vec![-(eta + rho)],
            onward_share: vec![threshold(on / q)],
            onward_hazard: vec![eta],
            homecoming: Vec::new(),
            next: vec![vec![(1, 1.0)]],
            days: vec![1],
        };
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 200_000;
        let mut by_day = [0u32; 8];
        let mut onward_moves = 0u32;
        for _ in 0..n {
            let day = onward.move_day(0, 10, rng.random());
            assert!(day >= 11, "he moves the day after at the earliest");
            if let Some(slot) = by_day.get_mut(usize::from(day - 11)) {
                *slot += 1;
            }
            onward_moves += u32::from(onward.move_of(0, 12, rng.random()) == Fate::MovesOn);
        }
        for (k, &count) in by_day.iter().enumerate() {
            let p = (1.0 - q).powi(k as i32) * q;
            let sd = (f64::from(n) * p * (1.0 - p)).sqrt();
            let z = (f64::from(count) - f64::from(n) * p) / sd;
            assert!(
                z.abs() < 4.5,
                "day {}: {count} of {n}, expected p {p} (z {z})",
                k + 1
            );
        }
        let share = f64::from(onward_moves) / f64::from(n);
        assert!((share - on / q).abs() < 0.005, "{share} vs {}", on / q);
        let never = Onward {
            log_stay: vec![0.0],
            ..onward
        };
        assert_eq!(never.move_day(0, 10, 0.999), u16::MAX);
    }

    /// With a homecoming from day 20, the days of the move have the
    /// distribution of daily draws with the hazard `η + ρ` before it and
    /// `η + ρ + h` from it, and the moves on its days are onward with that
    /// day's odds (a deliberately wrong walk, one that ignores the step,
    /// fails the days after it).
    #[test]
    fn a_homecoming_raises_the_odds_of_going_home_from_its_day() {
        use rand::{RngExt, SeedableRng};
        let (eta, rho, extra) = (0.05f64, 0.02f64, 0.2f64);
        let onward = Onward {
            log_stay: vec![-(eta + rho)],
            onward_share: vec![share_moving_on(eta, eta + rho)],
            onward_hazard: vec![eta],
            homecoming: vec![(20, extra)],
            next: vec![vec![(1, 1.0)]],
            days: vec![1],
        };
        let survive = |k: i64| -> f64 {
            // P(no move on days 11 ..= 10 + k)
            let before = k.min(9) as f64;
            let after = (k - 9).max(0) as f64;
            (-(eta + rho) * before - (eta + rho + extra) * after).exp()
        };
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let n = 200_000;
        let mut by_day = [0u32; 16];
        let mut late_onward = 0u32;
        let mut late = 0u32;
        for _ in 0..n {
            let day = onward.move_day(0, 10, rng.random());
            assert!(day >= 11);
            if let Some(slot) = by_day.get_mut(usize::from(day - 11)) {
                *slot += 1;
            }
            if day >= 20 {
                late += 1;
                late_onward +=
                    u32::from(onward.move_of(0, u32::from(day), rng.random()) == Fate::MovesOn);
            }
        }
        for (k, &count) in by_day.iter().enumerate() {
            let p = survive(k as i64) - survive(k as i64 + 1);
            let sd = (f64::from(n) * p * (1.0 - p)).sqrt();
            let z = (f64::from(count) - f64::from(n) * p) / sd;
            // 16 checks at 4.5 standard errors: a false alarm about 1 in 10,000 runs.
            assert!(
                z.abs() < 4.5,
                "day {}: {count} of {n}, expected p {p} (z {z})",
                k + 11
            );
        }
        let on = -(-eta).exp_m1();
        let either = -(-(eta + rho + extra)).exp_m1();
        let share = f64::from(late_onward) / f64::from(late);
        assert!(
            (share - on / either).abs() < 0.01,
            "{share} vs {}",
            on / either
        );
    }
}
