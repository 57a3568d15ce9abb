//! Choice of crossing by multinomial logit.
//!
//! A man who sets off from origin `o` by mode `m` on day `t` considers every
//! crossing `c` (a land post, or an air route from an airport) that is
//! feasible for him:
//! - his documents meet the destination's requirement;
//! - he expects the crossing open on his arrival day: no known exit ban,
//!   capacity above zero, and no known entry ban unless he is exempt;
//! - for an air route, a seat is left within the booking horizon;
//! - it is not the crossing he just left.
//!
//! Its utility is
//!
//! ```text
//! U = β_travel·days + β_wait·W_c + β_cost·rub/1000 + ASC_d + bonus − deterrence
//!   + β_draft·(p_catch + c(t)·[arrival ≥ t_rumour])
//! ```
//!
//! - At a land post, `days` is the trip, he arrives on `t + round(days)`,
//!   and `W_c` is the queue he hears of (lagged by the information lag) in
//!   days of capacity.
//! - On an air route, `days` is the way to the airport (by road, or by a
//!   domestic flight when quicker), he can be there on `e = t + round(days)`,
//!   and he flies on the first day `f ≥ e` with a free seat
//!   ([`crate::model::air`]). `W_c = f − e` is the wait for that seat, and
//!   `rub` includes its fare, which rises the further ahead the flight is.
//!   Seats are seen as they are that morning: booking sites show them at
//!   once.
//! - A rumoured exit ban believed with credence `c(t)` on day `t` and
//!   expected on day `t_rumour` weighs on every crossing he would reach on or
//!   after that day as a risk `c(t)` of being stopped, valued like the risk
//!   of being caught by a draft office.
//! - Where private cars are barred (`car_ban`), a man with a car travels to
//!   that crossing as one without: by public transport, its time and cost.
//!
//! He picks `c` with probability `exp U_c / Σ exp U_k` over the feasible
//! `k`. The parts that depend only on (day, origin, mode, crossing) are
//! tabulated once a day; the per-man part is a filter and a draw.
//!
//! Men leave a crossing to choose again only where it can send them away:
//! every land post, and an airport on a day it turns men back
//! (`anyone_leaves`); the rows of the other airports, which nobody reads,
//! are left empty that day.
//!
//! **Drawing.** Most of what makes a crossing feasible for a man is known
//! when the table is made: the crossing is open, and his documents are
//! enough. So each update also lists, per origin, mode and level of
//! documents, the crossings open to those documents, with the running sum
//! of their weights. A man whom no crossing of his list turns away by his
//! exempt rank draws his crossing by a binary search of the running sums
//! (`log₂` of the list, not the whole row), the weight of a crossing he
//! excludes taken out of the sums after it; anyone else walks his list with
//! the full test. Both give `c` with
//! probability `w_c / Σ w_k` over his feasible `k`: the same distribution,
//! and, but for the rounding of a sum in the last bit, the same crossing
//! for the same `u`.

use crate::model::air::SeatLedger;
use crate::model::policy::{Conditions, OPEN, PolicyTimeline, Rumour, View};
use crate::model::travel::{Mode, Origin, TravelMatrix};
use crate::population::CohortKey;
use crate::scenario::{Documents, Scenario};

/// Days ahead for which each update remembers the conditions it has looked
/// up at each crossing (later days, rare, are looked up each time).
const SEEN_AHEAD: usize = 64;

/// A chosen crossing and the day he will arrive there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Crossing index.
    pub crossing: usize,
    /// Arrival day (for an air route, the day of the flight he expects).
    pub arrival: i64,
    /// The first day he can be there (for an air route, at the airport;
    /// for a land post, his arrival).
    pub earliest: i64,
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

impl Chooser {
    /// A man of the cohort `key`, with his exempt rank, setting off from home.
    pub fn from_home(key: &CohortKey, exempt_rank: u8) -> Self {
        Chooser {
            origin: Origin::Region(key.region),
            mode: Mode::of(key.car),
            documents: key.documents,
            exempt_rank,
            exclude: None,
        }
    }

