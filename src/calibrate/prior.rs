//! The priors of a Bayesian calibration, in the unit coordinates the
//! search works in.
//!
//! A parameter's prior ([`Prior`]) is declared on its value, truncated to
//! its bounds; ABC-SMC samples, perturbs and weighs particles in the unit
//! coordinate `z ∈ [0, 1]` of [`super::from_unit`]. The density of `z` is
//! the density of the value times the Jacobian `dv/dz`:
//!
//! ```text
//! p(z) ∝ p(v(z)) · dv/dz,   dv/dz = upper − lower  (linear),   v · ln(upper / lower)  (log)
//! ```
//!
//! so a `uniform` prior is flat in `z` (uniform in the value, or in its
//! logarithm on a `log` scale), and a normal or beta prior carries its
//! shape over. Densities are kept up to a constant, as the importance
//! weights of ABC-SMC are normalised; the prior's quantiles (for the width
//! of its 90% interval) are computed by integrating that density on a fine
//! grid of `z`, which needs no closed form for the truncated distributions.

use rand::RngExt;
use rand_distr::{Beta, Distribution, Normal};

use super::{from_unit, to_unit};
use crate::rng::SimRng;
use crate::scenario::{CalibrationParameter, Prior};

/// Draws of a truncated normal before giving up (the scenario's validation
/// keeps at least 1% of its mass within the bounds, so 10,000 draws all
/// falling outside has a chance below 10⁻⁴³).
const MAX_DRAWS: usize = 10_000;

/// Cells of the grid on which the prior's quantiles are integrated.
const GRID: usize = 20_000;

/// The log density of the prior at unit coordinate `z` (up to a constant),
/// `−∞` outside `[0, 1]`.
pub fn log_density(p: &CalibrationParameter, z: f64) -> f64 {
    if !(0.0..=1.0).contains(&z) {
        return f64::NEG_INFINITY;
    }
    let v = from_unit(p, z);
    let jacobian = if p.log { v.ln() } else { 0.0 };
    let shape = match p.prior {
        Prior::Uniform => return 0.0,
        Prior::Normal { mean, sd } => -0.5 * ((v - mean) / sd).powi(2),
        Prior::Beta { alpha, beta } => {
            let x = ((v - p.lower) / (p.upper - p.lower)).clamp(0.0, 1.0);
            (alpha - 1.0) * x.ln() + (beta - 1.0) * (1.0 - x).ln()
        }
    };
    shape + jacobian
}

/// The log density of the joint prior (the parameters are independent).
pub fn log_density_of(parameters: &[CalibrationParameter], z: &[f64]) -> f64 {
    parameters
        .iter()
        .zip(z)
        .map(|(p, &z)| log_density(p, z))
        .sum()
}

/// A draw of the prior's unit coordinate.
pub fn sample(p: &CalibrationParameter, rng: &mut SimRng) -> f64 {
    match p.prior {
        Prior::Uniform => rng.random::<f64>(),
        Prior::Normal { mean, sd } => {
            let Ok(normal) = Normal::new(mean, sd) else {
                return 0.5;
            };
            (0..MAX_DRAWS)
                .map(|_| normal.sample(rng))
                .find(|v| (p.lower..=p.upper).contains(v))
                .map_or(to_unit(p, mean.clamp(p.lower, p.upper)), |v| to_unit(p, v))
        }
        Prior::Beta { alpha, beta } => {
            let Ok(dist) = Beta::new(alpha, beta) else {
                return 0.5;
            };
            let x: f64 = dist.sample(rng);
            to_unit(p, p.lower + x * (p.upper - p.lower))
        }
    }
}

