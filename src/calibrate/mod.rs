//! `exodus calibrate`: fitting behaviour parameters to reported figures.
//!
//! The parameters listed in the scenario's `[calibration]` section are
//! searched within their bounds, each mapped to `z ∈ [0, 1]` (linearly, or
//! linearly in its logarithm for a `log` scale); a parameter whose key
//! holds a whole number is rounded at every evaluation, so that the value
//! run, traced, reported and written back is one and the same. The loss of
//! a point is
//!
//! ```text
//! L = Σ_targets w_t · e_t²,   e_t = ln(mean simulated_t / observed_t)
//! ```
//!
//! with `e_t = 0` inside an interval target and measured to the nearer bound
//! outside it, over the targets that are fitted (all but those held out).
//! The simulated mean is over `R` replicates run with the same seeds at
//! every point (common random numbers), so that differences between points
//! are differences of parameters, not of luck.
//!
//! The search is CMA-ES ([`cmaes`]) in unit coordinates, from the
//! scenario's own values (the start point is evaluated first, as generation
//! 0). Each generation's `λ` candidates, each with its `R` replicates, run
//! as one [`Ensemble`] of `λ` members: in parallel, their results in job
//! order, so a calibration depends on its seed and not on the number of
//! threads. A run of CMA-ES stops when its step size or its losses converge
//! or stagnate; it is then restarted from the best point so far with twice
//! the population (IPOP), up to `restarts` times. The budget caps the loss
//! evaluations, the start point included: the generation that meets it is
//! cut short.
//!
//! Afterwards each parameter's loss profile is probed at ±5% of its range
//! (at least one step for a whole number), all probes as one batch, to flag
//! parameters that ended on a bound or that the targets barely constrain.
//! Held-out targets are measured in the same runs as the others but never
//! enter the loss: their values at the best point are out-of-sample
//! predictions.

pub mod abc;
pub mod cmaes;
mod posterior;
mod posterior_report;
pub mod prior;
mod report;

use crate::engine::EngineError;
use crate::ensemble::{Ensemble, Job};
use crate::exit::{self, Exit};
use crate::format::format_float;
use crate::metrics::{Observed, log_error};
use crate::results::RunResults;
use crate::rng::{self, Stream};
use crate::scenario::{
    CalibrationParameter, LoadError, ParamPath, Scenario, ScenarioDocument, Target,
};
use crate::settings::RunSettings;
use crate::stats;

use cmaes::{Cmaes, reflect};

pub use posterior::{Posterior, PosteriorOptions, PosteriorParameter, abc_smc, width_note};
pub use posterior_report::{
    GENERATIONS_CSV, GenerationRow, POSTERIOR_CSV, POSTERIOR_SUMMARY_CSV, SummaryRow,
    posterior_files,
};
pub use report::{
    CALIBRATED_TOML, FIT_CSV, FitRow, PARAMETERS_CSV, ParameterRow, TRACE_CSV, TraceLoss, TraceRow,
    files,
};

/// How one calibration searches (the runs' seed and scale are in its
/// [`RunSettings`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Most loss evaluations of the search, the start point included (at
    /// least that one is made).
    pub budget: u32,
    /// Replicates per evaluation.
    pub replicates: u32,
    /// Most restarts of CMA-ES.
    pub restarts: u32,
    /// Candidates per generation of the first run; `4 + ⌊3 ln n⌋` when `None`.
    pub population: Option<u32>,
    /// Initial step size, in unit coordinates.
    pub sigma: f64,
    /// Ids of targets left out of the loss and predicted at the best point.
    pub hold_out: Vec<String>,
}

impl Options {
    /// The population of the first run for `n` parameters.
    pub fn first_population(&self, n: usize) -> usize {
        self.population
            .map_or_else(|| cmaes::default_population(n), |p| p as usize)
    }
}

