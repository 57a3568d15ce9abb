//! The `exodus` command line: argument structures in [`args`] (the options
//! several commands share are defined once and flattened into each), one
//! module per command, and the helpers they share. Each command is a short
//! pipeline over the library: load the scenario, build the run settings,
//! run, write, print. A command that fails returns a [`Failure`], which
//! carries the exit code its error chose.

pub(crate) mod args;
mod bench;
mod calibrate;
mod check;
pub(crate) mod cluster;
mod compare;
mod compare_table;
mod diff;
mod init;
mod manual;
mod plot;
mod predictive;
mod report;
mod run;
mod score;
mod sensitivity;
mod slurm;
pub(crate) mod summary;
mod sweep;
mod validate;

use std::fmt;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use exodus::exit::{self, Exit};

pub(crate) use exodus::format::thousands;
use exodus::scenario::ScenarioDocument;

pub(crate) use args::Cli;
pub(crate) use bench::bench;
pub(crate) use calibrate::calibrate;
pub(crate) use check::check;
pub(crate) use compare::compare;
pub(crate) use diff::diff;
pub(crate) use init::init;
pub(crate) use manual::{completions, man};
pub(crate) use plot::{plot, plot_at};
pub(crate) use report::report;
pub(crate) use run::run;
pub(crate) use score::score;
pub(crate) use sensitivity::sensitivity;
pub(crate) use sweep::sweep;
pub(crate) use validate::validate;

/// Why a command failed: the error, with what the command was doing, and
/// the exit code that the error's type chose (see [`exodus::exit`]).
#[derive(Debug)]
pub(crate) struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl<E> From<E> for Failure
where
    E: Exit + std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Self {
            code: error.exit_code(),
            error: error.into(),
        }
    }
}

impl Failure {
    /// A command line that does not parse (one the command holds, such as
    /// `exodus slurm`'s or a shard's), as clap says it, once: without its
    /// own `error: ` and without the usage text (exit code 2).
    pub(crate) fn parse(error: &clap::Error) -> Self {
        let text = error.render().to_string();
        // Its first paragraph; the tips and usage that follow are for a
        // terminal.
        let first: Vec<&str> = text
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty())
            .collect();
        let message = first.join(" ");
        let message = message
            .strip_prefix("error: ")
            .unwrap_or(&message)
            .to_owned();
        Self::usage(anyhow::Error::msg(message))
    }

    /// A failure that no error type of the library describes (exit code 1).
    pub(crate) fn other(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: exit::FAILURE,
            error: error.into(),
        }
    }

    /// A mistake in what the user asked for that no error type of the
    /// library describes (exit code 2).
    pub(crate) fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: exit::INPUT,
            error: error.into(),
        }
    }

    /// The exit code.
    pub(crate) fn code(&self) -> u8 {
        self.code
    }

    /// A failure with its own exit code.
    pub(crate) fn with_code(code: u8, error: impl Into<anyhow::Error>) -> Self {
        Self {
            code,
            error: error.into(),
        }
    }
}

/// The whole chain of causes, each after a colon.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The OS's error numbers ("(os error 17)") mean nothing to a user:
        // its words say what is wrong.
        let text = format!("{:#}", self.error);
        let mut plain = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(" (os error ") {
            plain.push_str(&rest[..at]);
            let after = &rest[at + " (os error ".len()..];
            match after.find(')') {
                Some(end) if after[..end].chars().all(|c| c.is_ascii_digit()) => {
                    rest = &after[end + 1..];
                }
                _ => {
                    plain.push_str(" (os error ");
                    rest = after;
                }
            }
        }
        plain.push_str(rest);
        f.write_str(&plain)
    }
}

/// What a command was doing when it failed, for results whose error makes
/// a [`Failure`]; the exit code stays the error's.
pub(crate) trait Context<T> {
    fn with_context<C, F>(self, context: F) -> Result<T, Failure>
    where
        C: fmt::Display + Send + Sync + 'static,
        F: FnOnce() -> C;
}

impl<T, E: Into<Failure>> Context<T> for Result<T, E> {
    fn with_context<C, F>(self, context: F) -> Result<T, Failure>
    where
        C: fmt::Display + Send + Sync + 'static,
        F: FnOnce() -> C,
    {
        self.map_err(|error| {
            let Failure { code, error } = error.into();
            Failure {
                code,
                error: error.context(context()),
            }
        })
    }
}

/// Loads a scenario document, applies the `--set` overrides, validates it
/// and prints its warnings.
pub(crate) fn load_doc(path: Option<&Path>, sets: &[String]) -> Result<ScenarioDocument, Failure> {
    let mut doc = match path {
        Some(p) => ScenarioDocument::load(p)?,
        None => ScenarioDocument::embedded_default()?,
    };
    for assignment in sets {
        doc.set(assignment)?;
    }
    // Validated once here, so that a bad scenario is refused before any
    // work and its doubtful values are said once, however many runs follow.
    let scenario = doc.scenario()?;
    let warnings = scenario.warnings();
    if STRICT.load(Ordering::SeqCst)
        && let Some(first) = warnings.first()
    {
        for warning in &warnings[1..] {
            eprintln!("error: {warning}");
        }
        return Err(Failure::usage(anyhow::anyhow!(
            "{first} (refused under --strict)"
        )));
    }
    for warning in warnings {
        say_warning_once(&warning.to_string());
    }
    Ok(doc)
}

