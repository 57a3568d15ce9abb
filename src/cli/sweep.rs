//! `exodus sweep`: a grid of parameter values with replicates.

use std::path::Path;
use std::time::Instant;

use exodus::output;

use super::Failure;
use super::args::SweepArgs;
use super::{catch_interrupt, interrupted, replicate_settings, thread_pool};

const COMMAND: &str = "sweep";

pub(crate) fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    let doc = args.input.document()?;
    let scenario = doc.scenario()?;
    let axes = args
        .params
        .iter()
        .map(|p| {
            p.parse::<exodus::sweep::Axis>()
                .map_err(|message| exodus::input_error::InputError {
                    file: format!("--param {p}"),
                    line: None,
                    column: None,
                    key: None,
                    message,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let out = args.ensemble.output.folder(COMMAND, scenario.name(), || {
        Path::new("output").join(scenario.name()).join("sweep")
    })?;
    let size = &args.ensemble.settings.size;
    let master = args
        .ensemble
        .settings
        .seed
        .unwrap_or(scenario.default_seed());
    let pool = thread_pool(size.threads)?;
    catch_interrupt();
    let started = Instant::now();
    let csv = pool.install(|| {
        exodus::sweep::sweep(
            &doc,
            &axes,
            args.ensemble.replicates,
            size.scale,
            master,
            &interrupted,
        )
    })?;
    let scale = size.scale.unwrap_or(scenario.default_scale());
    let mut settings =
        replicate_settings(args.ensemble.replicates, scale, master, &args.input.set.set);
    if let Some(file) = &args.input.scenario {
        settings.insert("file".to_owned(), file.display().to_string().into());
    }
    settings.insert("param".to_owned(), args.params.clone().into());
    let provenance = output::Provenance {
        command: COMMAND,
        scenario: scenario.name().to_owned(),
        settings,
        outcome: toml::Table::new(),
    };
    let files = [(exodus::sweep::SWEEP_CSV.to_owned(), csv)];
    output::write_folder(&out, &provenance, &files, &interrupted)?;
    let points = exodus::sweep::grid(&axes).len();
    println!(
        "{points} points × {} replicates = {} runs in {:.1} s; written {}",
        args.ensemble.replicates,
        points * args.ensemble.replicates as usize,
        started.elapsed().as_secs_f64(),
        out.join(exodus::sweep::SWEEP_CSV).display()
    );
    Ok(())
}
