//! Readers for the data files a scenario points to: `regions.csv` and
//! `crossings.csv` (formats described in `scenarios/data/README.md`).
//!
//! The readers check every value a model needs and report problems as
//! [`InputError`]s with the file, the CSV line and the column. Extra columns
//! are ignored, so the files can carry notes and sources. [`eligible_men`]
//! counts the men of the eligible ages in each region, for validation, the
//! run's pre-flight and the population alike.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::input_error::InputError;

/// Lower bounds of the 5-year age bands in `regions.csv` (`men_15_19` … `men_60_64`).
pub const AGE_BANDS: [u32; 10] = [15, 20, 25, 30, 35, 40, 45, 50, 55, 60];

/// One federal subject of Russia.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// ISO 3166-2 code, e.g. `RU-MOW`.
    pub iso: String,
    /// English name.
    pub name: String,
    /// Federal district, e.g. `Central`.
    pub district: String,
    /// Latitude of the capital (degrees).
    pub lat: f64,
    /// Longitude of the capital (degrees).
    pub lon: f64,
    /// Men in each band of [`AGE_BANDS`].
    pub men_by_band: [u64; 10],
    /// Share of the population living in cities, in [0, 1].
    pub urban_share: f64,
}

impl Region {
    /// Men of exactly `age` years: a fifth of their band.
    pub fn men_of_age(&self, age: u32) -> f64 {
        AGE_BANDS
            .iter()
            .position(|&low| (low..low + 5).contains(&age))
            .map_or(0.0, |band| self.men_by_band[band] as f64 / 5.0)
    }
}

/// Men aged `age_min..=age_max` in each region.
pub fn eligible_men(regions: &[Region], age_min: u32, age_max: u32) -> Vec<f64> {
    regions
        .iter()
        .map(|r| (age_min..=age_max).map(|a| r.men_of_age(a)).sum())
        .collect()
}

/// One border crossing from `crossings.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossingRecord {
    /// Stable id, e.g. `upper-lars`.
    pub id: String,
    /// Destination group, e.g. `Georgia`.
    pub destination: String,
    /// Russian region of the crossing (ISO code).
    pub region_iso: String,
    /// Latitude of the Russian post.
    pub lat: f64,
    /// Longitude of the Russian post.
    pub lon: f64,
    /// Mode description (road, rail, air, pedestrian).
    pub mode: String,
}

#[derive(Deserialize)]
struct RegionRow {
    iso_code: String,
    name: String,
    federal_district: String,
    lat: f64,
    lon: f64,
    men_15_19: u64,
    men_20_24: u64,
    men_25_29: u64,
    men_30_34: u64,
    men_35_39: u64,
    men_40_44: u64,
    men_45_49: u64,
    men_50_54: u64,
    men_55_59: u64,
    men_60_64: u64,
    urban_share: f64,
}

#[derive(Deserialize)]
struct CrossingRow {
    id: String,
    destination: String,
    region_iso: String,
    lat: f64,
    lon: f64,
    mode: String,
}

/// Parses a regions file. `file` is the name used in error messages.
pub fn parse_regions(file: &str, text: &str) -> Result<Vec<Region>, InputError> {
    let (header, rows) = read_rows::<RegionRow>(file, text)?;
    let mut regions = Vec::with_capacity(rows.len());
    for (place, row) in rows {
        let err = |key: &str, message: String| header.error(&place, key, message);
        check_coordinates(row.lat, row.lon).map_err(|(key, m)| err(key, m))?;
        if !(0.0..=1.0).contains(&row.urban_share) {
            return Err(err(
                "urban_share",
                format!("must be a share in [0, 1], got {}", row.urban_share),
            ));
        }
        if regions.iter().any(|r: &Region| r.iso == row.iso_code) {
            return Err(err(
                "iso_code",
                format!(
                    "region `{}` appears twice: each region needs one row",
                    row.iso_code
                ),
            ));
        }
        regions.push(Region {
            iso: row.iso_code,
            name: row.name,
            district: row.federal_district,
            lat: row.lat,
            lon: row.lon,
            men_by_band: [
                row.men_15_19,
                row.men_20_24,
                row.men_25_29,
                row.men_30_34,
                row.men_35_39,
                row.men_40_44,
                row.men_45_49,
                row.men_50_54,
                row.men_55_59,
                row.men_60_64,
            ],
            urban_share: row.urban_share,
        });
    }
    if regions.is_empty() {
        return Err(InputError {
            file: file.to_owned(),
            line: Some(1),
            column: Some(1),
            key: None,
            message: "holds no regions, so the population would be empty: \
                      it needs a header and at least one row per region"
                .to_owned(),
        });
    }
    Ok(regions)
}

