//! The `exodus` command line: argument structures in [`args`], one module
//! per command, and the helpers they share. Each command is a short pipeline
//! over the library: load the scenario, run, write, print.

pub(crate) mod args;
mod bench;
mod calibrate;
mod check;
mod compare;
mod plot;
mod run;
mod score;
mod sweep;

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

pub(crate) use exodus::format::thousands;
use exodus::scenario::ScenarioDocument;

pub(crate) use args::{Cli, Command, EXIT_INPUT};
pub(crate) use bench::bench;
pub(crate) use calibrate::calibrate;
pub(crate) use check::check;
pub(crate) use compare::compare;
pub(crate) use plot::plot;
pub(crate) use run::run;
pub(crate) use score::score;
pub(crate) use sweep::sweep;

/// Loads a scenario document and applies the `--set` overrides.
pub(crate) fn load_doc(path: Option<&Path>, sets: &[String]) -> anyhow::Result<ScenarioDocument> {
    let mut doc = match path {
        Some(p) => ScenarioDocument::load(p)?,
        None => ScenarioDocument::embedded_default()?,
    };
    for assignment in sets {
        doc.set(assignment)?;
    }
    Ok(doc)
}

/// A pool of `threads` worker threads (all cores when `None`).
pub(crate) fn thread_pool(threads: Option<u16>) -> anyhow::Result<rayon::ThreadPool> {
    exodus::settings::thread_pool(threads).context("cannot start the worker threads")
}

pub(crate) fn progress_bar(quiet: bool, length: u32, unit: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(u64::from(length));
    let template =
        format!("{{spinner}} {unit} {{pos}}/{{len}} {{wide_bar}} {{elapsed}} (eta {{eta}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// The settings every replicated command records in its manifest: the
/// replicates, the scale, the master seed and the `--set` values. A seed above
/// `i64::MAX` is written as a string, since TOML integers are signed.
pub(crate) fn replicate_settings(
    replicates: u32,
    scale: u32,
    seed: u64,
    set: &[String],
) -> toml::Table {
    let seed = i64::try_from(seed).map_or_else(|_| seed.to_string().into(), toml::Value::from);
    toml::Table::from_iter([
        ("replicates".to_owned(), replicates.into()),
        ("scale".to_owned(), scale.into()),
        ("seed".to_owned(), seed),
        ("set".to_owned(), set.to_vec().into()),
    ])
}

/// Set by Ctrl-C (SIGINT) once [`catch_interrupt`] has been called.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// From now on Ctrl-C asks the command to stop at its next safe point
/// instead of killing the process.
pub(crate) fn catch_interrupt() {
    // Failing to install the handler leaves Ctrl-C's default, which is safe:
    // results are only ever written whole.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// Whether Ctrl-C has been pressed.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// A command stopped by Ctrl-C; the process exits with 130.
#[derive(Debug, thiserror::Error)]
#[error("interrupted by Ctrl-C: stopped before writing anything, so no results were written")]
pub(crate) struct Interrupted;
