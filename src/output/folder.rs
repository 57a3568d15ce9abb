//! Folders of results written so that nothing is lost or half-written.
//!
//! A folder is written whole, then swapped in: every file and the manifest
//! go into a staging folder beside it (`.NAME.exodus-staging-PID`), each
//! flushed to disk, and only when all are written is the staging folder
//! exchanged with the old one in one `renameat2(RENAME_EXCHANGE)` (where the
//! file system lacks it, two renames, the old folder put back if the second
//! fails), after which the old one is removed. A failure at any point (a
//! full disk, a killed process, Ctrl-C, which the writer checks between
//! files and before the swap) therefore leaves the earlier results as they
//! were, and the staging folder is removed (or, after SIGKILL, by the next
//! writer that claims the folder, [`super::destination`]).
//!
//! A folder's manifest lists every file with its size and SHA-256, and
//! records the command line that made it ([`command_line`]). A run's
//! manifest is `run.toml`; the folders of `compare`, `sweep`, `calibrate` and
//! `validate` have a [`FOLDER_MANIFEST`] that also says which command made
//! them.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

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
    command_line: &'a str,
    scenario: &'a str,
    settings: &'a toml::Table,
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    outcome: &'a toml::Table,
    files: Vec<ManifestFile>,
}

/// What marks a staging folder: `.NAME.exodus-staging-PID-N`.
pub(super) const STAGING_MARK: &str = "exodus-staging-";

/// Results found in a folder: the command that made them, its scenario and
/// the settings its manifest records.
#[derive(Debug, Clone)]
pub(super) struct Previous {
    pub(super) command: String,
    pub(super) scenario: String,
    pub(super) settings: toml::Table,
}

/// The results of each manifest in `dir` (a run's, then a command's).
pub(super) fn previous_results(dir: &Path) -> Vec<Previous> {
    let read = |name: &str| {
        crate::input_file::read_text(&dir.join(name), crate::input_file::DATA_BYTES)
            .ok()?
            .parse::<toml::Table>()
            .ok()
    };
    let text = |t: &toml::Table, key: &str| t.get(key)?.as_str().map(str::to_owned);
    let run = read(MANIFEST).and_then(|t| {
        // A run's settings are top-level keys of `run.toml`; one written
        // before `set` was recorded had none.
        let mut settings: toml::Table = ["seed", "scale", "set"]
            .iter()
            .filter_map(|k| Some(((*k).to_owned(), t.get(*k)?.clone())))
            .collect();
        settings
            .entry("set")
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        Some(Previous {
            command: "run".to_owned(),
            scenario: text(&t, "scenario")?,
            settings,
        })
    });
    let folder = read(FOLDER_MANIFEST).and_then(|t| {
        Some(Previous {
            command: text(&t, "command")?,
            scenario: text(&t, "scenario")?,
            settings: t
                .get("settings")
                .and_then(toml::Value::as_table)
                .cloned()
                .unwrap_or_default(),
        })
    });
    run.into_iter().chain(folder).collect()
}

/// The settings a run's `run.toml` records, as a claim compares them:
/// the seed, the scale and the `--set` values.
pub fn run_settings(seed: u64, scale: u32, set: &[String]) -> toml::Table {
    toml::Table::from_iter([
        ("seed".to_owned(), seed_value(seed)),
        ("scale".to_owned(), scale.into()),
        ("set".to_owned(), set.to_vec().into()),
    ])
}

/// A seed as TOML holds it: an integer, or a string above `i64::MAX`.
pub fn seed_value(seed: u64) -> toml::Value {
    i64::try_from(seed).map_or_else(|_| seed.to_string().into(), toml::Value::from)
}

/// The command line the manifests record instead of this process's, when
/// it replays another (a merge of shards records the command it merges).
static COMMAND_LINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records `line` as the command line of the results this process writes.
pub fn set_command_line(line: &str) {
    let _ = COMMAND_LINE.set(line.to_owned());
}

/// This process's command line as a shell reads it back: `exodus` and its
/// arguments, each quoted where it must be. Every manifest records it.
pub fn command_line() -> String {
    if let Some(line) = COMMAND_LINE.get() {
        return line.clone();
    }
    let args = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned());
    shell_words::join(std::iter::once("exodus".to_owned()).chain(args))
}