    /// The same man choosing again as he leaves the crossing `c`.
    pub fn leaving(self, c: usize) -> Self {
        Chooser {
            origin: Origin::Crossing(c),
            exclude: Some(c),
            ..self
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    /// exp(U − max U over the origin's and mode's crossings); 0 when closed for everyone.
    weight: f64,
    /// Expected arrival day.
    arrival: i64,
    /// The first day he can be there.
    earliest: i64,
    /// Exempt threshold expected on arrival.
    threshold: u16,
}

/// What men know on the day a table is made: the queues they hear of, the
/// seats left on the flights, and the rumours.
#[derive(Debug, Clone, Copy)]
pub struct Outlook<'a> {
    /// The day.
    pub today: i64,
    /// The wait (days) men hear of at each crossing.
    pub observed_wait: &'a [f64],
    /// The seats of the air routes.
    pub seats: &'a SeatLedger,
    /// A rumoured exit ban, if any.
    pub rumour: Rumour,
}

/// Whether men can leave crossing `c` on day `today` to choose again. At a
/// land post they can (they give up in the queue); at an airport, where
/// nobody queues or gives up for want of patience, only when the post
/// turns men back today (an exit ban, or an entry ban with its exempt
/// share). The rows of the men leaving a crossing are tabulated only then:
/// for other airports they stay empty, and nobody reads them.
fn anyone_leaves(scenario: &Scenario, timeline: &PolicyTimeline, c: usize, today: i64) -> bool {
    if !scenario.crossings()[c].is_air() {
        return true;
    }
    let actual = timeline.conditions(c, today, View::Actual);
    actual.exit_ban || actual.exempt_threshold < OPEN
}

/// A crossing open to a level of documents, in a row's list.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// The weights of the list up to and including this crossing.
    cumulative: f64,
    /// Its weight.
    weight: f64,
    /// Crossing index.
    crossing: u32,
    /// Exempt threshold expected on arrival.
    threshold: u16,
}

/// Where one row's list (for one level of documents) lies in the
/// candidates, and whether an exempt rank can turn anyone away from it.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    end: u32,
    /// Some crossing of the list admits only the exempt.
    restricted: bool,
}