/// Why a calibration could not run.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// The scenario has no `[calibration]` section.
    #[error(
        "the scenario has no [calibration] section: list the parameters to fit as [[calibration.parameter]] (a scenario that `extends` another does not inherit its [calibration]: it runs with the fitted values; to fit again, copy the section into it, or calibrate the file it extends)"
    )]
    NothingToFit,
    /// The scenario has no targets.
    #[error("the scenario has no [[target]]: there is nothing to calibrate to")]
    NoTargets,
    /// `--hold-out` names ids that are not targets.
    #[error("--hold-out: {} not the id of a target; the targets are: {}", quoted(.unknown), .valid.join(", "))]
    UnknownHoldOut {
        /// The ids that are not targets.
        unknown: Vec<String>,
        /// The targets' ids.
        valid: Vec<String>,
    },
    /// `--hold-out` leaves nothing to fit.
    #[error("--hold-out holds out every target ({}): leave at least one to fit", .0.join(", "))]
    AllHeldOut(Vec<String>),
    /// The budget of ABC-SMC cannot fill its first generation.
    #[error(
        "--budget {budget} is too small: the first generation alone needs {needed} runs (particles × replicates)"
    )]
    BudgetTooSmall {
        /// The budget, in runs.
        budget: usize,
        /// The runs of the first generation.
        needed: usize,
    },
    /// A parameter's bound makes a scenario that does not validate, so the
    /// search would stop there, perhaps hours in.
    #[error(
        "`calibration.parameter[{index}]` (`{path}`): at its {side} bound, {value}, the scenario is invalid: {error}; narrow the bounds to values the scenario accepts"
    )]
    InvalidBound {
        /// The parameter's index in `[calibration]`.
        index: usize,
        /// Its path.
        path: String,
        /// `lower` or `upper`.
        side: &'static str,
        /// The bound.
        value: f64,
        /// Why the scenario is invalid there.
        error: Box<LoadError>,
    },
    /// The optimizer would start outside a parameter's bounds.
    #[error(
        "`calibration.parameter[{index}]` (`{path}`): the search would start at the scenario's value {start}, outside the bounds [{lower}, {upper}]; set the value inside them (`--set {path}=...`) or widen the bounds"
    )]
    StartOutside {
        /// The parameter's index in `[calibration]`.
        index: usize,
        /// Its path.
        path: String,
        /// The scenario's value.
        start: f64,
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
    },
    /// The scenario could not be built.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The engine could not start.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// `` `a` is `` or `` `a`, `b` are ``.
fn quoted(ids: &[String]) -> String {
    let list: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
    match list.len() {
        1 => format!("{} is", list[0]),
        _ => format!("{} are", list.join(", ")),
    }
}

impl Exit for CalibrationError {
    fn exit_code(&self) -> u8 {
        match self {
            CalibrationError::NothingToFit
            | CalibrationError::NoTargets
            | CalibrationError::UnknownHoldOut { .. }
            | CalibrationError::AllHeldOut(_)
            | CalibrationError::BudgetTooSmall { .. }
            | CalibrationError::InvalidBound { .. }
            | CalibrationError::StartOutside { .. }
            | CalibrationError::Load(_) => exit::INPUT,
            CalibrationError::Engine(e) => e.exit_code(),
        }
    }
}

/// One loss evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The run of CMA-ES: 0, then one more per restart.
    pub restart: u32,
    /// The generation, counted across runs; 0 is the start point.
    pub generation: u32,
    /// The step size of the generation, in unit coordinates.
    pub sigma: f64,
    /// Parameter values, in `[calibration]` order (whole numbers rounded).
    pub values: Vec<f64>,
    /// The loss.
    pub loss: f64,
}

/// How well the best point fits one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFit {
    /// The target.
    pub target: Target,
    /// Whether it was held out of the loss (an out-of-sample prediction).
    pub held_out: bool,
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

impl ParameterReport {
    /// The fitted value as the scenario writes it: a whole number without
    /// decimals, any other with up to six.
    pub fn value_text(&self) -> String {
        if self.parameter.integer {
            format!("{}", self.value.round() as i64)
        } else {
            format_float(self.value)
        }
    }
}

/// One run of CMA-ES within a calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRun {
    /// Candidates per generation.
    pub population: usize,
    /// Generations evaluated (the last one perhaps cut short by the budget).
    pub generations: u32,
    /// Loss evaluations.
    pub evaluations: usize,
    /// Why it stopped, in words.
    pub stop: String,
}

