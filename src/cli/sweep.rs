//! `exodus sweep`: a grid of parameter values with replicates.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;

use super::args::SweepArgs;
use super::thread_pool;

pub(crate) fn sweep(args: &SweepArgs) -> anyhow::Result<()> {
    let doc = args.input.document()?;
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
