//! What a run produces, in persons (agents × scale), before it is written out.

use crate::calendar::Calendar;

/// One crossing on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CrossingDay {
    /// Men of the exodus who reached the crossing.
    pub arrived: u64,
    /// Men who entered the destination.
    pub crossed: u64,
    /// Men refused by an entry or exit ban.
    pub turned_back: u64,
    /// Men who gave up on the queue (on arrival or while waiting).
    pub gave_up: u64,
    /// Men caught by a draft office.
    pub caught: u64,
    /// Ordinary travellers who entered.
    pub baseline_entries: u64,
    /// Persons waiting at the end of the day (men and ordinary travellers).
    pub queue: u64,
    /// Mean wait in days of the persons who entered (0 when none did).
    pub mean_wait_days: f64,
}

impl CrossingDay {
    /// All entries: the exodus plus ordinary traffic, as border services count them.
    pub fn entries(&self) -> u64 {
        self.crossed + self.baseline_entries
    }
}

/// The whole country on one day. Stocks are at the end of the day; `decided`
/// and `departed` are the day's flows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NationalDay {
    /// Men who decided to leave for the first time today.
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
    /// `[day]`.
    pub national: Vec<NationalDay>,
    /// Per region.
    pub regions: Vec<RegionOutcome>,
    /// Eligible men in all.
    pub eligible: u64,
    /// Agents simulated.
    pub agents: u64,
}

impl RunResults {
    /// Exodus entries into destination `d` on day `day`.
    pub fn destination_exodus(&self, day: usize, d: usize) -> u64 {
        self.crossings
            .iter()
            .zip(&self.crossing_days[day])
            .filter(|((_, dest), _)| *dest == d)
            .map(|(_, x)| x.crossed)
            .sum()
    }

    /// Ordinary entries into destination `d` on day `day`.
    pub fn destination_baseline(&self, day: usize, d: usize) -> u64 {
        self.crossings
            .iter()
            .zip(&self.crossing_days[day])
            .filter(|((_, dest), _)| *dest == d)
            .map(|(_, x)| x.baseline_entries)
            .sum()
    }

    /// Exodus entries into destination `d` over the whole run.
    pub fn total_exodus(&self, d: usize) -> u64 {
        (0..self.national.len())
            .map(|day| self.destination_exodus(day, d))
            .sum()
    }
}
