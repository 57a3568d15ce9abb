//! A scenario file held as a document: its text, its parsed TOML table and
//! its data, from which scenarios with some values changed can be built
//! again and again (calibration, `--set`), and into whose text new values
//! can be written back without losing a comment.
//!
//! Values are addressed by a [`ParamPath`]: table keys joined by `.`, and
//! elements of arrays of tables selected by their `id` or `name`, or by
//! position: `decision.base_log_hazard`, `destination[Georgia].constant`,
//! `policy[baltic-tourist-ban].baseline_share`, `crossing[3].capacity`.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use super::file::ScenarioFile;
use super::locator::SourceText;
use super::{KeyPath, LoadError, Origin, Scenario, validate};
use crate::data::{CrossingRecord, Region};
use crate::format::{format_float, hex_sha256};
use crate::input_error::{InputError, line_column};
use crate::settings::{Overrides, RunSettings};

/// A path to a scalar value in a scenario document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamPath {
    text: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Select { key: String, selector: String },
}

impl FromStr for ParamPath {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "`{text}` is not a valid path: write table keys joined by `.`, selecting array elements by id, name or position, e.g. `decision.base_log_hazard` or `destination[Georgia].constant`"
            )
        };
        let mut steps = Vec::new();
        for part in text.split('.') {
            let valid_key = |k: &str| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            };
            match part.split_once('[') {
                Some((key, rest)) => {
                    let selector = rest.strip_suffix(']').ok_or_else(bad)?;
                    if !valid_key(key) || selector.is_empty() || selector.contains(['[', ']']) {
                        return Err(bad());
                    }
                    steps.push(Step::Select {
                        key: key.to_owned(),
                        selector: selector.to_owned(),
                    });
                }
                None if valid_key(part) => steps.push(Step::Key(part.to_owned())),
                None => return Err(bad()),
            }
        }
        Ok(Self {
            text: text.to_owned(),
            steps,
        })
    }
}

impl fmt::Display for ParamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ParamPath {
    /// The path as written, in a form usable as a CSV column name.
    pub fn column_name(&self) -> String {
        self.text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .split('_')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("_")
    }

    /// Resolves the path in a table to positional form (for locating it in the text).
    fn resolve(&self, table: &toml::Table, number: bool) -> Result<KeyPath, String> {
        let mut path = KeyPath::default();
        let mut current = table;
        let last = self.steps.len().saturating_sub(1);
        for (i, step) in self.steps.iter().enumerate() {
            let key = match step {
                Step::Key(k) | Step::Select { key: k, .. } => k,
            };
            let value = current.get(key).ok_or_else(|| {
                let keys: Vec<&str> = current.keys().map(String::as_str).collect();
                format!(
                    "`{self}`: there is no key `{key}` here; the keys are: {}",
                    keys.join(", ")
                )
            })?;
            path = path.key(key);
            let value = match step {
                Step::Key(_) => value,
                Step::Select { selector, .. } => {
                    let items = value.as_array().ok_or_else(|| {
                        format!(
                            "`{self}`: `{key}` is not an array, so `[{selector}]` selects nothing"
                        )
                    })?;
                    let index = select(items, selector).ok_or_else(|| {
                        let names: Vec<String> = items.iter().filter_map(item_name).collect();
                        format!(
                            "`{self}`: no `{key}` has the id or name `{selector}`; they are: {}",
                            names.join(", ")
                        )
                    })?;
                    path = path.index(index);
                    &items[index]
                }
            };
            if i == last {
                if number && !(value.is_float() || value.is_integer()) {
                    return Err(format!(
                        "`{self}` is not a number (it is {})",
                        type_words(value)
                    ));
                }
            } else {
                current = value
                    .as_table()
                    .ok_or_else(|| format!("`{self}`: `{key}` is not a table"))?;
            }
        }
        Ok(path)
    }

    /// The numeric value at this path.
    pub fn get(&self, table: &toml::Table) -> Result<f64, String> {
        self.resolve(table, true)?;
        let value = self
            .walk(table)
            .ok_or_else(|| format!("`{self}` not found"))?;
        value
            .as_float()
            .or_else(|| value.as_integer().map(|i| i as f64))
            .ok_or_else(|| format!("`{self}` is not a number"))
    }

