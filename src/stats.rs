//! The few summary statistics the commands share: mean, sample standard
//! deviation, median and quantiles, and the [`Spread`] of an ensemble's
//! values. Empty input gives 0 rather than NaN, so that a degenerate run
//! still writes numbers.
//!
//! Quantiles interpolate linearly between order statistics (Hyndman and
//! Fan's type 7, the default of R's `quantile` and NumPy's `percentile`):
//! with the `n` values sorted, `x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎`, and `h = (n − 1)·p`,
//!
//! ```text
//! Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋) · (x₍⌊h⌋+1₎ − x₍⌊h⌋₎)
//! ```
//!
//! so `Q(0)` is the least value, `Q(1)` the greatest, and `Q(0.5)` the median.

/// Arithmetic mean (0 for no values).
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// Sample standard deviation, with `n − 1` (0 for fewer than two values).
pub fn sd(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// Median: the middle value, or the mean of the two middle ones (0 for no values).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The `p` quantile of `values` (type 7, see the module's text; `p` is
/// clamped to [0, 1]; 0 for no values).
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile_of_sorted(&sorted, p)
}

/// [`quantile`] of values already sorted in increasing order.
fn quantile_of_sorted(sorted: &[f64], p: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return 0.0;
    };
    let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
    let h = last as f64 * p;
    let below = (h.floor() as usize).min(last);
    let above = (below + 1).min(last);
    sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
}

/// How one value varies over an ensemble: the mean and standard deviation
/// of the replicates' values, and their 5% and 95% quantiles. Between the
/// two quantiles lies a 90% predictive band: where a single run's value
/// falls nine times in ten (estimated from the replicates), which is much
/// wider than the confidence interval of the mean.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1).
    pub sd: f64,
    /// The 5% quantile: the band's lower edge.
    pub p05: f64,
    /// The 95% quantile: the band's upper edge.
    pub p95: f64,
}

impl Spread {
    /// The spread of `values` (all zero for no values).
    pub fn of(values: &[f64]) -> Self {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Self {
            mean: mean(values),
            sd: sd(values),
            p05: quantile_of_sorted(&sorted, 0.05),
            p95: quantile_of_sorted(&sorted, 0.95),
        }
    }

    /// Whether `x` lies in the band `[p05, p95]`.
    pub fn contains(&self, x: f64) -> bool {
        self.p05 <= x && x <= self.p95
    }

    /// Whether the band shares a value with the range `[low, high]`.
    pub fn overlaps(&self, low: f64, high: f64) -> bool {
        low <= self.p95 && self.p05 <= high
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_of_small_samples() {
        assert_eq!(mean(&[]), 0.0);
        assert_eq!(mean(&[1.0, 2.0, 6.0]), 3.0);
        assert_eq!(sd(&[5.0]), 0.0);
        assert!((sd(&[1.0, 2.0, 3.0]) - 1.0).abs() < 1e-12);
        assert_eq!(median(vec![]), 0.0);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        // The values of R's quantile(x, type = 7) and NumPy's percentile.
        let five = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(quantile(&five, 0.5), 3.0);
        assert_eq!(quantile(&five, 0.25), 2.0);
        assert!((quantile(&five, 0.05) - 1.2).abs() < 1e-12);
        assert!((quantile(&five, 0.95) - 4.8).abs() < 1e-12);
        assert_eq!(quantile(&five, 0.0), 1.0);
        assert_eq!(quantile(&five, 1.0), 5.0);
        let twenty: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        assert!((quantile(&twenty, 0.05) - 1.95).abs() < 1e-12);
        assert!((quantile(&twenty, 0.95) - 19.05).abs() < 1e-12);
        // Out of range, empty and single samples.
        assert_eq!(quantile(&five, -1.0), 1.0);
        assert_eq!(quantile(&five, 2.0), 5.0);
        assert_eq!(quantile(&five, f64::NAN), 1.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
        assert_eq!(quantile(&[7.0], 0.05), 7.0);
        // The median is the 0.5 quantile.
        let even = vec![4.0, 1.0, 2.0, 3.0];
        assert_eq!(quantile(&even, 0.5), median(even));
    }

    #[test]
    fn quantiles_grow_with_p() {
        let xs: Vec<f64> = (0..37).map(|i| f64::from((i * 7919) % 101)).collect();
        let qs: Vec<f64> = (0..=100)
            .map(|k| quantile(&xs, f64::from(k) / 100.0))
            .collect();
        assert!(qs.windows(2).all(|w| w[0] <= w[1]), "{qs:?}");
    }

    #[test]
    fn the_band_holds_ninety_percent_of_a_large_sample() {
        // 1,001 equally spaced values: 5% of them lie below p05 and 5% above p95.
        let xs: Vec<f64> = (0..=1000).map(f64::from).collect();
        let s = Spread::of(&xs);
        assert_eq!((s.p05, s.p95, s.mean), (50.0, 950.0, 500.0));
        let inside = xs.iter().filter(|&&x| s.contains(x)).count();
        assert_eq!(inside, 901);
        assert!(s.overlaps(940.0, 2000.0) && s.overlaps(-5.0, 50.0));
        assert!(!s.overlaps(951.0, 2000.0) && !s.overlaps(0.0, 49.0));
    }

    #[test]
    fn the_spread_of_a_few_replicates() {
        let s = Spread::of(&[12.0, 10.0, 11.0, 14.0, 13.0]);
        assert_eq!(s.mean, 12.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        assert!((s.p05 - 10.2).abs() < 1e-12 && (s.p95 - 13.8).abs() < 1e-12);
        assert!(s.p05 <= s.mean && s.mean <= s.p95);
        assert_eq!(Spread::of(&[]), Spread::default());
        let one = Spread::of(&[3.0]);
        assert_eq!((one.mean, one.sd, one.p05, one.p95), (3.0, 0.0, 3.0, 3.0));
    }
}
