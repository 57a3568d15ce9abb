//! The count engine against the per-man reference: the same model, sampled
//! two ways, must give results with the same distribution.
//!
//! Men at home who have not acted are counts per cohort in a run
//! ([`Sampling::Counts`]); the reference ([`Sampling::PerMan`]) keeps every
//! man as an agent and draws one number per man and day, as the engine did
//! before. Each is run on the test fixture (`tests/fixtures/tiny.toml`,
//! 1:500) over [`SEEDS`] independent seeds (disjoint seed sets), and every
//! headline output is compared:
//!
//! - each destination's exodus over the run;
//! - drafted, stuck, returned, came back and awaiting a passport at the end;
//! - the peak queue of each crossing;
//! - the national stocks (at home, traveling, queued, abroad, drafted,
//!   stuck, returned, awaiting a passport) and the day's flows (decided,
//!   departed) on three dates.
//!
//! For each output, the means must agree within [`MAX_Z`] standard errors
//! (Welch's statistic), and so must the mean absolute deviations from the
//! median (the Brown–Forsythe form of Levene's test of equal variances, with
//! the same Welch statistic). With 200 runs a side, the statistic is
//! close to normal, and `P(|Z| > 4) ≈ 6.3·10⁻⁵` (7.5·10⁻⁵ for Student's t
//! with 200 degrees of freedom) per comparison. There are at most
//! [`MAX_COMPARISONS`] comparisons (outputs × 2), so the false-alarm rate
//! of the whole test is at most 150 × 7.5·10⁻⁵ ≈ 1.1% by Bonferroni's
//! inequality; in practice less, since the outputs are strongly correlated.
//! An output that is constant in both samples must be the same constant.
//!
//! The check has the power to see a small error: with every leave hazard of
//! the men at home raised by 5% in the count engine
//! ([`Sampling::CountsWithLeaveHazardPercent`]), it rejects
//! ([`a_five_percent_error_in_the_leave_hazard_is_rejected`]).

use std::sync::OnceLock;

use exodus::results::RunResults;
use exodus::settings::{RunSettings, Sampling};

use super::{Fixture, day};

/// Runs per sampling.
const SEEDS: u64 = 200;

/// Standard errors within which two means must agree.
const MAX_Z: f64 = 4.0;

/// The most comparisons the test makes (it checks that it makes no more).
const MAX_COMPARISONS: usize = 150;

/// Dates of the national stocks compared.
const DATES: [&str; 3] = ["2022-09-25", "2022-10-02", "2022-10-09"];

/// The headline outputs of one run, by name.
fn headline(r: &RunResults) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (d, name) in r.destinations.iter().enumerate() {
        out.push((format!("exodus to {name}"), r.total_exodus(d) as f64));
    }
    let last = r.national.last().expect("a run has days");
    out.push(("drafted".into(), last.drafted as f64));
    out.push((
        "drafted at the border".into(),
        last.drafted_at_border as f64,
    ));
    out.push(("stuck".into(), last.stuck as f64));
    out.push(("returned".into(), last.returned as f64));
    out.push(("came back".into(), last.came_back as f64));
    for (c, (id, _)) in r.crossings.iter().enumerate() {
        let peak = r.crossing_days.iter().map(|row| row[c].queue).max();
        out.push((format!("queue peak at {id}"), peak.unwrap_or(0) as f64));
    }
    for date in DATES {
        let n = &r.national[day(r, date)];
        let stocks = [
            ("at home", n.at_home),
            ("traveling", n.traveling),
            ("queued", n.queued),
            ("abroad", n.abroad),
            ("drafted", n.drafted),
            ("stuck", n.stuck),
            ("returned", n.returned),
            ("awaiting a passport", n.awaiting_passport),
            ("decided", n.decided),
            ("departed", n.departed),
        ];
        for (name, v) in stocks {
            out.push((format!("{name} on {date}"), v as f64));
        }
    }
    out
}

