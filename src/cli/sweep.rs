//! `exodus sweep`: a grid of parameter values with replicates.

use std::path::Path;
use std::time::Instant;

use exodus::format::counted;
use exodus::output;

use super::Failure;
use super::args::SweepArgs;
use super::{
    catch_interrupt, interrupted, progress_bar, replicate_settings, thousands, thread_pool,
};

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
    // A key that holds a whole number takes whole values only: a range with
    // a step of a fraction is refused here, naming the value it gives.
    if args.lhs.is_none() {
        for (axis, given) in axes.iter().zip(&args.params) {
            let fraction = axis.values.iter().find(|v| v.parse::<i64>().is_err());
            if doc.is_integer(&axis.path)
                && let Some(value) = fraction
            {
                return Err(Failure::from(exodus::input_error::InputError {
                    file: format!("--param {given}"),
                    line: None,
                    column: None,
                    key: Some(axis.path.to_string()),
                    message: format!(
                        "takes whole numbers, and these values give `{value}`: give whole \
                         values, or a range with a whole step, such as 1:3:1"
                    ),
                }));
            }
        }
    }
    let scale = args
        .ensemble
        .settings
        .size
        .scale
        .unwrap_or(scenario.default_scale());
    let persons: f64 = scenario.expected_eligible().iter().sum();
    let design = args.lhs.map(|n| n as usize);
    check_size(
        &axes,
        design,
        args.ensemble.replicates,
        persons / f64::from(scale),
        args.yes,
        args.quiet,
    )?;
    let size = &args.ensemble.settings.size;
    let master = args
        .ensemble
        .settings
        .seed
        .unwrap_or(scenario.default_seed());
    let mut settings =
        replicate_settings(args.ensemble.replicates, scale, master, &args.input.set.set);
    if let Some(file) = &args.input.scenario {
        settings.insert("file".to_owned(), file.display().to_string().into());
    }
    settings.insert("param".to_owned(), args.params.clone().into());
    if let Some(n) = args.lhs {
        settings.insert("lhs".to_owned(), i64::from(n).into());
    }
    let points = match design {
        Some(n) => {
            let integer: Vec<bool> = axes.iter().map(|a| doc.is_integer(&a.path)).collect();
            exodus::sweep::latin_hypercube(&axes, &integer, n, master)
                .map_err(|message| Failure::usage(anyhow::Error::msg(message)))?
        }
        None => exodus::sweep::grid(&axes),
    };
    let out = args
        .ensemble
        .output
        .folder(COMMAND, scenario.name(), &settings, || {
            Path::new("output").join(scenario.name()).join("sweep")
        })?;
    let pool = thread_pool(size.threads)?;
    catch_interrupt();
    let started = Instant::now();
    let runs = points.len() * args.ensemble.replicates as usize;
    let bar = progress_bar(args.quiet, runs as u32, "run");
    let swept = pool.install(|| {
        exodus::sweep::sweep(
            &doc,
            &axes,
            &points,
            args.ensemble.replicates,
            size.scale,
            master,
            args.daily,
            &|done| bar.set_position(done as u64),
            &interrupted,
        )
    })?;
    bar.finish_and_clear();
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: scenario.name().to_owned(),
        settings,
        outcome: toml::Table::new(),
    };
    output::write_folder(&out, &provenance, &swept.files, &interrupted)?;
    if args.quiet {
        return Ok(());
    }
    println!(
        "{} × {} = {} at 1:{scale}, master seed {master}, in {:.1} s",
        counted(points.len() as u64, "point"),
        counted(u64::from(args.ensemble.replicates), "replicate"),
        counted(runs as u64, "run"),
        started.elapsed().as_secs_f64(),
    );
    println!();
    let names: Vec<String> = axes.iter().map(|a| a.path.to_string()).collect();
    let widths: Vec<usize> = names.iter().map(|n| n.len().max(10)).collect();
    let header: Vec<String> = names
        .iter()
        .zip(&widths)
        .map(|(n, w)| format!("{n:>w$}"))
        .collect();
    println!(
        "{:>6}  {}  {:>16}",
        "point",
        header.join("  "),
        "national exodus"
    );
    for (p, (values, exodus)) in points.iter().zip(&swept.national_exodus).enumerate() {
        let cells: Vec<String> = values
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:>w$}"))
            .collect();
        println!(
            "{p:>6}  {}  {:>16}",
            cells.join("  "),
            thousands(exodus.round() as u64)
        );
    }
    println!();
    let names: Vec<&str> = swept.files.iter().map(|(n, _)| n.as_str()).collect();
    println!(
        "national exodus: the mean over the replicates; every place and metric of every run \
         in {} ({})",
        out.display(),
        names.join(", ")
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
    hypercube: Option<usize>,
    replicates: u32,
    agents: f64,
    yes: bool,
    quiet: bool,
) -> Result<(), Failure> {
    let points = match hypercube {
        Some(n) => n as u64,
        None => axes
            .iter()
            .try_fold(1u64, |n, axis| n.checked_mul(axis.values.len() as u64))
            .unwrap_or(u64::MAX),
    };
    let runs = points.saturating_mul(u64::from(replicates));
    let seconds = runs as f64 * (0.15 + 1.5 * agents / 30.9e6);
    // About 260 rows a run (places × metrics), each of 45 bytes and a
    // dozen per parameter.
    let megabytes = runs as f64 * 260.0 * (45.0 + 12.0 * axes.len() as f64) / 1e6;
    let estimate = format!(
        "{} × {} = {}, {} on 2 cores and {} of sweep.csv",
        counted(
            points,
            if hypercube.is_some() {
                "hypercube point"
            } else {
                "grid point"
            }
        ),
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
    if !quiet {
        eprintln!("sweep: {estimate}");
    }
    Ok(())
}

/// A duration in words: seconds, minutes, hours or days.
fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 1.0 => "under a second".to_owned(),
        s if s < 90.0 => format!("about {s:.0} s"),
        s if s < 5400.0 => format!("about {:.0} min", s / 60.0),
        s if s < 172_800.0 => format!("about {:.1} h", s / 3600.0),
        s => format!("about {:.1} days", s / 86_400.0),
    }
}
