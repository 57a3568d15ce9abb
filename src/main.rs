//! The `exodus` command line: a thin layer over the library (see `cli/`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

use exodus::output::ReadRunError;
use exodus::scenario::{InputError, LoadError};

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
        Err(err)
            if err.chain().any(|e| {
                e.downcast_ref::<cli::Interrupted>().is_some()
                    || matches!(
                        e.downcast_ref::<exodus::engine::EngineError>(),
                        Some(exodus::engine::EngineError::Stopped)
                    )
            }) =>
        {
            eprintln!("{}", cli::Interrupted);
            ExitCode::from(EXIT_INTERRUPTED)
        }
        Err(err) => {
            let input = err.chain().any(|e| {
                e.downcast_ref::<LoadError>().is_some()
                    || e.downcast_ref::<exodus::sweep::SweepError>()
                        .is_some_and(|s| {
                            matches!(
                                s,
                                exodus::sweep::SweepError::Input(_)
                                    | exodus::sweep::SweepError::Load(_)
                            )
                        })
                    || e.downcast_ref::<InputError>().is_some()
                    || e.downcast_ref::<ReadRunError>().is_some()
                    || matches!(
                        e.downcast_ref::<exodus::output::OutputError>(),
                        Some(exodus::output::OutputError::Occupied { .. })
                    )
                    || matches!(
                        e.downcast_ref::<exodus::engine::EngineError>(),
                        Some(exodus::engine::EngineError::TooLarge(_))
                    )
            });
            eprintln!("error: {err:#}");
            ExitCode::from(if input { EXIT_INPUT } else { 1 })
        }
    }
}
