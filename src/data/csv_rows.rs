//! Reading the records of a CSV data file by column name, with every
//! problem placed: the file, the line, the column and the column's name.

use serde::de::DeserializeOwned;

use crate::input_error::InputError;

/// A CSV file's name and header, for locating errors in its records.
pub(crate) struct CsvHeader<'f> {
    file: &'f str,
    headers: csv::StringRecord,
}

/// The line of a record and the column (1-based, in characters) where each
/// of its fields starts.
pub(crate) struct RowPlace {
    /// 1-based line of the record.
    pub(crate) line: usize,
    columns: Vec<usize>,
}

impl CsvHeader<'_> {
    /// Refuses a header that lacks one of `required` (reported at line 1).
    pub(crate) fn require(&self, required: &[&str]) -> Result<(), InputError> {
        match required
            .iter()
            .find(|r| !self.headers.iter().any(|h| h == **r))
        {
            None => Ok(()),
            Some(missing) => Err(InputError {
                file: self.file.to_owned(),
                line: Some(1),
                column: Some(1),
                key: Some((*missing).to_owned()),
                message: format!(
                    "the header lacks this required column; the required columns are: {}",
                    required.join(", ")
                ),
            }),
        }
    }

    /// An error about the value of column `key` in the record at `place`.
    pub(crate) fn error(&self, place: &RowPlace, key: &str, message: String) -> InputError {
        let column = self
            .headers
            .iter()
            .position(|h| h == key)
            .and_then(|i| place.columns.get(i).copied());
        InputError {
            file: self.file.to_owned(),
            line: Some(place.line),
            column,
            key: Some(key.to_owned()),
            message,
        }
    }
}

/// Where a quoted field opens that is never closed, as (line, column),
/// 1-based: a CSV reader takes the rest of the file as that one value, and
/// reports only a row with too few fields, far from the mistake.
pub(crate) fn unclosed_quote(text: &str) -> Option<(usize, usize)> {
    let (mut line, mut column) = (1, 0);
    let mut field_start = true;
    let mut open: Option<(usize, usize)> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        match (open, c) {
            (Some(_), '"') if chars.peek() == Some(&'"') => {
                chars.next();
                column += 1;
            }
            (Some(_), '"') => open = None,
            (None, '"') if field_start => open = Some((line, column)),
            (None, ',') => field_start = true,
            _ => field_start = false,
        }
        if c == '\n' {
            line += 1;
            column = 0;
            if open.is_none() {
                field_start = true;
            }
        }
    }
    open
}

/// The error for a quote opened at (line, column) that is never closed.
pub(crate) fn unclosed_quote_error(file: &str, (line, column): (usize, usize)) -> InputError {
    InputError {
        file: file.to_owned(),
        line: Some(line),
        column: Some(column),
        key: None,
        message: "a quote `\"` opened here is never closed, so the rest of the file would read \
                  as one value: close it, or remove it"
            .to_owned(),
    }
}

/// Reads every record of a CSV file into `T` (by header name), reporting
/// the line, the column and the column's name of a bad value, and a missing
/// column at the header. `file` names the file in errors.
pub(crate) fn read_rows<'f, T: DeserializeOwned>(
    file: &'f str,
    text: &str,
) -> Result<(CsvHeader<'f>, Vec<(RowPlace, T)>), InputError> {
    if let Some(at) = unclosed_quote(text) {
        return Err(unclosed_quote_error(file, at));
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(file, text, &e, None))?
        .clone();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let (mut line, mut counted) = (1, 0);
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| csv_error(file, text, &e, Some(&headers)))?;
        if !more {
            break;
        }
        let start = record_start(text, record.position().map_or(0, |p| p.byte() as usize));
        // Lines are counted as the records go, not from the start each time.
        line += newlines(text.as_bytes().get(counted..start).unwrap_or_default());
        counted = start;
        let place = RowPlace {
            line,
            columns: field_columns(text.get(start..).unwrap_or_default()),
        };
        let row: T = record.deserialize(Some(&headers)).map_err(|e| {
            let mut err = csv_error(file, text, &e, Some(&headers));
            if let Some(column) = missing_column(&e) {
                // Reported at the header, which lacks it.
                err.line = Some(1);
                err.column = Some(1);
                err.key = Some(column);
                err.message = "the header lacks this required column \
                               (scenarios/data/README.md describes each file)"
                    .to_owned();
            } else if let Some(field) = deserialize_field(&e) {
                err.line = Some(line);
                err.column = place.columns.get(field).copied();
                let value = record.get(field).unwrap_or_default();
                err.message = format!("{}, got `{value}`", err.message);
            }
            err
        })?;
        rows.push((place, row));
    }
    Ok((CsvHeader { file, headers }, rows))
}

/// The first byte of the record csv positions at `byte` (csv's position
/// may fall on the line end before it).
fn record_start(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = byte;
    while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
        start += 1;
    }
    start
}

/// The 1-based line of the record at `byte`. csv's own line counter treats
/// CRLF line ends inconsistently, so the newlines are counted here.
fn line_of_byte(text: &str, byte: usize) -> usize {
    1 + newlines(
        text.as_bytes()
            .get(..record_start(text, byte))
            .unwrap_or_default(),
    )
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// The column a "missing field" error names.
fn missing_column(err: &csv::Error) -> Option<String> {
    let csv::ErrorKind::Deserialize { err, .. } = err.kind() else {
        return None;
    };
    let csv::DeserializeErrorKind::Message(message) = err.kind() else {
        return None;
    };
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

/// The index of the field a deserialization error is about.
fn deserialize_field(err: &csv::Error) -> Option<usize> {
    match err.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.field().map(|i| i as usize),
        _ => None,
    }
}

/// The 1-based character column at which each field of the record starting
/// `text` begins (commas inside double quotes do not separate fields).
fn field_columns(text: &str) -> Vec<usize> {
    let mut columns = vec![1];
    let mut quoted = false;
    for (i, ch) in text.chars().enumerate() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => columns.push(i + 2),
            '\n' | '\r' if !quoted => break,
            _ => {}
        }
    }
    columns
}

fn csv_error(
    file: &str,
    text: &str,
    err: &csv::Error,
    headers: Option<&csv::StringRecord>,
) -> InputError {
    let line = err
        .position()
        .map(|p| line_of_byte(text, p.byte() as usize));
    let mut column = None;
    let (key, message) = match err.kind() {
        csv::ErrorKind::Deserialize { err: de, .. } => {
            let key = de
                .field()
                .and_then(|i| headers.and_then(|h| h.get(i as usize)))
                .map(str::to_owned);
            let message = match de.kind() {
                csv::DeserializeErrorKind::ParseInt(_) => {
                    "expected a whole number >= 0 (a count of persons)".to_owned()
                }
                csv::DeserializeErrorKind::ParseFloat(_) => "expected a number".to_owned(),
                kind => format!("{kind}: expected a value of the column's type"),
            };
            (key, message)
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            column = Some(1);
            (
                None,
                format!(
                    "this row has {len} fields but the header has {expected_len}: every row needs a value (possibly empty) for every column"
                ),
            )
        }
        csv::ErrorKind::Utf8 { .. } => {
            (None, "is not valid UTF-8 text: save it as UTF-8".to_owned())
        }
        _ => (None, err.to_string()),
    };
    InputError {
        file: file.to_owned(),
        line,
        column,
        key,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_skip_commas_inside_quotes() {
        assert_eq!(field_columns("a,\"b,c\",d\ne,f"), vec![1, 3, 9]);
        assert_eq!(field_columns(""), vec![1]);
    }
}