/// The headline outputs of `SEEDS` runs with `sampling`, seeds from `first`.
fn sample(sampling: Sampling, first: u64) -> Vec<Vec<(String, f64)>> {
    let (scenario, settings) = Fixture::tiny().prepare();
    let settings: RunSettings = settings.with_sampling(sampling);
    (first..first + SEEDS)
        .map(|seed| headline(&super::run(&scenario, &settings.with_seed(seed))))
        .collect()
}

/// The reference sample, shared by the tests.
fn reference() -> &'static Vec<Vec<(String, f64)>> {
    static REFERENCE: OnceLock<Vec<Vec<(String, f64)>>> = OnceLock::new();
    REFERENCE.get_or_init(|| sample(Sampling::PerMan, 1_000_000))
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// Welch's statistic of the difference of two means, or `None` when both
/// samples are constant (then `Some(inf)` if the constants differ).
fn welch(a: &[f64], b: &[f64]) -> Option<f64> {
    let ((ma, va), (mb, vb)) = (mean_var(a), mean_var(b));
    let se = (va / a.len() as f64 + vb / b.len() as f64).sqrt();
    if se == 0.0 {
        return (ma != mb).then_some(f64::INFINITY);
    }
    Some((ma - mb).abs() / se)
}

/// Absolute deviations from the median (Brown–Forsythe).
fn deviations(xs: &[f64]) -> Vec<f64> {
    let median = exodus::stats::median(xs.to_vec());
    xs.iter().map(|x| (x - median).abs()).collect()
}

/// The comparisons that fail: (output, test, statistic).
fn disagreements(
    a: &[Vec<(String, f64)>],
    b: &[Vec<(String, f64)>],
) -> (usize, Vec<(String, &'static str, f64)>) {
    let outputs = a[0].len();
    let mut failed = Vec::new();
    let mut comparisons = 0;
    for k in 0..outputs {
        let name = &a[0][k].0;
        let column = |s: &[Vec<(String, f64)>]| -> Vec<f64> {
            s.iter()
                .map(|run| {
                    assert_eq!(&run[k].0, name);
                    run[k].1
                })
                .collect()
        };
        let (xa, xb) = (column(a), column(b));
        for (test, z) in [
            ("mean", welch(&xa, &xb)),
            ("spread", welch(&deviations(&xa), &deviations(&xb))),
        ] {
            comparisons += 1;
            if let Some(z) = z.filter(|&z| z > MAX_Z) {
                failed.push((name.clone(), test, z));
            }
        }
    }
    (comparisons, failed)
}

/// Counts and the per-man loop agree in the mean and in the spread of every
/// headline output, over 200 seeds each (false-alarm rate at most about 1%,
/// see the module's comment).
#[test]
fn counts_match_the_per_man_reference_in_distribution() {
    let counts = sample(Sampling::Counts, 2_000_000);
    let (comparisons, failed) = disagreements(reference(), &counts);
    assert!(comparisons <= MAX_COMPARISONS, "{comparisons} comparisons");
    assert!(
        failed.is_empty(),
        "counts and the per-man reference differ (|Z| > {MAX_Z}): {failed:?}"
    );
    // The runs do move men, so the comparisons are not of zeros.
    let moved = counts.iter().map(|run| run[0].1).sum::<f64>();
    assert!(moved > 0.0);
}

/// The same check rejects a count engine whose leave hazard is 5% too high.
#[test]
fn a_five_percent_error_in_the_leave_hazard_is_rejected() {
    let wrong = sample(Sampling::CountsWithLeaveHazardPercent(105), 3_000_000);
    let (_, failed) = disagreements(reference(), &wrong);
    let worst = failed.iter().map(|f| f.2).fold(0.0, f64::max);
    eprintln!(
        "5% error: {} comparisons fail, the largest |Z| is {worst:.1}: {failed:?}",
        failed.len()
    );
    assert!(
        failed.len() >= 3,
        "a 5% error in the leave hazard must be seen: {failed:?}"
    );
}
