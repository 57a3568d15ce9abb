//! `exodus sensitivity`: how much each [calibration] parameter moves the
//! chosen outputs (see `exodus::sensitivity`).

use std::path::Path;
use std::time::Instant;

use exodus::input_error::InputError;
use exodus::output;
use exodus::sensitivity::{self, IndexRow, Method, Options, RUNS_CSV, SENSITIVITY_CSV};
use exodus::settings::Overrides;

use super::args::{SensitivityArgs, SensitivityMethod};
use super::{Context, Failure, formatted_csv};
use super::{
    catch_interrupt, interrupted, load_doc, progress_bar, replicate_settings, thread_pool,
};

const COMMAND: &str = "sensitivity";

/// An option that does not go with the method.
fn misplaced(option: &str, value: usize, method: &str, instead: &str) -> InputError {
    InputError {
        file: format!("--{option} {value}"),
        line: None,
        column: None,
        key: None,
        message: format!("--{option} is not an option of --method {method}; it takes {instead}"),
    }
}

/// The method and its size, refusing the other method's options.
fn method(args: &SensitivityArgs) -> Result<Method, InputError> {
    match args.method {
        SensitivityMethod::Sobol => {
            if let Some(r) = args.trajectories {
                return Err(misplaced("trajectories", r, "sobol", "--samples"));
            }
            if let Some(p) = args.levels {
                return Err(misplaced("levels", p, "sobol", "--samples"));
            }
            Ok(Method::Sobol {
                samples: args.samples.unwrap_or(64),
            })
        }
        SensitivityMethod::Morris => {
            if let Some(n) = args.samples {
                return Err(misplaced(
                    "samples",
                    n,
                    "morris",
                    "--trajectories and --levels",
                ));
            }
            Ok(Method::Morris {
                trajectories: args.trajectories.unwrap_or(20),
                levels: args.levels.unwrap_or(4),
            })
        }
    }
}

pub(crate) fn sensitivity(args: &SensitivityArgs) -> Result<(), Failure> {
    let doc = args.input.document()?;
    let scenario = doc.scenario()?;
    let overrides = args.settings.overrides();
    let settings = doc.calibration_settings(&scenario, &overrides)?;
    let alternative = match &args.effect_of {
        Some(path) => {
            let alt = load_doc(Some(path), &args.input.set.set)?;
            let alt_scenario = alt.scenario()?;
            let same = Overrides {
                seed: Some(settings.seed()),
                scale: Some(settings.scale()),
                threads: overrides.threads,
            };
            let alt_settings = alt.settings(&alt_scenario, &same)?;
            Some((alt, alt_scenario, alt_settings))
        }
        None => None,
    };
    let options = Options {
        method: method(args)?,
        parameters: args
            .parameters
            .iter()
            .map(|p| p.trim().to_owned())
            .collect(),
        outputs: args.outputs.iter().map(|o| o.trim().to_owned()).collect(),
        resamples: args.resamples,
    };
    let plan = sensitivity::plan(&scenario, alternative.is_some(), &options, settings.seed())?;
    let mut manifest =
        replicate_settings(1, settings.scale(), settings.seed(), &args.input.set.set);
    manifest.remove("replicates");
    if let Some(file) = &args.input.scenario {
        manifest.insert("file".to_owned(), file.display().to_string().into());
    }
    manifest.insert("method".to_owned(), plan.method.name().into());
    match plan.method {
        Method::Sobol { samples } => {
            manifest.insert("samples".to_owned(), (samples as i64).into());
        }
        Method::Morris {
            trajectories,
            levels,
        } => {
            manifest.insert("trajectories".to_owned(), (trajectories as i64).into());
            manifest.insert("levels".to_owned(), (levels as i64).into());
        }
    }
    let parameters: Vec<String> = plan.parameters.iter().map(|p| p.path.to_string()).collect();
    manifest.insert("parameters".to_owned(), parameters.into());
    let outputs: Vec<String> = plan.outputs.iter().map(|o| o.name.clone()).collect();
    manifest.insert("outputs".to_owned(), outputs.into());
    manifest.insert("resamples".to_owned(), args.resamples.into());
    if let Some(alt) = &args.effect_of {
        manifest.insert("effect_of".to_owned(), alt.display().to_string().into());
    }
    let out = args
        .output
        .folder(COMMAND, scenario.name(), &manifest, || {
            Path::new("output")
                .join(scenario.name())
                .join("sensitivity")
        })?;
    let pool = thread_pool(settings.threads())?;
    catch_interrupt();
    let total = plan.runs();
    let bar = progress_bar(args.quiet, total as u32, "run");
    let started = Instant::now();
    let alt = alternative.as_ref().map(|(doc, _, s)| (doc, s));
    let runs = pool.install(|| {
        sensitivity::run(
            &plan,
            &doc,
            &settings,
            alt,
            &|done| bar.set_position(done as u64),
            &interrupted,
        )
    })?;
    bar.finish_and_clear();
    let rows = sensitivity::indices(&plan, &runs, settings.seed());
    let wall = started.elapsed().as_secs_f64();

    let files = vec![
        formatted_csv(SENSITIVITY_CSV, sensitivity::sensitivity_csv(&plan, &rows))?,
        formatted_csv(RUNS_CSV, sensitivity::runs_csv(&plan, &runs))?,
    ];
    let outcome = toml::Table::from_iter([
        (
            "wall_seconds".to_owned(),
            ((wall * 10.0).round() / 10.0).into(),
        ),
        ("runs".to_owned(), (total as i64).into()),
    ]);
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: scenario.name().to_owned(),
        settings: manifest,
        outcome,
    };
    output::write_folder(&out, &provenance, &files, &interrupted)
        .with_context(|| format!("writing the sensitivity analysis to {}", out.display()))?;
    let charts = exodus::plot::plot_dir(&out)?;
    if !args.quiet {
        println!(
            "{} of `{}`: {} parameters × {} outputs, {total} runs at 1:{} in {wall:.1} s",
            plan.method.name(),
            scenario.name(),
            plan.parameters.len(),
            plan.outputs.len(),
            settings.scale(),
        );
        print_table(&rows);
        for doubt in exodus::sensitivity::doubts(&plan.method, &rows) {
            println!("note: {doubt}");
        }
        let drawn: Vec<String> = charts.iter().map(|c| c.display().to_string()).collect();
        println!();
        println!(
            "written to {} ({SENSITIVITY_CSV}, {RUNS_CSV}, {}); drawn {}",
            out.display(),
            output::FOLDER_MANIFEST,
            drawn.join(", ")
        );
    }
    Ok(())
}

/// The indices, an output at a time: a line per parameter, its indices
/// side by side with their intervals.
fn print_table(rows: &[IndexRow]) {
    let mut output = "";
    let mut parameter = "";
    for r in rows {
        if r.output != output {
            output = &r.output;
            println!();
            println!("{output}");
            parameter = "";
        }
        if r.parameter != parameter {
            if !parameter.is_empty() {
                println!();
            }
            parameter = &r.parameter;
            print!("  {parameter:<44}");
        }
        let value = r
            .value
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
        match r.interval {
            Some((low, high)) if r.value.is_some() => {
                print!(" {:>7} {value:>9} [{low:.3}, {high:.3}]", r.index);
            }
            _ => print!(" {:>7} {value:>9}", r.index),
        }
    }
    if !rows.is_empty() {
        println!();
    }
    if rows.iter().any(|r| r.value.is_none()) {
        println!("(-: the output does not vary over the design, so it has no indices)");
    }
}
