//! `exodus sweep`: a grid of parameter values, each point replicated.
//!
//! `--param PATH=V1,V2,...` gives one axis (any scalar a `--set` could
//! set; a value may be a range `START:STOP:STEP`); several axes make a grid, the first varying slowest. The points
//! are the members of an [`Ensemble`](crate::ensemble): replicate `r` of
//! every point uses the seed `replicate_seed(master, r)`, which derives from
//! the master seed and the replicate only, never from a thread, and is the
//! same at every point, so that differences between points are paired
//! (common random numbers). Instead of the grid, `--lhs N` draws `N` points
//! of a Latin hypercube between each axis's smallest and largest value
//! ([`latin_hypercube`]).
//!
//! `sweep.csv` is tidy and long: one row per point, replicate, place and
//! metric of [`crate::compare::outcome`]'s headline figures, with the seed
//! and one `parameter_<path>` column per axis; points and replicates count
//! from 0, and counts of men are written as integers. `--daily` adds
//! `sweep_daily.csv`, the daily series in the same form with a `date`.

use serde::{Deserialize, Serialize};

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::compare::outcome;
use crate::engine::EngineError;
use crate::ensemble::{Ensemble, Job};
use crate::exit::{self, Exit};
use crate::input_error::InputError;
use crate::output::{OutputError, Table, columns};
use crate::rng::{Stream, stream};
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

/// The name of the sweep's daily table (`--daily`).
pub const SWEEP_DAILY_CSV: &str = "sweep_daily.csv";

/// The fixed columns of a row of [`SWEEP_CSV`]: a `parameter_<path>` column
/// per axis follows, then the place, the metric and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepRow {
    /// The point of the design, from 0.
    pub point: usize,
    /// The replicate, from 0 (replicate 0 runs with the master seed).
    pub replicate: u32,
    /// Its seed.
    pub seed: u64,
}

/// The points of a Latin hypercube of `n` points over the axes: each axis
/// spans the smallest to the largest of its values (a range `START:STOP:STEP`
/// or two values give the bounds), cut into `n` equal strata, each
/// stratum holding one point at a uniform place within it, the strata
/// matched across axes by an independent random permutation per axis. An
/// axis whose key holds an integer (`integer[a]`) gives integers (rounded);
/// others are written to six significant digits. The draws
/// are keyed by the master seed and the axis ([`Stream::Hypercube`]).
pub fn latin_hypercube(
    axes: &[Axis],
    integer: &[bool],
    n: usize,
    seed: u64,
) -> Result<Vec<Vec<String>>, String> {
    let mut columns: Vec<Vec<String>> = Vec::with_capacity(axes.len());
    for (a, axis) in axes.iter().enumerate() {
        let numbers: Vec<f64> = axis
            .values
            .iter()
            .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                format!(
                    "--param {}: a Latin hypercube needs numbers (the bounds), not {}",
                    axis.path,
                    axis.values.join(",")
                )
            })?;
        let low = numbers.iter().copied().fold(f64::INFINITY, f64::min);
        let high = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if numbers.len() < 2 || low >= high {
            return Err(format!(
                "--param {}: a Latin hypercube needs two different bounds, e.g. {}=0.1,0.5",
                axis.path, axis.path
            ));
        }
        let integer = integer.get(a).copied().unwrap_or(false);
        let mut rng = stream(seed, Stream::Hypercube { axis: a as u32 });
        let mut strata: Vec<usize> = (0..n).collect();
        strata.shuffle(&mut rng);
        columns.push(
            strata
                .iter()
                .map(|&k| {
                    let u: f64 = rng.random();
                    let x = low + (k as f64 + u) / n as f64 * (high - low);
                    if integer {
                        format!("{}", x.round() as i64)
                    } else {
                        // Six significant digits: finer than any stratum
                        // of a design of up to a million points needs.
                        let digits = 5 - x.abs().log10().floor().clamp(-300.0, 300.0) as i32;
                        let scale = 10f64.powi(digits.clamp(-300, 300));
                        format!("{}", (x * scale).round() / scale)
                    }
                })
                .collect(),
        );
    }
    Ok((0..n)
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect())
}

