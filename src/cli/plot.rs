//! `exodus plot`: draw the charts of a run or a comparison folder.

use std::path::Path;

use super::Failure;

pub(crate) fn plot(dir: &Path) -> Result<(), Failure> {
    let files = exodus::plot::plot_dir(dir)?;
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
