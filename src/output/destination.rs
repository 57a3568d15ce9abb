//! Claiming an output folder before any work starts.
//!
//! A command that will write a folder of results claims it first, before it
//! simulates anything, with [`claim`]. The claim
//!
//! - checks everything the write will need, so that a user's mistake costs
//!   no simulation and exits with code 2: the path names a folder (not `.`,
//!   `..` or `/`), is not a file, is writable, and its parent can be made;
//! - refuses a folder that holds something other than exodus results, even
//!   with `--force`: `--force` replaces only a folder of exodus results
//!   (one with a manifest, and nothing in it but the files the manifest
//!   lists and what exodus derives from them: charts and a score), so an
//!   input folder or a folder of someone's files is never overwritten;
//! - without `--force`, refuses results of another command or scenario, and
//!   results of the same command and scenario made with other settings
//!   (scale, seed, `--set`, replicates, …: the settings its manifest
//!   records), naming each difference; with `--force` the claim says what it
//!   replaces ([`Claim::replaced`]). Editing the scenario file and running
//!   again replaces its results, as iterating on a scenario expects;
//! - takes an exclusive advisory lock (`flock`) on a lock file beside the
//!   folder (`.NAME.lock`, holding the process id and the command), held
//!   until the claim is dropped, which removes the file: a lock never
//!   outlives its process, and one left by SIGKILL is unlocked and taken by
//!   the next claim. A second exodus process that claims the same folder is
//!   refused at once and told who holds it, so two runs never write one
//!   folder at the same time; nor is a folder claimed while a folder nested
//!   in it (a scenario's `sweep/` in its run's folder) or the folder around
//!   it is being written;
//! - counts a command's subfolder of results, and the lock and staging
//!   files beside it, as part of the results around it (they move with
//!   them when those are replaced), not as a stranger's files;
//! - removes the staging folders that a killed writer left beside it (none
//!   can be in use: the lock is held).
//!
//! The folder itself is then written by [`super::folder`]: into a staging
//! folder beside it, swapped in whole when complete.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Write};
use std::ops::Deref;
use std::path::{Component, Path, PathBuf};

use super::folder::{
    LOCK_SUFFIX, STAGING_MARK, carry_nested, is_derived, is_housekeeping, is_nested_results,
    listed_files, previous_results,
};
use super::{FOLDER_MANIFEST, MANIFEST, OutputError};

/// A claimed output folder: its path, and the lock that keeps other exodus
/// processes out of it until this value is dropped.
#[derive(Debug)]
pub struct Claim {
    dir: PathBuf,
    replaced: Option<String>,
    /// The highest folder the claim made to hold the results, if any.
    made: Option<PathBuf>,
    _lock: LockFile,
}

impl Claim {
    /// What `--force` lets the results replace, if they replace anything
    /// that a claim without it would have refused.
    pub fn replaced(&self) -> Option<&str> {
        self.replaced.as_deref()
    }
}

/// What a command intends to write: the command, its scenario (the base
/// scenario of a comparison) and the settings that make its results, as
/// its manifest will record them.
#[derive(Debug, Clone, Copy)]
pub struct Intent<'a> {
    /// The command (`run`, `compare`, …).
    pub command: &'a str,
    /// The scenario's name.
    pub scenario: &'a str,
    /// The settings its manifest records (a run's: `seed`, `scale`, `set`).
    pub settings: &'a toml::Table,
}

impl Deref for Claim {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.dir
    }
}

impl AsRef<Path> for Claim {
    fn as_ref(&self) -> &Path {
        &self.dir
    }
}