/// The names of the files that the manifests in `dir` list.
pub(super) fn listed_files(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for manifest in [MANIFEST, FOLDER_MANIFEST] {
        let Some(table) =
            crate::input_file::read_text(&dir.join(manifest), crate::input_file::DATA_BYTES)
                .ok()
                .and_then(|text| text.parse::<toml::Table>().ok())
        else {
            continue;
        };
        let files = table.get("files").and_then(toml::Value::as_array);
        for file in files.into_iter().flatten() {
            if let Some(name) = file.get("name").and_then(toml::Value::as_str) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// Whether a file is one that exodus derives from a folder's results after
/// writing it (charts, a score, a benchmark's timings) or leaves while
/// writing one (a temporary file): such files may be replaced with the
/// results.
pub(super) fn is_derived(name: &str) -> bool {
    name.ends_with(".svg")
        || name.ends_with(".png")
        || name == "score.csv"
        || name == "bench.csv"
        || name == "report.html"
        || (name.starts_with('.') && name.ends_with(".tmp"))
}

/// What ends the name of the lock file beside a folder (`.NAME.lock`, see
/// [`super::destination`]).
pub(super) const LOCK_SUFFIX: &str = ".lock";

/// Whether `name`, in a folder of results, is what exodus keeps beside a
/// folder nested in it: a lock file (`.NAME.lock`, which a killed process
/// leaves behind unlocked) or a staging folder.
pub(super) fn is_housekeeping(name: &str) -> bool {
    name.starts_with('.') && (name.ends_with(LOCK_SUFFIX) || name.contains(STAGING_MARK))
}

/// Whether `dir/name` is a folder of exodus results nested in the folder
/// `dir` (a scenario's `sweep/`, `calibration/` or `sensitivity/`, next to
/// its run): it belongs with the results around it, and moves with them when
/// they are replaced ([`carry_nested`]).
pub(super) fn is_nested_results(dir: &Path, name: &str) -> bool {
    let path = dir.join(name);
    fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir())
        && (path.join(MANIFEST).is_file() || path.join(FOLDER_MANIFEST).is_file())
}

/// Moves the folders of results nested in `old` into `new`, where `new`
/// has nothing of that name; says whether every one of them moved.
pub(super) fn carry_nested(old: &Path, new: &Path) -> bool {
    let Ok(entries) = fs::read_dir(old) else {
        return true;
    };
    let mut all = true;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_nested_results(old, &name) {
            let to = new.join(&name);
            all &= fs::symlink_metadata(&to).is_err() && fs::rename(entry.path(), to).is_ok();
        }
    }
    all
}

/// Writes the results of a command as the folder `dir`: the files and a
/// [`FOLDER_MANIFEST`] with the provenance and the list of files, swapped in
/// whole (see the module's text). `stop` is asked between files and before
/// the swap; if it says stop, nothing changes and the error is
/// [`OutputError::Interrupted`].
pub fn write_folder(
    dir: &Path,
    provenance: &Provenance,
    files: &[OutputFile],
    stop: &dyn Fn() -> bool,
) -> Result<(), OutputError> {
    let files = with_dictionary(provenance.command, &provenance.scenario, files);
    write_with_manifest(dir, FOLDER_MANIFEST, &files, stop, |listed| {
        toml::to_string_pretty(&FolderManifest {
            exodus_version: env!("CARGO_PKG_VERSION"),
            command: provenance.command,
            command_line: &command_line(),
            scenario: &provenance.scenario,
            settings: &provenance.settings,
            outcome: &provenance.outcome,
            files: listed,
        })
    })
}

/// `files` and their data dictionary ([`super::dictionary`]), as the
/// folder of `command` on `scenario` holds them.
pub(super) fn with_dictionary(
    command: &str,
    scenario: &str,
    files: &[OutputFile],
) -> Vec<OutputFile> {
    let mut all = files.to_vec();
    all.push((
        super::dictionary::DATAPACKAGE.to_owned(),
        super::dictionary::datapackage(command, scenario, files),
    ));
    all
}

/// Writes `files` and the manifest `manifest_name` that `manifest` renders
/// from the list of files into a staging folder beside `dir`, then swaps it
/// in for `dir` (see the module's text).
pub(super) fn write_with_manifest(
    dir: &Path,
    manifest_name: &str,
    files: &[OutputFile],
    stop: &dyn Fn() -> bool,
    manifest: impl FnOnce(Vec<ManifestFile>) -> Result<String, toml::ser::Error>,
) -> Result<(), OutputError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| OutputError::Io { path, source }
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| OutputError::Unusable {
            path: dir.to_owned(),
            why: "does not name a folder of its own".to_owned(),
        })?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let staging = staging_folder(&parent, &name).map_err(io(&parent))?;
    let written = (|| {
        let mut listed = Vec::with_capacity(files.len());
        for (file, bytes) in files {
            if stop() {
                return Err(OutputError::Interrupted);
            }
            write_synced(&staging.join(file), bytes)?;
            listed.push(ManifestFile {
                name: file.clone(),
                bytes: bytes.len() as u64,
                sha256: hex_sha256(bytes),
            });
        }
        let manifest_path = staging.join(manifest_name);
        let text = manifest(listed).map_err(|e| OutputError::Io {
            path: dir.join(manifest_name),
            source: std::io::Error::other(e),
        })?;
        write_synced(&manifest_path, text.as_bytes())?;
        sync_dir(&staging);
        if stop() {
            return Err(OutputError::Interrupted);
        }
        swap_in(&staging, dir)
    })();
    if written.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    written
}

