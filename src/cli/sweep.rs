//! `exodus sweep`: a grid of parameter values with replicates.

use std::path::Path;
use std::time::Instant;

use exodus::format::counted;
use exodus::output;

use super::Failure;
use super::args::SweepArgs;
use super::{catch_interrupt, interrupted, replicate_settings, thread_pool};

const COMMAND: &str = "sweep";

pub(crate) fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    let doc = args.input.document()?;
    let scenario = doc.scenario()?;
    let axes = args
        .params
        .iter()
        .map(|p| {
            p.parse::<exodus::sweep::Axis>()
                .map_err(|message| exodus::input_error::InputError {
                    file: format!("--param {p}"),
                    line: None,
                    column: None,
                    key: None,
                    message,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let scale = args
        .ensemble
        .settings
        .size
        .scale
        .unwrap_or(scenario.default_scale());
    let persons: f64 = scenario.expected_eligible().iter().sum();
    check_size(
        &axes,
        args.ensemble.replicates,
        persons / f64::from(scale),
        args.yes,
    )?;
    let out = args.ensemble.output.folder(COMMAND, scenario.name(), || {
        Path::new("output").join(scenario.name()).join("sweep")
    })?;
    let size = &args.ensemble.settings.size;
    let master = args
        .ensemble
        .settings
        .seed
        .unwrap_or(scenario.default_seed());
    let pool = thread_pool(size.threads)?;
    catch_interrupt();
    let started = Instant::now();
    let csv = pool.install(|| {
        exodus::sweep::sweep(
            &doc,
            &axes,
            args.ensemble.replicates,
            size.scale,
            master,
            &interrupted,
        )
    })?;
    let mut settings =
        replicate_settings(args.ensemble.replicates, scale, master, &args.input.set.set);
    if let Some(file) = &args.input.scenario {
        settings.insert("file".to_owned(), file.display().to_string().into());
    }
    settings.insert("param".to_owned(), args.params.clone().into());
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: scenario.name().to_owned(),
        settings,
        outcome: toml::Table::new(),
    };
    let files = [(exodus::sweep::SWEEP_CSV.to_owned(), csv)];
    output::write_folder(&out, &provenance, &files, &interrupted)?;
    let points = exodus::sweep::grid(&axes).len();
    println!(
        "{} × {} = {} in {:.1} s; written {}",
        counted(points as u64, "point"),
        counted(u64::from(args.ensemble.replicates), "replicate"),
        counted(points as u64 * u64::from(args.ensemble.replicates), "run"),
        started.elapsed().as_secs_f64(),
        out.join(exodus::sweep::SWEEP_CSV).display()
    );
    Ok(())
}

/// Runs a sweep may make without `--yes`.
const RUNS_WITHOUT_YES: u64 = 10_000;

/// Runs no sweep may make: its table alone would not fit in memory.
const MOST_RUNS: u64 = 10_000_000;

/// Says how many runs the grid makes, and about how long and how much disk
/// they take; refuses a grid above [`MOST_RUNS`], and one above
/// [`RUNS_WITHOUT_YES`] unless `yes`. The time is from `BENCHMARKS.md`: a
/// run costs about 0.15 s, plus 1.5 s per 30.9 million agents, on 2 cores.
fn check_size(
    axes: &[exodus::sweep::Axis],
    replicates: u32,
    agents: f64,
    yes: bool,
) -> Result<(), Failure> {
    let points = axes
        .iter()
        .try_fold(1u64, |n, axis| n.checked_mul(axis.values.len() as u64))
        .unwrap_or(u64::MAX);
    let runs = points.saturating_mul(u64::from(replicates));
    let seconds = runs as f64 * (0.15 + 1.5 * agents / 30.9e6);
    let megabytes = runs as f64 * (200.0 + 30.0 * axes.len() as f64) / 1e6;
    let estimate = format!(
        "{} × {} = {}, about {} on 2 cores and {} of sweep.csv",
        counted(points, "grid point"),
        counted(u64::from(replicates), "replicate"),
        counted(runs, "run"),
        duration(seconds),
        if megabytes < 1.0 {
            "under 1 MB".to_owned()
        } else {
            format!("{megabytes:.0} MB")
        }
    );
    let refuse = |message: String| {
        Err(Failure::usage(anyhow::anyhow!(
            "--param: {estimate}; {message}"
        )))
    };
    if runs > MOST_RUNS {
        return refuse(format!(
            "at most {} runs are supported: use fewer values, or fewer replicates",
            exodus::format::thousands(MOST_RUNS)
        ));
    }
    if runs > RUNS_WITHOUT_YES && !yes {
        return refuse(format!(
            "more than {} runs need --yes to start",
            exodus::format::thousands(RUNS_WITHOUT_YES)
        ));
    }
    eprintln!("sweep: {estimate}");
    Ok(())
}

/// A duration in words: seconds, minutes, hours or days.
fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 1.0 => "under a second".to_owned(),
        s if s < 90.0 => format!("{s:.0} s"),
        s if s < 5400.0 => format!("{:.0} min", s / 60.0),
        s if s < 172_800.0 => format!("{:.1} h", s / 3600.0),
        s => format!("{:.1} days", s / 86_400.0),
    }
}
