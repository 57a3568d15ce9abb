//! `exodus calibrate`: fitting behaviour parameters to reported figures.
//!
//! The parameters listed in the scenario's `[calibration]` section are
//! searched within their bounds, each mapped to `z ∈ [0, 1]` (linearly, or
//! linearly in its logarithm for a `log` scale). The loss of a point is
//!
//! ```text
//! L = Σ_targets w_t · e_t²,   e_t = ln(mean simulated_t / observed_t)
//! ```
//!
//! with `e_t = 0` inside an interval target and measured to the nearer bound
//! outside it. The simulated mean is over `R` replicates run with the same
//! seeds at every point (common random numbers: an
//! [`Ensemble`](crate::ensemble) of one member), so that differences between
//! points are differences of parameters, not of luck; the replicates run in
//! parallel. The search is Nelder–Mead (the `argmin` crate) from the
//! scenario's own values, restarted from the best point with a fresh
//! full-size simplex whenever it converges; points outside the box are
//! clamped and penalised. The number of
//! loss evaluations is capped by the budget. Afterwards each parameter's loss
//! profile is probed at ±5% of its range to flag parameters that ended on a
//! bound or that the targets barely constrain.

pub mod cmaes;
mod report;

use std::sync::Mutex;

use argmin::core::{CostFunction, Error as ArgminError, Executor, State};
use argmin::solver::neldermead::NelderMead;

use crate::engine::EngineError;
use crate::ensemble::{Ensemble, Job};
use crate::exit::{self, Exit};
use crate::metrics::{Observed, log_error};
use crate::results::RunResults;
use crate::scenario::{
    CalibrationParameter, LoadError, ParamPath, Scenario, ScenarioDocument, Target,
};
use crate::settings::RunSettings;
use crate::stats;

pub use report::{
    CALIBRATED_TOML, FIT_CSV, FitRow, PARAMETERS_CSV, ParameterRow, TRACE_CSV, TraceLoss, TraceRow,
    files,
};

/// How one calibration searches (the runs' seed and scale are in its
/// [`RunSettings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Most loss evaluations of the search.
    pub budget: u32,
    /// Replicates per evaluation.
    pub replicates: u32,
    /// Restarts of the simplex.
    pub restarts: u32,
}

/// Why a calibration could not run.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// The scenario has no `[calibration]` section.
    #[error(
        "the scenario has no [calibration] section: list the parameters to fit as [[calibration.parameter]]"
    )]
    NothingToFit,
    /// The scenario has no targets.
    #[error("the scenario has no [[target]]: there is nothing to calibrate to")]
    NoTargets,
    /// The scenario could not be built.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The engine could not start.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The optimizer failed.
    #[error("the optimizer failed: {0}")]
    Optimizer(String),
}

impl Exit for CalibrationError {
    fn exit_code(&self) -> u8 {
        match self {
            CalibrationError::NothingToFit
            | CalibrationError::NoTargets
            | CalibrationError::Load(_) => exit::INPUT,
            CalibrationError::Engine(e) => e.exit_code(),
            CalibrationError::Optimizer(_) => exit::FAILURE,
        }
    }
}

/// One loss evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Parameter values, in `[calibration]` order.
    pub values: Vec<f64>,
    /// The loss.
    pub loss: f64,
}

/// How well the best point fits one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFit {
    /// The target.
    pub target: Target,
    /// Mean over replicates.
    pub simulated_mean: f64,
    /// Standard deviation over replicates.
    pub simulated_sd: f64,
    /// `ln(mean / observed)` (0 inside an interval).
    pub log_error: f64,
    /// Whether the mean is within the target's relative tolerance.
    pub within_tolerance: bool,
}

/// What the loss profile says of one parameter at the best point.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterReport {
    /// The parameter.
    pub parameter: CalibrationParameter,
    /// Fitted value.
    pub value: f64,
    /// `lower` or `upper` if the value ended within 1% of the range of a bound.
    pub at_bound: Option<&'static str>,
    /// Loss 5% of the range below (clamped to the bounds).
    pub loss_minus: f64,
    /// Loss 5% of the range above.
    pub loss_plus: f64,
    /// Rise of the loss over the probe: `max(L−, L+) − L*`.
    pub rise: f64,
    /// A plain-words verdict.
    pub note: String,
}

/// A finished calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The fitted parameters and their values, in `[calibration]` order.
    pub parameters: Vec<ParameterReport>,
    /// The loss at the best point.
    pub loss: f64,
    /// Every evaluation of the search, in order.
    pub trace: Vec<Evaluation>,
    /// The fit at the best point.
    pub fits: Vec<TargetFit>,
    /// The options used.
    pub options: Options,
    /// The settings of its runs (the seed is the replicates' master seed).
    pub settings: RunSettings,
}

