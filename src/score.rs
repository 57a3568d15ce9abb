//! `exodus score`: a finished run against observed figures.
//!
//! The observed figures come in a CSV in the format of `reported-2022.csv`:
//! columns `id, date_from, date_to, place, metric, value`, optionally `low`
//! and `high` for an interval; other columns are ignored, and if a `kind`
//! column exists only its `target`, `heldout` and `queue` rows (queues and
//! waits, scored as checks) are scored. Each figure
//! is measured in the run exactly as a calibration target is
//! ([`crate::metrics`]).
//!
//! A file is scored as far as the run allows. A figure the run cannot
//! measure (its window lies outside the run's dates, its place is not one
//! of the run's, or its metric is unknown) is skipped, with its reason, and
//! left out of the summary; only a file whose figures can none of them be
//! scored is refused. What is wrong with the file itself (a bad number or
//! date, a missing column, an interval with `low > high`, a window that
//! ends before it starts, `drafted` anywhere but `national`) stays an
//! error that names its line.
//!
//! Which figures a run can measure depends only on its dates and places
//! ([`RunPlaces`]), so [`plan`] settles it once for every run of a scenario
//! (`exodus validate` plans before it runs its replicates) and [`score`]
//! measures one run as planned.
//!
//! Summary metrics, over the scored figures:
//! - the median absolute log error `|ln(simulated / observed)|`;
//! - the share of figures within ±25% of the observed value;
//! - Flee's averaged relative difference over the daily rows (figures whose
//!   window is one day): for each date, `Σ|sim − obs| / Σ obs` over that
//!   date's figures, averaged over the dates.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::format::{Decimals, Plain, hex_sha256};
use crate::input_error::InputError;
use crate::metrics::{Measure, MeasureError, Metric, Observed, log_error, resolve_place};
use crate::output::OutputError;
use crate::output::rows::FigureRow;
use crate::results::RunResults;

/// One observed figure, read from a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedFigure {
    /// Its id.
    pub id: String,
    /// Its kind (`target` or `heldout`), if the file has a `kind` column.
    pub kind: Option<String>,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// The place as written.
    pub place: String,
    /// The metric as written.
    pub metric_name: String,
    /// The metric, if exodus knows it (a figure of an unknown one is skipped).
    pub metric: Option<Metric>,
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

impl ScoredFigure {
    /// The figure scored at the simulated value `simulated`.
    pub fn new(figure: ObservedFigure, simulated: f64) -> Self {
        let observed = figure.observed;
        Self {
            figure,
            simulated,
            ratio: simulated / observed.central(),
            log_error: log_error(simulated, observed),
        }
    }
}

/// Why a figure cannot be scored against a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    /// Its window is not inside the run's dates.
    OutsideRun {
        /// The run's first day.
        start: NaiveDate,
        /// The run's last day.
        end: NaiveDate,
    },
    /// Its place (or a part of it) is not a place of the run.
    UnknownPlace {
        /// What the valid places are.
        detail: String,
    },
    /// Its metric is not one exodus knows.
    UnknownMetric,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::OutsideRun { start, end } => {
                write!(f, "outside the run's dates ({start} to {end})")
            }
            Skip::UnknownPlace { .. } => f.write_str("unknown place"),
            Skip::UnknownMetric => f.write_str("unknown metric"),
        }
    }
}

/// A figure that could not be scored, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedFigure {
    /// The observed figure.
    pub figure: ObservedFigure,
    /// Why.
    pub reason: Skip,
}

/// One figure of a file against a run: scored, or skipped.
#[derive(Debug, Clone, PartialEq)]
pub enum Scoring {
    /// Measured in the run.
    Scored(ScoredFigure),
    /// Not measurable in the run.
    Skipped(SkippedFigure),
}

impl Scoring {
    /// The observed figure.
    pub fn figure(&self) -> &ObservedFigure {
        match self {
            Scoring::Scored(s) => &s.figure,
            Scoring::Skipped(s) => &s.figure,
        }
    }

    /// The scored figure, if it was scored.
    pub fn scored(&self) -> Option<&ScoredFigure> {
        match self {
            Scoring::Scored(s) => Some(s),
            Scoring::Skipped(_) => None,
        }
    }

    /// The skipped figure, if it was skipped.
    pub fn skipped(&self) -> Option<&SkippedFigure> {
        match self {
            Scoring::Scored(_) => None,
            Scoring::Skipped(s) => Some(s),
        }
    }
}

