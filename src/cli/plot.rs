//! `exodus plot`: draw the charts of a run or a comparison folder.

use std::path::Path;

use super::Failure;

/// Draws the charts of `dir` and lists them, unless `quiet`.
pub(crate) fn plot(dir: &Path, quiet: bool) -> Result<(), Failure> {
    plot_at(dir, None, quiet)
}

/// The same, for print at `width` pixels when given.
pub(crate) fn plot_at(dir: &Path, width: Option<u32>, quiet: bool) -> Result<(), Failure> {
    let files = exodus::plot::plot_dir_at(dir, width)?;
    if super::summary::json() && !quiet {
        let drawn: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        super::summary::print(
            &serde_json::json!({ "dir": dir.display().to_string(), "drawn": drawn }),
        );
        return Ok(());
    }
    if quiet {
        return Ok(());
    }
    if files.is_empty() {
        println!(
            "nothing to draw in {}: no reported entries or exits over at most {} days at a destination or `national`",
            dir.display(),
            exodus::plot::SHORT_WINDOW_DAYS
        );
    }
    for f in files {
        println!("drawn {}", f.display());
    }
    Ok(())
}
