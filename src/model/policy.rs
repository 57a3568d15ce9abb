//! The policy timeline: what holds at a crossing on a given day, either in
//! truth or as a man who decides on another day expects it.
//!
//! Policies are data (a table of dated events, as in Flee). A policy is in
//! force from its `start` to its optional `end`. Men know of it from its
//! `known_from` day: its start, or the day a `closure_announcement`
//! announced it. A man deciding on day `today` about an arrival on day `day`
//! therefore sees the policies in force on `day` that he knows of on
//! `today`; the border itself applies every policy in force.
//!
//! A rumoured exit ban (`exit_ban_rumour`) closes nothing: it is a belief,
//! held with a credence that fades after the denial, about a closure on an
//! expected day. [`PolicyTimeline::rumour`] says how strongly it is held on
//! a day; the decision and the choice of crossing weigh it.

use crate::scenario::{Documents, Policy, PolicyKind, Scenario};

/// Exempt threshold meaning "no entry ban": every exempt rank (0..=255) passes.
pub const OPEN: u16 = 256;

/// The conditions at one crossing on one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conditions {
    /// Persons processed per day.
    pub capacity: u32,
    /// Men with an exempt rank below this pass the entry bans ([`OPEN`] when none).
    pub exempt_threshold: u16,
    /// Factor on the ordinary traffic (entry bans reduce it).
    pub baseline_factor: f64,
    /// Probability that a processed man is caught by a draft office.
    pub catch_probability: f64,
    /// Utility penalty of draft offices beyond the catch risk.
    pub deterrence: f64,
    /// Utility bonus of destination attractiveness.
    pub bonus: f64,
    /// Russia lets no eligible man out.
    pub exit_ban: bool,
    /// Private cars cannot reach the crossing.
    pub car_ban: bool,
}

/// Whose view of the policies to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Every policy in force (what the border applies).
    Actual,
    /// Only the policies known on this day (what a man expects).
    KnownOn(i64),
}

/// The scenario's policies, queried by crossing and day.
#[derive(Debug, Clone)]
pub struct PolicyTimeline {
    policies: Vec<Policy>,
    base_capacity: Vec<u32>,
    destination_documents: Vec<Documents>,
    crossing_destination: Vec<usize>,
}

impl PolicyTimeline {
    /// The timeline of a scenario.
    pub fn new(scenario: &Scenario) -> Self {
        Self {
            policies: scenario.policies().to_vec(),
            base_capacity: scenario.crossings().iter().map(|c| c.capacity).collect(),
            destination_documents: scenario
                .destinations()
                .iter()
                .map(|d| d.documents)
                .collect(),
            crossing_destination: scenario.crossings().iter().map(|c| c.destination).collect(),
        }
    }

    fn visible(&self, view: View, day: i64) -> impl Iterator<Item = &Policy> {
        self.policies.iter().filter(move |p| match view {
            View::Actual => p.in_force(day),
            View::KnownOn(today) => p.expected_in_force(today, day),
        })
    }

    /// Conditions at `crossing` on `day`, as seen from `view`.
    pub fn conditions(&self, crossing: usize, day: i64, view: View) -> Conditions {
        let mut c = Conditions {
            capacity: self.base_capacity[crossing],
            exempt_threshold: OPEN,
            baseline_factor: 1.0,
            catch_probability: 0.0,
            deterrence: 0.0,
            bonus: 0.0,
            exit_ban: false,
            car_ban: false,
        };
        let mut escape = 1.0;
        for p in self
            .visible(view, day)
            .filter(|p| p.crossings.contains(&crossing))
        {
            match p.kind {
                PolicyKind::EntryBan {
                    exempt_share,
                    baseline_share,
                } => {
                    c.exempt_threshold = c.exempt_threshold.min(exempt_threshold(exempt_share));
                    c.baseline_factor *= baseline_share;
                }
                PolicyKind::BorderDraftOffice {
                    catch_probability,
                    deterrence,
                } => {
                    escape *= 1.0 - catch_probability;
                    c.deterrence += deterrence;
                }
                PolicyKind::CapacitySet { capacity } => c.capacity = capacity,
                PolicyKind::CapacityMultiply { multiplier } => {
                    c.capacity = (f64::from(c.capacity) * multiplier).round() as u32;
                }
                PolicyKind::DestinationAttractiveness { bonus } => c.bonus += bonus,
                PolicyKind::ExitBan => c.exit_ban = true,
                PolicyKind::CarBan => c.car_ban = true,
                PolicyKind::ForeignPassportBan { .. }
                | PolicyKind::ClosureAnnouncement { .. }
                | PolicyKind::ExitBanRumour { .. }
                | PolicyKind::MobilizationEnd { .. } => {}
            }
        }
        c.catch_probability = 1.0 - escape;
        c
    }

    /// The foreign-passport ban in force on `day` as seen from `view`, if any.
    pub fn passport_ban(&self, day: i64, view: View) -> Option<&Policy> {
        self.visible(view, day)
            .find(|p| matches!(p.kind, PolicyKind::ForeignPassportBan { .. }))
    }

    /// Whether on `today` a closure (entry or exit ban) is announced but not yet
    /// in force at a crossing that a man holding `documents` could use.
    pub fn closure_announced(&self, today: i64, documents: Documents) -> bool {
        self.policies.iter().any(|p| {
            let closes = matches!(p.kind, PolicyKind::EntryBan { .. } | PolicyKind::ExitBan);
            closes
                && today >= p.known_from
                && today < p.start
                && p.crossings
                    .iter()
                    .any(|&c| self.destination_documents[self.crossing_destination[c]] <= documents)
        })
    }
}

/// A rumoured exit ban as men see it on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rumour {
    /// How much men believe it today, in [0, 1] (0: no rumour).
    pub credence: f64,
    /// The day the closure is expected.
    pub expected: i64,
}

impl PolicyTimeline {
    /// The strongest rumour of an exit ban believed on `today` (see
    /// [`Policy::rumour_credence`]); a credence of 0 when there is none.
    pub fn rumour(&self, today: i64) -> Rumour {
        self.policies
            .iter()
            .filter_map(|p| match p.kind {
                PolicyKind::ExitBanRumour { expected, .. } => Some(Rumour {
                    credence: p.rumour_credence(today),
                    expected,
                }),
                _ => None,
            })
            .fold(Rumour::default(), |best, r| {
                if r.credence > best.credence { r } else { best }
            })
    }
}

/// The exempt-rank threshold of an exempt share: ranks below it pass.
pub fn exempt_threshold(exempt_share: f64) -> u16 {
    (exempt_share.clamp(0.0, 1.0) * f64::from(OPEN)).round() as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_cover_the_rank_range() {
        assert_eq!(exempt_threshold(0.0), 0);
        assert_eq!(exempt_threshold(1.0), OPEN);
        assert_eq!(exempt_threshold(0.5), 128);
    }
}
