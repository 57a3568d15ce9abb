//! `exodus validate`: a scenario's replicates against observed figures,
//! with the 90% predictive band of each figure.

use std::path::Path;
use std::time::Instant;

use exodus::output;
use exodus::posterior::Posterior;
use exodus::score::SkippedFigure;
use exodus::validate::{
    VALIDATION_CSV, VALIDATION_DAILY_CSV, VALIDATION_PATHS_CSV, Validated, ValidationSummary,
};

use super::args::ValidateArgs;
use super::compare::{posterior_versions, record_posterior};
use super::score::print_skipped;
use super::{Failure, formatted_csv};
use super::{catch_interrupt, interrupted, plot, progress_bar, replicate_settings, thread_pool};

const COMMAND: &str = "validate";

pub(crate) fn validate(args: &ValidateArgs) -> Result<(), Failure> {
    let doc = args.input.document()?;
    let (scenario, settings) = doc.prepare(&args.ensemble.settings.overrides())?;
    let posterior = args.posterior.as_deref().map(Posterior::read).transpose()?;
    let observed = exodus::score::load_observed(&args.observed)?;
    let plan = exodus::validate::plan(&scenario, observed.figures, &observed.name)?;
    let replicates = args.ensemble.replicates;
    let mut manifest_settings = replicate_settings(
        replicates,
        settings.scale(),
        settings.seed(),
        &args.input.set.set,
    );
    if let Some(file) = &args.input.scenario {
        manifest_settings.insert("file".to_owned(), file.display().to_string().into());
    }
    manifest_settings.insert("observed".to_owned(), observed.name.clone().into());
    manifest_settings.insert("observed_sha256".to_owned(), observed.sha256.into());
    if let Some(p) = &posterior {
        record_posterior(&mut manifest_settings, p);
    }
    let out = args
        .ensemble
        .output
        .folder(COMMAND, scenario.name(), &manifest_settings, || {
            Path::new("output").join(format!("validate-{}", scenario.name()))
        })?;
    let pool = thread_pool(settings.threads())?;
    catch_interrupt();
    let bar = progress_bar(args.quiet, replicates, "replicate");
    let started = Instant::now();
    let progress = |done: usize| bar.set_position(done as u64);
    let versions = match &posterior {
        Some(p) => posterior_versions(p, &doc, replicates, settings.seed(), &[])?,
        None => Vec::new(),
    };
    let validated = pool.install(|| match &posterior {
        Some(_) => exodus::validate::run_drawn(
            &scenario,
            &versions,
            &settings,
            &plan,
            &progress,
            &interrupted,
        ),
        None => exodus::validate::run(
            &scenario,
            &settings,
            &plan,
            replicates,
            &progress,
            &interrupted,
        ),
    })?;
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    let summaries = exodus::validate::summarize(&validated.figures);
    let files = validation_files(&validated)?;
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: scenario.name().to_owned(),
        settings: manifest_settings,
        outcome: outcome(&summaries),
    };
    output::write_folder(&out, &provenance, &files, &interrupted)?;
    if !args.quiet {
        println!(
            "{}: {} at 1:{}, master seed {}, in {wall:.1} s; observed figures from {}",
            scenario.name(),
            exodus::format::counted(u64::from(replicates), "replicate"),
            settings.scale(),
            settings.seed(),
            observed.name
        );
        if let Some(p) = &posterior {
            println!(
                "behaviour drawn from {} (effective size {:.0}): the bands are posterior-predictive",
                p.file(),
                p.effective_size()
            );
        }
        print_figures(&validated);
        print_summaries(&summaries);
        if posterior.is_none() {
            println!(
                "(the bands are of Monte-Carlo noise only, at one parameter point: a model that \
                 fits well still leaves many figures outside them, so a low share inside is not \
                 by itself a failure; --posterior FILE.csv gives posterior-predictive bands, \
                 docs/calibration.md)"
            );
        }
        println!();
        println!(
            "written to {} ({VALIDATION_CSV}, {VALIDATION_DAILY_CSV}, {VALIDATION_PATHS_CSV}, {})",
            out.display(),
            output::FOLDER_MANIFEST
        );
    }
    if args.plot {
        if args.quiet {
            exodus::plot::plot_dir(&out)?;
        } else {
            plot(&out, args.quiet)?;
        }
    }
    Ok(())
}