/// Claims `dir` for the results `intent` describes (see the module's text).
/// `force` lets exodus results of another command, scenario or settings be
/// replaced; nothing else.
pub fn claim(dir: &Path, intent: &Intent<'_>, force: bool) -> Result<Claim, OutputError> {
    let command = intent.command;
    let refuse = |why: String| OutputError::Unusable {
        path: dir.to_owned(),
        why,
    };
    let name = folder_name(dir).map_err(refuse)?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    match fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(refuse("is a file, not a folder".to_owned()));
        }
        Ok(meta) if meta.permissions().readonly() => {
            return Err(refuse("is read-only".to_owned()));
        }
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(refuse(unusable(&e, "cannot be read"))),
    }
    // The folders made to hold it, from the highest, to be removed again if
    // nothing is written into them (a command refused after its claim).
    let made = {
        let mut top = None;
        let mut at = Some(parent.as_path());
        while let Some(p) = at.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            top = Some(p.to_owned());
            at = p.parent();
        }
        top
    };
    fs::create_dir_all(&parent).map_err(|e| OutputError::Unusable {
        path: parent.clone(),
        why: format!("cannot be created to hold the results: {}", plain(&e)),
    })?;
    let lock_path = parent.join(format!(".{name}{LOCK_SUFFIX}"));
    let mut lock = take_lock(&lock_path).map_err(|e| match e {
        Taken::Held(holder) => OutputError::Busy {
            path: dir.to_owned(),
            holder,
        },
        Taken::Failed(e) => {
            let why = match e.kind() {
                ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
                    format!("cannot be written: {} is not writable", parent.display())
                }
                _ => unusable(&e, "cannot be written"),
            };
            OutputError::Unusable {
                path: dir.to_owned(),
                why,
            }
        }
    })?;
    // Who holds it, for the message of anyone refused.
    let holder = format!("exodus {command} (process {})", std::process::id());
    let _ = lock
        .set_len(0)
        .and_then(|()| lock.write_all(holder.as_bytes()));
    // The claim removes its lock file when dropped, from here on.
    let lock = LockFile {
        path: lock_path,
        _file: lock,
    };
    // A folder nested in this one (a scenario's `sweep/` in its run's
    // folder), or the folder this one is nested in, is written by another
    // process: the swap of one would take the other's work with it.
    if let Some(holder) = held_nearby(dir, &parent) {
        return Err(OutputError::Busy {
            path: dir.to_owned(),
            holder,
        });
    }
    remove_stale_staging(&parent, &name);
    let replaced = check_contents(dir, intent, force)?;
    Ok(Claim {
        dir: dir.to_owned(),
        replaced,
        made,
        _lock: lock,
    })
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Nothing was written (the command was refused after its claim):
        // the folders made to hold it go too, each only if empty. The lock
        // file goes first; the lock itself is let go when its file closes.
        let Some(top) = &self.made else {
            return;
        };
        if self.dir.exists() {
            return;
        }
        let lock = self._lock.path.clone();
        let _ = fs::remove_file(&lock);
        let mut at = self.dir.parent();
        while let Some(p) = at {
            if fs::remove_dir(p).is_err() || p == top.as_path() {
                break;
            }
            at = p.parent();
        }
    }
}

/// An exclusive lock on a lock file, which removes the file when dropped: a
/// lock never outlives its process, and nothing stays behind (after
/// SIGKILL the file stays, unlocked, and the next claim takes it).
#[derive(Debug)]
struct LockFile {
    path: PathBuf,
    _file: File,
}

impl Drop for LockFile {
    fn drop(&mut self) {
        // Removed while still locked (the file closes after this), so that
        // whoever opens the path next makes a new file; [`take_lock`] makes
        // sure a file it locked is still the one at the path.
        let _ = fs::remove_file(&self.path);
    }
}

/// Why a lock could not be taken.
enum Taken {
    /// Another process holds it; what its lock file says of it.
    Held(String),
    /// The lock file cannot be opened or locked.
    Failed(std::io::Error),
}

/// Opens (or makes) the lock file `path` and locks it exclusively, without
/// waiting. A holder removes the file before it lets go of the lock, so a
/// file locked after its holder let go may no longer be the one at `path`:
/// then it is opened again.
fn take_lock(path: &Path) -> Result<File, Taken> {
    for _ in 0..100 {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(Taken::Failed)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(Taken::Held(holder_of(path))),
            Err(TryLockError::Error(e)) => return Err(Taken::Failed(e)),
        }
        if same_file(&file, path) {
            return Ok(file);
        }
    }
    Err(Taken::Held(holder_of(path)))
}

/// Whether the open `file` is the file at `path`.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
    }
}

/// Who holds the lock file `path`, as it says.
fn holder_of(path: &Path) -> String {
    let holder = fs::read_to_string(path).unwrap_or_default();
    let holder = holder.trim();
    if holder.is_empty() {
        "another exodus process".to_owned()
    } else {
        holder.to_owned()
    }
}

/// Whether a lock file is held by another process (a lock file left by a
/// killed one is not): says who holds it.
fn held_by_other(path: &Path) -> Option<String> {
    let file = OpenOptions::new().read(true).write(true).open(path).ok()?;
    match file.try_lock() {
        Err(TryLockError::WouldBlock) => Some(holder_of(path)),
        _ => None,
    }
}

/// Who writes a folder nested in `dir`, or the folder `dir` is nested in
/// (its `parent`), if another process does.
fn held_nearby(dir: &Path, parent: &Path) -> Option<String> {
    let inside = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(LOCK_SUFFIX))
        .find_map(|n| held_by_other(&dir.join(n)));
    inside.or_else(|| {
        let name = folder_name(parent).ok()?;
        let grandparent = match parent.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        held_by_other(&grandparent.join(format!(".{name}{LOCK_SUFFIX}")))
    })
}

