//! Replicated comparisons of scenarios, with confidence intervals.
//!
//! Every scenario runs `R` replicates; replicate `r` of every scenario uses
//! the seed `replicate_seed(master, r)`, so the replicates are paired: the
//! same men draw the same random numbers in the base and in the alternative,
//! and a difference between scenarios is a difference of policy, not of
//! luck. For a metric `X`:
//!
//! - `mean`, `sd` over the replicates, and a 95% interval
//!   `mean ± t(0.975, R−1) · sd / √R`;
//! - `diff_vs_base` = the mean of the paired differences `d_r = X_alt,r − X_base,r`,
//!   with the interval `mean(d) ± t(0.975, R−1) · sd(d) / √R`. Pairing removes
//!   the variation common to both runs, so these intervals are much
//!   narrower than those of two independent samples.
//!
//! Each row also gives the 2.5% and 97.5% quantiles of the replicates'
//! values (`q025`, `q975`: where one run falls, not where the mean lies)
//! and of the paired differences (`diff_q025`, `diff_q975`), and the share
//! of replicates whose difference is positive (`prob_diff_positive`).
//!
//! **Under a posterior** (`compare --posterior FILE`), replicate `r` of
//! every scenario runs with the parameters of the posterior's draw `r`
//! ([`crate::posterior`]) as well as the seed of replicate `r`. The
//! replicates then sample both what we do not know about behaviour and the
//! noise of one run, and the quantiles are posterior-predictive intervals:
//! `diff_q025`..`diff_q975` is the 95% credible interval of the effect, and
//! `prob_diff_positive` the posterior probability that the effect is
//! positive. The t-interval `diff_ci95_*` then only says how precisely `R`
//! replicates estimate the posterior mean. For comparison, the scenarios are
//! also run at their own parameter values, and the t-interval of those
//! paired differences is given as `mc_diff_ci95_*`: the Monte-Carlo-only
//! interval that a comparison without a posterior reports.
//!
//! The `(scenario, replicate)` runs are the jobs of an
//! [`Ensemble`](crate::ensemble), which runs them in parallel and gathers
//! their results in order, so the output does not depend on the number of
//! threads.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::engine::EngineError;
use crate::ensemble::Ensemble;
use crate::format::{Decimals, snake_case};
use crate::output::csv_of;
use crate::results::{CrossingDay, NationalDay, RunResults, floats};
use crate::scenario::Scenario;
use crate::settings::RunSettings;
use crate::stats;

/// A metric at a place, e.g. (`Kazakhstan`, `exodus`).
pub type Key = (String, String);

/// The headline figures and daily series of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Whole-run figures.
    pub headline: BTreeMap<Key, f64>,
    /// Daily series.
    pub daily: BTreeMap<Key, Vec<f64>>,
}

