//! The files a calibration writes into `output/<name>/calibration/`:
//!
//! - `fit.csv`: each target with the observed and simulated figures, held-out
//!   targets (out-of-sample predictions) marked;
//! - `trace.csv`: every evaluation with its restart, generation and step
//!   size, one `parameter_<path>` column a parameter, and its loss;
//! - `parameters.csv`: each parameter's fitted value, bounds and loss profile;
//! - `calibrated.toml`: the scenario with the fitted values written in place,
//!   ready to run, headed by how it was made.

use std::path::{Path, PathBuf};

use super::{Calibration, TargetFit};
use crate::calendar::Calendar;
use crate::format::format_float;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::format::{Decimals, Plain, Short};
use crate::output::{OutputError, OutputFile, Table, columns, csv_of};
use crate::scenario::ScenarioDocument;

/// The fit of each target.
pub const FIT_CSV: &str = "fit.csv";
/// Every evaluation of the search.
pub const TRACE_CSV: &str = "trace.csv";
/// Each parameter's value and loss profile.
pub const PARAMETERS_CSV: &str = "parameters.csv";
/// The scenario with the fitted values written in.
pub const CALIBRATED_TOML: &str = "calibrated.toml";

/// The text of `calibrated.toml`: the scenario with `values` written in,
/// its data paths (and what it extends) leading from `out`.
pub(super) fn calibrated_text(
    doc: &ScenarioDocument,
    values: &[(crate::scenario::ParamPath, f64)],
    out: &Path,
) -> Result<String, OutputError> {
    let toml_err = |e: String| OutputError::Io {
        path: PathBuf::from(CALIBRATED_TOML),
        source: std::io::Error::other(e),
    };
    let text = doc.rewrite(values).map_err(toml_err)?;
    Ok(doc.relocated(&text, out).map_err(toml_err)?.unwrap_or(text))
}

/// The error of formatting the CSV file `name`.
pub(super) fn csv_error(name: &str) -> impl Fn(csv::Error) -> OutputError + use<> {
    let path = PathBuf::from(name);
    move |source: csv::Error| OutputError::Csv {
        path: path.clone(),
        source,
    }
}

/// The calibration's files, in the order they are written into `out`.
/// `command` is the command line that reproduces it, quoted in
/// `calibrated.toml`, whose relative paths (its data files, the scenario it
/// extends) are rewritten to lead from `out` to the same files, so that it
/// runs where it is written.
pub fn files(
    doc: &ScenarioDocument,
    calendar: &Calendar,
    calibration: &Calibration,
    command: &str,
    out: &Path,
) -> Result<Vec<OutputFile>, OutputError> {
    let csv_err = csv_error;
    let text = calibrated_text(doc, &calibration.values(), out)?;
    Ok(vec![
        (
            FIT_CSV.to_owned(),
            fit_csv(calendar, &calibration.fits).map_err(csv_err(FIT_CSV))?,
        ),
        (
            TRACE_CSV.to_owned(),
            trace_csv(calibration).map_err(csv_err(TRACE_CSV))?,
        ),
        (
            PARAMETERS_CSV.to_owned(),
            parameters_csv(calibration).map_err(csv_err(PARAMETERS_CSV))?,
        ),
        (
            CALIBRATED_TOML.to_owned(),
            calibrated_toml(calibration, command, &text).into_bytes(),
        ),
    ])
}

/// A row of `fit.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitRow {
    /// The target's id.
    pub target: String,
    /// Its place.
    pub place: String,
    /// Its metric.
    pub metric: String,
    /// First day of its window.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// The reported figure (a value, or `low-high`).
    pub observed: String,
    /// Mean over replicates at the best point.
    pub simulated_mean: Decimals<1>,
    /// Standard deviation over replicates.
    pub simulated_sd: Decimals<1>,
    /// `ln(mean / observed)`, zero inside an interval.
    pub log_error: Decimals<4>,
    /// The target's relative tolerance.
    pub tolerance: Plain,
    /// Whether the mean is within it.
    pub within_tolerance: bool,
    /// Whether the target was held out of the fit (`--hold-out`): its
    /// simulated figures are then an out-of-sample prediction.
    pub held_out: bool,
}

/// The fixed columns of a row of `trace.csv`: a `parameter_<path>` column
/// per parameter follows, then the loss ([`TraceLoss`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TraceRow {
    /// The evaluation, from 1.
    pub evaluation: usize,
    /// The run of CMA-ES: 0, then one more per restart.
    pub restart: u32,
    /// The generation, counted across runs; 0 is the start point.
    pub generation: u32,
    /// The step size of the generation, in unit coordinates.
    pub sigma: Short,
}

/// The last column of a row of `trace.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TraceLoss {
    /// The loss at the point.
    pub loss: Decimals<6>,
}

