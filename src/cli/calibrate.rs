//! `exodus calibrate`: fit a scenario's parameters to its targets.

use std::path::Path;
use std::time::Instant;

use exodus::calibrate::{Calibration, TargetFit};
use exodus::format::format_float;
use exodus::output;

use super::args::{CalibrateArgs, Method};
use super::{Context, Failure};
use super::{catch_interrupt, interrupted, progress_bar, replicate_settings, thread_pool};

const COMMAND: &str = "calibrate";

pub(crate) fn calibrate(args: &CalibrateArgs) -> Result<(), Failure> {
    match args.method {
        Method::Optimize => optimize(args),
    }
}

/// `--method optimize`: CMA-ES.
fn optimize(args: &CalibrateArgs) -> Result<(), Failure> {
    let doc = args.input.document()?;
    let scenario = doc.scenario()?;
    let spec = scenario
        .calibration()
        .ok_or(exodus::calibrate::CalibrationError::NothingToFit)?;
    let run_settings = doc.calibration_settings(&scenario, &args.settings.overrides())?;
    let options = exodus::calibrate::Options {
        budget: args.budget.unwrap_or(spec.budget),
        replicates: args.replicates.unwrap_or(spec.replicates),
        restarts: args.restarts.unwrap_or(spec.restarts),
        population: args.population.or(spec.population),
        sigma: args.sigma.unwrap_or(spec.sigma),
        hold_out: args
            .hold_out
            .iter()
            .map(|id| id.trim().to_owned())
            .collect(),
    };
    let population = options.first_population(spec.parameters.len());
    let mut reproduce = format!(
        "exodus calibrate {} --method {} --budget {} --replicates {} --scale {} --seed {} --restarts {} --population {} --sigma {}",
        args.input.scenario.as_ref().map_or_else(
            || "scenarios/mobilization-2022.toml".to_owned(),
            |p| p.display().to_string()
        ),
        args.method.name(),
        options.budget,
        options.replicates,
        run_settings.scale(),
        run_settings.seed(),
        options.restarts,
        population,
        format_float(options.sigma),
    );
    if !options.hold_out.is_empty() {
        reproduce.push_str(&format!(" --hold-out {}", options.hold_out.join(",")));
    }
    for assignment in &args.input.set.set {
        reproduce.push_str(&format!(" --set '{assignment}'"));
    }
    let out = args.output.folder(COMMAND, scenario.name(), || {
        Path::new("output")
            .join(scenario.name())
            .join("calibration")
    })?;
    let pool = thread_pool(run_settings.threads())?;
    catch_interrupt();
    let bar = progress_bar(args.quiet, options.budget, "evaluation");
    let started = Instant::now();
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let fit = pool.install(|| {
        exodus::calibrate::calibrate(&doc, &run_settings, &options, &progress, &interrupted)
    })?;
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    let files = exodus::calibrate::files(&doc, scenario.calendar(), &fit, &reproduce, &out)?;
    let mut settings = replicate_settings(
        options.replicates,
        run_settings.scale(),
        run_settings.seed(),
        &args.input.set.set,
    );
    settings.insert("command_line".to_owned(), reproduce.clone().into());
    settings.insert("method".to_owned(), args.method.name().into());
    settings.insert("budget".to_owned(), options.budget.into());
    settings.insert("restarts".to_owned(), options.restarts.into());
    settings.insert("population".to_owned(), (population as i64).into());
    settings.insert("sigma".to_owned(), options.sigma.into());
    settings.insert("hold_out".to_owned(), options.hold_out.clone().into());
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: scenario.name().to_owned(),
        settings,
        outcome: outcome(&fit, wall),
    };
    output::write_folder(&out, &provenance, &files, &interrupted)
        .with_context(|| format!("writing the calibration to {}", out.display()))?;
    if !args.quiet {
        print_summary(scenario.name(), &fit, wall, &out, doc.is_embedded());
    }
    Ok(())
}

/// What the manifest records of how the search went.
fn outcome(fit: &Calibration, wall: f64) -> toml::Table {
    let runs: Vec<toml::Value> = fit
        .runs
        .iter()
        .map(|r| {
            toml::Value::Table(toml::Table::from_iter([
                ("population".to_owned(), (r.population as i64).into()),
                ("generations".to_owned(), i64::from(r.generations).into()),
                ("evaluations".to_owned(), (r.evaluations as i64).into()),
                ("stop".to_owned(), r.stop.clone().into()),
            ]))
        })
        .collect();
    toml::Table::from_iter([
        (
            "wall_seconds".to_owned(),
            ((wall * 10.0).round() / 10.0).into(),
        ),
        ("evaluations".to_owned(), (fit.trace.len() as i64).into()),
        ("loss".to_owned(), fit.loss.into()),
        ("stopped".to_owned(), fit.stopped().into()),
        ("runs".to_owned(), runs.into()),
    ])
}

fn print_summary(name: &str, fit: &Calibration, wall: f64, out: &Path, embedded: bool) {
    let populations: Vec<String> = fit.runs.iter().map(|r| r.population.to_string()).collect();
    println!(
        "calibrated `{name}` in {wall:.1} s: {} evaluations of {} replicates at 1:{}, loss {:.6}",
        fit.trace.len(),
        fit.options.replicates,
        fit.settings.scale(),
        fit.loss
    );
    println!(
        "CMA-ES: {} run(s) of population {}; stopped: {}",
        fit.runs.len(),
        if populations.is_empty() {
            "-".to_owned()
        } else {
            populations.join(", ")
        },
        fit.stopped()
    );
    println!();
    println!("{:<48} {:>12}  note", "parameter", "value");
    for p in &fit.parameters {
        println!(
            "{:<48} {:>12}  {}",
            p.parameter.path.to_string(),
            p.value_text(),
            p.note
        );
    }
    let (held, fitted): (Vec<&TargetFit>, Vec<&TargetFit>) =
        fit.fits.iter().partition(|f| f.held_out);
    println!();
    print_fits(&fitted);
    if !held.is_empty() {
        println!();
        println!("out of sample (held out of the fit, predicted at the best point):");
        print_fits(&held);
    }
    println!();
    if embedded {
        // The embedded scenario's data are inside the binary, not on disk.
        println!(
            "written to {} (calibrated.toml names its data as scenarios/mobilization-2022.toml does: \
             copy it into scenarios/ to run it)",
            out.display()
        );
    } else {
        println!(
            "written to {} (calibrated.toml is ready to run: its data paths lead from there)",
            out.display()
        );
    }
}

fn print_fits(fits: &[&TargetFit]) {
    println!(
        "{:<22} {:>12} {:>12} {:>8}  within",
        "target", "observed", "simulated", "error"
    );
    for f in fits {
        println!(
            "{:<22} {:>12} {:>12.0} {:>7.1}%  {}",
            f.target.id,
            f.target.observed.to_string(),
            f.simulated_mean,
            100.0 * (f.log_error.exp() - 1.0),
            if f.within_tolerance { "yes" } else { "NO" }
        );
    }
}
