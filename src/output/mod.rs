//! Writing a run's results: four tidy CSV files and the `run.toml` manifest,
//! and reading them back.
//!
//! Files are written completely or not at all, with the manifest last (see
//! [`folder`]), so a folder with a manifest holds a complete run. Numbers
//! are formatted deterministically (integers, and waits with three
//! decimals), so the same run gives byte-identical files.

mod folder;
mod table;

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::calendar::Calendar;
use crate::format::{hex_sha256, snake_case};
use crate::results::{CrossingDay, NationalDay, RunResults};
use crate::scenario::Scenario;
use crate::settings::RunSettings;
pub use folder::{
    FOLDER_MANIFEST, OutputFile, Provenance, check_destination, write_atomic, write_folder,
};
use folder::{ManifestFile, write_with_manifest};
pub use table::{CsvBuilder, csv_bytes, write_csv_file};

/// The CSV files of a run, in the order they are written.
pub const FILES: [&str; 4] = [
    "daily_crossings.csv",
    "daily_destinations.csv",
    "daily_national.csv",
    "regions.csv",
];

/// The manifest's file name.
pub const MANIFEST: &str = "run.toml";

/// The scenario's reported figures, written beside a run that has any (in
/// the format `exodus score --observed` reads).
pub const TARGETS: &str = "targets.csv";

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
    /// The folder holds something else: another scenario's results, or files
    /// that are not results at all.
    #[error(
        "`{path}` already holds {what}; choose another folder with --out, or pass --force to write there anyway"
    )]
    Occupied {
        /// The folder.
        path: PathBuf,
        /// What it holds.
        what: String,
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
    settings: &RunSettings,
    results: &RunResults,
    info: &RunInfo,
) -> Result<(), OutputError> {
    let rendered = |name: &str| {
        let path = dir.join(name);
        move |source| OutputError::Csv { path, source }
    };
    let mut files: Vec<OutputFile> = render(results)
        .map_err(rendered(FILES[0]))?
        .into_iter()
        .map(|(name, bytes)| (name.to_owned(), bytes))
        .collect();
    if !scenario.targets().is_empty() {
        files.push((
            TARGETS.to_owned(),
            targets_csv(scenario).map_err(rendered(TARGETS))?,
        ));
    }
    let calendar = &scenario.calendar();
    write_with_manifest(dir, MANIFEST, &files, |listed| {
        toml::to_string_pretty(&Manifest {
            exodus_version: env!("CARGO_PKG_VERSION"),
            scenario: scenario.name(),
            scenario_sha256: scenario.content_hash(),
            seed: settings.seed(),
            scale: settings.scale(),
            threads: info.threads,
            start: calendar.start.to_string(),
            decree: calendar.date(i64::from(calendar.decree)).to_string(),
            end: calendar.end().to_string(),
            days: calendar.days,
            agents: results.agents,
            eligible: results.eligible,
            wall_seconds: (info.wall_seconds * 1000.0).round() / 1000.0,
            files: listed,
        })
    })
}

/// The scenario's targets in the observed-figures format.
fn targets_csv(scenario: &Scenario) -> Result<Vec<u8>, csv::Error> {
    let mut w = CsvBuilder::new([
        "id",
        "kind",
        "date_from",
        "date_to",
        "place",
        "metric",
        "value",
        "low",
        "high",
        "source",
    ])?;
    for t in scenario.targets() {
        let (value, low, high) = match t.observed {
            crate::metrics::Observed::Value(v) => (v.to_string(), String::new(), String::new()),
            crate::metrics::Observed::Interval { low, high } => {
                (String::new(), low.to_string(), high.to_string())
            }
        };
        w.row([
            t.id.clone(),
            "target".to_owned(),
            scenario.calendar().date(t.measure.from).to_string(),
            scenario.calendar().date(t.measure.to).to_string(),
            t.place.clone(),
            t.measure.metric.to_string(),
            value,
            low,
            high,
            t.source.clone(),
        ])?;
    }
    w.finish()
}