    /// Sets the numeric value at this path (an integer key keeps an integer, rounded).
    pub fn set(&self, table: &mut toml::Table, value: f64) -> Result<(), String> {
        self.resolve(table, true)?;
        let slot = self
            .walk_mut(table)
            .ok_or_else(|| format!("`{self}` not found"))?;
        *slot = if slot.is_integer() {
            toml::Value::Integer(value.round() as i64)
        } else {
            toml::Value::Float(value)
        };
        Ok(())
    }

    /// Sets any scalar at this path; the new value must have the old one's
    /// type (an integer may replace a float).
    pub fn set_value(&self, table: &mut toml::Table, value: toml::Value) -> Result<(), String> {
        self.resolve(table, false)?;
        let slot = self
            .walk_mut(table)
            .ok_or_else(|| format!("`{self}` not found"))?;
        let value = match (&*slot, value) {
            (toml::Value::Float(_), toml::Value::Integer(i)) => toml::Value::Float(i as f64),
            (old, new) if old.same_type(&new) && !old.is_table() && !old.is_array() => new,
            (old, new) => {
                return Err(format!(
                    "expects {} (like the value it replaces), got {}",
                    type_words(old),
                    type_words(&new)
                ));
            }
        };
        *slot = value;
        Ok(())
    }

    fn walk<'t>(&self, table: &'t toml::Table) -> Option<&'t toml::Value> {
        let mut current = table;
        let mut found = None;
        for step in &self.steps {
            let value = match step {
                Step::Key(k) => current.get(k)?,
                Step::Select { key, selector } => {
                    let items = current.get(key)?.as_array()?;
                    &items[select(items, selector)?]
                }
            };
            found = Some(value);
            if let Some(t) = value.as_table() {
                current = t;
            }
        }
        found
    }

    fn walk_mut<'t>(&self, table: &'t mut toml::Table) -> Option<&'t mut toml::Value> {
        let (last, init) = self.steps.split_last()?;
        let mut current = table;
        for step in init {
            let value = match step {
                Step::Key(k) => current.get_mut(k)?,
                Step::Select { key, selector } => {
                    let items = current.get_mut(key)?.as_array_mut()?;
                    let i = select(items, selector)?;
                    &mut items[i]
                }
            };
            current = value.as_table_mut()?;
        }
        match last {
            Step::Key(k) => current.get_mut(k),
            Step::Select { key, selector } => {
                let items = current.get_mut(key)?.as_array_mut()?;
                let i = select(items, selector)?;
                items.get_mut(i)
            }
        }
    }
}

/// The text of a scenario (the first of `sources`) with the files it extends
/// and the ids of its merged arrays, for locating errors.
fn source_text<'s>(sources: &'s [(String, String)], table: &toml::Table) -> SourceText<'s> {
    let Some(((name, text), parents)) = sources.split_first() else {
        return SourceText::new("", "");
    };
    let parents = parents
        .iter()
        .map(|(name, text)| SourceText::new(name.clone(), text))
        .collect();
    SourceText::new(name.clone(), text)
        .with_parents(parents)
        .with_merged_ids(merged_ids(table))
}

/// The scenario file of a merged document. The merged table has no places
/// in any file, so it is written out and read back as TOML: an error then
/// has a key path, and is reported in the file that wrote that key.
fn deserialize_merged(
    table: &toml::Table,
    source: &SourceText<'_>,
) -> Result<ScenarioFile, InputError> {
    match toml::to_string(table) {
        Ok(written) => toml::from_str(&written).map_err(|e| source.from_merged_error(&e, &written)),
        // Not expected for a table read from TOML; without the text, no place.
        Err(_) => toml::Value::Table(table.clone())
            .try_into()
            .map_err(|e: toml::de::Error| source.from_toml_error(&e)),
    }
}

/// The id or name of each element of each merged array of `table`.
fn merged_ids(table: &toml::Table) -> Vec<(String, Vec<Option<String>>)> {
    MERGED_ARRAYS
        .iter()
        .filter_map(|(array, _)| {
            let items = table.get(*array)?.as_array()?;
            Some(((*array).to_owned(), items.iter().map(item_name).collect()))
        })
        .collect()
}

fn item_name(item: &toml::Value) -> Option<String> {
    let t = item.as_table()?;
    t.get("id")
        .or_else(|| t.get("name"))?
        .as_str()
        .map(str::to_owned)
}