/// The last component of `dir`, if it names a folder that can be swapped
/// whole: not `.`, `..`, the root, or a path ending in one of them.
fn folder_name(dir: &Path) -> Result<String, String> {
    match dir.components().next_back() {
        Some(Component::Normal(name)) => Ok(name.to_string_lossy().into_owned()),
        _ => Err(
            "does not name a folder of its own: give a folder name, such as \
                  `output/my-run` (not `.`, `..` or `/`)"
                .to_owned(),
        ),
    }
}

/// Refuses a folder whose contents may not be replaced (see [`claim`]);
/// says what `force` lets the new results replace.
fn check_contents(
    dir: &Path,
    intent: &Intent<'_>,
    force: bool,
) -> Result<Option<String>, OutputError> {
    let (command, scenario) = (intent.command, intent.scenario);
    // What exodus keeps beside a folder nested in this one, and the folders
    // of results nested in it, belong with its results (and move with
    // them): the rest must be results.
    let entries: Vec<String> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !is_housekeeping(n) && !is_nested_results(dir, n))
            .collect(),
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(OutputError::Unusable {
                path: dir.to_owned(),
                why: format!("cannot be read: {}", plain(&e)),
            });
        }
    };
    if entries.is_empty() {
        return Ok(None);
    }
    let listed = listed_files(dir);
    let foreign: Vec<&String> = entries
        .iter()
        .filter(|n| {
            n.as_str() != MANIFEST
                && n.as_str() != FOLDER_MANIFEST
                && !listed.contains(n)
                && !is_derived(n)
        })
        .collect();
    let previous = previous_results(dir);
    if previous.is_empty() || !foreign.is_empty() {
        let what = if previous.is_empty() {
            "files that are not complete results of exodus".to_owned()
        } else {
            let shown: Vec<&str> = foreign.iter().take(5).map(|s| s.as_str()).collect();
            format!(
                "files that exodus did not write ({}{})",
                shown.join(", "),
                if foreign.len() > 5 { ", …" } else { "" }
            )
        };
        return Err(OutputError::NotResults {
            path: dir.to_owned(),
            what,
        });
    }
    let what = match previous
        .iter()
        .find(|p| p.command == command && p.scenario == scenario)
    {
        Some(same) => {
            let changed = differences(&same.settings, intent.settings);
            if changed.is_empty() {
                return Ok(None);
            }
            format!(
                "the results of `exodus {command}` on `{scenario}` made with other settings ({})",
                changed.join("; ")
            )
        }
        // `previous` is not empty here: a folder without a manifest was refused above.
        None => previous
            .first()
            .map(|p| {
                if p.command == command {
                    format!("the results of another scenario (`{}`)", p.scenario)
                } else {
                    format!("the results of `exodus {}` on `{}`", p.command, p.scenario)
                }
            })
            .unwrap_or_default(),
    };
    if force {
        return Ok(Some(what));
    }
    Err(OutputError::Occupied {
        path: dir.to_owned(),
        what,
    })
}

/// The settings that differ between the results in a folder (`before`) and
/// the results to be written (`now`), as `key before → now`; the command
/// line, which says how the settings were given, is not compared.
fn differences(before: &toml::Table, now: &toml::Table) -> Vec<String> {
    let keys: BTreeSet<&String> = before
        .keys()
        .chain(now.keys())
        .filter(|k| k.as_str() != "command_line")
        .collect();
    let shown =
        |v: Option<&toml::Value>| v.map_or_else(|| "(none)".to_owned(), toml::Value::to_string);
    keys.into_iter()
        .filter_map(|k| {
            let (b, n) = (before.get(k), now.get(k));
            (b != n).then(|| format!("{k} {} → {}", shown(b), shown(n)))
        })
        .collect()
}

/// Removes the staging folders of earlier writers of `name` that were
/// killed before they finished (the caller holds the lock, so no writer is
/// alive). A writer killed while it swapped folders may have left the
/// earlier results there: where the folder itself is gone they are put
/// back, and the folders of results nested in them move to the folder.
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}.{STAGING_MARK}");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let dir = parent.join(name);
    for entry in entries.filter_map(Result::ok) {
        if !entry.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let stale = entry.path();
        let whole = stale.join(MANIFEST).is_file() || stale.join(FOLDER_MANIFEST).is_file();
        if fs::symlink_metadata(&dir).is_err() {
            if whole && fs::rename(&stale, &dir).is_ok() {
                continue;
            }
        } else if !carry_nested(&stale, &dir) {
            continue;
        }
        let _ = fs::remove_dir_all(stale);
    }
}

/// Why a folder cannot be used, from the OS error of `doing` something with
/// it.
fn unusable(e: &std::io::Error, doing: &str) -> String {
    if e.kind() == ErrorKind::InvalidFilename || e.raw_os_error() == Some(36) {
        "has a name too long for the file system: choose a shorter one".to_owned()
    } else {
        format!("{doing}: {}", plain(e))
    }
}

/// An OS error without the "(os error N)" that a user need not read.
fn plain(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}
