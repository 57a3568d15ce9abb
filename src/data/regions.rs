//! `regions.csv`: the 83 federal subjects, their capitals and their men by
//! 5-year age band.

use serde::Deserialize;

use super::{check_coordinates, identifier, read_rows, same_id, spelled};
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

#[derive(Deserialize)]
struct RegionRow {
    iso_code: String,
    name: String,
    federal_district: String,
    lat: f64,
    lon: f64,
    /// All residents, when the file gives them: the men of the bands must fit.
    #[serde(default)]
    population: Option<u64>,
    /// All men, when the file gives them: the men of the bands must fit.
    #[serde(default)]
    men: Option<u64>,
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
                format!(
                    "must be a share in [0, 1], got {}",
                    crate::format::compact_number(&row.urban_share)
                ),
            ));
        }
        // ISO codes are upper case (`RU-AD`); written otherwise, they are
        // the same code, not another region.
        let iso = identifier(&row.iso_code, "region code")
            .map_err(|m| err("iso_code", m))?
            .to_ascii_uppercase();
        if let Some(twin) = regions.iter().find(|r: &&Region| same_id(&r.iso, &iso)) {
            return Err(err(
                "iso_code",
                format!(
                    "region `{iso}` ({}) appears twice{}: each region needs one row, and codes differing only in case or spaces are the same",
                    twin.name,
                    spelled(&twin.iso, &row.iso_code)
                ),
            ));
        }
        let name = row.name.trim().to_owned();
        if name.is_empty() {
            return Err(err("name", "the region's name is empty".into()));
        }
        let district = row.federal_district.trim().to_owned();
        if district.is_empty() {
            return Err(err(
                "federal_district",
                "the federal district is empty".into(),
            ));
        }
        let men_by_band = [
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
        ];
        check_totals(&men_by_band, row.men, row.population).map_err(|(key, m)| err(key, m))?;
        regions.push(Region {
            iso,
            name,
            district,
            lat: row.lat,
            lon: row.lon,
            men_by_band,
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

/// The men of the age bands cannot outnumber the region's men, nor its men
/// its residents (where the file gives those totals); on error, the column
/// and why.
fn check_totals(
    bands: &[u64; 10],
    men: Option<u64>,
    population: Option<u64>,
) -> Result<(), (&'static str, String)> {
    let banded = bands
        .iter()
        .try_fold(0u64, |sum, &n| sum.checked_add(n))
        .ok_or((
            "men_15_19",
            "the age bands add up to more than 2^64 men".to_owned(),
        ))?;
    if let Some(men) = men
        && banded > men
    {
        return Err((
            "men",
            format!(
                "the age bands hold {banded} men, more than the region's {men} men; the bands must fit in the total"
            ),
        ));
    }
    let (total, what) = men.map_or((banded, "the age bands"), |m| (m, "its men"));
    if let Some(population) = population
        && total > population
    {
        return Err((
            "population",
            format!(
                "{what} ({total}) outnumber the region's {population} residents; they must fit in the population"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_regions_parse() {
        let text = include_str!("../../scenarios/data/regions.csv");
        let regions = parse_regions("regions.csv", text).unwrap();
        assert_eq!(regions.len(), 83);
        // The data's README: men 20-49 number 28.7 M.
        let men: u64 = regions
            .iter()
            .map(|r| r.men_by_band[1..7].iter().sum::<u64>())
            .sum();
        assert!((28_600_000..28_800_000).contains(&men), "men 20-49: {men}");
    }
}
