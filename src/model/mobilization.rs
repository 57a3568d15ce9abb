//! The call-up: how many men each region must deliver by each day, and who
//! among the men at home is drafted first.
//!
//! The national schedule `D(t)` (cumulative persons, linear between the
//! scenario's points, see [`planned_by`]) is shared among regions by weights
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
        let planned = planned_by(&scenario.mobilization().schedule, day);
        self.region_share
            .iter()
            .zip(drafted_by_region)
            .map(|(share, drafted)| (share * planned - drafted).max(0.0))
            .collect()
    }

    /// Daily draft probability of each priority class (see
    /// [`crate::population::Cohorts::priority_class`]), given the quotas in persons and the
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

/// `D(t)`: cumulative persons drafted by the end of `day` under `schedule`
/// (points of day and cumulative persons, days increasing), linear between
/// points, 0 before the first and the last point's after the last.
pub fn planned_by(schedule: &[(i64, f64)], day: i64) -> f64 {
    let Some(&(first_day, first)) = schedule.first() else {
        return 0.0;
    };
    if day < first_day {
        return 0.0;
    }
    for pair in schedule.windows(2) {
        let ((d0, v0), (d1, v1)) = (pair[0], pair[1]);
        if day <= d1 {
            let t = (day - d0) as f64 / (d1 - d0) as f64;
            return v0 + t * (v1 - v0);
        }
    }
    schedule.last().map_or(first, |&(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_linear_between_its_points() {
        let schedule = [(9, 0.0), (22, 200_000.0), (46, 300_000.0)];
        assert_eq!(planned_by(&schedule, 8), 0.0);
        assert_eq!(planned_by(&schedule, 9), 0.0);
        assert_eq!(planned_by(&schedule, 22), 200_000.0);
        assert_eq!(planned_by(&schedule, 34), 250_000.0);
        assert_eq!(planned_by(&schedule, 60), 300_000.0);
        assert_eq!(planned_by(&[], 10), 0.0);
    }
}
