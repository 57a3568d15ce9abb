//! `exodus calibrate`: fit a scenario's parameters to its targets.

use std::path::Path;
use std::time::Instant;

use exodus::format::format_float;
use exodus::output;

use super::args::CalibrateArgs;
use super::{Context, Failure};
use super::{catch_interrupt, interrupted, progress_bar, replicate_settings, thread_pool};

const COMMAND: &str = "calibrate";

pub(crate) fn calibrate(args: &CalibrateArgs) -> Result<(), Failure> {
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
    };
    let mut reproduce = format!(
        "exodus calibrate {} --budget {} --replicates {} --scale {} --seed {} --restarts {}",
        args.input.scenario.as_ref().map_or_else(
            || "scenarios/mobilization-2022.toml".to_owned(),
            |p| p.display().to_string()
        ),
        options.budget,
        options.replicates,
        run_settings.scale(),
        run_settings.seed(),
        options.restarts
    );
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
    let progress = |n: usize| bar.set_position(n as u64);
    let fit = pool.install(|| {
        exodus::calibrate::calibrate(&doc, &run_settings, options, &progress, &interrupted)
    })?;
    bar.finish_and_clear();
    let files = exodus::calibrate::files(&doc, scenario.calendar(), &fit, &reproduce)?;
    let mut settings = replicate_settings(
        options.replicates,
        run_settings.scale(),
        run_settings.seed(),
        &args.input.set.set,
    );
    settings.insert("command_line".to_owned(), reproduce.clone().into());
    settings.insert("budget".to_owned(), options.budget.into());
    settings.insert("restarts".to_owned(), options.restarts.into());
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: scenario.name().to_owned(),
        settings,
    };
    output::write_folder(&out, &provenance, &files)
        .with_context(|| format!("writing the calibration to {}", out.display()))?;
    if args.quiet {
        return Ok(());
    }
    println!(
        "calibrated `{}` in {:.1} s: {} evaluations of {} replicates at 1:{}, loss {:.6}",
        scenario.name(),
        started.elapsed().as_secs_f64(),
        fit.trace.len(),
        options.replicates,
        run_settings.scale(),
        fit.loss
    );
    println!();
    println!("{:<48} {:>12}  note", "parameter", "value");
    for p in &fit.parameters {
        println!(
            "{:<48} {:>12}  {}",
            p.parameter.path.to_string(),
            format_float(p.value),
            p.note
        );
    }
    println!();
    println!(
        "{:<22} {:>12} {:>12} {:>8}  within",
        "target", "observed", "simulated", "error"
    );
    for f in &fit.fits {
        println!(
            "{:<22} {:>12} {:>12.0} {:>7.1}%  {}",
            f.target.id,
            f.target.observed.to_string(),
            f.simulated_mean,
            100.0 * (f.log_error.exp() - 1.0),
            if f.within_tolerance { "yes" } else { "NO" }
        );
    }
    println!();
    println!(
        "written to {} (calibrated.toml is ready to run)",
        out.display()
    );
    Ok(())
}