impl Calibration {
    /// The fitted values as (path, value) pairs.
    pub fn values(&self) -> Vec<(ParamPath, f64)> {
        self.parameters
            .iter()
            .map(|p| (p.parameter.path.clone(), p.value))
            .collect()
    }
}

/// The rise of the loss below which a parameter counts as barely constrained.
const FLAT: f64 = 1e-3;
/// Half-width of the loss probe, as a share of the range.
const PROBE: f64 = 0.05;
/// Side of a fresh simplex, in unit coordinates. Every restart starts a
/// simplex this size around the best point: a collapsed simplex is the
/// usual way Nelder-Mead stalls, and a full-size one escapes it.
const SIMPLEX_SIDE: f64 = 0.2;
/// A search stops when the losses of the simplex's vertices differ by less
/// than this (standard deviation); a restart then takes over.
const SD_TOLERANCE: f64 = 1e-4;
/// Penalty per squared unit of normalized distance outside the box.
const OUTSIDE_PENALTY: f64 = 100.0;

/// What one point gives: per target, the replicates' values.
type Simulated = Vec<Vec<f64>>;

struct Objective<'d> {
    doc: &'d ScenarioDocument,
    parameters: Vec<CalibrationParameter>,
    targets: Vec<Target>,
    options: Options,
    settings: RunSettings,
    state: Mutex<SearchState>,
    progress: &'d (dyn Fn(usize) + Sync),
    stop: &'d (dyn Fn() -> bool + Sync),
    /// The first error of an evaluation: argmin only carries its text.
    failure: Mutex<Option<CalibrationError>>,
}

#[derive(Default)]
struct SearchState {
    trace: Vec<Evaluation>,
    best: Option<(Vec<f64>, f64, Simulated)>,
}

impl Objective<'_> {
    fn values(&self, z: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(z)
            .map(|(p, &z)| from_unit(p, z.clamp(0.0, 1.0)))
            .collect()
    }

    fn scenario(&self, values: &[f64]) -> Result<Scenario, LoadError> {
        let pairs: Vec<(ParamPath, f64)> = self
            .parameters
            .iter()
            .map(|p| p.path.clone())
            .zip(values.iter().copied())
            .collect();
        self.doc.scenario_with(&pairs)
    }

    /// Runs the replicates at `values`; per target, the replicates' values.
    fn simulate(&self, values: &[f64]) -> Result<Simulated, CalibrationError> {
        let scenario = self.scenario(values)?;
        let replicates = Ensemble::new(self.settings.seed(), self.options.replicates)
            .with_member(&scenario, self.settings);
        let measure = |_: &Job<'_>, results: RunResults| -> Vec<f64> {
            let measured = self.targets.iter().map(|t| t.measure.evaluate(&results));
            measured.collect()
        };
        let runs = replicates.run_all(measure, &|_| {}, self.stop)?;
        Ok((0..self.targets.len())
            .map(|t| runs.iter().map(|run| run[t]).collect())
            .collect())
    }

    fn loss(&self, simulated: &Simulated) -> f64 {
        self.targets
            .iter()
            .zip(simulated)
            .map(|(t, reps)| t.weight * log_error(stats::mean(reps), t.observed).powi(2))
            .sum()
    }

    /// Evaluates a point in unit coordinates, counting it against the budget.
    fn evaluate(&self, z: &[f64]) -> Result<f64, CalibrationError> {
        let outside: f64 = z.iter().map(|&v| (v - v.clamp(0.0, 1.0)).powi(2)).sum();
        let values = self.values(z);
        let simulated = self.simulate(&values)?;
        let loss = self.loss(&simulated) + OUTSIDE_PENALTY * outside;
        let mut state = self
            .state
            .lock()
            .map_err(|_| CalibrationError::Optimizer("a worker panicked".into()))?;
        state.trace.push(Evaluation {
            values: values.clone(),
            loss,
        });
        if state.best.as_ref().is_none_or(|(_, best, _)| loss < *best) {
            state.best = Some((values, loss, simulated));
        }
        (self.progress)(state.trace.len());
        Ok(loss)
    }

    fn evaluations(&self) -> usize {
        self.state.lock().map_or(0, |s| s.trace.len())
    }
}

/// argmin's view of the objective: unit coordinates in, loss out; past the
/// budget every point costs infinity, which ends the search. So does a
/// failed evaluation: its error is kept for [`calibrate`] to return, because
/// argmin's Nelder-Mead panics on an error from the first simplex.
struct Problem<'o, 'd>(&'o Objective<'d>);

