//! Scenario inheritance: a file that `extends = "PATH"` another.
//!
//! The extending file's tables merge into the other's key by key; arrays of
//! tables (`policy`, `crossing`, `destination`, `target`) merge element by
//! element by `id` or `name`: a new element is added, and the keys given for
//! an element the other file has replace its keys one by one, so that
//! `[[policy]] id = "finland-tourist-ban"` with only `start = ...` moves
//! that policy's start and keeps the rest; `remove_policies = [...]` drops
//! policies by id. Overriding a key
//! the extended scenario does not have is an error, and so is a cycle. The
//! `[calibration]` section is not inherited. The data paths of an extended
//! file keep pointing at its own data.
//!
//! `extends = "builtin:mobilization-2022"` extends the default scenario
//! embedded in the binary, wherever the file lies: its data paths become
//! `builtin:data/...`, which name the embedded data files.
//!
//! The merged table has no places in any file, so errors found in it are
//! located through [`source_text`], which knows every file of the chain and
//! which file wrote each element of a merged array.

use std::path::{Path, PathBuf};

use super::file::ScenarioFile;
use super::locator::SourceText;
use super::origin::{BUILTIN, BUILTIN_SCENARIOS, Origin, read_text};
use super::param_path::{given_words, item_name, type_words};
use super::{KeyPath, LoadError};
use crate::input_error::InputError;

/// The table of `text`, merged onto the scenario it extends, and the
/// chain of sources. `stack` holds the files being read, to catch cycles.
pub(super) fn merged(
    text: &str,
    origin: &Origin,
    stack: &mut Vec<PathBuf>,
) -> Result<(Vec<(String, String)>, toml::Table), LoadError> {
    let name = origin.display_name();
    let source = SourceText::new(name.clone(), text);
    let mut table: toml::Table = toml::from_str(text).map_err(|e| source.from_toml_error(&e))?;
    let sources = vec![(name, text.to_owned())];
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
    let relative = extends
        .as_str()
        .ok_or_else(|| source.error_at(&at, "must be the path of a scenario file, as a string"))?;
    let Origin::File(own) = origin else {
        return Err(source
            .error_at(&at, "the embedded scenario cannot extend another")
            .into());
    };
    if let Some(name) = relative.strip_prefix(BUILTIN) {
        let Some((_, parent_text)) = BUILTIN_SCENARIOS.iter().find(|(n, _)| *n == name) else {
            let known: Vec<String> = BUILTIN_SCENARIOS
                .iter()
                .map(|(n, _)| format!("`{BUILTIN}{n}`"))
                .collect();
            return Err(source
                .error_at(
                    &at,
                    format!(
                        "there is no built-in scenario `{name}`; the built-in scenarios are {}",
                        known.join(", ")
                    ),
                )
                .into());
        };
        let (parent_sources, mut merged) = merged(parent_text, &Origin::Embedded, stack)?;
        // Its data files are the embedded ones, wherever this file lies.
        anchor_data_paths_with(&mut merged, |path| format!("{BUILTIN}{path}"));
        return finish_merge(source, table, merged, sources, parent_sources);
    }
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
    // Whatever is wrong with the file extended, or with a file it extends,
    // is said at this file's `extends` line, or with the chain of files
    // that reach it: the user may never have opened those files.
    let extends_line = text
        .lines()
        .position(|l| l.trim_start().starts_with("extends"))
        .map_or(1, |i| i + 1);
    let here = format!("{}:{extends_line}", own.display());
    let parent_text = read_text(&parent_path).map_err(|e| match e {
        LoadError::Read { reason, .. } => LoadError::Input(source.error_at(
            &at,
            format!(
                "cannot read `{}`: {reason}; give the path of a scenario file, relative to this one",
                parent_path.display()
            ),
        )),
        LoadError::Input(e) => LoadError::Input(reached_from(e, &here)),
        other => other,
    })?;
    let parent_origin = Origin::File(parent_path.clone());
    let (parent_sources, mut merged) =
        merged(&parent_text, &parent_origin, stack).map_err(|e| match e {
            LoadError::Input(e) => LoadError::Input(reached_from(e, &here)),
            other => other,
        })?;
    stack.pop();
    anchor_data_paths(&mut merged, parent_path.parent().unwrap_or(Path::new(".")));
    finish_merge(source, table, merged, sources, parent_sources)
}

