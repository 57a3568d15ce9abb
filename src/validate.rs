//! `exodus validate`: a scenario against reported figures, with an
//! ensemble, so that each figure is compared not only with the mean of the
//! runs but with the spread of single runs.
//!
//! The scenario runs `R` replicates (an [`Ensemble`] of one member, seeds
//! `replicate_seed(master, r)`), and each observed figure is measured in
//! every replicate exactly as `exodus score` measures it in one run
//! ([`crate::score::plan`], [`Measure::evaluate`]); a figure the runs cannot
//! measure is skipped with the same reasons. Over the replicates' values
//! `x₁ … x_R` of a figure this module reports ([`Spread`]):
//!
//! - the mean and standard deviation;
//! - the 5% and 95% quantiles (type 7, see [`crate::stats`]), which bound
//!   a 90% *predictive band*: where the value of one more run would fall
//!   nine times in ten. A reported figure is one realisation of the
//!   process, so it is this band, not the much narrower confidence interval
//!   of the mean, that it should fall in if the model is right;
//! - the log error of the mean, `ln(mean / observed)` (zero inside an
//!   observed interval, [`crate::metrics::log_error`]), and the relative
//!   difference `|mean − observed| / observed` (for an interval, its
//!   geometric midpoint);
//! - whether the observation lies in the band (an interval: whether it
//!   overlaps the band).
//!
//! The summary, over the measured figures, and again for each kind of
//! figure when the file has several (`target`, `heldout`): the median
//! absolute log error (as `exodus score`, [`crate::score::summarize`]), the
//! mean relative difference (Flee's ARD, here over every figure) and the
//! share of observations inside their band.
//!
//! Beside the figures, the daily series `entries`, `exodus_entries` and
//! `exits` of every destination and `national`, each day's value being the
//! one-day figure of that metric ([`Metric::Entries`], [`Metric::Exodus`],
//! [`Metric::Exits`]), with their mean and 5% and 95% quantiles day by day:
//! the band that `exodus plot` draws around the reported points.
//!
//! The replicates run in parallel and come back in replicate order, so the
//! files are the same for any number of threads.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::engine::EngineError;
use crate::ensemble::{Ensemble, Job};
use crate::format::Decimals;
use crate::input_error::InputError;
use crate::metrics::{Measure, Metric, Observed, Place, log_error};
use crate::output::csv_of;
use crate::results::RunResults;
use crate::scenario::Scenario;
use crate::score::{
    ObservedFigure, RunPlaces, ScoredFigure, Scoring, Skip, SkippedFigure, Summary,
};
use crate::settings::RunSettings;
use crate::stats::Spread;

/// The figures' file that `exodus validate` writes.
pub const VALIDATION_CSV: &str = "validation.csv";

/// The daily series' file that `exodus validate` writes (and `exodus plot` draws).
pub const VALIDATION_DAILY_CSV: &str = "validation_daily.csv";

/// The figures' paths that `exodus validate` writes (and `exodus plot`
/// draws): each figure as it stood on each day of its window.
pub const VALIDATION_PATHS_CSV: &str = "validation_paths.csv";

/// The daily series, by the names written in [`VALIDATION_DAILY_CSV`]: each
/// day's value is that day's figure of the metric.
pub const DAILY_METRICS: [(&str, Metric); 3] = [
    ("entries", Metric::Entries),
    ("exodus_entries", Metric::Exodus),
    ("exits", Metric::Exits),
];

/// The place name of the whole country in the daily series.
const NATIONAL: &str = "national";

/// The figures of an observed file, each with how a run of the scenario
/// measures it or why it cannot: settled before any run.
#[derive(Debug, Clone)]
pub struct Plan {
    figures: Vec<(ObservedFigure, Result<Measure, Skip>)>,
}

impl Plan {
    /// The figures, in the file's order.
    pub fn figures(&self) -> impl Iterator<Item = &ObservedFigure> {
        self.figures.iter().map(|(f, _)| f)
    }

    /// The measures of the figures that can be measured, in order.
    fn measures(&self) -> impl Iterator<Item = &Measure> {
        self.figures.iter().filter_map(|(_, m)| m.as_ref().ok())
    }
}

