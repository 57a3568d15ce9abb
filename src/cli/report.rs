//! `exodus report DIR`: the folder's results as one self-contained HTML
//! page, `DIR/report.html` (or `--out FILE`).

use std::path::{Path, PathBuf};

use exodus::report::{REPORT_HTML, report as make_report};

use super::Failure;

/// Writes the report of `dir` and says where.
pub(crate) fn report(dir: &Path, out: Option<&Path>) -> Result<(), Failure> {
    let html = make_report(dir)?;
    let path: PathBuf = out.map_or_else(|| dir.join(REPORT_HTML), Path::to_owned);
    exodus::output::write_atomic(&path, html.as_bytes())?;
    if super::summary::json() {
        super::summary::print(&serde_json::json!({ "report": path.display().to_string() }));
    } else {
        println!("report written to {}", path.display());
    }
    Ok(())
}
