//! `[calibration]`: what `exodus calibrate` fits, within which bounds.

use super::Checker;
use crate::input_error::InputError;
use crate::scenario::file::ScenarioFile;
use crate::scenario::{CalibrationParameter, CalibrationSpec, KeyPath, MAX_SCALE, ParamPath};

pub(super) fn calibration(
    c: &Checker<'_, '_>,
    raw: &ScenarioFile,
    table: &toml::Table,
) -> Result<Option<CalibrationSpec>, InputError> {
    let Some(cal) = &raw.calibration else {
        return Ok(None);
    };
    let path = KeyPath::of(&["calibration"]);
    let count =
        |key: &str, v: Option<i64>, default: i64, low: i64, high: i64| -> Result<u32, InputError> {
            Ok(c.in_range(&path.key(key), v.unwrap_or(default), low, high, "a count")? as u32)
        };
    let replicates = count("replicates", cal.replicates, 2, 1, 1000)?;
    let budget = count("budget", cal.budget, 200, 1, 1_000_000)?;
    let restarts = count("restarts", cal.restarts, 2, 0, 100)?;
    let population = cal
        .population
        .map(|p| count("population", Some(p), p, 2, 10_000))
        .transpose()?;
    let sigma = match cal.sigma {
        Some(s) => c.require(
            &path.key("sigma"),
            s,
            |s| s > 0.0 && s <= 1.0,
            "a step size in unit coordinates, in (0, 1]",
        )?,
        None => 0.3,
    };
    let scale = cal
        .scale
        .map(|s| {
            c.in_range(
                &path.key("scale"),
                s,
                1,
                i64::from(MAX_SCALE),
                "persons per agent",
            )
            .map(|s| s as u32)
        })
        .transpose()?;
    if cal.parameters.is_empty() {
        return Err(c.err(
            &path,
            "`[calibration]` needs at least one `[[calibration.parameter]]`",
        ));
    }
    let mut parameters: Vec<CalibrationParameter> = Vec::with_capacity(cal.parameters.len());
    for (i, p) in cal.parameters.iter().enumerate() {
        let at = path.key("parameter").index(i);
        let param: ParamPath = p
            .path
            .parse()
            .map_err(|m: String| c.err(&at.key("path"), m))?;
        let current = param.get(table).map_err(|m| c.err(&at.key("path"), m))?;
        let (start, start_key) = match p.start {
            Some(v) => (c.finite(&at.key("start"), v)?, "start"),
            None => (current, "path"),
        };
        if parameters.iter().any(|q| q.path == param) {
            return Err(c.err(&at.key("path"), format!("`{param}` is calibrated twice")));
        }
        let log = match p.scale.as_deref().unwrap_or("linear") {
            "linear" => false,
            "log" => true,
            other => {
                return Err(c.err(
                    &at.key("scale"),
                    format!("`{other}` is not valid: use `linear` or `log`"),
                ));
            }
        };
        let lower = c.finite(&at.key("lower"), p.lower)?;
        let upper = c.finite(&at.key("upper"), p.upper)?;
        if upper <= lower {
            return Err(c.err(
                &at.key("upper"),
                format!("must be above `lower` ({lower}), got {upper}"),
            ));
        }
        if log && lower <= 0.0 {
            return Err(c.err(
                &at.key("lower"),
                format!("a `log` scale needs bounds above 0, got {lower}"),
            ));
        }
        if !(lower..=upper).contains(&start) {
            return Err(c.err(
                &at.key(start_key),
                format!("the search would start at {start}, outside [{lower}, {upper}]"),
            ));
        }
        let integer = param.is_integer(table);
        if integer && lower.ceil() > upper.floor() {
            return Err(c.err(
                &at.key("upper"),
                format!("`{param}` holds a whole number, but there is none in [{lower}, {upper}]"),
            ));
        }
        parameters.push(CalibrationParameter {
            path: param,
            lower,
            upper,
            log,
            start,
            integer,
        });
    }
    Ok(Some(CalibrationSpec {
        replicates,
        scale,
        budget,
        restarts,
        population,
        sigma,
        parameters,
    }))
}
