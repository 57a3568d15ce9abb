//! `exodus score`: a finished run against observed figures.
//!
//! The observed figures come in a CSV in the format of `reported-2022.csv`:
//! columns `id, date_from, date_to, place, metric, value`, optionally `low`
//! and `high` for an interval; other columns are ignored, and if a `kind`
//! column exists only its `target` and `heldout` rows are scored. Each figure
//! is measured in the run exactly as a calibration target is
//! ([`crate::metrics`]).
//!
//! Summary metrics:
//! - the median absolute log error `|ln(simulated / observed)|`;
//! - the share of figures within ±25% of the observed value;
//! - Flee's averaged relative difference over the daily rows (figures whose
//!   window is one day): for each date, `Σ|sim − obs| / Σ obs` over that
//!   date's figures, averaged over the dates.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::format::{Decimals, Plain};
use crate::input_error::InputError;
use crate::metrics::{Measure, MeasureError, Metric, Observed, log_error, resolve_place};
use crate::output::rows::FigureRow;
use crate::output::{OutputError, write_csv_file};
use crate::results::RunResults;

/// One observed figure, read from a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedFigure {
    /// Its id.
    pub id: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// The place as written.
    pub place: String,
    /// The metric.
    pub metric: Metric,
    /// The figure.
    pub observed: Observed,
    /// Its line in the file.
    pub line: usize,
}

/// One scored figure.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredFigure {
    /// The observed figure.
    pub figure: ObservedFigure,
    /// The run's value.
    pub simulated: f64,
    /// `simulated / observed` (the interval's geometric midpoint for intervals).
    pub ratio: f64,
    /// `ln(simulated / observed)`, zero inside an interval.
    pub log_error: f64,
}

/// The summary metrics of a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Figures scored.
    pub figures: usize,
    /// Median of `|log error|`.
    pub median_abs_log_error: f64,
    /// Share of figures within ±25%.
    pub share_within_25pct: f64,
    /// Flee's averaged relative difference over daily figures, if any.
    pub averaged_relative_difference: Option<f64>,
    /// Daily figures behind it.
    pub daily_figures: usize,
}

/// Reads observed figures; `file` names the file in errors.
pub fn read_observed(file: &str, text: &str) -> Result<Vec<ObservedFigure>, InputError> {
    let (header, rows) = crate::data::read_rows::<FigureRow>(file, text)?;
    header.require(&["id", "date_from", "date_to", "place", "metric"])?;
    let mut figures = Vec::new();
    for (place, row) in rows {
        let line = place.line;
        let err = |key: &str, message: String| header.error(&place, key, message);
        if row
            .kind
            .as_deref()
            .is_some_and(|k| !matches!(k, "target" | "heldout"))
        {
            continue;
        }
        let date = |key: &str, s: &str| {
            s.trim()
                .parse::<NaiveDate>()
                .map_err(|_| err(key, format!("`{s}` is not a date like 2022-09-21")))
        };
        let from = date("date_from", &row.date_from)?;
        let to = date("date_to", &row.date_to)?;
        if to < from {
            return Err(err("date_to", format!("{to} is before date_from ({from})")));
        }
        let metric: Metric = row.metric.trim().parse().map_err(|m| err("metric", m))?;
        let number = |v: Option<Plain>| v.map(|Plain(v)| v);
        let observed = match (number(row.value), number(row.low), number(row.high)) {
            (Some(v), _, _) if v > 0.0 => Observed::Value(v),
            (None, Some(low), Some(high)) if high >= low && high > 0.0 => {
                Observed::Interval { low, high }
            }
            _ => {
                return Err(err(
                    "value",
                    "needs a positive `value`, or `low` and `high` with low <= high".to_owned(),
                ));
            }
        };
        figures.push(ObservedFigure {
            id: row.id,
            from,
            to,
            place: row.place.trim().to_owned(),
            metric,
            observed,
            line,
        });
    }
    if figures.is_empty() {
        return Err(InputError {
            file: file.to_owned(),
            line: Some(1),
            column: Some(1),
            key: None,
            message: "holds no figures to score: it needs a row per figure, of kind `target` or `heldout` (or no kind)".to_owned(),
        });
    }
    Ok(figures)
}

