//! A scenario file held as a document: its text, the merged TOML table it
//! and the files it extends make, and its data, from which scenarios with
//! some values changed can be built again and again (`--set`, a sweep's
//! points, a calibration's evaluations), and into whose text new values can
//! be written back without losing a comment.
//!
//! The document knows where each value came from, the file (with its line
//! and column) or an option that replaced it, and says so in an error
//! ([`ScenarioDocument::error_at`]); the settings of a run, built above the
//! scenario, place their errors through it.

use std::path::{Path, PathBuf};

use super::extends::{deserialize_merged, merged, source_text};
use super::file::ScenarioFile;
use super::origin::{Origin, read_data_file, read_text};
use super::param_path::ParamPath;
use super::{KeyPath, LoadError, Scenario, validate};
use crate::data::{AirRoutes, CrossingRecord, Region};
use crate::format::{format_float, hex_sha256};
use crate::input_error::InputError;

/// A scenario file with its data, ready to be built into scenarios. A file
/// may `extends = "PATH"` another (see `scenario/extends.rs`).
#[derive(Debug, Clone)]
pub struct ScenarioDocument {
    /// (name, text) of the file and of the files it extends, nearest first.
    sources: Vec<(String, String)>,
    origin: Origin,
    table: toml::Table,
    regions: Vec<Region>,
    crossings: Vec<CrossingRecord>,
    air_routes: Option<AirRoutes>,
    /// Values replaced after reading (key path, and the option that did it),
    /// so that an error in one points at the option, not at the file.
    overrides: Vec<(String, String)>,
}

impl ScenarioDocument {
    /// Parses scenario text from `origin` and reads its data files.
    pub fn parse(text: &str, origin: Origin) -> Result<Self, LoadError> {
        let mut stack = Vec::new();
        if let Origin::File(path) = &origin {
            stack.extend(path.canonicalize().ok());
        }
        let (sources, table) = merged(text, &origin, &mut stack)?;
        let source = source_text(&sources, &table);
        let raw: ScenarioFile = if sources.len() == 1 {
            toml::from_str(text).map_err(|e| source.from_toml_error(&e))?
        } else {
            deserialize_merged(&table, &source)?
        };
        let regions = read_data_file(
            &source,
            &origin,
            &raw.data.regions,
            "regions",
            crate::data::parse_regions,
        )?;
        let crossings = read_data_file(
            &source,
            &origin,
            &raw.data.crossings,
            "crossings",
            crate::data::parse_crossings,
        )?;
        let air_routes = match &raw.data.air_routes {
            Some(path) => Some(read_data_file(
                &source,
                &origin,
                path,
                "air_routes",
                crate::data::parse_air_routes,
            )?),
            None => None,
        };
        Ok(Self {
            sources,
            origin,
            table,
            regions,
            crossings,
            air_routes,
            overrides: Vec::new(),
        })
    }

