//! Figures a run can be compared on: a metric, at a place, over a window of days.
//!
//! This is the one definition of what a simulated figure means, shared by
//! the calibration (`[[target]]` in a scenario) and by `exodus score` (an
//! observed CSV against a finished run):
//!
//! | metric | meaning over the window `from..=to` |
//! | --- | --- |
//! | `entries` | entries by Russian citizens: exodus plus ordinary traffic, summed (what border services report) |
//! | `exodus` | men of the exodus who crossed, summed |
//! | `drafted` | men drafted (at home or at the border) during the window: the stock at the end of `to` less the stock before `from`; `national` only |
//! | `queue` | persons queued at the end of the day, averaged over the window's days |
//! | `mean_wait_days` | mean wait of the persons who entered, weighted by entries |
//! | `max_daily_entries` | the largest day's entries |
//!
//! A place is a destination, a crossing id, several of them joined by `+`
//! (`Finland+Baltic states`), or `national` (every crossing).

use std::fmt;
use std::str::FromStr;

use crate::results::{CrossingDay, RunResults};

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// Exodus plus ordinary entries.
    Entries,
    /// Exodus entries.
    Exodus,
    /// Men drafted during the window.
    Drafted,
    /// Persons queued at the end of the day (window mean).
    Queue,
    /// Entries-weighted mean wait in days.
    MeanWaitDays,
    /// Largest daily entries.
    MaxDailyEntries,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 6] = [
        Metric::Entries,
        Metric::Exodus,
        Metric::Drafted,
        Metric::Queue,
        Metric::MeanWaitDays,
        Metric::MaxDailyEntries,
    ];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Entries => "entries",
            Metric::Exodus => "exodus",
            Metric::Drafted => "drafted",
            Metric::Queue => "queue",
            Metric::MeanWaitDays => "mean_wait_days",
            Metric::MaxDailyEntries => "max_daily_entries",
        }
    }

    /// The valid names, for messages.
    pub fn names() -> String {
        Self::ALL.map(Metric::name).join(", ")
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| format!("`{s}` is not a metric; the metrics are: {}", Self::names()))
    }
}

/// Where a figure is measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The whole country (every crossing).
    National,
    /// These crossings (indices), from destinations and crossing ids.
    Crossings(Vec<usize>),
}

/// Resolves a place against a run's destinations and crossings (id, destination index).
pub fn resolve_place(
    place: &str,
    destinations: &[String],
    crossings: &[(String, usize)],
) -> Result<Place, String> {
    if place == "national" {
        return Ok(Place::National);
    }
    let mut out = Vec::new();
    for part in place.split('+').map(str::trim) {
        if let Some(d) = destinations.iter().position(|d| d == part) {
            out.extend(
                crossings
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, dest))| *dest == d)
                    .map(|(c, _)| c),
            );
        } else if let Some(c) = crossings.iter().position(|(id, _)| id == part) {
            out.push(c);
        } else {
            let crossing_ids: Vec<&str> = crossings.iter().map(|(id, _)| id.as_str()).collect();
            return Err(format!(
                "`{part}` is not a place of this run; valid places are `national`, the destinations ({}), the crossings ({}), or several joined by `+`",
                destinations.join(", "),
                crossing_ids.join(", ")
            ));
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(Place::Crossings(out))
}

/// What is wrong with a measure, by the part at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeasureError {
    /// The place does not suit the metric.
    Place(String),
    /// The window ends before it starts.
    Reversed,
    /// The window is outside the run.
    Window(String),
}

impl fmt::Display for MeasureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MeasureError::Place(m) | MeasureError::Window(m) => f.write_str(m),
            MeasureError::Reversed => f.write_str("the window ends before it starts"),
        }
    }
}

/// A figure's definition: metric, place and window (day numbers, inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    /// What.
    pub metric: Metric,
    /// Where.
    pub place: Place,
    /// First day.
    pub from: i64,
    /// Last day.
    pub to: i64,
}

impl Measure {
    /// Checks that the measure makes sense on a run of `days` days.
    pub fn check(&self, days: u32) -> Result<(), MeasureError> {
        if self.metric == Metric::Drafted && self.place != Place::National {
            return Err(MeasureError::Place(
                "`drafted` is counted nationally only: use the place `national`".to_owned(),
            ));
        }
        if self.to < self.from {
            return Err(MeasureError::Reversed);
        }
        if self.from < 0 || self.to >= i64::from(days) {
            return Err(MeasureError::Window(
                "the window is not inside the run".to_owned(),
            ));
        }
        Ok(())
    }

