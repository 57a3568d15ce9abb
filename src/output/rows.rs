//! The rows of a run's files, one type per file: each is the only place its
//! file's columns are named (see [`super::table`]).
//!
//! - `daily_crossings.csv`: a [`CrossingKey`] then the day's
//!   [`CrossingDay`];
//! - `daily_national.csv`: a [`DayKey`] then the day's [`NationalDay`];
//! - `daily_destinations.csv`: a [`DestinationRow`];
//! - `onward.csv`: an [`OnwardRow`] per pair of countries men moved between;
//! - `regions.csv`: a [`RegionRow`], then one `left_<destination>` column
//!   per destination of the scenario ([`region_columns`]);
//! - `targets.csv`: a [`FigureRow`] per target, the format `exodus score
//!   --observed` reads.
//!
//! The two daily files are read back (`exodus score`, `exodus plot`):
//! their records deserialize by column name from the same types.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::table::columns;
use crate::format::{Decimals, Plain, snake_case};
#[cfg(doc)]
use crate::results::{CrossingDay, NationalDay};

/// The place and date of a row of `daily_crossings.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossingKey {
    /// The day.
    pub date: NaiveDate,
    /// The crossing's id.
    pub crossing: String,
    /// The destination it leads to.
    pub destination: String,
}

/// The date of a row of `daily_national.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayKey {
    /// The day.
    pub date: NaiveDate,
}

/// A row of `daily_destinations.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationRow {
    /// The day.
    pub date: NaiveDate,
    /// The destination.
    pub destination: String,
    /// Men of the exodus who entered from Russia.
    pub exodus_entries: u64,
    /// Men of the exodus who entered from another country.
    pub onward_entries: u64,
    /// Ordinary travellers who entered.
    pub baseline_entries: u64,
    /// All three: every Russian citizen who entered, as border services count.
    pub entries: u64,
    /// Ordinary travellers who left.
    pub baseline_exits: u64,
    /// Every Russian citizen who left: ordinary travellers, and men of the
    /// exodus moving on or going home.
    pub exits: u64,
    /// Men of the exodus who left for another country.
    pub moved_on: u64,
    /// Men of the exodus who went home.
    pub went_home: u64,
    /// Men of the exodus there at the end of the day.
    pub abroad: u64,
    /// Men of the exodus who entered from Russia so far.
    pub cumulative_exodus: u64,
}

/// A row of `onward.csv`: where the men who moved on went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnwardRow {
    /// The country they left.
    pub from: String,
    /// The country they went to (`elsewhere`: beyond the scenario's destinations).
    pub to: String,
    /// Men of the exodus, over the run.
    pub men: u64,
}

/// The fixed columns of a row of `regions.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionRow {
    /// ISO code.
    pub region: String,
    /// English name.
    pub name: String,
    /// Eligible men.
    pub eligible: u64,
    /// Men abroad at the end.
    pub left: u64,
    /// Men drafted.
    pub drafted: u64,
    /// `left / eligible`.
    pub left_share: Decimals<6>,
}

/// The header of `regions.csv`: the fixed columns, then `left_<destination>`
/// for each destination.
pub fn region_columns(destinations: &[String]) -> Vec<String> {
    let fixed = columns::<RegionRow>().iter().map(|c| (*c).to_owned());
    let left = destinations
        .iter()
        .map(|d| format!("left_{}", snake_case(d)));
    fixed.chain(left).collect()
}

/// A reported figure: a row of `targets.csv`, and of the observed figures
/// `exodus score --observed` reads (which may have more columns, and leave
/// out `kind` and `source`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureRow {
    /// Its id.
    pub id: String,
    /// `target` or `heldout` (scored), or anything else (skipped).
    pub kind: Option<String>,
    /// First day, as written.
    pub date_from: String,
    /// Last day, as written.
    pub date_to: String,
    /// A destination, a crossing, several joined by `+`, or `national`.
    pub place: String,
    /// A metric's name.
    pub metric: String,
    /// The figure, or else `low` and `high`.
    pub value: Option<Plain>,
    /// Lower bound of an interval.
    pub low: Option<Plain>,
    /// Upper bound of an interval.
    pub high: Option<Plain>,
    /// Where it comes from.
    pub source: Option<String>,
}
