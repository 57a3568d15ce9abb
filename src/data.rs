//! Readers for the data files a scenario points to: `regions.csv` and
//! `crossings.csv` (formats described in `scenarios/data/README.md`).
//!
//! The readers check every value a model needs and report problems as
//! [`InputError`]s with the file, the CSV line and the column. Extra columns
//! are ignored, so the files can carry notes and sources.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::scenario::InputError;

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
    let rows: Vec<(usize, RegionRow)> = parse_rows(file, text)?;
    let mut regions = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        let err = |key: &str, message: String| InputError {
            file: file.to_owned(),
            line: Some(line),
            column: None,
            key: Some(key.to_owned()),
            message,
        };
        check_coordinates(row.lat, row.lon).map_err(|m| err("lat", m))?;
        if !(0.0..=1.0).contains(&row.urban_share) {
            return Err(err(
                "urban_share",
                format!("must be a share in [0, 1], got {}", row.urban_share),
            ));
        }
        if regions.iter().any(|r: &Region| r.iso == row.iso_code) {
            return Err(err(
                "iso_code",
                format!("region `{}` appears twice", row.iso_code),
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
            line: None,
            column: None,
            key: None,
            message: "holds no regions: the population would be empty".to_owned(),
        });
    }
    Ok(regions)
}

/// Parses a crossings file. `file` is the name used in error messages.
pub fn parse_crossings(file: &str, text: &str) -> Result<Vec<CrossingRecord>, InputError> {
    let rows: Vec<(usize, CrossingRow)> = parse_rows(file, text)?;
    let mut crossings: Vec<CrossingRecord> = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        let err = |key: &str, message: String| InputError {
            file: file.to_owned(),
            line: Some(line),
            column: None,
            key: Some(key.to_owned()),
            message,
        };
        check_coordinates(row.lat, row.lon).map_err(|m| err("lat", m))?;
        if crossings.iter().any(|c| c.id == row.id) {
            return Err(err("id", format!("crossing `{}` appears twice", row.id)));
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

fn check_coordinates(lat: f64, lon: f64) -> Result<(), String> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(format!(
            "coordinates ({lat}, {lon}) are not a valid latitude in [-90, 90] and longitude in [-180, 180]"
        ));
    }
    Ok(())
}

/// Reads every record, reporting the CSV line and the column of a bad value.
fn parse_rows<T: DeserializeOwned>(file: &str, text: &str) -> Result<Vec<(usize, T)>, InputError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(file, &e, None))?
        .clone();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| csv_error(file, &e, Some(&headers)))?;
        if !more {
            break;
        }
        // csv's line counter treats CRLF line ends inconsistently; count the
        // newlines before the record's first byte instead.
        let bytes = text.as_bytes();
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let line = bytes.iter().take(start).filter(|&&b| b == b'\n').count() + 1;
        let row: T = record.deserialize(Some(&headers)).map_err(|e| {
            let mut err = csv_error(file, &e, Some(&headers));
            err.line = Some(line);
            err
        })?;
        rows.push((line, row));
    }
    Ok(rows)
}

fn csv_error(file: &str, err: &csv::Error, headers: Option<&csv::StringRecord>) -> InputError {
    let line = err.position().map(|p| p.line() as usize);
    let (key, message) = match err.kind() {
        csv::ErrorKind::Deserialize { err: de, .. } => {
            let key = de
                .field()
                .and_then(|i| headers.and_then(|h| h.get(i as usize)))
                .map(str::to_owned);
            let message = match de.kind() {
                csv::DeserializeErrorKind::Message(m) if m.starts_with("missing field") => {
                    format!("{m}: the file lacks a required column")
                }
                _ => format!("{}: expected a number of the column's type", de.kind()),
            };
            (key, message)
        }
        csv::ErrorKind::Utf8 { .. } => (None, "is not valid UTF-8 text".to_owned()),
        _ => (None, err.to_string()),
    };
    InputError {
        file: file.to_owned(),
        line,
        column: None,
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
        assert_eq!(err.key.as_deref(), Some("lat"));
    }

    #[test]
    fn moscow_to_petersburg_is_about_634_km() {
        let d = great_circle_km(55.7558, 37.6173, 59.9343, 30.3351);
        assert!((d - 634.0).abs() < 5.0, "{d}");
    }
}