    /// The simulated value in a run. The measure must have passed [`Measure::check`].
    pub fn evaluate(&self, run: &RunResults) -> f64 {
        let last = run.national.len().saturating_sub(1);
        let from = usize::try_from(self.from).unwrap_or(0).min(last);
        let to = usize::try_from(self.to).unwrap_or(0).min(last);
        let days = from..=to;
        let at = |day: usize| -> Box<dyn Iterator<Item = &CrossingDay> + '_> {
            let rows = &run.crossing_days[day];
            match &self.place {
                Place::National => Box::new(rows.iter()),
                Place::Crossings(cs) => Box::new(cs.iter().filter_map(move |&c| rows.get(c))),
            }
        };
        match self.metric {
            Metric::Entries => days.flat_map(|d| at(d).map(|x| x.entries)).sum::<u64>() as f64,
            Metric::Exodus => days.flat_map(|d| at(d).map(|x| x.crossed)).sum::<u64>() as f64,
            Metric::Drafted => {
                let end = run.national[to].drafted;
                let before = from.checked_sub(1).map_or(0, |d| run.national[d].drafted);
                end.saturating_sub(before) as f64
            }
            Metric::Queue => {
                let n = (to - from + 1) as f64;
                days.map(|d| at(d).map(|x| x.queue).sum::<u64>() as f64)
                    .sum::<f64>()
                    / n
            }
            Metric::MeanWaitDays => {
                let (mut weighted, mut entries) = (0.0, 0.0);
                for d in days {
                    for x in at(d) {
                        weighted += x.mean_wait_days * x.entries as f64;
                        entries += x.entries as f64;
                    }
                }
                if entries > 0.0 {
                    weighted / entries
                } else {
                    0.0
                }
            }
            Metric::MaxDailyEntries => days
                .map(|d| at(d).map(|x| x.entries).sum::<u64>())
                .max()
                .unwrap_or(0) as f64,
        }
    }
}

/// The signed error `ln(simulated / observed)`; an interval's error is zero
/// inside it and measured to its nearer bound outside. Non-positive values
/// are floored at 1 person so that the logarithm is defined.
pub fn log_error(simulated: f64, observed: Observed) -> f64 {
    let ln = |x: f64| x.max(1.0).ln();
    match observed {
        Observed::Value(v) => ln(simulated) - ln(v),
        Observed::Interval { low, high } => {
            if simulated < low {
                ln(simulated) - ln(low)
            } else if simulated > high {
                ln(simulated) - ln(high)
            } else {
                0.0
            }
        }
    }
}

/// An observed figure: a value, or an interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observed {
    /// A point value.
    Value(f64),
    /// A range.
    Interval {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

impl Observed {
    /// The value, or the interval's geometric midpoint.
    pub fn central(&self) -> f64 {
        match *self {
            Observed::Value(v) => v,
            Observed::Interval { low, high } => (low.max(1.0) * high.max(1.0)).sqrt(),
        }
    }
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Observed::Value(v) => write!(f, "{v}"),
            Observed::Interval { low, high } => write!(f, "{low}-{high}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_resolve_and_join() {
        let dests = vec!["Finland".to_owned(), "Baltic states".to_owned()];
        let xs = vec![
            ("vaalimaa".to_owned(), 0),
            ("narva".to_owned(), 1),
            ("imatra".to_owned(), 0),
        ];
        assert_eq!(resolve_place("national", &dests, &xs), Ok(Place::National));
        assert_eq!(
            resolve_place("Finland", &dests, &xs),
            Ok(Place::Crossings(vec![0, 2]))
        );
        assert_eq!(
            resolve_place("Finland+Baltic states", &dests, &xs),
            Ok(Place::Crossings(vec![0, 1, 2]))
        );
        assert_eq!(
            resolve_place("narva+imatra", &dests, &xs),
            Ok(Place::Crossings(vec![1, 2]))
        );
        let err = resolve_place("Norway", &dests, &xs).unwrap_err();
        assert!(
            err.contains("Finland, Baltic states") && err.contains("vaalimaa"),
            "{err}"
        );
    }

    #[test]
    fn log_errors_of_values_and_intervals() {
        assert!((log_error(110.0, Observed::Value(100.0)) - 1.1f64.ln()).abs() < 1e-12);
        let band = Observed::Interval {
            low: 90.0,
            high: 120.0,
        };
        assert_eq!(log_error(100.0, band), 0.0);
        assert!(log_error(60.0, band) < 0.0 && log_error(240.0, band) > 0.0);
        assert!((log_error(240.0, band) - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn metric_names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(m.name().parse::<Metric>(), Ok(m));
        }
        assert!(
            "entry"
                .parse::<Metric>()
                .unwrap_err()
                .contains("mean_wait_days")
        );
    }
}