/// Scores a run against figures; `file` names the observed file in errors.
pub fn score(
    run: &RunResults,
    figures: &[ObservedFigure],
    file: &str,
) -> Result<Vec<ScoredFigure>, InputError> {
    let err = |f: &ObservedFigure, key: &str, message: String| InputError {
        file: file.to_owned(),
        line: Some(f.line),
        column: None,
        key: Some(key.to_owned()),
        message,
    };
    figures
        .iter()
        .map(|f| {
            let place = resolve_place(&f.place, &run.destinations, &run.crossings)
                .map_err(|m| err(f, "place", m))?;
            let measure = Measure {
                metric: f.metric,
                place,
                from: run.calendar.day_of(f.from),
                to: run.calendar.day_of(f.to),
            };
            measure.check(run.calendar.days).map_err(|e| match e {
                MeasureError::Place(m) => err(f, "place", m),
                MeasureError::Reversed => err(
                    f,
                    "date_to",
                    "the window ends before it starts: date_to must be on or after date_from"
                        .to_owned(),
                ),
                MeasureError::Window(m) => {
                    let covers = format!(
                        "the run covers {} to {}",
                        run.calendar.start,
                        run.calendar.end()
                    );
                    err(f, "date_from", format!("{m}; {covers}"))
                }
            })?;
            let simulated = measure.evaluate(run);
            Ok(ScoredFigure {
                figure: f.clone(),
                simulated,
                ratio: simulated / f.observed.central(),
                log_error: log_error(simulated, f.observed),
            })
        })
        .collect()
}

/// The summary metrics of scored figures.
pub fn summarize(scored: &[ScoredFigure]) -> Summary {
    let median = crate::stats::median(scored.iter().map(|s| s.log_error.abs()).collect());
    let within = scored.iter().filter(|s| within_25(s)).count();
    let mut by_date: BTreeMap<NaiveDate, (f64, f64)> = BTreeMap::new();
    let mut daily = 0;
    for s in scored.iter().filter(|s| s.figure.from == s.figure.to) {
        daily += 1;
        let obs = s.figure.observed.central();
        let slot = by_date.entry(s.figure.from).or_default();
        slot.0 += (s.simulated - obs).abs();
        slot.1 += obs;
    }
    let ard = (!by_date.is_empty()).then(|| {
        by_date.values().map(|(diff, obs)| diff / obs).sum::<f64>() / by_date.len() as f64
    });
    Summary {
        figures: scored.len(),
        median_abs_log_error: median,
        share_within_25pct: if scored.is_empty() {
            0.0
        } else {
            within as f64 / scored.len() as f64
        },
        averaged_relative_difference: ard,
        daily_figures: daily,
    }
}

fn within_25(s: &ScoredFigure) -> bool {
    match s.figure.observed {
        Observed::Value(v) => (s.simulated / v - 1.0).abs() <= 0.25,
        Observed::Interval { low, high } => s.simulated >= 0.75 * low && s.simulated <= 1.25 * high,
    }
}

/// The file `exodus score` writes into the run's folder.
pub const SCORE_CSV: &str = "score.csv";

/// A row of [`SCORE_CSV`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    /// The figure's id.
    pub id: String,
    /// Its place.
    pub place: String,
    /// Its metric.
    pub metric: String,
    /// First day.
    pub date_from: NaiveDate,
    /// Last day.
    pub date_to: NaiveDate,
    /// The figure (a value, or `low-high`).
    pub observed: String,
    /// The run's value.
    pub simulated: Decimals<1>,
    /// `simulated / observed`.
    pub ratio: Decimals<4>,
    /// `ln(simulated / observed)`, zero inside an interval.
    pub log_error: Decimals<4>,
    /// Whether the run is within ±25% of the figure.
    pub within_25pct: bool,
}

/// Writes `score.csv`.
pub fn write_csv(path: &Path, scored: &[ScoredFigure]) -> Result<(), OutputError> {
    let rows = scored.iter().map(|s| {
        let f = &s.figure;
        ScoreRow {
            id: f.id.clone(),
            place: f.place.clone(),
            metric: f.metric.to_string(),
            date_from: f.from,
            date_to: f.to,
            observed: f.observed.to_string(),
            simulated: Decimals(s.simulated),
            ratio: Decimals(s.ratio),
            log_error: Decimals(s.log_error),
            within_25pct: within_25(s),
        }
    });
    write_csv_file(path, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_reported_figures_and_skips_other_kinds() {
        let text = include_str!("../scenarios/data/reported-2022.csv");
        let figures = read_observed("reported-2022.csv", text).unwrap();
        // The `target` and `heldout` rows; the others (baselines, context) are skipped.
        assert_eq!(figures.len(), 30, "21 `target` and 9 `heldout` rows");
        assert!(
            figures
                .iter()
                .any(|f| f.id == "eu-entries-week" && f.place == "Finland+Baltic states")
        );
    }

    #[test]
    fn bad_metric_names_the_line_and_the_valid_metrics() {
        let text =
            "id,date_from,date_to,place,metric,value\na,2022-09-21,2022-09-22,Georgia,entrys,10\n";
        let err = read_observed("o.csv", text).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("max_daily_entries"), "{}", err.message);
    }
}
