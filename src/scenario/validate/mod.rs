//! Validation: from the file as written ([`ScenarioFile`]) to the scenario a
//! run simulates ([`Scenario`]), checked and resolved.
//!
//! Every check names the key it concerns, so that the error points at the
//! line and column of the offending value (in whichever file of an
//! `extends` chain wrote it) and says what would be valid. Validation is a
//! pure function of the text and its data: whether a population fits the
//! machine depends on a run's scale and is checked with its settings
//! (`crate::settings`). The checks, by part of the scenario:
//! - here: the name, the scale, the dates;
//! - `population.rs`: who is eligible, their documents and resources, and
//!   the call-up;
//! - `behaviour.rs`: the decision, passport, travel, choice and queue
//!   parameters;
//! - `network.rs`: destinations, crossings and air routes;
//! - `policies.rs`: the dated policies and their places;
//! - `targets.rs`: the reported figures;
//! - `calibration.rs`: what `exodus calibrate` fits.

mod behaviour;
mod calibration;
mod network;
mod policies;
mod population;
mod targets;

use std::cell::RefCell;
use std::fmt;

use chrono::NaiveDate;
use toml::value::Datetime;

use super::file::ScenarioFile;
use super::{KeyPath, MAX_DAYS, MAX_SCALE, Scenario, SourceText};
use crate::calendar::Calendar;
use crate::data::{AirRoutes, CrossingRecord, Region};
use crate::format::{compact_number, suggest};
use crate::input_error::InputError;

/// Validates and resolves a parsed scenario file against its data.
pub(super) fn validate(
    raw: &ScenarioFile,
    src: &SourceText<'_>,
    table: &toml::Table,
    regions: Vec<Region>,
    crossing_records: &[CrossingRecord],
    air_routes: Option<&AirRoutes>,
) -> Result<Scenario, InputError> {
    let c = Checker {
        src,
        warnings: RefCell::new(Vec::new()),
    };
    let root = KeyPath::default();

    // The name names the output folder (`output/NAME`), so it must be a
    // plain file name: not empty, not `.` or `..` or hidden, and not so long
    // that the file system would refuse it.
    if raw.name.trim().is_empty()
        || raw.name.starts_with('.')
        || raw.name.len() > 100
        || !raw
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
    {
        return Err(c.err(
            &root.key("name"),
            format!(
                "`{}` is not a valid name: use 1 to 100 letters, digits, '-', '_' and '.', \
                 not starting with '.' (it names the output folder)",
                raw.name
            ),
        ));
    }
    // The file's scale is a run's default: it must be valid whether or not
    // a run overrides it.
    let scale = c.in_range(
        &root.key("scale"),
        raw.scale,
        1,
        i64::from(MAX_SCALE),
        "persons per agent, an integer",
    )? as u32;
    let calendar = calendar(&c, raw)?;
    let regions = population::multiply_men(&c, raw, regions)?;
    let population = population::population(&c, raw, &regions)?;
    population::check_not_empty(&c, &population, &regions)?;
    let mobilization = population::mobilization(&c, raw, &calendar, &regions, &population)?;
    behaviour::check_decision(&c, raw)?;
    behaviour::check_travel(&c, raw)?;
    behaviour::check_queue(&c, raw)?;
    let passport = behaviour::passport(&c, raw)?;
    let choice = behaviour::choice(&c, raw)?;
    let destinations = network::destinations(&c, raw)?;
    let air = network::air(&c, raw, air_routes)?;
    let routes = air_routes.zip(air.as_ref());
    let crossings = network::crossings(&c, raw, &destinations, crossing_records, routes)?;
    let policies = policies::policies(&c, raw, &calendar, &destinations, &crossings)?;
    let targets = targets::targets(&c, raw, &calendar, &destinations, &crossings)?;
    let calibration = calibration::calibration(&c, raw, table)?;

    Ok(Scenario {
        name: raw.name.clone(),
        description: raw.description.clone(),
        seed: raw.seed,
        scale,
        calendar,
        regions,
        population,
        mobilization,
        decision: raw.decision.clone(),
        passport,
        travel: raw.travel.clone(),
        choice,
        queue: raw.queue.clone(),
        air,
        destinations,
        crossings,
        policies,
        targets,
        calibration,
        content_hash: String::new(),
        warnings: c.warnings.into_inner(),
    })
}

/// Checks values against the rules of their keys; every error it makes
/// names the key, and so the file, line and column that wrote it.
struct Checker<'s, 'a> {
    src: &'s SourceText<'a>,
    /// Doubtful values let through, located like errors.
    warnings: RefCell<Vec<InputError>>,
}

impl Checker<'_, '_> {
    fn err(&self, path: &KeyPath, message: impl Into<String>) -> InputError {
        self.src.error_at(path, message)
    }

