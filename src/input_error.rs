//! Errors in the files and values a user gives, located to the line,
//! column and key.
//!
//! Every problem a user can cause with an input (a scenario file, a data
//! file, a file of observed figures, a command-line value) ends up as an
//! [`InputError`]: it names the file (or the option), the position, the key
//! (a TOML path such as `policy[3].exempt_share`, or a CSV column) and says
//! what is wrong and what would be valid. It belongs to the ground floor:
//! every layer reports input problems with it, and it imports nothing above.

use std::fmt;

use crate::exit::{self, Exit};

/// A problem in an input file, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file, as given by the user (or `<embedded>/…` for built-in files).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The key path or CSV column, when known.
    pub key: Option<String>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl Exit for InputError {
    fn exit_code(&self) -> u8 {
        exit::INPUT
    }
}

impl std::error::Error for InputError {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// The 1-based line and column of the first invalid byte of text that is
/// not UTF-8.
pub fn invalid_utf8_position(err: &std::string::FromUtf8Error) -> (usize, usize) {
    let valid = err.utf8_error().valid_up_to();
    let before =
        std::str::from_utf8(err.as_bytes().get(..valid).unwrap_or_default()).unwrap_or_default();
    line_column(before, valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncdé f", 8), (2, 5));
        assert_eq!(line_column("", 0), (1, 1));
    }
}
