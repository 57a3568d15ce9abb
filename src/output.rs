//! Writing a run's results: four tidy CSV files and the `run.toml` manifest.
//!
//! Files are written completely or not at all: each goes to a temporary
//! name in the output folder and is renamed into place once it is flushed,
//! and the manifest, which lists every file with its SHA-256, is written
//! last (and removed first), so a folder with a manifest holds a complete
//! run. Numbers are formatted deterministically (integers, and waits with
//! three decimals), so the same run gives byte-identical files.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine::RunResults;
use crate::scenario::{Scenario, hex_sha256};

/// The CSV files of a run, in the order they are written.
pub const FILES: [&str; 4] = [
    "daily_crossings.csv",
    "daily_destinations.csv",
    "daily_national.csv",
    "regions.csv",
];

/// The manifest's file name.
pub const MANIFEST: &str = "run.toml";

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file-system operation failed.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// CSV serialization failed.
    #[error("cannot format `{path}`: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
}

/// Facts about the run for the manifest.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// Threads used.
    pub threads: usize,
    /// Wall-clock seconds of synthesis and simulation.
    pub wall_seconds: f64,
}

#[derive(Serialize)]
struct Manifest<'a> {
    exodus_version: &'a str,
    scenario: &'a str,
    scenario_sha256: &'a str,
    seed: u64,
    scale: u32,
    threads: usize,
    start: String,
    decree: String,
    end: String,
    days: u32,
    agents: u64,
    eligible: u64,
    wall_seconds: f64,
    files: Vec<ManifestFile>,
}

#[derive(Serialize)]
struct ManifestFile {
    name: String,
    bytes: u64,
    sha256: String,
}

/// Renders the four CSV files in memory, in [`FILES`] order.
pub fn render(results: &RunResults) -> Result<Vec<(&'static str, Vec<u8>)>, csv::Error> {
    Ok(vec![
        (FILES[0], daily_crossings(results)?),
        (FILES[1], daily_destinations(results)?),
        (FILES[2], daily_national(results)?),
        (FILES[3], regions(results)?),
    ])
}

/// Writes a run's CSV files and manifest into `dir` (created if needed).
pub fn write_run(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
    info: &RunInfo,
) -> Result<(), OutputError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| OutputError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let manifest_path = dir.join(MANIFEST);
    if manifest_path.exists() {
        fs::remove_file(&manifest_path).map_err(io(&manifest_path))?;
    }
    let files = render(results).map_err(|source| OutputError::Csv {
        path: dir.to_owned(),
        source,
    })?;
    let mut listed = Vec::with_capacity(files.len());
    for (name, bytes) in &files {
        write_atomic(&dir.join(name), bytes)?;
        listed.push(ManifestFile {
            name: (*name).to_owned(),
            bytes: bytes.len() as u64,
            sha256: hex_sha256(bytes),
        });
    }
    let calendar = &scenario.calendar;
    let manifest = Manifest {
        exodus_version: env!("CARGO_PKG_VERSION"),
        scenario: &scenario.name,
        scenario_sha256: &scenario.content_hash,
        seed: scenario.seed,
        scale: scenario.scale,
        threads: info.threads,
        start: calendar.start.to_string(),
        decree: calendar.date(i64::from(calendar.decree)).to_string(),
        end: calendar.end().to_string(),
        days: calendar.days,
        agents: results.agents,
        eligible: results.eligible,
        wall_seconds: (info.wall_seconds * 1000.0).round() / 1000.0,
        files: listed,
    };
    let text = toml::to_string_pretty(&manifest).map_err(|e| OutputError::Io {
        path: manifest_path.clone(),
        source: std::io::Error::other(e),
    })?;
    write_atomic(&manifest_path, text.as_bytes())
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, and
/// renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|source| {
        let _ = fs::remove_file(&tmp);
        OutputError::Io {
            path: path.to_owned(),
            source,
        }
    })
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn daily_crossings(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record([
        "date",
        "crossing",
        "destination",
        "arrived",
        "crossed",
        "turned_back",
        "gave_up",
        "caught",
        "baseline_entries",
        "entries",
        "queue",
        "mean_wait_days",
    ])?;
    for (day, rows) in r.crossing_days.iter().enumerate() {
        let date = r.calendar.date(day as i64).to_string();
        for ((id, dest), x) in r.crossings.iter().zip(rows) {
            w.write_record([
                date.clone(),
                id.clone(),
                r.destinations[*dest].clone(),
                x.arrived.to_string(),
                x.crossed.to_string(),
                x.turned_back.to_string(),
                x.gave_up.to_string(),
                x.caught.to_string(),
                x.baseline_entries.to_string(),
                x.entries().to_string(),
                x.queue.to_string(),
                format!("{:.3}", x.mean_wait_days),
            ])?;
        }
    }
    finish(w)
}

fn daily_destinations(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record([
        "date",
        "destination",
        "exodus_entries",
        "baseline_entries",
        "entries",
        "cumulative_exodus",
    ])?;
    let mut cumulative = vec![0u64; r.destinations.len()];
    for day in 0..r.crossing_days.len() {
        let date = r.calendar.date(day as i64).to_string();
        for (d, name) in r.destinations.iter().enumerate() {
            let exodus = r.destination_exodus(day, d);
            let baseline = r.destination_baseline(day, d);
            cumulative[d] += exodus;
            w.write_record([
                date.clone(),
                name.clone(),
                exodus.to_string(),
                baseline.to_string(),
                (exodus + baseline).to_string(),
                cumulative[d].to_string(),
            ])?;
        }
    }
    finish(w)
}

fn daily_national(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record([
        "date",
        "decided",
        "departed",
        "traveling",
        "queued",
        "abroad",
        "drafted",
        "drafted_at_border",
        "stuck",
        "returned",
        "at_home",
        "awaiting_passport",
    ])?;
    for (day, n) in r.national.iter().enumerate() {
        w.write_record([
            r.calendar.date(day as i64).to_string(),
            n.decided.to_string(),
            n.departed.to_string(),
            n.traveling.to_string(),
            n.queued.to_string(),
            n.abroad.to_string(),
            n.drafted.to_string(),
            n.drafted_at_border.to_string(),
            n.stuck.to_string(),
            n.returned.to_string(),
            n.at_home.to_string(),
            n.awaiting_passport.to_string(),
        ])?;
    }
    finish(w)
}

/// `Baltic states` → `baltic_states`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

fn regions(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    let mut header: Vec<String> = [
        "region",
        "name",
        "eligible",
        "left",
        "drafted",
        "left_share",
    ]
    .map(str::to_owned)
    .to_vec();
    header.extend(
        r.destinations
            .iter()
            .map(|d| format!("left_{}", snake_case(d))),
    );
    w.write_record(&header)?;
    for region in &r.regions {
        let share = if region.eligible > 0 {
            region.left as f64 / region.eligible as f64
        } else {
            0.0
        };
        let mut row = vec![
            region.iso.clone(),
            region.name.clone(),
            region.eligible.to_string(),
            region.left.to_string(),
            region.drafted.to_string(),
            format!("{share:.6}"),
        ];
        row.extend(region.left_by_destination.iter().map(u64::to_string));
        w.write_record(&row)?;
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_destinations() {
        assert_eq!(snake_case("Baltic states"), "baltic_states");
        assert_eq!(snake_case("Kazakhstan"), "kazakhstan");
    }
}