fn select(items: &[toml::Value], selector: &str) -> Option<usize> {
    items
        .iter()
        .position(|item| item_name(item).as_deref() == Some(selector))
        .or_else(|| selector.parse::<usize>().ok().filter(|&i| i < items.len()))
}

/// A scenario file with its data, ready to be built into scenarios.
///
/// A file may `extends = "PATH"` another (relative to itself): its tables
/// then merge into the other's key by key, arrays of tables (`policy`,
/// `crossing`, `destination`, `target`) merge element by element by `id` or
/// `name` (a matching element is replaced, a new one added), and
/// `remove_policies = [...]` drops policies by id. Overriding a key the
/// extended scenario does not have is an error, and so is a cycle. The
/// `[calibration]` section is not inherited.
#[derive(Debug, Clone)]
pub struct ScenarioDocument {
    /// (name, text) of the file and of the files it extends, nearest first.
    sources: Vec<(String, String)>,
    origin: Origin,
    table: toml::Table,
    regions: Vec<Region>,
    crossings: Vec<CrossingRecord>,
    /// Values replaced after reading (key path, and the option that did it),
    /// so that an error in one points at the option, not at the file.
    overrides: Vec<(String, String)>,
}

/// Arrays of tables merged element by element, and the key naming an element.
const MERGED_ARRAYS: [(&str, &str); 4] = [
    ("policy", "id"),
    ("crossing", "id"),
    ("destination", "name"),
    ("target", "id"),
];

impl ScenarioDocument {
    /// Parses scenario text from `origin` and reads its data files.
    pub fn parse(text: &str, origin: Origin) -> Result<Self, LoadError> {
        let mut stack = Vec::new();
        if let Origin::File(path) = &origin {
            stack.extend(path.canonicalize().ok());
        }
        let (sources, table) = Self::merged(text, &origin, &mut stack)?;
        let source = source_text(&sources, &table);
        let raw: ScenarioFile = if sources.len() == 1 {
            toml::from_str(text).map_err(|e| source.from_toml_error(&e))?
        } else {
            deserialize_merged(&table, &source)?
        };
        let regions = super::read_data_file(
            &source,
            &origin,
            &raw.data.regions,
            "regions",
            crate::data::parse_regions,
        )?;
        let crossings = super::read_data_file(
            &source,
            &origin,
            &raw.data.crossings,
            "crossings",
            crate::data::parse_crossings,
        )?;
        Ok(Self {
            sources,
            origin,
            table,
            regions,
            crossings,
            overrides: Vec::new(),
        })
    }

