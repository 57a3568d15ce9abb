//! The network: destinations, the documents they require, and the crossings
//! into them, resolved against the crossings data file.

use super::{Checker, suggest};
use crate::data::CrossingRecord;
use crate::input_error::InputError;
use crate::scenario::file::ScenarioFile;
use crate::scenario::{Crossing, Destination, Documents, KeyPath};

pub(super) fn destinations(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
) -> Result<Vec<Destination>, InputError> {
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

pub(super) fn crossings(
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
        let capacity = c.in_range(
            &path.key("capacity"),
            x.capacity,
            0,
            10_000_000,
            "persons per day",
        )?;
        let baseline = c.in_range(
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
            extra_days: c.in_range(&path.key("extra_days"), x.extra_days, 0.0, 60.0, "days")?,
            extra_rub: c.non_negative(&path.key("extra_rub"), x.extra_rub)?,
        });
    }
    Ok(out)
}
