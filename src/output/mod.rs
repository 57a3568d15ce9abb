//! A run's results on disk: four tidy CSV files, `targets.csv` where the
//! scenario has targets, and the `run.toml` manifest; and the folders of
//! `compare`, `sweep`, `calibrate` and `validate`.
//!
//! - this file: what a run writes ([`write_run`]) and its manifest;
//! - [`rows`]: one row type per file of a run, the only place its columns
//!   are named;
//! - [`table`]: CSV files built from row types;
//! - [`destination`]: claiming an output folder before any work: the checks
//!   that make a user's mistake cost no simulation, the refusal of a folder
//!   that holds something else, and the lock that keeps two processes out of
//!   one folder;
//! - [`folder`]: folders written whole into a staging folder and swapped in,
//!   so that an earlier result survives any failure;
//! - [`read`]: reading a finished run back with the same row types.
//!
//! Folders are written completely or not at all: a folder with a manifest
//! holds complete results, and a failed, stopped or killed write leaves the
//! earlier results untouched. Numbers are written as
//! their row types say (integers, waits with three decimals, shares with
//! six), so the same run gives byte-identical files.

pub mod destination;
pub mod dictionary;
pub mod folder;
pub mod read;
pub mod rows;
pub mod table;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::exit::{self, Exit};
use crate::format::Decimals;
use crate::metrics::Observed;
use crate::results::RunResults;
use crate::scenario::Scenario;
use crate::settings::RunSettings;
pub use destination::{Claim, Intent, claim};
pub use dictionary::DATAPACKAGE;
use folder::write_with_manifest;
pub use folder::{
    FOLDER_MANIFEST, ManifestFile, OutputFile, Provenance, add_derived_file, command_line,
    folder_to_write, run_settings, seed_value, set_command_line, write_atomic, write_folder,
};
pub use read::{ReadRunError, read_run, verify_folder};
use rows::{CrossingKey, DayKey, DestinationRow, FigureRow, OnwardRow, RegionRow, region_columns};
pub use table::{Table, columns, csv_of, write_csv_file};

/// The CSV files of a run, in the order they are written.
pub const FILES: [&str; 5] = [
    "daily_crossings.csv",
    "daily_destinations.csv",
    "daily_national.csv",
    "regions.csv",
    "onward.csv",
];

/// The manifest's file name.
pub const MANIFEST: &str = "run.toml";

/// The scenario's reported figures, written beside a run that has any (in
/// the format `exodus score --observed` reads).
pub const TARGETS: &str = "targets.csv";

/// The scenario's policy timeline, written beside a run that has any
/// policy (for `exodus report`).
pub const POLICIES: &str = "policies.csv";

/// A row of [`POLICIES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRow {
    /// The policy's id.
    pub id: String,
    /// Its kind, as scenario files name it.
    pub kind: String,
    /// The first day it is in force.
    pub start: NaiveDate,
    /// The last day it is in force (none while the run lasts).
    pub end: Option<NaiveDate>,
    /// The first day men know of it.
    pub known_from: NaiveDate,
    /// The crossings it applies to, by id, separated by spaces (none for a
    /// national policy).
    pub crossings: String,
    /// Where it comes from.
    pub source: String,
}

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file-system operation failed.
    #[error("cannot write `{path}`")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The folder holds something else: another scenario's results, or files
    /// that are not results at all.
    #[error(
        "`{path}` already holds {what}; choose another folder with --out, or pass --force to replace them"
    )]
    Occupied {
        /// The folder.
        path: PathBuf,
        /// What it holds.
        what: String,
    },
    /// The output folder cannot be used: what it names, or where it is.
    #[error("the output folder `{path}` {why}")]
    Unusable {
        /// The folder.
        path: PathBuf,
        /// Why, and what would do.
        why: String,
    },
    /// Another exodus process is writing the folder.
    #[error(
        "the output folder `{path}` is being written by {holder}; wait for it to finish, or choose another folder with --out"
    )]
    Busy {
        /// The folder.
        path: PathBuf,
        /// Who holds its lock.
        holder: String,
    },
    /// The folder holds files exodus did not write, which `--force` may not
    /// replace.
    #[error(
        "`{path}` holds {what}; exodus replaces only a folder of its own results, even with --force: choose another folder with --out"
    )]
    NotResults {
        /// The folder.
        path: PathBuf,
        /// What it holds.
        what: String,
    },
    /// A file was to be written where a folder is.
    #[error("`{path}` is a folder: give the name of a file to write, such as `{example}`")]
    NotAFile {
        /// The folder.
        path: PathBuf,
        /// A name that would do.
        example: String,
    },
    /// Ctrl-C stopped the write; the earlier results are as they were.
    #[error("interrupted by Ctrl-C while writing: the earlier results, if any, are kept")]
    Interrupted,
    /// CSV serialization failed.
    #[error("cannot format `{path}`")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
}