impl CostFunction for Problem<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, z: &Self::Param) -> Result<f64, ArgminError> {
        let failed = self.0.failure.lock().map_or(true, |f| f.is_some());
        if failed || self.0.evaluations() >= self.0.options.budget as usize {
            return Ok(f64::INFINITY);
        }
        Ok(self.0.evaluate(z).unwrap_or_else(|e| {
            if let Ok(mut failure) = self.0.failure.lock() {
                failure.get_or_insert(e);
            }
            f64::INFINITY
        }))
    }
}

/// The value of a parameter at unit coordinate `z`.
pub fn from_unit(p: &CalibrationParameter, z: f64) -> f64 {
    if p.log {
        (p.lower.ln() + z * (p.upper.ln() - p.lower.ln())).exp()
    } else {
        p.lower + z * (p.upper - p.lower)
    }
}

/// The unit coordinate of a parameter value.
pub fn to_unit(p: &CalibrationParameter, v: f64) -> f64 {
    let z = if p.log {
        (v.ln() - p.lower.ln()) / (p.upper.ln() - p.lower.ln())
    } else {
        (v - p.lower) / (p.upper - p.lower)
    };
    z.clamp(0.0, 1.0)
}

/// A simplex around `z`: `z` and one vertex a `step` away along each axis
/// (inwards when that would leave the box).
fn simplex(z: &[f64], step: f64) -> Vec<Vec<f64>> {
    let mut vertices = vec![z.to_vec()];
    for i in 0..z.len() {
        let mut v = z.to_vec();
        v[i] = if v[i] + step <= 1.0 {
            v[i] + step
        } else {
            v[i] - step
        };
        vertices.push(v);
    }
    vertices
}

/// Whether a simulated mean is within a target's relative tolerance.
pub fn within_tolerance(simulated: f64, observed: Observed, tolerance: f64) -> bool {
    match observed {
        Observed::Value(v) => (simulated / v - 1.0).abs() <= tolerance,
        Observed::Interval { low, high } => {
            simulated >= low * (1.0 - tolerance) && simulated <= high * (1.0 + tolerance)
        }
    }
}

