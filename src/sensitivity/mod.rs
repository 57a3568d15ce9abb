//! `exodus sensitivity`: which parameters the outputs depend on, over the
//! whole range the scenario allows them.
//!
//! The parameters are those of the scenario's `[calibration]` section (all
//! of them, or those chosen), each varied within its bounds through the
//! same unit coordinates as the calibration uses (linear, or linear in the
//! logarithm for a `log` scale; a whole number rounded), and a point's
//! scenario is built the same way ([`crate::calibrate::values_at`] and
//! [`crate::calibrate::scenario_at`]). The outputs are headline figures of a
//! run named as `sweep.csv` names its columns ([`headline_name`]):
//! `exodus_<destination>`, `exodus_national`, `drafted_national`,
//! `stuck_national`, `abroad_national`, `peak_queue_<crossing>`,
//! `peak_wait_days_<crossing>`; with a counterfactual (`--effect-of`),
//! `effect_<output>` is the difference alternative − base between two runs
//! with the same parameters and the same seed.
//!
//! Two methods: Sobol's first-order and total indices on Saltelli's design
//! ([`sobol`]), and Morris's elementary effects as a cheaper screening
//! ([`morris`]). Each design is a list of points, each with a *key*: the
//! base row of Saltelli's design, or the Morris trajectory. The points are
//! members of an [`Ensemble`] whose replicates are the keys, and a point
//! runs only the replicate of its own key: the runs of one row (or one
//! trajectory) share their random numbers, `replicate_seed(seed, key)`,
//! so that the differences the estimators take are differences of
//! parameters, not of luck, while the rows average over the luck. The
//! runs go in batches, in parallel, and come back in order, so the results
//! depend on the seed and not on the number of threads.

pub mod morris;
pub mod sobol;

use serde::{Deserialize, Serialize};

use crate::calibrate::{scenario_at, values_at};
use crate::compare::{Key, headline_name, outcome};
use crate::engine::EngineError;
use crate::ensemble::{Ensemble, Job};
use crate::exit::{self, Exit};
use crate::format::{Decimals, suggest};
use crate::output::{Table, columns, csv_of};
use crate::results::RunResults;
use crate::scenario::{CalibrationParameter, LoadError, Scenario, ScenarioDocument};
use crate::settings::RunSettings;

use morris::{MorrisError, Trajectory};
use sobol::DesignError;

/// The name of the table of indices.
pub const SENSITIVITY_CSV: &str = "sensitivity.csv";

/// The name of the table of runs: every point's parameters and outputs.
pub const RUNS_CSV: &str = "sensitivity_runs.csv";

/// The outputs analysed when none are chosen.
pub const DEFAULT_OUTPUTS: [&str; 3] = ["exodus_national", "drafted_national", "stuck_national"];

/// The prefix of an output that is a counterfactual's effect.
pub const EFFECT: &str = "effect_";

/// Points per batch of runs (the scenarios of one batch are built and
/// held together).
const BATCH: usize = 256;

/// How the parameters are varied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Sobol's indices on Saltelli's design of `samples` base rows.
    Sobol {
        /// Base rows `N` (a power of two): `N(d + 2)` runs.
        samples: usize,
    },
    /// Morris's elementary effects on `trajectories` trajectories.
    Morris {
        /// Trajectories `r`: `r(d + 1)` runs.
        trajectories: usize,
        /// Levels `p` of the grid (even).
        levels: usize,
    },
}

impl Method {
    /// Its name, as `--method` and the table write it.
    pub fn name(self) -> &'static str {
        match self {
            Method::Sobol { .. } => "sobol",
            Method::Morris { .. } => "morris",
        }
    }
}

/// What an analysis varies and measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The method.
    pub method: Method,
    /// The `[calibration]` parameters to vary, by path; all when empty.
    pub parameters: Vec<String>,
    /// The outputs; [`DEFAULT_OUTPUTS`] (and the national exodus's effect,
    /// with a counterfactual) when empty.
    pub outputs: Vec<String>,
    /// Bootstrap resamples for the intervals.
    pub resamples: u32,
}