/// The prior's `q` quantiles in unit coordinates, integrated on a grid of
/// `z` (exact for a uniform prior).
pub fn quantiles(p: &CalibrationParameter, qs: &[f64]) -> Vec<f64> {
    if p.prior == Prior::Uniform {
        return qs.iter().map(|q| q.clamp(0.0, 1.0)).collect();
    }
    let h = 1.0 / GRID as f64;
    // Midpoint rule: the mass of each cell.
    let log: Vec<f64> = (0..GRID)
        .map(|i| log_density(p, (i as f64 + 0.5) * h))
        .collect();
    let top = log.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mass: Vec<f64> = log.iter().map(|l| (l - top).exp()).collect();
    let total: f64 = mass.iter().sum();
    qs.iter()
        .map(|&q| {
            let want = q.clamp(0.0, 1.0) * total;
            let mut cum = 0.0;
            for (i, m) in mass.iter().enumerate() {
                if cum + m >= want {
                    let within = if *m > 0.0 { (want - cum) / m } else { 0.0 };
                    return (i as f64 + within) * h;
                }
                cum += m;
            }
            1.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{self, Stream};

    fn param(prior: Prior, log: bool) -> CalibrationParameter {
        CalibrationParameter {
            path: "a.b".parse().unwrap(),
            lower: 1.0,
            upper: 5.0,
            log,
            start: 1.0,
            integer: false,
            prior,
        }
    }

    #[test]
    fn a_uniform_prior_is_flat_in_unit_coordinates_and_zero_outside() {
        for log in [false, true] {
            let p = param(Prior::Uniform, log);
            assert_eq!(log_density(&p, 0.1), log_density(&p, 0.9));
            assert_eq!(log_density(&p, 1.2), f64::NEG_INFINITY);
            assert_eq!(quantiles(&p, &[0.05, 0.95]), [0.05, 0.95]);
        }
    }

    #[test]
    fn quantiles_of_a_normal_prior_match_its_draws() {
        // A normal of mean 3, sd 0.5 within [1, 5]: 4 sd either side, so
        // its 5% and 95% quantiles are 3 ∓ 1.645 · 0.5 (to 1e-4 of the range).
        let p = param(Prior::Normal { mean: 3.0, sd: 0.5 }, false);
        let q = quantiles(&p, &[0.05, 0.5, 0.95]);
        let v: Vec<f64> = q.iter().map(|&z| from_unit(&p, z)).collect();
        assert!((v[0] - (3.0 - 0.8224)).abs() < 2e-3, "{v:?}");
        assert!((v[1] - 3.0).abs() < 1e-3, "{v:?}");
        assert!((v[2] - (3.0 + 0.8224)).abs() < 2e-3, "{v:?}");
        // 4,000 draws: the share below the 5% quantile has sd 0.0034, so
        // a tolerance of 0.015 (4.4 sd) fails by chance about once in 10⁵.
        let mut rng = rng::stream(1, Stream::Search { restart: 0 });
        let draws: Vec<f64> = (0..4000).map(|_| sample(&p, &mut rng)).collect();
        let below = draws.iter().filter(|&&z| z < q[0]).count() as f64 / 4000.0;
        assert!((below - 0.05).abs() < 0.015, "{below}");
    }

    #[test]
    fn a_beta_prior_has_the_declared_mean() {
        // Mean 2 within [1, 5]: x = 0.25; α + β = 10 gives α = 2.5, β = 7.5.
        let p = param(
            Prior::Beta {
                alpha: 2.5,
                beta: 7.5,
            },
            false,
        );
        let mut rng = rng::stream(2, Stream::Search { restart: 0 });
        let draws: Vec<f64> = (0..4000)
            .map(|_| from_unit(&p, sample(&p, &mut rng)))
            .collect();
        let mean = draws.iter().sum::<f64>() / 4000.0;
        // sd of x is √(0.25·0.75/11) = 0.13, of v 0.52; of the mean of
        // 4,000, 0.0083: 0.04 is 4.8 sd.
        assert!((mean - 2.0).abs() < 0.04, "{mean}");
        let median = from_unit(&p, quantiles(&p, &[0.5])[0]);
        assert!(median > 1.7 && median < 2.0, "right-skewed: {median}");
    }
}