/// An error in a file that `here` (`FILE:LINE` of an `extends`) reaches
/// says so, once per file of the chain.
fn reached_from(mut error: InputError, here: &str) -> InputError {
    const MARK: &str = " (reached through `extends` from ";
    if error.message.contains(MARK) && error.message.ends_with(')') {
        error.message.pop();
        error.message.push_str(&format!(", from {here})"));
    } else {
        error.message.push_str(&format!("{MARK}{here})"));
    }
    error
}

/// Merges a file's own `table` onto the scenario it extends (`merged`,
/// read from `parent_sources`).
fn finish_merge(
    source: SourceText<'_>,
    mut table: toml::Table,
    mut merged: toml::Table,
    mut sources: Vec<(String, String)>,
    parent_sources: Vec<(String, String)>,
) -> Result<(Vec<(String, String)>, toml::Table), LoadError> {
    // Calibration settings belong to the file that is calibrated: an
    // extending scenario runs with the fitted values, and may set its own.
    merged.remove("calibration");
    if let Some(removals) = table.remove("remove_policies") {
        remove_policies(&mut merged, &removals).map_err(|(path, m)| source.error_at(&path, m))?;
    }
    merge(&mut merged, table, &KeyPath::default())
        .map_err(|(path, m)| source.error_at(&path, m))?;
    sources.extend(parent_sources);
    Ok((sources, merged))
}

/// The text of a scenario (the first of `sources`) with the files it extends
/// and the ids of its merged arrays, for locating errors.
pub(super) fn source_text<'s>(
    sources: &'s [(String, String)],
    table: &toml::Table,
) -> SourceText<'s> {
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
pub(super) fn deserialize_merged(
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

/// Arrays of tables merged element by element, and the key naming an element.
const MERGED_ARRAYS: [(&str, &str); 4] = [
    ("policy", "id"),
    ("crossing", "id"),
    ("destination", "name"),
    ("target", "id"),
];

/// Makes the `[data]` paths of an extended scenario absolute, so that they
/// keep pointing at its data from the extending file.
fn anchor_data_paths(table: &mut toml::Table, dir: &Path) {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    anchor_data_paths_with(table, |path| {
        if path.starts_with(BUILTIN) {
            path.to_owned()
        } else {
            dir.join(path).display().to_string()
        }
    });
}

/// Rewrites every `[data]` path with `anchor`.
fn anchor_data_paths_with(table: &mut toml::Table, anchor: impl Fn(&str) -> String) {
    if let Some(toml::Value::Table(data)) = table.get_mut("data") {
        for (_, value) in data.iter_mut() {
            if let toml::Value::String(path) = value {
                *path = anchor(path.as_str());
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
                for (j, item) in c.into_iter().enumerate() {
                    match item_name(&item)
                        .and_then(|name| p.iter().position(|q| item_name(q) == Some(name.clone())))
                    {
                        Some(i) => merge_element(&mut p[i], item, &at.index(j))?,
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
            (Some(old), new) => override_value(old, new, at)?,
        }
    }
    Ok(())
}

/// Replaces `old` by `new`, which must have its type (an integer may replace
/// a float, and becomes one); `at` names the value in an error.
fn override_value(
    old: &mut toml::Value,
    new: toml::Value,
    at: KeyPath,
) -> Result<(), (KeyPath, String)> {
    let compatible = old.same_type(&new) || (old.is_float() && new.is_integer());
    if !compatible {
        return Err((
            at,
            format!(
                "expects {} (like the value it overrides), got {}",
                type_words(old),
                given_words(&new)
            ),
        ));
    }
    *old = match (&*old, new) {
        (toml::Value::Float(_), toml::Value::Integer(i)) => toml::Value::Float(i as f64),
        (_, new) => new,
    };
    Ok(())
}

/// Merges an element of an array of tables into the element with its id in
/// the extended file: each key given replaces that key (a table such as a
/// destination's `onward` shares is replaced whole), and keys the element
/// lacks are added; the merged element is checked like any other.
fn merge_element(
    parent: &mut toml::Value,
    child: toml::Value,
    at: &KeyPath,
) -> Result<(), (KeyPath, String)> {
    let (Some(p), toml::Value::Table(c)) = (parent.as_table_mut(), child) else {
        return Err((at.clone(), "must be a table".to_owned()));
    };
    for (key, new) in c {
        match p.get_mut(&key) {
            Some(old) => override_value(old, new, at.key(&key))?,
            None => {
                p.insert(key, new);
            }
        }
    }
    Ok(())
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