    /// Reads a scenario file.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let text = read_text(path)?;
        Self::parse(&text, Origin::File(path.to_owned()))
    }

    /// The embedded default scenario.
    pub fn embedded_default() -> Result<Self, LoadError> {
        Self::parse(super::DEFAULT_SCENARIO, Origin::Embedded)
    }

    /// The merged scenario as it runs (after `extends` and `--set`), with
    /// its data paths resolved to the files they name: an absolute path, or
    /// `builtin:data/...` for the embedded data. What `exodus diff` compares.
    /// The `[calibration]` section, which says how to fit the scenario and
    /// not how it runs (and which an extending file does not inherit), is
    /// left out.
    pub fn resolved_table(&self) -> toml::Table {
        let mut table = self.table.clone();
        table.remove("calibration");
        if let Some(toml::Value::Table(data)) = table.get_mut("data") {
            for (_, value) in data.iter_mut() {
                let toml::Value::String(path) = value else {
                    continue;
                };
                if path.starts_with(super::BUILTIN) {
                    continue;
                }
                *path = match &self.origin {
                    Origin::Embedded => format!("{}{path}", super::BUILTIN),
                    Origin::File(file) => {
                        let joined = file.parent().unwrap_or(Path::new(".")).join(path.as_str());
                        joined
                            .canonicalize()
                            .unwrap_or(joined)
                            .display()
                            .to_string()
                    }
                };
            }
        }
        table
    }

    /// Whether the value at `path` is an integer (so that a value set there
    /// must be whole).
    pub fn is_integer(&self, path: &super::ParamPath) -> bool {
        path.is_integer(&self.table)
    }

    /// The text of the data file `[data] key` names, as the scenario reads
    /// it; `None` if it names none or it cannot be read.
    pub fn data_text(&self, key: &str) -> Option<String> {
        let path = self.table.get("data")?.get(key)?.as_str()?;
        self.origin.read_data(path).ok().map(|(_, text)| text)
    }

    /// The scenario's own text (not that of the files it extends).
    pub fn text(&self) -> &str {
        self.sources.first().map_or("", |(_, text)| text.as_str())
    }

    /// Overrides a scalar with `PATH=VALUE` (as `--set` on the command line).
    /// The value is read as TOML (`2022-09-23`, `0.5`, `true`, `"text"`) or
    /// else as a string, and must have the type of the value it replaces.
    pub fn set(&mut self, assignment: &str) -> Result<(), InputError> {
        // Shown as typed but on one line: a line break in the value would
        // split the error message.
        let shown = assignment.escape_debug().to_string();
        self.set_by(&format!("--set {shown}"), assignment)
    }

    /// The same, for an option other than `--set`: `option` names it in
    /// errors, e.g. `--scale 0`.
    pub fn set_by(&mut self, option: &str, assignment: &str) -> Result<(), InputError> {
        let err = |key: Option<String>, message: String| InputError {
            file: option.to_owned(),
            line: None,
            column: None,
            key,
            message,
        };
        let (path, value) = assignment.split_once('=').ok_or_else(|| {
            err(
                None,
                format!("`{assignment}` is not PATH=VALUE, e.g. decision.peer=0.5"),
            )
        })?;
        let path: ParamPath = path.trim().parse().map_err(|m| err(None, m))?;
        if path.to_string().starts_with("data.") {
            // The data files are read with the scenario, before any
            // override: a new path here would be silently ignored.
            return Err(err(
                Some(path.to_string()),
                "the data files cannot be changed with --set: write a scenario that \
                 `extends` this one with its own [data] table"
                    .to_owned(),
            ));
        }
        if value.contains(['\n', '\r']) {
            return Err(err(
                Some(path.to_string()),
                "the value holds a line break: give a value on one line".to_owned(),
            ));
        }
        let text = value.trim();
        let value = parse_scalar(text);
        // A value that is not TOML is taken as a bare string; where the
        // key holds something else (a number, a date), say why it is not one.
        if value.is_str()
            && path.current(&self.table).is_some_and(|old| !old.is_str())
            && let Some(reason) = super::locator::value_error(text)
            && text.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c))
        {
            return Err(err(Some(path.to_string()), format!("`{text}`: {reason}")));
        }
        // The key names the path already; the message need not repeat it.
        let at_path = |m: String| {
            let m = m
                .strip_prefix(&format!("`{path}`: "))
                .map_or_else(|| m.clone(), str::to_owned);
            err(Some(path.to_string()), m)
        };
        path.set_value(&mut self.table, value).map_err(at_path)?;
        let located = path.resolve(&self.table, false).map_err(at_path)?;
        self.overrides
            .push((located.to_string(), option.to_owned()));
        Ok(())
    }

    /// The validated scenario.
    pub fn scenario(&self) -> Result<Scenario, LoadError> {
        self.scenario_with(&[])
    }

    /// The validated scenario with some values replaced.
    pub fn scenario_with(&self, values: &[(ParamPath, f64)]) -> Result<Scenario, LoadError> {
        let source = source_text(&self.sources, &self.table);
        let mut table = self.table.clone();
        for (path, value) in values {
            path.set(&mut table, *value).map_err(|message| InputError {
                file: self.origin.display_name(),
                line: None,
                column: None,
                key: Some(path.to_string()),
                message,
            })?;
        }
        let raw = deserialize_merged(&table, &source).map_err(|e| self.blame_override(e))?;
        let mut scenario = validate::validate(
            &raw,
            &source,
            &table,
            self.regions.clone(),
            &self.crossings,
            self.air_routes.as_ref(),
        )
        .map_err(|e| self.blame_override(e))?;
        // The texts, and the merged table with the `--set` values in it.
        let merged = toml::to_string(&self.table).map_err(|source| LoadError::Write {
            file: self.origin.display_name(),
            source,
        })?;
        let mut hashed: String = self.sources.iter().map(|(_, text)| text.as_str()).collect();
        hashed.push_str(&merged);
        for (path, value) in values {
            hashed.push_str(&format!("\n# {path} = {value}"));
        }
        scenario.content_hash = hex_sha256(hashed.as_bytes());
        Ok(scenario)
    }

    /// An error at `key` of the scenario as written: located at its line and
    /// column in the file that wrote it, or, where an option replaced the
    /// value, naming the option.
    pub fn error_at(&self, key: &KeyPath, message: String) -> InputError {
        let source = source_text(&self.sources, &self.table);
        self.blame_override(source.error_at(key, message))
    }

    /// An error about a value that an option replaced names the option
    /// (the file's line would show the value it no longer holds).
    fn blame_override(&self, mut error: InputError) -> InputError {
        let option = error
            .key
            .as_deref()
            .and_then(|key| self.overrides.iter().rev().find(|(k, _)| k == key));
        if let Some((_, option)) = option {
            error.file.clone_from(option);
            error.line = None;
            error.column = None;
        }
        self.through_extends(error)
    }

    /// An error located in a file this one extends says which file extends
    /// it, and on which line, back to the file the user named: the user
    /// reading it may never have opened the file it points into.
    fn through_extends(&self, mut error: InputError) -> InputError {
        let Some(k) = self
            .sources
            .iter()
            .skip(1)
            .position(|(name, _)| *name == error.file)
        else {
            return error;
        };
        let chain: Vec<String> = self.sources[..=k]
            .iter()
            .rev()
            .map(|(name, text)| {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("extends"))
                    .map_or(1, |i| i + 1);
                format!("{name}:{line}")
            })
            .collect();
        error.message.push_str(&format!(
            " (reached through `extends` from {})",
            chain.join(", from ")
        ));
        error
    }

    /// The numeric value at a path.
    pub fn value(&self, path: &ParamPath) -> Result<f64, String> {
        path.get(&self.table)
    }

    /// The scenario text with new values written in place of the old ones,
    /// comments and layout kept (each new value keeps the old one's
    /// spacing and trailing comment). Each value must be written in this
    /// file itself (not only in a file it extends).
    pub fn rewrite(&self, values: &[(ParamPath, f64)]) -> Result<String, String> {
        let name = self.origin.display_name();
        let mut text: toml_edit::DocumentMut = self
            .text()
            .parse()
            .map_err(|e| format!("cannot read {name} again: {e}"))?;
        for (path, value) in values {
            path.resolve(&self.table, true)?;
            let written = if path.is_integer(&self.table) {
                format!("{}", value.round() as i64)
            } else {
                format_float(*value)
            };
            let slot = path.value_in(&mut text).ok_or_else(|| {
                format!(
                    "`{path}` is not written in {name} itself (it comes from the scenario it extends): add it there to calibrate it"
                )
            })?;
            let mut new: toml_edit::Value = written
                .parse()
                .map_err(|e| format!("cannot write {written} as `{path}`: {e}"))?;
            *new.decor_mut() = slot.decor().clone();
            *slot = new;
        }
        Ok(text.to_string())
    }

    /// Whether this is the default scenario embedded in the binary, whose
    /// data files are inside the binary rather than on disk.
    pub fn is_embedded(&self) -> bool {
        matches!(self.origin, Origin::Embedded)
    }

    /// `text` (this scenario, rewritten) as a file in `dir` would need it:
    /// the relative paths it names (`extends`, the `[data]` files) made
    /// relative to `dir`, so that the file runs where it is written. A
    /// scenario read from a file is the only kind with paths on disk; for the
    /// embedded default, `None` (its data are inside the binary).
    pub fn relocated(&self, text: &str, dir: &Path) -> Result<Option<String>, String> {
        let Origin::File(path) = &self.origin else {
            return Ok(None);
        };
        let name = self.origin.display_name();
        // A bare file name's parent is the empty path: the current folder.
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let from = lexical_absolute(parent)?;
        let to = lexical_absolute(dir)?;
        let mut doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e| format!("cannot read {name} again: {e}"))?;
        let relocate = |value: &mut toml_edit::Value| -> Result<(), String> {
            let Some(old) = value.as_str().filter(|p| Path::new(p).is_relative()) else {
                return Ok(());
            };
            let target = lexical_absolute(&from.join(old))?;
            let path = pathdiff::diff_paths(&target, &to).unwrap_or(target);
            let mut new = toml_edit::Value::from(path.to_string_lossy().into_owned());
            *new.decor_mut() = value.decor().clone();
            *value = new;
            Ok(())
        };
        if let Some(value) = doc.get_mut("extends").and_then(|i| i.as_value_mut()) {
            relocate(value)?;
        }
        if let Some(data) = doc.get_mut("data").and_then(|i| i.as_table_like_mut()) {
            for (_, item) in data.iter_mut() {
                if let Some(value) = item.as_value_mut() {
                    relocate(value)?;
                }
            }
        }
        Ok(Some(doc.to_string()))
    }
}

