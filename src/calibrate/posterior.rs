//! `exodus calibrate --method abc-smc`: a posterior over the parameters.
//!
//! The sampler is [`super::abc`]; this module connects it to the model. A
//! proposal's distance is the calibration loss ([`Objective::loss`], the
//! same function the optimizer minimises, each target's log error
//! weighted), over the mean of its `R` runs, each run seeded from the
//! proposal's own stream (so that proposals are independent draws of the
//! model, as the method needs; `R = 1` by default, since averaging runs
//! narrows the simulated figures' spread and with it the posterior). All
//! proposals of a round run as one batch of ensemble jobs, in parallel.
//!
//! The result is summarised per parameter: the weighted median and 5% and
//! 95% quantiles of the values, and the width of that 90% interval
//! relative to the prior's own 90% interval, both measured in unit
//! coordinates (so in the logarithm on a `log` scale). The ratio says what
//! the targets pin down (a ratio well below 1) and what they leave as
//! uncertain as the prior did (a ratio near 1). The point the calibrated
//! scenario carries is the vector of weighted marginal medians, and the fit
//! of the targets there is measured with the replicates of the optimizer's
//! report (common random numbers).

use super::abc::{self, GenerationRecord, Outcome, Particle, Proposal};
use super::{CalibrationError, Objective, TargetFit, from_unit, prior, round_integer};
use crate::scenario::{CalibrationParameter, ParamPath, ScenarioDocument};
use crate::settings::RunSettings;

/// How one Bayesian calibration runs (its seed and scale are in its
/// [`RunSettings`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorOptions {
    /// The sampler's settings.
    pub abc: abc::Settings,
    /// Replicates of the fit at the posterior's median.
    pub fit_replicates: u32,
    /// Ids of targets left out of the distance.
    pub hold_out: Vec<String>,
}

/// What the posterior says of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorParameter {
    /// The parameter.
    pub parameter: CalibrationParameter,
    /// Weighted median of its values.
    pub median: f64,
    /// Weighted 5% quantile.
    pub p05: f64,
    /// Weighted 95% quantile.
    pub p95: f64,
    /// The prior's 5% quantile.
    pub prior_p05: f64,
    /// The prior's 95% quantile.
    pub prior_p95: f64,
    /// Width of the posterior's 90% interval over the prior's, in unit
    /// coordinates.
    pub width_ratio: f64,
    /// A plain-words verdict.
    pub note: String,
}

/// A finished Bayesian calibration.
#[derive(Debug, Clone)]
pub struct Posterior {
    /// Per parameter, in `[calibration]` order.
    pub parameters: Vec<PosteriorParameter>,
    /// The particles of the last generation, in slot order.
    pub particles: Vec<Particle>,
    /// Per particle, its parameter values (whole numbers rounded).
    pub values: Vec<Vec<f64>>,
    /// Every generation.
    pub generations: Vec<GenerationRecord>,
    /// Model runs made.
    pub simulations: usize,
    /// Why the sampler stopped.
    pub stop: String,
    /// The fit of every target at the weighted medians.
    pub fits: Vec<TargetFit>,
    /// The options used.
    pub options: PosteriorOptions,
    /// The settings of its runs (the seed is the sampler's).
    pub settings: RunSettings,
}

impl Posterior {
    /// The weighted medians as (path, value) pairs.
    pub fn medians(&self) -> Vec<(ParamPath, f64)> {
        self.parameters
            .iter()
            .map(|p| (p.parameter.path.clone(), p.median))
            .collect()
    }
}

/// The verdict on a ratio of posterior to prior width.
pub fn width_note(ratio: f64) -> &'static str {
    if ratio < 0.2 {
        "pinned down: the data narrow the prior more than fivefold"
    } else if ratio < 0.5 {
        "constrained: the data narrow the prior at least twofold"
    } else if ratio < 0.8 {
        "weakly constrained: the data narrow the prior a little"
    } else {
        "barely constrained: the posterior is about as wide as the prior"
    }
}

/// Runs ABC-SMC on the document's `[calibration]` with `settings`;
/// `progress` hears where the sampler stands, `stop` can cancel it between
/// two simulated days, and `clock` gives seconds since a fixed instant.
pub fn abc_smc(
    doc: &ScenarioDocument,
    settings: &RunSettings,
    options: &PosteriorOptions,
    progress: &(dyn Fn(abc::Status) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
    clock: &dyn Fn() -> f64,
) -> Result<Posterior, CalibrationError> {
    let objective = Objective::new(
        doc,
        settings,
        options.abc.replicates as u32,
        &options.hold_out,
        stop,
    )?;
    let parameters = objective.parameters.clone();
    let mut simulate = |proposals: &[Proposal],
                        done: &(dyn Fn(usize) + Sync)|
     -> Result<Vec<f64>, CalibrationError> {
        let values: Vec<Vec<f64>> = proposals.iter().map(|p| objective.values(&p.z)).collect();
        let seeds: Vec<u64> = proposals.iter().map(|p| p.seed).collect();
        let simulated = objective.simulate(&values, Some(&seeds), done)?;
        Ok(simulated.iter().map(|s| objective.loss(s)).collect())
    };
    let Outcome {
        generations,
        particles,
        simulations,
        stop: why,
    } = abc::run(
        &parameters,
        &options.abc,
        settings.seed(),
        &mut simulate,
        progress,
        clock,
    )?;
    if particles.is_empty() {
        return Err(CalibrationError::BudgetTooSmall {
            budget: options.abc.budget,
            needed: options.abc.particles * options.abc.replicates,
        });
    }
    let values: Vec<Vec<f64>> = particles.iter().map(|p| objective.values(&p.z)).collect();
    let weights: Vec<f64> = particles.iter().map(|p| p.weight).collect();
    let summary: Vec<PosteriorParameter> = parameters
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let z: Vec<f64> = particles.iter().map(|q| q.z[i]).collect();
            let [z05, z50, z95] =
                [0.05, 0.5, 0.95].map(|q| abc::weighted_quantile(&z, &weights, q));
            let prior_q = prior::quantiles(p, &[0.05, 0.95]);
            let prior_width = (prior_q[1] - prior_q[0]).max(f64::MIN_POSITIVE);
            let width_ratio = (z95 - z05) / prior_width;
            let value = |z: f64| round_integer(p, from_unit(p, z));
            PosteriorParameter {
                parameter: p.clone(),
                median: value(z50),
                p05: value(z05),
                p95: value(z95),
                prior_p05: value(prior_q[0]),
                prior_p95: value(prior_q[1]),
                width_ratio,
                note: width_note(width_ratio).to_owned(),
            }
        })
        .collect();
    // The fit at the medians, with common random numbers.
    let medians: Vec<f64> = summary.iter().map(|p| p.median).collect();
    let fit_objective = Objective {
        replicates: options.fit_replicates.max(1),
        ..objective
    };
    let simulated = fit_objective.simulate(&[medians], None, &|_| {})?;
    let fits = simulated
        .first()
        .map(|s| fit_objective.fits(s))
        .unwrap_or_default();
    Ok(Posterior {
        parameters: summary,
        particles,
        values,
        generations,
        simulations,
        stop: why,
        fits,
        options: options.clone(),
        settings: *settings,
    })
}