/// A row of `parameters.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterRow {
    /// The parameter's path.
    pub parameter: String,
    /// Its fitted value.
    pub value: Short,
    /// Lower bound.
    pub lower: Short,
    /// Upper bound.
    pub upper: Short,
    /// `linear` or `log`.
    pub scale: String,
    /// `lower` or `upper` if it ended on a bound.
    pub at_bound: Option<String>,
    /// The loss at the best point.
    pub loss: Decimals<6>,
    /// The loss 5% of the range below.
    pub loss_minus_5pct: Decimals<6>,
    /// The loss 5% of the range above.
    pub loss_plus_5pct: Decimals<6>,
    /// The rise of the loss over the probe.
    pub rise: Decimals<6>,
    /// A plain-words verdict.
    pub note: String,
}

/// `fit.csv` of the fits of the targets at one point.
pub(super) fn fit_csv(calendar: &Calendar, fits: &[TargetFit]) -> Result<Vec<u8>, csv::Error> {
    csv_of(fits.iter().map(|f| {
        let t = &f.target;
        FitRow {
            target: t.id.clone(),
            place: t.place.clone(),
            metric: t.measure.metric.to_string(),
            from: calendar.date(t.measure.from),
            to: calendar.date(t.measure.to),
            observed: t.observed.to_string(),
            simulated_mean: Decimals(f.simulated_mean),
            simulated_sd: Decimals(f.simulated_sd),
            log_error: Decimals(f.log_error),
            tolerance: Plain(t.tolerance),
            within_tolerance: f.within_tolerance,
            held_out: f.held_out,
        }
    }))
}

fn trace_csv(c: &Calibration) -> Result<Vec<u8>, csv::Error> {
    let parameters = c
        .parameters
        .iter()
        .map(|p| format!("parameter_{}", p.parameter.path.column_name()));
    let header: Vec<String> = columns::<TraceRow>()
        .iter()
        .map(|c| (*c).to_owned())
        .chain(parameters)
        .chain(columns::<TraceLoss>().iter().map(|c| (*c).to_owned()))
        .collect();
    let mut table = Table::new(&header)?;
    for (i, e) in c.trace.iter().enumerate() {
        let values: Vec<Short> = e.values.iter().map(|&v| Short(v)).collect();
        let row = TraceRow {
            evaluation: i + 1,
            restart: e.restart,
            generation: e.generation,
            sigma: Short(e.sigma),
        };
        let loss = TraceLoss {
            loss: Decimals(e.loss),
        };
        table.row(&(row, values, loss))?;
    }
    table.finish()
}

fn parameters_csv(c: &Calibration) -> Result<Vec<u8>, csv::Error> {
    csv_of(c.parameters.iter().map(|p| ParameterRow {
        parameter: p.parameter.path.to_string(),
        value: Short(p.value),
        lower: Short(p.parameter.lower),
        upper: Short(p.parameter.upper),
        scale: (if p.parameter.log { "log" } else { "linear" }).to_owned(),
        at_bound: p.at_bound.map(str::to_owned),
        loss: Decimals(c.loss),
        loss_minus_5pct: Decimals(p.loss_minus),
        loss_plus_5pct: Decimals(p.loss_plus),
        rise: Decimals(p.rise),
        note: p.note.clone(),
    }))
}

fn calibrated_toml(c: &Calibration, command: &str, text: &str) -> String {
    let (o, settings) = (&c.options, &c.settings);
    let populations: Vec<String> = c.runs.iter().map(|r| r.population.to_string()).collect();
    let mut head = String::new();
    head.push_str("# Calibrated by exodus calibrate\n");
    head.push_str(&format!("#   reproduce with: {command}\n"));
    head.push_str(&format!(
        "#   budget {}, {} evaluations, {} replicates at 1:{}, seed {}, loss {:.6}\n",
        o.budget,
        c.trace.len(),
        o.replicates,
        settings.scale(),
        settings.seed(),
        c.loss
    ));
    head.push_str(&format!(
        "#   CMA-ES from sigma {}: {} run(s), population {}; stopped: {}\n",
        format_float(o.sigma),
        c.runs.len(),
        if populations.is_empty() {
            "-".to_owned()
        } else {
            populations.join(", ")
        },
        c.stopped()
    ));
    if !o.hold_out.is_empty() {
        head.push_str(&format!(
            "#   held out (not fitted; predicted in fit.csv): {}\n",
            o.hold_out.join(", ")
        ));
    }
    for p in &c.parameters {
        head.push_str(&format!(
            "#   {} = {}: {}\n",
            p.parameter.path,
            p.value_text(),
            p.note
        ));
    }
    head.push('\n');
    head + without_calibration_header(text)
}

/// The text without the header of an earlier calibration, so that headers do not pile up.
pub(super) fn without_calibration_header(text: &str) -> &str {
    if !text.starts_with("# Calibrated by exodus calibrate") {
        return text;
    }
    text.find("\n\n").map_or(text, |end| &text[end + 2..])
}
