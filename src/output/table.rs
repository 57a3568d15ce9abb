//! CSV files built in memory, so that they can be written whole (see
//! [`super::folder`]) and hashed into a manifest.

use std::path::Path;

use super::{OutputError, write_atomic};

/// A CSV file built row by row in memory.
pub struct CsvBuilder(csv::Writer<Vec<u8>>);

impl CsvBuilder {
    /// A file that starts with `header`.
    pub fn new<H>(header: H) -> Result<Self, csv::Error>
    where
        H: IntoIterator,
        H::Item: AsRef<[u8]>,
    {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(header)?;
        Ok(Self(w))
    }

    /// Appends a row.
    pub fn row<R>(&mut self, row: R) -> Result<(), csv::Error>
    where
        R: IntoIterator,
        R::Item: AsRef<[u8]>,
    {
        self.0.write_record(row)
    }

    /// The file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.0
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// A CSV file in memory: the header, then the rows.
pub fn csv_bytes<H, R>(header: H, rows: impl IntoIterator<Item = R>) -> Result<Vec<u8>, csv::Error>
where
    H: IntoIterator,
    H::Item: AsRef<[u8]>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let mut csv = CsvBuilder::new(header)?;
    for row in rows {
        csv.row(row)?;
    }
    csv.finish()
}

/// Writes a CSV file atomically: the header, then the rows.
pub fn write_csv_file<R>(
    path: &Path,
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> Result<(), OutputError>
where
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let bytes = csv_bytes(header, rows).map_err(|source| OutputError::Csv {
        path: path.to_owned(),
        source,
    })?;
    write_atomic(path, &bytes)
}
