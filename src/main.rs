//! The `exodus` command line: a thin layer over the library (see `cli/`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

use std::error::Error;

use exodus::calibrate::CalibrationError;
use exodus::engine::EngineError;
use exodus::input_error::InputError;
use exodus::output::{OutputError, ReadRunError};
use exodus::plot::PlotError;
use exodus::scenario::LoadError;
use exodus::sweep::SweepError;

use cli::args::RunArgs;
use cli::{Cli, Command, EXIT_INPUT};

/// Exit code after Ctrl-C (128 + SIGINT), as shells expect.
const EXIT_INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    // `exodus check | head` ends quietly, as Unix tools do, instead of
    // panicking on the closed pipe.
    sigpipe::reset();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Run(args)) => cli::run(&args),
        Some(Command::Check(args)) => cli::check(&args),
        Some(Command::Compare(args)) => cli::compare(&args),
        Some(Command::Sweep(args)) => cli::sweep(&args),
        Some(Command::Plot { dir }) => cli::plot(&dir),
        Some(Command::Bench(args)) => cli::bench(&args),
        Some(Command::Calibrate(args)) => cli::calibrate(&args),
        Some(Command::Score { run_dir, observed }) => cli::score(&run_dir, &observed),
        None => cli::run(&RunArgs::default()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.chain().any(is_interrupted) => {
            eprintln!("{}", cli::Interrupted);
            ExitCode::from(EXIT_INTERRUPTED)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            let input = err.chain().any(is_input_error);
            ExitCode::from(if input { EXIT_INPUT } else { 1 })
        }
    }
}

/// The engine's error inside `e`, also where a sweep or a calibration wraps it.
fn engine_error<'e>(e: &'e (dyn Error + 'static)) -> Option<&'e EngineError> {
    e.downcast_ref::<EngineError>()
        .or_else(|| match e.downcast_ref::<SweepError>() {
            Some(SweepError::Engine(engine)) => Some(engine),
            _ => None,
        })
        .or_else(|| match e.downcast_ref::<CalibrationError>() {
            Some(CalibrationError::Engine(engine)) => Some(engine),
            _ => None,
        })
}

/// Whether `e` is Ctrl-C stopping a command (exit code 130).
fn is_interrupted(e: &(dyn Error + 'static)) -> bool {
    e.is::<cli::Interrupted>() || matches!(engine_error(e), Some(EngineError::Stopped))
}

/// Whether `e` is a problem with what the user gave (exit code 2) rather
/// than a failure of the machine or of exodus (exit code 1).
fn is_input_error(e: &(dyn Error + 'static)) -> bool {
    if e.is::<LoadError>() || e.is::<InputError>() || e.is::<ReadRunError>() {
        return true;
    }
    matches!(
        e.downcast_ref::<OutputError>(),
        Some(OutputError::Occupied { .. })
    ) || matches!(
        e.downcast_ref::<SweepError>(),
        Some(
            SweepError::Input(_)
                | SweepError::Load(_)
                | SweepError::Output(OutputError::Occupied { .. })
        )
    ) || matches!(
        e.downcast_ref::<CalibrationError>(),
        Some(
            CalibrationError::NothingToFit
                | CalibrationError::NoTargets
                | CalibrationError::Load(_)
        )
    ) || matches!(
        e.downcast_ref::<PlotError>(),
        Some(PlotError::Read { .. } | PlotError::NothingToPlot(_))
    )
}