/// A finished calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The fitted parameters and their values, in `[calibration]` order.
    pub parameters: Vec<ParameterReport>,
    /// The loss at the best point (over the fitted targets).
    pub loss: f64,
    /// Every evaluation of the search, in order.
    pub trace: Vec<Evaluation>,
    /// The runs of CMA-ES, in order.
    pub runs: Vec<SearchRun>,
    /// The fit at the best point: every target, held out or not, in scenario order.
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

    /// Why the search ended, in words: the budget, or the last run's stop.
    pub fn stopped(&self) -> String {
        self.runs.last().map_or_else(
            || "the budget was spent on the start point".to_owned(),
            |r| r.stop.clone(),
        )
    }
}

/// The rise of the loss below which a parameter counts as barely constrained.
const FLAT: f64 = 1e-3;
/// Half-width of the loss probe, as a share of the range.
const PROBE: f64 = 0.05;

/// What one point gives: per target, the replicates' values.
type Simulated = Vec<Vec<f64>>;

/// The loss of points: the scenario, its targets and how its runs are made.
struct Objective<'d> {
    doc: &'d ScenarioDocument,
    parameters: Vec<CalibrationParameter>,
    targets: Vec<Target>,
    /// Per target, whether it counts in the loss (it is not held out).
    fitted: Vec<bool>,
    replicates: u32,
    settings: RunSettings,
    stop: &'d (dyn Fn() -> bool + Sync),
}

impl<'d> Objective<'d> {
    /// The loss of the document's `[calibration]` over its targets but the
    /// held-out ones, each point run `replicates` times with `settings`.
    fn new(
        doc: &'d ScenarioDocument,
        settings: &RunSettings,
        replicates: u32,
        hold_out: &[String],
        stop: &'d (dyn Fn() -> bool + Sync),
    ) -> Result<Self, CalibrationError> {
        let scenario = doc.scenario()?;
        let spec = scenario
            .calibration()
            .cloned()
            .ok_or(CalibrationError::NothingToFit)?;
        let targets = scenario.targets().to_vec();
        if targets.is_empty() {
            return Err(CalibrationError::NoTargets);
        }
        let fitted = fitted_targets(&targets, hold_out)?;
        check_bounds(doc, &spec.parameters)?;
        Ok(Objective {
            doc,
            parameters: spec.parameters,
            targets,
            fitted,
            replicates,
            settings: *settings,
            stop,
        })
    }

    /// How well each target is fitted by the figures `simulated` at a point.
    fn fits(&self, simulated: &Simulated) -> Vec<TargetFit> {
        self.targets
            .iter()
            .zip(&self.fitted)
            .zip(simulated)
            .map(|((t, fitted), reps)| {
                let m = stats::mean(reps);
                TargetFit {
                    target: t.clone(),
                    held_out: !fitted,
                    simulated_mean: m,
                    simulated_sd: stats::sd(reps),
                    log_error: log_error(m, t.observed),
                    within_tolerance: within_tolerance(m, t.observed, t.tolerance),
                }
            })
            .collect()
    }

    /// The parameter values at a point of the unit box, whole numbers rounded.
    fn values(&self, z: &[f64]) -> Vec<f64> {
        values_at(&self.parameters, z)
    }

    fn scenario(&self, values: &[f64]) -> Result<Scenario, LoadError> {
        scenario_at(self.doc, &self.parameters, values)
    }

    /// Runs the replicates of every point as one batch of ensemble jobs;
    /// per point, per target, the replicates' values. `progress` is told
    /// the number of points whose replicates have all finished, counting
    /// finished runs.
    ///
    /// With `seeds`, point `i`'s replicates draw their seeds from `seeds[i]`
    /// (ABC-SMC's independent simulations); without, every point runs the
    /// same replicates (common random numbers).
    fn simulate(
        &self,
        points: &[Vec<f64>],
        seeds: Option<&[u64]>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Simulated>, CalibrationError> {
        let scenarios = points
            .iter()
            .map(|values| self.scenario(values))
            .collect::<Result<Vec<Scenario>, LoadError>>()?;
        let ensemble = scenarios.iter().enumerate().fold(
            Ensemble::new(self.settings.seed(), self.replicates),
            |e, (i, s)| match seeds.and_then(|seeds| seeds.get(i)) {
                Some(&seed) => e.with_seeded_member(s, self.settings, seed),
                None => e.with_member(s, self.settings),
            },
        );
        let measure = |_: &Job<'_>, results: RunResults| -> Vec<f64> {
            let measured = self.targets.iter().map(|t| t.measure.evaluate(&results));
            measured.collect()
        };
        let replicates = self.replicates as usize;
        let runs = ensemble.run_all(measure, &|jobs| progress(jobs / replicates), self.stop)?;
        Ok(runs
            .chunks(replicates)
            .map(|point| {
                (0..self.targets.len())
                    .map(|t| point.iter().map(|run| run[t]).collect())
                    .collect()
            })
            .collect())
    }