/// The summary metrics of a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Figures scored.
    pub figures: usize,
    /// Figures skipped (not in the metrics below).
    pub skipped: usize,
    /// Median of `|log error|`.
    pub median_abs_log_error: f64,
    /// Share of figures within ±25%.
    pub share_within_25pct: f64,
    /// Flee's averaged relative difference over daily figures, if any.
    pub averaged_relative_difference: Option<f64>,
    /// Daily figures behind it.
    pub daily_figures: usize,
}

/// Observed figures read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedFile {
    /// The file as given, which errors name.
    pub name: String,
    /// SHA-256 of its bytes (hex), for a manifest.
    pub sha256: String,
    /// Its figures, in its order.
    pub figures: Vec<ObservedFigure>,
}

/// Reads the observed figures of the file at `path` (see [`read_observed`]).
pub fn load_observed(path: &Path) -> Result<ObservedFile, InputError> {
    let name = path.display().to_string();
    let text = crate::input_file::read_text(path, crate::input_file::DATA_BYTES).map_err(|e| {
        InputError {
            file: name.clone(),
            line: None,
            column: None,
            key: None,
            message: format!("cannot read the observed figures: {e}"),
        }
    })?;
    let figures = read_observed(&name, &text)?;
    Ok(ObservedFile {
        sha256: hex_sha256(text.as_bytes()),
        name,
        figures,
    })
}

/// Reads observed figures; `file` names the file in errors.
pub fn read_observed(file: &str, text: &str) -> Result<Vec<ObservedFigure>, InputError> {
    let (header, rows) = crate::data::read_rows::<FigureRow>(file, text)?;
    header.require(&["id", "date_from", "date_to", "place", "metric"])?;
    let mut figures = Vec::new();
    let mut ids: Vec<(String, usize)> = Vec::new();
    for (place, row) in rows {
        let line = place.line;
        let err = |key: &str, message: String| header.error(&place, key, message);
        // Every row's id names it in `score.csv` and in `--hold-out`: it must
        // be present and unique, whatever the row's kind.
        let id = row.id.trim();
        if id.is_empty() {
            return Err(err("id", "is empty: give every figure an id".to_owned()));
        }
        if let Some((_, first)) = ids.iter().find(|(seen, _)| seen == id) {
            return Err(err(
                "id",
                format!("`{id}` is already the id of line {first}"),
            ));
        }
        ids.push((id.to_owned(), line));
        if row
            .kind
            .as_deref()
            .is_some_and(|k| !matches!(k, "target" | "heldout" | "queue"))
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
        let metric_name = row.metric.trim().to_owned();
        let metric = metric_name.parse::<Metric>().ok();
        let number = |key: &str, v: Option<Plain>| -> Result<Option<f64>, InputError> {
            match v.map(|Plain(v)| v) {
                Some(v) if !v.is_finite() || v < 0.0 => Err(err(
                    key,
                    format!("must be a finite number of 0 or more (persons), got {v}"),
                )),
                other => Ok(other),
            }
        };
        let (value, low, high) = (
            number("value", row.value)?,
            number("low", row.low)?,
            number("high", row.high)?,
        );
        if let (Some(low), Some(high)) = (low, high)
            && low > high
        {
            return Err(err("low", format!("{low} is above high ({high})")));
        }
        if let (Some(v), Some(low), Some(high)) = (value, low, high)
            && !(low..=high).contains(&v)
        {
            return Err(err(
                "value",
                format!("{v} lies outside its own interval [{low}, {high}]"),
            ));
        }
        let observed = match (value, low, high) {
            (Some(v), _, _) if v > 0.0 => Observed::Value(v),
            (None, Some(low), Some(high)) if high > 0.0 => Observed::Interval { low, high },
            _ => {
                return Err(err(
                    "value",
                    "needs a positive `value`, or `low` and `high` with low <= high".to_owned(),
                ));
            }
        };
        figures.push(ObservedFigure {
            id: id.to_owned(),
            kind: row.kind.map(|k| k.trim().to_owned()),
            from,
            to,
            place: row.place.trim().to_owned(),
            metric_name,
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
            message: "holds no figures to score: it needs a row per figure, of kind `target`, `heldout` or `queue` (or no kind)".to_owned(),
        });
    }
    Ok(figures)
}

/// What decides which figures a run can measure: its days and its places.
#[derive(Debug, Clone, Copy)]
pub struct RunPlaces<'a> {
    /// The run's days.
    pub calendar: &'a Calendar,
    /// Its destinations, in order.
    pub destinations: &'a [String],
    /// Its crossings' ids and their destinations' indices, in order.
    pub crossings: &'a [(String, usize)],
}

