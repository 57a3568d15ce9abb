//! The files a calibration writes into `output/<name>/calibration/`:
//!
//! - `fit.csv`: each target with the observed and simulated figures;
//! - `trace.csv`: every evaluation, one `parameter_<path>` column a parameter;
//! - `parameters.csv`: each parameter's fitted value, bounds and loss profile;
//! - `calibrated.toml`: the scenario with the fitted values written in place,
//!   ready to run, headed by how it was made.

use std::path::PathBuf;

use super::Calibration;
use crate::calendar::Calendar;
use crate::format::format_float;
use crate::output::{CsvBuilder, OutputError, OutputFile};
use crate::scenario::ScenarioDocument;

/// The calibration's files, in the order they are written. `command` is the
/// command line that reproduces it, quoted in `calibrated.toml`.
pub fn files(
    doc: &ScenarioDocument,
    calendar: &Calendar,
    calibration: &Calibration,
    command: &str,
) -> Result<Vec<OutputFile>, OutputError> {
    let csv_err = |name: &str| {
        let path = PathBuf::from(name);
        move |source: csv::Error| OutputError::Csv { path, source }
    };
    let text = doc
        .rewrite(&calibration.values())
        .map_err(|e| OutputError::Io {
            path: PathBuf::from("calibrated.toml"),
            source: std::io::Error::other(e),
        })?;
    Ok(vec![
        (
            "fit.csv".to_owned(),
            fit_csv(calendar, calibration).map_err(csv_err("fit.csv"))?,
        ),
        (
            "trace.csv".to_owned(),
            trace_csv(calibration).map_err(csv_err("trace.csv"))?,
        ),
        (
            "parameters.csv".to_owned(),
            parameters_csv(calibration).map_err(csv_err("parameters.csv"))?,
        ),
        (
            "calibrated.toml".to_owned(),
            calibrated_toml(calibration, command, &text).into_bytes(),
        ),
    ])
}

fn fit_csv(calendar: &Calendar, c: &Calibration) -> Result<Vec<u8>, csv::Error> {
    let mut w = CsvBuilder::new([
        "target",
        "place",
        "metric",
        "from",
        "to",
        "observed",
        "simulated_mean",
        "simulated_sd",
        "log_error",
        "tolerance",
        "within_tolerance",
    ])?;
    for f in &c.fits {
        let t = &f.target;
        w.row([
            t.id.clone(),
            t.place.clone(),
            t.measure.metric.to_string(),
            calendar.date(t.measure.from).to_string(),
            calendar.date(t.measure.to).to_string(),
            t.observed.to_string(),
            format!("{:.1}", f.simulated_mean),
            format!("{:.1}", f.simulated_sd),
            format!("{:.4}", f.log_error),
            format!("{}", t.tolerance),
            f.within_tolerance.to_string(),
        ])?;
    }
    w.finish()
}

fn trace_csv(c: &Calibration) -> Result<Vec<u8>, csv::Error> {
    let mut header = vec!["evaluation".to_owned()];
    header.extend(
        c.parameters
            .iter()
            .map(|p| format!("parameter_{}", p.parameter.path.column_name())),
    );
    header.push("loss".to_owned());
    let mut w = CsvBuilder::new(&header)?;
    for (i, e) in c.trace.iter().enumerate() {
        let mut row = vec![(i + 1).to_string()];
        row.extend(e.values.iter().map(|v| format_float(*v)));
        row.push(format!("{:.6}", e.loss));
        w.row(&row)?;
    }
    w.finish()
}

fn parameters_csv(c: &Calibration) -> Result<Vec<u8>, csv::Error> {
    let mut w = CsvBuilder::new([
        "parameter",
        "value",
        "lower",
        "upper",
        "scale",
        "at_bound",
        "loss",
        "loss_minus_5pct",
        "loss_plus_5pct",
        "rise",
        "note",
    ])?;
    for p in &c.parameters {
        w.row([
            p.parameter.path.to_string(),
            format_float(p.value),
            format_float(p.parameter.lower),
            format_float(p.parameter.upper),
            (if p.parameter.log { "log" } else { "linear" }).to_owned(),
            p.at_bound.unwrap_or("").to_owned(),
            format!("{:.6}", c.loss),
            format!("{:.6}", p.loss_minus),
            format!("{:.6}", p.loss_plus),
            format!("{:.6}", p.rise),
            p.note.clone(),
        ])?;
    }
    w.finish()
}

fn calibrated_toml(c: &Calibration, command: &str, text: &str) -> String {
    let (o, settings) = (&c.options, &c.settings);
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
    for p in &c.parameters {
        head.push_str(&format!(
            "#   {} = {}: {}\n",
            p.parameter.path,
            format_float(p.value),
            p.note
        ));
    }
    head.push('\n');
    head + without_calibration_header(text)
}

/// The text without the header of an earlier calibration, so that headers do not pile up.
fn without_calibration_header(text: &str) -> &str {
    if !text.starts_with("# Calibrated by exodus calibrate") {
        return text;
    }
    text.find("\n\n").map_or(text, |end| &text[end + 2..])
}
