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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // A command line that does not parse is an error like any other
            // under `--format json`: a script reads it on standard output.
            if e.use_stderr() && asks_for_json() {
                cli::summary::print_error(&cli::Failure::parse(&e).to_string(), exit::INPUT);
            }
            e.exit()
        }
    };
    if cli.strict {
        cli::be_strict();
    }
    let json = cli.format == Format::Json;
    if json {
        cli::summary::use_json();
    }
    if let Err(message) = exodus::memory::user_limit() {
        eprintln!("error: {message}");
        if json {
            cli::summary::print_error(&message.to_string(), exit::INPUT);
        }
        return ExitCode::from(exit::INPUT);
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
            if json {
                cli::summary::print_error(cli::STOPPED_BY_CTRL_C, exit::INTERRUPTED);
            }
            ExitCode::from(exit::INTERRUPTED)
        }
        Err(failure) => {
            eprintln!("error: {failure}");
            if json {
                cli::summary::print_error(&failure.to_string(), failure.code());
            }
            ExitCode::from(failure.code())
        }
    }
}

/// Whether the command line asks for `--format json`, read from the words
/// themselves: for an error in a command line that does not parse.
fn asks_for_json() -> bool {
    let words: Vec<String> = std::env::args().skip(1).collect();
    words.iter().enumerate().any(|(i, w)| {
        w == "--format=json" || (w == "--format" && words.get(i + 1).is_some_and(|v| v == "json"))
    })
}
