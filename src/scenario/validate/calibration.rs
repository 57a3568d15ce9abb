//! `[calibration]`: what `exodus calibrate` fits, within which bounds, and
//! the prior of each parameter for a Bayesian calibration (`--method
//! abc-smc`): uniform within the bounds by default (log-uniform on a `log`
//! scale), or a normal or beta distribution where a source gives a value
//! with its error, always truncated to the bounds.

use super::Checker;
use crate::input_error::InputError;
use crate::scenario::file::CalibrationParameterFile;
use crate::scenario::file::ScenarioFile;
use crate::scenario::{
    CalibrationParameter, CalibrationSpec, KeyPath, MAX_SCALE, ParamPath, Prior,
};

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
            // A run, a sweep or a comparison may set a value outside what
            // calibration searches; only the optimizer, which starts there,
            // refuses it (`CalibrationError::StartOutside`).
            c.warn(
                &at.key(start_key),
                format!(
                    "the scenario's value {start} lies outside the calibration bounds [{lower}, {upper}]: \
                     `exodus calibrate` (which starts its search there) will refuse it"
                ),
            );
        }
        let integer = param.is_integer(table);
        if integer && lower.ceil() > upper.floor() {
            return Err(c.err(
                &at.key("upper"),
                format!("`{param}` holds a whole number, but there is none in [{lower}, {upper}]"),
            ));
        }
        let prior = prior(c, &at, p, lower, upper)?;
        parameters.push(CalibrationParameter {
            path: param,
            lower,
            upper,
            log,
            start,
            integer,
            prior,
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

/// The least share of a normal prior's mass that must lie within the
/// bounds: below it the bounds, not the prior, decide where the values lie.
const MIN_PRIOR_MASS: f64 = 0.01;

/// The prior of the parameter at `at`, within `[lower, upper]`.
fn prior(
    c: &Checker<'_, '_>,
    at: &KeyPath,
    p: &CalibrationParameterFile,
    lower: f64,
    upper: f64,
) -> Result<Prior, InputError> {
    let kind = p.prior.as_deref().unwrap_or("uniform");
    if kind == "uniform" {
        for (key, v) in [("mean", p.mean), ("sd", p.sd)] {
            if v.is_some() {
                return Err(c.err(
                    &at.key(key),
                    format!(
                        "`{key}` belongs to a `normal` or `beta` prior: set `prior = \"normal\"` or `prior = \"beta\"`, or remove it"
                    ),
                ));
            }
        }
        return Ok(Prior::Uniform);
    }
    if kind != "normal" && kind != "beta" {
        return Err(c.err(
            &at.key("prior"),
            format!("`{kind}` is not valid: use `uniform` (the default), `normal` or `beta`"),
        ));
    }
    let needed = |key: &str, v: Option<f64>| {
        v.ok_or_else(|| c.err(&at.key("prior"), format!("a `{kind}` prior needs `{key}`")))
    };
    let mean = c.finite(&at.key("mean"), needed("mean", p.mean)?)?;
    let sd = c.require(
        &at.key("sd"),
        needed("sd", p.sd)?,
        |s| s.is_finite() && s > 0.0,
        "a standard deviation above 0",
    )?;
    if kind == "normal" {
        // Φ(b) − Φ(a) = (erfc(−b/√2) − erfc(−a/√2)) / 2
        let cdf = |x: f64| 0.5 * libm::erfc(-(x - mean) / (sd * std::f64::consts::SQRT_2));
        let mass = cdf(upper) - cdf(lower);
        if mass < MIN_PRIOR_MASS {
            return Err(c.err(
                &at.key("mean"),
                format!(
                    "a normal prior of mean {mean} and sd {sd} puts {:.2}% of its mass within the bounds [{lower}, {upper}]: \
                     at least {}% must lie within them (move the mean or widen the bounds)",
                    100.0 * mass,
                    100.0 * MIN_PRIOR_MASS
                ),
            ));
        }
        return Ok(Prior::Normal { mean, sd });
    }
    // A beta distribution of x = (v − lower) / (upper − lower) with mean m
    // and variance s²: α + β = m(1 − m)/s² − 1, α = m(α + β).
    let width = upper - lower;
    let (m, s) = ((mean - lower) / width, sd / width);
    if !(m > 0.0 && m < 1.0) {
        return Err(c.err(
            &at.key("mean"),
            format!("a beta prior's mean must lie strictly within the bounds ({lower}, {upper}), got {mean}"),
        ));
    }
    let total = m * (1.0 - m) / (s * s) - 1.0;
    if total <= 0.0 {
        let most = width * (m * (1.0 - m)).sqrt();
        return Err(c.err(
            &at.key("sd"),
            format!(
                "a beta prior of mean {mean} within [{lower}, {upper}] must have an sd below {most:.6}, got {sd}"
            ),
        ));
    }
    Ok(Prior::Beta {
        alpha: m * total,
        beta: (1.0 - m) * total,
    })
}
