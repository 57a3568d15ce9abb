//! `--format json`: every command's summary as one JSON object on standard
//! output, so that scripts need not scrape the text.
//!
//! A command that writes a folder of results prints
//! `{"command", "out", "manifest", "headline"}`: the folder, its manifest as
//! JSON (settings, outcome and files) and, for a run and a comparison, the
//! headline figures. The other commands print what they would say in text:
//! `check` the scenario's summary, `diff` the differences, `score` the
//! scored figures, `init`, `plot` and `report` the files they wrote. Text
//! (progress, tables, notes) is left out: errors and warnings still go to
//! standard error.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value, json};

use super::Failure;

/// Set by `--format json`.
static JSON: AtomicBool = AtomicBool::new(false);

/// The folder the command claimed for its results, if any.
static OUT: Mutex<Option<PathBuf>> = Mutex::new(None);

/// What a command adds to its summary besides its folder's (a run's score).
static EXTRA: Mutex<Option<Map<String, Value>>> = Mutex::new(None);

/// Adds `value` under `key` to the command's JSON summary.
pub(crate) fn record_extra(key: &str, value: Value) {
    if let Ok(mut extra) = EXTRA.lock() {
        extra
            .get_or_insert_with(Map::new)
            .insert(key.to_owned(), value);
    }
}

/// A command's failure, as `--format json` prints it on standard output
/// (the text goes to standard error too): `{"error", "exit_code"}`, so that
/// a script tells a failure from a summary by its `error` key.
pub(crate) fn print_error(message: &str, exit_code: u8) {
    print(&json!({ "error": message, "exit_code": exit_code }));
}

/// From now on, summaries are JSON.
pub(crate) fn use_json() {
    JSON.store(true, Ordering::SeqCst);
}

/// Whether summaries are JSON.
pub(crate) fn json() -> bool {
    JSON.load(Ordering::SeqCst)
}

/// Records the folder a command writes its results to.
pub(crate) fn record_out(dir: &Path) {
    if let Ok(mut out) = OUT.lock() {
        *out = Some(dir.to_owned());
    }
}

/// Prints `value` as the command's JSON summary.
pub(crate) fn print(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_owned())
    );
}

/// A TOML value as JSON (dates and times as their text).
fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// The summary of a command that wrote a folder of results: the folder,
/// its manifest and its headline figures.
pub(crate) fn print_results(command: &str) -> Result<(), Failure> {
    let Some(dir) = OUT.lock().ok().and_then(|out| out.clone()) else {
        print(&json!({ "command": command }));
        return Ok(());
    };
    let manifest = [exodus::output::MANIFEST, exodus::output::FOLDER_MANIFEST]
        .iter()
        .find_map(|name| std::fs::read_to_string(dir.join(name)).ok())
        .and_then(|text| text.parse::<toml::Table>().ok())
        .map_or(Value::Null, |t| toml_to_json(&toml::Value::Table(t)));
    let mut summary = json!({
        "command": command,
        "out": dir.display().to_string(),
        "manifest": manifest,
    });
    let headline = if dir.join(exodus::output::MANIFEST).is_file() {
        run_headline(&dir)?
    } else if dir.join(exodus::compare::SUMMARY_CSV).is_file() {
        comparison_headline(&dir)?
    } else {
        Value::Null
    };
    if let Some(map) = summary.as_object_mut() {
        if !headline.is_null() {
            map.insert("headline".to_owned(), headline);
        }
        if let Some(extra) = EXTRA.lock().ok().and_then(|mut e| e.take()) {
            map.extend(extra);
        }
    }
    print(&summary);
    Ok(())
}

/// A run's exodus by destination and the national stocks at the end.
fn run_headline(dir: &Path) -> Result<Value, Failure> {
    let run = exodus::output::read_run(dir)?;
    let exodus: Map<String, Value> = run
        .destinations
        .iter()
        .enumerate()
        .map(|(d, name)| (name.clone(), json!(run.total_exodus(d))))
        .collect();
    let last = run.national.last().copied().unwrap_or_default();
    Ok(json!({
        "eligible": run.eligible,
        "agents": run.agents,
        "exodus": exodus,
        "national_exodus": (0..run.destinations.len()).map(|d| run.total_exodus(d)).sum::<u64>(),
        "at_end": serde_json::to_value(last).unwrap_or(Value::Null),
    }))
}

/// A comparison's national figures and every place's exodus, per scenario.
fn comparison_headline(dir: &Path) -> Result<Value, Failure> {
    let path = dir.join(exodus::compare::SUMMARY_CSV);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure::other(anyhow::Error::new(e).context(format!("reading {}", path.display())))
    })?;
    let mut rows = Vec::new();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.deserialize::<exodus::compare::SummaryRecord>() {
        let r = record.map_err(|e| Failure::other(anyhow::Error::new(e)))?;
        if r.metric != "exodus" && r.place != "national" {
            continue;
        }
        rows.push(json!({
            "scenario": r.scenario,
            "place": r.place,
            "metric": r.metric,
            "mean": r.mean.0,
            "q025": r.q025.0,
            "q975": r.q975.0,
            "diff_vs_base": r.diff_vs_base.map(|d| d.0),
            "diff_ci95_low": r.diff_ci95_low.map(|d| d.0),
            "diff_ci95_high": r.diff_ci95_high.map(|d| d.0),
            "diff_q025": r.diff_q025.map(|d| d.0),
            "diff_q975": r.diff_q975.map(|d| d.0),
            "prob_diff_positive": r.prob_diff_positive.map(|d| d.0),
        }));
    }
    Ok(Value::Array(rows))
}