/// A new, empty staging folder for `name` in `parent`.
fn staging_folder(parent: &Path, name: &str) -> std::io::Result<PathBuf> {
    let pid = std::process::id();
    let mut n = 0u32;
    loop {
        let path = parent.join(format!(".{name}.{STAGING_MARK}{pid}-{n}"));
        match fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Makes the complete folder `staging` the folder `dir`, and removes what
/// `dir` held before.
fn swap_in(staging: &Path, dir: &Path) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: dir.to_owned(),
        source,
    };
    if fs::symlink_metadata(dir).is_err() {
        fs::rename(staging, dir).map_err(io)?;
    } else {
        let exchanged = rustix::fs::renameat_with(
            rustix::fs::CWD,
            staging,
            rustix::fs::CWD,
            dir,
            rustix::fs::RenameFlags::EXCHANGE,
        );
        if exchanged.is_err() {
            // No atomic exchange here: move the old folder aside, move the
            // new one in, and put the old one back if that fails.
            let aside = staging.with_extension("old");
            fs::rename(dir, &aside).map_err(io)?;
            if let Err(e) = fs::rename(staging, dir) {
                let _ = fs::rename(&aside, dir);
                return Err(io(e));
            }
            let _ = fs::rename(&aside, staging);
        }
        // `staging` now holds the old results. The folders of results
        // nested in them (a sweep's in its scenario's run) stay; were one
        // not to move, the staging folder stays too, and the next writer
        // that claims the folder moves it (see `super::destination`).
        if carry_nested(staging, dir) {
            let _ = fs::remove_dir_all(staging);
        }
    }
    if let Some(parent) = dir.parent() {
        sync_dir(parent);
    }
    Ok(())
}