/// `path` made absolute against the working directory, with `.` and `..`
/// resolved lexically (symbolic links are left alone).
fn lexical_absolute(path: &Path) -> Result<PathBuf, String> {
    let absolute = std::path::absolute(path)
        .map_err(|e| format!("cannot make `{}` absolute: {e}", path.display()))?;
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Reads a command-line value as a TOML scalar, or else as a string.
fn parse_scalar(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_are_made_lexically_normal() {
        assert_eq!(
            lexical_absolute(Path::new("/a/b/c/x/../data.csv")).unwrap(),
            Path::new("/a/b/c/data.csv")
        );
        assert_eq!(
            lexical_absolute(Path::new("/a/./b/../c.csv")).unwrap(),
            Path::new("/a/c.csv")
        );
    }

    #[test]
    fn rewriting_keeps_comments_and_changes_only_the_values() {
        let doc = ScenarioDocument::embedded_default().unwrap();
        let peer: ParamPath = "decision.peer".parse().unwrap();
        let days: ParamPath = "passport.processing_days".parse().unwrap();
        let text = doc.rewrite(&[(peer, 0.25), (days, 20.6)]).unwrap();
        let changed: Vec<(&str, &str)> = doc
            .text()
            .lines()
            .zip(text.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(text.lines().count(), doc.text().lines().count());
        assert_eq!(changed.len(), 2, "{changed:?}");
        let comment = |line: &str| line.split_once('#').map(|(_, c)| c.to_owned());
        assert!(
            changed[0].1.starts_with("peer = 0.25 ")
                && comment(changed[0].1).is_some()
                && comment(changed[0].1) == comment(changed[0].0),
            "{changed:?}"
        );
        assert!(changed[1].1.contains("processing_days = 21"), "{changed:?}");
    }
}
