//! `exodus run`: simulate a scenario and write its results.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;

use exodus::engine;
use exodus::output::{self, RunInfo};
use exodus::results::RunResults;
use exodus::scenario::Scenario;

use super::args::RunArgs;
use super::{
    Interrupted, catch_interrupt, interrupted, plot, progress_bar, score, thousands, thread_pool,
};

pub(crate) fn run(args: &RunArgs) -> anyhow::Result<()> {
    let scenario = args.input.scenario_at(args.seed, args.scale)?;
    let pool = thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name));

    output::check_destination(&out, "run", &scenario.name, args.force)?;
    let bar = progress_bar(args.quiet, scenario.calendar.days, "day");
    let started = Instant::now();
    catch_interrupt();
    let results = pool.install(|| -> anyhow::Result<RunResults> {
        let mut sim = engine::Simulation::new(&scenario)?;
        while !sim.finished() {
            if interrupted() {
                return Err(Interrupted.into());
            }
            sim.step();
            bar.set_position(u64::from(sim.days_done()));
        }
        Ok(sim.into_results())
    })?;
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

pub(crate) fn print_summary(
    scenario: &Scenario,
    results: &RunResults,
    out: &Path,
    wall_seconds: f64,
) {
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
