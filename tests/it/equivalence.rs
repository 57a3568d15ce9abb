//! The count engine against the per-man reference: the same model, sampled
//! two ways, must give results with the same distribution.
//!
//! Men at home who have not acted are counts per cohort in a run
//! ([`Sampling::Counts`]); the reference ([`Sampling::PerMan`]) keeps every
//! man as an agent and draws one number per man and day, as the engine did
//! before. Each is run over [`SEEDS`] independent seeds (disjoint seed
//! sets) on the test fixture (`tests/fixtures/tiny.toml`, 1:500) with every
//! mechanism that touches the men at home or the men who act: air routes to
//! Kazakhstan and Armenia booked ahead, onward travel from Kazakhstan (to
//! Georgia, Armenia and elsewhere), men going home from Georgia, the
//! resolute class, a rumoured exit ban and a ban on foreign passports that
//! refuses the applications pending ([`fixture`]). Every headline
//! output is compared:
//!
//! - each destination's exodus over the run, and the men who moved on from
//!   it, arrived in it from another country, and went home from it;
//! - the men who crossed by air to each destination reached by air;
//! - drafted, drafted at the border, stuck, returned, came back and moving
//!   on at the end;
//! - the peak queue of each land crossing;
//! - the national stocks (at home, traveling, queued, abroad, drafted,
//!   stuck, returned, awaiting a passport, moving on) and the day's flows
//!   (decided, departed) on three dates.
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

use exodus::results::{DestinationDay, RunResults};
use exodus::scenario::Scenario;
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

/// A rumoured exit ban a week after the decree (it raises the hazard of
/// leaving of the men at home while it lasts), and a ban on foreign
/// passports from 3 Oct that refuses the applications still pending (the
/// men refused are men at home again, as agents).
const POLICIES: &str = "
[[policy]]
id = \"rumour\"
kind = \"exit_ban_rumour\"
start = 2022-09-24
end = 2022-09-27
expected = 2022-09-30
credence = 0.8
fade_days = 1.0

[[policy]]
id = \"passport-ban\"
kind = \"foreign_passport_ban\"
start = 2022-10-03
refuse_pending = true
";

/// Three air routes, with seats enough at 1:500 for Moscow's flights to
/// Armenia to sell out on some days and not on others.
const AIR_ROUTES: &str = "id,airport,destination,seats,fare_rub,note
svo-armenia,svo,Armenia,60000,18000,test
led-armenia,led,Armenia,20000,18000,test
svx-kazakhstan,svx,Kazakhstan,20000,12000,test
";

/// The test fixture with air routes (to Kazakhstan, and to Armenia, reached
/// by air only), onward travel from Kazakhstan, men going home from Georgia,
/// the resolute class, a rumoured exit ban and a ban on foreign passports
/// that refuses pending applications.
fn fixture() -> Fixture {
    let fixture = Fixture::tiny()
        .set(
            "crossings = \"data/crossings.csv\"",
            "crossings = \"data/crossings.csv\"\nair_routes = \"data/test-air-routes.csv\"",
        )
        .set(
            "fatigue_per_day = 0.05",
            "fatigue_per_day = 0.05\nresolute_share = 0.03\nresolute = 6.0",
        )
        .set(
            "name = \"Kazakhstan\"\ndocuments = \"internal_passport\"\nconstant = 0.0",
            "name = \"Kazakhstan\"\ndocuments = \"internal_passport\"\nconstant = 0.0\n\
             onward_per_day = 0.1\n\
             onward = { Georgia = 0.3, Armenia = 0.5, elsewhere = 0.2 }\nonward_days = 2",
        )
        .set(
            "name = \"Georgia\"\ndocuments = \"foreign_passport\"\nconstant = 1.2",
            "name = \"Georgia\"\ndocuments = \"foreign_passport\"\nconstant = 1.2\n\
             return_per_day = 0.03",
        )
        .append(
            "[air]\nordinary_load = 0.6\nfare_surge = 1.5\ndomestic_flight_days = 0.5\n\
             domestic_flight_rub = 8000\nbooking_days = 30\n\n\
             [[destination]]\nname = \"Armenia\"\ndocuments = \"internal_passport\"\n\
             constant = -2.0\n",
        )
        .append(POLICIES);
    let routes = fixture.dir().join("data/test-air-routes.csv");
    std::fs::write(routes, AIR_ROUTES).expect("write the air routes");
    fixture
}

