//! From the file as written to the scenario the engine runs.
//!
//! Every check here names the key it concerns, so the error points at the
//! line and column of the offending value and says what would be valid.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use toml::value::Datetime;

use super::file::{PolicyFile, ScenarioFile, ShareByPlaceFile};
use super::{
    COHORTS_PER_AGE, CalibrationParameter, CalibrationSpec, ChoiceParams, Crossing, Destination,
    Documents, GiveUp, KeyPath, MAX_COHORTS, MobilizationParams, ParamPath, PassportParams, Policy,
    PolicyKind, PopulationParams, Scenario, SourceText, Target,
};
use crate::calendar::Calendar;
use crate::data::{AGE_BANDS, CrossingRecord, Region, eligible_men};
use crate::input_error::InputError;
use crate::metrics::{Measure, MeasureError, Metric, Observed, resolve_place};

/// Policy kinds and the parameters each takes.
const POLICY_KINDS: &[(&str, &[&str])] = &[
    ("entry_ban", &["exempt_share", "baseline_share"]),
    ("foreign_passport_ban", &["refuse_pending"]),
    ("closure_announcement", &["announces"]),
    ("border_draft_office", &["catch_probability", "deterrence"]),
    ("capacity_change", &["capacity", "multiplier"]),
    ("destination_attractiveness", &["bonus"]),
    ("exit_ban", &[]),
];

struct Checker<'s, 'a> {
    src: &'s SourceText<'a>,
}

impl Checker<'_, '_> {
    fn err(&self, path: &KeyPath, message: impl Into<String>) -> InputError {
        self.src.error_at(path, message)
    }

    fn finite(&self, path: &KeyPath, v: f64) -> Result<f64, InputError> {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.err(path, format!("must be a finite number, got {v}")))
        }
    }

    fn share(&self, path: &KeyPath, v: f64) -> Result<f64, InputError> {
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(self.err(path, format!("must be a share in [0, 1], got {v}")))
        }
    }

    fn non_negative(&self, path: &KeyPath, v: f64) -> Result<f64, InputError> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.err(path, format!("must be a finite number >= 0, got {v}")))
        }
    }

    fn positive(&self, path: &KeyPath, v: f64) -> Result<f64, InputError> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(self.err(path, format!("must be a finite number > 0, got {v}")))
        }
    }

    fn within(
        &self,
        path: &KeyPath,
        v: f64,
        low: f64,
        high: f64,
        what: &str,
    ) -> Result<f64, InputError> {
        if v.is_finite() && (low..=high).contains(&v) {
            Ok(v)
        } else {
            Err(self.err(path, format!("must be {what} in [{low}, {high}], got {v}")))
        }
    }

    fn int_in(
        &self,
        path: &KeyPath,
        v: i64,
        low: i64,
        high: i64,
        what: &str,
    ) -> Result<i64, InputError> {
        if (low..=high).contains(&v) {
            Ok(v)
        } else {
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

/// Validates and resolves a parsed scenario file against its data.
pub(super) fn validate(
    raw: &ScenarioFile,
    src: &SourceText<'_>,
    table: &toml::Table,
    regions: Vec<Region>,
    crossing_records: &[CrossingRecord],
) -> Result<Scenario, InputError> {
    let c = Checker { src };
    let root = KeyPath::default();

    if raw.name.trim().is_empty()
        || !raw
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
    {
        return Err(c.err(
            &root.key("name"),
            format!(
                "`{}` is not a valid name: use letters, digits, '-', '_' and '.' (it names the output folder)",
                raw.name
            ),
        ));
    }
    let scale = c.int_in(
        &root.key("scale"),
        raw.scale,
        1,
        i64::from(super::MAX_SCALE),
        "persons per agent, an integer",
    )? as u32;
    let calendar = calendar(&c, raw)?;
    let population = population(&c, raw, &regions)?;
    check_population_not_empty(&c, &population, &regions)?;
    let mobilization = mobilization(&c, raw, &calendar, &regions)?;
    check_decision(&c, raw)?;
    check_travel(&c, raw)?;
    check_queue(&c, raw)?;
    let passport = PassportParams {
        apply_share: c.share(
            &KeyPath::of(&["passport", "apply_share"]),
            raw.passport.apply_share,
        )?,
        processing_days: c.int_in(
            &KeyPath::of(&["passport", "processing_days"]),
            raw.passport.processing_days,
            0,
            365,
            "days",
        )? as u32,
    };
    let choice = choice(&c, raw)?;
    let destinations = destinations(&c, raw)?;
    let crossings = crossings(&c, raw, &destinations, crossing_records)?;
    let policies = policies(&c, raw, &calendar, &destinations, &crossings)?;
    let targets = targets(&c, raw, &calendar, &destinations, &crossings)?;
    let calibration = calibration(&c, raw, table)?;

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
        destinations,
        crossings,
        policies,
        targets,
        calibration,
        content_hash: String::new(),
    })
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
    if days > i64::from(super::MAX_DAYS) {
        return Err(c.err(
            &path.key("end"),
            format!(
                "the window has {days} days; at most {} are supported",
                super::MAX_DAYS
            ),
        ));
    }
    Ok(Calendar {
        start,
        days: days as u32,
        decree: (decree - start).num_days() as u32,
    })
}

