//! `exodus completions SHELL` and `exodus man`: the shell completion
//! scripts and the manual pages, made from the command line's own
//! definition (clap_complete, clap_mangen), so that they never fall behind
//! it.

use std::fs;
use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::Failure;
use super::args::Cli;

/// A failure to write, with what was being written (exit code 1).
fn failed(doing: String) -> impl FnOnce(std::io::Error) -> Failure {
    move |e| Failure::other(anyhow::Error::new(e).context(doing))
}

/// `--format json` makes no sense for a command whose output is the
/// artefact itself.
fn refuse_json(command: &str) -> Result<(), Failure> {
    if super::summary::json() {
        return Err(Failure::usage(anyhow::anyhow!(
            "`exodus {command}` writes a script or a page, not a summary: --format json does not apply"
        )));
    }
    Ok(())
}

/// Prints the completion script of `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    refuse_json("completions")?;
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "exodus", &mut script);
    std::io::stdout()
        .write_all(&script)
        .map_err(failed("writing the completion script".to_owned()))?;
    Ok(())
}

/// Prints the manual page of `exodus`, or writes it and a page per command
/// (`exodus-run.1`, …) into `out`.
pub(crate) fn man(out: Option<&Path>) -> Result<(), Failure> {
    refuse_json("man")?;
    let command = Cli::command();
    let Some(out) = out else {
        let mut page = Vec::new();
        clap_mangen::Man::new(command)
            .render(&mut page)
            .map_err(failed("rendering the manual page".to_owned()))?;
        std::io::stdout()
            .write_all(&page)
            .map_err(failed("writing the manual page".to_owned()))?;
        return Ok(());
    };
    exodus::output::folder_to_write(out)?;
    fs::create_dir_all(out).map_err(failed(format!("creating {}", out.display())))?;
    clap_mangen::generate_to(command, out).map_err(failed(format!(
        "writing the manual pages into {}",
        out.display()
    )))?;
    println!("manual pages written into {}", out.display());
    Ok(())
}