    /// Refuses a name or id (`what`: "destination name", "crossing id", …)
    /// that is empty, has spaces at its ends, or holds a control character:
    /// such a name is refused where it is written, not where it is used.
    fn name(&self, path: &KeyPath, value: &str, what: &str) -> Result<(), InputError> {
        let why = if value.trim().is_empty() {
            "is empty"
        } else if value.trim() != value {
            "has spaces at its start or end"
        } else if value.chars().any(char::is_control) {
            "holds a control character (a line break, a tab)"
        } else {
            return Ok(());
        };
        Err(self.err(
            path,
            format!("the {what} {why}: give a name of visible characters, such as `Georgia`"),
        ))
    }

    /// Records a warning about the value at `path`: valid, but doubtful.
    fn warn(&self, path: &KeyPath, message: impl Into<String>) {
        self.warnings.borrow_mut().push(self.err(path, message));
    }

    /// `v` if it lies in `[low, high]` and is finite, else an error saying
    /// that it must be in that range, and `why`.
    fn bounded(
        &self,
        path: &KeyPath,
        v: f64,
        low: f64,
        high: f64,
        why: &str,
    ) -> Result<f64, InputError> {
        let within = |v: f64| v.is_finite() && (low..=high).contains(&v);
        self.require(path, v, within, &format!("in [{low}, {high}] ({why})"))
    }

    /// `v` if `ok(v)`, else an error saying that it must be `rule`.
    fn require(
        &self,
        path: &KeyPath,
        v: f64,
        ok: impl Fn(f64) -> bool,
        rule: &str,
    ) -> Result<f64, InputError> {
        if ok(v) {
            Ok(v)
        } else {
            Err(self.err(path, format!("must be {rule}, got {}", compact_number(&v))))
        }
    }

    fn finite(&self, path: &KeyPath, v: f64) -> Result<f64, InputError> {
        self.require(path, v, f64::is_finite, "a finite number")
    }

    fn share(&self, path: &KeyPath, v: f64) -> Result<f64, InputError> {
        self.require(path, v, |v| (0.0..=1.0).contains(&v), "a share in [0, 1]")
    }

    fn non_negative(&self, path: &KeyPath, v: f64) -> Result<f64, InputError> {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        self.require(path, v, ok, "a finite number >= 0")
    }

    fn positive(&self, path: &KeyPath, v: f64) -> Result<f64, InputError> {
        let ok = |v: f64| v.is_finite() && v > 0.0;
        self.require(path, v, ok, "a finite number > 0")
    }

    /// `v` if it lies in `[low, high]` (a NaN never does), else an error
    /// saying that it must be `what` in that range.
    fn in_range<T: PartialOrd + fmt::Display + Copy>(
        &self,
        path: &KeyPath,
        v: T,
        low: T,
        high: T,
        what: &str,
    ) -> Result<T, InputError> {
        if (low..=high).contains(&v) {
            Ok(v)
        } else {
            let v = compact_number(&v);
            Err(self.err(path, format!("must be {what} in [{low}, {high}], got {v}")))
        }
    }

    fn date(&self, path: &KeyPath, value: &Datetime) -> Result<NaiveDate, InputError> {
        let shape = "must be a plain date such as 2022-09-21 (no time, no offset)";
        if value.time.is_some() || value.offset.is_some() {
            return Err(self.err(path, format!("{shape}, got {value}")));
        }
        let Some(d) = value.date else {
            return Err(self.err(path, format!("{shape}, got {value}")));
        };
        NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            .ok_or_else(|| self.err(path, format!("{value} is not a calendar date")))
    }

    /// Checks that a key names a known region or federal district.
    fn region_or_district(
        &self,
        path: &KeyPath,
        key: &str,
        regions: &[Region],
    ) -> Result<(), InputError> {
        if regions.iter().any(|r| r.iso == key || r.district == key) {
            return Ok(());
        }
        let mut districts: Vec<&str> = regions.iter().map(|r| r.district.as_str()).collect();
        districts.sort_unstable();
        districts.dedup();
        Err(self.err(
            path,
            format!(
                "`{key}` is neither a region ISO code (such as RU-MOW) nor a federal district; the districts are: {}",
                districts.join(", ")
            ),
        ))
    }
}

fn calendar(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<Calendar, InputError> {
    let path = KeyPath::of(&["dates"]);
    let start = c.date(&path.key("start"), &raw.dates.start)?;
    let decree = c.date(&path.key("decree"), &raw.dates.decree)?;
    let end = c.date(&path.key("end"), &raw.dates.end)?;
    if end < start {
        return Err(c.err(
            &path.key("end"),
            format!("the end ({end}) is before the start ({start}); it must be on or after it"),
        ));
    }
    if decree < start || decree > end {
        return Err(c.err(
            &path.key("decree"),
            format!("the decree ({decree}) must lie within the simulated window {start} to {end}"),
        ));
    }
    let days = (end - start).num_days() + 1;
    if days > i64::from(MAX_DAYS) {
        return Err(c.err(
            &path.key("end"),
            format!(
                "the window has {days} days; at most {} are supported",
                MAX_DAYS
            ),
        ));
    }
    Ok(Calendar {
        start,
        days: days as u32,
        decree: (decree - start).num_days() as u32,
    })
}