fn population(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    regions: &[Region],
) -> Result<PopulationParams, InputError> {
    let p = &raw.population;
    let path = KeyPath::of(&["population"]);
    let first_age = i64::from(AGE_BANDS[0]);
    let last_age = i64::from(AGE_BANDS[AGE_BANDS.len() - 1]) + 4;
    let age_min = c.int_in(
        &path.key("age_min"),
        p.age_min,
        first_age,
        last_age,
        "an age the data cover",
    )?;
    let age_max = c.int_in(
        &path.key("age_max"),
        p.age_max,
        first_age,
        last_age,
        "an age the data cover",
    )?;
    if age_max < age_min {
        return Err(c.err(
            &path.key("age_max"),
            format!("must be at least age_min ({age_min}), got {age_max}"),
        ));
    }
    let cohorts = regions.len() * (age_max - age_min + 1) as usize * COHORTS_PER_AGE;
    if cohorts > MAX_COHORTS {
        return Err(c.err(
            &path.key("age_max"),
            format!(
                "{} regions × {} ages make {cohorts} cohorts; at most {} are supported: narrow the age range",
                regions.len(),
                age_max - age_min + 1,
                MAX_COHORTS
            ),
        ));
    }
    Ok(PopulationParams {
        age_min: age_min as u32,
        age_max: age_max as u32,
        prior_service_share: c.share(&path.key("prior_service_share"), p.prior_service_share)?,
        car_share: c.share(&path.key("car_share"), p.car_share)?,
        foreign_passport: share_by_place(
            c,
            &path.key("foreign_passport"),
            &p.foreign_passport,
            regions,
        )?,
        schengen_visa: share_by_place(c, &path.key("schengen_visa"), &p.schengen_visa, regions)?,
    })
}

/// Refuses an empty population. Whether it makes at least one agent, and
/// fits in memory, depends on the scale of a run: see
/// [`crate::settings::RunSettings`].
fn check_population_not_empty(
    c: &Checker<'_, '_>,
    population: &PopulationParams,
    regions: &[Region],
) -> Result<(), InputError> {
    let (age_min, age_max) = (population.age_min, population.age_max);
    let persons: f64 = eligible_men(regions, age_min, age_max).iter().sum();
    if persons >= 1.0 {
        return Ok(());
    }
    let what = if regions.is_empty() {
        "holds no regions".to_owned()
    } else {
        format!(
            "holds no men aged {age_min}-{age_max} in its {} regions",
            regions.len()
        )
    };
    Err(c.err(
        &KeyPath::of(&["data", "regions"]),
        format!(
            "the population is empty: the regions file {what}; it needs at least one region with men in the age range"
        ),
    ))
}

/// Resolves urban and rural shares with region or district multipliers.
fn share_by_place(
    c: &Checker<'_, '_>,
    path: &KeyPath,
    s: &ShareByPlaceFile,
    regions: &[Region],
) -> Result<Vec<(f64, f64)>, InputError> {
    let urban = c.share(&path.key("urban"), s.urban)?;
    let rural = c.share(&path.key("rural"), s.rural)?;
    let multipliers = multipliers(c, &path.key("multiplier"), &s.multiplier, regions)?;
    regions
        .iter()
        .zip(&multipliers)
        .map(|(region, (m, key))| {
            let (u, r) = (urban * m, rural * m);
            if u > 1.0 || r > 1.0 {
                let at = key.as_ref().map_or_else(|| path.key("urban"), |k| path.key("multiplier").key(k));
                return Err(c.err(
                    &at,
                    format!(
                        "the share in {} would be {:.3} (urban) and {:.3} (rural); a share must not exceed 1",
                        region.iso, u, r
                    ),
                ));
            }
            Ok((u, r))
        })
        .collect()
}