    /// The table of `text`, merged onto the scenario it extends, and the
    /// chain of sources. `stack` holds the files being read, to catch cycles.
    fn merged(
        text: &str,
        origin: &Origin,
        stack: &mut Vec<std::path::PathBuf>,
    ) -> Result<(Vec<(String, String)>, toml::Table), LoadError> {
        let name = origin.display_name();
        let source = SourceText::new(name.clone(), text);
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| source.from_toml_error(&e))?;
        let mut sources = vec![(name, text.to_owned())];
        let Some(extends) = table.remove("extends") else {
            if table.contains_key("remove_policies") {
                return Err(source
                    .error_at(
                        &KeyPath::of(&["remove_policies"]),
                        "`remove_policies` only makes sense with `extends`",
                    )
                    .into());
            }
            return Ok((sources, table));
        };
        let at = KeyPath::of(&["extends"]);
        let relative = extends.as_str().ok_or_else(|| {
            source.error_at(&at, "must be the path of a scenario file, as a string")
        })?;
        let Origin::File(own) = origin else {
            return Err(source
                .error_at(&at, "the embedded scenario cannot extend another")
                .into());
        };
        let dir = own.parent().unwrap_or(Path::new("."));
        let parent_path = dir.join(relative);
        let canonical = parent_path.canonicalize().map_err(|e| {
            source.error_at(
                &at,
                format!(
                    "cannot read `{}`: {e}; give the path of a scenario file, relative to this one",
                    parent_path.display()
                ),
            )
        })?;
        if stack.contains(&canonical) {
            let chain: Vec<String> = stack
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| {
                    p.file_name().map_or_else(
                        || p.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    )
                })
                .collect();
            return Err(source
                .error_at(&at, format!("circular `extends`: {}", chain.join(" -> ")))
                .into());
        }
        stack.push(canonical.clone());
        let parent_text = super::read_text(&parent_path)?;
        let parent_origin = Origin::File(parent_path.clone());
        let (parent_sources, mut merged) = Self::merged(&parent_text, &parent_origin, stack)?;
        stack.pop();
        anchor_data_paths(&mut merged, parent_path.parent().unwrap_or(Path::new(".")));
        // Calibration settings belong to the file that is calibrated: an
        // extending scenario runs with the fitted values, and may set its own.
        merged.remove("calibration");
        if let Some(removals) = table.remove("remove_policies") {
            remove_policies(&mut merged, &removals)
                .map_err(|(path, m)| source.error_at(&path, m))?;
        }
        merge(&mut merged, table, &KeyPath::default())
            .map_err(|(path, m)| source.error_at(&path, m))?;
        sources.extend(parent_sources);
        Ok((sources, merged))
    }

    /// Reads a scenario file.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let text = super::read_text(path)?;
        Self::parse(&text, Origin::File(path.to_owned()))
    }

    /// The embedded default scenario.
    pub fn embedded_default() -> Result<Self, LoadError> {
        Self::parse(super::DEFAULT_SCENARIO, Origin::Embedded)
    }

    /// The scenario's own text (not that of the files it extends).
    pub fn text(&self) -> &str {
        self.sources.first().map_or("", |(_, text)| text.as_str())
    }

    /// Overrides a scalar with `PATH=VALUE` (as `--set` on the command line).
    /// The value is read as TOML (`2022-09-23`, `0.5`, `true`, `"text"`) or
    /// else as a string, and must have the type of the value it replaces.
    pub fn set(&mut self, assignment: &str) -> Result<(), InputError> {
        self.set_by(&format!("--set {assignment}"), assignment)
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
        let value = parse_scalar(value.trim());
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
        let raw = deserialize_merged(&table, &source)?;
        let mut scenario =
            validate::validate(&raw, &source, &table, self.regions.clone(), &self.crossings)
                .map_err(|e| self.blame_override(e))?;
        let mut hashed: String = self.sources.iter().map(|(_, text)| text.as_str()).collect();
        hashed.push_str(&toml::to_string(&self.table).unwrap_or_default());
        for (path, value) in values {
            hashed.push_str(&format!("\n# {path} = {value}"));
        }
        scenario.content_hash = hex_sha256(hashed.as_bytes());
        Ok(scenario)
    }

    /// The validated scenario and the settings of a run of it (see
    /// [`ScenarioDocument::settings`]).
    pub fn prepare(&self, overrides: &Overrides) -> Result<(Scenario, RunSettings), LoadError> {
        let scenario = self.scenario()?;
        let settings = self.settings(&scenario, overrides)?;
        Ok((scenario, settings))
    }

    /// The settings of a run of `scenario`, validated from this document:
    /// the file's `seed` and `scale` unless `overrides` give others. This is
    /// the run's pre-flight (see [`crate::settings`]); an error names the
    /// `--scale` option that gave the scale, or the `scale` key, with its
    /// line and column, in the file that wrote it.
    pub fn settings(
        &self,
        scenario: &Scenario,
        overrides: &Overrides,
    ) -> Result<RunSettings, InputError> {
        let key = KeyPath::of(&["scale"]);
        self.settings_at(scenario, overrides, &key, scenario.default_scale())
    }

    /// The settings of a calibration's runs: as [`ScenarioDocument::settings`],
    /// but at the `[calibration]` section's `scale` when it has one.
    pub fn calibration_settings(
        &self,
        scenario: &Scenario,
        overrides: &Overrides,
    ) -> Result<RunSettings, InputError> {
        match scenario.calibration().and_then(|c| c.scale) {
            Some(scale) => {
                let key = KeyPath::of(&["calibration", "scale"]);
                self.settings_at(scenario, overrides, &key, scale)
            }
            None => self.settings(scenario, overrides),
        }
    }

    /// The settings at the `--scale` of `overrides`, else at `scale`, which
    /// the file writes at `key`.
    fn settings_at(
        &self,
        scenario: &Scenario,
        overrides: &Overrides,
        key: &KeyPath,
        scale: u32,
    ) -> Result<RunSettings, InputError> {
        let seed = overrides.seed.unwrap_or(scenario.default_seed());
        let threads = overrides.threads;
        match overrides.scale {
            Some(scale) => {
                RunSettings::checked(scenario, seed, scale, threads).map_err(|message| InputError {
                    file: format!("--scale {scale}"),
                    line: None,
                    column: None,
                    key: Some("scale".to_owned()),
                    message,
                })
            }
            None => RunSettings::checked(scenario, seed, scale, threads).map_err(|message| {
                let source = source_text(&self.sources, &self.table);
                self.blame_override(source.error_at(key, message))
            }),
        }
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
        error
    }

    /// The numeric value at a path.
    pub fn value(&self, path: &ParamPath) -> Result<f64, String> {
        path.get(&self.table)
    }

    /// The scenario text with new values written in place of the old ones,
    /// comments and layout kept. Each value must be written in this file
    /// itself (not only in a file it extends).
    pub fn rewrite(&self, values: &[(ParamPath, f64)]) -> Result<String, String> {
        let own = self.text().to_owned();
        let source = SourceText::new(self.origin.display_name(), &own);
        let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::with_capacity(values.len());
        for (path, value) in values {
            let located = path.resolve(&self.table, true)?;
            if !source.has(&located) {
                return Err(format!(
                    "`{path}` is not written in {} itself (it comes from the scenario it extends): add it there to calibrate it",
                    self.origin.display_name()
                ));
            }
            let span = source
                .span_of(&located)
                .ok_or_else(|| format!("`{path}` could not be located in the text"))?;
            let integer = self
                .value(path)
                .is_ok_and(|_| path.walk(&self.table).is_some_and(toml::Value::is_integer));
            let written = if integer {
                format!("{}", value.round() as i64)
            } else {
                format_float(*value)
            };
            edits.push((span, written));
        }
        edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
        let mut text = own.clone();
        for (span, written) in edits {
            if text.get(span.clone()).is_none() {
                let (line, _) = line_column(&own, span.start);
                return Err(format!("cannot rewrite the value on line {line}"));
            }
            text.replace_range(span, &written);
        }
        Ok(text)
    }
}

