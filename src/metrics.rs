//! Figures a run can be compared on: a metric, at a place, over a window of days.
//!
//! This is the one definition of what a simulated figure means, shared by
//! the calibration (`[[target]]` in a scenario) and by `exodus score` (an
//! observed CSV against a finished run):
//!
//! | metric | meaning over the window `from..=to` |
//! | --- | --- |
//! | `entries` | entries by Russian citizens, summed (what border services report): the exodus from Russia plus ordinary traffic at the crossings, plus, at a destination, the men of the exodus arriving from other countries |
//! | `exits` | Russian citizens leaving, summed: at a crossing, those leaving back into Russia by it (ordinary travellers, men of the exodus going home); at a destination, everyone leaving it (also men moving on to a third country) |
//! | `exodus` | men of the exodus who crossed from Russia, summed |
//! | `abroad` | men of the exodus in the destinations (`national`: anywhere abroad) at the end of `to`; destinations and `national` only |
//! | `drafted` | men drafted (at home or at the border) during the window: the stock at the end of `to` less the stock before `from`; `national` only |
//! | `queue` | persons queued at the end of the day, averaged over the window's days |
//! | `mean_wait_days` | mean wait of the persons who entered, weighted by entries |
//! | `max_daily_entries` | the largest day's entries |
//! | `stock_remaining` | `abroad` under the name reported figures use: the men of the exodus still there at the end of `to` |
//! | `queued_vehicles` | `queue` in vehicles, at [`PERSONS_PER_VEHICLE`] persons a vehicle |
//! | `wait_hours` | `mean_wait_days` in hours (a multiple of 24: the model's time step is a day) |
//!
//! The last three read reported figures in the units they were reported
//! in (`data/reported-2022.csv`), so that a count of cars or a wait in
//! hours is scored as it stands, with its conversion said here once.
//! A place is a destination, a crossing id, several of them joined by `+`
//! (`Finland+Baltic states`), or `national` (every destination).

use std::fmt;
use std::str::FromStr;

use crate::results::{CrossingDay, RunResults};

