//! `exodus compare`: scenarios side by side with paired replicates.

use std::path::Path;
use std::time::Instant;

use exodus::compare::{DAILY_CSV, SUMMARY_CSV};
use exodus::output;
use exodus::posterior::Posterior;
use exodus::scenario::{ParamPath, Scenario, ScenarioDocument};
use exodus::settings::RunSettings;

use super::args::{CompareArgs, RunArgs};

use super::{
    Context, catch_interrupt, interrupted, load_doc, plot, progress_bar, replicate_settings,
    thread_pool,
};
use super::{Failure, formatted_csv};

const COMMAND: &str = "compare";

pub(crate) fn compare(args: &CompareArgs) -> Result<(), Failure> {
    let overrides = args.ensemble.settings.overrides();
    let posterior = args.posterior.as_deref().map(Posterior::read).transpose()?;
    let mut docs = Vec::with_capacity(args.scenarios.len());
    let mut scenarios = Vec::with_capacity(args.scenarios.len());
    for path in &args.scenarios {
        let doc = load_doc(Some(path), &args.set.set)?;
        scenarios.push(doc.prepare(&overrides)?);
        docs.push(doc);
    }
    if let Some(posterior) = &posterior {
        refuse_overridden_parameters(posterior, &args.scenarios, &docs)?;
    }
    let names: Vec<&str> = scenarios.iter().map(|(s, _)| s.name()).collect();
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| names[..i].contains(n).then_some(n))
    {
        let message = format!("two scenarios are named `{dup}`: give each a distinct `name`");
        return Err(Failure::usage(anyhow::Error::msg(message)));
    }
    let (base, base_settings) = &scenarios[0];
    for ((alt, _), path) in scenarios.iter().zip(&args.scenarios).skip(1) {
        refuse_unpaired(base, alt, path)?;
    }
    let master = base_settings.seed();
    let mut settings = replicate_settings(
        args.ensemble.replicates,
        base_settings.scale(),
        master,
        &args.set.set,
    );
    settings.insert("scenarios".to_owned(), names.clone().into());
    let files_given = args.scenarios.iter().map(|p| p.display().to_string());
    settings.insert("files".to_owned(), files_given.collect::<Vec<_>>().into());
    if let Some(posterior) = &posterior {
        record_posterior(&mut settings, posterior);
    }
    let out = args
        .ensemble
        .output
        .folder(COMMAND, base.name(), &settings, || {
            Path::new("output").join(default_folder(&names))
        })?;
    let replicates = args.ensemble.replicates;
    let drawn = match &posterior {
        Some(posterior) => Some(drawn_versions(
            posterior, &docs, &scenarios, replicates, master,
        )?),
        None => None,
    };
    let pool = thread_pool(overrides.threads)?;
    catch_interrupt();
    let started = Instant::now();
    // Under a posterior every scenario runs twice: at its own values, then drawn.
    let fixed_runs = scenarios.len() * replicates as usize;
    let total = fixed_runs * if drawn.is_some() { 2 } else { 1 };
    let bar = progress_bar(args.quiet, total as u32, "run");
    let fixed = pool.install(|| {
        exodus::compare::run_all(
            &scenarios,
            replicates,
            master,
            &|done| bar.set_position(done as u64),
            &interrupted,
        )
    })?;
    let (runs, rows) = match &drawn {
        Some(drawn) => {
            let runs = pool.install(|| {
                exodus::compare::run_drawn(
                    drawn,
                    replicates,
                    master,
                    &|done| bar.set_position((fixed_runs + done) as u64),
                    &interrupted,
                )
            })?;
            let rows = exodus::compare::summarize_posterior(&runs, &fixed);
            (runs, rows)
        }
        None => {
            let rows = exodus::compare::summarize(&fixed);
            (fixed, rows)
        }
    };
    let mut files = summary_files(&rows, &runs)?;
    // What each alternative changes, key by key, for the reader of the
    // results (and the report) who has not the scenario files at hand.
    let changes: Vec<exodus::compare::ChangeRow> = docs
        .iter()
        .zip(&names)
        .skip(1)
        .flat_map(|(doc, name)| {
            exodus::scenario::diff::scenario_differences(&docs[0], doc)
                .into_iter()
                .map(move |d| exodus::compare::ChangeRow {
                    scenario: (*name).to_owned(),
                    path: d.path,
                    base: d.before.unwrap_or_default(),
                    alternative: d.after.unwrap_or_default(),
                })
        })
        .collect();
    files.push(formatted_csv(
        exodus::compare::CHANGES_CSV,
        exodus::compare::changes_csv(&changes),
    )?);
    let policies: Vec<exodus::compare::ScenarioPolicy> = scenarios
        .iter()
        .flat_map(|(scenario, _)| exodus::compare::ScenarioPolicy::of(scenario))
        .collect();
    files.push(formatted_csv(
        exodus::compare::POLICIES_CSV,
        exodus::compare::policies_csv(&policies),
    )?);
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: base.name().to_owned(),
        settings,
        outcome: toml::Table::new(),
    };
    output::write_folder(&out, &provenance, &files, &interrupted)?;
    if !args.quiet {
        println!(
            "{} × {} at 1:{} in {:.1} s; base `{}`",
            exodus::format::counted(scenarios.len() as u64, "scenario"),
            exodus::format::counted(u64::from(args.ensemble.replicates), "paired replicate"),
            base_settings.scale(),
            started.elapsed().as_secs_f64(),
            base.name()
        );
        if let Some(posterior) = &posterior {
            println!(
                "behaviour parameters drawn from {} ({} particles, effective size {:.0}); \
                 intervals are 95% posterior-predictive, P(>0) the posterior probability \
                 that the difference is positive",
                posterior.file(),
                posterior.particles().len(),
                posterior.effective_size()
            );
        }
        super::compare_table::print(&rows, posterior.is_some());
        println!();
        println!(
            "written to {} ({SUMMARY_CSV}, {DAILY_CSV}, {})",
            out.display(),
            output::FOLDER_MANIFEST
        );
    }
    if args.plot {
        plot(&out, args.quiet)?;
    }
    Ok(())
}

