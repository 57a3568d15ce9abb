//! The `exodus` command line: a thin layer over the library (see `cli/`).
//! Each command returns a [`cli::Failure`] that carries the exit code its
//! error chose (see `exodus::exit`): 2 for bad input, 130 after Ctrl-C, 1
//! for anything else.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use exodus::exit;

use cli::Cli;
use cli::args::Format;

fn main() -> ExitCode {
    // `exodus check | head` ends quietly, as Unix tools do, instead of
    // panicking on the closed pipe.
    sigpipe::reset();
    let cli = Cli::parse();
    if cli.strict {
        cli::be_strict();
    }
    if let Err(message) = exodus::memory::user_limit() {
        eprintln!("error: {message}");
        return ExitCode::from(exit::INPUT);
    }
    let json = cli.format == Format::Json;
    if json {
        cli::summary::use_json();
    }
    let outcome = match (cli.shard, cli.jobs_from) {
        (Some(spec), jobs_from) => cli::cluster::run_shard(cli.command, spec, jobs_from.as_deref()),
        (None, Some(_)) => Err(cli::Failure::usage(anyhow::anyhow!(
            "--jobs-from goes with --shard I/N: the results of the earlier stages, for a shard"
        ))),
        (None, None) => cli::dispatch(cli.command, json),
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
