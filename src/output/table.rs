//! CSV files from typed rows, built in memory so that they can be written
//! whole (see [`super::folder`]) and hashed into a manifest.
//!
//! Rows are types. Every CSV file exodus writes has a serde struct for its
//! rows (or, where some columns depend on the scenario, for its fixed
//! columns), and that struct is the only place its columns are named:
//! [`columns`] reads the names off the struct, [`Table`] writes them as the
//! header and then each row's fields in the same order, and a reader
//! deserializes the same struct by column name. How a number is written
//! (three decimals, six, the shortest form) is part of the field's type or
//! attribute (see [`crate::format`]), so the bytes of a file follow from its
//! row type alone.

use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, forward_to_deserialize_any};

use super::{OutputError, write_atomic};

/// The column names of row type `R`, in the order of its fields (serde's
/// names, so `#[serde(rename)]` holds). Empty for a type that is not a
/// struct with named fields.
pub fn columns<'de, R: Deserialize<'de>>() -> &'static [&'static str] {
    let mut names = FieldNames(&[]);
    // The struct's `Deserialize` names its fields, then gives up: there is
    // no data, only the names.
    let _ = R::deserialize(&mut names);
    names.0
}

/// A deserializer that has no data but records the field names a struct
/// asks for.
struct FieldNames(&'static [&'static str]);

impl<'de> Deserializer<'de> for &mut FieldNames {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only a struct's field names are read"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = fields;
        self.deserialize_any(visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// A CSV file built row by row in memory: a header, then rows whose fields
/// are written in order.
pub struct Table(csv::Writer<Vec<u8>>);

impl Table {
    /// A file headed by `header`, for rows that serialize (as structs,
    /// tuples of them, and sequences) to as many fields.
    pub fn new<H>(header: H) -> Result<Self, csv::Error>
    where
        H: IntoIterator,
        H::Item: AsRef<[u8]>,
    {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.write_record(header)?;
        Ok(Self(w))
    }

    /// A file of rows of type `R`, headed by its [`columns`].
    pub fn of<'de, R: Deserialize<'de>>() -> Result<Self, csv::Error> {
        Self::new(columns::<R>())
    }

    /// Appends a row.
    pub fn row(&mut self, row: &impl Serialize) -> Result<(), csv::Error> {
        self.0.serialize(row)
    }

    /// The file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.0
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// A CSV file of rows of type `R`, headed by its [`columns`].
pub fn csv_of<'de, R>(rows: impl IntoIterator<Item = R>) -> Result<Vec<u8>, csv::Error>
where
    R: Serialize + Deserialize<'de>,
{
    let mut table = Table::of::<R>()?;
    for row in rows {
        table.row(&row)?;
    }
    table.finish()
}

/// Writes a CSV file of rows of type `R` atomically.
pub fn write_csv_file<'de, R>(
    path: &Path,
    rows: impl IntoIterator<Item = R>,
) -> Result<(), OutputError>
where
    R: Serialize + Deserialize<'de>,
{
    let bytes = csv_of(rows).map_err(|source| OutputError::Csv {
        path: path.to_owned(),
        source,
    })?;
    write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Decimals;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize)]
    struct Row {
        name: String,
        #[serde(rename = "count_total")]
        count: u64,
        share: Decimals<3>,
    }

    #[test]
    fn the_row_type_is_the_header_and_the_order_of_the_fields() {
        assert_eq!(columns::<Row>(), ["name", "count_total", "share"]);
        assert!(columns::<u64>().is_empty());
        let rows = [Row {
            name: "a, b".to_owned(),
            count: 3,
            share: Decimals(0.5),
        }];
        let text = csv_of(rows).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "name,count_total,share\n\"a, b\",3,0.500\n"
        );
    }
}