/// Calibrates a scenario document, its runs made with `settings` (see
/// [`ScenarioDocument::calibration_settings`]); `progress` is told the
/// number of evaluations done, and `stop` can cancel it between two
/// simulated days.
pub fn calibrate(
    doc: &ScenarioDocument,
    settings: &RunSettings,
    options: Options,
    progress: &(dyn Fn(usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Calibration, CalibrationError> {
    let scenario = doc.scenario()?;
    let spec = scenario
        .calibration()
        .cloned()
        .ok_or(CalibrationError::NothingToFit)?;
    if scenario.targets().is_empty() {
        return Err(CalibrationError::NoTargets);
    }
    let objective = Objective {
        doc,
        parameters: spec.parameters.clone(),
        targets: scenario.targets().to_vec(),
        options,
        settings: *settings,
        state: Mutex::new(SearchState::default()),
        progress,
        stop,
        failure: Mutex::new(None),
    };
    let mut start: Vec<f64> = spec
        .parameters
        .iter()
        .map(|p| to_unit(p, p.start))
        .collect();
    for _ in 0..=options.restarts {
        let remaining = (options.budget as usize).saturating_sub(objective.evaluations());
        if remaining <= spec.parameters.len() + 1 {
            break;
        }
        let solver = NelderMead::new(simplex(&start, SIMPLEX_SIDE))
            .with_sd_tolerance(SD_TOLERANCE)
            .map_err(|e| CalibrationError::Optimizer(e.to_string()))?;
        let result = Executor::new(Problem(&objective), solver)
            .configure(|state| state.max_iters(remaining as u64))
            .run();
        // An evaluation's own error (the engine's, a scenario's) comes first.
        if let Some(failure) = objective.failure.lock().ok().and_then(|mut f| f.take()) {
            return Err(failure);
        }
        let result = result.map_err(|e| CalibrationError::Optimizer(e.to_string()))?;
        if let Some(best) = result.state().get_best_param() {
            start = best.iter().map(|z| z.clamp(0.0, 1.0)).collect();
        }
    }

    let state = objective
        .state
        .lock()
        .map_err(|_| CalibrationError::Optimizer("a worker panicked".into()))?;
    let (best_values, best_loss, best_sim) = state.best.clone().ok_or_else(|| {
        CalibrationError::Optimizer("no evaluation was made (budget too small?)".into())
    })?;
    let trace = state.trace.clone();
    drop(state);

    let fits = objective
        .targets
        .iter()
        .zip(&best_sim)
        .map(|(t, reps)| {
            let m = stats::mean(reps);
            TargetFit {
                target: t.clone(),
                simulated_mean: m,
                simulated_sd: stats::sd(reps),
                log_error: log_error(m, t.observed),
                within_tolerance: within_tolerance(m, t.observed, t.tolerance),
            }
        })
        .collect();
    let parameters = profile(&objective, &best_values, best_loss)?;
    Ok(Calibration {
        parameters,
        loss: best_loss,
        trace,
        fits,
        options,
        settings: *settings,
    })
}

/// Probes the loss around the best point, one parameter at a time.
fn profile(
    objective: &Objective<'_>,
    best: &[f64],
    best_loss: f64,
) -> Result<Vec<ParameterReport>, CalibrationError> {
    let z: Vec<f64> = objective
        .parameters
        .iter()
        .zip(best)
        .map(|(p, &v)| to_unit(p, v))
        .collect();
    let mut reports = Vec::with_capacity(z.len());
    for (i, p) in objective.parameters.iter().enumerate() {
        let probe = |dz: f64| -> Result<f64, CalibrationError> {
            let mut at = z.clone();
            at[i] = (z[i] + dz).clamp(0.0, 1.0);
            if at[i] == z[i] {
                return Ok(best_loss);
            }
            let values = objective.values(&at);
            Ok(objective.loss(&objective.simulate(&values)?))
        };
        let (loss_minus, loss_plus) = (probe(-PROBE)?, probe(PROBE)?);
        let rise = loss_minus.max(loss_plus) - best_loss;
        let at_bound = if z[i] <= 0.01 {
            Some("lower")
        } else if z[i] >= 0.99 {
            Some("upper")
        } else {
            None
        };
        let mut notes = Vec::new();
        if let Some(bound) = at_bound {
            notes.push(format!(
                "ended on its {bound} bound: the targets push it further; widen the bound or question the model"
            ));
        }
        if rise < FLAT {
            notes.push(format!(
                "barely constrained: the loss rises by {rise:.2e} (< {FLAT}) over ±{:.0}% of its range",
                PROBE * 100.0
            ));
        }
        if loss_minus < best_loss || loss_plus < best_loss {
            notes.push(
                "a neighbouring point fits better: the search stopped short (raise the budget)"
                    .to_owned(),
            );
        }
        reports.push(ParameterReport {
            parameter: p.clone(),
            value: best[i],
            at_bound,
            loss_minus,
            loss_plus,
            rise,
            note: if notes.is_empty() {
                "well constrained".to_owned()
            } else {
                notes.join("; ")
            },
        });
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(lower: f64, upper: f64, log: bool) -> CalibrationParameter {
        CalibrationParameter {
            path: "a.b".parse().unwrap(),
            lower,
            upper,
            log,
            start: lower,
        }
    }

    #[test]
    fn unit_coordinates_round_trip() {
        for p in [param(-10.0, -6.0, false), param(0.01, 100.0, true)] {
            for v in [p.lower, p.upper, (p.lower + p.upper) / 2.0] {
                assert!((from_unit(&p, to_unit(&p, v)) - v).abs() < 1e-9 * v.abs().max(1.0));
            }
        }
        let log = param(0.01, 100.0, true);
        assert!((from_unit(&log, 0.5) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn simplex_stays_in_the_box() {
        let s = simplex(&[0.95, 0.1], 0.15);
        assert_eq!(s.len(), 3);
        assert!(s.iter().flatten().all(|&z| (0.0..=1.0).contains(&z)));
    }

    #[test]
    fn tolerance_of_values_and_intervals() {
        assert!(within_tolerance(104.0, Observed::Value(100.0), 0.05));
        assert!(!within_tolerance(106.0, Observed::Value(100.0), 0.05));
        let band = Observed::Interval {
            low: 100.0,
            high: 200.0,
        };
        assert!(within_tolerance(96.0, band, 0.05) && !within_tolerance(94.0, band, 0.05));
    }

    /// The search machinery (Nelder-Mead with restarts in unit coordinates)
    /// finds the minimum of a smooth bowl whose minimum is off-centre.
    #[test]
    fn nelder_mead_finds_a_known_minimum() {
        struct Bowl;
        impl CostFunction for Bowl {
            type Param = Vec<f64>;
            type Output = f64;
            fn cost(&self, z: &Vec<f64>) -> Result<f64, ArgminError> {
                Ok((z[0] - 0.3).powi(2) + 10.0 * (z[1] - 0.8).powi(2))
            }
        }
        let solver = NelderMead::new(simplex(&[0.5, 0.5], 0.15))
            .with_sd_tolerance(1e-12)
            .unwrap();
        let result = Executor::new(Bowl, solver)
            .configure(|s| s.max_iters(500))
            .run()
            .unwrap();
        let best = result.state().get_best_param().unwrap();
        assert!(
            (best[0] - 0.3).abs() < 1e-3 && (best[1] - 0.8).abs() < 1e-3,
            "{best:?}"
        );
    }
}
