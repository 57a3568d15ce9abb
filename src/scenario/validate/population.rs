//! Who is eligible, the documents and resources they hold, and the call-up.

use std::collections::BTreeMap;

use super::Checker;
use crate::calendar::Calendar;
use crate::data::{AGE_BANDS, Region, eligible_men};
use crate::input_error::InputError;
use crate::scenario::file::{ScenarioFile, ShareByPlaceFile};
use crate::scenario::{
    COHORTS_PER_AGE, KeyPath, MAX_COHORTS, MobilizationParams, PopulationParams,
};

/// The largest `population.men_multiplier`.
pub(super) const MAX_MEN_MULTIPLIER: f64 = 10.0;

/// The regions with every count of men multiplied by
/// `population.men_multiplier` (rounded to whole men), when given.
pub(super) fn multiply_men(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    mut regions: Vec<Region>,
) -> Result<Vec<Region>, InputError> {
    let Some(factor) = raw.population.men_multiplier else {
        return Ok(regions);
    };
    let path = KeyPath::of(&["population"]).key("men_multiplier");
    let within = |v: f64| v > 0.0 && v <= MAX_MEN_MULTIPLIER;
    let factor = c.require(&path, factor, within, "a factor in (0, 10]")?;
    for region in &mut regions {
        for men in &mut region.men_by_band {
            *men = (*men as f64 * factor).round() as u64;
        }
    }
    Ok(regions)
}

pub(super) fn population(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    regions: &[Region],
) -> Result<PopulationParams, InputError> {
    let p = &raw.population;
    let path = KeyPath::of(&["population"]);
    let first_age = i64::from(AGE_BANDS[0]);
    let last_age = i64::from(AGE_BANDS[AGE_BANDS.len() - 1]) + 4;
    let age_min = c.in_range(
        &path.key("age_min"),
        p.age_min,
        first_age,
        last_age,
        "an age the data cover",
    )?;
    let age_max = c.in_range(
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
pub(super) fn check_not_empty(
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

/// The share of the eligible men a call-up may reach before it is
/// flagged: 1% were called up in 2022.
const LARGE_CALLUP_SHARE: f64 = 0.1;

pub(super) fn mobilization(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    calendar: &Calendar,
    regions: &[Region],
    population: &PopulationParams,
) -> Result<MobilizationParams, InputError> {
    let m = &raw.mobilization;
    let path = KeyPath::of(&["mobilization"]);
    let last = i64::from(calendar.days) - 1;
    let window = format!("{} to {}", calendar.start, calendar.end());
    let eligible = eligible_men(regions, population.age_min, population.age_max);
    let persons: f64 = eligible.iter().sum();
    let mut schedule: Vec<(i64, f64)> = Vec::with_capacity(m.schedule.len());
    for (i, point) in m.schedule.iter().enumerate() {
        let at = path.key("schedule").index(i);
        let day = calendar.day_of(c.date(&at.key("date"), &point.date)?);
        // A point before the run would be called up all at once on its
        // first day; one long after it only sets the slope within it.
        if day < 0 || day > last + 366 {
            return Err(c.err(
                &at.key("date"),
                format!(
                    "{} lies outside the run ({window}); call-up points must lie within it, or within a year after it",
                    calendar.date(day)
                ),
            ));
        }
        let drafted = c.non_negative(&at.key("drafted"), point.drafted)?;
        if drafted > persons {
            return Err(c.err(
                &at.key("drafted"),
                format!(
                    "calls up {drafted} men, more than the {} eligible men aged {}-{}; at most that many can be called up",
                    persons.round(),
                    population.age_min,
                    population.age_max
                ),
            ));
        }
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
    for (key, &value) in &m.intensity {
        c.bounded(
            &path.key("intensity").key(key),
            value,
            0.0,
            100.0,
            "a factor on the region's share of the call-up",
        )?;
    }
    let intensity: Vec<f64> = multipliers(c, &path.key("intensity"), &m.intensity, regions)?
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    if let Some(&(_, total)) = schedule.last() {
        let reach: f64 = intensity.iter().zip(&eligible).map(|(i, e)| i * e).sum();
        if total > 0.0 && reach <= 0.0 {
            return Err(c.err(
                &path.key("intensity"),
                format!(
                    "the schedule calls up {total} men, but every region with eligible men has an intensity of 0, so nobody could be called up; give some region an intensity above 0"
                ),
            ));
        }
        if total > LARGE_CALLUP_SHARE * persons {
            let at = path
                .key("schedule")
                .index(schedule.len() - 1)
                .key("drafted");
            c.warn(
                &at,
                format!(
                    "calls up {total} men, {:.0}% of the {} eligible (1% were called up in 2022)",
                    100.0 * total / persons,
                    persons.round()
                ),
            );
        }
    }
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
