//! The call-up: how many men each region must deliver by each day, and who
//! among the men at home is drafted first.
//!
//! The national schedule `D(t)` (cumulative persons, linear between the
//! scenario's points) is shared among regions by weights
//! `w_r = eligible_r · intensity_r / Σ_k eligible_k · intensity_k`.
//! Region `r` still owes `Q_r(t) = max(0, w_r·D(t) − drafted_r)`, where
//! `drafted_r` counts its men drafted at home and caught at the border.
//! A man at home in priority class `k` (prior service, age) is drafted on day
//! `t` with probability `min(1, Q_r(t)/scale · π_k / Σ_j n_rj · π_j)`, where
//! `π_k = (prior ? ρ : 1) · exp(−γ·(age − age_min))` and `n_rj` counts the
//! agents at home in class `j`. In expectation the region delivers its quota.

use crate::population::Population;
use crate::scenario::Scenario;

/// Call-up weights and priorities of a run.
#[derive(Debug, Clone)]
pub struct CallUp {
    region_share: Vec<f64>,
    /// Priority of each (prior service, age) class within a region.
    class_priority: Vec<f64>,
    classes_per_region: usize,
}

impl CallUp {
    /// Weights and priorities for a scenario and its population.
    pub fn new(scenario: &Scenario, population: &Population) -> Self {
        let m = &scenario.mobilization();
        let weights: Vec<f64> = population
            .agents_by_region
            .iter()
            .zip(&m.intensity)
            .map(|(&n, &i)| n as f64 * i)
            .collect();
        let total: f64 = weights.iter().sum();
        let region_share = weights
            .iter()
            .map(|w| if total > 0.0 { w / total } else { 0.0 })
            .collect();
        let cohorts = population.cohorts;
        let classes_per_region = cohorts.ages() * 2;
        let class_priority = (0..classes_per_region)
            .map(|k| {
                let (age_offset, prior) = (k / 2, k % 2 == 1);
                let base = if prior { m.prior_service_priority } else { 1.0 };
                base * (-m.age_priority_decay * age_offset as f64).exp()
            })
            .collect();
        Self {
            region_share,
            class_priority,
            classes_per_region,
        }
    }

    /// Persons each region still owes by the end of `day`.
    pub fn quotas(&self, scenario: &Scenario, day: i64, drafted_by_region: &[f64]) -> Vec<f64> {
        let planned = scenario.mobilization().planned_by(day);
        self.region_share
            .iter()
            .zip(drafted_by_region)
            .map(|(share, drafted)| (share * planned - drafted).max(0.0))
            .collect()
    }

    /// Daily draft probability of each priority class (see
    /// [`Cohorts::priority_class`]), given the quotas in persons and the
    /// agents at home in each class.
    pub fn probabilities(&self, quotas: &[f64], home_by_class: &[u64], scale: u32) -> Vec<f64> {
        let mut out = vec![0.0; home_by_class.len()];
        for (r, quota) in quotas.iter().enumerate() {
            let classes = r * self.classes_per_region..(r + 1) * self.classes_per_region;
            let pool: f64 = home_by_class[classes.clone()]
                .iter()
                .zip(&self.class_priority)
                .map(|(&n, &p)| n as f64 * p)
                .sum();
            if pool <= 0.0 || *quota <= 0.0 {
                continue;
            }
            let agents_owed = quota / f64::from(scale);
            for (slot, &p) in out[classes].iter_mut().zip(&self.class_priority) {
                *slot = (agents_owed * p / pool).min(1.0);
            }
        }
        out
    }
}
