//! `exodus diff A B`: what differs between two scenarios as they run:
//! after `extends` and `--set`, key by key and policy by policy
//! ([`exodus::scenario::diff`]). Data files count by their contents, not
//! by their paths; the `[calibration]` section is not compared.

use std::path::Path;

use exodus::scenario::diff::scenario_differences;
use exodus::scenario::{BUILTIN, BUILTIN_SCENARIOS, ScenarioDocument};

use super::Failure;
use super::args::DiffArgs;

/// Prints the differences, one a line, and how many there are.
pub(crate) fn diff(args: &DiffArgs) -> Result<(), Failure> {
    let first = document(&args.first, &[])?;
    let second = document(&args.second, &args.set.set)?;
    // Two paths to the same bytes (a copy of the embedded data, say) are
    // the same data.
    let found = scenario_differences(&first, &second);
    let (a, b) = (args.first.display(), args.second.display());
    if super::summary::json() {
        let differences: Vec<serde_json::Value> = found
            .iter()
            .map(|d| serde_json::json!({ "path": d.path, "first": d.before, "second": d.after }))
            .collect();
        super::summary::print(&serde_json::json!({
            "first": a.to_string(),
            "second": b.to_string(),
            "differences": differences,
        }));
        return Ok(());
    }
    if found.is_empty() {
        println!("{a} and {b} run the same scenario");
        return Ok(());
    }
    println!("--- {a}");
    println!("+++ {b}");
    for d in &found {
        match (&d.before, &d.after) {
            (Some(before), Some(after)) => println!("  {}: {before} → {after}", d.path),
            (None, Some(after)) => println!("+ {}: {after}", d.path),
            (Some(before), None) => println!("- {}: {before}", d.path),
            (None, None) => {}
        }
    }
    println!();
    println!(
        "{}",
        exodus::format::counted(found.len() as u64, "difference")
    );
    Ok(())
}

/// A scenario file, or the embedded default named `builtin:mobilization-2022`,
/// with the `--set` values.
fn document(path: &Path, sets: &[String]) -> Result<ScenarioDocument, Failure> {
    let text = path.to_string_lossy();
    if let Some(name) = text.strip_prefix(BUILTIN) {
        if !BUILTIN_SCENARIOS.iter().any(|(n, _)| *n == name) {
            let known: Vec<String> = BUILTIN_SCENARIOS
                .iter()
                .map(|(n, _)| format!("{BUILTIN}{n}"))
                .collect();
            return Err(Failure::usage(anyhow::anyhow!(
                "there is no built-in scenario `{name}`; the built-in scenarios are {}",
                known.join(", ")
            )));
        }
        return super::load_doc(None, sets);
    }
    super::load_doc(Some(path), sets)
}
