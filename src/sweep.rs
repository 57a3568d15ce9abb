//! `exodus sweep`: a grid of parameter values, each point replicated.
//!
//! `--param PATH=V1,V2,...` gives one axis (any scalar a `--set` could
//! set; a value may be a range `START:STOP:STEP`); several axes make a grid, the first varying slowest. The points
//! are the members of an [`Ensemble`](crate::ensemble): replicate `r` of
//! every point uses the seed `replicate_seed(master, r)`, which derives from
//! the master seed and the replicate only, never from a thread, and is the
//! same at every point, so that differences between points are paired
//! (common random numbers). `sweep.csv` has one row per (point, replicate),
//! one `parameter_<path>` column per axis, and the headline metrics of
//! [`crate::compare::outcome`] as `<metric>_<place>` columns.

use serde::{Deserialize, Serialize};

use crate::compare::{headline_name, outcome};
use crate::engine::EngineError;
use crate::ensemble::{Ensemble, Job};
use crate::exit::{self, Exit};
use crate::format::Decimals;
use crate::input_error::InputError;
use crate::output::{OutputError, Table, columns};
use crate::scenario::{LoadError, ParamPath, ScenarioDocument};
use crate::settings::Overrides;

/// One axis of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// The key.
    pub path: ParamPath,
    /// Its values, as written.
    pub values: Vec<String>,
}

impl std::str::FromStr for Axis {
    type Err = String;

    fn from_str(arg: &str) -> Result<Self, Self::Err> {
        let (path, values) = arg.split_once('=').ok_or_else(|| {
            format!("`{arg}` is not PATH=V1,V2,..., e.g. decision.peer=0.2,0.4,0.8")
        })?;
        let path: ParamPath = path.trim().parse()?;
        let mut expanded = Vec::new();
        for v in values.split(',').map(str::trim) {
            if v.is_empty() {
                return Err(format!("`{arg}` has an empty value"));
            }
            if v.contains(':') {
                expanded.extend(range(v)?);
            } else {
                expanded.push(v.to_owned());
            }
        }
        Ok(Self {
            path,
            values: expanded,
        })
    }
}

/// Most values one `START:STOP:STEP` range may give.
const MAX_RANGE_VALUES: usize = 10_000;

/// The values of a range `START:STOP:STEP`: `START`, `START + STEP`, … up
/// to `STOP` included (within a millionth of a step), written with the
/// decimals of the three numbers, so that `0.1:0.5:0.2` is `0.1, 0.3,
/// 0.5` rather than `0.30000000000000004`. `STEP` is positive for a rising
/// range and negative for a falling one.
fn range(text: &str) -> Result<Vec<String>, String> {
    let shape = "give START:STOP:STEP, e.g. 0.1:0.5:0.2";
    let parts: Vec<&str> = text.split(':').map(str::trim).collect();
    let [start, stop, step] = parts[..] else {
        return Err(format!("`{text}` is not a range: {shape}"));
    };
    let number = |s: &str| {
        s.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("`{s}` in `{text}` is not a finite number: {shape}"))
    };
    let (a, b, d) = (number(start)?, number(stop)?, number(step)?);
    if d == 0.0 || (b - a) * d < 0.0 {
        return Err(format!(
            "`{text}`: the step {step} never goes from {start} to {stop}: {shape}, the step's sign that of STOP − START"
        ));
    }
    let count = ((b - a) / d + 1e-6).floor() + 1.0;
    if count > MAX_RANGE_VALUES as f64 {
        return Err(format!(
            "`{text}` gives {count} values; a range gives at most {MAX_RANGE_VALUES}"
        ));
    }
    let decimals = [start, stop, step]
        .iter()
        .map(|s| s.split_once('.').map_or(0, |(_, f)| f.len()))
        .max()
        .unwrap_or(0);
    let exponent = [start, stop, step].iter().any(|s| s.contains(['e', 'E']));
    Ok((0..count as usize)
        .map(|k| {
            let v = a + k as f64 * d;
            if exponent {
                // Twelve significant digits hide the sum's rounding.
                format!("{v:.11e}").parse::<f64>().unwrap_or(v).to_string()
            } else {
                format!("{v:.decimals$}")
            }
        })
        .collect())
}

/// Why a sweep failed.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A value could not be set.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A point's scenario is invalid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The engine could not start.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl Exit for SweepError {
    fn exit_code(&self) -> u8 {
        match self {
            SweepError::Input(_) | SweepError::Load(_) => exit::INPUT,
            SweepError::Engine(e) => e.exit_code(),
            SweepError::Output(e) => e.exit_code(),
        }
    }
}