/// Parses a crossings file. `file` is the name used in error messages.
pub fn parse_crossings(file: &str, text: &str) -> Result<Vec<CrossingRecord>, InputError> {
    let (header, rows) = read_rows::<CrossingRow>(file, text)?;
    let mut crossings: Vec<CrossingRecord> = Vec::with_capacity(rows.len());
    for (place, row) in rows {
        let err = |key: &str, message: String| header.error(&place, key, message);
        check_coordinates(row.lat, row.lon).map_err(|(key, m)| err(key, m))?;
        if crossings.iter().any(|c| c.id == row.id) {
            return Err(err(
                "id",
                format!(
                    "crossing `{}` appears twice: each crossing needs one row",
                    row.id
                ),
            ));
        }
        crossings.push(CrossingRecord {
            id: row.id,
            destination: row.destination,
            region_iso: row.region_iso,
            lat: row.lat,
            lon: row.lon,
            mode: row.mode,
        });
    }
    Ok(crossings)
}

/// Checks a latitude and longitude in degrees; on error, the column and why.
fn check_coordinates(lat: f64, lon: f64) -> Result<(), (&'static str, String)> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(("lat", format!("latitude {lat} is not in [-90, 90] degrees")));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err((
            "lon",
            format!("longitude {lon} is not in [-180, 180] degrees"),
        ));
    }
    Ok(())
}

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

/// Reads every record of a CSV file into `T` (by header name), reporting
/// the line, the column and the column's name of a bad value, and a missing
/// column at the header. `file` names the file in errors.
pub(crate) fn read_rows<'f, T: DeserializeOwned>(
    file: &'f str,
    text: &str,
) -> Result<(CsvHeader<'f>, Vec<(RowPlace, T)>), InputError> {
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

/// Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_regions_parse() {
        let text = include_str!("../scenarios/data/regions.csv");
        let regions = parse_regions("regions.csv", text).unwrap();
        assert_eq!(regions.len(), 83);
        // The data's README: men 20-49 number 28.7 M.
        let men: u64 = regions
            .iter()
            .map(|r| r.men_by_band[1..7].iter().sum::<u64>())
            .sum();
        assert!((28_600_000..28_800_000).contains(&men), "men 20-49: {men}");
    }

    #[test]
    fn shipped_crossings_parse() {
        let text = include_str!("../scenarios/data/crossings.csv");
        let crossings = parse_crossings("crossings.csv", text).unwrap();
        assert_eq!(crossings.len(), 40);
        assert!(
            crossings
                .iter()
                .any(|c| c.id == "upper-lars" && c.destination == "Georgia")
        );
    }

    #[test]
    fn bad_number_names_line_and_column() {
        let text = "id,destination,region_iso,lat,lon,mode\nx,Georgia,RU-SE,north,44.6,road\n";
        let err = parse_crossings("c.csv", text).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.column, Some(17));
        assert_eq!(err.key.as_deref(), Some("lat"));
    }

    #[test]
    fn columns_skip_commas_inside_quotes() {
        assert_eq!(field_columns("a,\"b,c\",d\ne,f"), vec![1, 3, 9]);
        assert_eq!(field_columns(""), vec![1]);
    }

    #[test]
    fn moscow_to_petersburg_is_about_634_km() {
        let d = great_circle_km(55.7558, 37.6173, 59.9343, 30.3351);
        assert!((d - 634.0).abs() < 5.0, "{d}");
    }
}
