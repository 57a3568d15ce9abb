//! The files a Bayesian calibration writes into its folder, beside the
//! optimizer's `fit.csv` and `calibrated.toml`:
//!
//! - `posterior.csv`: the last generation's particles, `particle,weight`,
//!   one column per parameter named by its path in `[calibration]` order,
//!   and `distance`. The weights sum to 1 and every number is written in
//!   its shortest exact form, so a particle read back runs with the very
//!   values it ran with (`exodus compare --posterior` reads this file);
//! - `generations.csv`: per generation, its tolerance, acceptance rate,
//!   effective sample size, model runs and wall time (the only column that
//!   varies from run to run);
//! - `posterior_summary.csv`: per parameter, its prior, the weighted median
//!   and 90% interval, the prior's 90% interval, the ratio of their widths
//!   and a verdict;
//! - `fit.csv`: the fit of every target at the weighted medians;
//! - `calibrated.toml`: the scenario at the weighted medians, its paths
//!   relocated to run from the folder, headed by how it was made and naming
//!   `posterior.csv`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Posterior;
use super::report::{FIT_CSV, fit_csv, without_calibration_header};
use crate::calendar::Calendar;
use crate::format::{Decimals, Short, format_float};
use crate::output::{OutputError, OutputFile, Table, csv_of};
use crate::scenario::ScenarioDocument;

/// The particles of the posterior.
pub const POSTERIOR_CSV: &str = "posterior.csv";
/// The sampler's generations.
pub const GENERATIONS_CSV: &str = "generations.csv";
/// Each parameter's posterior against its prior.
pub const POSTERIOR_SUMMARY_CSV: &str = "posterior_summary.csv";
/// The scenario at the weighted medians.
const CALIBRATED_TOML: &str = super::report::CALIBRATED_TOML;

/// A row of `generations.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationRow {
    /// 0, 1, …
    pub generation: u32,
    /// Its tolerance on the distance (`inf` for generation 0).
    pub tolerance: Short,
    /// Particles over the proposals it took.
    pub acceptance_rate: Decimals<4>,
    /// Effective sample size of its weights.
    pub effective_sample_size: Decimals<1>,
    /// Model runs it made.
    pub simulations: usize,
    /// Wall time.
    pub seconds: Decimals<2>,
}

/// A row of `posterior_summary.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// The parameter's path.
    pub parameter: String,
    /// `uniform`, `normal` or `beta`.
    pub prior: String,
    /// `linear` or `log`.
    pub scale: String,
    /// Lower bound.
    pub lower: Short,
    /// Upper bound.
    pub upper: Short,
    /// Weighted median.
    pub median: Short,
    /// Weighted 5% quantile.
    pub p05: Short,
    /// Weighted 95% quantile.
    pub p95: Short,
    /// The prior's 5% quantile.
    pub prior_p05: Short,
    /// The prior's 95% quantile.
    pub prior_p95: Short,
    /// Width of the 90% interval over the prior's, in unit coordinates.
    pub width_ratio: Decimals<3>,
    /// A plain-words verdict.
    pub note: String,
}

/// The Bayesian calibration's files, in the order they are written into
/// `out`; `command` reproduces it.
pub fn posterior_files(
    doc: &ScenarioDocument,
    calendar: &Calendar,
    posterior: &Posterior,
    command: &str,
    out: &Path,
) -> Result<Vec<OutputFile>, OutputError> {
    let csv_err = super::report::csv_error;
    let text = super::report::calibrated_text(doc, &posterior.medians(), out)?;
    Ok(vec![
        (
            POSTERIOR_CSV.to_owned(),
            posterior_csv(posterior).map_err(csv_err(POSTERIOR_CSV))?,
        ),
        (
            GENERATIONS_CSV.to_owned(),
            generations_csv(posterior).map_err(csv_err(GENERATIONS_CSV))?,
        ),
        (
            POSTERIOR_SUMMARY_CSV.to_owned(),
            summary_csv(posterior).map_err(csv_err(POSTERIOR_SUMMARY_CSV))?,
        ),
        (
            FIT_CSV.to_owned(),
            fit_csv(calendar, &posterior.fits).map_err(csv_err(FIT_CSV))?,
        ),
        (
            CALIBRATED_TOML.to_owned(),
            calibrated_toml(posterior, command, &text).into_bytes(),
        ),
    ])
}

