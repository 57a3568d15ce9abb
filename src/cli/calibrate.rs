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
        Method::AbcSmc => abc_smc(args),
    }
}

/// The scenario's path as the reproducing command writes it.
fn scenario_arg(args: &CalibrateArgs) -> String {
    args.input.scenario.as_ref().map_or_else(
        || "scenarios/mobilization-2022.toml".to_owned(),
        |p| p.display().to_string(),
    )
}

/// `--method abc-smc`: a posterior by ABC-SMC.
fn abc_smc(args: &CalibrateArgs) -> Result<(), Failure> {
    let doc = args.input.document()?;
    let scenario = doc.scenario()?;
    let spec = scenario
        .calibration()
        .ok_or(exodus::calibrate::CalibrationError::NothingToFit)?;
    let run_settings = doc.calibration_settings(&scenario, &args.settings.overrides())?;
    let particles = args.particles as usize;
    let replicates = args.replicates.unwrap_or(1) as usize;
    let budget = args
        .budget
        .map_or(50 * particles * replicates, |b| b as usize);
    let options = exodus::calibrate::PosteriorOptions {
        abc: exodus::calibrate::abc::Settings {
            particles,
            budget,
            replicates,
            quantile: args.quantile,
            min_tolerance: args.min_tolerance,
            min_acceptance: args.min_acceptance,
            max_generations: args.generations,
        },
        fit_replicates: spec.replicates,
        hold_out: args
            .hold_out
            .iter()
            .map(|id| id.trim().to_owned())
            .collect(),
    };
    let mut reproduce = format!(
        "exodus calibrate {} --method abc-smc --particles {particles} --budget {budget} --replicates {replicates} \
         --quantile {} --min-tolerance {} --min-acceptance {} --generations {} --scale {} --seed {}",
        scenario_arg(args),
        format_float(args.quantile),
        args.min_tolerance,
        args.min_acceptance,
        args.generations,
        run_settings.scale(),
        run_settings.seed(),
    );
    reproduce.push_str(&common_options(args, &options.hold_out));
    let mut settings = replicate_settings(
        replicates as u32,
        run_settings.scale(),
        run_settings.seed(),
        &args.input.set.set,
    );
    settings.insert("command_line".to_owned(), reproduce.clone().into());
    settings.insert("method".to_owned(), args.method.name().into());
    settings.insert("particles".to_owned(), i64::from(args.particles).into());
    settings.insert("budget".to_owned(), (budget as i64).into());
    settings.insert("quantile".to_owned(), args.quantile.into());
    settings.insert("min_tolerance".to_owned(), args.min_tolerance.into());
    settings.insert("min_acceptance".to_owned(), args.min_acceptance.into());
    settings.insert("generations".to_owned(), i64::from(args.generations).into());
    settings.insert("hold_out".to_owned(), options.hold_out.clone().into());
    let out = calibration_folder(args, scenario.name(), &settings)?;
    let pool = thread_pool(run_settings.threads())?;
    catch_interrupt();
    let bar = progress_bar(args.quiet, budget as u32, "run");
    let started = Instant::now();
    let progress = |s: exodus::calibrate::abc::Status| {
        bar.set_position(s.simulations as u64);
        bar.set_message(format!(
            "generation {}, {}/{particles} accepted",
            s.generation, s.accepted
        ));
    };
    let clock = || started.elapsed().as_secs_f64();
    let posterior = pool.install(|| {
        exodus::calibrate::abc_smc(
            &doc,
            &run_settings,
            &options,
            &progress,
            &interrupted,
            &clock,
        )
    })?;
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    let files = exodus::calibrate::posterior_files(
        &doc,
        scenario.calendar(),
        &posterior,
        &reproduce,
        &out,
    )?;
    let last = posterior.generations.last();
    let outcome = toml::Table::from_iter([
        (
            "wall_seconds".to_owned(),
            ((wall * 10.0).round() / 10.0).into(),
        ),
        (
            "simulations".to_owned(),
            (posterior.simulations as i64).into(),
        ),
        (
            "generations".to_owned(),
            (posterior.generations.len() as i64).into(),
        ),
        (
            "tolerance".to_owned(),
            last.map_or(0.0, |g| g.tolerance).into(),
        ),
        (
            "effective_sample_size".to_owned(),
            last.map_or(0.0, |g| g.ess).into(),
        ),
        ("stopped".to_owned(), posterior.stop.clone().into()),
    ]);
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: scenario.name().to_owned(),
        settings,
        outcome,
    };
    output::write_folder(&out, &provenance, &files, &interrupted)
        .with_context(|| format!("writing the calibration to {}", out.display()))?;
    let sample = exodus::plot_posterior::Sample {
        axes: posterior
            .parameters
            .iter()
            .map(|p| exodus::plot_posterior::Axis {
                name: p.parameter.path.to_string(),
                lower: p.parameter.lower,
                upper: p.parameter.upper,
                log: p.parameter.log,
            })
            .collect(),
        z: posterior.particles.iter().map(|p| p.z.clone()).collect(),
        weights: posterior.particles.iter().map(|p| p.weight).collect(),
    };
    exodus::plot_posterior::posterior_charts(&out, &sample)?;
    if !args.quiet {
        print_posterior(scenario.name(), &posterior, wall, &out);
    }
    if args.predictive > 0 {
        let started = Instant::now();
        let (folder, inside) = super::predictive::posterior_predictive(
            &doc,
            &scenario,
            &run_settings,
            &args.input.set.set,
            &options.hold_out,
            &out,
            args.predictive,
        )?;
        if !args.quiet {
            println!(
                "posterior-predictive check: {}, {:.0}% of the targets inside their 90% band, in {:.1} s; written to {} (validation.csv, validation_daily.csv, validation_paths.csv, charts)",
                exodus::format::counted(u64::from(args.predictive), "replicate"),
                100.0 * inside,
                started.elapsed().as_secs_f64(),
                folder.display()
            );
        }
    }
    Ok(())
}

