//! Criterion benchmarks of the engine's phases on the default scenario at 1:100
//! (about 309,000 agents): population synthesis, one simulated day in the thick
//! of the exodus, and a whole run. `exodus bench` times full-scale runs.
#![allow(missing_docs, clippy::expect_used)]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use exodus::engine::Simulation;
use exodus::population::synthesize;
use exodus::scenario::{Scenario, ScenarioDocument};
use exodus::settings::{Overrides, RunSettings};

fn scenario() -> (Scenario, RunSettings) {
    let overrides = Overrides {
        scale: Some(100),
        ..Overrides::default()
    };
    ScenarioDocument::embedded_default()
        .and_then(|doc| doc.prepare(&overrides))
        .expect("the default scenario is valid")
}

fn population(c: &mut Criterion) {
    let (s, settings) = scenario();
    c.bench_function("population synthesis 1:100", |b| {
        b.iter(|| synthesize(&s, &settings))
    });
}

fn one_day(c: &mut Criterion) {
    let (s, settings) = scenario();
    // Day 14 is 26 Sep, five days after the decree: queues, reroutes and call-ups all active.
    let day = 14;
    c.bench_function("one simulated day 1:100 (26 Sep)", |b| {
        b.iter_batched(
            || {
                let mut sim = Simulation::new(&s, &settings).expect("engine starts");
                for _ in 0..day {
                    sim.step();
                }
                sim
            },
            |mut sim| {
                sim.step();
                sim
            },
            BatchSize::LargeInput,
        )
    });
}

fn full_run(c: &mut Criterion) {
    let (s, settings) = scenario();
    let mut group = c.benchmark_group("full run");
    group.sample_size(10);
    group.bench_function("default scenario 1:100", |b| {
        b.iter(|| {
            Simulation::new(&s, &settings)
                .and_then(|sim| sim.run_until(&|| false, &|_| {}))
                .expect("the run completes")
        })
    });
    group.finish();
}

criterion_group!(benches, population, one_day, full_run);
criterion_main!(benches);
