//! The `exodus` command line: a thin layer over the library (see `cli/`).
//! Each command returns a [`cli::Failure`] that carries the exit code its
//! error chose (see `exodus::exit`): 2 for bad input, 130 after Ctrl-C, 1
//! for anything else.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use exodus::exit;

use cli::args::RunArgs;
use cli::{Cli, Command};

fn main() -> ExitCode {
    // `exodus check | head` ends quietly, as Unix tools do, instead of
    // panicking on the closed pipe.
    sigpipe::reset();
    let cli = Cli::parse();
    if let Err(message) = exodus::memory::user_limit() {
        eprintln!("error: {message}");
        return ExitCode::from(exit::INPUT);
    }
    let outcome = match cli.command {
        Some(Command::Run(args)) => cli::run(&args),
        Some(Command::Check(args)) => cli::check(&args),
        Some(Command::Compare(args)) => cli::compare(&args),
        Some(Command::Sweep(args)) => cli::sweep(&args),
        Some(Command::Plot { dir }) => cli::plot(&dir),
        Some(Command::Bench(args)) => cli::bench(&args),
        Some(Command::Calibrate(args)) => cli::calibrate(&args),
        Some(Command::Score { run_dir, observed }) => cli::score(&run_dir, &observed),
        Some(Command::Validate(args)) => cli::validate(&args),
        Some(Command::Sensitivity(args)) => cli::sensitivity(&args),
        None => cli::run(&RunArgs::default()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.code() == exit::INTERRUPTED => {
            eprintln!("{}", cli::STOPPED_BY_CTRL_C);
            ExitCode::from(exit::INTERRUPTED)
        }
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.code())
        }
    }
}