/// Why an analysis cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    /// The scenario has no `[calibration]` section.
    #[error(
        "the scenario has no [calibration] section: list the parameters to vary, with their bounds, as [[calibration.parameter]] (docs/calibration.md; a scenario that `extends` another does not inherit its [calibration]: copy the section into it)"
    )]
    NothingToVary,
    /// A chosen parameter is not a `[calibration]` parameter.
    #[error(
        "--parameters: `{name}` is not a [calibration] parameter of the scenario; {suggestion}"
    )]
    UnknownParameter {
        /// The name given.
        name: String,
        /// The nearest valid names.
        suggestion: String,
    },
    /// A parameter is chosen twice.
    #[error("--parameters: `{0}` is given twice")]
    DuplicateParameter(String),
    /// A chosen output is not an output of the scenario.
    #[error("--outputs: `{name}` is not an output of the scenario; {suggestion}")]
    UnknownOutput {
        /// The name given.
        name: String,
        /// The nearest valid names.
        suggestion: String,
    },
    /// An output is chosen twice.
    #[error("--outputs: `{0}` is given twice")]
    DuplicateOutput(String),
    /// An effect is asked for without a counterfactual.
    #[error(
        "--outputs: `{0}` is the effect of a counterfactual: give the alternative scenario with --effect-of ALT.toml"
    )]
    EffectWithoutAlternative(String),
    /// The Sobol design cannot be made.
    #[error("--samples: {0}")]
    Design(#[from] DesignError),
    /// The Morris design cannot be made.
    #[error("--trajectories/--levels: {0}")]
    Morris(#[from] MorrisError),
    /// A point's scenario is invalid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The engine could not start, or was stopped.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl Exit for SensitivityError {
    fn exit_code(&self) -> u8 {
        match self {
            SensitivityError::Load(e) => e.exit_code(),
            SensitivityError::Engine(e) => e.exit_code(),
            _ => exit::INPUT,
        }
    }
}

/// One output: its name, the headline figure it reads, and whether it is
/// the counterfactual's effect on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// As chosen and written.
    pub name: String,
    /// The headline figure.
    pub key: Key,
    /// Alternative − base.
    pub effect: bool,
}

/// A resolved analysis: the parameters, the outputs and the design.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The method.
    pub method: Method,
    /// The parameters varied, in `[calibration]` order.
    pub parameters: Vec<CalibrationParameter>,
    /// The outputs, in the order chosen.
    pub outputs: Vec<Output>,
    /// The design's points in unit coordinates, in run order.
    pub points: Vec<Vec<f64>>,
    /// Per point, its key: the base row or the trajectory.
    pub keys: Vec<u32>,
    /// The Morris trajectories (empty for Sobol).
    pub trajectories: Vec<Trajectory>,
    /// Bootstrap resamples.
    pub resamples: u32,
}

impl Plan {
    /// Whether the runs include the counterfactual's.
    pub fn needs_alternative(&self) -> bool {
        self.outputs.iter().any(|o| o.effect)
    }

    /// Engine runs: one per point, two with a counterfactual.
    pub fn runs(&self) -> usize {
        self.points.len() * if self.needs_alternative() { 2 } else { 1 }
    }

    /// Number of keys: base rows or trajectories.
    fn key_count(&self) -> usize {
        self.keys.last().map_or(0, |&k| k as usize + 1)
    }
}

/// The headline figures of a scenario's runs, by name.
fn headline_keys(scenario: &Scenario) -> Vec<(String, Key)> {
    let empty = RunResults {
        calendar: *scenario.calendar(),
        destinations: scenario.destination_names(),
        crossings: scenario.crossing_ids(),
        crossing_days: Vec::new(),
        destination_days: Vec::new(),
        national: Vec::new(),
        onward: Vec::new(),
        regions: Vec::new(),
        eligible: 0,
        agents: 0,
    };
    outcome(&empty)
        .headline
        .into_keys()
        .map(|k| (headline_name(&k), k))
        .collect()
}