fn posterior_csv(p: &Posterior) -> Result<Vec<u8>, csv::Error> {
    let header: Vec<String> = ["particle".to_owned(), "weight".to_owned()]
        .into_iter()
        .chain(p.parameters.iter().map(|q| q.parameter.path.to_string()))
        .chain(["distance".to_owned()])
        .collect();
    let mut table = Table::new(&header)?;
    for (i, (particle, values)) in p.particles.iter().zip(&p.values).enumerate() {
        let row: Vec<String> = [i.to_string(), format!("{}", particle.weight)]
            .into_iter()
            .chain(values.iter().map(|v| format!("{v}")))
            .chain([format!("{}", particle.distance)])
            .collect();
        table.row(&row)?;
    }
    table.finish()
}

fn generations_csv(p: &Posterior) -> Result<Vec<u8>, csv::Error> {
    csv_of(p.generations.iter().map(|g| GenerationRow {
        generation: g.generation,
        tolerance: Short(g.tolerance),
        acceptance_rate: Decimals(g.acceptance),
        effective_sample_size: Decimals(g.ess),
        simulations: g.simulations,
        seconds: Decimals(g.seconds),
    }))
}

fn summary_csv(p: &Posterior) -> Result<Vec<u8>, csv::Error> {
    csv_of(p.parameters.iter().map(|q| SummaryRow {
        parameter: q.parameter.path.to_string(),
        prior: q.parameter.prior.name().to_owned(),
        scale: (if q.parameter.log { "log" } else { "linear" }).to_owned(),
        lower: Short(q.parameter.lower),
        upper: Short(q.parameter.upper),
        median: Short(q.median),
        p05: Short(q.p05),
        p95: Short(q.p95),
        prior_p05: Short(q.prior_p05),
        prior_p95: Short(q.prior_p95),
        width_ratio: Decimals(q.width_ratio),
        note: q.note.clone(),
    }))
}

fn calibrated_toml(p: &Posterior, command: &str, text: &str) -> String {
    let (o, settings) = (&p.options, &p.settings);
    let last = p.generations.last();
    let mut head = String::new();
    head.push_str("# Calibrated by exodus calibrate --method abc-smc\n");
    head.push_str(&format!("#   reproduce with: {command}\n"));
    head.push_str(&format!(
        "#   posterior: {POSTERIOR_CSV} beside this file ({} weighted particles); the values below are its weighted medians\n",
        p.particles.len()
    ));
    head.push_str(&format!(
        "#   {} generations, {} runs of {} replicate(s) at 1:{}, seed {}, last tolerance {}, effective sample size {:.1}\n",
        p.generations.len(),
        p.simulations,
        o.abc.replicates,
        settings.scale(),
        settings.seed(),
        last.map_or_else(String::new, |g| format_float(g.tolerance)),
        last.map_or(0.0, |g| g.ess),
    ));
    head.push_str(&format!("#   stopped: {}\n", p.stop));
    if !o.hold_out.is_empty() {
        head.push_str(&format!(
            "#   held out (not fitted; predicted in fit.csv): {}\n",
            o.hold_out.join(", ")
        ));
    }
    for q in &p.parameters {
        head.push_str(&format!(
            "#   {} = {} (90% interval {} to {}, {:.2} of the prior's width): {}\n",
            q.parameter.path,
            format_float(q.median),
            format_float(q.p05),
            format_float(q.p95),
            q.width_ratio,
            q.note
        ));
    }
    head.push('\n');
    head + without_calibration_header(text)
}
