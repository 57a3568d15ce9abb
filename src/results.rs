//! What a run produces, in persons (agents × scale), before it is written
//! out: a shared data type of the ground floor. The engine makes it, the
//! metrics measure it, the output writes it and reads it back, the
//! ensembles summarize it.
//!
//! [`CrossingDay`] and [`NationalDay`] are also the records of the rows of
//! `daily_crossings.csv` and `daily_national.csv`: their fields, in order,
//! are those files' columns after the date and place (see `output::rows`).

use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;

/// An optional float with three decimals, an empty cell when absent.
fn optional_fixed_3<S: serde::Serializer>(
    v: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => crate::format::Decimals::<3>(*x).serialize(serializer),
        None => serializer.serialize_none(),
    }
}

/// One crossing on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CrossingDay {
    /// Men of the exodus who reached the crossing.
    pub arrived: u64,
    /// Men who entered the destination.
    pub crossed: u64,
    /// Men refused by an entry or exit ban.
    pub turned_back: u64,
    /// Times men gave up on this crossing's queue (on arrival or while
    /// waiting): events, not men, since a man who gives up here and then at
    /// another crossing counts at each. Those who then went home are in
    /// the national `returned`.
    pub gave_up_events: u64,
    /// Men caught by a draft office.
    pub caught: u64,
    /// Ordinary travellers who entered.
    pub baseline_entries: u64,
    /// All entries, `crossed + baseline_entries`: the exodus plus ordinary
    /// traffic, as border services count them.
    pub entries: u64,
    /// Ordinary travellers who left the destination by this crossing.
    pub baseline_exits: u64,
    /// All who left the destination by this crossing back into Russia:
    /// ordinary travellers, and men of the exodus going home.
    pub exits: u64,
    /// Persons waiting at the end of the day (men and ordinary travellers).
    pub queue: u64,
    /// Mean wait in days of the persons who entered, written with three
    /// decimals; none (an empty cell) when nobody entered.
    #[serde(serialize_with = "optional_fixed_3")]
    pub mean_wait_days: Option<f64>,
}

/// The whole country on one day. Stocks are at the end of the day; `decided`
/// and `departed` are the day's flows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalDay {
    /// Men at home who decided to leave today (a refused passport applicant,
    /// at home again, counts again if he decides again).
    pub decided: u64,
    /// Men who set off from home today.
    pub departed: u64,
    /// On the way to a crossing.
    pub traveling: u64,
    /// In a queue.
    pub queued: u64,
    /// Crossed.
    pub abroad: u64,
    /// Drafted (at home or at the border).
    pub drafted: u64,
    /// Of those, caught at the border.
    pub drafted_at_border: u64,
    /// At home, wanting to leave, without a feasible crossing.
    pub stuck: u64,
    /// Went home after giving up or being turned back.
    pub returned: u64,
    /// At home (including the stuck and those awaiting a passport).
    pub at_home: u64,
    /// At home, waiting for a foreign passport.
    pub awaiting_passport: u64,
    /// Of the men abroad, those on their way from one country to another.
    pub moving_on: u64,
    /// Of the returned, those who went home from abroad.
    pub came_back: u64,
}

/// One destination on one day, beyond what its crossings count: the men of
/// the exodus who arrive from or leave for other countries, and those there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationDay {
    /// Men of the exodus who arrived from another country.
    pub onward_entries: u64,
    /// Men of the exodus who left for another country.
    pub moved_on: u64,
    /// Men of the exodus who went home.
    pub went_home: u64,
    /// Men of the exodus there at the end of the day.
    pub abroad: u64,
}

impl NationalDay {
    /// Sum of the exclusive states: must equal the eligible population.
    pub fn accounted(&self) -> u64 {
        self.at_home + self.traveling + self.queued + self.abroad + self.drafted + self.returned
    }
}

/// One region at the end of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionOutcome {
    /// ISO code.
    pub iso: String,
    /// English name.
    pub name: String,
    /// Eligible men.
    pub eligible: u64,
    /// Men abroad.
    pub left: u64,
    /// Men drafted.
    pub drafted: u64,
    /// Men abroad by destination (scenario order).
    pub left_by_destination: Vec<u64>,
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// The simulated days.
    pub calendar: Calendar,
    /// Destination names.
    pub destinations: Vec<String>,
    /// Crossing ids and their destination index.
    pub crossings: Vec<(String, usize)>,
    /// `[day][crossing]`.
    pub crossing_days: Vec<Vec<CrossingDay>>,
    /// `[day][destination]`.
    pub destination_days: Vec<Vec<DestinationDay>>,
    /// `[day]`.
    pub national: Vec<NationalDay>,
    /// Men of the exodus who moved on, over the run: (from, to, persons),
    /// destinations by index, in order.
    pub onward: Vec<(usize, usize, u64)>,
    /// Per region.
    pub regions: Vec<RegionOutcome>,
    /// Eligible men in all.
    pub eligible: u64,
    /// Agents simulated.
    pub agents: u64,
}

impl RunResults {
    /// `field` summed over the crossings into destination `d` on day `day`
    /// (e.g. `|x| x.crossed` for the exodus entries).
    pub fn destination_total(
        &self,
        day: usize,
        d: usize,
        field: impl Fn(&CrossingDay) -> u64,
    ) -> u64 {
        self.crossings
            .iter()
            .zip(&self.crossing_days[day])
            .filter(|((_, dest), _)| *dest == d)
            .map(|(_, x)| field(x))
            .sum()
    }

    /// The daily series of `field` summed over destination `d`'s crossings.
    pub fn destination_series(&self, d: usize, field: impl Fn(&CrossingDay) -> u64) -> Vec<u64> {
        (0..self.crossing_days.len())
            .map(|day| self.destination_total(day, d, &field))
            .collect()
    }

    /// The daily series of `field` at crossing `c`.
    pub fn crossing_series(&self, c: usize, field: impl Fn(&CrossingDay) -> u64) -> Vec<u64> {
        self.crossing_days
            .iter()
            .map(|day| field(&day[c]))
            .collect()
    }

    /// The daily series of the persons queued at crossing `c` at the end of
    /// each day, as numbers for statistics and charts.
    pub fn queue_series(&self, c: usize) -> Vec<f64> {
        floats(self.crossing_series(c, |x| x.queue))
    }

    /// Exodus entries into destination `d` over the whole run.
    pub fn total_exodus(&self, d: usize) -> u64 {
        self.destination_series(d, |x| x.crossed).iter().sum()
    }

    /// All entries into destination `d` on day `day`, as its border
    /// services count them: the exodus from Russia, ordinary travellers, and
    /// men of the exodus arriving from other countries.
    pub fn destination_entries(&self, day: usize, d: usize) -> u64 {
        self.destination_total(day, d, |x| x.entries) + self.destination_days[day][d].onward_entries
    }

    /// All exits from destination `d` on day `day`: ordinary travellers and
    /// men of the exodus going home or moving on.
    pub fn destination_exits(&self, day: usize, d: usize) -> u64 {
        let record = &self.destination_days[day][d];
        self.destination_total(day, d, |x| x.baseline_exits) + record.went_home + record.moved_on
    }
}

/// A series of counts as numbers, for statistics and charts (exact: every
/// count is far below 2^53).
pub fn floats(series: Vec<u64>) -> Vec<f64> {
    series.into_iter().map(|x| x as f64).collect()
}
