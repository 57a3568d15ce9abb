//! The `exodus` command line: a thin layer over the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use exodus::engine;
use exodus::output::{self, RunInfo};
use exodus::scenario::{self, LoadError, PolicyKind, Scenario};

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
    Check {
        /// Scenario TOML file (the embedded default when omitted).
        scenario: Option<PathBuf>,
    },
    /// Time whole runs phase by phase; prints a table and writes bench.csv.
    Bench(BenchArgs),
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Scenario TOML file (the embedded default when omitted).
    scenario: Option<PathBuf>,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Run(args)) => run(&args),
        Some(Command::Check { scenario }) => check(scenario.as_deref()),
        Some(Command::Bench(args)) => bench(&args),
        None => run(&RunArgs::default()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let input = err.chain().any(|e| e.downcast_ref::<LoadError>().is_some());
            eprintln!("error: {err:#}");
            ExitCode::from(if input { EXIT_INPUT } else { 1 })
        }
    }
}

fn load(path: Option<&Path>) -> Result<Scenario, LoadError> {
    match path {
        Some(p) => scenario::load(p),
        None => scenario::load_default(),
    }
}

fn run(args: &RunArgs) -> anyhow::Result<()> {
    let mut scenario = load(args.scenario.as_deref())?;
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

    let bar = progress_bar(args.quiet, scenario.calendar.days);
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
    let mut scenario = load(args.scenario.as_deref())?;
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

fn progress_bar(quiet: bool, days: u32) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(u64::from(days));
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} simulating day {pos}/{len} {wide_bar} {elapsed}")
    {
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

fn check(path: Option<&Path>) -> anyhow::Result<()> {
    let s = load(path)?;
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