fn daily_crossings(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut w = CsvBuilder::new([
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
            w.row([
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
    w.finish()
}

fn daily_destinations(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut w = CsvBuilder::new([
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
            w.row([
                date.clone(),
                name.clone(),
                exodus.to_string(),
                baseline.to_string(),
                (exodus + baseline).to_string(),
                cumulative[d].to_string(),
            ])?;
        }
    }
    w.finish()
}

fn daily_national(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut w = CsvBuilder::new([
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
        w.row([
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
    w.finish()
}

fn regions(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
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
    let mut w = CsvBuilder::new(&header)?;
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
        w.row(&row)?;
    }
    w.finish()
}

/// Why a finished run could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadRunError {
    /// A file is missing or unreadable.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file's content is not what `exodus run` writes.
    #[error("`{path}` is not a complete exodus run: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

#[derive(serde::Deserialize)]
struct ManifestDates {
    start: String,
    decree: String,
    days: u32,
    agents: u64,
    eligible: u64,
    files: Vec<ListedFile>,
}

#[derive(serde::Deserialize)]
struct ListedFile {
    name: String,
    sha256: String,
}

#[derive(serde::Deserialize)]
struct CrossingRow {
    date: String,
    crossing: String,
    destination: String,
    arrived: u64,
    crossed: u64,
    turned_back: u64,
    gave_up: u64,
    caught: u64,
    baseline_entries: u64,
    queue: u64,
    mean_wait_days: f64,
}

#[derive(serde::Deserialize)]
struct NationalRow {
    decided: u64,
    departed: u64,
    traveling: u64,
    queued: u64,
    abroad: u64,
    drafted: u64,
    drafted_at_border: u64,
    stuck: u64,
    returned: u64,
    at_home: u64,
    awaiting_passport: u64,
}

/// Reads a finished run's manifest and daily CSV files back (regions are not read).
pub fn read_run(dir: &Path) -> Result<RunResults, ReadRunError> {
    let read = |name: &str| {
        let path = dir.join(name);
        fs::read_to_string(&path).map_err(|source| ReadRunError::Io { path, source })
    };
    let format = |name: &str, message: String| ReadRunError::Format {
        path: dir.join(name),
        message,
    };
    let manifest: ManifestDates =
        toml::from_str(&read(MANIFEST)?).map_err(|e| format(MANIFEST, e.message().to_owned()))?;
    let date = |name: &str, s: &str| {
        s.parse::<chrono::NaiveDate>()
            .map_err(|e| format(name, format!("bad date `{s}`: {e}")))
    };
    if manifest.days == 0 || manifest.days > crate::scenario::MAX_DAYS {
        return Err(format(
            MANIFEST,
            format!(
                "`days` is {}, not a run length in [1, {}]",
                manifest.days,
                crate::scenario::MAX_DAYS
            ),
        ));
    }
    // Each file, checked against its SHA-256 in the manifest before it is read.
    let mut texts = Vec::with_capacity(FILES.len());
    for name in FILES {
        let listed = manifest
            .files
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| format(MANIFEST, format!("does not list `{name}`")))?;
        let text = read(name)?;
        if hex_sha256(text.as_bytes()) != listed.sha256 {
            return Err(format(
                name,
                format!(
                    "its SHA-256 differs from the one in {MANIFEST}: the file was changed or damaged after the run; run it again"
                ),
            ));
        }
        texts.push(text);
    }
    let start = date(MANIFEST, &manifest.start)?;
    let decree = date(MANIFEST, &manifest.decree)?;
    let calendar = Calendar {
        start,
        days: manifest.days,
        decree: u32::try_from((decree - start).num_days())
            .map_err(|_| format(MANIFEST, "decree before start".into()))?,
    };

    let text = &texts[0];
    let mut destinations: Vec<String> = Vec::new();
    let mut crossings: Vec<(String, usize)> = Vec::new();
    let mut crossing_days: Vec<Vec<CrossingDay>> = vec![Vec::new(); manifest.days as usize];
    for row in csv::Reader::from_reader(text.as_bytes()).deserialize::<CrossingRow>() {
        let row = row.map_err(|e| format(FILES[0], e.to_string()))?;
        let day = calendar.day_of(date(FILES[0], &row.date)?);
        let slot = usize::try_from(day)
            .ok()
            .and_then(|d| crossing_days.get_mut(d))
            .ok_or_else(|| format(FILES[0], format!("date {} lies outside the run", row.date)))?;
        if day == 0 {
            let d = match destinations.iter().position(|d| *d == row.destination) {
                Some(d) => d,
                None => {
                    destinations.push(row.destination.clone());
                    destinations.len() - 1
                }
            };
            crossings.push((row.crossing.clone(), d));
        }
        slot.push(CrossingDay {
            arrived: row.arrived,
            crossed: row.crossed,
            turned_back: row.turned_back,
            gave_up: row.gave_up,
            caught: row.caught,
            baseline_entries: row.baseline_entries,
            queue: row.queue,
            mean_wait_days: row.mean_wait_days,
        });
    }
    if crossing_days
        .iter()
        .any(|rows| rows.len() != crossings.len())
    {
        return Err(format(
            FILES[0],
            "every day must list every crossing once".into(),
        ));
    }

    let text = &texts[2];
    let mut national = Vec::with_capacity(manifest.days as usize);
    for row in csv::Reader::from_reader(text.as_bytes()).deserialize::<NationalRow>() {
        let n = row.map_err(|e| format(FILES[2], e.to_string()))?;
        national.push(NationalDay {
            decided: n.decided,
            departed: n.departed,
            traveling: n.traveling,
            queued: n.queued,
            abroad: n.abroad,
            drafted: n.drafted,
            drafted_at_border: n.drafted_at_border,
            stuck: n.stuck,
            returned: n.returned,
            at_home: n.at_home,
            awaiting_passport: n.awaiting_passport,
        });
    }
    if national.len() != manifest.days as usize {
        return Err(format(
            FILES[2],
            format!("{} rows for {} days", national.len(), manifest.days),
        ));
    }
    Ok(RunResults {
        calendar,
        destinations,
        crossings,
        crossing_days,
        national,
        regions: Vec::new(),
        eligible: manifest.eligible,
        agents: manifest.agents,
    })
}