/// Per scenario, its version for each replicate: the scenario with the
/// parameters of the posterior's draw for that replicate. A parameter of an
/// entity that an alternative removed (a policy it drops, say) has no
/// meaning there: it is drawn for the scenarios that have it and left out
/// of that alternative, with a note.
fn drawn_versions(
    posterior: &Posterior,
    docs: &[ScenarioDocument],
    scenarios: &[(Scenario, RunSettings)],
    replicates: u32,
    master: u64,
) -> Result<Vec<(Vec<Scenario>, RunSettings)>, Failure> {
    let Some(base) = docs.first() else {
        return Ok(Vec::new());
    };
    docs.iter()
        .zip(scenarios)
        .map(|(doc, (scenario, settings))| {
            let removed: Vec<ParamPath> = posterior
                .parameters()
                .iter()
                .filter(|p| base.value(p).is_ok() && doc.value(p).is_err())
                .cloned()
                .collect();
            for path in &removed {
                eprintln!(
                    "note: `{}` has no `{path}` (it removes what the parameter belongs to): the posterior's draws of it apply to the other scenarios only",
                    scenario.name()
                );
            }
            let versions = posterior_versions(posterior, doc, replicates, master, &removed)?;
            Ok((versions, *settings))
        })
        .collect()
}

/// Records in a manifest's settings the posterior the runs drew from: its
/// file and its effective size.
pub(crate) fn record_posterior(settings: &mut toml::Table, posterior: &Posterior) {
    settings.insert("posterior".to_owned(), posterior.file().into());
    let ess = posterior.effective_size().round();
    settings.insert("posterior_effective_size".to_owned(), ess.into());
}

/// Replicate `r`'s version of a scenario under a posterior: the document
/// (with its `--set` values) with the parameters of the posterior's draw
/// `r` under the master seed, for `r` in `0..replicates`, but for those in
/// `leave_out`. Every scenario of a comparison gets the same draws, so
/// that its differences stay paired.
pub(crate) fn posterior_versions(
    posterior: &Posterior,
    doc: &ScenarioDocument,
    replicates: u32,
    master: u64,
    leave_out: &[ParamPath],
) -> Result<Vec<Scenario>, Failure> {
    (0..replicates)
        .map(|r| {
            let particle = posterior.draw(master, r);
            let mut values = posterior.assignment(particle);
            values.retain(|(path, _)| !leave_out.contains(path));
            doc.scenario_with(&values).with_context(|| {
                format!(
                    "applying particle `{}` of the posterior {} to the scenario",
                    particle.id,
                    posterior.file()
                )
            })
        })
        .collect()
}

/// Refuses a comparison under a posterior where an alternative sets one of
/// the posterior's parameters to a value of its own: the draw would replace
/// it, and the alternative would silently lose what makes it different.
fn refuse_overridden_parameters(
    posterior: &Posterior,
    files: &[std::path::PathBuf],
    docs: &[ScenarioDocument],
) -> Result<(), Failure> {
    let Some(base) = docs.first() else {
        return Ok(());
    };
    for (file, alternative) in files.iter().zip(docs).skip(1) {
        for path in posterior.parameters() {
            let (Ok(a), Ok(b)) = (base.value(path), alternative.value(path)) else {
                continue;
            };
            if a != b {
                let message = format!(
                    "{} sets `{path}` to {b}, the base to {a}; `--posterior {}` draws this \
                     parameter for every scenario alike, which would undo the difference. \
                     Compare without `--posterior`, or leave `{path}` out of the posterior",
                    file.display(),
                    posterior.file()
                );
                return Err(Failure::usage(anyhow::Error::msg(message)));
            }
        }
    }
    Ok(())
}

