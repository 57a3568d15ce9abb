//! Reading a finished run back (`exodus score`, `exodus plot`): its
//! manifest, then its daily files and the onward moves, each checked against the SHA-256 the
//! manifest lists before it is read, with the same row types that wrote
//! them; and checking a command's folder against its manifest before it is
//! drawn ([`verify_folder`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::rows::{CrossingKey, DayKey, DestinationRow, OnwardRow};
use super::{FILES, FOLDER_MANIFEST, MANIFEST, ManifestFile, RunManifest};
use crate::calendar::Calendar;
use crate::exit::{self, Exit};
use crate::format::hex_sha256;
use crate::results::{CrossingDay, DestinationDay, NationalDay, RegionOutcome, RunResults};
use crate::scenario::MAX_DAYS;

/// Why a finished run could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadRunError {
    /// A file is missing or unreadable.
    #[error("cannot read `{path}`: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause, said in the message (and not chained, so not twice).
        reason: std::io::Error,
    },
    /// A command's folder does not match its manifest.
    #[error("`{path}` {message}")]
    Folder {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
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

impl Exit for ReadRunError {
    fn exit_code(&self) -> u8 {
        exit::INPUT
    }
}

/// Reads a finished run's manifest, daily files and regions back.
pub fn read_run(dir: &Path) -> Result<RunResults, ReadRunError> {
    if let Some(why) = crate::input_file::not_a_folder(dir) {
        return Err(ReadRunError::Folder {
            path: dir.to_owned(),
            message: format!("{why}: give the folder of a run (one with a run.toml)"),
        });
    }
    let read = |name: &str| {
        let path = dir.join(name);
        crate::input_file::read_text(&path, crate::input_file::DATA_BYTES)
            .map_err(|reason| ReadRunError::Io { path, reason })
    };
    let format = |name: &str, message: String| ReadRunError::Format {
        path: dir.join(name),
        message,
    };
    let manifest: RunManifest =
        toml::from_str(&read(MANIFEST)?).map_err(|e| format(MANIFEST, e.message().to_owned()))?;
    if manifest.days == 0 || manifest.days > MAX_DAYS {
        return Err(format(
            MANIFEST,
            format!(
                "`days` is {}, not a run length in [1, {MAX_DAYS}]",
                manifest.days
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
    let calendar = Calendar {
        start: manifest.start,
        days: manifest.days,
        decree: u32::try_from((manifest.decree - manifest.start).num_days())
            .map_err(|_| format(MANIFEST, "decree before start".into()))?,
    };

    // The destinations, in order, and their days.
    let days = manifest.days as usize;
    let mut destinations: Vec<String> = Vec::new();
    let mut destination_days: Vec<Vec<DestinationDay>> = vec![Vec::new(); days];
    let rows: Vec<DestinationRow> = csv::Reader::from_reader(texts[1].as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .map_err(|e| format(FILES[1], e.to_string()))?;
    for row in rows {
        let day = calendar.day_of(row.date);
        let slot = usize::try_from(day)
            .ok()
            .and_then(|d| destination_days.get_mut(d))
            .ok_or_else(|| format(FILES[1], format!("date {} lies outside the run", row.date)))?;
        if day == 0 {
            destinations.push(row.destination.clone());
        }
        slot.push(DestinationDay {
            onward_entries: row.onward_entries,
            moved_on: row.moved_on,
            went_home: row.went_home,
            abroad: row.abroad,
        });
    }
    if destination_days
        .iter()
        .any(|rows| rows.len() != destinations.len())
    {
        return Err(format(
            FILES[1],
            "every day must list every destination once".into(),
        ));
    }

    let rows = keyed::<CrossingKey, CrossingDay>(&texts[0])
        .map_err(|e| format(FILES[0], e.to_string()))?;
    let mut crossings: Vec<(String, usize)> = Vec::new();
    let mut crossing_days: Vec<Vec<CrossingDay>> = vec![Vec::new(); manifest.days as usize];
    for (key, day_row) in rows {
        let day = calendar.day_of(key.date);
        let slot = usize::try_from(day)
            .ok()
            .and_then(|d| crossing_days.get_mut(d))
            .ok_or_else(|| format(FILES[0], format!("date {} lies outside the run", key.date)))?;
        if day == 0 {
            let d = destinations
                .iter()
                .position(|d| *d == key.destination)
                .ok_or_else(|| {
                    format(
                        FILES[0],
                        format!(
                            "crossing `{}` leads to `{}`, which {} does not list",
                            key.crossing, key.destination, FILES[1]
                        ),
                    )
                })?;
            crossings.push((key.crossing, d));
        }
        slot.push(day_row);
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

    let national: Vec<NationalDay> = keyed::<DayKey, NationalDay>(&texts[2])
        .map_err(|e| format(FILES[2], e.to_string()))?
        .into_iter()
        .map(|(_, day)| day)
        .collect();
    if national.len() != manifest.days as usize {
        return Err(format(
            FILES[2],
            format!("{} rows for {} days", national.len(), manifest.days),
        ));
    }
    let mut onward = Vec::new();
    let place = |name: &str| {
        destinations.iter().position(|d| d == name).ok_or_else(|| {
            format(
                FILES[4],
                format!("`{name}` is not a destination of {}", FILES[1]),
            )
        })
    };
    for row in csv::Reader::from_reader(texts[4].as_bytes()).deserialize::<OnwardRow>() {
        let row = row.map_err(|e| format(FILES[4], e.to_string()))?;
        onward.push((place(&row.from)?, place(&row.to)?, row.men));
    }
    let mut regions = Vec::new();
    let mut reader = csv::Reader::from_reader(texts[3].as_bytes());
    let fixed = super::columns::<super::rows::RegionRow>().len();
    for record in reader.records() {
        let record = record.map_err(|e| format(FILES[3], e.to_string()))?;
        let count = |i: usize| -> Result<u64, ReadRunError> {
            record
                .get(i)
                .unwrap_or_default()
                .parse::<u64>()
                .map_err(|e| format(FILES[3], format!("column {}: {e}", i + 1)))
        };
        regions.push(RegionOutcome {
            iso: record.get(0).unwrap_or_default().to_owned(),
            name: record.get(1).unwrap_or_default().to_owned(),
            eligible: count(2)?,
            left: count(3)?,
            drafted: count(4)?,
            left_by_destination: (fixed..record.len()).map(count).collect::<Result<_, _>>()?,
        });
    }
    Ok(RunResults {
        calendar,
        destinations,
        crossings,
        crossing_days,
        destination_days,
        national,
        onward,
        regions,
        eligible: manifest.eligible,
        agents: manifest.agents,
    })
}

/// Each record of a CSV file as its key columns `K` and its record `R`,
/// each read by column name.
fn keyed<K, R>(text: &str) -> Result<Vec<(K, R)>, csv::Error>
where
    K: DeserializeOwned,
    R: DeserializeOwned,
{
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    reader
        .records()
        .map(|record| {
            let record = record?;
            Ok((
                record.deserialize(Some(&headers))?,
                record.deserialize(Some(&headers))?,
            ))
        })
        .collect()
}
/// Checks a command's folder (a comparison, a sweep, a calibration, a
/// validation, a sensitivity analysis) against its `manifest.toml`: the
/// manifest must be there, and every file it lists present with its size
/// and SHA-256, so that a truncated or half-copied folder is not read as
/// results.
pub fn verify_folder(dir: &Path) -> Result<(), ReadRunError> {
    let manifest_path = dir.join(FOLDER_MANIFEST);
    let format = |path: PathBuf, message: String| ReadRunError::Folder { path, message };
    let text = crate::input_file::read_text(&manifest_path, crate::input_file::DATA_BYTES)
        .map_err(|reason| match reason.kind() {
            std::io::ErrorKind::NotFound => format(
                manifest_path.clone(),
                "is missing: the folder was not written whole by exodus (or is still being written); run the command again".to_owned(),
            ),
            _ => ReadRunError::Io {
                path: manifest_path.clone(),
                reason,
            },
        })?;
    #[derive(Deserialize)]
    struct Listing {
        files: Vec<ManifestFile>,
    }
    let listing: Listing =
        toml::from_str(&text).map_err(|e| format(manifest_path.clone(), e.message().to_owned()))?;
    for listed in &listing.files {
        let path = dir.join(&listed.name);
        let bytes =
            crate::input_file::read(&path, crate::input_file::DATA_BYTES).map_err(|reason| {
                ReadRunError::Io {
                    path: path.clone(),
                    reason,
                }
            })?;
        if bytes.len() as u64 != listed.bytes || hex_sha256(&bytes) != listed.sha256 {
            return Err(format(
                path,
                format!(
                    "differs in size or SHA-256 from what {FOLDER_MANIFEST} lists: the file was changed or damaged after it was written; run the command again"
                ),
            ));
        }
    }
    Ok(())
}