impl Exit for OutputError {
    fn exit_code(&self) -> u8 {
        match self {
            OutputError::Occupied { .. }
            | OutputError::Unusable { .. }
            | OutputError::Busy { .. }
            | OutputError::NotResults { .. }
            | OutputError::NotAFile { .. } => exit::INPUT,
            OutputError::Interrupted => exit::INTERRUPTED,
            OutputError::Io { .. } | OutputError::Csv { .. } => exit::FAILURE,
        }
    }
}

/// Facts about the run for the manifest.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// Threads used.
    pub threads: usize,
    /// Wall-clock seconds of synthesis and simulation.
    pub wall_seconds: f64,
    /// The `--set` values the scenario was run with, in order.
    pub set: Vec<String>,
}

/// `run.toml`: what made a run and the files it wrote, each with its size
/// and SHA-256. Written last by [`write_run`]; read back by [`read_run`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    /// The version of exodus that made the run.
    pub exodus_version: String,
    /// The command line that made it ([`command_line`]); empty in a
    /// manifest written before it was recorded.
    #[serde(default)]
    pub command_line: String,
    /// The `--set` values it was run with (already in `scenario_sha256`).
    #[serde(default)]
    pub set: Vec<String>,
    /// The scenario's name.
    pub scenario: String,
    /// [`Scenario::content_hash`]: the scenario's text after `--set`.
    pub scenario_sha256: String,
    /// The master seed.
    pub seed: u64,
    /// Persons per agent.
    pub scale: u32,
    /// Worker threads (the results do not depend on them).
    pub threads: usize,
    /// First simulated day.
    pub start: NaiveDate,
    /// The decree's day.
    pub decree: NaiveDate,
    /// Last simulated day.
    pub end: NaiveDate,
    /// Simulated days.
    pub days: u32,
    /// Agents simulated.
    pub agents: u64,
    /// Eligible men (agents × scale).
    pub eligible: u64,
    /// Seconds of synthesis and simulation (to the millisecond).
    pub wall_seconds: f64,
    /// The files, in the order they were written.
    pub files: Vec<ManifestFile>,
}

/// Writes a run's CSV files and manifest into `dir` (created if needed).
pub fn write_run(
    dir: &Path,
    scenario: &Scenario,
    settings: &RunSettings,
    results: &RunResults,
    info: &RunInfo,
    stop: &dyn Fn() -> bool,
) -> Result<(), OutputError> {
    let csv = |name: &str| {
        let path = dir.join(name);
        move |source| OutputError::Csv { path, source }
    };
    let mut files: Vec<OutputFile> = vec![
        (
            FILES[0].to_owned(),
            daily_crossings(results).map_err(csv(FILES[0]))?,
        ),
        (
            FILES[1].to_owned(),
            daily_destinations(results).map_err(csv(FILES[1]))?,
        ),
        (
            FILES[2].to_owned(),
            daily_national(results).map_err(csv(FILES[2]))?,
        ),
        (
            FILES[3].to_owned(),
            regions(results).map_err(csv(FILES[3]))?,
        ),
        (FILES[4].to_owned(), onward(results).map_err(csv(FILES[4]))?),
    ];
    if !scenario.targets().is_empty() {
        files.push((TARGETS.to_owned(), targets(scenario).map_err(csv(TARGETS))?));
    }
    if !scenario.policies().is_empty() {
        files.push((
            POLICIES.to_owned(),
            policies(scenario).map_err(csv(POLICIES))?,
        ));
    }
    let files = folder::with_dictionary("run", scenario.name(), &files);
    let calendar = scenario.calendar();
    write_with_manifest(dir, MANIFEST, &files, stop, |listed| {
        toml::to_string_pretty(&RunManifest {
            exodus_version: env!("CARGO_PKG_VERSION").to_owned(),
            command_line: command_line(),
            set: info.set.clone(),
            scenario: scenario.name().to_owned(),
            scenario_sha256: scenario.content_hash().to_owned(),
            seed: settings.seed(),
            scale: settings.scale(),
            threads: info.threads,
            start: calendar.start,
            decree: calendar.date(i64::from(calendar.decree)),
            end: calendar.end(),
            days: calendar.days,
            agents: results.agents,
            eligible: results.eligible,
            wall_seconds: (info.wall_seconds * 1000.0).round() / 1000.0,
            files: listed,
        })
    })
}

