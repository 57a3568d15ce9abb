//! Reported figures to calibrate to: a metric at a place over a window.

use super::Checker;
use crate::calendar::Calendar;
use crate::input_error::InputError;
use crate::metrics::{Measure, MeasureError, Metric, Observed, resolve_place};
use crate::scenario::file::ScenarioFile;
use crate::scenario::{Crossing, Destination, KeyPath, Target};

pub(super) fn targets(
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
        c.name(&path.key("id"), &t.id, "target id")?;
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