/// One day's choice tables.
#[derive(Debug, Clone)]
pub struct ChoiceTable {
    crossings: usize,
    required: Vec<Documents>,
    cells: Vec<Cell>,
    /// Per row (origin and mode) and level of documents, a [`Span`] of
    /// `candidates`.
    spans: Vec<Span>,
    candidates: Vec<Candidate>,
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
            spans: vec![Span::default(); travel.origins() * Mode::COUNT * Documents::ALL.len()],
            candidates: Vec::new(),
            travel,
        }
    }

    /// Tabulates the utilities of the day `outlook` describes.
    pub fn update(
        &mut self,
        scenario: &Scenario,
        timeline: &PolicyTimeline,
        outlook: &Outlook<'_>,
    ) {
        let beta = &scenario.choice();
        let today = outlook.today;
        // What men expect at each crossing on the days ahead depends on the
        // crossing and the day, not on where they come from: looked up once,
        // when first needed.
        let mut ahead: Vec<Option<Conditions>> = vec![None; self.crossings * SEEN_AHEAD];
        let mut seen = |c: usize, day: i64| -> Conditions {
            let known = |day| timeline.conditions(c, day, View::KnownOn(today));
            match usize::try_from(day - today) {
                Ok(k) if k < SEEN_AHEAD => {
                    *ahead[c * SEEN_AHEAD + k].get_or_insert_with(|| known(day))
                }
                _ => known(day),
            }
        };
        for origin in 0..self.travel.origins() {
            let from_home = origin < scenario.regions().len();
            // Back on the road after giving up, he is nowhere before tomorrow.
            let min_days = if from_home { 0 } else { 1 };
            if !from_home
                && !anyone_leaves(scenario, timeline, origin - scenario.regions().len(), today)
            {
                let rows = origin * Mode::COUNT * self.crossings
                    ..(origin + 1) * Mode::COUNT * self.crossings;
                self.cells[rows].fill(Cell::default());
                continue;
            }
            for mode in [Mode::Car, Mode::Public] {
                let base = (origin * Mode::COUNT + mode as usize) * self.crossings;
                let mut utilities = vec![f64::NEG_INFINITY; self.crossings];
                for (c, crossing) in scenario.crossings().iter().enumerate() {
                    let reach = |mode: Mode| {
                        let days = self.travel.days(origin, mode, c);
                        // Validation bounds travel to well under a year; clamp all the same.
                        let earliest =
                            today + (days.round().clamp(0.0, 1000.0) as i64).max(min_days);
                        (days, self.travel.rub(origin, mode, c), earliest)
                    };
                    let (mut days, mut rub, mut earliest) = reach(mode);
                    if mode == Mode::Car && seen(c, earliest).car_ban {
                        (days, rub, earliest) = reach(Mode::Public);
                    }
                    let (arrival, wait) = if outlook.seats.is_air(c) {
                        match outlook.seats.first_free(c, earliest, today) {
                            Some(flight) => {
                                rub += outlook.seats.fare(c, today, flight);
                                (flight, (flight - earliest) as f64)
                            }
                            None => (earliest, f64::INFINITY),
                        }
                    } else {
                        (earliest, outlook.observed_wait[c])
                    };
                    let seen = seen(c, arrival);
                    self.cells[base + c] = Cell {
                        weight: 0.0,
                        arrival,
                        earliest,
                        threshold: seen.exempt_threshold,
                    };
                    if seen.exit_ban || seen.capacity == 0 || wait.is_infinite() {
                        continue;
                    }
                    let rumoured = if arrival >= outlook.rumour.expected {
                        outlook.rumour.credence
                    } else {
                        0.0
                    };
                    utilities[c] = beta.travel_day * days
                        + beta.wait_day * wait
                        + beta.cost_per_1000_rub * rub / 1000.0
                        + scenario.destinations()[crossing.destination].constant
                        + seen.bonus
                        - seen.deterrence
                        + beta.draft_risk * (seen.catch_probability + rumoured);
                }
                let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                for (c, u) in utilities.iter().enumerate() {
                    if u.is_finite() {
                        self.cells[base + c].weight = (u - max).exp();
                    }
                }
            }
        }
        self.list_candidates();
    }

    /// Lists, per row and level of documents, the crossings open to them.
    fn list_candidates(&mut self) {
        self.candidates.clear();
        let rows = self.cells.len() / self.crossings.max(1);
        for row in 0..rows {
            let cells = &self.cells[row * self.crossings..(row + 1) * self.crossings];
            for documents in Documents::ALL {
                let start = self.candidates.len() as u32;
                let mut cumulative = 0.0;
                let mut restricted = false;
                for (c, cell) in cells.iter().enumerate() {
                    if cell.weight > 0.0 && documents >= self.required[c] {
                        cumulative += cell.weight;
                        restricted |= cell.threshold < OPEN;
                        self.candidates.push(Candidate {
                            cumulative,
                            weight: cell.weight,
                            crossing: c as u32,
                            threshold: cell.threshold,
                        });
                    }
                }
                self.spans[row * Documents::ALL.len() + documents as usize] = Span {
                    start,
                    end: self.candidates.len() as u32,
                    restricted,
                };
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

    /// Crossing `c` as it would be for him: when he would be there, if it is
    /// feasible for him at all.
    pub fn option(&self, who: &Chooser, c: usize) -> Option<Choice> {
        let cell = self.row(who).get(c)?;
        self.feasible(cell, c, who).then_some(Choice {
            crossing: c,
            arrival: cell.arrival,
            earliest: cell.earliest,
        })
    }

    /// Draws a crossing with the uniform number `u` in [0, 1); `None` when no
    /// crossing is feasible for him.
    pub fn choose(&self, who: &Chooser, u: f64) -> Option<Choice> {
        let origin = self.travel.origin_index(who.origin);
        let row = origin * Mode::COUNT + who.mode as usize;
        let span = self.spans[row * Documents::ALL.len() + who.documents as usize];
        let list = &self.candidates[span.start as usize..span.end as usize];
        let chosen = if span.restricted {
            Self::walk(list, who, u)?
        } else {
            Self::search(list, who, u)?
        };
        let cell = &self.cells[row * self.crossings + chosen];
        Some(Choice {
            crossing: chosen,
            arrival: cell.arrival,
            earliest: cell.earliest,
        })
    }

    /// The draw of [`ChoiceTable::choose`] by a binary search of a row's
    /// running sums, for a man whom no crossing of the list turns away by his
    /// rank; the crossing he excludes, if listed, is taken out of the sums
    /// after it.
    fn search(list: &[Candidate], who: &Chooser, u: f64) -> Option<usize> {
        let total = list.last()?.cumulative;
        let excluded = who
            .exclude
            .and_then(|c| list.binary_search_by_key(&c, |x| x.crossing as usize).ok());
        let Some(e) = excluded else {
            let k = list.partition_point(|x| x.cumulative <= u * total);
            return list.get(k).or(list.last()).map(|x| x.crossing as usize);
        };
        let (before, after) = (&list[..e], &list[e + 1..]);
        let rest = total - list[e].weight;
        if before.is_empty() && after.is_empty() {
            return None;
        }
        if rest <= 0.0 {
            // The others' weights vanish next to his in the rounding.
            return Self::walk(list, who, u);
        }
        let target = u * rest;
        let k = before.partition_point(|x| x.cumulative <= target);
        if let Some(x) = before.get(k) {
            return Some(x.crossing as usize);
        }
        let target = target + list[e].weight;
        let k = after.partition_point(|x| x.cumulative <= target);
        after
            .get(k)
            .or(after.last())
            .or(before.last())
            .map(|x| x.crossing as usize)
    }

    /// The draw of [`ChoiceTable::choose`] by walking a row's list with the
    /// full test of feasibility (exempt rank, excluded crossing).
    fn walk(list: &[Candidate], who: &Chooser, u: f64) -> Option<usize> {
        let admits = |x: &Candidate| {
            u16::from(who.exempt_rank) < x.threshold && who.exclude != Some(x.crossing as usize)
        };
        let total: f64 = list.iter().filter(|x| admits(x)).map(|x| x.weight).sum();
        if total <= 0.0 {
            return None;
        }
        let mut target = u * total;
        let mut last = None;
        for x in list.iter().filter(|x| admits(x)) {
            last = Some(x.crossing as usize);
            target -= x.weight;
            if target < 0.0 {
                break;
            }
        }
        last
    }
}
