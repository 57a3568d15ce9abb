//! Choice of crossing by multinomial logit.
//!
//! A man who sets off from origin `o` by mode `m` on day `t` considers every
//! crossing `c` that is feasible for him:
//! - his documents meet the destination's requirement;
//! - he expects the crossing open on his arrival day `t + round(days)`: no
//!   known exit ban, capacity above zero, and no known entry ban unless he is
//!   exempt;
//! - it is not the crossing he just left.
//!
//! Its utility is
//! `U = β_travel·days + β_wait·W_c + β_cost·rub/1000 + ASC_d + bonus − deterrence + β_draft·p_catch`,
//! where `W_c` is the queue he hears of (lagged by the information lag) in
//! days of capacity. He picks `c` with probability `exp U_c / Σ exp U_k` over
//! the feasible `k`. The parts that depend only on (day, origin, mode,
//! crossing) are tabulated once a day; the per-man part is a filter and a
//! draw.

use crate::model::policy::{PolicyTimeline, View};
use crate::model::travel::{Mode, Origin, TravelMatrix};
use crate::scenario::{Documents, Scenario};

/// A chosen crossing and the day he will arrive there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Crossing index.
    pub crossing: usize,
    /// Arrival day.
    pub arrival: i64,
}

/// The man-specific part of a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chooser {
    /// Where he sets off from.
    pub origin: Origin,
    /// How he travels.
    pub mode: Mode,
    /// Documents he holds.
    pub documents: Documents,
    /// His exempt rank (see [`crate::population::Agent::exempt_rank`]).
    pub exempt_rank: u8,
    /// A crossing he will not consider (the one he just left).
    pub exclude: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    /// exp(U − max U over the origin's and mode's crossings); 0 when closed for everyone.
    weight: f64,
    /// Expected arrival day.
    arrival: i64,
    /// Exempt threshold expected on arrival.
    threshold: u16,
}

/// One day's choice tables.
#[derive(Debug, Clone)]
pub struct ChoiceTable {
    crossings: usize,
    required: Vec<Documents>,
    cells: Vec<Cell>,
    travel: TravelMatrix,
}

impl ChoiceTable {
    /// An empty table for a scenario; fill it with [`ChoiceTable::update`].
    pub fn new(scenario: &Scenario) -> Self {
        let travel = TravelMatrix::new(scenario);
        let crossings = scenario.crossings().len();
        Self {
            crossings,
            required: scenario
                .crossings()
                .iter()
                .map(|c| scenario.destinations()[c.destination].documents)
                .collect(),
            cells: vec![Cell::default(); travel.origins() * Mode::COUNT * crossings],
            travel,
        }
    }

    /// Tabulates the utilities of day `today`; `observed_wait[c]` is the wait
    /// (days) that men hear of at crossing `c`.
    pub fn update(
        &mut self,
        scenario: &Scenario,
        timeline: &PolicyTimeline,
        today: i64,
        observed_wait: &[f64],
    ) {
        let beta = &scenario.choice();
        for origin in 0..self.travel.origins() {
            let from_home = origin < scenario.regions().len();
            for mode in [Mode::Car, Mode::Public] {
                let base = (origin * Mode::COUNT + mode as usize) * self.crossings;
                let mut utilities = vec![f64::NEG_INFINITY; self.crossings];
                for (c, crossing) in scenario.crossings().iter().enumerate() {
                    let days = self.travel.days(origin, mode, c);
                    let min_days = if from_home { 0 } else { 1 };
                    // Validation bounds travel to well under a year; clamp all the same.
                    let arrival = today + (days.round().clamp(0.0, 1000.0) as i64).max(min_days);
                    let seen = timeline.conditions(c, arrival, View::KnownOn(today));
                    self.cells[base + c] = Cell {
                        weight: 0.0,
                        arrival,
                        threshold: seen.exempt_threshold,
                    };
                    if seen.exit_ban || seen.capacity == 0 {
                        continue;
                    }
                    utilities[c] = beta.travel_day * days
                        + beta.wait_day * observed_wait[c]
                        + beta.cost_per_1000_rub * self.travel.rub(origin, mode, c) / 1000.0
                        + scenario.destinations()[crossing.destination].constant
                        + seen.bonus
                        - seen.deterrence
                        + beta.draft_risk * seen.catch_probability;
                }
                let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                for (c, u) in utilities.iter().enumerate() {
                    if u.is_finite() {
                        self.cells[base + c].weight = (u - max).exp();
                    }
                }
            }
        }
    }

    fn feasible(&self, cell: &Cell, c: usize, who: &Chooser) -> bool {
        cell.weight > 0.0
            && who.documents >= self.required[c]
            && u16::from(who.exempt_rank) < cell.threshold
            && who.exclude != Some(c)
    }

    fn row(&self, who: &Chooser) -> &[Cell] {
        let origin = self.travel.origin_index(who.origin);
        let base = (origin * Mode::COUNT + who.mode as usize) * self.crossings;
        &self.cells[base..base + self.crossings]
    }

    /// Choice probabilities over all crossings (zeros for infeasible ones);
    /// all zero when nothing is feasible.
    pub fn probabilities(&self, who: &Chooser) -> Vec<f64> {
        let row = self.row(who);
        let weights: Vec<f64> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if self.feasible(cell, c, who) {
                    cell.weight
                } else {
                    0.0
                }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        if total > 0.0 {
            weights.iter().map(|w| w / total).collect()
        } else {
            weights
        }
    }

    /// Draws a crossing with the uniform number `u` in [0, 1); `None` when no
    /// crossing is feasible for him.
    pub fn choose(&self, who: &Chooser, u: f64) -> Option<Choice> {
        let row = self.row(who);
        let total: f64 = row
            .iter()
            .enumerate()
            .filter(|(c, cell)| self.feasible(cell, *c, who))
            .map(|(_, cell)| cell.weight)
            .sum();
        if total <= 0.0 {
            return None;
        }
        let mut target = u * total;
        let mut last = None;
        for (c, cell) in row.iter().enumerate() {
            if !self.feasible(cell, c, who) {
                continue;
            }
            last = Some(Choice {
                crossing: c,
                arrival: cell.arrival,
            });
            target -= cell.weight;
            if target < 0.0 {
                break;
            }
        }
        last
    }
}
