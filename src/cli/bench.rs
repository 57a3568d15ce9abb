//! `exodus bench`: time whole runs phase by phase.

use std::path::Path;

use exodus::settings::Overrides;

use super::args::{BenchArgs, OutputArgs};
use super::{Context, Failure};
use super::{thousands, thread_pool};

pub(crate) fn bench(args: &BenchArgs) -> Result<(), Failure> {
    let overrides = Overrides {
        scale: args.size.scale,
        threads: args.size.threads,
        ..Overrides::default()
    };
    let (scenario, settings) = args.input.prepare(&overrides)?;
    let pool = thread_pool(settings.threads())?;
    let threads = pool.current_num_threads();
    let set = &args.input.set.set;
    let recorded = exodus::output::run_settings(settings.seed(), settings.scale(), set);
    let output = OutputArgs {
        out: args.out.clone(),
        force: false,
    };
    // The runs are written as a run's folder is, into a folder claimed as
    // one (its `bench.csv` is derived from them).
    let out = output.folder("run", scenario.name(), &recorded, || {
        Path::new("output").join(scenario.name()).join("bench")
    })?;
    let repeat = usize::from(args.repeat);
    let report =
        pool.install(|| exodus::bench::run(&scenario, &settings, set, repeat, threads, &out))?;
    let csv = out.join(exodus::bench::BENCH_CSV);
    exodus::bench::write_csv(&csv, std::slice::from_ref(&report))
        .with_context(|| format!("writing {}", csv.display()))?;
    if args.quiet {
        return Ok(());
    }
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "scenario            {} (1:{})",
        report.scenario, report.scale
    );
    println!("agents              {}", thousands(report.agents));
    println!("men who acted       {}", thousands(report.men_acted));
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
        "agent-days/s        {:.1} M (eligible men × days ÷ wall)",
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