/// The points of a grid, the first axis varying slowest.
pub fn grid(axes: &[Axis]) -> Vec<Vec<String>> {
    axes.iter().fold(vec![Vec::new()], |points, axis| {
        points
            .into_iter()
            .flat_map(|p| {
                axis.values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(v.clone());
                    q
                })
            })
            .collect()
    })
}

/// The name of the sweep's table.
pub const SWEEP_CSV: &str = "sweep.csv";

/// The fixed columns of a row of [`SWEEP_CSV`]; a `parameter_<path>`
/// column per axis and a `<metric>_<place>` column per headline figure
/// follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepRow {
    /// The point of the grid, from 1.
    pub point: usize,
    /// The replicate.
    pub replicate: u32,
    /// Its seed.
    pub seed: u64,
}

/// Runs every point of the grid `replicates` times (at one agent per
/// `scale` men when given) and tabulates the headline figures as
/// [`SWEEP_CSV`], one row a run; `stop` can cancel it between two simulated
/// days.
pub fn sweep(
    doc: &ScenarioDocument,
    axes: &[Axis],
    replicates: u32,
    scale: Option<u32>,
    master: u64,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<u8>, SweepError> {
    let points = grid(axes);
    let mut scenarios = Vec::with_capacity(points.len());
    for point in &points {
        let mut d = doc.clone();
        for (axis, value) in axes.iter().zip(point) {
            d.set_by(
                &format!("--param {}", axis.path),
                &format!("{}={}", axis.path, value),
            )?;
        }
        let scenario = d.scenario()?;
        let overrides = Overrides {
            scale,
            ..Overrides::default()
        };
        let settings = d.settings(&scenario, &overrides)?;
        scenarios.push((scenario, settings));
    }
    let ensemble = scenarios.iter().fold(
        Ensemble::new(master, replicates),
        |e, (scenario, settings)| e.with_member(scenario, *settings),
    );
    let jobs: Vec<Job<'_>> = ensemble.jobs().collect();
    let outcomes = ensemble.run(&jobs, |_, run| outcome(&run), &|_| {}, stop)?;

    let keys: Vec<(String, String)> = outcomes
        .first()
        .map(|o| o.headline.keys().cloned().collect())
        .unwrap_or_default();
    let csv_err = |source| OutputError::Csv {
        path: SWEEP_CSV.into(),
        source,
    };
    let mut header: Vec<String> = columns::<SweepRow>()
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    header.extend(
        axes.iter()
            .map(|a| format!("parameter_{}", a.path.column_name())),
    );
    header.extend(keys.iter().map(headline_name));
    let mut table = Table::new(&header).map_err(csv_err)?;
    for (job, o) in jobs.iter().zip(&outcomes) {
        let row = SweepRow {
            point: job.member + 1,
            replicate: job.replicate,
            seed: job.settings.seed(),
        };
        let headline: Vec<Decimals<3>> = keys
            .iter()
            .map(|k| Decimals(o.headline.get(k).copied().unwrap_or(0.0)))
            .collect();
        table
            .row(&(row, &points[job.member], headline))
            .map_err(csv_err)?;
    }
    Ok(table.finish().map_err(csv_err)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_expand_with_the_decimals_they_are_written_with() {
        let axis: Axis = "decision.peer=0.1:0.5:0.2".parse().unwrap();
        assert_eq!(axis.values, ["0.1", "0.3", "0.5"]);
        let axis: Axis = "choice.max_attempts=1,3:9:3,10".parse().unwrap();
        assert_eq!(axis.values, ["1", "3", "6", "9", "10"]);
        let axis: Axis = "choice.wait_day=-0.2:-1:-0.4".parse().unwrap();
        assert_eq!(axis.values, ["-0.2", "-0.6", "-1.0"]);
        let axis: Axis = "decision.peer=1e-3:3e-3:1e-3".parse().unwrap();
        assert_eq!(axis.values, ["0.001", "0.002", "0.003"]);
        for bad in [
            "decision.peer=0.1:0.5:0",
            "decision.peer=0.5:0.1:0.2",
            "decision.peer=0.1:0.5",
            "decision.peer=0.1:x:0.1",
            "decision.peer=0:1:1e-9",
            "decision.peer=0:inf:1",
        ] {
            let err = bad.parse::<Axis>().unwrap_err();
            assert!(
                err.contains("START:STOP:STEP") || err.contains("at most"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn grids_vary_the_first_axis_slowest() {
        let a: Axis = "x.y=1,2".parse().unwrap();
        let b: Axis = "z=a,b,c".parse().unwrap();
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec!["1", "a"]);
        assert_eq!(g[3], vec!["2", "a"]);
        assert!("novalue".parse::<Axis>().is_err());
        assert!("x=1,,2".parse::<Axis>().is_err());
    }
}