/// Prints a warning about a scenario, unless this process said it already:
/// a command that loads a file twice (`diff A A`), or two scenarios that
/// extend one file, would say each of its warnings twice.
fn say_warning_once(warning: &str) {
    static SAID: std::sync::Mutex<std::collections::BTreeSet<String>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let new = SAID
        .lock()
        .map_or(true, |mut said| said.insert(warning.to_owned()));
    if new {
        eprintln!("warning: {warning}");
    }
}

/// Runs `command` (`run` of the embedded default when none); with `json`,
/// a command that writes results prints its summary as JSON from the
/// folder it wrote.
pub(crate) fn dispatch(command: Option<args::Command>, json: bool) -> Result<(), Failure> {
    use args::Command;
    let mut command = command;
    // In JSON the text of a command that writes results is left out, and
    // its summary is printed from the folder it wrote.
    let results = match &mut command {
        Some(Command::Run(a)) => Some((&mut a.quiet, "run")),
        Some(Command::Compare(a)) => Some((&mut a.quiet, "compare")),
        Some(Command::Sweep(a)) => Some((&mut a.quiet, "sweep")),
        Some(Command::Validate(a)) => Some((&mut a.quiet, "validate")),
        Some(Command::Calibrate(a)) => Some((&mut a.quiet, "calibrate")),
        Some(Command::Sensitivity(a)) => Some((&mut a.quiet, "sensitivity")),
        Some(Command::Bench(a)) => Some((&mut a.quiet, "bench")),
        _ => None,
    }
    .map(|(quiet, name)| {
        *quiet |= json;
        name
    });
    let outcome = match command {
        Some(Command::Run(args)) => run(&args),
        Some(Command::Check(args)) => check(&args),
        Some(Command::Compare(args)) => compare(&args),
        Some(Command::Sweep(args)) => sweep(&args),
        Some(Command::Plot { dir, width }) => plot_at(&dir, width, false),
        Some(Command::Bench(args)) => bench(&args),
        Some(Command::Calibrate(args)) => calibrate(&args),
        Some(Command::Score { run_dir, observed }) => score(&run_dir, &observed),
        Some(Command::Validate(args)) => validate(&args),
        Some(Command::Sensitivity(args)) => sensitivity(&args),
        Some(Command::Init { dir }) => init(&dir),
        Some(Command::Report { dir, out }) => report(&dir, out.as_deref()),
        Some(Command::Diff(args)) => diff(&args),
        Some(Command::Merge(args)) => cluster::merge(&args),
        Some(Command::Slurm(args)) => slurm::slurm(&args),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Man { out }) => man(out.as_deref()),
        None => {
            let args = args::RunArgs {
                quiet: json,
                ..args::RunArgs::default()
            };
            return run(&args).and_then(|()| {
                if json {
                    summary::print_results("run")?;
                }
                Ok(())
            });
        }
    };
    match (outcome, results) {
        (Ok(()), Some(name)) if json => summary::print_results(name),
        (outcome, _) => outcome,
    }
}

/// Set by `--strict`: doubtful values in a scenario are refused.
static STRICT: AtomicBool = AtomicBool::new(false);

/// From now on, refuse scenarios with doubtful values (`--strict`).
pub(crate) fn be_strict() {
    STRICT.store(true, Ordering::SeqCst);
}

/// A pool of `threads` worker threads (all cores when `None`).
pub(crate) fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool, Failure> {
    exodus::settings::thread_pool(threads).map_err(|e| {
        Failure::other(anyhow::Error::new(e).context("cannot start the worker threads"))
    })
}

pub(crate) fn progress_bar(quiet: bool, length: u32, unit: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(u64::from(length));
    let template = format!(
        "{{spinner}} {unit} {{pos}}/{{len}} {{wide_bar}} {{elapsed}} (eta {{eta}}) {{msg}}"
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// A table of a command's folder, named, or the error of formatting it.
pub(crate) fn formatted_csv(
    name: &str,
    csv: Result<Vec<u8>, csv::Error>,
) -> Result<(String, Vec<u8>), Failure> {
    let context = format!("formatting {name}");
    csv.map(|bytes| (name.to_owned(), bytes))
        .map_err(|e| Failure::other(anyhow::Error::new(e).context(context)))
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
    let mut settings = exodus::output::run_settings(seed, scale, set);
    settings.insert("replicates".to_owned(), replicates.into());
    settings
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

/// What a command stopped by Ctrl-C says (it exits with 130).
pub(crate) const STOPPED_BY_CTRL_C: &str =
    "interrupted by Ctrl-C: stopped before writing anything, so no results were written";
