//! `exodus compare`: scenarios side by side with paired replicates.

use std::path::Path;
use std::time::Instant;

use exodus::compare::{DAILY_CSV, SUMMARY_CSV};
use exodus::output;

use super::args::CompareArgs;

use super::Failure;
use super::{catch_interrupt, interrupted, load_doc, plot, replicate_settings, thread_pool};

const COMMAND: &str = "compare";

pub(crate) fn compare(args: &CompareArgs) -> Result<(), Failure> {
    let overrides = args.ensemble.settings.overrides();
    let mut scenarios = Vec::with_capacity(args.scenarios.len());
    for path in &args.scenarios {
        scenarios.push(load_doc(Some(path), &args.set.set)?.prepare(&overrides)?);
    }
    let names: Vec<&str> = scenarios.iter().map(|(s, _)| s.name()).collect();
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| names[..i].contains(n).then_some(n))
    {
        let message = format!("two scenarios are named `{dup}`: give each a distinct `name`");
        return Err(Failure::other(anyhow::Error::msg(message)));
    }
    let (base, base_settings) = &scenarios[0];
    let master = base_settings.seed();
    let out = args.ensemble.output.folder(COMMAND, base.name(), || {
        Path::new("output").join(format!("compare-{}", base.name()))
    })?;
    let pool = thread_pool(overrides.threads)?;
    catch_interrupt();
    let started = Instant::now();
    let runs = pool.install(|| {
        exodus::compare::run_all(&scenarios, args.ensemble.replicates, master, &interrupted)
    })?;
    let rows = exodus::compare::summarize(&runs);
    let formatted = |name: &str, csv: Result<Vec<u8>, csv::Error>| {
        let context = format!("formatting {name}");
        csv.map(|bytes| (name.to_owned(), bytes))
            .map_err(|e| Failure::other(anyhow::Error::new(e).context(context)))
    };
    let files = vec![
        formatted(SUMMARY_CSV, exodus::compare::summary_csv(&rows))?,
        formatted(DAILY_CSV, exodus::compare::daily_csv(&runs))?,
    ];
    let mut settings = replicate_settings(
        args.ensemble.replicates,
        base_settings.scale(),
        master,
        &args.set.set,
    );
    settings.insert("scenarios".to_owned(), names.clone().into());
    let files_given = args.scenarios.iter().map(|p| p.display().to_string());
    settings.insert("files".to_owned(), files_given.collect::<Vec<_>>().into());
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: base.name().to_owned(),
        settings,
        outcome: toml::Table::new(),
    };
    output::write_folder(&out, &provenance, &files)?;
    println!(
        "{} scenarios × {} paired replicates at 1:{} in {:.1} s; base `{}`",
        scenarios.len(),
        args.ensemble.replicates,
        base_settings.scale(),
        started.elapsed().as_secs_f64(),
        base.name()
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
        "written to {} ({SUMMARY_CSV}, {DAILY_CSV}, {})",
        out.display(),
        output::FOLDER_MANIFEST
    );
    if args.plot {
        plot(&out)?;
    }
    Ok(())
}
