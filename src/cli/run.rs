//! `exodus run`: simulate a scenario and write its results.

use std::path::Path;
use std::time::Instant;

use exodus::engine;
use exodus::output::{self, RunInfo};
use exodus::results::RunResults;
use exodus::scenario::Scenario;
use exodus::settings::RunSettings;

use super::args::RunArgs;
use super::{Context, Failure};
use super::{catch_interrupt, interrupted, plot, progress_bar, thousands, thread_pool};

pub(crate) fn run(args: &RunArgs) -> Result<(), Failure> {
    if let (Some(posterior), Some(replicates)) = (&args.posterior, args.replicates) {
        return super::compare::posterior_bands(args, posterior, replicates);
    }
    let (scenario, settings) = args.input.prepare(&args.settings.overrides())?;
    if let Some(observed) = &args.score {
        // Checked now, so that a mistake in it costs no simulation; read
        // again after the run, when the score is made.
        // Its places, metrics and windows are checked against the scenario's
        // too: a file none of whose figures this run can measure is refused.
        let file = exodus::score::load_observed(observed)?;
        exodus::validate::plan(&scenario, file.figures, &file.name)?;
    }
    let pool = thread_pool(settings.threads())?;
    let threads = pool.current_num_threads();
    let set = &args.input.set.set;
    let recorded = output::run_settings(settings.seed(), settings.scale(), set);
    let out = args.output.folder("run", scenario.name(), &recorded, || {
        Path::new("output").join(scenario.name())
    })?;
    let bar = progress_bar(args.quiet, scenario.calendar().days, "day");
    let started = Instant::now();
    catch_interrupt();
    let progress = |day: u32| bar.set_position(u64::from(day));
    let results = pool.install(|| engine::run(&scenario, &settings, &interrupted, &progress))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let info = RunInfo {
        threads,
        wall_seconds,
        set: set.clone(),
    };
    output::write_run(&out, &scenario, &settings, &results, &info, &interrupted)
        .with_context(|| format!("writing results to {}", out.display()))?;
    if !args.quiet {
        print_summary(&scenario, &settings, set, &results, &out, wall_seconds);
    }
    if let Some(observed) = &args.score {
        super::score::score_printing(&out, observed, !args.quiet)?;
    }
    if args.plot {
        plot(&out, args.quiet)?;
    }
    Ok(())
}

fn print_summary(
    scenario: &Scenario,
    settings: &RunSettings,
    set: &[String],
    results: &RunResults,
    out: &Path,
    wall_seconds: f64,
) {
    let last = results.national.last().copied().unwrap_or_default();
    let calendar = scenario.calendar();
    println!(
        "{}: {} eligible men as {} agents (1:{}), {} to {}, seed {}",
        scenario.name(),
        thousands(results.eligible),
        thousands(results.agents),
        settings.scale(),
        calendar.start,
        calendar.end(),
        settings.seed()
    );
    for value in set {
        println!("  with --set {value}");
    }
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
