//! The `exodus` command line: a thin layer over the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use exodus::engine;
use exodus::output::ReadRunError;
use exodus::output::{self, RunInfo};
use exodus::scenario::{self, InputError, LoadError, PolicyKind, Scenario, ScenarioDocument};

/// Exit code for bad input (usage errors, invalid scenarios or data).
const EXIT_INPUT: u8 = 2;

#[derive(Parser)]
#[command(
    name = "exodus",
    version,
    about = "Agent-based simulation of the autumn-2022 exodus of Russian men after the mobilization decree",
    after_help = "Examples:
  exodus                                       run the embedded default scenario (12 Sep - 31 Oct 2022)
  exodus run                                   the same
  exodus run scenarios/mobilization-2022.toml --scale 10 --seed 7
  exodus run my.toml --out results/my --threads 2 --quiet
  exodus check scenarios/mobilization-2022.toml
  exodus bench --scale 1 --threads 2 --repeat 5  time full-population runs
  exodus calibrate scenarios/mobilization-2022.toml --budget 150
  exodus score output/mobilization-2022 --observed scenarios/data/reported-2022.csv
  exodus run --score scenarios/data/reported-2022.csv
  exodus run --set decision.peer=0.8 --scale 10
  exodus compare scenarios/mobilization-2022.toml scenarios/counterfactuals/*.toml --replicates 20 --scale 20
  exodus run --plot --scale 10                  run and draw the charts
  exodus plot output/compare-mobilization-2022
  exodus sweep --param choice.wait_day=-0.2,-0.35,-0.5 --param queue.patience_mean_days=3,5 --scale 50

Results go to output/<scenario-name>/ unless --out is given; see README.md for what each file holds."
)]
struct Cli {
    /// What to do; with none, `run` the embedded default scenario.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write its CSV results.
    Run(RunArgs),
    /// Validate a scenario and print a summary of it.
    Check(CheckArgs),
    /// Run scenarios side by side with paired replicates; summary and daily CSV with 95% intervals.
    Compare(CompareArgs),
    /// Run a grid of parameter values with replicates; writes sweep.csv.
    Sweep(SweepArgs),
    /// Draw the charts (SVG and PNG) of a run folder or a comparison folder.
    Plot {
        /// Folder of a run (run.toml) or a comparison (compare_daily.csv).
        dir: PathBuf,
    },
    /// Time whole runs phase by phase; prints a table and writes bench.csv.
    Bench(BenchArgs),
    /// Fit the [calibration] parameters of a scenario to its [[target]] figures.
    Calibrate(CalibrateArgs),
    /// Compare a finished run with observed figures; prints and writes score.csv.
    Score {
        /// Folder of a finished run (holding run.toml).
        run_dir: PathBuf,
        /// CSV of observed figures (the format of scenarios/data/reported-2022.csv).
        #[arg(long)]
        observed: PathBuf,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Scenario TOML file (the embedded default when omitted).
    scenario: Option<PathBuf>,
    /// Override a scenario value, e.g. `--set decision.peer=0.5` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
}

#[derive(clap::Args)]
struct CompareArgs {
    /// The base scenario, then the alternatives.
    #[arg(required = true, num_args = 2..)]
    scenarios: Vec<PathBuf>,
    /// Replicates per scenario (paired across scenarios).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    replicates: u32,
    /// Persons per agent (overrides every scenario's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    scale: Option<u32>,
    /// Master seed of the replicates [default: the base scenario's].
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder [default: output/compare-<base-name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also draw the comparison chart (SVG and PNG).
    #[arg(long)]
    plot: bool,
    /// Override a scenario value, e.g. `--set decision.peer=0.5` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Worker threads [default: all cores].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
}

#[derive(clap::Args)]
struct SweepArgs {
    /// Scenario TOML file (the embedded default when omitted).
    scenario: Option<PathBuf>,
    /// An axis of the grid: PATH=V1,V2,... (repeatable).
    #[arg(long = "param", value_name = "PATH=V1,V2,...", required = true)]
    params: Vec<String>,
    /// Replicates per point.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    replicates: u32,
    /// Persons per agent (overrides the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    scale: Option<u32>,
    /// Master seed [default: the scenario's].
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder [default: output/<scenario-name>/sweep].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override a scenario value, e.g. `--set decision.peer=0.5` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Worker threads [default: all cores].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
}

#[derive(clap::Args)]
struct CalibrateArgs {
    /// Scenario TOML file with [calibration] and [[target]] sections (the embedded default when omitted).
    scenario: Option<PathBuf>,
    /// Override a scenario value, e.g. `--set decision.peer=0.5` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Most loss evaluations [default: the scenario's, else 200].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    budget: Option<u32>,
    /// Replicates per evaluation [default: the scenario's, else 2].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    replicates: Option<u32>,
    /// Persons per agent while calibrating [default: the scenario's calibration scale].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    scale: Option<u32>,
    /// Master seed of the replicates [default: the scenario's].
    #[arg(long)]
    seed: Option<u64>,
    /// Restarts of the simplex [default: the scenario's, else 2].
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=100))]
    restarts: Option<u32>,
    /// Output folder [default: output/<scenario-name>/calibration].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads [default: all cores].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Scenario TOML file (the embedded default when omitted).
    scenario: Option<PathBuf>,
    /// Override a scenario value, e.g. `--set decision.peer=0.5` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Persons per agent (overrides the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    scale: Option<u32>,
    /// Worker threads [default: all cores].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Runs to take the median over.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=1000))]
    repeat: u16,
    /// Folder for the runs' CSV and bench.csv [default: output/<scenario-name>/bench].
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args, Default)]
struct RunArgs {
    /// Scenario TOML file (the embedded default when omitted).
    scenario: Option<PathBuf>,
    /// Override a scenario value, e.g. `--set decision.peer=0.5` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Output folder [default: output/<scenario-name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Master seed (overrides the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Persons per agent (overrides the scenario's); 1 simulates every man.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    scale: Option<u32>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
    /// After the run, score it against observed figures in this CSV (see `exodus score`).
    #[arg(long, value_name = "FILE.csv")]
    score: Option<PathBuf>,
    /// After the run, draw its charts (SVG and PNG) into the output folder.
    #[arg(long)]
    plot: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Run(args)) => run(&args),
        Some(Command::Check(args)) => check(&args),
        Some(Command::Compare(args)) => compare(&args),
        Some(Command::Sweep(args)) => sweep(&args),
        Some(Command::Plot { dir }) => plot(&dir),
        Some(Command::Bench(args)) => bench(&args),
        Some(Command::Calibrate(args)) => calibrate(&args),
        Some(Command::Score { run_dir, observed }) => score(&run_dir, &observed),
        None => run(&RunArgs::default()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let input = err.chain().any(|e| {
                e.downcast_ref::<LoadError>().is_some()
                    || e.downcast_ref::<exodus::sweep::SweepError>()
                        .is_some_and(|s| {
                            matches!(
                                s,
                                exodus::sweep::SweepError::Input(_)
                                    | exodus::sweep::SweepError::Load(_)
                            )
                        })
                    || e.downcast_ref::<InputError>().is_some()
                    || e.downcast_ref::<ReadRunError>().is_some()
            });
            eprintln!("error: {err:#}");
            ExitCode::from(if input { EXIT_INPUT } else { 1 })
        }
    }
}

/// Loads a scenario document and applies the `--set` overrides.
fn load_doc(path: Option<&Path>, sets: &[String]) -> anyhow::Result<ScenarioDocument> {
    let mut doc = match path {
        Some(p) => ScenarioDocument::load(p)?,
        None => ScenarioDocument::embedded_default()?,
    };
    for assignment in sets {
        doc.set(assignment)?;
    }
    Ok(doc)
}

/// Loads a validated scenario with the `--set` overrides applied.
fn load(path: Option<&Path>, sets: &[String]) -> anyhow::Result<Scenario> {
    Ok(load_doc(path, sets)?.scenario()?)
}

fn run(args: &RunArgs) -> anyhow::Result<()> {
    let mut scenario = load(args.scenario.as_deref(), &args.set)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if let Some(scale) = args.scale {
        scenario.scale = scale;
    }
    let pool = thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name));

    let bar = progress_bar(args.quiet, scenario.calendar.days, "day");
    let started = Instant::now();
    let results =
        pool.install(|| engine::run(&scenario, &|day| bar.set_position(u64::from(day))))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    output::write_run(
        &out,
        &scenario,
        &results,
        &RunInfo {
            threads,
            wall_seconds,
        },
    )
    .with_context(|| format!("writing results to {}", out.display()))?;
    if !args.quiet {
        print_summary(&scenario, &results, &out, wall_seconds);
    }
    if let Some(observed) = &args.score {
        score(&out, observed)?;
    }
    if args.plot {
        plot(&out)?;
    }
    Ok(())
}

fn plot(dir: &Path) -> anyhow::Result<()> {
    let files = exodus::plot::plot_dir(dir)?;
    for f in files {
        println!("drawn {}", f.display());
    }
    Ok(())
}

fn compare(args: &CompareArgs) -> anyhow::Result<()> {
    let mut scenarios = Vec::with_capacity(args.scenarios.len());
    for path in &args.scenarios {
        let mut s = load(Some(path), &args.set)?;
        if let Some(scale) = args.scale {
            s.scale = scale;
        }
        scenarios.push(s);
    }
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| names[..i].contains(n).then_some(n))
    {
        anyhow::bail!("two scenarios are named `{dup}`: give each a distinct `name`");
    }
    let base = &scenarios[0];
    let master = args.seed.unwrap_or(base.seed);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("compare-{}", base.name)));
    let pool = thread_pool(args.threads)?;
    let started = Instant::now();
    let runs = pool.install(|| exodus::compare::run_all(&scenarios, args.replicates, master))?;
    let rows = exodus::compare::summarize(&runs);
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    exodus::compare::write_summary(&out.join("compare_summary.csv"), &rows)?;
    exodus::compare::write_daily(&out.join("compare_daily.csv"), &runs)?;
    println!(
        "{} scenarios × {} paired replicates at 1:{} in {:.1} s; base `{}`",
        scenarios.len(),
        args.replicates,
        base.scale,
        started.elapsed().as_secs_f64(),
        base.name
    );
    println!();
    println!(
        "{:<38} {:<16} {:>11} {:>11}   {:<27}",
        "scenario", "exodus to", "mean", "vs base", "95% interval of difference"
    );
    let shown = |r: &&exodus::compare::SummaryRow| {
        r.metric == "exodus"
            || (r.place == "national" && matches!(r.metric.as_str(), "drafted" | "stuck"))
    };
    for r in rows.iter().filter(shown) {
        let label = if r.metric == "exodus" {
            r.place.clone()
        } else {
            r.metric.clone()
        };
        match r.diff {
            Some(d) => println!(
                "{:<38} {:<16} {:>11.0} {:>+11.0}   [{:+.0}, {:+.0}]",
                r.scenario, label, r.value.mean, d.mean, d.low, d.high
            ),
            None => println!("{:<38} {:<16} {:>11.0}", r.scenario, label, r.value.mean),
        }
    }
    println!();
    println!(
        "written to {} (compare_summary.csv, compare_daily.csv)",
        out.display()
    );
    if args.plot {
        plot(&out)?;
    }
    Ok(())
}

fn sweep(args: &SweepArgs) -> anyhow::Result<()> {
    let doc = load_doc(args.scenario.as_deref(), &args.set)?;
    let scenario = doc.scenario()?;
    let axes = args
        .params
        .iter()
        .map(|p| {
            p.parse::<exodus::sweep::Axis>()
                .map_err(|m| anyhow::anyhow!("--param: {m}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name).join("sweep"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let path = out.join("sweep.csv");
    let pool = thread_pool(args.threads)?;
    let started = Instant::now();
    let rows = pool.install(|| {
        exodus::sweep::sweep(
            &doc,
            &axes,
            args.replicates,
            args.scale,
            args.seed.unwrap_or(scenario.seed),
            &path,
        )
    })?;
    println!(
        "{} points × {} replicates = {rows} runs in {:.1} s; written {}",
        exodus::sweep::grid(&axes).len(),
        args.replicates,
        started.elapsed().as_secs_f64(),
        path.display()
    );
    Ok(())
}

fn score(run_dir: &Path, observed: &Path) -> anyhow::Result<()> {
    let run = exodus::output::read_run(run_dir)?;
    let name = observed.display().to_string();
    let text = std::fs::read_to_string(observed).map_err(|e| InputError {
        file: name.clone(),
        line: None,
        column: None,
        key: None,
        message: format!("cannot read the observed figures: {e}"),
    })?;
    let figures = exodus::score::read_observed(&name, &text)?;
    let scored = exodus::score::score(&run, &figures, &name)?;
    let summary = exodus::score::summarize(&scored);
    let path = run_dir.join("score.csv");
    exodus::score::write_csv(&path, &scored)
        .with_context(|| format!("writing {}", path.display()))?;
    println!(
        "{:<24} {:<22} {:<18} {:>12} {:>12} {:>7}",
        "figure", "place", "metric", "observed", "simulated", "ratio"
    );
    for s in &scored {
        let f = &s.figure;
        println!(
            "{:<24} {:<22} {:<18} {:>12} {:>12.0} {:>7.3}",
            f.id,
            f.place,
            f.metric.name(),
            f.observed.to_string(),
            s.simulated,
            s.ratio
        );
    }
    println!();
    println!("figures scored                 {}", summary.figures);
    println!(
        "median |log error|             {:.3}",
        summary.median_abs_log_error
    );
    println!(
        "within ±25%                    {:.0}%",
        100.0 * summary.share_within_25pct
    );
    match summary.averaged_relative_difference {
        Some(ard) => println!(
            "averaged relative difference   {ard:.3} (over {} daily figures)",
            summary.daily_figures
        ),
        None => println!("averaged relative difference   n/a (no daily figures)"),
    }
    println!("written                        {}", path.display());
    Ok(())
}

fn calibrate(args: &CalibrateArgs) -> anyhow::Result<()> {
    let doc = load_doc(args.scenario.as_deref(), &args.set)?;
    let scenario = doc.scenario()?;
    let spec = scenario
        .calibration
        .clone()
        .ok_or(exodus::calibrate::CalibrationError::NothingToFit)?;
    let options = exodus::calibrate::Options {
        budget: args.budget.unwrap_or(spec.budget),
        replicates: args.replicates.unwrap_or(spec.replicates),
        scale: args.scale.or(spec.scale).unwrap_or(scenario.scale),
        seed: args.seed.unwrap_or(scenario.seed),
        restarts: args.restarts.unwrap_or(spec.restarts),
    };
    let command = format!(
        "exodus calibrate {} --budget {} --replicates {} --scale {} --seed {} --restarts {}",
        args.scenario.as_ref().map_or_else(
            || "scenarios/mobilization-2022.toml".to_owned(),
            |p| p.display().to_string()
        ),
        options.budget,
        options.replicates,
        options.scale,
        options.seed,
        options.restarts
    );
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name).join("calibration"));
    let pool = thread_pool(args.threads)?;
    let bar = progress_bar(args.quiet, options.budget, "evaluation");
    let started = Instant::now();
    let fit = pool
        .install(|| exodus::calibrate::calibrate(&doc, options, &|n| bar.set_position(n as u64)))?;
    bar.finish_and_clear();
    exodus::calibrate::write(&out, &doc, &scenario.calendar, &fit, &command)
        .with_context(|| format!("writing the calibration to {}", out.display()))?;
    if args.quiet {
        return Ok(());
    }
    println!(
        "calibrated `{}` in {:.1} s: {} evaluations of {} replicates at 1:{}, loss {:.6}",
        scenario.name,
        started.elapsed().as_secs_f64(),
        fit.trace.len(),
        options.replicates,
        options.scale,
        fit.loss
    );
    println!();
    println!("{:<48} {:>12}  note", "parameter", "value");
    for p in &fit.parameters {
        println!(
            "{:<48} {:>12}  {}",
            p.parameter.path.to_string(),
            scenario::format_float(p.value),
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

fn thread_pool(threads: Option<u16>) -> anyhow::Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(usize::from(n));
    }
    pool.build().context("cannot start the worker threads")
}

fn bench(args: &BenchArgs) -> anyhow::Result<()> {
    let mut scenario = load(args.scenario.as_deref(), &args.set)?;
    if let Some(scale) = args.scale {
        scenario.scale = scale;
    }
    let pool = thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name).join("bench"));
    let report =
        pool.install(|| exodus::bench::run(&scenario, usize::from(args.repeat), threads, &out))?;
    let csv = out.join("bench.csv");
    exodus::bench::write_csv(&csv, std::slice::from_ref(&report))
        .with_context(|| format!("writing {}", csv.display()))?;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "scenario            {} (1:{})",
        report.scenario, report.scale
    );
    println!("agents              {}", thousands(report.agents));
    println!("days                {}", report.days);
    println!("threads             {}", report.threads);
    println!(
        "wall (median of {})  {:.3} s",
        report.repeat, report.wall_seconds
    );
    println!("  population        {:.3} s", report.population_seconds);
    println!("  simulation        {:.3} s", report.simulation_seconds);
    println!("  output            {:.3} s", report.output_seconds);
    println!(
        "agent-days/s        {:.1} M",
        report.agent_days_per_second as f64 / 1e6
    );
    match (report.peak_rss_bytes, report.bytes_per_agent) {
        (Some(rss), Some(per)) => {
            println!(
                "peak RSS            {:.1} MiB ({per:.1} bytes/agent)",
                mib(rss)
            );
        }
        _ => println!("peak RSS            not available on this platform"),
    }
    println!("written             {}", csv.display());
    Ok(())
}

fn progress_bar(quiet: bool, length: u32, unit: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(u64::from(length));
    let template =
        format!("{{spinner}} {unit} {{pos}}/{{len}} {{wide_bar}} {{elapsed}} (eta {{eta}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

fn print_summary(scenario: &Scenario, results: &engine::RunResults, out: &Path, wall_seconds: f64) {
    let last = results.national.last().copied().unwrap_or_default();
    println!(
        "{}: {} eligible men as {} agents (1:{}), {} to {}, seed {}",
        scenario.name,
        thousands(results.eligible),
        thousands(results.agents),
        scenario.scale,
        scenario.calendar.start,
        scenario.calendar.end(),
        scenario.seed
    );
    println!();
    println!("{:<16} {:>12}", "destination", "exodus");
    for (d, name) in results.destinations.iter().enumerate() {
        println!("{name:<16} {:>12}", thousands(results.total_exodus(d)));
    }
    println!();
    println!(
        "abroad {}  drafted {} (at the border {})  stuck {}  returned {}  on the way {}",
        thousands(last.abroad),
        thousands(last.drafted),
        thousands(last.drafted_at_border),
        thousands(last.stuck),
        thousands(last.returned),
        thousands(last.traveling + last.queued)
    );
    println!(
        "simulated in {wall_seconds:.2} s; results in {}",
        out.display()
    );
}

fn check(args: &CheckArgs) -> anyhow::Result<()> {
    let s = load(args.scenario.as_deref(), &args.set)?;
    let expected: f64 = exodus::population::expected_eligible(&s).iter().sum();
    let p = &s.population;
    println!("scenario `{}`: {}", s.name, s.description.trim());
    println!(
        "dates: {} to {} ({} days), decree {}",
        s.calendar.start,
        s.calendar.end(),
        s.calendar.days,
        s.calendar.date(i64::from(s.calendar.decree))
    );
    let (fp, visa) = implied_shares(&s);
    println!(
        "population: {} regions, men aged {}-{}: {} eligible, about {} agents at 1:{}",
        s.regions.len(),
        p.age_min,
        p.age_max,
        thousands(expected.round() as u64),
        thousands((expected / f64::from(s.scale)).round() as u64),
        s.scale
    );
    println!(
        "  implied shares: foreign passport {:.1}%, Schengen visa {:.1}%, prior service {:.0}%, car {:.0}%",
        100.0 * fp,
        100.0 * visa,
        100.0 * p.prior_service_share,
        100.0 * p.car_share
    );
    println!("call-up schedule:");
    for &(day, drafted) in &s.mobilization.schedule {
        println!(
            "  {} {:>10}",
            s.calendar.date(day),
            thousands(drafted.round() as u64)
        );
    }
    println!("crossings:");
    println!(
        "  {:<14} {:<14} {:>9} {:>9}",
        "id", "destination", "capacity", "baseline"
    );
    for c in &s.crossings {
        println!(
            "  {:<14} {:<14} {:>9} {:>9}",
            c.id, s.destinations[c.destination].name, c.capacity, c.baseline
        );
    }
    println!("policy timeline:");
    let mut policies: Vec<_> = s.policies.iter().collect();
    policies.sort_by_key(|p| (p.start, p.id.clone()));
    for policy in policies {
        let places: Vec<&str> = policy
            .crossings
            .iter()
            .map(|&c| s.crossings[c].id.as_str())
            .collect();
        let target = match &policy.kind {
            PolicyKind::ClosureAnnouncement { announces } => {
                format!("announces `{}`", s.policies[*announces].id)
            }
            _ if places.is_empty() => "national".to_owned(),
            _ => places.join(", "),
        };
        let end = policy
            .end
            .map_or(String::new(), |e| format!(" to {}", s.calendar.date(e)));
        println!(
            "  {}{} {:<26} {:<28} {}",
            s.calendar.date(policy.start),
            end,
            policy.kind.name(),
            policy.id,
            target
        );
    }
    println!("ok");
    Ok(())
}

/// National shares of foreign-passport and visa holders implied by the scenario.
fn implied_shares(s: &Scenario) -> (f64, f64) {
    let eligible = exodus::population::expected_eligible(s);
    let (mut total, mut fp, mut visa) = (0.0, 0.0, 0.0);
    for (r, region) in s.regions.iter().enumerate() {
        let (fu, fr) = s.population.foreign_passport[r];
        let (vu, vr) = s.population.schengen_visa[r];
        let u = region.urban_share;
        total += eligible[r];
        fp += eligible[r] * (u * fu + (1.0 - u) * fr);
        visa += eligible[r] * (u * fu * vu + (1.0 - u) * fr * vr);
    }
    if total > 0.0 {
        (fp / total, visa / total)
    } else {
        (0.0, 0.0)
    }
}

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
