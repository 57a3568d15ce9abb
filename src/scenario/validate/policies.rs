//! Dated policies: each kind with the parameters it takes, the places it
//! applies to, and announcements resolved to the policies they announce.

use super::{Checker, suggest};
use crate::calendar::Calendar;
use crate::input_error::InputError;
use crate::scenario::file::{PolicyFile, ScenarioFile};
use crate::scenario::{Crossing, Destination, KeyPath, Policy, PolicyKind};

/// Policy kinds and the parameters each takes.
const POLICY_KINDS: &[(&str, &[&str])] = &[
    ("entry_ban", &["exempt_share", "baseline_share"]),
    ("foreign_passport_ban", &["refuse_pending"]),
    ("closure_announcement", &["announces"]),
    ("border_draft_office", &["catch_probability", "deterrence"]),
    ("capacity_change", &["capacity", "multiplier"]),
    ("destination_attractiveness", &["bonus"]),
    ("exit_ban", &[]),
    ("exit_ban_rumour", &["expected", "credence", "fade_days"]),
    ("car_ban", &[]),
    ("mobilization_end", &["return_per_day"]),
];

pub(super) fn policies(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    calendar: &Calendar,
    destinations: &[Destination],
    crossings: &[Crossing],
) -> Result<Vec<Policy>, InputError> {
    let mut out: Vec<Policy> = Vec::with_capacity(raw.policies.len());
    for (i, p) in raw.policies.iter().enumerate() {
        let path = KeyPath::of(&["policy"]).index(i);
        c.name(&path.key("id"), &p.id, "policy id")?;
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
        check_window(c, &path, calendar, start, end)?;
        check_parameters(c, &path, p)?;
        let kind = policy_kind(c, &path, p, raw, calendar, start)?;
        let places = places(c, &path, p, destinations, crossings)?;
        let needs_places = matches!(
            kind,
            PolicyKind::EntryBan { .. }
                | PolicyKind::BorderDraftOffice { .. }
                | PolicyKind::CapacitySet { .. }
                | PolicyKind::CapacityMultiply { .. }
                | PolicyKind::DestinationAttractiveness { .. }
                | PolicyKind::CarBan
        );
        let national = matches!(
            kind,
            PolicyKind::ForeignPassportBan { .. }
                | PolicyKind::ClosureAnnouncement { .. }
                | PolicyKind::ExitBanRumour { .. }
                | PolicyKind::MobilizationEnd { .. }
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
        ("expected", p.expected.is_some()),
        ("credence", p.credence.is_some()),
        ("fade_days", p.fade_days.is_some()),
        ("return_per_day", p.return_per_day.is_some()),
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
    calendar: &Calendar,
    start: i64,
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
            deterrence: c.bounded(
                &path.key("deterrence"),
                p.deterrence.unwrap_or(0.0),
                0.0,
                30.0,
                "a utility penalty, on the scale of the destination constants",
            )?,
        },
        "capacity_change" => match (p.capacity, p.multiplier) {
            (Some(capacity), None) => PolicyKind::CapacitySet {
                capacity: c.in_range(
                    &path.key("capacity"),
                    capacity,
                    0,
                    10_000_000,
                    "persons per day",
                )? as u32,
            },
            (None, Some(m)) => PolicyKind::CapacityMultiply {
                multiplier: c.bounded(
                    &path.key("multiplier"),
                    m,
                    0.0,
                    100.0,
                    "a factor on the capacity: 0 closes the crossing",
                )?,
            },
            _ => {
                return Err(c.err(
                    &path.key("kind"),
                    "a `capacity_change` policy needs exactly one of `capacity` (persons per day) or `multiplier`",
                ));
            }
        },
        "destination_attractiveness" => PolicyKind::DestinationAttractiveness {
            bonus: c.bounded(
                &path.key("bonus"),
                required(c, path, kind, "bonus", p.bonus)?,
                -20.0,
                20.0,
                "a utility, on the scale of the destination constants",
            )?,
        },
        "exit_ban_rumour" => {
            let at = path.key("expected");
            let expected = required(c, path, kind, "expected", p.expected.as_ref().copied())?;
            let expected = calendar.day_of(c.date(&at, &expected)?);
            if expected <= start {
                return Err(c.err(
                    &at,
                    format!(
                        "the closure must be expected after the rumour starts ({}), got {}",
                        calendar.date(start),
                        calendar.date(expected)
                    ),
                ));
            }
            PolicyKind::ExitBanRumour {
                expected,
                credence: c.share(
                    &path.key("credence"),
                    required(c, path, kind, "credence", p.credence)?,
                )?,
                fade_days: c.in_range(
                    &path.key("fade_days"),
                    p.fade_days.unwrap_or(2.0),
                    0.1,
                    60.0,
                    "days",
                )?,
            }
        }
        "car_ban" => PolicyKind::CarBan,
        "exit_ban" => PolicyKind::ExitBan,
        "mobilization_end" => PolicyKind::MobilizationEnd {
            return_per_day: c.bounded(
                &path.key("return_per_day"),
                required(c, path, kind, "return_per_day", p.return_per_day)?,
                0.0,
                1.0,
                "a daily hazard of going home",
            )?,
        },
        // `check_parameters` has refused every kind not in `POLICY_KINDS`;
        // a listed kind without an arm here is refused, never guessed.
        other => {
            return Err(c.err(
                &path.key("kind"),
                format!("`{other}` is not a policy kind this version can run"),
            ));
        }
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

/// Days from the run's window beyond which a date is taken for a typo.
const FAR_DAYS: i64 = 3653;

/// A policy dated ten years from the run is refused as a typo; one that is
/// never in force during the run is let through with a warning (a
/// counterfactual may push a policy out of the window on purpose, though
/// `remove_policies` says so more plainly).
fn check_window(
    c: &Checker<'_, '_>,
    path: &KeyPath,
    calendar: &Calendar,
    start: i64,
    end: Option<i64>,
) -> Result<(), InputError> {
    let last = i64::from(calendar.days) - 1;
    let window = format!("{} to {}", calendar.start, calendar.end());
    for (key, day) in [("start", Some(start)), ("end", end)] {
        let Some(day) = day else { continue };
        if day < -FAR_DAYS || day > last + FAR_DAYS {
            return Err(c.err(
                &path.key(key),
                format!(
                    "{} is more than ten years from the run ({window}); a policy's dates must lie near it",
                    calendar.date(day)
                ),
            ));
        }
    }
    if start > last {
        c.warn(
            &path.key("start"),
            format!(
                "the policy starts on {}, after the run ends ({window}): it never takes effect (to leave it out, use `remove_policies`)",
                calendar.date(start)
            ),
        );
    } else if end.is_some_and(|end| end < 0) {
        c.warn(
            &path.key("end"),
            format!(
                "the policy ends before the run starts ({window}): it never takes effect (to leave it out, use `remove_policies`)"
            ),
        );
    }
    Ok(())
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
        // Only a closure can be announced: men rush ahead of it (the
        // decision's `announced_closure`). Anything else would be accepted
        // and do nothing.
        if !matches!(
            policies[target].kind,
            PolicyKind::EntryBan { .. } | PolicyKind::ExitBan
        ) {
            return Err(c.err(
                &path,
                format!(
                    "`{}` is not a closure: a `closure_announcement` announces an `entry_ban` or an `exit_ban`",
                    policies[target].id
                ),
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