/// The headline outputs of one run, by name.
fn headline(scenario: &Scenario, r: &RunResults) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let air: Vec<bool> = scenario.crossings().iter().map(|x| x.is_air()).collect();
    for (d, name) in r.destinations.iter().enumerate() {
        out.push((format!("exodus to {name}"), r.total_exodus(d) as f64));
        let over_days = |field: fn(&DestinationDay) -> u64| -> f64 {
            r.destination_days
                .iter()
                .map(|row| field(&row[d]))
                .sum::<u64>() as f64
        };
        out.push((format!("moved on from {name}"), over_days(|x| x.moved_on)));
        out.push((
            format!("came on to {name}"),
            over_days(|x| x.onward_entries),
        ));
        out.push((format!("went home from {name}"), over_days(|x| x.went_home)));
        let by_air: u64 = r
            .crossings
            .iter()
            .enumerate()
            .filter(|&(c, &(_, to))| air[c] && to == d)
            .map(|(c, _)| {
                r.crossing_days
                    .iter()
                    .map(|row| row[c].crossed)
                    .sum::<u64>()
            })
            .sum();
        if air
            .iter()
            .zip(&r.crossings)
            .any(|(&a, &(_, to))| a && to == d)
        {
            out.push((format!("crossed by air to {name}"), by_air as f64));
        }
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
    out.push(("moving on".into(), last.moving_on as f64));
    for (c, (id, _)) in r.crossings.iter().enumerate().filter(|&(c, _)| !air[c]) {
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
            ("moving on", n.moving_on),
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
    let (scenario, settings) = fixture().prepare();
    let settings: RunSettings = settings.with_sampling(sampling);
    (first..first + SEEDS)
        .map(|seed| headline(&scenario, &super::run(&scenario, &settings.with_seed(seed))))
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
) -> (usize, f64, Vec<(String, &'static str, f64)>) {
    let outputs = a[0].len();
    let mut failed = Vec::new();
    let mut comparisons = 0;
    let mut worst: f64 = 0.0;
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
            worst = worst.max(z.unwrap_or(0.0));
            if let Some(z) = z.filter(|&z| z > MAX_Z) {
                failed.push((name.clone(), test, z));
            }
        }
    }
    (comparisons, worst, failed)
}

/// Counts and the per-man loop agree in the mean and in the spread of every
/// headline output, over 200 seeds each (false-alarm rate at most about 1%,
/// see the module's comment).
#[test]
fn counts_match_the_per_man_reference_in_distribution() {
    let counts = sample(Sampling::Counts, 2_000_000);
    let (comparisons, worst, failed) = disagreements(reference(), &counts);
    eprintln!(
        "counts against the per-man reference: {comparisons} comparisons, \
         the largest |Z| is {worst:.2}"
    );
    assert!(comparisons <= MAX_COMPARISONS, "{comparisons} comparisons");
    assert!(
        failed.is_empty(),
        "counts and the per-man reference differ (|Z| > {MAX_Z}): {failed:?}"
    );
    // The runs do move men, by land, by air and onward, so the comparisons
    // are not of zeros.
    for output in [
        "exodus to Kazakhstan",
        "crossed by air to Armenia",
        "crossed by air to Kazakhstan",
        "moved on from Kazakhstan",
        "came on to Armenia",
        "went home from Georgia",
    ] {
        let k = counts[0].iter().position(|(name, _)| name == output);
        let k = k.unwrap_or_else(|| panic!("no output {output}"));
        let total = counts.iter().map(|run| run[k].1).sum::<f64>();
        eprintln!("{output}: {:.1} a run", total / SEEDS as f64);
        assert!(total > 0.0, "nobody in {output}");
    }
}

/// The same check rejects a count engine whose leave hazard is 5% too high.
#[test]
fn a_five_percent_error_in_the_leave_hazard_is_rejected() {
    let wrong = sample(Sampling::CountsWithLeaveHazardPercent(105), 3_000_000);
    let (_, worst, failed) = disagreements(reference(), &wrong);
    eprintln!(
        "5% error: {} comparisons fail, the largest |Z| is {worst:.1}: {failed:?}",
        failed.len()
    );
    assert!(
        failed.len() >= 3,
        "a 5% error in the leave hazard must be seen: {failed:?}"
    );
}
