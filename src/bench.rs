//! `exodus bench`: timing a whole run, phase by phase.
//!
//! A benchmark runs the scenario `repeat` times end to end (population
//! synthesis, simulation, writing the CSV) and reports the median wall time
//! of each phase and of the whole, the throughput in agent-days per second,
//! the men who acted, and the peak resident memory of the process.
//!
//! The throughput is counted the old way, as if every eligible man were an
//! agent visited every day (eligible agents × days ÷ wall time), so that it
//! stays comparable with per-agent simulators such as Flee; the engine
//! itself touches only the men who act (see [`crate::population`]), and
//! `men_acted` says how many they were. Speed is measured here and
//! in `benches/`, never in tests.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::engine::{EngineError, Simulation};
use crate::exit::Exit;
use crate::output::{self, OutputError, RunInfo};
use crate::population::synthesize;
use crate::scenario::Scenario;
use crate::settings::RunSettings;

/// The file `exodus bench` writes its report to, one row a benchmark.
pub const BENCH_CSV: &str = "bench.csv";

/// One benchmark's figures (medians over the repeats): a row of [`BENCH_CSV`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchReport {
    /// Scenario name.
    pub scenario: String,
    /// Persons per agent.
    pub scale: u32,
    /// Eligible agents (men at the scale), whether kept as counts or agents.
    pub agents: u64,
    /// Men (persons) who acted over the run: those who became individual
    /// agents (decided to leave); the last repeat's.
    pub men_acted: u64,
    /// Days simulated.
    pub days: u32,
    /// Worker threads.
    pub threads: usize,
    /// Repeats the medians are taken over.
    pub repeat: usize,
    /// Median wall seconds of a whole run.
    pub wall_seconds: f64,
    /// Agents × days over the median wall time.
    pub agent_days_per_second: u64,
    /// Peak resident set size of the process (bytes), where the platform tells.
    pub peak_rss_bytes: Option<u64>,
    /// Peak RSS over agents.
    pub bytes_per_agent: Option<f64>,
    /// Median seconds of population synthesis.
    pub population_seconds: f64,
    /// Median seconds of the simulation.
    pub simulation_seconds: f64,
    /// Median seconds of rendering and writing the CSV files.
    pub output_seconds: f64,
}

/// Why a benchmark failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The engine could not start.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The results could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl Exit for BenchError {
    fn exit_code(&self) -> u8 {
        match self {
            BenchError::Engine(e) => e.exit_code(),
            BenchError::Output(e) => e.exit_code(),
        }
    }
}

/// Runs `scenario` (with the `--set` values `set`) `repeat` times with
/// `settings`, writing each run's CSV into `out`, on the current rayon pool
/// of `threads` threads.
pub fn run(
    scenario: &Scenario,
    settings: &RunSettings,
    set: &[String],
    repeat: usize,
    threads: usize,
    out: &Path,
) -> Result<BenchReport, BenchError> {
    let repeat = repeat.max(1);
    let mut phases: Vec<[f64; 3]> = Vec::with_capacity(repeat);
    let (mut agents, mut acted) = (0, 0);
    for _ in 0..repeat {
        let started = Instant::now();
        let population = synthesize(scenario, settings);
        agents = population.eligible_agents();
        let synthesized = Instant::now();
        let mut sim = Simulation::with_population(scenario, settings, population)?;
        while !sim.finished() {
            sim.step();
        }
        acted = sim.agents_acted();
        let results = sim.into_results();
        let simulated = Instant::now();
        let info = RunInfo {
            threads,
            wall_seconds: (simulated - started).as_secs_f64(),
            set: set.to_vec(),
        };
        output::write_run(out, scenario, settings, &results, &info, &|| false)?;
        let written = Instant::now();
        phases.push([
            (synthesized - started).as_secs_f64(),
            (simulated - synthesized).as_secs_f64(),
            (written - simulated).as_secs_f64(),
        ]);
    }
    // Microsecond resolution is all a wall clock gives; round so that the CSV reads cleanly.
    let micros = |x: f64| (x * 1e6).round() / 1e6;
    let median_of =
        |f: &dyn Fn(&[f64; 3]) -> f64| micros(crate::stats::median(phases.iter().map(f).collect()));
    let wall_seconds = median_of(&|p| p.iter().sum());
    let days = scenario.calendar().days;
    let peak_rss_bytes = peak_rss_bytes();
    Ok(BenchReport {
        scenario: scenario.name().to_owned(),
        scale: settings.scale(),
        agents,
        men_acted: acted * u64::from(settings.scale()),
        days,
        threads,
        repeat,
        wall_seconds,
        agent_days_per_second: (agents as f64 * f64::from(days) / wall_seconds).round() as u64,
        peak_rss_bytes,
        bytes_per_agent: peak_rss_bytes
            .filter(|_| agents > 0)
            .map(|b| (100.0 * b as f64 / agents as f64).round() / 100.0),
        population_seconds: median_of(&|p| p[0]),
        simulation_seconds: median_of(&|p| p[1]),
        output_seconds: median_of(&|p| p[2]),
    })
}

/// The process's peak resident set size, from `/proc/self/status` (Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Writes reports as CSV (one row each).
pub fn write_csv(path: &Path, reports: &[BenchReport]) -> Result<(), OutputError> {
    output::write_csv_file(path, reports.iter().cloned())
}