/// Writes `bytes` to the new file `path` and flushes it to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let result = (|| {
        let mut file = fs::File::create(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    result.map_err(|source| OutputError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Flushes a folder's entries to disk, where the platform allows it.
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Adds the file `name` (`bytes`), derived from the results in `dir` after
/// they were written (a run's `score.csv`), to the folder: the file, then
/// its entry in the data package, then the manifest, which lists both with
/// their new sizes and SHA-256, each written whole. A file of that name
/// already listed is replaced.
pub fn add_derived_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| OutputError::Io { path, source }
    };
    let manifest_name = if dir.join(MANIFEST).is_file() {
        MANIFEST
    } else {
        FOLDER_MANIFEST
    };
    let manifest_path = dir.join(manifest_name);
    let unreadable = |e: String| OutputError::Io {
        path: manifest_path.clone(),
        source: std::io::Error::other(e),
    };
    // Edited in place, so that the manifest keeps its order and layout.
    let mut manifest: toml_edit::DocumentMut = fs::read_to_string(&manifest_path)
        .map_err(io(&manifest_path))?
        .parse()
        .map_err(|e: toml_edit::TomlError| unreadable(e.to_string()))?;
    write_atomic(&dir.join(name), bytes)?;
    let mut listed = vec![(name.to_owned(), bytes.to_vec())];
    let package_path = dir.join(super::DATAPACKAGE);
    if let Ok(text) = fs::read_to_string(&package_path)
        && let Ok(mut package) = serde_json::from_str::<serde_json::Value>(&text)
    {
        let text_of = |key: &str| manifest.get(key).and_then(toml_edit::Item::as_str);
        let command = text_of("command").unwrap_or("run");
        let scenario = text_of("scenario").unwrap_or_default();
        let entry = super::dictionary::datapackage(command, scenario, &listed);
        let entry: serde_json::Value = serde_json::from_slice(&entry).unwrap_or_default();
        if let (Some(resources), Some(new)) = (
            package["resources"].as_array_mut(),
            entry["resources"].as_array().and_then(|r| r.first()),
        ) {
            resources.retain(|r| r["path"].as_str() != Some(name));
            resources.push(new.clone());
            let mut text = serde_json::to_vec_pretty(&package).unwrap_or_default();
            text.push(b'\n');
            write_atomic(&package_path, &text)?;
            listed.push((super::DATAPACKAGE.to_owned(), text));
        }
    }
    let files = manifest
        .entry("files")
        .or_insert(toml_edit::Item::ArrayOfTables(
            toml_edit::ArrayOfTables::new(),
        ))
        .as_array_of_tables_mut()
        .ok_or_else(|| unreadable("its `files` is not a list of tables".to_owned()))?;
    for (file, bytes) in &listed {
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let sha = hex_sha256(bytes);
        let at = files
            .iter()
            .position(|t| t.get("name").and_then(toml_edit::Item::as_str) == Some(file));
        let table = match at.and_then(|i| files.get_mut(i)) {
            Some(table) => table,
            None => {
                let mut table = toml_edit::Table::new();
                table["name"] = toml_edit::value(file.as_str());
                files.push(table);
                let last = files.len() - 1;
                files
                    .get_mut(last)
                    .ok_or_else(|| unreadable("its `files` cannot be extended".to_owned()))?
            }
        };
        table["bytes"] = toml_edit::value(size);
        table["sha256"] = toml_edit::value(sha);
    }
    write_atomic(&manifest_path, manifest.to_string().as_bytes())
}

/// Refuses a folder to write into that is a file, saying so in words (not
/// the OS's "File exists").
pub fn folder_to_write(dir: &Path) -> Result<(), OutputError> {
    match fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => Err(OutputError::Unusable {
            path: dir.to_owned(),
            why: "is a file, not a folder: give the name of a new folder".to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, and
/// renames it into place. A folder at `path` is refused, not replaced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    if path.is_dir() {
        return Err(OutputError::NotAFile {
            path: path.to_owned(),
            example: path.join("report.html").display().to_string(),
        });
    }
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

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_folder_is_listed_in_its_manifest_and_swapped_in_whole() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let files = vec![("a.csv".to_owned(), b"x\n1\n".to_vec())];
        write_folder(&dir, &provenance("sweep", "tiny"), &files, &|| false).unwrap();
        let manifest: toml::Table = fs::read_to_string(dir.join(FOLDER_MANIFEST))
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
        // A second write replaces the folder whole: the old file b.csv and a
        // chart drawn from it do not survive, and nothing is left beside it.
        fs::write(dir.join("chart.svg"), "<svg/>").unwrap();
        let second = vec![("b.csv".to_owned(), b"y\n".to_vec())];
        write_folder(&dir, &provenance("sweep", "tiny"), &second, &|| false).unwrap();
        assert_eq!(
            names(&dir),
            ["b.csv", super::super::DATAPACKAGE, FOLDER_MANIFEST]
        );
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn a_stopped_write_leaves_the_earlier_folder_as_it_was() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let first = vec![("a.csv".to_owned(), b"x\n".to_vec())];
        write_folder(&dir, &provenance("sweep", "tiny"), &first, &|| false).unwrap();
        let before = fs::read_to_string(dir.join(FOLDER_MANIFEST)).unwrap();
        let second = vec![("a.csv".to_owned(), b"changed\n".to_vec())];
        let asked = std::cell::Cell::new(0);
        // Stop at the last question: after every file is written, before the swap.
        let stop = || {
            asked.set(asked.get() + 1);
            asked.get() == 2
        };
        let err = write_folder(&dir, &provenance("sweep", "tiny"), &second, &stop).unwrap_err();
        assert!(matches!(err, OutputError::Interrupted), "{err}");
        assert_eq!(fs::read_to_string(dir.join("a.csv")).unwrap(), "x\n");
        assert_eq!(
            fs::read_to_string(dir.join(FOLDER_MANIFEST)).unwrap(),
            before
        );
        assert_eq!(names(root.path()), ["out"], "no staging folder is left");
    }
}