/// Persons a queued vehicle stands for, to read queues reported in
/// vehicles: hand-set, cars that carried two or three men (press reports
/// of Upper Lars, September 2022; `docs/validation.md`). A bus carries more
/// and a truck one, so a count of "vehicles of all kinds" is read the same
/// way, with the uncertainty its target's tolerance allows.
pub const PERSONS_PER_VEHICLE: f64 = 2.5;

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// Exodus plus ordinary entries.
    Entries,
    /// Russian citizens leaving.
    Exits,
    /// Exodus entries.
    Exodus,
    /// Men of the exodus there at the end of the window.
    Abroad,
    /// Men drafted during the window.
    Drafted,
    /// Persons queued at the end of the day (window mean).
    Queue,
    /// Entries-weighted mean wait in days.
    MeanWaitDays,
    /// Largest daily entries.
    MaxDailyEntries,
    /// `Abroad`, named as reported figures name it.
    StockRemaining,
    /// `Queue` in vehicles.
    QueuedVehicles,
    /// `MeanWaitDays` in hours.
    WaitHours,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 11] = [
        Metric::Entries,
        Metric::Exits,
        Metric::Exodus,
        Metric::Abroad,
        Metric::Drafted,
        Metric::Queue,
        Metric::MeanWaitDays,
        Metric::MaxDailyEntries,
        Metric::StockRemaining,
        Metric::QueuedVehicles,
        Metric::WaitHours,
    ];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Entries => "entries",
            Metric::Exits => "exits",
            Metric::Exodus => "exodus",
            Metric::Abroad => "abroad",
            Metric::Drafted => "drafted",
            Metric::Queue => "queue",
            Metric::MeanWaitDays => "mean_wait_days",
            Metric::MaxDailyEntries => "max_daily_entries",
            Metric::StockRemaining => "stock_remaining",
            Metric::QueuedVehicles => "queued_vehicles",
            Metric::WaitHours => "wait_hours",
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
    /// The whole country (every destination).
    National,
    /// Some destinations and crossings.
    Parts {
        /// Destinations named as wholes (indices).
        destinations: Vec<usize>,
        /// Crossings named by id, apart from those of the destinations (indices).
        crossings: Vec<usize>,
    },
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
    let (mut wholes, mut posts) = (Vec::new(), Vec::new());
    for part in place.split('+').map(str::trim) {
        if let Some(d) = destinations.iter().position(|d| d == part) {
            wholes.push(d);
        } else if let Some(c) = crossings.iter().position(|(id, _)| id == part) {
            posts.push(c);
        } else {
            let crossing_ids: Vec<&str> = crossings.iter().map(|(id, _)| id.as_str()).collect();
            return Err(format!(
                "`{part}` is not a place of this run; valid places are `national`, the destinations ({}), the crossings ({}), or several joined by `+`",
                destinations.join(", "),
                crossing_ids.join(", ")
            ));
        }
    }
    wholes.sort_unstable();
    wholes.dedup();
    posts.retain(|&c| !wholes.contains(&crossings[c].1));
    posts.sort_unstable();
    posts.dedup();
    Ok(Place::Parts {
        destinations: wholes,
        crossings: posts,
    })
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
        if let (Metric::Abroad | Metric::StockRemaining, Place::Parts { crossings, .. }) =
            (self.metric, &self.place)
            && !crossings.is_empty()
        {
            return Err(MeasureError::Place(format!(
                "`{}` is counted by country: use destinations or `national`, not crossings",
                self.metric
            )));
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
        let in_units = |metric: Metric| {
            Measure {
                metric,
                ..self.clone()
            }
            .evaluate(run)
        };
        match self.metric {
            Metric::StockRemaining => return in_units(Metric::Abroad),
            Metric::QueuedVehicles => return in_units(Metric::Queue) / PERSONS_PER_VEHICLE,
            Metric::WaitHours => return in_units(Metric::MeanWaitDays) * 24.0,
            _ => {}
        }
        let last = run.national.len().saturating_sub(1);
        let from = usize::try_from(self.from).unwrap_or(0).min(last);
        let to = usize::try_from(self.to).unwrap_or(0).min(last);
        let days = from..=to;
        let all: Vec<usize>;
        let (wholes, posts): (&[usize], &[usize]) = match &self.place {
            Place::National => {
                all = (0..run.destinations.len()).collect();
                (&all, &[])
            }
            Place::Parts {
                destinations,
                crossings,
            } => (destinations, crossings),
        };
        // Every crossing of the place: its destinations' and its own.
        let at = |day: usize| {
            let rows = &run.crossing_days[day];
            let of_wholes = run
                .crossings
                .iter()
                .zip(rows)
                .filter(|((_, d), _)| wholes.contains(d))
                .map(|(_, x)| x);
            of_wholes.chain(posts.iter().filter_map(move |&c| rows.get(c)))
        };
        let sum =
            |field: &dyn Fn(&CrossingDay) -> u64, day: usize| -> u64 { at(day).map(field).sum() };
        let entries = |day: usize| {
            let onward: u64 = wholes
                .iter()
                .map(|&d| run.destination_days[day][d].onward_entries)
                .sum();
            sum(&|x| x.entries, day) + onward
        };
        match self.metric {
            Metric::Entries => days.map(entries).sum::<u64>() as f64,
            Metric::Exits => days
                .map(|day| {
                    let whole: u64 = wholes.iter().map(|&d| run.destination_exits(day, d)).sum();
                    let own: u64 = posts
                        .iter()
                        .filter_map(|&c| run.crossing_days[day].get(c))
                        .map(|x| x.exits)
                        .sum();
                    whole + own
                })
                .sum::<u64>() as f64,
            Metric::Exodus => days.map(|d| sum(&|x| x.crossed, d)).sum::<u64>() as f64,
            Metric::Abroad => match self.place {
                Place::National => run.national[to].abroad as f64,
                Place::Parts { .. } => wholes
                    .iter()
                    .map(|&d| run.destination_days[to][d].abroad)
                    .sum::<u64>() as f64,
            },
            Metric::Drafted => {
                let end = run.national[to].drafted;
                let before = from.checked_sub(1).map_or(0, |d| run.national[d].drafted);
                end.saturating_sub(before) as f64
            }
            Metric::Queue => {
                let n = (to - from + 1) as f64;
                days.map(|d| sum(&|x| x.queue, d) as f64).sum::<f64>() / n
            }
            Metric::MeanWaitDays => {
                let (mut weighted, mut entries) = (0.0, 0.0);
                for d in days {
                    for x in at(d) {
                        weighted += x.mean_wait_days.unwrap_or(0.0) * x.entries as f64;
                        entries += x.entries as f64;
                    }
                }
                if entries > 0.0 {
                    weighted / entries
                } else {
                    0.0
                }
            }
            Metric::MaxDailyEntries => days.map(entries).max().unwrap_or(0) as f64,
            // Read in the units of the metrics they convert, above.
            Metric::StockRemaining | Metric::QueuedVehicles | Metric::WaitHours => 0.0,
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
        let parts = |destinations: Vec<usize>, crossings: Vec<usize>| {
            Ok(Place::Parts {
                destinations,
                crossings,
            })
        };
        assert_eq!(resolve_place("national", &dests, &xs), Ok(Place::National));
        assert_eq!(
            resolve_place("Finland", &dests, &xs),
            parts(vec![0], vec![])
        );
        assert_eq!(
            resolve_place("Finland+Baltic states", &dests, &xs),
            parts(vec![0, 1], vec![])
        );
        assert_eq!(
            resolve_place("narva+imatra", &dests, &xs),
            parts(vec![], vec![1, 2])
        );
        assert_eq!(
            resolve_place("Finland+imatra+narva", &dests, &xs),
            parts(vec![0], vec![1]),
            "a crossing of a named destination is counted once"
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