/// Resolves an analysis of `scenario` (with an alternative, if
/// `alternative`): its parameters, outputs and design, the design's shift
/// or the Morris trajectories drawn under `seed`.
pub fn plan(
    scenario: &Scenario,
    alternative: bool,
    options: &Options,
    seed: u64,
) -> Result<Plan, SensitivityError> {
    let all = &scenario
        .calibration()
        .ok_or(SensitivityError::NothingToVary)?
        .parameters;
    let names: Vec<String> = all.iter().map(|p| p.path.to_string()).collect();
    for (i, name) in options.parameters.iter().enumerate() {
        if !names.contains(name) {
            return Err(SensitivityError::UnknownParameter {
                name: name.clone(),
                suggestion: suggest(name, names.iter().map(String::as_str)),
            });
        }
        if options.parameters[..i].contains(name) {
            return Err(SensitivityError::DuplicateParameter(name.clone()));
        }
    }
    let parameters: Vec<CalibrationParameter> = all
        .iter()
        .filter(|p| {
            options.parameters.is_empty() || options.parameters.contains(&p.path.to_string())
        })
        .cloned()
        .collect();

    let keys = headline_keys(scenario);
    let chosen: Vec<String> = if options.outputs.is_empty() {
        let mut d: Vec<String> = DEFAULT_OUTPUTS.iter().map(|s| (*s).to_owned()).collect();
        if alternative {
            d.push(format!("{EFFECT}exodus_national"));
        }
        d
    } else {
        options.outputs.clone()
    };
    let mut outputs = Vec::with_capacity(chosen.len());
    for (i, name) in chosen.iter().enumerate() {
        if chosen[..i].contains(name) {
            return Err(SensitivityError::DuplicateOutput(name.clone()));
        }
        let (base, effect) = match name.strip_prefix(EFFECT) {
            Some(base) => (base, true),
            None => (name.as_str(), false),
        };
        let key = keys.iter().find(|(n, _)| n == base).map(|(_, k)| k.clone());
        let Some(key) = key else {
            let mut valid: Vec<String> = keys.iter().map(|(n, _)| n.clone()).collect();
            if alternative {
                valid.extend(keys.iter().map(|(n, _)| format!("{EFFECT}{n}")));
            }
            return Err(SensitivityError::UnknownOutput {
                name: name.clone(),
                suggestion: suggest(name, valid.iter().map(String::as_str)),
            });
        };
        if effect && !alternative {
            return Err(SensitivityError::EffectWithoutAlternative(name.clone()));
        }
        outputs.push(Output {
            name: name.clone(),
            key,
            effect,
        });
    }

    let d = parameters.len();
    let (points, keys, trajectories) = match options.method {
        Method::Sobol { samples } => {
            let points = sobol::design(d, samples, seed)?;
            let keys = (0..points.len()).map(|i| (i / (d + 2)) as u32).collect();
            (points, keys, Vec::new())
        }
        Method::Morris {
            trajectories,
            levels,
        } => {
            let ts = morris::trajectories(d, trajectories, levels, seed)?;
            let points = ts.iter().flat_map(|t| t.points.iter().cloned()).collect();
            let keys = (0..ts.len() * (d + 1))
                .map(|i| (i / (d + 1)) as u32)
                .collect();
            (points, keys, ts)
        }
    };
    Ok(Plan {
        method: options.method,
        parameters,
        outputs,
        points,
        keys,
        trajectories,
        resamples: options.resamples,
    })
}

/// The runs of an analysis: per point, its parameter values and its outputs.
#[derive(Debug, Clone)]
pub struct Runs {
    /// Per point, the parameter values (whole numbers rounded).
    pub values: Vec<Vec<f64>>,
    /// Per point, the seed of its run(s).
    pub seeds: Vec<u64>,
    /// Per point, the outputs in the plan's order.
    pub outputs: Vec<Vec<f64>>,
}

