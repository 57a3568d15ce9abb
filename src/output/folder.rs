//! Folders of results written so that nothing is lost or half-written.
//!
//! Every file goes to a temporary name in its folder, is flushed to disk,
//! and is renamed into place. A folder's manifest lists every file with its
//! size and SHA-256; it is removed before the first file is written and
//! written after the last, so a folder that has a manifest holds complete
//! results, and one without holds none that can be trusted. A run's manifest
//! is `run.toml`; the folders of `compare`, `sweep`, `calibrate` and
//! `validate` have a [`FOLDER_MANIFEST`] that also says which command made
//! them.
//!
//! Before any work starts, [`check_destination`] refuses a folder that holds
//! something else (another scenario's or another command's results, or files
//! that are not results) unless the user forces it.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{MANIFEST, OutputError};
use crate::format::hex_sha256;

/// The manifest of a folder of results of `compare`, `sweep`, `calibrate` or `validate`.
pub const FOLDER_MANIFEST: &str = "manifest.toml";

/// One file of a folder of results: its name and its bytes.
pub type OutputFile = (String, Vec<u8>);

/// A file as a manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Its name in the folder.
    pub name: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// What made a folder of results, as its manifest records it.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The command (`compare`, `sweep`, `calibrate`, `validate`).
    pub command: &'static str,
    /// The scenario (the base scenario of a comparison).
    pub scenario: String,
    /// The settings that reproduce the results (seed, replicates, scale, …).
    pub settings: toml::Table,
    /// How the work went (wall time, and what the command reports of it);
    /// left out of the manifest when empty.
    pub outcome: toml::Table,
}

#[derive(Serialize)]
struct FolderManifest<'a> {
    exodus_version: &'a str,
    command: &'a str,
    scenario: &'a str,
    settings: &'a toml::Table,
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    outcome: &'a toml::Table,
    files: Vec<ManifestFile>,
}

/// Checks that `dir` may receive the results of `command` on `scenario`:
/// it is absent, empty, or holds earlier results of the same command on the
/// same scenario. Anything else needs `force`, so that no one's files are
/// overwritten by mistake.
pub fn check_destination(
    dir: &Path,
    command: &str,
    scenario: &str,
    force: bool,
) -> Result<(), OutputError> {
    if force || !dir.exists() {
        return Ok(());
    }
    let io = |source| OutputError::Io {
        path: dir.to_owned(),
        source,
    };
    if fs::read_dir(dir).map_err(io)?.next().is_none() {
        return Ok(());
    }
    let previous = previous_results(dir);
    if previous.iter().any(|(c, s)| c == command && s == scenario) {
        return Ok(());
    }
    let what = match previous.first() {
        Some((c, s)) if c == command => format!("the results of another scenario (`{s}`)"),
        Some((c, s)) => format!("the results of `exodus {c}` on `{s}`"),
        // A folder whose write was interrupted has files but no manifest yet.
        None => "files that are not complete results of exodus".to_owned(),
    };
    Err(OutputError::Occupied {
        path: dir.to_owned(),
        what,
    })
}

/// The command and scenario of each manifest in `dir` (a run's, then a
/// command's; a folder written into with `--force` may hold both).
fn previous_results(dir: &Path) -> Vec<(String, String)> {
    let read = |name: &str| {
        fs::read_to_string(dir.join(name))
            .ok()?
            .parse::<toml::Table>()
            .ok()
    };
    let text = |t: &toml::Table, key: &str| t.get(key)?.as_str().map(str::to_owned);
    let run = read(MANIFEST).and_then(|t| Some(("run".to_owned(), text(&t, "scenario")?)));
    let folder =
        read(FOLDER_MANIFEST).and_then(|t| Some((text(&t, "command")?, text(&t, "scenario")?)));
    run.into_iter().chain(folder).collect()
}

/// Writes the results of a command into `dir` (created if needed): the files,
/// then a [`FOLDER_MANIFEST`] with the provenance and the list of files.
pub fn write_folder(
    dir: &Path,
    provenance: &Provenance,
    files: &[OutputFile],
) -> Result<(), OutputError> {
    write_with_manifest(dir, FOLDER_MANIFEST, files, |listed| {
        toml::to_string_pretty(&FolderManifest {
            exodus_version: env!("CARGO_PKG_VERSION"),
            command: provenance.command,
            scenario: &provenance.scenario,
            settings: &provenance.settings,
            outcome: &provenance.outcome,
            files: listed,
        })
    })
}

/// Writes `files` into `dir` (created if needed), then the manifest
/// `manifest_name` that `manifest` renders from the list of files. An old
/// manifest is removed first, so an interrupted write leaves none.
pub(super) fn write_with_manifest(
    dir: &Path,
    manifest_name: &str,
    files: &[OutputFile],
    manifest: impl FnOnce(Vec<ManifestFile>) -> Result<String, toml::ser::Error>,
) -> Result<(), OutputError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| OutputError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let manifest_path = dir.join(manifest_name);
    if manifest_path.exists() {
        fs::remove_file(&manifest_path).map_err(io(&manifest_path))?;
    }
    let mut listed = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        write_atomic(&dir.join(name), bytes)?;
        listed.push(ManifestFile {
            name: name.clone(),
            bytes: bytes.len() as u64,
            sha256: hex_sha256(bytes),
        });
    }
    let text = manifest(listed).map_err(|e| OutputError::Io {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance(command: &'static str, scenario: &str) -> Provenance {
        Provenance {
            command,
            scenario: scenario.to_owned(),
            settings: toml::Table::new(),
            outcome: toml::Table::new(),
        }
    }

    #[test]
    fn a_folder_is_listed_in_its_manifest_written_last() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![("a.csv".to_owned(), b"x\n1\n".to_vec())];
        write_folder(dir.path(), &provenance("sweep", "tiny"), &files).unwrap();
        let manifest: toml::Table = fs::read_to_string(dir.path().join(FOLDER_MANIFEST))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(manifest["command"].as_str(), Some("sweep"));
        let listed = manifest["files"].as_array().unwrap();
        assert_eq!(listed[0]["name"].as_str(), Some("a.csv"));
        assert_eq!(
            listed[0]["sha256"].as_str(),
            Some(hex_sha256(b"x\n1\n").as_str())
        );
        // No temporary file is left behind.
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn only_the_same_command_on_the_same_scenario_may_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        write_folder(dir.path(), &provenance("sweep", "tiny"), &[]).unwrap();
        assert!(check_destination(dir.path(), "sweep", "tiny", false).is_ok());
        for (command, scenario, says) in [
            ("sweep", "other", "another scenario (`tiny`)"),
            ("compare", "tiny", "`exodus sweep` on `tiny`"),
        ] {
            let err = check_destination(dir.path(), command, scenario, false).unwrap_err();
            assert!(err.to_string().contains(says), "{err}");
            assert!(check_destination(dir.path(), command, scenario, true).is_ok());
        }
        // Files without a manifest are not complete results.
        fs::remove_file(dir.path().join(FOLDER_MANIFEST)).unwrap();
        fs::write(dir.path().join("a.csv"), "x").unwrap();
        let err = check_destination(dir.path(), "sweep", "tiny", false).unwrap_err();
        assert!(err.to_string().contains("not complete results"), "{err}");
    }
}
