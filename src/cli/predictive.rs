//! The posterior-predictive check that `exodus calibrate --method abc-smc`
//! writes beside its posterior (`predictive/`): replicates of the scenario,
//! each with its behaviour drawn from the posterior just written, measured
//! against the scenario's own `[[target]]` figures (the held-out ones marked
//! `heldout`), as `exodus validate --posterior` measures a file of figures.
//! Its charts are the bands of every target's place over time with the
//! reported figures as points.

use std::path::{Path, PathBuf};

use exodus::output;
use exodus::posterior::Posterior;
use exodus::scenario::{Scenario, ScenarioDocument};
use exodus::settings::RunSettings;

use super::Failure;
use super::compare::{posterior_versions, record_posterior};
use super::validate::{outcome, validation_files};
use super::{interrupted, replicate_settings};

/// The subfolder of the calibration's folder that holds the check.
pub(crate) const PREDICTIVE_DIR: &str = "predictive";

/// Runs `replicates` replicates of the scenario of `doc` (with the `--set`
/// values `set`) under the
/// posterior in `calibration/posterior.csv` and writes the check, with its
/// charts, into `calibration/predictive`; returns the folder and the share
/// of the measured targets inside their 90% band.
pub(crate) fn posterior_predictive(
    doc: &ScenarioDocument,
    scenario: &Scenario,
    settings: &RunSettings,
    set: &[String],
    held_out: &[String],
    calibration: &Path,
    replicates: u32,
) -> Result<(PathBuf, f64), Failure> {
    let file = calibration.join(exodus::calibrate::POSTERIOR_CSV);
    let posterior = Posterior::read(&file)?;
    let figures = exodus::validate::target_figures(scenario, held_out);
    let plan = exodus::validate::plan(scenario, figures, "[[target]]")?;
    let versions = posterior_versions(&posterior, doc, replicates, settings.seed(), &[])?;
    let validated =
        exodus::validate::run_drawn(scenario, &versions, settings, &plan, &|_| {}, &interrupted)?;
    let summaries = exodus::validate::summarize(&validated.figures);
    let inside = summaries.first().map_or(0.0, |s| s.share_inside_band);
    let mut manifest = replicate_settings(replicates, settings.scale(), settings.seed(), set);
    manifest.insert("observed".to_owned(), "[[target]]".into());
    record_posterior(&mut manifest, &posterior);
    let provenance = output::Provenance {
        command: "validate",
        scenario: scenario.name().to_owned(),
        settings: manifest,
        outcome: outcome(&summaries),
    };
    let out = calibration.join(PREDICTIVE_DIR);
    output::write_folder(
        &out,
        &provenance,
        &validation_files(&validated)?,
        &interrupted,
    )?;
    exodus::plot::plot_dir(&out)?;
    Ok((out, inside))
}