/// The headline figures and daily series of a run:
/// - headline: `exodus` by destination and `national`; at the end, every
///   national stock, so that a comparison accounts for every man
///   (`national`): `abroad`, `drafted` (of whom `drafted_at_border`),
///   `stuck`, `returned`, `came_back`, `traveling`, `queued`, `moving_on`,
///   `awaiting_passport` and `at_home`; `peak_queue` and `peak_wait_days` by
///   crossing;
/// - daily: `exodus_entries` and `entries` by destination and `national`;
///   the same national stocks; `queue` by crossing.
pub fn outcome(run: &RunResults) -> Outcome {
    let mut o = Outcome::default();
    let days = run.national.len();
    let mut national_exodus = vec![0.0; days];
    let mut national_entries = vec![0.0; days];
    for (d, name) in run.destinations.iter().enumerate() {
        let series = |field: fn(&CrossingDay) -> u64| floats(run.destination_series(d, field));
        let exodus = series(|x| x.crossed);
        let entries = series(|x| x.entries);
        for t in 0..days {
            national_exodus[t] += exodus[t];
            national_entries[t] += entries[t];
        }
        o.headline
            .insert((name.clone(), "exodus".into()), exodus.iter().sum());
        o.daily
            .insert((name.clone(), "exodus_entries".into()), exodus);
        o.daily.insert((name.clone(), "entries".into()), entries);
    }
    let national = "national".to_owned();
    o.headline.insert(
        (national.clone(), "exodus".into()),
        national_exodus.iter().sum(),
    );
    o.daily
        .insert((national.clone(), "exodus_entries".into()), national_exodus);
    o.daily
        .insert((national.clone(), "entries".into()), national_entries);
    // Stocks: the daily series, and their value at the end as the headline.
    for (metric, f) in [
        (
            "abroad",
            (|n: &NationalDay| n.abroad) as fn(&NationalDay) -> u64,
        ),
        ("drafted", |n| n.drafted),
        ("drafted_at_border", |n| n.drafted_at_border),
        ("stuck", |n| n.stuck),
        ("returned", |n| n.returned),
        ("came_back", |n| n.came_back),
        ("traveling", |n| n.traveling),
        ("queued", |n| n.queued),
        ("moving_on", |n| n.moving_on),
        ("awaiting_passport", |n| n.awaiting_passport),
        ("at_home", |n| n.at_home),
    ] {
        let series: Vec<f64> = run.national.iter().map(|n| f(n) as f64).collect();
        let key = (national.clone(), metric.to_owned());
        o.headline
            .insert(key.clone(), series.last().copied().unwrap_or(0.0));
        o.daily.insert(key, series);
    }
    for (c, (id, _)) in run.crossings.iter().enumerate() {
        let queue = run.queue_series(c);
        let peak_wait = run
            .crossing_days
            .iter()
            .filter_map(|day| day[c].mean_wait_days)
            .fold(0.0, f64::max);
        o.headline.insert(
            (id.clone(), "peak_queue".into()),
            queue.iter().copied().fold(0.0, f64::max),
        );
        o.headline
            .insert((id.clone(), "peak_wait_days".into()), peak_wait);
        o.daily.insert((id.clone(), "queue".into()), queue);
    }
    o
}

/// The name of a headline figure as a column or an output: `<metric>_<place>`
/// in snake_case, e.g. `exodus_kazakhstan`, `drafted_national`,
/// `peak_queue_upper_lars`.
pub fn headline_name((place, metric): &Key) -> String {
    format!("{metric}_{}", snake_case(place))
}

/// The replicates of one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioRuns {
    /// Scenario name.
    pub name: String,
    /// Its calendar.
    pub calendar: Calendar,
    /// One outcome per replicate, in replicate order.
    pub replicates: Vec<Outcome>,
}