/// What a sweep made: its tables, and per point the mean national exodus
/// over the replicates (for the summary).
#[derive(Debug, Clone)]
pub struct Swept {
    /// [`SWEEP_CSV`], and [`SWEEP_DAILY_CSV`] when asked for.
    pub files: Vec<(String, Vec<u8>)>,
    /// Per point, the mean national exodus.
    pub national_exodus: Vec<f64>,
}

/// A value as the sweep's tables write it: an integer when it is whole (a
/// count of men), else with three decimals.
fn value_cell(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{:.3}", x)
    }
}

/// Runs every point of `points` (values in the order of `axes`)
/// `replicates` times (at one agent per `scale` men when given) and
/// tabulates the headline figures as [`SWEEP_CSV`], one row per point,
/// replicate, place and metric; with `daily`, also the daily series as
/// [`SWEEP_DAILY_CSV`]. `progress` is told the runs finished; `stop` can
/// cancel it between two simulated days.
#[allow(clippy::too_many_arguments)]
pub fn sweep(
    doc: &ScenarioDocument,
    axes: &[Axis],
    points: &[Vec<String>],
    replicates: u32,
    scale: Option<u32>,
    master: u64,
    daily: bool,
    progress: &(dyn Fn(usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Swept, SweepError> {
    let mut scenarios = Vec::with_capacity(points.len());
    for point in points {
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
    let outcomes = ensemble.run(&jobs, |_, run| outcome(&run), progress, stop)?;

    let mut header: Vec<String> = columns::<SweepRow>()
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    header.extend(
        axes.iter()
            .map(|a| format!("parameter_{}", a.path.column_name())),
    );
    let mut daily_header = header.clone();
    header.extend(["place", "metric", "value"].map(str::to_owned));
    daily_header.extend(["date", "place", "metric", "value"].map(str::to_owned));
    let csv_err = |name: &'static str| {
        move |source| OutputError::Csv {
            path: name.into(),
            source,
        }
    };
    let mut table = Table::new(&header).map_err(csv_err(SWEEP_CSV))?;
    let mut daily_table = Table::new(&daily_header).map_err(csv_err(SWEEP_DAILY_CSV))?;
    let mut national_exodus = vec![0.0; points.len()];
    let national = ("national".to_owned(), "exodus".to_owned());
    for (job, o) in jobs.iter().zip(&outcomes) {
        let row = SweepRow {
            point: job.member,
            replicate: job.replicate,
            seed: job.settings.seed(),
        };
        let values = &points[job.member];
        national_exodus[job.member] +=
            o.headline.get(&national).copied().unwrap_or(0.0) / f64::from(replicates.max(1));
        for ((place, metric), value) in &o.headline {
            table
                .row(&(row, values, (place, metric, value_cell(*value))))
                .map_err(csv_err(SWEEP_CSV))?;
        }
        if daily {
            let calendar = job.scenario.calendar();
            for ((place, metric), series) in &o.daily {
                for (t, value) in series.iter().enumerate() {
                    let date = calendar.date(t as i64);
                    daily_table
                        .row(&(row, values, (date, place, metric, value_cell(*value))))
                        .map_err(csv_err(SWEEP_DAILY_CSV))?;
                }
            }
        }
    }
    let mut files = vec![(
        SWEEP_CSV.to_owned(),
        table.finish().map_err(csv_err(SWEEP_CSV))?,
    )];
    if daily {
        files.push((
            SWEEP_DAILY_CSV.to_owned(),
            daily_table.finish().map_err(csv_err(SWEEP_DAILY_CSV))?,
        ));
    }
    Ok(Swept {
        files,
        national_exodus,
    })
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