    /// The loss over the fitted targets.
    fn loss(&self, simulated: &Simulated) -> f64 {
        self.targets
            .iter()
            .zip(&self.fitted)
            .zip(simulated)
            .filter(|((_, fitted), _)| **fitted)
            .map(|((t, _), reps)| t.weight * log_error(stats::mean(reps), t.observed).powi(2))
            .sum()
    }
}

/// The search's record: every evaluation, and the best so far.
struct Record {
    trace: Vec<Evaluation>,
    /// Unit coordinates, values, loss and simulated figures of the best point.
    best: Option<(Vec<f64>, Vec<f64>, f64, Simulated)>,
}

impl Record {
    fn best_z(&self) -> Option<&[f64]> {
        self.best.as_ref().map(|(z, ..)| z.as_slice())
    }
}

/// The value of a parameter at unit coordinate `z`, within its bounds (on
/// a log scale, `exp(ln upper)` can round above `upper`: 10.000000000000002
/// for 10).
pub fn from_unit(p: &CalibrationParameter, z: f64) -> f64 {
    let v = if p.log {
        (p.lower.ln() + z * (p.upper.ln() - p.lower.ln())).exp()
    } else {
        p.lower + z * (p.upper - p.lower)
    };
    v.clamp(p.lower, p.upper)
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

/// `v` rounded to a whole number within the bounds if the parameter holds
/// one (validation ensures there is one), else `v`.
pub fn round_integer(p: &CalibrationParameter, v: f64) -> f64 {
    if p.integer {
        v.round().clamp(p.lower.ceil(), p.upper.floor())
    } else {
        v
    }
}

/// The values of `parameters` at a point `z` of the unit box (each
/// coordinate clamped to `[0, 1]`), whole numbers rounded.
pub fn values_at(parameters: &[CalibrationParameter], z: &[f64]) -> Vec<f64> {
    parameters
        .iter()
        .zip(z)
        .map(|(p, &z)| round_integer(p, from_unit(p, z.clamp(0.0, 1.0))))
        .collect()
}

/// Refuses a `[calibration]` whose search could leave the scenarios the
/// validator accepts: each parameter at each of its bounds, the others at
/// their starts, must make a valid scenario. (Two parameters could still be
/// invalid together; the validator's checks across keys are few and name
/// both keys.)
fn check_bounds(
    doc: &ScenarioDocument,
    parameters: &[CalibrationParameter],
) -> Result<(), CalibrationError> {
    let starts: Vec<f64> = parameters.iter().map(|p| p.start).collect();
    for (index, p) in parameters.iter().enumerate() {
        for (side, bound) in [("lower", p.lower), ("upper", p.upper)] {
            let mut values = starts.clone();
            values[index] = round_integer(p, bound);
            if let Err(error) = scenario_at(doc, parameters, &values) {
                return Err(CalibrationError::InvalidBound {
                    index,
                    path: p.path.to_string(),
                    side,
                    value: values[index],
                    error: Box::new(error),
                });
            }
        }
    }
    Ok(())
}

/// The scenario of `doc` with `parameters` set to `values`.
pub fn scenario_at(
    doc: &ScenarioDocument,
    parameters: &[CalibrationParameter],
    values: &[f64],
) -> Result<Scenario, LoadError> {
    let pairs: Vec<(ParamPath, f64)> = parameters
        .iter()
        .map(|p| p.path.clone())
        .zip(values.iter().copied())
        .collect();
    doc.scenario_with(&pairs)
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
/// number of evaluations done and the number there will be (which falls
/// when the search ends before its budget), and `stop` can cancel it
/// between two simulated days.
pub fn calibrate(
    doc: &ScenarioDocument,
    settings: &RunSettings,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Calibration, CalibrationError> {
    let objective = Objective::new(doc, settings, options.replicates, &options.hold_out, stop)?;
    if let Some((index, p)) = (objective.parameters.iter().enumerate())
        .find(|(_, p)| !(p.lower..=p.upper).contains(&p.start))
    {
        return Err(CalibrationError::StartOutside {
            index,
            path: p.path.to_string(),
            start: p.start,
            lower: p.lower,
            upper: p.upper,
        });
    }
    let n = objective.parameters.len();
    let budget = options.budget.max(1) as usize;
    let mut record = Record {
        trace: Vec::new(),
        best: None,
    };
    let mut total = budget + 2 * n;
    let evaluate = |points: Vec<Vec<f64>>,
                    record: &mut Record,
                    (restart, generation, sigma): (u32, u32, f64),
                    total: usize|
     -> Result<Vec<f64>, CalibrationError> {
        let values: Vec<Vec<f64>> = points.iter().map(|z| objective.values(z)).collect();
        let done = record.trace.len();
        let simulated =
            objective.simulate(&values, None, &|points| progress(done + points, total))?;
        let mut losses = Vec::with_capacity(points.len());
        for ((z, values), simulated) in points.into_iter().zip(values).zip(simulated) {
            let loss = objective.loss(&simulated);
            losses.push(loss);
            record.trace.push(Evaluation {
                restart,
                generation,
                sigma,
                values: values.clone(),
                loss,
            });
            if record
                .best
                .as_ref()
                .is_none_or(|(.., best, _)| loss < *best)
            {
                record.best = Some((z, values, loss, simulated));
            }
        }
        progress(record.trace.len(), total);
        Ok(losses)
    };

    // Generation 0: the start point.
    let start: Vec<f64> = objective
        .parameters
        .iter()
        .map(|p| to_unit(p, p.start))
        .collect();
    evaluate(vec![start], &mut record, (0, 0, options.sigma), total)?;

    let mut runs = Vec::new();
    let mut population = options.first_population(n);
    let mut generation = 0;
    for restart in 0..=options.restarts {
        if record.trace.len() >= budget {
            break;
        }
        let from = record.best_z().map(<[f64]>::to_vec).unwrap_or_default();
        let stream = rng::stream(settings.seed(), Stream::Search { restart });
        let mut es = Cmaes::new(&from, options.sigma, population, stream);
        let mut run = SearchRun {
            population,
            generations: 0,
            evaluations: 0,
            stop: String::new(),
        };
        loop {
            let remaining = budget.saturating_sub(record.trace.len());
            if remaining == 0 {
                run.stop = format!("the budget of {budget} evaluations is spent");
                break;
            }
            let candidates = es.ask();
            let take = candidates.len().min(remaining);
            let points: Vec<Vec<f64>> = candidates[..take]
                .iter()
                .map(|x| x.iter().map(|&v| reflect(v)).collect())
                .collect();
            generation += 1;
            run.generations += 1;
            run.evaluations += take;
            let losses = evaluate(
                points,
                &mut record,
                (restart, generation, es.sigma()),
                total,
            )?;
            if take < candidates.len() {
                run.stop = format!("the budget of {budget} evaluations is spent");
                break;
            }
            es.tell(&candidates, &losses);
            if let Some(why) = es.stopped() {
                run.stop = why.describe();
                break;
            }
        }
        runs.push(run);
        population = population.saturating_mul(2);
    }
    total = record.trace.len() + 2 * n;
    progress(record.trace.len(), total);

    let Record { trace, best } = record;
    // The start point is always evaluated, so there is a best point.
    let (_, best_values, best_loss, best_sim) = best.ok_or(CalibrationError::NothingToFit)?;
    let fits = objective.fits(&best_sim);
    let done = trace.len();
    let parameters = profile(&objective, &best_values, best_loss, &|points| {
        progress(done + points, total);
    })?;
    Ok(Calibration {
        parameters,
        loss: best_loss,
        trace,
        runs,
        fits,
        options: options.clone(),
        settings: *settings,
    })
}

/// Per target, whether it is fitted: all but the held-out ids, which must
/// be targets' ids and must not be all of them.
fn fitted_targets(targets: &[Target], hold_out: &[String]) -> Result<Vec<bool>, CalibrationError> {
    let unknown: Vec<String> = hold_out
        .iter()
        .filter(|id| !targets.iter().any(|t| &t.id == *id))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(CalibrationError::UnknownHoldOut {
            unknown,
            valid: targets.iter().map(|t| t.id.clone()).collect(),
        });
    }
    let fitted: Vec<bool> = targets.iter().map(|t| !hold_out.contains(&t.id)).collect();
    if !fitted.contains(&true) {
        return Err(CalibrationError::AllHeldOut(
            targets.iter().map(|t| t.id.clone()).collect(),
        ));
    }
    Ok(fitted)
}

/// The value a probe `dz` (in unit coordinates) away from `value` tries,
/// or `None` where it would try `value` itself (on a bound). A whole number
/// moves by at least one.
fn probe_value(p: &CalibrationParameter, value: f64, dz: f64) -> Option<f64> {
    let z = to_unit(p, value);
    let at = (z + dz).clamp(0.0, 1.0);
    let mut probe = round_integer(p, from_unit(p, at));
    if p.integer && probe == value {
        probe = round_integer(p, value + dz.signum());
    }
    (probe != value && at != z).then_some(probe)
}

/// Probes the loss around the best point, one parameter at a time, every
/// probe in one batch.
fn profile(
    objective: &Objective<'_>,
    best: &[f64],
    best_loss: f64,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<ParameterReport>, CalibrationError> {
    // Per parameter, the points below and above (None: the best point itself).
    let probes: Vec<[Option<Vec<f64>>; 2]> = objective
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| {
            [-PROBE, PROBE].map(|dz| {
                probe_value(p, best[i], dz).map(|v| {
                    let mut at = best.to_vec();
                    at[i] = v;
                    at
                })
            })
        })
        .collect();
    let points: Vec<Vec<f64>> = probes.iter().flatten().flatten().cloned().collect();
    let simulated = objective.simulate(&points, None, progress)?;
    let mut losses = simulated.iter().map(|s| objective.loss(s));
    let mut reports = Vec::with_capacity(best.len());
    for ((i, p), [minus, plus]) in objective.parameters.iter().enumerate().zip(&probes) {
        let mut loss_at = |probe: &Option<Vec<f64>>| match probe {
            Some(_) => losses.next().unwrap_or(best_loss),
            None => best_loss,
        };
        let (loss_minus, loss_plus) = (loss_at(minus), loss_at(plus));
        let z = to_unit(p, best[i]);
        let rise = loss_minus.max(loss_plus) - best_loss;
        let at_bound = if z <= 0.01 {
            Some("lower")
        } else if z >= 0.99 {
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
        // A negative rise (both neighbours fit better) is no profile at all:
        // the note below says the search stopped short.
        if (0.0..FLAT).contains(&rise) {
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
            integer: false,
            prior: crate::scenario::Prior::Uniform,
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
        let ten = param(1.0, 10.0, true);
        assert_eq!(from_unit(&ten, 1.0), 10.0, "not 10.000000000000002");
    }

    #[test]
    fn whole_numbers_round_within_their_bounds_and_probe_by_at_least_one() {
        let mut p = param(1.0, 5.5, false);
        p.integer = true;
        assert_eq!(round_integer(&p, 1.7), 2.0);
        assert_eq!(round_integer(&p, 5.5), 5.0, "6 would be above the bound");
        assert_eq!(probe_value(&p, 3.0, PROBE), Some(4.0));
        assert_eq!(probe_value(&p, 3.0, -PROBE), Some(2.0));
        assert_eq!(probe_value(&p, 1.0, -PROBE), None, "on the lower bound");
        let wide = param(0.0, 1000.0, false);
        assert_eq!(probe_value(&wide, 500.0, PROBE), Some(550.0));
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
}