impl<'a> RunPlaces<'a> {
    /// The days and places of a finished run.
    pub fn of(run: &'a RunResults) -> Self {
        Self {
            calendar: &run.calendar,
            destinations: &run.destinations,
            crossings: &run.crossings,
        }
    }
}

/// How each figure is measured in a run with these days and places, in
/// the figures' order, or why it cannot be; `file` names the observed file
/// in errors. If none can be measured, that is an error saying why.
pub fn plan(
    places: RunPlaces<'_>,
    figures: &[ObservedFigure],
    file: &str,
) -> Result<Vec<Result<Measure, Skip>>, InputError> {
    let err = |f: &ObservedFigure, key: &str, message: String| InputError {
        file: file.to_owned(),
        line: Some(f.line),
        column: None,
        key: Some(key.to_owned()),
        message,
    };
    let calendar = places.calendar;
    let (start, end) = (calendar.start, calendar.end());
    let mut plans = Vec::with_capacity(figures.len());
    for f in figures {
        let Some(metric) = f.metric else {
            plans.push(Err(Skip::UnknownMetric));
            continue;
        };
        let place = match resolve_place(&f.place, places.destinations, places.crossings) {
            Ok(place) => place,
            Err(detail) => {
                plans.push(Err(Skip::UnknownPlace { detail }));
                continue;
            }
        };
        let measure = Measure {
            metric,
            place,
            from: calendar.day_of(f.from),
            to: calendar.day_of(f.to),
        };
        match measure.check(calendar.days) {
            Ok(()) => plans.push(Ok(measure)),
            Err(MeasureError::Window(_)) => plans.push(Err(Skip::OutsideRun { start, end })),
            Err(MeasureError::Place(m)) => return Err(err(f, "place", m)),
            Err(MeasureError::Reversed) => {
                return Err(err(
                    f,
                    "date_to",
                    "the window ends before it starts: date_to must be on or after date_from"
                        .to_owned(),
                ));
            }
        }
    }
    if plans.iter().all(Result::is_err) {
        let reasons: Vec<&Skip> = plans.iter().filter_map(|p| p.as_ref().err()).collect();
        return Err(nothing_scored(file, &reasons));
    }
    Ok(plans)
}

/// Scores a run against figures, in their order; `file` names the observed
/// file in errors. A figure the run cannot measure is skipped with its
/// reason; if none can be scored, that is an error saying why.
pub fn score(
    run: &RunResults,
    figures: &[ObservedFigure],
    file: &str,
) -> Result<Vec<Scoring>, InputError> {
    let plans = plan(RunPlaces::of(run), figures, file)?;
    Ok(figures
        .iter()
        .zip(plans)
        .map(|(f, plan)| match plan {
            Ok(measure) => Scoring::Scored(ScoredFigure::new(f.clone(), measure.evaluate(run))),
            Err(reason) => Scoring::Skipped(SkippedFigure {
                figure: f.clone(),
                reason,
            }),
        })
        .collect())
}

/// The error of a file none of whose figures can be scored: how many were
/// skipped for each reason.
fn nothing_scored(file: &str, skips: &[&Skip]) -> InputError {
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for skip in skips {
        let reason = skip.to_string();
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => reasons.push((reason, 1)),
        }
    }
    let reasons: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let hints: Vec<String> = skips
        .iter()
        .find_map(|s| match s {
            Skip::UnknownPlace { detail } => Some(detail.clone()),
            _ => None,
        })
        .into_iter()
        .chain(
            skips
                .iter()
                .any(|s| **s == Skip::UnknownMetric)
                .then(|| format!("the metrics are: {}", Metric::names())),
        )
        .collect();
    let mut message = format!(
        "none of its {} figures can be scored against this run: {}",
        skips.len(),
        reasons.join(", ")
    );
    for hint in hints {
        message.push_str("; ");
        message.push_str(&hint);
    }
    InputError {
        file: file.to_owned(),
        line: None,
        column: None,
        key: None,
        message,
    }
}

