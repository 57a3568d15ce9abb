//! The network: destinations (the documents they require, what a man of the
//! exodus does once there, how ordinary travellers come and go), the land
//! crossings into them resolved against the crossings data file, and the
//! air routes of the air-routes data file with the `[air]` parameters.

use super::{Checker, suggest};
use crate::data::{AirRoutes, CrossingRecord};
use crate::input_error::InputError;
use crate::scenario::file::{DestinationFile, ScenarioFile};
use crate::scenario::{AirParams, Crossing, CrossingMode, Destination, Documents, KeyPath};

/// The most crossings and air routes a scenario may have: an agent keeps
/// its crossing in a byte, and one value is kept for "none".
pub(super) const MAX_CROSSINGS: usize = u8::MAX as usize - 1;

/// The most destinations a scenario may list: an agent moving on or abroad
/// keeps his country in a byte, and `elsewhere` may be added after them.
pub(super) const MAX_DESTINATIONS: usize = u8::MAX as usize;

pub(super) fn destinations(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
) -> Result<Vec<Destination>, InputError> {
    let mut out: Vec<Destination> = Vec::with_capacity(raw.destinations.len() + 1);
    if raw.destinations.is_empty() {
        return Err(c.err(
            &KeyPath::of(&["destination"]),
            "the scenario needs at least one [[destination]]",
        ));
    }
    if raw.destinations.len() > MAX_DESTINATIONS {
        return Err(c.err(
            &KeyPath::of(&["destination"]),
            format!(
                "at most {MAX_DESTINATIONS} destinations are supported, got {}",
                raw.destinations.len()
            ),
        ));
    }
    for (i, d) in raw.destinations.iter().enumerate() {
        let path = KeyPath::of(&["destination"]).index(i);
        c.name(&path.key("name"), &d.name, "destination name")?;
        if out.iter().any(|o| o.name == d.name) {
            return Err(c.err(
                &path.key("name"),
                format!("destination `{}` is listed twice", d.name),
            ));
        }
        if d.name == Destination::ELSEWHERE {
            return Err(c.err(
                &path.key("name"),
                format!(
                    "`{}` is the name of the world beyond the scenario's destinations, where men may move on: give this destination another name",
                    Destination::ELSEWHERE
                ),
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
        let mut destination = Destination::new(
            d.name.clone(),
            documents,
            c.bounded(
                &path.key("constant"),
                d.constant,
                -20.0,
                20.0,
                "a utility: e^20 is 5 × 10^8 times the pull of another destination",
            )?,
        );
        behaviour_there(c, &path, d, &mut destination)?;
        out.push(destination);
    }
    // Onward travel names destinations, so it is resolved once all are known.
    let names: Vec<String> = out.iter().map(|d| d.name.clone()).collect();
    let mut elsewhere = false;
    for (i, d) in raw.destinations.iter().enumerate() {
        let path = KeyPath::of(&["destination"]).index(i).key("onward");
        let mut shares: Vec<(usize, f64)> = Vec::with_capacity(d.onward.len());
        for (name, &share) in &d.onward {
            let at = path.key(name);
            let share = c.non_negative(&at, share)?;
            let index = if name == Destination::ELSEWHERE {
                elsewhere = true;
                names.len()
            } else if *name == d.name {
                return Err(c.err(&at, "men cannot move on to the country they are in"));
            } else {
                names.iter().position(|n| n == name).ok_or_else(|| {
                    c.err(
                        &at,
                        format!(
                            "`{name}` is not a destination of the scenario ({}, or `{}` for anywhere beyond them)",
                            suggest(name, names.iter().map(String::as_str)),
                            Destination::ELSEWHERE
                        ),
                    )
                })?
            };
            shares.push((index, share));
        }
        let total: f64 = shares.iter().map(|(_, s)| s).sum();
        let onward_per_day = out[i].onward_per_day;
        if onward_per_day > 0.0 && total <= 0.0 {
            return Err(c.err(
                &KeyPath::of(&["destination"])
                    .index(i)
                    .key("onward_per_day"),
                "men move on from here, but `onward` names nowhere for them to go: give `onward = { COUNTRY = SHARE, ... }`",
            ));
        }
        // Shares are relative: normalised to add to 1.
        out[i].onward = shares
            .into_iter()
            .filter(|(_, s)| *s > 0.0)
            .map(|(d, s)| (d, s / total))
            .collect();
    }
    if elsewhere {
        out.push(Destination::new(
            Destination::ELSEWHERE,
            Documents::InternalPassport,
            0.0,
        ));
    }
    Ok(out)
}

/// The optional keys of a destination: stays, weekly traffic, onward travel.
fn behaviour_there(
    c: &Checker<'_, '_>,
    path: &KeyPath,
    d: &DestinationFile,
    out: &mut Destination,
) -> Result<(), InputError> {
    if let Some(stay) = d.stay_days {
        out.stay_days = c.in_range(&path.key("stay_days"), stay, 0.5, 365.0, "days")?;
    }
    if let Some(weekly) = &d.weekly {
        let at = path.key("weekly");
        let [mon, tue, wed, thu, fri, sat, sun] = weekly.as_slice() else {
            return Err(c.err(
                &at,
                format!(
                    "must list 7 factors, Monday to Sunday, got {}",
                    weekly.len()
                ),
            ));
        };
        let days = [*mon, *tue, *wed, *thu, *fri, *sat, *sun];
        for (i, &f) in days.iter().enumerate() {
            c.in_range(&at.index(i), f, 0.0, 100.0, "a factor")?;
        }
        let mean = days.iter().sum::<f64>() / 7.0;
        if mean <= 0.0 {
            return Err(c.err(&at, "the factors must not all be 0"));
        }
        // Relative factors: rescaled to average 1 over the week.
        out.weekly = days.map(|f| f / mean);
    }
    if let Some(h) = d.onward_per_day {
        out.onward_per_day =
            c.in_range(&path.key("onward_per_day"), h, 0.0, 1.0, "a daily hazard")?;
    }
    if let Some(h) = d.return_per_day {
        out.return_per_day =
            c.in_range(&path.key("return_per_day"), h, 0.0, 1.0, "a daily hazard")?;
    }
    if let Some(days) = d.onward_days {
        out.onward_days = c.in_range(&path.key("onward_days"), days, 0.0, 60.0, "days")?;
    }
    Ok(())
}

pub(super) fn crossings(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    destinations: &[Destination],
    records: &[CrossingRecord],
    air: Option<(&AirRoutes, &AirParams)>,
) -> Result<Vec<Crossing>, InputError> {
    if raw.crossings.is_empty() && air.is_none() {
        return Err(c.err(
            &KeyPath::of(&["crossing"]),
            "the scenario needs at least one [[crossing]]",
        ));
    }
    let routes = air.map_or(0, |(routes, _)| routes.routes.len());
    if raw.crossings.len() + routes > MAX_CROSSINGS {
        return Err(c.err(
            &KeyPath::of(&["crossing"]),
            format!(
                "at most {MAX_CROSSINGS} crossings and air routes are supported, got {} crossings and {routes} air routes",
                raw.crossings.len(),
            ),
        ));
    }
    let mut out: Vec<Crossing> = Vec::with_capacity(raw.crossings.len() + routes);
    for (i, x) in raw.crossings.iter().enumerate() {
        let path = KeyPath::of(&["crossing"]).index(i);
        c.name(&path.key("id"), &x.id, "crossing id")?;
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
        // Ordinary traffic above the capacity builds a queue that never
        // clears: past twice the capacity that is absurd, below it a
        // strained post a user (or a calibration) may mean.
        if baseline > 2 * capacity {
            return Err(c.err(
                &path.key("baseline"),
                format!(
                    "the ordinary traffic ({baseline} persons a day) is more than twice the capacity ({capacity}): \
                     its queue would grow by {} a day without end; the baseline must be at most twice the capacity",
                    baseline - capacity
                ),
            ));
        }
        if baseline > capacity {
            c.warn(
                &path.key("baseline"),
                format!(
                    "the ordinary traffic ({baseline} persons a day) exceeds the capacity ({capacity}): its queue grows by {} a day",
                    baseline - capacity
                ),
            );
        }
        out.push(Crossing {
            id: x.id.clone(),
            destination,
            lat: record.lat,
            lon: record.lon,
            capacity: capacity as u32,
            baseline: baseline as u32,
            extra_days: c.in_range(&path.key("extra_days"), x.extra_days, 0.0, 60.0, "days")?,
            extra_rub: c.non_negative(&path.key("extra_rub"), x.extra_rub)?,
            mode: CrossingMode::Land,
        });
    }
    if let Some((routes, params)) = air {
        air_routes(routes, params, destinations, records, &mut out)?;
    }
    Ok(out)
}

/// The air routes, each a crossing from its airport into its destination:
/// seats a day as the capacity, and the ordinary passengers (the scenario's
/// `air.ordinary_load` of the seats) as the ordinary traffic.
fn air_routes(
    routes: &AirRoutes,
    params: &AirParams,
    destinations: &[Destination],
    records: &[CrossingRecord],
    out: &mut Vec<Crossing>,
) -> Result<(), InputError> {
    for route in &routes.routes {
        if out.iter().any(|o| o.id == route.id) {
            return Err(routes.error(
                route.line,
                "id",
                format!(
                    "`{}` is also the id of a [[crossing]] of the scenario: ids must be unique",
                    route.id
                ),
            ));
        }
        let airport = records
            .iter()
            .find(|r| r.id == route.airport && r.mode.contains("air"))
            .ok_or_else(|| {
                let airports = records.iter().filter(|r| r.mode.contains("air"));
                routes.error(
                    route.line,
                    "airport",
                    format!(
                        "`{}` is not an airport of the crossings data file ({})",
                        route.airport,
                        suggest(&route.airport, airports.map(|r| r.id.as_str()))
                    ),
                )
            })?;
        // Routes to destinations the scenario leaves out are not flown.
        let Some(destination) = destinations
            .iter()
            .position(|d| d.name == route.destination)
        else {
            continue;
        };
        out.push(Crossing {
            id: route.id.clone(),
            destination,
            lat: airport.lat,
            lon: airport.lon,
            capacity: route.seats,
            baseline: (f64::from(route.seats) * params.ordinary_load).round() as u32,
            extra_days: 0.0,
            extra_rub: 0.0,
            mode: CrossingMode::Air {
                airport: route.airport.clone(),
                fare_rub: route.fare_rub,
            },
        });
    }
    Ok(())
}

/// The `[air]` parameters, required with air routes.
pub(super) fn air(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    routes: Option<&AirRoutes>,
) -> Result<Option<AirParams>, InputError> {
    let path = KeyPath::of(&["air"]);
    let (Some(a), Some(_)) = (&raw.air, routes) else {
        return match (&raw.air, routes) {
            (None, Some(_)) => Err(c.err(
                &KeyPath::of(&["data", "air_routes"]),
                "air routes need an `[air]` section (ordinary_load, fare_surge, domestic_flight_days, domestic_flight_rub, booking_days)",
            )),
            (Some(_), None) => Err(c.err(
                &path,
                "`[air]` has no routes to apply to: name the air-routes file as `data.air_routes`, or leave `[air]` out",
            )),
            _ => Ok(None),
        };
    };
    Ok(Some(AirParams {
        ordinary_load: c.share(&path.key("ordinary_load"), a.ordinary_load)?,
        fare_surge: c.in_range(
            &path.key("fare_surge"),
            a.fare_surge,
            0.0,
            100.0,
            "a rise per day",
        )?,
        domestic_flight_days: c.in_range(
            &path.key("domestic_flight_days"),
            a.domestic_flight_days,
            0.0,
            10.0,
            "days",
        )?,
        domestic_flight_rub: c.in_range(
            &path.key("domestic_flight_rub"),
            a.domestic_flight_rub,
            0.0,
            1_000_000.0,
            "roubles",
        )?,
        booking_days: c.in_range(&path.key("booking_days"), a.booking_days, 1, 120, "days")? as u32,
    }))
}