/// Per-region multipliers from keys naming regions or districts (a region's own key wins).
/// Returns the multiplier and the key it came from.
fn multipliers(
    c: &Checker<'_, '_>,
    path: &KeyPath,
    table: &BTreeMap<String, f64>,
    regions: &[Region],
) -> Result<Vec<(f64, Option<String>)>, InputError> {
    for (key, &value) in table {
        c.region_or_district(&path.key(key), key, regions)?;
        c.non_negative(&path.key(key), value)?;
    }
    Ok(regions
        .iter()
        .map(|r| {
            table
                .get(&r.iso)
                .map(|&m| (m, Some(r.iso.clone())))
                .or_else(|| {
                    table
                        .get(&r.district)
                        .map(|&m| (m, Some(r.district.clone())))
                })
                .unwrap_or((1.0, None))
        })
        .collect())
}

fn mobilization(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    calendar: &Calendar,
    regions: &[Region],
) -> Result<MobilizationParams, InputError> {
    let m = &raw.mobilization;
    let path = KeyPath::of(&["mobilization"]);
    let mut schedule: Vec<(i64, f64)> = Vec::with_capacity(m.schedule.len());
    for (i, point) in m.schedule.iter().enumerate() {
        let at = path.key("schedule").index(i);
        let day = calendar.day_of(c.date(&at.key("date"), &point.date)?);
        let drafted = c.non_negative(&at.key("drafted"), point.drafted)?;
        if let Some(&(prev_day, prev)) = schedule.last() {
            if day <= prev_day {
                return Err(c.err(
                    &at.key("date"),
                    "schedule dates must increase strictly from one point to the next",
                ));
            }
            if drafted < prev {
                return Err(c.err(
                    &at.key("drafted"),
                    format!("the schedule is cumulative: {drafted} is less than the previous point's {prev}"),
                ));
            }
        }
        schedule.push((day, drafted));
    }
    let intensity = multipliers(c, &path.key("intensity"), &m.intensity, regions)?
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    Ok(MobilizationParams {
        schedule,
        prior_service_priority: c.positive(
            &path.key("prior_service_priority"),
            m.prior_service_priority,
        )?,
        age_priority_decay: c.finite(&path.key("age_priority_decay"), m.age_priority_decay)?,
        intensity,
    })
}

