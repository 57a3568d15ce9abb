//! The behaviour parameters: the decision to leave, passports, travel, the
//! choice of crossing and patience at the queues.

use super::Checker;
use crate::format::compact_number;
use crate::input_error::InputError;
use crate::scenario::file::ScenarioFile;
use crate::scenario::{ChoiceParams, GiveUp, KeyPath, PassportParams};

/// Bounds of the decision's coefficients. A man's daily leave hazard is
/// `e^{ln λ}` (see docs/model.md), so each bound keeps one term's reach over
/// its covariate's range within about 30 on the log scale: beyond that a
/// term alone makes every man leave on the first day, or none ever (the
/// reasons, term by term, are in docs/scenario.md).
const DECISION_BOUNDS: &[(&str, f64, f64, &str)] = &[
    (
        "base_log_hazard",
        -30.0,
        0.0,
        "the log of a daily hazard: 0 is one decision a day per man",
    ),
    (
        "regional_callup",
        -3.0,
        3.0,
        "per drafted man per 1000 eligible men",
    ),
    (
        "prior_service",
        -10.0,
        10.0,
        "a log factor: e^10 is 22,000 times",
    ),
    ("age", -1.0, 1.0, "per year of age"),
    (
        "foreign_passport",
        -10.0,
        10.0,
        "a log factor: e^10 is 22,000 times",
    ),
    (
        "schengen_visa",
        -10.0,
        10.0,
        "a log factor: e^10 is 22,000 times",
    ),
    ("car", -10.0, 10.0, "a log factor: e^10 is 22,000 times"),
    ("urban", -10.0, 10.0, "a log factor: e^10 is 22,000 times"),
    (
        "peer",
        -5.0,
        5.0,
        "per percent of the region's eligible men gone",
    ),
    (
        "announced_closure",
        -10.0,
        10.0,
        "a log factor: e^10 is 22,000 times",
    ),
    (
        "fatigue_per_day",
        0.0,
        5.0,
        "the log hazard's fall per day: 5 ends the decisions within a day or two",
    ),
    (
        "resolute",
        0.0,
        25.0,
        "the resolute's log factor over the others",
    ),
];

pub(super) fn check_decision(c: &Checker<'_, '_>, raw: &ScenarioFile) -> Result<(), InputError> {
    let d = &raw.decision;
    let path = KeyPath::of(&["decision"]);
    let values = [
        d.base_log_hazard,
        d.regional_callup,
        d.prior_service,
        d.age,
        d.foreign_passport,
        d.schengen_visa,
        d.car,
        d.urban,
        d.peer,
        d.announced_closure,
        d.fatigue_per_day,
        d.resolute,
    ];
    for (&(key, low, high, why), v) in DECISION_BOUNDS.iter().zip(values) {
        c.bounded(&path.key(key), v, low, high, why)?;
    }
    c.share(&path.key("resolute_share"), d.resolute_share)?;
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
                compact_number(&t.road_factor)
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
    c.bounded(
        &path.key("patience_mean_days"),
        raw.queue.patience_mean_days,
        0.0,
        365.0,
        "days: a mean patience beyond a year never ends a wait in the run",
    )?;
    c.positive(&path.key("patience_shape"), raw.queue.patience_shape)?;
    c.bounded(
        &path.key("patience_shape"),
        raw.queue.patience_shape,
        0.0,
        100.0,
        "the gamma shape: 100 already makes every man's patience the mean",
    )?;
    c.bounded(
        &path.key("ordinary_wait_response"),
        raw.queue.ordinary_wait_response,
        0.0,
        20.0,
        "per day of queue: 20 already stops every ordinary traveller at a queue of a few hours",
    )?;
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
        travel_day: c.bounded(
            &path.key("travel_day"),
            ch.travel_day,
            -10.0,
            0.0,
            "utility per day on the road: a longer trip is never preferred",
        )?,
        wait_day: c.bounded(
            &path.key("wait_day"),
            ch.wait_day,
            -10.0,
            0.0,
            "utility per day of waiting: a longer queue is never preferred",
        )?,
        cost_per_1000_rub: c.bounded(
            &path.key("cost_per_1000_rub"),
            ch.cost_per_1000_rub,
            -5.0,
            0.0,
            "utility per 1,000 roubles: a dearer route is never preferred",
        )?,
        draft_risk: c.bounded(
            &path.key("draft_risk"),
            ch.draft_risk,
            -50.0,
            0.0,
            "utility of a certain catch: a risk of being drafted never attracts",
        )?,
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
