//! The simulated window: day numbers and the dates they stand for.
//!
//! Inside exodus a day is a number (day 0 is the first simulated day), so
//! that schedules, policies and records index plainly; dates appear only
//! where people read or write them. A ground-floor type: it imports nothing
//! from the crate.

use chrono::{Days, NaiveDate};

/// The simulated window: day 0 is `start`; days are whole calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    /// Date of day 0.
    pub start: NaiveDate,
    /// Number of simulated days (`end` − `start` + 1).
    pub days: u32,
    /// Day number of the decree.
    pub decree: u32,
}

impl Calendar {
    /// The date of day `day` (which may lie outside the window).
    pub fn date(&self, day: i64) -> NaiveDate {
        let shifted = if day >= 0 {
            self.start.checked_add_days(Days::new(day.unsigned_abs()))
        } else {
            self.start.checked_sub_days(Days::new(day.unsigned_abs()))
        };
        shifted.unwrap_or(self.start)
    }

    /// The day number of `date` (negative before the start).
    pub fn day_of(&self, date: NaiveDate) -> i64 {
        (date - self.start).num_days()
    }

    /// The last simulated date.
    pub fn end(&self) -> NaiveDate {
        self.date(i64::from(self.days) - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates_round_trip() {
        let start = NaiveDate::from_ymd_opt(2022, 9, 12).unwrap();
        let calendar = Calendar {
            start,
            days: 50,
            decree: 9,
        };
        assert_eq!(calendar.end().to_string(), "2022-10-31");
        assert_eq!(calendar.date(-1).to_string(), "2022-09-11");
        assert_eq!(calendar.day_of(calendar.date(23)), 23);
    }
}