/// A validation's two tables, formatted.
pub(crate) fn validation_files(validated: &Validated) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    Ok(vec![
        formatted_csv(VALIDATION_CSV, exodus::validate::figures_csv(validated))?,
        formatted_csv(VALIDATION_DAILY_CSV, exodus::validate::daily_csv(validated))?,
        formatted_csv(VALIDATION_PATHS_CSV, exodus::validate::paths_csv(validated))?,
    ])
}

/// The figures measured, with their bands, then those skipped.
fn print_figures(validated: &Validated) {
    println!();
    println!(
        "{:<24} {:<8} {:<22} {:<15} {:>10} {:>10}  {:<21} {:>7}  inside",
        "figure", "kind", "place", "metric", "observed", "mean", "90% band", "error"
    );
    for b in validated.figures.iter().filter_map(|v| v.measured()) {
        let f = &b.figure;
        let band = format!("[{:.0}, {:.0}]", b.spread.p05, b.spread.p95);
        println!(
            "{:<24} {:<8} {:<22} {:<15} {:>10} {:>10.0}  {:<21} {:>+7.3}  {}",
            f.id,
            f.kind.as_deref().unwrap_or("-"),
            f.place,
            f.metric_name,
            f.observed.to_string(),
            b.spread.mean,
            band,
            b.log_error,
            if b.inside_band { "yes" } else { "no" }
        );
    }
    let skipped: Vec<&SkippedFigure> = validated
        .figures
        .iter()
        .filter_map(|v| v.skipped())
        .collect();
    print_skipped(&skipped, "the runs cannot measure them");
}

/// One line per group of figures: all of them, then each kind.
fn print_summaries(summaries: &[ValidationSummary]) {
    println!();
    println!(
        "{:<10} {:>7} {:>8} {:>19} {:>19} {:>16}",
        "figures",
        "scored",
        "skipped",
        "median |log error|",
        "mean |sim-obs|/obs",
        "inside 90% band"
    );
    for s in summaries {
        println!(
            "{:<10} {:>7} {:>8} {:>19.3} {:>19.3} {:>15.0}%",
            s.kind.as_deref().unwrap_or("all"),
            s.score.figures,
            s.score.skipped,
            s.score.median_abs_log_error,
            s.mean_relative_difference,
            100.0 * s.share_inside_band
        );
    }
}

/// What the manifest records of the fit: each group's summary.
pub(crate) fn outcome(summaries: &[ValidationSummary]) -> toml::Table {
    let groups: Vec<toml::Value> = summaries
        .iter()
        .map(|s| {
            let count = |n: usize| toml::Value::from(i64::try_from(n).unwrap_or(i64::MAX));
            toml::Value::Table(toml::Table::from_iter([
                (
                    "kind".to_owned(),
                    s.kind.clone().unwrap_or_else(|| "all".to_owned()).into(),
                ),
                ("scored".to_owned(), count(s.score.figures)),
                ("skipped".to_owned(), count(s.score.skipped)),
                (
                    "median_abs_log_error".to_owned(),
                    rounded(s.score.median_abs_log_error).into(),
                ),
                (
                    "mean_relative_difference".to_owned(),
                    rounded(s.mean_relative_difference).into(),
                ),
                (
                    "share_inside_band".to_owned(),
                    rounded(s.share_inside_band).into(),
                ),
            ]))
        })
        .collect();
    toml::Table::from_iter([("summary".to_owned(), groups.into())])
}

/// A summary number to six decimals, as the manifest writes it.
fn rounded(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
