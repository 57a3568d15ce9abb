//! The behaviour parameters: the decision to leave, passports, travel, the
//! choice of crossing and patience at the queues.

use super::Checker;
use crate::input_error::InputError;
use crate::scenario::file::ScenarioFile;
use crate::scenario::{ChoiceParams, GiveUp, KeyPath, PassportParams};

pub(super) fn check_decision(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<(), InputError> {
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
    c.share(&path.key("resolute_share"), d.resolute_share)?;
    c.finite(&path.key("resolute"), d.resolute)?;
    Ok(())
}

pub(super) fn check_travel(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<(), InputError> {
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
    c.in_range(
        &path.key("preparation_days"),
        t.preparation_days,
        0.0,
        60.0,
        "days",
    )?;
    c.in_range(
        &path.key("car_km_per_day"),
        t.car_km_per_day,
        1.0,
        100_000.0,
        "km per day",
    )?;
    c.in_range(
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

pub(super) fn check_queue(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<(), InputError> {
    let path = KeyPath::of(&["queue"]);
    c.positive(
        &path.key("patience_mean_days"),
        raw.queue.patience_mean_days,
    )?;
    c.positive(&path.key("patience_shape"), raw.queue.patience_shape)?;
    Ok(())
}

/// `[passport]`: applications for foreign passports.
pub(super) fn passport(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
) -> Result<PassportParams, InputError> {
    let path = KeyPath::of(&["passport"]);
    Ok(PassportParams {
        apply_share: c.share(&path.key("apply_share"), raw.passport.apply_share)?,
        processing_days: c.in_range(
            &path.key("processing_days"),
            raw.passport.processing_days,
            0,
            365,
            "days",
        )? as u32,
    })
}

pub(super) fn choice(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<ChoiceParams, InputError> {
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
        information_lag_days: c.in_range(
            &path.key("information_lag_days"),
            ch.information_lag_days,
            1,
            60,
            "days (1 = yesterday's queue)",
        )? as u32,
        on_give_up,
        max_attempts: c.in_range(&path.key("max_attempts"), ch.max_attempts, 1, 10, "a count")?
            as u8,
    })
}
