//! Documents: who holds which, who applies for a foreign passport, and
//! whether an application is granted.
//!
//! The population draws each man's documents from the scenario's shares by
//! region and place: a foreign passport with probability `f_r` (urban or
//! rural), and among its holders a Schengen visa with probability `v_r`.
//! Nationally that makes, over regions `r` with `E_r` eligible men of whom a
//! share `u_r` are urban,
//!
//! ```text
//! foreign passport = Σ E_r · (u_r · f_r,urban + (1 − u_r) · f_r,rural) / Σ E_r
//! Schengen visa    = Σ E_r · (u_r · f_r,urban · v_r,urban + (1 − u_r) · f_r,rural · v_r,rural) / Σ E_r
//! ```
//!
//! A man with only the internal passport who has just decided to leave
//! applies for a foreign passport first with probability `apply_share`,
//! unless he expects a ban on the day it would be issued (`processing_days`
//! later, at least one); otherwise he sets off at once. An application
//! falling due while a `foreign_passport_ban` that refuses pending
//! applications is in force is refused: his plan is gone, and he is again
//! one of the men at home, who may decide afresh with the day's hazard (a
//! month after the decree, faded by fatigue) and then set off with the
//! documents he has.

use crate::model::policy::{PolicyTimeline, View};
use crate::scenario::{Documents, PassportParams, PolicyKind, Scenario};

/// National shares of foreign-passport and Schengen-visa holders among the
/// eligible men that a scenario implies.
pub fn implied_shares(scenario: &Scenario) -> (f64, f64) {
    let eligible = scenario.expected_eligible();
    let p = scenario.population();
    let (mut total, mut fp, mut visa) = (0.0, 0.0, 0.0);
    for (r, region) in scenario.regions().iter().enumerate() {
        let (fu, fr) = p.foreign_passport[r];
        let (vu, vr) = p.schengen_visa[r];
        let u = region.urban_share;
        total += eligible[r];
        fp += eligible[r] * (u * fu + (1.0 - u) * fr);
        visa += eligible[r] * (u * fu * vu + (1.0 - u) * fr * vr);
    }
    if total > 0.0 {
        (fp / total, visa / total)
    } else {
        (0.0, 0.0)
    }
}

/// Whether a man holding `documents` who decided to leave on day `today`
/// applies for a foreign passport first, and if so the day it falls due.
/// `draw` gives a uniform number in [0, 1); it is taken only when he could
/// apply, so that the random streams of men who cannot are untouched.
pub fn application(
    passport: &PassportParams,
    timeline: &PolicyTimeline,
    documents: Documents,
    today: u32,
    draw: impl FnOnce() -> f64,
) -> Option<u32> {
    if documents != Documents::InternalPassport || passport.apply_share <= 0.0 {
        return None;
    }
    let due = today + passport.processing_days.max(1);
    let ban_expected = timeline
        .passport_ban(i64::from(due), View::KnownOn(i64::from(today)))
        .is_some();
    (!ban_expected && draw() < passport.apply_share).then_some(due)
}

/// Whether an application falling due on `day` is granted: not when a
/// foreign-passport ban in force refuses pending applications.
pub fn granted(timeline: &PolicyTimeline, day: i64) -> bool {
    !timeline.passport_ban(day, View::Actual).is_some_and(|ban| {
        matches!(
            ban.kind,
            PolicyKind::ForeignPassportBan {
                refuse_pending: true
            }
        )
    })
}
