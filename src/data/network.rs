//! The network's data: `crossings.csv`, the posts on the Russian side of
//! every border and the airports with international flights, and
//! `air-routes.csv`, the direct flights from those airports with their seats
//! a day and ordinary fares.

use serde::Deserialize;

use super::{check_coordinates, identifier, name, read_rows, same_id, spelled};
use crate::input_error::InputError;

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
struct CrossingRow {
    id: String,
    destination: String,
    region_iso: String,
    lat: f64,
    lon: f64,
    mode: String,
}

/// One direct air route from a Russian airport, from `air-routes.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct AirRouteRecord {
    /// Stable id, e.g. `svo-armenia`.
    pub id: String,
    /// The airport's id in the crossings file (a row of mode `air`).
    pub airport: String,
    /// The destination it flies to, e.g. `Armenia`.
    pub destination: String,
    /// Seats a day.
    pub seats: u32,
    /// An ordinary one-way fare before the mobilization, in roubles.
    pub fare_rub: f64,
    /// Its line in the file.
    pub line: usize,
}

/// The air routes of one file, with the file's name for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct AirRoutes {
    /// The file, as named in messages.
    pub file: String,
    /// The routes, in file order.
    pub routes: Vec<AirRouteRecord>,
}

impl AirRoutes {
    /// An error about `key` of the route on `line`.
    pub fn error(&self, line: usize, key: &str, message: String) -> InputError {
        InputError {
            file: self.file.clone(),
            line: Some(line),
            column: None,
            key: Some(key.to_owned()),
            message,
        }
    }
}

#[derive(Deserialize)]
struct AirRouteRow {
    id: String,
    airport: String,
    destination: String,
    seats: u32,
    fare_rub: f64,
}

/// Parses an air-routes file. `file` is the name used in error messages.
pub fn parse_air_routes(file: &str, text: &str) -> Result<AirRoutes, InputError> {
    let (header, rows) = read_rows::<AirRouteRow>(file, text)?;
    let mut routes: Vec<AirRouteRecord> = Vec::with_capacity(rows.len());
    for (place, row) in rows {
        let err = |key: &str, message: String| header.error(&place, key, message);
        let id = identifier(&row.id, "air route id").map_err(|m| err("id", m))?;
        let airport = identifier(&row.airport, "airport").map_err(|m| err("airport", m))?;
        let destination =
            name(&row.destination, "destination").map_err(|m| err("destination", m))?;
        if let Some(twin) = routes.iter().find(|r| same_id(&r.id, &id)) {
            return Err(err(
                "id",
                format!(
                    "air route `{id}` appears twice{} (first on line {}): each route needs one row, and ids differing only in case or spaces are the same",
                    spelled(&twin.id, &id),
                    twin.line
                ),
            ));
        }
        if !(row.fare_rub.is_finite() && (0.0..=10_000_000.0).contains(&row.fare_rub)) {
            return Err(err(
                "fare_rub",
                format!(
                    "must be roubles in [0, 10000000], got {}",
                    crate::format::compact_number(&row.fare_rub)
                ),
            ));
        }
        if row.seats > 1_000_000 {
            return Err(err(
                "seats",
                format!(
                    "must be seats a day in [0, 1000000], got {}",
                    crate::format::compact_number(&row.seats)
                ),
            ));
        }
        routes.push(AirRouteRecord {
            id,
            airport,
            destination,
            seats: row.seats,
            fare_rub: row.fare_rub,
            line: place.line,
        });
    }
    Ok(AirRoutes {
        file: file.to_owned(),
        routes,
    })
}

/// Parses a crossings file. `file` is the name used in error messages.
pub fn parse_crossings(file: &str, text: &str) -> Result<Vec<CrossingRecord>, InputError> {
    let (header, rows) = read_rows::<CrossingRow>(file, text)?;
    let mut crossings: Vec<CrossingRecord> = Vec::with_capacity(rows.len());
    for (place, row) in rows {
        let err = |key: &str, message: String| header.error(&place, key, message);
        check_coordinates(row.lat, row.lon).map_err(|(key, m)| err(key, m))?;
        let id = identifier(&row.id, "crossing id").map_err(|m| err("id", m))?;
        let destination =
            name(&row.destination, "destination").map_err(|m| err("destination", m))?;
        if let Some(twin) = crossings.iter().find(|c| same_id(&c.id, &id)) {
            return Err(err(
                "id",
                format!(
                    "crossing `{id}` appears twice{}: each crossing needs one row, and ids differing only in case or spaces are the same",
                    spelled(&twin.id, &id)
                ),
            ));
        }
        crossings.push(CrossingRecord {
            id,
            destination,
            region_iso: row.region_iso.trim().to_ascii_uppercase(),
            lat: row.lat,
            lon: row.lon,
            mode: row.mode,
        });
    }
    if crossings.is_empty() {
        return Err(InputError {
            file: file.to_owned(),
            line: Some(1),
            column: Some(1),
            key: None,
            message: "holds no crossings: it needs a header and a row for every crossing the scenario lists".to_owned(),
        });
    }
    Ok(crossings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_crossings_parse() {
        let text = include_str!("../../scenarios/data/crossings.csv");
        let crossings = parse_crossings("crossings.csv", text).unwrap();
        assert!(crossings.len() >= 40);
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
    fn an_air_route_twice_is_refused_at_its_line() {
        let text = "id,airport,destination,seats,fare_rub\na,svo,Armenia,100,9000\na,led,Armenia,50,9000\n";
        let err = parse_air_routes("r.csv", text).unwrap_err();
        assert_eq!((err.line, err.key.as_deref()), (Some(3), Some("id")));
    }
}