/// How runs of `scenario` measure each of `figures` (read from the file
/// named `file`); an error if none can be measured, or if a figure asks
/// for what no run can give (`drafted` at a destination, a reversed window).
pub fn plan(
    scenario: &Scenario,
    figures: Vec<ObservedFigure>,
    file: &str,
) -> Result<Plan, InputError> {
    let destinations = scenario.destination_names();
    let crossings = scenario.crossing_ids();
    let places = RunPlaces {
        calendar: scenario.calendar(),
        destinations: &destinations,
        crossings: &crossings,
    };
    let plans = crate::score::plan(places, &figures, file)?;
    Ok(Plan {
        figures: figures.into_iter().zip(plans).collect(),
    })
}

/// A scenario's `[[target]]` figures as observed figures, of kind
/// `target`, or `heldout` for the ids in `held_out`: what `exodus calibrate
/// --method abc-smc` checks its posterior-predictive bands against.
pub fn target_figures(scenario: &Scenario, held_out: &[String]) -> Vec<ObservedFigure> {
    let calendar = scenario.calendar();
    scenario
        .targets()
        .iter()
        .map(|t| {
            let kind = if held_out.contains(&t.id) {
                "heldout"
            } else {
                "target"
            };
            ObservedFigure {
                id: t.id.clone(),
                kind: Some(kind.to_owned()),
                from: calendar.date(t.measure.from),
                to: calendar.date(t.measure.to),
                place: t.place.clone(),
                metric_name: t.measure.metric.name().to_owned(),
                metric: Some(t.measure.metric),
                observed: t.observed,
                line: 0,
            }
        })
        .collect()
}

/// One figure measured in every replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureBand {
    /// The observed figure.
    pub figure: ObservedFigure,
    /// Its value in each replicate, in replicate order.
    pub values: Vec<f64>,
    /// Their mean, sd and 90% band.
    pub spread: Spread,
    /// `ln(mean / observed)`, zero inside an observed interval.
    pub log_error: f64,
    /// `|mean − observed| / observed` (the interval's geometric midpoint).
    pub relative_difference: f64,
    /// Whether the observation lies in the band (an interval: overlaps it).
    pub inside_band: bool,
}

impl FigureBand {
    /// The band of `figure` over the replicates' `values`.
    pub fn new(figure: ObservedFigure, values: Vec<f64>) -> Self {
        let spread = Spread::of(&values);
        let central = figure.observed.central();
        let inside_band = match figure.observed {
            Observed::Value(v) => spread.contains(v),
            Observed::Interval { low, high } => spread.overlaps(low, high),
        };
        Self {
            log_error: log_error(spread.mean, figure.observed),
            relative_difference: (spread.mean - central).abs() / central,
            inside_band,
            spread,
            values,
            figure,
        }
    }
}

/// One figure of the file against the ensemble: measured, or skipped.
#[derive(Debug, Clone, PartialEq)]
pub enum Validation {
    /// Measured in every replicate.
    Measured(FigureBand),
    /// Not measurable in the runs.
    Skipped(SkippedFigure),
}

impl Validation {
    /// The observed figure.
    pub fn figure(&self) -> &ObservedFigure {
        match self {
            Validation::Measured(b) => &b.figure,
            Validation::Skipped(s) => &s.figure,
        }
    }

    /// The band, if the figure was measured.
    pub fn measured(&self) -> Option<&FigureBand> {
        match self {
            Validation::Measured(b) => Some(b),
            Validation::Skipped(_) => None,
        }
    }

    /// The skipped figure, if it was skipped.
    pub fn skipped(&self) -> Option<&SkippedFigure> {
        match self {
            Validation::Measured(_) => None,
            Validation::Skipped(s) => Some(s),
        }
    }

    /// The figure scored as `exodus score` would score a run whose value
    /// is the replicates' mean.
    fn scoring(&self) -> Scoring {
        match self {
            Validation::Measured(b) => {
                Scoring::Scored(ScoredFigure::new(b.figure.clone(), b.spread.mean))
            }
            Validation::Skipped(s) => Scoring::Skipped(s.clone()),
        }
    }
}

/// A daily series over the replicates: its spread day by day.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyBand {
    /// A destination, or `national`.
    pub place: String,
    /// One of the [`DAILY_METRICS`]' names.
    pub metric: &'static str,
    /// The spread of each day's value, from day 0.
    pub days: Vec<Spread>,
}

