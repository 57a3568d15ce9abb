//! Where a scenario's text and data come from: a file on disk, whose data
//! files are named relative to it, or the default scenario embedded in the
//! binary with its data, so that `exodus run` works with no file at hand.

use std::path::{Path, PathBuf};

use super::LoadError;
use super::locator::{KeyPath, SourceText};
use crate::input_error::{InputError, invalid_utf8_position};
use crate::input_file;

/// The default scenario's text, as shipped in `scenarios/mobilization-2022.toml`.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/mobilization-2022.toml");
/// The name under which the embedded default scenario appears in messages.
pub const DEFAULT_SCENARIO_NAME: &str = "<embedded>/mobilization-2022.toml";

/// The prefix that names a built-in scenario (`extends =
/// "builtin:mobilization-2022"`) or a data file embedded with it
/// (`builtin:data/regions.csv`), wherever the scenario file lies.
pub const BUILTIN: &str = "builtin:";

/// The built-in scenarios, by name: only the default.
pub const BUILTIN_SCENARIOS: &[(&str, &str)] = &[("mobilization-2022", DEFAULT_SCENARIO)];

/// Files `exodus init` writes beside the scenario that are not read by it:
/// the reported figures and the data's sources.
pub const EMBEDDED_EXTRAS: &[(&str, &str)] = &[
    (
        "data/reported-2022.csv",
        include_str!("../../scenarios/data/reported-2022.csv"),
    ),
    (
        "data/policies-2022.csv",
        include_str!("../../scenarios/data/policies-2022.csv"),
    ),
    (
        "data/README.md",
        include_str!("../../scenarios/data/README.md"),
    ),
];

/// Data files embedded with the default scenario, by their path relative to it.
pub const EMBEDDED_DATA: &[(&str, &str)] = &[
    (
        "data/regions.csv",
        include_str!("../../scenarios/data/regions.csv"),
    ),
    (
        "data/crossings.csv",
        include_str!("../../scenarios/data/crossings.csv"),
    ),
    (
        "data/air-routes.csv",
        include_str!("../../scenarios/data/air-routes.csv"),
    ),
];

/// Where a scenario's text came from; data paths resolve against it.
#[derive(Debug, Clone)]
pub enum Origin {
    /// The embedded default scenario.
    Embedded,
    /// A file on disk.
    File(PathBuf),
}

impl Origin {
    /// The name shown in messages.
    pub fn display_name(&self) -> String {
        match self {
            Origin::Embedded => DEFAULT_SCENARIO_NAME.to_owned(),
            Origin::File(p) => p.display().to_string(),
        }
    }

    /// Reads a data file named relative to the scenario. The error message is
    /// completed by the caller with the key that named the file.
    pub(super) fn read_data(&self, relative: &str) -> Result<(String, String), String> {
        if let Some(embedded) = relative.strip_prefix(BUILTIN) {
            return Origin::Embedded.read_data(embedded);
        }
        match self {
            Origin::Embedded => EMBEDDED_DATA
                .iter()
                .find(|(name, _)| *name == relative)
                .map(|(name, text)| (format!("<embedded>/{name}"), (*text).to_owned()))
                .ok_or_else(|| {
                    let known: Vec<&str> = EMBEDDED_DATA.iter().map(|(n, _)| *n).collect();
                    format!(
                        "no embedded data file `{relative}`; the embedded files are: {}",
                        known.join(", ")
                    )
                }),
            Origin::File(path) => {
                let dir = path.parent().unwrap_or(Path::new("."));
                let full = dir.join(relative);
                let shown = full.display().to_string();
                let bytes = input_file::read(&full, input_file::DATA_BYTES).map_err(|e| {
                    format!(
                        "cannot read data file `{shown}`: {e}; give the path of a CSV file, relative to the scenario file"
                    )
                })?;
                let text = String::from_utf8(bytes).map_err(|e| {
                    let (line, column) = invalid_utf8_position(&e);
                    format!(
                        "data file `{shown}` is not valid UTF-8 text (line {line}, column {column}): save it as UTF-8"
                    )
                })?;
                Ok((shown, text))
            }
        }
    }
}

/// Reads a scenario file as UTF-8 text.
pub(super) fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes =
        input_file::read(path, input_file::SCENARIO_BYTES).map_err(|reason| LoadError::Read {
            file: path.display().to_string(),
            reason,
        })?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) = invalid_utf8_position(&e);
        LoadError::Input(InputError {
            file: path.display().to_string(),
            line: Some(line),
            column: Some(column),
            key: None,
            message: "the scenario file is not valid UTF-8 text: save it as UTF-8".to_owned(),
        })
    })
}

pub(super) fn read_data_file<T>(
    source: &SourceText<'_>,
    origin: &Origin,
    relative: &str,
    key: &str,
    parse: fn(&str, &str) -> Result<T, InputError>,
) -> Result<T, LoadError> {
    let (name, text) = origin
        .read_data(relative)
        .map_err(|message| source.error_at(&KeyPath::of(&["data", key]), message))?;
    Ok(parse(&name, &text)?)
}
