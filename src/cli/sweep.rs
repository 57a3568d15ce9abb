//! `exodus sweep`: a grid of parameter values with replicates.

use std::path::Path;
use std::time::Instant;

use exodus::output;

use super::args::SweepArgs;
use super::{catch_interrupt, interrupted, seed_value, thread_pool};

const COMMAND: &str = "sweep";

pub(crate) fn sweep(args: &SweepArgs) -> anyhow::Result<()> {
    let doc = args.input.document()?;
    let scenario = doc.scenario()?;
    let axes = args
        .params
        .iter()
        .map(|p| {
            p.parse::<exodus::sweep::Axis>()
                .map_err(|message| exodus::scenario::InputError {
                    file: format!("--param {p}"),
                    line: None,
                    column: None,
                    key: None,
                    message,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name).join("sweep"));
    output::check_destination(&out, COMMAND, &scenario.name, args.force)?;
    let master = args.seed.unwrap_or(scenario.seed);
    let pool = thread_pool(args.threads)?;
    catch_interrupt();
    let started = Instant::now();
    let table = pool.install(|| {
        exodus::sweep::sweep(
            &doc,
            &axes,
            args.replicates,
            args.scale,
            master,
            &interrupted,
        )
    })?;
    let mut settings = toml::Table::new();
    if let Some(file) = &args.input.scenario {
        settings.insert("file".to_owned(), file.display().to_string().into());
    }
    settings.insert("param".to_owned(), args.params.clone().into());
    settings.insert("replicates".to_owned(), args.replicates.into());
    settings.insert(
        "scale".to_owned(),
        args.scale.unwrap_or(scenario.scale).into(),
    );
    settings.insert("seed".to_owned(), seed_value(master));
    settings.insert("set".to_owned(), args.input.set.clone().into());
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: scenario.name.clone(),
        settings,
    };
    let files = [(exodus::sweep::SWEEP_CSV.to_owned(), table.csv)];
    output::write_folder(&out, &provenance, &files)?;
    println!(
        "{} points × {} replicates = {} runs in {:.1} s; written {}",
        exodus::sweep::grid(&axes).len(),
        args.replicates,
        table.runs,
        started.elapsed().as_secs_f64(),
        out.join(exodus::sweep::SWEEP_CSV).display()
    );
    Ok(())
}