fn check_decision(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<(), InputError> {
    let d = &raw.decision;
    let path = KeyPath::of(&["decision"]);
    for (key, v) in [
        ("base_log_hazard", d.base_log_hazard),
        ("regional_callup", d.regional_callup),
        ("prior_service", d.prior_service),
        ("age", d.age),
        ("foreign_passport", d.foreign_passport),
        ("schengen_visa", d.schengen_visa),
        ("car", d.car),
        ("urban", d.urban),
        ("peer", d.peer),
        ("announced_closure", d.announced_closure),
    ] {
        c.finite(&path.key(key), v)?;
    }
    c.non_negative(&path.key("fatigue_per_day"), d.fatigue_per_day)?;
    Ok(())
}

fn check_travel(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<(), InputError> {
    let t = &raw.travel;
    let path = KeyPath::of(&["travel"]);
    if !(1.0..=5.0).contains(&t.road_factor) {
        return Err(c.err(
            &path.key("road_factor"),
            format!(
                "must be in [1, 5] (road over great-circle distance), got {}",
                t.road_factor
            ),
        ));
    }
    c.within(
        &path.key("preparation_days"),
        t.preparation_days,
        0.0,
        60.0,
        "days",
    )?;
    c.within(
        &path.key("car_km_per_day"),
        t.car_km_per_day,
        1.0,
        100_000.0,
        "km per day",
    )?;
    c.within(
        &path.key("public_km_per_day"),
        t.public_km_per_day,
        1.0,
        100_000.0,
        "km per day",
    )?;
    c.non_negative(&path.key("car_rub_per_km"), t.car_rub_per_km)?;
    c.non_negative(&path.key("public_rub_per_km"), t.public_rub_per_km)?;
    Ok(())
}

fn check_queue(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<(), InputError> {
    let path = KeyPath::of(&["queue"]);
    c.positive(
        &path.key("patience_mean_days"),
        raw.queue.patience_mean_days,
    )?;
    c.positive(&path.key("patience_shape"), raw.queue.patience_shape)?;
    Ok(())
}

fn choice(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<ChoiceParams, InputError> {
    let ch = &raw.choice;
    let path = KeyPath::of(&["choice"]);
    let on_give_up = match ch.on_give_up.as_str() {
        "reroute" => GiveUp::Reroute,
        "return_home" => GiveUp::ReturnHome,
        other => {
            return Err(c.err(
                &path.key("on_give_up"),
                format!("`{other}` is not valid: use `reroute` or `return_home`"),
            ));
        }
    };
    Ok(ChoiceParams {
        travel_day: c.finite(&path.key("travel_day"), ch.travel_day)?,
        wait_day: c.finite(&path.key("wait_day"), ch.wait_day)?,
        cost_per_1000_rub: c.finite(&path.key("cost_per_1000_rub"), ch.cost_per_1000_rub)?,
        draft_risk: c.finite(&path.key("draft_risk"), ch.draft_risk)?,
        information_lag_days: c.int_in(
            &path.key("information_lag_days"),
            ch.information_lag_days,
            1,
            60,
            "days (1 = yesterday's queue)",
        )? as u32,
        on_give_up,
        max_attempts: c.int_in(&path.key("max_attempts"), ch.max_attempts, 1, 10, "a count")? as u8,
    })
}

fn destinations(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<Vec<Destination>, InputError> {
    let mut out: Vec<Destination> = Vec::with_capacity(raw.destinations.len());
    if raw.destinations.is_empty() {
        return Err(c.err(
            &KeyPath::of(&["destination"]),
            "the scenario needs at least one [[destination]]",
        ));
    }
    for (i, d) in raw.destinations.iter().enumerate() {
        let path = KeyPath::of(&["destination"]).index(i);
        if out.iter().any(|o| o.name == d.name) {
            return Err(c.err(
                &path.key("name"),
                format!("destination `{}` is listed twice", d.name),
            ));
        }
        let documents = Documents::ALL
            .into_iter()
            .find(|doc| doc.name() == d.documents)
            .ok_or_else(|| {
                c.err(
                    &path.key("documents"),
                    format!(
                        "`{}` is not valid: use `internal_passport`, `foreign_passport` or `schengen_visa`",
                        d.documents
                    ),
                )
            })?;
        out.push(Destination {
            name: d.name.clone(),
            documents,
            constant: c.finite(&path.key("constant"), d.constant)?,
        });
    }
    Ok(out)
}

fn crossings(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    destinations: &[Destination],
    records: &[CrossingRecord],
) -> Result<Vec<Crossing>, InputError> {
    if raw.crossings.is_empty() {
        return Err(c.err(
            &KeyPath::of(&["crossing"]),
            "the scenario needs at least one [[crossing]]",
        ));
    }
    if raw.crossings.len() > usize::from(u8::MAX) {
        return Err(c.err(
            &KeyPath::of(&["crossing"]),
            format!(
                "at most {} crossings are supported, got {}",
                u8::MAX,
                raw.crossings.len()
            ),
        ));
    }
    let mut out: Vec<Crossing> = Vec::with_capacity(raw.crossings.len());
    for (i, x) in raw.crossings.iter().enumerate() {
        let path = KeyPath::of(&["crossing"]).index(i);
        let record = records.iter().find(|r| r.id == x.id).ok_or_else(|| {
            c.err(
                &path.key("id"),
                format!(
                    "`{}` is not a crossing id in the crossings data file ({})",
                    x.id,
                    suggest(&x.id, records.iter().map(|r| r.id.as_str()))
                ),
            )
        })?;
        if out.iter().any(|o| o.id == x.id) {
            return Err(c.err(
                &path.key("id"),
                format!("crossing `{}` is listed twice", x.id),
            ));
        }
        let destination = destinations
            .iter()
            .position(|d| d.name == record.destination)
            .ok_or_else(|| {
                c.err(
                &path.key("id"),
                format!(
                    "crossing `{}` leads to `{}`, which is not a [[destination]] of the scenario: add a [[destination]] named `{}`, or leave the crossing out",
                    x.id, record.destination, record.destination
                ),
            )
            })?;
        let capacity = c.int_in(
            &path.key("capacity"),
            x.capacity,
            0,
            10_000_000,
            "persons per day",
        )?;
        let baseline = c.int_in(
            &path.key("baseline"),
            x.baseline,
            0,
            10_000_000,
            "persons per day",
        )?;
        out.push(Crossing {
            id: x.id.clone(),
            destination,
            lat: record.lat,
            lon: record.lon,
            capacity: capacity as u32,
            baseline: baseline as u32,
            extra_days: c.within(&path.key("extra_days"), x.extra_days, 0.0, 60.0, "days")?,
            extra_rub: c.non_negative(&path.key("extra_rub"), x.extra_rub)?,
        });
    }
    Ok(out)
}

/// A short list of the valid names, nearest first, for "unknown name" errors.
fn suggest<'n>(name: &str, valid: impl Iterator<Item = &'n str>) -> String {
    let mut valid: Vec<&str> = valid.collect();
    valid.sort_by_key(|v| (edit_distance(name, v), *v));
    let shown: Vec<String> = valid.iter().take(5).map(|v| format!("`{v}`")).collect();
    format!("did you mean one of {}?", shown.join(", "))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn policies(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    calendar: &Calendar,
    destinations: &[Destination],
    crossings: &[Crossing],
) -> Result<Vec<Policy>, InputError> {
    let mut out: Vec<Policy> = Vec::with_capacity(raw.policies.len());
    for (i, p) in raw.policies.iter().enumerate() {
        let path = KeyPath::of(&["policy"]).index(i);
        if p.id.trim().is_empty() {
            return Err(c.err(&path.key("id"), "a policy id must not be empty"));
        }
        if out.iter().any(|o| o.id == p.id) {
            return Err(c.err(
                &path.key("id"),
                format!("policy id `{}` is used twice; ids must be unique", p.id),
            ));
        }
        let start = calendar.day_of(c.date(&path.key("start"), &p.start)?);
        let end = match &p.end {
            Some(e) => {
                let end = calendar.day_of(c.date(&path.key("end"), e)?);
                if end < start {
                    return Err(c.err(
                        &path.key("end"),
                        format!(
                            "the end ({}) is before the start ({}); it must be on or after it",
                            calendar.date(end),
                            calendar.date(start)
                        ),
                    ));
                }
                Some(end)
            }
            None => None,
        };
        check_parameters(c, &path, p)?;
        let kind = policy_kind(c, &path, p, raw)?;
        let places = places(c, &path, p, destinations, crossings)?;
        let needs_places = matches!(
            kind,
            PolicyKind::EntryBan { .. }
                | PolicyKind::BorderDraftOffice { .. }
                | PolicyKind::CapacitySet { .. }
                | PolicyKind::CapacityMultiply { .. }
                | PolicyKind::DestinationAttractiveness { .. }
        );
        let national = matches!(
            kind,
            PolicyKind::ForeignPassportBan { .. } | PolicyKind::ClosureAnnouncement { .. }
        );
        if needs_places && places.is_empty() {
            return Err(c.err(
                &path.key("kind"),
                format!(
                    "a `{}` policy must name the `destinations` or `crossings` it applies to",
                    p.kind
                ),
            ));
        }
        if national && (!p.destinations.is_empty() || !p.crossings.is_empty()) {
            let key = if p.destinations.is_empty() {
                "crossings"
            } else {
                "destinations"
            };
            return Err(c.err(
                &path.key(key),
                format!(
                    "a `{}` policy applies nationally and takes no places",
                    p.kind
                ),
            ));
        }
        // An exit ban without places closes every crossing.
        let crossings_applied = if matches!(kind, PolicyKind::ExitBan) && places.is_empty() {
            (0..crossings.len()).collect()
        } else {
            places
        };
        out.push(Policy {
            id: p.id.clone(),
            kind,
            start,
            end,
            known_from: start,
            crossings: crossings_applied,
            source: p.source.clone(),
        });
    }
    resolve_announcements(c, &mut out)?;
    Ok(out)
}

/// Rejects parameters that the policy's kind does not take.
fn check_parameters(c: &Checker<'_, '_>, path: &KeyPath, p: &PolicyFile) -> Result<(), InputError> {
    let Some((_, allowed)) = POLICY_KINDS.iter().find(|(k, _)| *k == p.kind) else {
        let kinds: Vec<&str> = POLICY_KINDS.iter().map(|(k, _)| *k).collect();
        return Err(c.err(
            &path.key("kind"),
            format!(
                "`{}` is not a policy kind; the kinds are: {}",
                p.kind,
                kinds.join(", ")
            ),
        ));
    };
    let given = [
        ("exempt_share", p.exempt_share.is_some()),
        ("baseline_share", p.baseline_share.is_some()),
        ("announces", p.announces.is_some()),
        ("catch_probability", p.catch_probability.is_some()),
        ("deterrence", p.deterrence.is_some()),
        ("capacity", p.capacity.is_some()),
        ("multiplier", p.multiplier.is_some()),
        ("bonus", p.bonus.is_some()),
        ("refuse_pending", p.refuse_pending.is_some()),
    ];
    for (key, present) in given {
        if present && !allowed.contains(&key) {
            let takes = if allowed.is_empty() {
                "no parameters".to_owned()
            } else {
                allowed.join(", ")
            };
            return Err(c.err(
                &path.key(key),
                format!(
                    "`{key}` is not a parameter of `{}`, which takes: {takes}",
                    p.kind
                ),
            ));
        }
    }
    Ok(())
}

fn required<T: Copy>(
    c: &Checker<'_, '_>,
    path: &KeyPath,
    kind: &str,
    key: &str,
    v: Option<T>,
) -> Result<T, InputError> {
    v.ok_or_else(|| {
        c.err(
            &path.key("kind"),
            format!("a `{kind}` policy needs `{key}`"),
        )
    })
}

fn policy_kind(
    c: &Checker<'_, '_>,
    path: &KeyPath,
    p: &PolicyFile,
    raw: &ScenarioFile,
) -> Result<PolicyKind, InputError> {
    let kind = p.kind.as_str();
    Ok(match kind {
        "entry_ban" => {
            let exempt_share = c.share(
                &path.key("exempt_share"),
                required(c, path, kind, "exempt_share", p.exempt_share)?,
            )?;
            let baseline_share = match p.baseline_share {
                Some(v) => c.share(&path.key("baseline_share"), v)?,
                None => exempt_share,
            };
            PolicyKind::EntryBan {
                exempt_share,
                baseline_share,
            }
        }
        "foreign_passport_ban" => PolicyKind::ForeignPassportBan {
            refuse_pending: p.refuse_pending.unwrap_or(true),
        },
        "closure_announcement" => {
            let target = p.announces.as_deref().ok_or_else(|| {
                c.err(
                    &path.key("kind"),
                    "a `closure_announcement` policy needs `announces`",
                )
            })?;
            let index = raw
                .policies
                .iter()
                .position(|q| q.id == target)
                .ok_or_else(|| {
                    c.err(
                        &path.key("announces"),
                        format!(
                            "no policy has the id `{target}` ({})",
                            suggest(target, raw.policies.iter().map(|q| q.id.as_str()))
                        ),
                    )
                })?;
            PolicyKind::ClosureAnnouncement { announces: index }
        }
        "border_draft_office" => PolicyKind::BorderDraftOffice {
            catch_probability: c.share(
                &path.key("catch_probability"),
                required(c, path, kind, "catch_probability", p.catch_probability)?,
            )?,
            deterrence: c.non_negative(&path.key("deterrence"), p.deterrence.unwrap_or(0.0))?,
        },
        "capacity_change" => match (p.capacity, p.multiplier) {
            (Some(capacity), None) => PolicyKind::CapacitySet {
                capacity: c.int_in(
                    &path.key("capacity"),
                    capacity,
                    0,
                    10_000_000,
                    "persons per day",
                )? as u32,
            },
            (None, Some(m)) => PolicyKind::CapacityMultiply {
                multiplier: c.non_negative(&path.key("multiplier"), m)?,
            },
            _ => {
                return Err(c.err(
                    &path.key("kind"),
                    "a `capacity_change` policy needs exactly one of `capacity` (persons per day) or `multiplier`",
                ));
            }
        },
        "destination_attractiveness" => PolicyKind::DestinationAttractiveness {
            bonus: c.finite(
                &path.key("bonus"),
                required(c, path, kind, "bonus", p.bonus)?,
            )?,
        },
        _ => PolicyKind::ExitBan,
    })
}

/// The crossings a policy names, directly or through destinations.
fn places(
    c: &Checker<'_, '_>,
    path: &KeyPath,
    p: &PolicyFile,
    destinations: &[Destination],
    crossings: &[Crossing],
) -> Result<Vec<usize>, InputError> {
    let mut out = Vec::new();
    for (j, name) in p.destinations.iter().enumerate() {
        let d = destinations
            .iter()
            .position(|d| &d.name == name)
            .ok_or_else(|| {
                c.err(
                    &path.key("destinations").index(j),
                    format!(
                        "`{name}` is not a destination of the scenario ({})",
                        suggest(name, destinations.iter().map(|d| d.name.as_str()))
                    ),
                )
            })?;
        out.extend(
            crossings
                .iter()
                .enumerate()
                .filter(|(_, x)| x.destination == d)
                .map(|(k, _)| k),
        );
    }
    for (j, id) in p.crossings.iter().enumerate() {
        let k = crossings.iter().position(|x| &x.id == id).ok_or_else(|| {
            c.err(
                &path.key("crossings").index(j),
                format!(
                    "`{id}` is not a crossing of the scenario ({})",
                    suggest(id, crossings.iter().map(|x| x.id.as_str()))
                ),
            )
        })?;
        out.push(k);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Moves each announced policy's `known_from` to its announcement's start.
fn resolve_announcements(c: &Checker<'_, '_>, policies: &mut [Policy]) -> Result<(), InputError> {
    let announcements: Vec<(usize, usize, i64)> = policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p.kind {
            PolicyKind::ClosureAnnouncement { announces } => Some((i, announces, p.start)),
            _ => None,
        })
        .collect();
    let mut announced = vec![false; policies.len()];
    for (i, target, day) in announcements {
        let path = KeyPath::of(&["policy"]).index(i).key("announces");
        if matches!(
            policies[target].kind,
            PolicyKind::ClosureAnnouncement { .. }
        ) {
            return Err(c.err(
                &path,
                "an announcement must announce a policy, not another announcement",
            ));
        }
        if announced[target] {
            return Err(c.err(
                &path,
                format!("policy `{}` is announced twice", policies[target].id),
            ));
        }
        if day > policies[target].start {
            return Err(c.err(
                &KeyPath::of(&["policy"]).index(i).key("start"),
                format!(
                    "the announcement comes after policy `{}` takes effect; announce it on or before its start",
                    policies[target].id
                ),
            ));
        }
        announced[target] = true;
        policies[target].known_from = day;
    }
    Ok(())
}

fn targets(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    calendar: &Calendar,
    destinations: &[Destination],
    crossings: &[Crossing],
) -> Result<Vec<Target>, InputError> {
    let names: Vec<String> = destinations.iter().map(|d| d.name.clone()).collect();
    let ids: Vec<(String, usize)> = crossings
        .iter()
        .map(|x| (x.id.clone(), x.destination))
        .collect();
    let mut out: Vec<Target> = Vec::with_capacity(raw.targets.len());
    for (i, t) in raw.targets.iter().enumerate() {
        let path = KeyPath::of(&["target"]).index(i);
        if out.iter().any(|o| o.id == t.id) {
            return Err(c.err(
                &path.key("id"),
                format!("target id `{}` is used twice; ids must be unique", t.id),
            ));
        }
        let metric: Metric = t
            .metric
            .parse()
            .map_err(|m: String| c.err(&path.key("metric"), m))?;
        let place =
            resolve_place(&t.place, &names, &ids).map_err(|m| c.err(&path.key("place"), m))?;
        let from = calendar.day_of(c.date(&path.key("from"), &t.from)?);
        let to = calendar.day_of(c.date(&path.key("to"), &t.to)?);
        let measure = Measure {
            metric,
            place,
            from,
            to,
        };
        measure.check(calendar.days).map_err(|e| match e {
            MeasureError::Place(m) => c.err(&path.key("place"), m),
            MeasureError::Reversed => c.err(
                &path.key("to"),
                "the window ends before it starts: `to` must be on or after `from`",
            ),
            MeasureError::Window(m) => c.err(
                &path.key("to"),
                format!(
                    "{m}: it must lie within {} to {}",
                    calendar.start,
                    calendar.end()
                ),
            ),
        })?;
        let observed = match (t.value, t.low, t.high) {
            (Some(v), None, None) => Observed::Value(c.positive(&path.key("value"), v)?),
            (None, Some(low), Some(high)) => {
                let low = c.non_negative(&path.key("low"), low)?;
                let high = c.positive(&path.key("high"), high)?;
                if high < low {
                    return Err(c.err(
                        &path.key("high"),
                        format!("must be at least `low` ({low}), got {high}"),
                    ));
                }
                Observed::Interval { low, high }
            }
            _ => {
                return Err(c.err(
                    &path.key("id"),
                    "a target needs either `value`, or both `low` and `high` (an interval)",
                ));
            }
        };
        out.push(Target {
            id: t.id.clone(),
            place: t.place.clone(),
            measure,
            observed,
            weight: c.non_negative(&path.key("weight"), t.weight.unwrap_or(1.0))?,
            tolerance: c.positive(&path.key("tolerance"), t.tolerance.unwrap_or(0.15))?,
            source: t.source.clone(),
        });
    }
    Ok(out)
}

fn calibration(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    table: &toml::Table,
) -> Result<Option<CalibrationSpec>, InputError> {
    let Some(cal) = &raw.calibration else {
        return Ok(None);
    };
    let path = KeyPath::of(&["calibration"]);
    let count =
        |key: &str, v: Option<i64>, default: i64, low: i64, high: i64| -> Result<u32, InputError> {
            Ok(c.int_in(&path.key(key), v.unwrap_or(default), low, high, "a count")? as u32)
        };
    let replicates = count("replicates", cal.replicates, 2, 1, 1000)?;
    let budget = count("budget", cal.budget, 200, 1, 1_000_000)?;
    let restarts = count("restarts", cal.restarts, 2, 0, 100)?;
    let scale = cal
        .scale
        .map(|s| {
            c.int_in(&path.key("scale"), s, 1, 1_000_000, "persons per agent")
                .map(|s| s as u32)
        })
        .transpose()?;
    if cal.parameters.is_empty() {
        return Err(c.err(
            &path,
            "`[calibration]` needs at least one `[[calibration.parameter]]`",
        ));
    }
    let mut parameters: Vec<CalibrationParameter> = Vec::with_capacity(cal.parameters.len());
    for (i, p) in cal.parameters.iter().enumerate() {
        let at = path.key("parameter").index(i);
        let param: ParamPath = p
            .path
            .parse()
            .map_err(|m: String| c.err(&at.key("path"), m))?;
        let current = param.get(table).map_err(|m| c.err(&at.key("path"), m))?;
        let (start, start_key) = match p.start {
            Some(v) => (c.finite(&at.key("start"), v)?, "start"),
            None => (current, "path"),
        };
        if parameters.iter().any(|q| q.path == param) {
            return Err(c.err(&at.key("path"), format!("`{param}` is calibrated twice")));
        }
        let log = match p.scale.as_deref().unwrap_or("linear") {
            "linear" => false,
            "log" => true,
            other => {
                return Err(c.err(
                    &at.key("scale"),
                    format!("`{other}` is not valid: use `linear` or `log`"),
                ));
            }
        };
        let lower = c.finite(&at.key("lower"), p.lower)?;
        let upper = c.finite(&at.key("upper"), p.upper)?;
        if upper <= lower {
            return Err(c.err(
                &at.key("upper"),
                format!("must be above `lower` ({lower}), got {upper}"),
            ));
        }
        if log && lower <= 0.0 {
            return Err(c.err(
                &at.key("lower"),
                format!("a `log` scale needs bounds above 0, got {lower}"),
            ));
        }
        if !(lower..=upper).contains(&start) {
            return Err(c.err(
                &at.key(start_key),
                format!("the search would start at {start}, outside [{lower}, {upper}]"),
            ));
        }
        parameters.push(CalibrationParameter {
            path: param,
            lower,
            upper,
            log,
            start,
        });
    }
    Ok(Some(CalibrationSpec {
        replicates,
        scale,
        budget,
        restarts,
        parameters,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("upper-lars", "upper-lars"), 0);
        assert_eq!(edit_distance("uper-lars", "upper-lars"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