/// Reads a command-line value as a TOML scalar, or else as a string.
fn parse_scalar(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_owned()))
}

/// Makes the `[data]` paths of an extended scenario absolute, so that they
/// keep pointing at its data from the extending file.
fn anchor_data_paths(table: &mut toml::Table, dir: &Path) {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    if let Some(toml::Value::Table(data)) = table.get_mut("data") {
        for (_, value) in data.iter_mut() {
            if let toml::Value::String(path) = value {
                let anchored = dir.join(path.as_str()).display().to_string();
                *path = anchored;
            }
        }
    }
}

fn remove_policies(
    table: &mut toml::Table,
    removals: &toml::Value,
) -> Result<(), (KeyPath, String)> {
    let at = KeyPath::of(&["remove_policies"]);
    let ids = removals
        .as_array()
        .ok_or_else(|| (at.clone(), "must be an array of policy ids".to_owned()))?;
    let policies = table.get_mut("policy").and_then(toml::Value::as_array_mut);
    let Some(policies) = policies else {
        return Err((
            at,
            "the extended scenario has no policies to remove".to_owned(),
        ));
    };
    for (i, id) in ids.iter().enumerate() {
        let id = id
            .as_str()
            .ok_or_else(|| (at.index(i), "must be a policy id (a string)".to_owned()))?;
        let position = policies
            .iter()
            .position(|p| item_name(p).as_deref() == Some(id));
        let Some(position) = position else {
            let known: Vec<String> = policies.iter().filter_map(item_name).collect();
            return Err((
                at.index(i),
                format!(
                    "no policy `{id}` in the extended scenario; its policies are: {}",
                    known.join(", ")
                ),
            ));
        };
        policies.remove(position);
    }
    Ok(())
}