/// The default folder of a comparison of the scenarios `names` (the base
/// first): `compare-BASE-vs-ALT+ALT…`, so that comparisons of one base with
/// different alternatives do not meet in one folder; where the names would
/// make too long a name, `compare-BASE-vs-N-alternatives-HASH`, the hash
/// of the names.
fn default_folder(names: &[&str]) -> String {
    let (base, alternatives) = names.split_first().map_or(("", &[][..]), |(b, a)| (*b, a));
    let joined = format!("compare-{base}-vs-{}", alternatives.join("+"));
    if joined.len() <= 120 {
        return joined;
    }
    let hash = exodus::format::hex_sha256(names.join("\n").as_bytes());
    format!(
        "compare-{base}-vs-{}-alternatives-{}",
        alternatives.len(),
        hash.get(..8).unwrap_or_default()
    )
}

/// `exodus run --posterior FILE --replicates R`: one scenario, replicate
/// `r` with the parameters of the posterior's draw `r`; writes the mean and
/// the 95% posterior-predictive band of every figure, as a comparison of one
/// scenario does (`compare_summary.csv`, `compare_daily.csv`).
pub(crate) fn posterior_bands(
    args: &RunArgs,
    posterior: &Path,
    replicates: u32,
) -> Result<(), Failure> {
    let overrides = args.settings.overrides();
    let posterior = Posterior::read(posterior)?;
    let doc = args.input.document()?;
    let prepared = doc.prepare(&overrides)?;
    let master = prepared.1.seed();
    let scale = prepared.1.scale();
    let name = prepared.0.name().to_owned();
    let mut settings = replicate_settings(replicates, scale, master, &args.input.set.set);
    record_posterior(&mut settings, &posterior);
    let out = args.output.folder("run", &name, &settings, || {
        Path::new("output").join(&name).join("posterior")
    })?;
    let scenarios = [prepared];
    let drawn = drawn_versions(
        &posterior,
        std::slice::from_ref(&doc),
        &scenarios,
        replicates,
        master,
    )?;
    let pool = thread_pool(overrides.threads)?;
    catch_interrupt();
    let started = Instant::now();
    let bar = progress_bar(args.quiet, replicates, "replicate");
    let runs = pool.install(|| {
        exodus::compare::run_drawn(
            &drawn,
            replicates,
            master,
            &|done| bar.set_position(done as u64),
            &interrupted,
        )
    })?;
    bar.finish_and_clear();
    let rows = exodus::compare::summarize(&runs);
    let files = summary_files(&rows, &runs)?;
    let ess = posterior.effective_size();
    let provenance = output::Provenance {
        command: "run",
        scenario: name.clone(),
        settings,
        outcome: toml::Table::new(),
    };
    output::write_folder(&out, &provenance, &files, &interrupted)?;
    if !args.quiet {
        println!(
            "`{name}`: {} at 1:{scale} with behaviour drawn from {} \
             (effective size {ess:.0}) in {:.1} s",
            exodus::format::counted(u64::from(replicates), "replicate"),
            posterior.file(),
            started.elapsed().as_secs_f64()
        );
        println!();
        println!(
            "{:<24} {:>11}   {:<27}",
            "exodus to", "mean", "95% posterior-predictive"
        );
        for r in rows.iter().filter(|r| r.metric == "exodus") {
            let band = format!("[{:.0}, {:.0}]", r.value.q025, r.value.q975);
            println!("{:<24} {:>11.0}   {band:<27}", r.place, r.value.mean);
        }
        println!();
        println!("written to {} ({SUMMARY_CSV}, {DAILY_CSV})", out.display());
    }
    if args.plot {
        plot(&out, args.quiet)?;
    }
    Ok(())
}

/// The comparison's two tables, formatted.
fn summary_files(
    rows: &[exodus::compare::SummaryRow],
    runs: &[exodus::compare::ScenarioRuns],
) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    Ok(vec![
        formatted_csv(SUMMARY_CSV, exodus::compare::summary_csv(rows))?,
        formatted_csv(DAILY_CSV, exodus::compare::daily_csv(runs))?,
    ])
}

/// Refuses an alternative whose runs cannot be paired with the base's: a
/// different window (the daily series are paired day by day) or other
/// destinations (each figure is paired by its place's name).
fn refuse_unpaired(base: &Scenario, alt: &Scenario, path: &Path) -> Result<(), Failure> {
    let window = |s: &Scenario| (s.calendar().start, s.calendar().end());
    let refuse = |why: String| {
        let message = format!(
            "{}: cannot be compared with the base `{}`: {why}; a comparison pairs the same days and places",
            path.display(),
            base.name()
        );
        Err(Failure::usage(anyhow::Error::msg(message)))
    };
    let ((start, end), (alt_start, alt_end)) = (window(base), window(alt));
    if (start, end) != (alt_start, alt_end) {
        return refuse(format!(
            "it runs {alt_start} to {alt_end}, the base {start} to {end}"
        ));
    }
    let names = |s: &Scenario| {
        let mut n = s.destination_names();
        n.sort();
        n
    };
    let (ours, theirs) = (names(base), names(alt));
    if ours != theirs {
        let only = |a: &[String], b: &[String]| {
            a.iter()
                .filter(|n| !b.contains(n))
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        };
        return refuse(format!(
            "its destinations differ (only the base has: [{}]; only it has: [{}])",
            only(&ours, &theirs),
            only(&theirs, &ours)
        ));
    }
    Ok(())
}