/// Runs every point of `plan`: the base scenario of `doc` at `settings`,
/// and where an output is an effect, the alternative of `alternative` at
/// `alternative_settings` with the same values and seed. `progress` is told
/// the runs finished; `stop` cancels them between two simulated days.
pub fn run(
    plan: &Plan,
    doc: &ScenarioDocument,
    settings: &RunSettings,
    alternative: Option<(&ScenarioDocument, &RunSettings)>,
    progress: &(dyn Fn(usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Runs, SensitivityError> {
    use rayon::prelude::*;

    let alternative = alternative.filter(|_| plan.needs_alternative());
    let per_point = if alternative.is_some() { 2 } else { 1 };
    let values: Vec<Vec<f64>> = plan
        .points
        .iter()
        .map(|z| values_at(&plan.parameters, z))
        .collect();
    let replicates = plan.key_count() as u32;
    let mut outputs = Vec::with_capacity(plan.points.len());
    let mut seeds = Vec::with_capacity(plan.points.len());
    let mut done_before = 0;
    for (batch, batch_values) in values.chunks(BATCH).enumerate() {
        let first = batch * BATCH;
        // Per point, the base scenario and then the alternative's.
        let scenarios = batch_values
            .par_iter()
            .map(|v| {
                let mut s = vec![(scenario_at(doc, &plan.parameters, v)?, *settings)];
                if let Some((alt, alt_settings)) = alternative {
                    s.push((scenario_at(alt, &plan.parameters, v)?, *alt_settings));
                }
                Ok(s)
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        let ensemble = scenarios
            .iter()
            .flatten()
            .fold(Ensemble::new(settings.seed(), replicates), |e, (s, st)| {
                e.with_member(s, *st)
            });
        // Member m runs only the replicate of its point's key.
        let jobs: Vec<Job<'_>> = (0..ensemble.members())
            .filter_map(|m| {
                let key = plan.keys[first + m / per_point] as usize;
                ensemble.job(m * replicates as usize + key)
            })
            .collect();
        let measure = |_: &Job<'_>, results: RunResults| -> Vec<f64> {
            let headline = outcome(&results).headline;
            plan.outputs
                .iter()
                .map(|o| headline.get(&o.key).copied().unwrap_or(0.0))
                .collect()
        };
        let measured = ensemble.run(&jobs, measure, &|done| progress(done_before + done), stop)?;
        done_before += jobs.len();
        for (pair, job) in measured
            .chunks(per_point)
            .zip(jobs.iter().step_by(per_point))
        {
            seeds.push(job.settings.seed());
            outputs.push(
                plan.outputs
                    .iter()
                    .enumerate()
                    .map(|(k, o)| match (o.effect, pair.get(1)) {
                        (true, Some(alt)) => alt[k] - pair[0][k],
                        _ => pair[0][k],
                    })
                    .collect(),
            );
        }
    }
    Ok(Runs {
        values,
        seeds,
        outputs,
    })
}

/// One index of one output and one parameter, with its 95% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// The output.
    pub output: String,
    /// The parameter (its path).
    pub parameter: String,
    /// `S1`, `ST`, `mu_star` or `sigma`.
    pub index: &'static str,
    /// The estimate; `None` where the output does not vary.
    pub value: Option<f64>,
    /// The interval, where there is one.
    pub interval: Option<(f64, f64)>,
}

/// What a reader should know before trusting the indices `rows` of an
/// analysis by `method`, in words: Sobol indices outside [0, 1] or with
/// intervals wider than half that range are noise of too few samples;
/// Morris's measures are in the output's unit.
pub fn doubts(method: &Method, rows: &[IndexRow]) -> Vec<String> {
    let mut said = Vec::new();
    match method {
        Method::Sobol { samples } => {
            let outside = rows
                .iter()
                .filter_map(|r| r.value)
                .any(|v| !(-0.05..=1.05).contains(&v));
            let wide = rows
                .iter()
                .filter_map(|r| r.interval)
                .any(|(low, high)| high - low > 0.5);
            if outside || wide {
                said.push(format!(
                    "Sobol indices are shares of the output's variance, in [0, 1]; with \
                     {samples} samples some here are {}: they are noise. Use --samples 256 or \
                     more (docs/sensitivity.md); a small negative index is estimation error, to \
                     read as 0",
                    match (outside, wide) {
                        (true, true) => "outside [0, 1] and their intervals wider than 0.5",
                        (true, false) => "outside [0, 1]",
                        _ => "within intervals wider than 0.5",
                    }
                ));
            }
        }
        Method::Morris { .. } => said.push(
            "mu_star and sigma are in each output's own unit (persons) per a parameter's whole \
             range (an elementary effect is a step's change divided by the step as a share of \
             the range, docs/sensitivity.md): compare them within an output, not across outputs"
                .to_owned(),
        ),
    }
    said
}

/// The indices of every output and parameter, output by output; the
/// bootstrap resamples are drawn under `seed`.
pub fn indices(plan: &Plan, runs: &Runs, seed: u64) -> Vec<IndexRow> {
    let d = plan.parameters.len();
    let mut rows = Vec::new();
    for (k, output) in plan.outputs.iter().enumerate() {
        let y: Vec<f64> = runs.outputs.iter().map(|o| o[k]).collect();
        let row = |p: &CalibrationParameter, index, value, interval| IndexRow {
            output: output.name.clone(),
            parameter: p.path.to_string(),
            index,
            value,
            interval,
        };
        match plan.method {
            Method::Sobol { .. } => {
                let estimates = sobol::indices(&y, d, plan.resamples, seed);
                for (i, p) in plan.parameters.iter().enumerate() {
                    for (name, pick) in [
                        (
                            "S1",
                            (|s: &sobol::Indices, i: usize| s.first[i]) as fn(&_, _) -> _,
                        ),
                        ("ST", |s, i| s.total[i]),
                    ] {
                        let e = estimates.as_ref().map(|s| pick(s, i));
                        rows.push(row(p, name, e.map(|e| e.value), e.map(|e| (e.low, e.high))));
                    }
                }
            }
            Method::Morris { .. } => {
                let effects = morris::elementary_effects(&plan.trajectories, &y, d);
                let screening = morris::screening(&effects, plan.resamples, seed);
                for (p, s) in plan.parameters.iter().zip(screening) {
                    let mu = s.mu_star;
                    rows.push(row(p, "mu_star", Some(mu.value), Some((mu.low, mu.high))));
                    rows.push(row(p, "sigma", Some(s.sigma), None));
                }
            }
        }
    }
    rows
}

/// A row of [`SENSITIVITY_CSV`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRecord {
    /// The output.
    pub output: String,
    /// The parameter.
    pub parameter: String,
    /// `sobol` or `morris`.
    pub method: String,
    /// `S1`, `ST`, `mu_star` or `sigma`.
    pub index: String,
    /// The estimate (empty where the output does not vary).
    pub value: Option<Decimals<4>>,
    /// Lower end of its 95% bootstrap interval (empty where there is none).
    pub low: Option<Decimals<4>>,
    /// Upper end.
    pub high: Option<Decimals<4>>,
}

/// [`SENSITIVITY_CSV`]: one row per output, parameter and index.
pub fn sensitivity_csv(plan: &Plan, rows: &[IndexRow]) -> Result<Vec<u8>, csv::Error> {
    csv_of(rows.iter().map(|r| SensitivityRecord {
        output: r.output.clone(),
        parameter: r.parameter.clone(),
        method: plan.method.name().to_owned(),
        index: r.index.to_owned(),
        value: r.value.map(Decimals),
        low: r.interval.map(|i| Decimals(i.0)),
        high: r.interval.map(|i| Decimals(i.1)),
    }))
}

/// The fixed columns of a row of [`RUNS_CSV`]; a `parameter_<path>` column
/// per parameter and a column per output follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRow {
    /// The point, from 1, in run order.
    pub point: usize,
    /// Its key: the base row of Saltelli's design or the Morris trajectory, from 0.
    pub key: u32,
    /// The seed of its run(s).
    pub seed: u64,
}

/// [`RUNS_CSV`]: every point's parameter values and outputs, to analyse
/// further.
pub fn runs_csv(plan: &Plan, runs: &Runs) -> Result<Vec<u8>, csv::Error> {
    let mut header: Vec<String> = columns::<RunRow>()
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    header.extend(
        plan.parameters
            .iter()
            .map(|p| format!("parameter_{}", p.path.column_name())),
    );
    header.extend(plan.outputs.iter().map(|o| o.name.clone()));
    let mut table = Table::new(&header)?;
    for (i, ((values, outputs), seed)) in runs
        .values
        .iter()
        .zip(&runs.outputs)
        .zip(&runs.seeds)
        .enumerate()
    {
        let row = RunRow {
            point: i + 1,
            key: plan.keys[i],
            seed: *seed,
        };
        let values: Vec<Decimals<6>> = values.iter().copied().map(Decimals).collect();
        let outputs: Vec<Decimals<3>> = outputs.iter().copied().map(Decimals).collect();
        table.row(&(row, values, outputs))?;
    }
    table.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_of_too_few_samples_and_morris_units_are_said() {
        let row = |value: f64, interval: (f64, f64)| IndexRow {
            output: "exodus_national".to_owned(),
            parameter: "decision.peer".to_owned(),
            index: "S1",
            value: Some(value),
            interval: Some(interval),
        };
        let sobol = Method::Sobol { samples: 8 };
        let noisy = doubts(&sobol, &[row(118.4, (-59.0, 566.0))]);
        assert!(
            noisy[0].contains("with 8 samples some here are outside [0, 1]"),
            "{noisy:?}"
        );
        assert!(doubts(&sobol, &[row(0.4, (0.3, 0.5))]).is_empty());
        let morris = Method::Morris {
            trajectories: 20,
            levels: 4,
        };
        assert!(doubts(&morris, &[])[0].contains("in each output's own unit (persons)"));
    }
}