/// Merges `child` into `parent` (see [`ScenarioDocument`]).
fn merge(
    parent: &mut toml::Table,
    child: toml::Table,
    path: &KeyPath,
) -> Result<(), (KeyPath, String)> {
    for (key, value) in child {
        let at = path.key(&key);
        let top = *path == KeyPath::default();
        let merged_array = top
            .then(|| MERGED_ARRAYS.iter().find(|(name, _)| *name == key))
            .flatten();
        match (parent.get_mut(&key), value) {
            (Some(toml::Value::Table(p)), toml::Value::Table(c)) => merge(p, c, &at)?,
            (Some(toml::Value::Array(p)), toml::Value::Array(c)) if merged_array.is_some() => {
                check_unique(&c, &at, merged_array)?;
                for item in c {
                    match item_name(&item)
                        .and_then(|name| p.iter().position(|q| item_name(q) == Some(name.clone())))
                    {
                        Some(i) => p[i] = item,
                        None => p.push(item),
                    }
                }
            }
            (None, value) if merged_array.is_some() || may_add(&at) => {
                if let toml::Value::Array(items) = &value {
                    check_unique(items, &at, merged_array)?;
                }
                parent.insert(key, value);
            }
            (None, _) => {
                let keys: Vec<&str> = parent.keys().map(String::as_str).collect();
                return Err((
                    at,
                    format!(
                        "`{key}` does not exist in the scenario this one extends, so it cannot be overridden; the keys there are: {}",
                        keys.join(", ")
                    ),
                ));
            }
            (Some(old), new) => {
                let compatible = old.same_type(&new) || (old.is_float() && new.is_integer());
                if !compatible {
                    return Err((
                        at,
                        format!(
                            "expects {} (like the value it overrides), got {}",
                            type_words(old),
                            type_words(&new)
                        ),
                    ));
                }
                *old = match (&*old, new) {
                    (toml::Value::Float(_), toml::Value::Integer(i)) => {
                        toml::Value::Float(i as f64)
                    }
                    (_, new) => new,
                };
            }
        }
    }
    Ok(())
}

/// A TOML value's type in words, with an example where that helps.
fn type_words(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string in quotes",
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number such as 0.5",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date such as 2022-09-21",
        toml::Value::Array(_) => "a list in brackets",
        toml::Value::Table(_) => "a table",
    }
}

/// Refuses two elements with one id (or name) in one file's array of
/// tables: merging would silently keep only the second.
fn check_unique(
    items: &[toml::Value],
    at: &KeyPath,
    merged_array: Option<&(&str, &str)>,
) -> Result<(), (KeyPath, String)> {
    let Some((array, id_key)) = merged_array else {
        return Ok(());
    };
    for (i, item) in items.iter().enumerate() {
        let name = item_name(item);
        if name.is_some() && items[..i].iter().any(|earlier| item_name(earlier) == name) {
            return Err((
                at.index(i).key(id_key),
                format!(
                    "`{}` is used twice in this file; each {array} needs its own {id_key}",
                    name.unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// Keys an extending file may add although the scenario it extends lacks
/// them: optional keys, and entries of the maps by region or district.
const ADDABLE_KEYS: [&str; 6] = [
    "name",
    "description",
    "calibration",
    "population.foreign_passport.multiplier",
    "population.schengen_visa.multiplier",
    "mobilization.intensity",
];

fn may_add(at: &KeyPath) -> bool {
    let at = at.to_string();
    ADDABLE_KEYS.iter().any(|key| {
        at.strip_prefix(key)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a = 1.5 # keep me\n[b]\nc = 3\n[[item]]\nid = \"x\"\nv = 2.0\n[[item]]\nid = \"y\"\nv = 4.0\n";

    fn table() -> toml::Table {
        toml::from_str(TEXT).unwrap()
    }

    #[test]
    fn paths_parse_and_reject_nonsense() {
        assert!("decision.base_log_hazard".parse::<ParamPath>().is_ok());
        assert!("destination[Georgia].constant".parse::<ParamPath>().is_ok());
        for bad in ["", "a..b", "a[", "a[]", "a b"] {
            assert!(bad.parse::<ParamPath>().is_err(), "{bad}");
        }
    }

    #[test]
    fn get_and_set_by_key_id_and_position() {
        let mut t = table();
        let p: ParamPath = "item[y].v".parse().unwrap();
        assert_eq!(p.get(&t), Ok(4.0));
        p.set(&mut t, 5.5).unwrap();
        assert_eq!(p.get(&t), Ok(5.5));
        let q: ParamPath = "item[0].v".parse().unwrap();
        assert_eq!(q.get(&t), Ok(2.0));
        let c: ParamPath = "b.c".parse().unwrap();
        c.set(&mut t, 7.4).unwrap();
        assert_eq!(t["b"]["c"].as_integer(), Some(7));
        let missing: ParamPath = "item[z].v".parse().unwrap();
        assert!(missing.get(&t).unwrap_err().contains("x, y"));
        let not_number: ParamPath = "item[x].id".parse().unwrap();
        assert!(not_number.get(&t).unwrap_err().contains("not a number"));
    }
}