/// The summary metrics of the scored figures (the skipped ones are only counted).
pub fn summarize(scorings: &[Scoring]) -> Summary {
    let scored: Vec<&ScoredFigure> = scorings.iter().filter_map(Scoring::scored).collect();
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
        skipped: scorings.len() - scored.len(),
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

/// A row of [`SCORE_CSV`]: every figure of the observed file, in its order;
/// a skipped figure has no numbers.
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
    pub simulated: Option<Decimals<1>>,
    /// `simulated / observed`.
    pub ratio: Option<Decimals<4>>,
    /// `ln(simulated / observed)`, zero inside an interval.
    pub log_error: Option<Decimals<4>>,
    /// Whether the run is within ±25% of the figure.
    pub within_25pct: Option<bool>,
    /// `scored` or `skipped`.
    pub status: String,
    /// Why a figure was skipped: `outside the run's dates (START to END)`,
    /// `unknown place` or `unknown metric`.
    pub reason: String,
}

/// Writes `score.csv` into the run's folder, and lists it in the run's
/// manifest and data package.
pub fn write_csv(path: &Path, scorings: &[Scoring]) -> Result<(), OutputError> {
    let rows = scorings.iter().map(|s| {
        let f = s.figure();
        let mut row = ScoreRow {
            id: f.id.clone(),
            place: f.place.clone(),
            metric: f.metric_name.clone(),
            date_from: f.from,
            date_to: f.to,
            observed: f.observed.to_string(),
            simulated: None,
            ratio: None,
            log_error: None,
            within_25pct: None,
            status: "scored".to_owned(),
            reason: String::new(),
        };
        match s {
            Scoring::Scored(s) => {
                row.simulated = Some(Decimals(s.simulated));
                row.ratio = Some(Decimals(s.ratio));
                row.log_error = Some(Decimals(s.log_error));
                row.within_25pct = Some(within_25(s));
            }
            Scoring::Skipped(s) => {
                "skipped".clone_into(&mut row.status);
                row.reason = s.reason.to_string();
            }
        }
        row
    });
    // Listed in the run's manifest and data package, as the run's own files are.
    let bytes = crate::output::csv_of(rows).map_err(|source| OutputError::Csv {
        path: path.to_owned(),
        source,
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map_or_else(
        || SCORE_CSV.to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    crate::output::add_derived_file(dir, &name, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_reported_figures_and_skips_other_kinds() {
        let text = include_str!("../scenarios/data/reported-2022.csv");
        let figures = read_observed("reported-2022.csv", text).unwrap();
        // The `target`, `heldout` and `queue` rows; the others (baselines,
        // context) are skipped.
        assert_eq!(
            figures.len(),
            37 + 12 + 19,
            "37 `target`, 12 `heldout` and 19 `queue` rows"
        );
        assert!(
            figures
                .iter()
                .any(|f| f.id == "eu-entries-week" && f.place == "Finland+Baltic states")
        );
    }

    #[test]
    fn an_unknown_metric_is_read_and_left_for_the_run_to_skip() {
        let text =
            "id,date_from,date_to,place,metric,value\na,2022-09-21,2022-09-22,Georgia,entrys,10\n";
        let figures = read_observed("o.csv", text).unwrap();
        assert_eq!(figures[0].metric, None);
        assert_eq!(figures[0].metric_name, "entrys");
    }

    #[test]
    fn a_bad_date_is_still_an_error_with_its_line() {
        let text =
            "id,date_from,date_to,place,metric,value\na,2022-09-21,2022-09-32,Georgia,entries,10\n";
        let err = read_observed("o.csv", text).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.key.as_deref(), Some("date_to"));
    }

    #[test]
    fn absurd_figures_are_refused_with_their_line_and_column() {
        let header = "id,kind,date_from,date_to,place,metric,value,low,high\n";
        let row = "target,2022-09-21,2022-09-22,Georgia,entries";
        let cases = [
            (format!("a,{row},inf,,\n"), 2, "value", "finite"),
            (format!("a,{row},-5,,\n"), 2, "value", "0 or more"),
            (format!("a,{row},,300,100\n"), 2, "low", "above high"),
            (
                format!("a,{row},50,100,300\n"),
                2,
                "value",
                "outside its own interval",
            ),
            (
                format!("a,{row},5,,\na,{row},6,,\n"),
                3,
                "id",
                "already the id of line 2",
            ),
            (format!(",{row},5,,\n"), 2, "id", "is empty"),
        ];
        for (body, line, key, says) in cases {
            let e = read_observed("obs.csv", &format!("{header}{body}")).unwrap_err();
            assert_eq!(e.line, Some(line), "{body}: {e}");
            assert_eq!(e.key.as_deref(), Some(key), "{body}: {e}");
            assert!(e.message.contains(says), "{body}: {e}");
        }
        // The shipped file passes these checks.
        let shipped = include_str!("../scenarios/data/reported-2022.csv");
        assert!(read_observed("reported-2022.csv", shipped).is_ok());
    }
}