/// `daily_crossings.csv`: a [`CrossingKey`] and the day's record per day and crossing.
fn daily_crossings(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut header = columns::<CrossingKey>().to_vec();
    header.extend(columns::<crate::results::CrossingDay>());
    let mut table = Table::new(header)?;
    for (day, rows) in r.crossing_days.iter().enumerate() {
        let date = r.calendar.date(day as i64);
        for ((id, dest), record) in r.crossings.iter().zip(rows) {
            let key = CrossingKey {
                date,
                crossing: id.clone(),
                destination: r.destinations[*dest].clone(),
            };
            table.row(&(key, record))?;
        }
    }
    table.finish()
}

/// `daily_destinations.csv`: a [`DestinationRow`] per day and destination.
fn daily_destinations(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut table = Table::of::<DestinationRow>()?;
    let mut cumulative = vec![0u64; r.destinations.len()];
    for day in 0..r.crossing_days.len() {
        let date = r.calendar.date(day as i64);
        for (d, name) in r.destinations.iter().enumerate() {
            let exodus = r.destination_total(day, d, |x| x.crossed);
            let abroad = &r.destination_days[day][d];
            cumulative[d] += exodus;
            table.row(&DestinationRow {
                date,
                destination: name.clone(),
                exodus_entries: exodus,
                onward_entries: abroad.onward_entries,
                baseline_entries: r.destination_total(day, d, |x| x.baseline_entries),
                entries: r.destination_entries(day, d),
                baseline_exits: r.destination_total(day, d, |x| x.baseline_exits),
                exits: r.destination_exits(day, d),
                moved_on: abroad.moved_on,
                went_home: abroad.went_home,
                abroad: abroad.abroad,
                cumulative_exodus: cumulative[d],
            })?;
        }
    }
    table.finish()
}

/// `daily_national.csv`: a [`DayKey`] and the day's record per day.
fn daily_national(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut header = columns::<DayKey>().to_vec();
    header.extend(columns::<crate::results::NationalDay>());
    let mut table = Table::new(header)?;
    for (day, record) in r.national.iter().enumerate() {
        let key = DayKey {
            date: r.calendar.date(day as i64),
        };
        table.row(&(key, record))?;
    }
    table.finish()
}

/// `regions.csv`: a [`RegionRow`] and the men abroad by destination per region.
fn regions(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    let mut table = Table::new(region_columns(&r.destinations))?;
    for region in &r.regions {
        let share = if region.eligible > 0 {
            region.left as f64 / region.eligible as f64
        } else {
            0.0
        };
        let row = RegionRow {
            region: region.iso.clone(),
            name: region.name.clone(),
            eligible: region.eligible,
            left: region.left,
            drafted: region.drafted,
            left_share: Decimals(share),
        };
        table.row(&(row, &region.left_by_destination))?;
    }
    table.finish()
}

/// `onward.csv`: an [`OnwardRow`] per pair of countries men moved between.
fn onward(r: &RunResults) -> Result<Vec<u8>, csv::Error> {
    csv_of(r.onward.iter().map(|&(from, to, men)| OnwardRow {
        from: r.destinations[from].clone(),
        to: r.destinations[to].clone(),
        men,
    }))
}

/// `targets.csv`: the scenario's targets as observed figures.
/// [`POLICIES`]: the scenario's policies in their order.
fn policies(scenario: &Scenario) -> Result<Vec<u8>, csv::Error> {
    csv_of(policy_rows(scenario))
}

/// The scenario's policies in their order, as [`POLICIES`] writes them.
pub fn policy_rows(scenario: &Scenario) -> Vec<PolicyRow> {
    let calendar = scenario.calendar();
    scenario
        .policies()
        .iter()
        .map(|p| {
            let crossings: Vec<&str> = p
                .crossings
                .iter()
                .filter_map(|&c| scenario.crossings().get(c).map(|x| x.id.as_str()))
                .collect();
            PolicyRow {
                id: p.id.clone(),
                kind: p.kind.name().to_owned(),
                start: calendar.date(p.start),
                end: p.end.map(|e| calendar.date(e)),
                known_from: calendar.date(p.known_from),
                crossings: crossings.join(" "),
                source: p.source.clone(),
            }
        })
        .collect()
}

fn targets(scenario: &Scenario) -> Result<Vec<u8>, csv::Error> {
    let calendar = scenario.calendar();
    let rows = scenario.targets().iter().map(|t| {
        let (value, low, high) = match t.observed {
            Observed::Value(v) => (Some(v), None, None),
            Observed::Interval { low, high } => (None, Some(low), Some(high)),
        };
        FigureRow {
            id: t.id.clone(),
            kind: Some("target".to_owned()),
            date_from: calendar.date(t.measure.from).to_string(),
            date_to: calendar.date(t.measure.to).to_string(),
            place: t.place.clone(),
            metric: t.measure.metric.to_string(),
            value: value.map(crate::format::Plain),
            low: low.map(crate::format::Plain),
            high: high.map(crate::format::Plain),
            source: Some(t.source.clone()),
        }
    });
    csv_of(rows)
}
