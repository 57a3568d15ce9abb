//! The daily decision to leave.
//!
//! A man at home who is not yet on his way decides to leave on day `t` with
//! probability `h = 1 − exp(−λ)`, where
//!
//! ```text
//! ln λ = α
//!      + β_callup · C_r(t)            his region's call-up so far, per 1000 eligible men
//!      + β_prior  · prior             prior military service
//!      + β_age    · (age − age_min)
//!      + β_fp     · [foreign passport]
//!      + β_visa   · [Schengen visa]
//!      + β_car    · car
//!      + β_urban  · urban
//!      + β_peer   · P_r(t)            % of his region's eligible men who have crossed the border
//!      + β_ann    · A(t, documents)   closures he expects: announced, or rumoured
//!      + β_res    · resolute          the resolute class
//!      − δ        · (t − t_decree)    fatigue and adaptation
//! ```
//!
//! `A = [a closure he could be hit by is announced] + c(t)`, where `c(t)` is
//! the credence of a rumoured exit ban that day (0 when none): a closure
//! expected with probability `c` weighs `c` times an announced one.
//!
//! **Determination.** Men are not equally ready to go. A share `π_res` of
//! them (`decision.resolute_share`) is resolute: their hazard is `e^β_res`
//! times the others' (`decision.resolute`). They leave first, so that the
//! daily decisions fall as that group is used up, which a hazard falling
//! with time alone (`δ`) does not do. The class is part of the man's
//! cohort, so every probability here is still a function of the cohort.
//!
//! Before the decree nobody decides. The same `h` applies to men who are
//! stuck (they keep trying). Everything here depends on the cohort, the
//! region's signals and the day only, so it is computed once per cohort and
//! day.
//!
//! **Two factors.** `ln λ` is a sum of a part fixed for the cohort
//! ([`cohort_log_hazard`]: prior service, age, documents, car, urban,
//! resolute) and a part that changes daily but is shared by every cohort of
//! one region holding the same documents ([`daily_log_hazard`]: `α`, the
//! regional signals, the alarm, fatigue). So `λ = e^{cohort} · e^{daily}`:
//! a run takes the first exponential once per cohort and the second once per
//! region, documents and day, and the day's hazard of a cohort is one
//! product ([`leave_hazard`]). [`leave_probability`] is `1 − e^{−λ}`.

use crate::population::CohortKey;
use crate::scenario::{DecisionParams, Documents};

/// What a region's men observe at the start of a day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RegionalSignals {
    /// Drafted so far per 1000 eligible men.
    pub callup_per_mille: f64,
    /// Percent of eligible men who have left the country so far (crossed
    /// the border, whether or not they came back).
    pub left_percent: f64,
}

/// The part of `ln λ` fixed for a cohort: prior service, age, documents,
/// car, urban and the resolute class.
pub fn cohort_log_hazard(beta: &DecisionParams, key: &CohortKey, age_min: u32) -> f64 {
    beta.prior_service * f64::from(u8::from(key.prior_service))
        + beta.age * f64::from(key.age - age_min)
        + beta.foreign_passport * f64::from(u8::from(key.documents >= Documents::ForeignPassport))
        + beta.schengen_visa * f64::from(u8::from(key.documents == Documents::SchengenVisa))
        + beta.car * f64::from(u8::from(key.car))
        + beta.urban * f64::from(u8::from(key.urban))
        + beta.resolute * f64::from(u8::from(key.resolute))
}

/// The part of `ln λ` shared on one day by the cohorts of one region holding
/// the same documents: `α`, the regional signals, the alarm (which depends
/// on the documents) and fatigue.
pub fn daily_log_hazard(
    beta: &DecisionParams,
    days_since_decree: i64,
    signals: RegionalSignals,
    alarm: f64,
) -> f64 {
    beta.base_log_hazard
        + beta.regional_callup * signals.callup_per_mille
        + beta.peer * signals.left_percent
        + beta.announced_closure * alarm
        - beta.fatigue_per_day * days_since_decree as f64
}

/// The daily hazard `λ = e^{cohort} · e^{daily}` from the two exponentials.
pub fn leave_hazard(exp_cohort: f64, exp_daily: f64) -> f64 {
    exp_cohort * exp_daily
}

/// The probability `1 − e^{−λ}` of a hazard `λ`.
pub fn probability_of_hazard(hazard: f64) -> f64 {
    -(-hazard).exp_m1()
}

/// Daily probability of deciding to leave.
pub fn leave_probability(
    beta: &DecisionParams,
    key: &CohortKey,
    age_min: u32,
    days_since_decree: i64,
    signals: RegionalSignals,
    alarm: f64,
) -> f64 {
    let log_rate = beta.base_log_hazard
        + beta.regional_callup * signals.callup_per_mille
        + beta.prior_service * f64::from(u8::from(key.prior_service))
        + beta.age * f64::from(key.age - age_min)
        + beta.foreign_passport * f64::from(u8::from(key.documents >= Documents::ForeignPassport))
        + beta.schengen_visa * f64::from(u8::from(key.documents == Documents::SchengenVisa))
        + beta.car * f64::from(u8::from(key.car))
        + beta.urban * f64::from(u8::from(key.urban))
        + beta.peer * signals.left_percent
        + beta.announced_closure * alarm
        + beta.resolute * f64::from(u8::from(key.resolute))
        - beta.fatigue_per_day * days_since_decree as f64;
    -(-log_rate.exp()).exp_m1()
}