fn print_posterior(name: &str, posterior: &exodus::calibrate::Posterior, wall: f64, out: &Path) {
    println!(
        "calibrated `{name}` by ABC-SMC in {wall:.1} s: {} runs at 1:{} ({:.3} s a run on the threads together), {} generations of {} particles",
        posterior.simulations,
        posterior.settings.scale(),
        wall / posterior.simulations.max(1) as f64,
        posterior.generations.len(),
        posterior.particles.len(),
    );
    println!("stopped: {}", posterior.stop);
    println!();
    println!(
        "{:>10} {:>12} {:>10} {:>8} {:>11}",
        "generation", "tolerance", "accepted", "ESS", "runs"
    );
    for g in &posterior.generations {
        println!(
            "{:>10} {:>12} {:>9.1}% {:>8.1} {:>11}",
            g.generation,
            format_float(g.tolerance),
            100.0 * g.acceptance,
            g.ess,
            g.simulations
        );
    }
    println!();
    println!(
        "{:<44} {:>11} {:>11} {:>11} {:>6}  note",
        "parameter", "median", "5%", "95%", "width"
    );
    for p in &posterior.parameters {
        println!(
            "{:<44} {:>11} {:>11} {:>11} {:>6.2}  {}",
            p.parameter.path.to_string(),
            format_float(p.median),
            format_float(p.p05),
            format_float(p.p95),
            p.width_ratio,
            p.note
        );
    }
    println!();
    let refs: Vec<&TargetFit> = posterior.fits.iter().collect();
    print_fits(&refs);
    println!();
    println!(
        "written to {} (posterior.csv, generations.csv, posterior_summary.csv, fit.csv, calibrated.toml at the medians, charts)",
        out.display()
    );
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
        scenario_arg(args),
        args.method.name(),
        options.budget,
        options.replicates,
        run_settings.scale(),
        run_settings.seed(),
        options.restarts,
        population,
        format_float(options.sigma),
    );
    reproduce.push_str(&common_options(args, &options.hold_out));
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
    let out = calibration_folder(args, scenario.name(), &settings)?;
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
        "calibrated `{name}` in {wall:.1} s: {} of {} at 1:{}, loss {:.6}",
        exodus::format::counted(fit.trace.len() as u64, "evaluation"),
        exodus::format::counted(u64::from(fit.options.replicates), "replicate"),
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
        "{:<22} {:>12} {:>12} {:>8}  within (tolerance)",
        "target", "observed", "simulated", "error"
    );
    for f in fits {
        println!(
            "{:<22} {:>12} {:>12.0} {:>7.1}%  {} (±{}%)",
            f.target.id,
            f.target.observed.to_string(),
            f.simulated_mean,
            100.0 * (f.log_error.exp() - 1.0),
            if f.within_tolerance { "yes" } else { "NO" },
            format_float(100.0 * f.target.tolerance)
        );
    }
}

/// The options every method's reproducing command ends with: the held-out
/// targets and the `--set` overrides.
fn common_options(args: &CalibrateArgs, hold_out: &[String]) -> String {
    let mut text = String::new();
    if !hold_out.is_empty() {
        text.push_str(&format!(" --hold-out {}", hold_out.join(",")));
    }
    for assignment in &args.input.set.set {
        text.push_str(&format!(" --set '{assignment}'"));
    }
    text
}

/// The calibration's output folder, `--out` or `output/NAME/calibration`,
/// claimed.
fn calibration_folder(
    args: &CalibrateArgs,
    scenario: &str,
    settings: &toml::Table,
) -> Result<exodus::output::Claim, Failure> {
    args.output.folder(COMMAND, scenario, settings, || {
        Path::new("output").join(scenario).join("calibration")
    })
}
