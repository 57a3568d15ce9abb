//! `exodus plot`: draw the charts of a run or a comparison folder.

use std::path::Path;

use super::Failure;

pub(crate) fn plot(dir: &Path) -> Result<(), Failure> {
    let files = exodus::plot::plot_dir(dir)?;
    for f in files {
        println!("drawn {}", f.display());
    }
    Ok(())
}