/// The outcome of a validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The runs' days.
    pub calendar: Calendar,
    /// Replicates run.
    pub replicates: u32,
    /// Every figure of the file, in its order.
    pub figures: Vec<Validation>,
    /// The daily series: for each destination and then `national`, the
    /// [`DAILY_METRICS`] in order.
    pub daily: Vec<DailyBand>,
    /// Each measured figure's path, in the figures' order.
    pub paths: Vec<FigurePath>,
}

/// What one replicate gives: the value of each measurable figure, in
/// order, and the daily series, in the order of [`Validated::daily`].
#[derive(serde::Serialize, serde::Deserialize)]
struct Replicate {
    figures: Vec<f64>,
    daily: Vec<Vec<f64>>,
    paths: Vec<Vec<f64>>,
}

/// A figure's *path* in a run: for each day `t` of its window, the figure
/// measured over the window cut at `t` (`from..=t`): a flow's running
/// total, a stock's value on the day. Its last value is the figure.
fn path(run: &RunResults, measure: &Measure) -> Vec<f64> {
    let mut cut = measure.clone();
    (measure.from..=measure.to)
        .map(|t| {
            cut.to = t;
            cut.evaluate(run)
        })
        .collect()
}

/// A measured figure's path over the replicates: its spread day by day.
#[derive(Debug, Clone, PartialEq)]
pub struct FigurePath {
    /// The figure's id.
    pub id: String,
    /// The first day of its window.
    pub from: i64,
    /// The spread on each day of the window.
    pub days: Vec<Spread>,
}

/// The places of the daily series: each destination as a whole, then the
/// whole country.
fn daily_places(destinations: &[String]) -> Vec<(String, Place)> {
    let wholes = destinations.iter().enumerate().map(|(d, name)| {
        let place = Place::Parts {
            destinations: vec![d],
            crossings: Vec::new(),
        };
        (name.clone(), place)
    });
    wholes
        .chain([(NATIONAL.to_owned(), Place::National)])
        .collect()
}

/// The daily series of `metric` at `place` in a run: each day's one-day figure.
fn daily_series(run: &RunResults, metric: Metric, place: &Place) -> Vec<f64> {
    let mut measure = Measure {
        metric,
        place: place.clone(),
        from: 0,
        to: 0,
    };
    (0..i64::from(run.calendar.days))
        .map(|day| {
            measure.from = day;
            measure.to = day;
            measure.evaluate(run)
        })
        .collect()
}