/// Runs every scenario `replicates` times at its settings, with paired
/// seeds under `master` (an [`Ensemble`]); `progress` is told the runs
/// finished so far, and `stop` can cancel it between two simulated days.
pub fn run_all(
    scenarios: &[(Scenario, RunSettings)],
    replicates: u32,
    master: u64,
    progress: &(dyn Fn(usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<ScenarioRuns>, EngineError> {
    let members: Vec<(Vec<&Scenario>, RunSettings)> = scenarios
        .iter()
        .map(|(scenario, settings)| (vec![scenario], *settings))
        .collect();
    run_members(&members, replicates, master, progress, stop)
}

/// The same, under a posterior: `drawn[i][r]` is scenario `i` with the
/// parameters of the posterior's draw for replicate `r` (see
/// [`crate::posterior::Posterior::draw`]), and runs with the seed of
/// replicate `r`. Every scenario must have one version per replicate.
pub fn run_drawn(
    drawn: &[(Vec<Scenario>, RunSettings)],
    replicates: u32,
    master: u64,
    progress: &(dyn Fn(usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<ScenarioRuns>, EngineError> {
    let members: Vec<(Vec<&Scenario>, RunSettings)> = drawn
        .iter()
        .map(|(versions, settings)| (versions.iter().collect(), *settings))
        .collect();
    run_members(&members, replicates, master, progress, stop)
}

/// Runs the members (per member, one scenario or one per replicate) as one
/// ensemble and gathers each member's outcomes.
fn run_members(
    members: &[(Vec<&Scenario>, RunSettings)],
    replicates: u32,
    master: u64,
    progress: &(dyn Fn(usize) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<ScenarioRuns>, EngineError> {
    let ensemble = members.iter().fold(
        Ensemble::new(master, replicates),
        |e, (versions, settings)| e.with_member_per_replicate(versions.clone(), *settings),
    );
    let outcomes = ensemble.run_all(|_, results| outcome(&results), progress, stop)?;
    let mut outcomes = outcomes.into_iter();
    Ok(members
        .iter()
        .filter_map(|(versions, _)| versions.first())
        .map(|s| ScenarioRuns {
            name: s.name().to_owned(),
            calendar: *s.calendar(),
            replicates: outcomes.by_ref().take(replicates as usize).collect(),
        })
        .collect())
}

/// Mean and 95% interval of a sample, and the middle 95% of its values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Mean.
    pub mean: f64,
    /// Standard deviation (n − 1).
    pub sd: f64,
    /// Lower end of the 95% interval of the mean.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// The 2.5% quantile of the values.
    pub q025: f64,
    /// The 97.5% quantile of the values.
    pub q975: f64,
    /// The share of the values above zero.
    pub share_positive: f64,
}

impl Interval {
    /// The mean and t-interval of `xs`.
    pub fn of(xs: &[f64]) -> Self {
        let n = xs.len() as f64;
        if xs.is_empty() {
            return Self {
                mean: 0.0,
                sd: 0.0,
                low: 0.0,
                high: 0.0,
                q025: 0.0,
                q975: 0.0,
                share_positive: 0.0,
            };
        }
        let (mean, sd) = (stats::mean(xs), stats::sd(xs));
        let half = if xs.len() > 1 {
            t975(xs.len() - 1) * sd / n.sqrt()
        } else {
            0.0
        };
        Self {
            mean,
            sd,
            low: mean - half,
            high: mean + half,
            q025: stats::quantile(xs, 0.025),
            q975: stats::quantile(xs, 0.975),
            share_positive: xs.iter().filter(|&&x| x > 0.0).count() as f64 / n,
        }
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (standard
/// table values; interpolated in 1/df above 30).
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => {
            // Between the tabulated 2.042 at df = 30 and the normal 1.960, linear in 1/df.
            let x = 30.0 / df as f64;
            1.960 + (2.042 - 1.960) * x
        }
    }
}

/// One headline figure of one scenario over its replicates, with its
/// paired difference from the base (written as a [`SummaryRecord`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Scenario.
    pub scenario: String,
    /// Place.
    pub place: String,
    /// Metric.
    pub metric: String,
    /// Over replicates.
    pub value: Interval,
    /// Paired difference from the base (absent for the base itself and for
    /// metrics the base lacks).
    pub diff: Option<Interval>,
    /// Under a posterior, the paired difference of the runs at the
    /// scenarios' own parameter values: Monte-Carlo noise only.
    pub mc_diff: Option<Interval>,
}

/// Headline statistics of every scenario, the first being the base.
pub fn summarize(runs: &[ScenarioRuns]) -> Vec<SummaryRow> {
    summarize_with(runs, None)
}

/// The same for runs under a posterior, with the Monte-Carlo-only paired
/// differences of `fixed`, the same scenarios run at their own parameter
/// values, beside each difference.
pub fn summarize_posterior(runs: &[ScenarioRuns], fixed: &[ScenarioRuns]) -> Vec<SummaryRow> {
    summarize_with(runs, Some(fixed))
}

fn summarize_with(runs: &[ScenarioRuns], fixed: Option<&[ScenarioRuns]>) -> Vec<SummaryRow> {
    let fixed_rows = fixed.map(|f| summarize_with(f, None)).unwrap_or_default();
    let mc_diff = |scenario: &str, key: &Key| {
        fixed_rows
            .iter()
            .find(|r| r.scenario == scenario && r.place == key.0 && r.metric == key.1)
            .and_then(|r| r.diff)
    };
    let Some(base) = runs.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (i, s) in runs.iter().enumerate() {
        let keys: Vec<&Key> = s
            .replicates
            .first()
            .map(|o| o.headline.keys().collect())
            .unwrap_or_default();
        for key in keys {
            let values: Vec<f64> = s
                .replicates
                .iter()
                .map(|o| o.headline.get(key).copied().unwrap_or(0.0))
                .collect();
            let diff = (i > 0)
                .then(|| {
                    let base_values: Option<Vec<f64>> = base
                        .replicates
                        .iter()
                        .map(|o| o.headline.get(key).copied())
                        .collect();
                    base_values.map(|b| {
                        let d: Vec<f64> = values.iter().zip(&b).map(|(a, b)| a - b).collect();
                        Interval::of(&d)
                    })
                })
                .flatten();
            rows.push(SummaryRow {
                scenario: s.name.clone(),
                place: key.0.clone(),
                metric: key.1.clone(),
                value: Interval::of(&values),
                diff,
                mc_diff: mc_diff(&s.name, key),
            });
        }
    }
    rows
}

/// The name of the comparison's summary table.
pub const SUMMARY_CSV: &str = "compare_summary.csv";

/// The name of the comparison's daily table (which `exodus plot` draws).
pub const DAILY_CSV: &str = "compare_daily.csv";

/// A row of `compare_summary.csv`: a [`SummaryRow`] as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRecord {
    /// Scenario.
    pub scenario: String,
    /// Place.
    pub place: String,
    /// Metric.
    pub metric: String,
    /// Mean over replicates.
    pub mean: Decimals<3>,
    /// Standard deviation over replicates.
    pub sd: Decimals<3>,
    /// Lower end of the 95% interval.
    pub ci95_low: Decimals<3>,
    /// Upper end.
    pub ci95_high: Decimals<3>,
    /// The 2.5% quantile over replicates (posterior-predictive under a
    /// posterior).
    pub q025: Decimals<3>,
    /// The 97.5% quantile.
    pub q975: Decimals<3>,
    /// Mean paired difference from the base (none for the base).
    pub diff_vs_base: Option<Decimals<3>>,
    /// Lower end of its 95% interval (of the mean difference).
    pub diff_ci95_low: Option<Decimals<3>>,
    /// Upper end.
    pub diff_ci95_high: Option<Decimals<3>>,
    /// The 2.5% quantile of the paired differences (the lower end of the
    /// 95% credible interval of the effect under a posterior).
    pub diff_q025: Option<Decimals<3>>,
    /// The 97.5% quantile.
    pub diff_q975: Option<Decimals<3>>,
    /// The share of replicates whose difference is positive (the posterior
    /// probability that the effect is positive under a posterior).
    pub prob_diff_positive: Option<Decimals<3>>,
    /// Under a posterior: the 95% interval of the mean paired difference at
    /// the scenarios' own parameter values (Monte-Carlo noise only).
    pub mc_diff_ci95_low: Option<Decimals<3>>,
    /// Upper end.
    pub mc_diff_ci95_high: Option<Decimals<3>>,
}

/// A row of `compare_daily.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyRecord {
    /// The day.
    pub date: NaiveDate,
    /// Scenario.
    pub scenario: String,
    /// Place.
    pub place: String,
    /// Metric.
    pub metric: String,
    /// Mean over replicates.
    pub mean: Decimals<3>,
    /// Lower end of the 95% interval.
    pub ci95_low: Decimals<3>,
    /// Upper end.
    pub ci95_high: Decimals<3>,
    /// The 2.5% quantile over replicates: the lower edge of the band where
    /// 95% of runs fall (posterior-predictive under a posterior).
    pub q025: Decimals<3>,
    /// The 97.5% quantile.
    pub q975: Decimals<3>,
}

/// `compare_summary.csv`: each scenario's mean, sd and 95% interval of every
/// headline figure, and the paired difference from the base.
pub fn summary_csv(rows: &[SummaryRow]) -> Result<Vec<u8>, csv::Error> {
    csv_of(rows.iter().map(|r| SummaryRecord {
        scenario: r.scenario.clone(),
        place: r.place.clone(),
        metric: r.metric.clone(),
        mean: Decimals(r.value.mean),
        sd: Decimals(r.value.sd),
        ci95_low: Decimals(r.value.low),
        ci95_high: Decimals(r.value.high),
        q025: Decimals(r.value.q025),
        q975: Decimals(r.value.q975),
        diff_vs_base: r.diff.map(|d| Decimals(d.mean)),
        diff_ci95_low: r.diff.map(|d| Decimals(d.low)),
        diff_ci95_high: r.diff.map(|d| Decimals(d.high)),
        diff_q025: r.diff.map(|d| Decimals(d.q025)),
        diff_q975: r.diff.map(|d| Decimals(d.q975)),
        prob_diff_positive: r.diff.map(|d| Decimals(d.share_positive)),
        mc_diff_ci95_low: r.mc_diff.map(|d| Decimals(d.low)),
        mc_diff_ci95_high: r.mc_diff.map(|d| Decimals(d.high)),
    }))
}

/// The file of what each alternative changes: [`ChangeRow`]s.
pub const CHANGES_CSV: &str = "compare_changes.csv";

/// A row of [`CHANGES_CSV`]: one key in which an alternative differs from
/// the base as it runs (after `extends` and `--set`), as `exodus diff`
/// prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRow {
    /// The alternative.
    pub scenario: String,
    /// The key, as `--set` names it (`policy[finland-ban].start`).
    pub path: String,
    /// Its value in the base (empty where the base has none).
    pub base: String,
    /// Its value in the alternative (empty where it has none).
    pub alternative: String,
}

/// `compare_changes.csv`: what each alternative changes.
pub fn changes_csv(rows: &[ChangeRow]) -> Result<Vec<u8>, csv::Error> {
    csv_of(rows.iter().cloned())
}

/// The file of every scenario's policies, base first: [`ScenarioPolicy`]s,
/// from which the report draws each scenario's policy timeline.
pub const POLICIES_CSV: &str = "compare_policies.csv";

/// A row of [`POLICIES_CSV`]: one policy of one scenario, as a run's
/// `policies.csv` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioPolicy {
    /// The scenario.
    pub scenario: String,
    /// The policy's id.
    pub id: String,
    /// Its kind, as scenario files name it.
    pub kind: String,
    /// The first day it is in force.
    pub start: NaiveDate,
    /// The last day it is in force (none while the run lasts).
    pub end: Option<NaiveDate>,
    /// The first day men know of it.
    pub known_from: NaiveDate,
    /// The crossings it applies to, by id, separated by spaces.
    pub crossings: String,
    /// Where it comes from.
    pub source: String,
}

impl ScenarioPolicy {
    /// The policies of `scenario`, in its order.
    pub fn of(scenario: &Scenario) -> Vec<Self> {
        crate::output::policy_rows(scenario)
            .into_iter()
            .map(|p| Self {
                scenario: scenario.name().to_owned(),
                id: p.id,
                kind: p.kind,
                start: p.start,
                end: p.end,
                known_from: p.known_from,
                crossings: p.crossings,
                source: p.source,
            })
            .collect()
    }

    /// The policy alone, as a run's `policies.csv` has it.
    pub fn policy(&self) -> crate::output::PolicyRow {
        crate::output::PolicyRow {
            id: self.id.clone(),
            kind: self.kind.clone(),
            start: self.start,
            end: self.end,
            known_from: self.known_from,
            crossings: self.crossings.clone(),
            source: self.source.clone(),
        }
    }
}

/// `compare_policies.csv`: every scenario's policies.
pub fn policies_csv(rows: &[ScenarioPolicy]) -> Result<Vec<u8>, csv::Error> {
    csv_of(rows.iter().cloned())
}

/// `compare_daily.csv`: each scenario's mean and 95% interval of every
/// daily series, day by day.
pub fn daily_csv(runs: &[ScenarioRuns]) -> Result<Vec<u8>, csv::Error> {
    let mut records = Vec::new();
    for s in runs {
        let keys: Vec<&Key> = s
            .replicates
            .first()
            .map(|o| o.daily.keys().collect())
            .unwrap_or_default();
        for day in 0..s.calendar.days as usize {
            let date = s.calendar.date(day as i64);
            for key in &keys {
                let values: Vec<f64> = s
                    .replicates
                    .iter()
                    .map(|o| {
                        o.daily
                            .get(*key)
                            .and_then(|v| v.get(day))
                            .copied()
                            .unwrap_or(0.0)
                    })
                    .collect();
                let i = Interval::of(&values);
                records.push(DailyRecord {
                    date,
                    scenario: s.name.clone(),
                    place: key.0.clone(),
                    metric: key.1.clone(),
                    mean: Decimals(i.mean),
                    ci95_low: Decimals(i.low),
                    ci95_high: Decimals(i.high),
                    q025: Decimals(i.q025),
                    q975: Decimals(i.q975),
                });
            }
        }
    }
    csv_of(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_table_and_approach_the_normal() {
        assert_eq!(t975(1), 12.706);
        assert_eq!(t975(19), 2.093);
        assert!((t975(60) - 2.001).abs() < 0.005);
        assert!((t975(10_000) - 1.960).abs() < 0.001);
    }

    #[test]
    fn intervals_of_samples() {
        let i = Interval::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(i.mean, 3.0);
        assert!((i.sd - 2.5f64.sqrt()).abs() < 1e-12);
        assert!((i.high - i.mean - 2.776 * i.sd / 5f64.sqrt()).abs() < 1e-12);
        let single = Interval::of(&[7.0]);
        assert_eq!((single.low, single.high), (7.0, 7.0));
    }
}
