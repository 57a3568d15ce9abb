//! Readers for the data files a scenario points to (formats described in
//! `scenarios/data/README.md`), one file each:
//! - `regions.rs`: `regions.csv`, the men of each region by age, and
//!   [`eligible_men`], which counts the men of the eligible ages in each
//!   region for validation, the run's pre-flight and the population alike;
//! - `network.rs`: `crossings.csv` (the posts on the Russian side of every
//!   border, and the airports) and `air-routes.csv` (direct flights from
//!   those airports, with their seats and fares);
//! - `csv_rows.rs`: the CSV reading they share, which places every problem.
//!
//! The readers check every value a model needs and report problems as
//! [`InputError`](crate::input_error::InputError)s with the file, the CSV
//! line and the column. Extra columns are ignored, so the files can carry
//! notes and sources.

mod csv_rows;
mod network;
mod regions;

pub(crate) use csv_rows::{read_rows, unclosed_quote, unclosed_quote_error};
pub use network::{AirRouteRecord, AirRoutes, CrossingRecord, parse_air_routes, parse_crossings};
pub use regions::{AGE_BANDS, Region, eligible_men, parse_regions};

/// Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
}

/// An identifier as a data file writes it, with the spaces around it
/// trimmed; an empty one, or one with spaces, control characters or
/// punctuation other than `-`, `_` and `.` inside, is refused with why.
/// Identifiers are compared without regard to case (see [`same_id`]).
fn identifier(raw: &str, what: &str) -> Result<String, String> {
    let id = raw.trim();
    if id.is_empty() {
        return Err(format!("the {what} is empty; every row needs one"));
    }
    if let Some(bad) = id
        .chars()
        .find(|&ch| !(ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.')))
    {
        return Err(format!(
            "the {what} `{id}` holds {bad:?}; use letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(id.to_owned())
}

/// A name as a data file writes it (a destination, a region's name), with
/// the spaces around it trimmed; an empty one is refused with why.
fn name(raw: &str, what: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(format!("the {what} is empty; every row needs one"));
    }
    Ok(name.to_owned())
}

/// Whether two identifiers name the same thing: equal but for case, so that
/// `RU-AD` and `ru-ad` are one region, not two.
fn same_id(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// ` (first written `FIRST`)` where a repeated identifier was written
/// otherwise than its first row wrote it, else nothing.
fn spelled(first: &str, again: &str) -> String {
    if first == again {
        String::new()
    } else {
        format!(" (first written `{first}`, here `{again}`)")
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moscow_to_petersburg_is_about_634_km() {
        let d = great_circle_km(55.7558, 37.6173, 59.9343, 30.3351);
        assert!((d - 634.0).abs() < 5.0, "{d}");
    }
}