/// Runs `replicates` replicates of `scenario` at `settings` (whose seed is
/// the master seed) and measures the planned figures and the daily series
/// in each. `progress` is told the replicates finished; `stop` cancels the
/// runs between two simulated days.
pub fn run(
    scenario: &Scenario,
    settings: &RunSettings,
    plan: &Plan,
    replicates: u32,
    progress: &(dyn Fn(usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Validated, EngineError> {
    let ensemble = Ensemble::new(settings.seed(), replicates).with_member(scenario, *settings);
    run_ensemble(scenario, ensemble, plan, replicates, progress, stop)
}

/// As [`run`], with replicate `r` run on `versions[r]`: the scenario with
/// the behaviour of the posterior's draw `r` (`exodus validate
/// --posterior`). The bands are then *posterior-predictive*: they cover
/// what the data leave unknown about the behaviour as well as the
/// Monte-Carlo noise. The versions differ from `scenario` in behaviour
/// only (its dates and places are the plan's), one per replicate.
pub fn run_drawn(
    scenario: &Scenario,
    versions: &[Scenario],
    settings: &RunSettings,
    plan: &Plan,
    progress: &(dyn Fn(usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Validated, EngineError> {
    let replicates = u32::try_from(versions.len()).unwrap_or(u32::MAX);
    let ensemble = Ensemble::new(settings.seed(), replicates)
        .with_member_per_replicate(versions.iter().collect(), *settings);
    run_ensemble(scenario, ensemble, plan, replicates, progress, stop)
}

/// Runs the ensemble's replicates of `scenario` (or of its drawn versions)
/// and gathers the figures and daily series.
fn run_ensemble(
    scenario: &Scenario,
    ensemble: Ensemble<'_>,
    plan: &Plan,
    replicates: u32,
    progress: &(dyn Fn(usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Validated, EngineError> {
    let measures: Vec<&Measure> = plan.measures().collect();
    let places = daily_places(&scenario.destination_names());
    let measure = |_: &Job<'_>, run: RunResults| Replicate {
        figures: measures.iter().map(|m| m.evaluate(&run)).collect(),
        paths: measures.iter().map(|m| path(&run, m)).collect(),
        daily: places
            .iter()
            .flat_map(|(_, place)| {
                DAILY_METRICS
                    .iter()
                    .map(|&(_, metric)| daily_series(&run, metric, place))
                    .collect::<Vec<_>>()
            })
            .collect(),
    };
    let runs = ensemble.run_all(measure, progress, stop)?;
    let paths = plan
        .figures
        .iter()
        .filter_map(|(figure, m)| m.as_ref().ok().map(|m| (figure, m)))
        .enumerate()
        .map(|(k, (figure, m))| FigurePath {
            id: figure.id.clone(),
            from: m.from,
            days: (0..=(m.to - m.from) as usize)
                .map(|t| {
                    let values: Vec<f64> = runs.iter().map(|r| r.paths[k][t]).collect();
                    Spread::of(&values)
                })
                .collect(),
        })
        .collect();
    let mut measured = 0;
    let figures = plan
        .figures
        .iter()
        .map(|(figure, m)| match m {
            Ok(_) => {
                let values = runs.iter().map(|r| r.figures[measured]).collect();
                measured += 1;
                Validation::Measured(FigureBand::new(figure.clone(), values))
            }
            Err(reason) => Validation::Skipped(SkippedFigure {
                figure: figure.clone(),
                reason: reason.clone(),
            }),
        })
        .collect();
    let calendar = *scenario.calendar();
    let keys = places.iter().flat_map(|(name, _)| {
        DAILY_METRICS
            .iter()
            .map(move |&(metric, _)| (name.clone(), metric))
    });
    let daily = keys
        .enumerate()
        .map(|(k, (place, metric))| DailyBand {
            place,
            metric,
            days: (0..calendar.days as usize)
                .map(|day| {
                    let values: Vec<f64> = runs.iter().map(|r| r.daily[k][day]).collect();
                    Spread::of(&values)
                })
                .collect(),
        })
        .collect();
    Ok(Validated {
        calendar,
        replicates,
        figures,
        daily,
        paths,
    })
}

/// The summary of some of the figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationSummary {
    /// The kind of figure summarized, or `None` for all of them.
    pub kind: Option<String>,
    /// As `exodus score` summarizes a run whose values are the replicates'
    /// means: the figures measured and skipped, the median absolute log
    /// error, ….
    pub score: Summary,
    /// The mean of `|mean − observed| / observed` over the measured figures.
    pub mean_relative_difference: f64,
    /// The share of the measured figures whose observation lies in the band.
    pub share_inside_band: f64,
}

/// The summary of all the figures, then of each kind of figure in the
/// order the file first gives them, when it has more than one kind.
pub fn summarize(figures: &[Validation]) -> Vec<ValidationSummary> {
    let mut kinds: Vec<Option<&String>> = Vec::new();
    for v in figures {
        let kind = v.figure().kind.as_ref();
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let mut summaries = vec![summary_of(None, figures.iter().collect())];
    if kinds.len() > 1 {
        for kind in kinds {
            let of_kind = figures
                .iter()
                .filter(|v| v.figure().kind.as_ref() == kind)
                .collect();
            let name = kind.cloned().unwrap_or_default();
            summaries.push(summary_of(Some(name), of_kind));
        }
    }
    summaries
}

fn summary_of(kind: Option<String>, figures: Vec<&Validation>) -> ValidationSummary {
    let scorings: Vec<Scoring> = figures.iter().map(|v| v.scoring()).collect();
    let bands: Vec<&FigureBand> = figures.iter().filter_map(|v| v.measured()).collect();
    let share = |n: usize| {
        if bands.is_empty() {
            0.0
        } else {
            n as f64 / bands.len() as f64
        }
    };
    let differences: Vec<f64> = bands.iter().map(|b| b.relative_difference).collect();
    ValidationSummary {
        kind,
        score: crate::score::summarize(&scorings),
        mean_relative_difference: crate::stats::mean(&differences),
        share_inside_band: share(bands.iter().filter(|b| b.inside_band).count()),
    }
}

/// A row of [`VALIDATION_CSV`]: every figure of the observed file, in its
/// order; a skipped figure has no simulated numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationRecord {
    /// The figure's id.
    pub id: String,
    /// Its kind (`target`, `heldout`; empty when the file has no `kind`).
    pub kind: String,
    /// Its place.
    pub place: String,
    /// Its metric.
    pub metric: String,
    /// First day.
    pub date_from: NaiveDate,
    /// Last day.
    pub date_to: NaiveDate,
    /// The figure: its value, or the interval's geometric midpoint.
    pub observed: Decimals<1>,
    /// Lower bound of an observed interval.
    pub low: Option<Decimals<1>>,
    /// Upper bound of an observed interval.
    pub high: Option<Decimals<1>>,
    /// Mean over the replicates.
    pub mean: Option<Decimals<1>>,
    /// Standard deviation over the replicates.
    pub sd: Option<Decimals<1>>,
    /// The replicates' 5% quantile: the 90% band's lower edge.
    pub p05: Option<Decimals<1>>,
    /// The replicates' 95% quantile: the band's upper edge.
    pub p95: Option<Decimals<1>>,
    /// `ln(mean / observed)`, zero inside an interval.
    pub log_error: Option<Decimals<4>>,
    /// `|mean − observed| / observed`.
    pub relative_difference: Option<Decimals<4>>,
    /// Whether the observation lies in the band (an interval: overlaps it).
    pub inside_band: Option<bool>,
    /// `scored` or `skipped`.
    pub status: String,
    /// Why a figure was skipped, as in `score.csv`.
    pub reason: String,
}

/// A row of [`VALIDATION_DAILY_CSV`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationDailyRecord {
    /// The day.
    pub date: NaiveDate,
    /// A destination, or `national`.
    pub place: String,
    /// `entries`, `exodus_entries` or `exits`.
    pub metric: String,
    /// Mean over the replicates.
    pub mean: Decimals<3>,
    /// The replicates' 5% quantile.
    pub p05: Decimals<3>,
    /// The replicates' 95% quantile.
    pub p95: Decimals<3>,
}

/// A row of [`VALIDATION_PATHS_CSV`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationPathRecord {
    /// The figure's id.
    pub id: String,
    /// A day of its window.
    pub date: NaiveDate,
    /// Mean over the replicates of the figure cut at this day.
    pub mean: Decimals<3>,
    /// The replicates' 5% quantile.
    pub p05: Decimals<3>,
    /// The replicates' 95% quantile.
    pub p95: Decimals<3>,
}

/// [`VALIDATION_PATHS_CSV`]: a [`ValidationPathRecord`] per measured figure
/// and day of its window, figure by figure.
pub fn paths_csv(validated: &Validated) -> Result<Vec<u8>, csv::Error> {
    let calendar = validated.calendar;
    let rows = validated.paths.iter().flat_map(|p| {
        p.days
            .iter()
            .enumerate()
            .map(move |(t, s)| ValidationPathRecord {
                id: p.id.clone(),
                date: calendar.date(p.from + t as i64),
                mean: Decimals(s.mean),
                p05: Decimals(s.p05),
                p95: Decimals(s.p95),
            })
    });
    csv_of(rows)
}

/// [`VALIDATION_CSV`]: a [`ValidationRecord`] per figure.
pub fn figures_csv(validated: &Validated) -> Result<Vec<u8>, csv::Error> {
    csv_of(validated.figures.iter().map(|v| {
        let f = v.figure();
        let (low, high) = match f.observed {
            Observed::Value(_) => (None, None),
            Observed::Interval { low, high } => (Some(Decimals(low)), Some(Decimals(high))),
        };
        let band = v.measured();
        let spread = |edge: fn(&Spread) -> f64| band.map(|b| Decimals(edge(&b.spread)));
        ValidationRecord {
            id: f.id.clone(),
            kind: f.kind.clone().unwrap_or_default(),
            place: f.place.clone(),
            metric: f.metric_name.clone(),
            date_from: f.from,
            date_to: f.to,
            observed: Decimals(f.observed.central()),
            low,
            high,
            mean: spread(|s| s.mean),
            sd: spread(|s| s.sd),
            p05: spread(|s| s.p05),
            p95: spread(|s| s.p95),
            log_error: band.map(|b| Decimals(b.log_error)),
            relative_difference: band.map(|b| Decimals(b.relative_difference)),
            inside_band: band.map(|b| b.inside_band),
            status: if band.is_some() { "scored" } else { "skipped" }.to_owned(),
            reason: v
                .skipped()
                .map(|s| s.reason.to_string())
                .unwrap_or_default(),
        }
    }))
}

/// [`VALIDATION_DAILY_CSV`]: a [`ValidationDailyRecord`] per day, place and
/// metric, day by day.
pub fn daily_csv(validated: &Validated) -> Result<Vec<u8>, csv::Error> {
    let calendar = validated.calendar;
    let rows = (0..calendar.days as usize).flat_map(|day| {
        let date = calendar.date(day as i64);
        validated.daily.iter().map(move |band| {
            let s = band.days.get(day).copied().unwrap_or_default();
            ValidationDailyRecord {
                date,
                place: band.place.clone(),
                metric: band.metric.to_owned(),
                mean: Decimals(s.mean),
                p05: Decimals(s.p05),
                p95: Decimals(s.p95),
            }
        })
    });
    csv_of(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(id: &str, kind: &str, observed: Observed) -> ObservedFigure {
        let day = NaiveDate::from_ymd_opt(2022, 9, 25).unwrap();
        ObservedFigure {
            id: id.to_owned(),
            kind: Some(kind.to_owned()),
            from: day,
            to: day,
            place: "Georgia".to_owned(),
            metric_name: "entries".to_owned(),
            metric: Some(Metric::Entries),
            observed,
            line: 2,
        }
    }

    #[test]
    fn a_figure_is_inside_its_band_or_not() {
        let values = vec![90.0, 100.0, 110.0, 120.0, 130.0];
        // The band of five values is [92, 128] (type 7 quantiles).
        let inside = FigureBand::new(
            figure("a", "target", Observed::Value(100.0)),
            values.clone(),
        );
        assert!((inside.spread.p05 - 92.0).abs() < 1e-9);
        assert!((inside.spread.p95 - 128.0).abs() < 1e-9);
        assert!(inside.inside_band);
        assert!((inside.log_error - 1.1f64.ln()).abs() < 1e-12);
        assert!((inside.relative_difference - 0.1).abs() < 1e-12);
        let below = FigureBand::new(figure("b", "target", Observed::Value(91.0)), values.clone());
        assert!(!below.inside_band);
        let range = Observed::Interval {
            low: 60.0,
            high: 95.0,
        };
        let overlapping = FigureBand::new(figure("c", "heldout", range), values.clone());
        assert!(overlapping.inside_band, "an interval overlapping the band");
        let apart = Observed::Interval {
            low: 130.0,
            high: 200.0,
        };
        assert!(!FigureBand::new(figure("d", "heldout", apart), values).inside_band);
    }

    #[test]
    fn summaries_are_of_all_figures_then_of_each_kind() {
        let values = vec![90.0, 100.0, 110.0, 120.0, 130.0];
        let band = |id: &str, kind: &str, v: f64| {
            Validation::Measured(FigureBand::new(
                figure(id, kind, Observed::Value(v)),
                values.clone(),
            ))
        };
        let skipped = Validation::Skipped(SkippedFigure {
            figure: figure("late", "target", Observed::Value(5.0)),
            reason: Skip::UnknownMetric,
        });
        let figures = vec![
            band("a", "target", 100.0),
            band("b", "heldout", 200.0),
            skipped,
            band("c", "target", 125.0),
        ];
        let summaries = summarize(&figures);
        let kinds: Vec<Option<&str>> = summaries.iter().map(|s| s.kind.as_deref()).collect();
        assert_eq!(kinds, [None, Some("target"), Some("heldout")]);
        let all = &summaries[0];
        assert_eq!((all.score.figures, all.score.skipped), (3, 1));
        assert!((all.share_inside_band - 2.0 / 3.0).abs() < 1e-12);
        // |110 − 100|/100, |110 − 200|/200, |110 − 125|/125.
        let ard = (0.1 + 0.45 + 0.12) / 3.0;
        assert!((all.mean_relative_difference - ard).abs() < 1e-12);
        let target = &summaries[1];
        assert_eq!((target.score.figures, target.score.skipped), (2, 1));
        assert_eq!(target.share_inside_band, 1.0);
        // The median |log error| of the means, as `exodus score` computes it.
        let expected = crate::stats::median(vec![1.1f64.ln(), (125.0f64 / 110.0).ln()]);
        assert!((target.score.median_abs_log_error - expected).abs() < 1e-12);
        assert_eq!(summaries[2].share_inside_band, 0.0);
        // One kind: the summary of all of them only.
        assert_eq!(summarize(&figures[..1]).len(), 1);
    }
}
