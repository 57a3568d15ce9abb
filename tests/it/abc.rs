//! Bayesian calibration (`exodus calibrate --method abc-smc`) through the
//! real CLI: a synthetic case whose truth is known, simulated with one seed,
//! its figures written as the observed ones, and calibrated with another.

use std::fs;
use std::path::{Path, PathBuf};

use exodus::calibrate::SummaryRow;
use exodus::rng::{self, Stream};
use predicates::prelude::*;
use rand::RngExt;

use super::{Fixture, exodus};

/// The calibrated parameters: path, lower and upper bound.
const PARAMETERS: [(&str, f64, f64); 3] = [
    ("decision.base_log_hazard", -10.0, -7.0),
    ("destination[Georgia].constant", -1.0, 3.0),
    ("destination[Finland].constant", 0.0, 4.0),
];

/// The tiny fixture's own values of the parameters: the truth of the
/// recovery test.
const TRUTH: [f64; 3] = [-8.3, 1.2, 2.0];

/// The targets: the exodus to each destination (whole period; Finland up to
/// its ban), with the given observed values.
fn targets(values: [f64; 3]) -> String {
    let windows = [
        ("kz", "Kazakhstan", "2022-10-09"),
        ("ge", "Georgia", "2022-10-09"),
        ("fi", "Finland", "2022-09-29"),
    ];
    windows
        .iter()
        .zip(values)
        .map(|((id, place, to), v)| {
            format!(
                "[[target]]\nid = \"{id}\"\nplace = \"{place}\"\nmetric = \"exodus\"\nfrom = 2022-09-21\nto = {to}\nvalue = {v}\n\n"
            )
        })
        .collect()
}

/// `[calibration]` over [`PARAMETERS`].
fn calibration() -> String {
    let mut text = String::from("[calibration]\nreplicates = 1\n\n");
    for (path, lower, upper) in PARAMETERS {
        text.push_str(&format!(
            "[[calibration.parameter]]\npath = \"{path}\"\nlower = {lower:?}\nupper = {upper:?}\n\n"
        ));
    }
    text
}

/// The tiny fixture at the parameter values `truth`.
fn at(truth: [f64; 3]) -> Fixture {
    Fixture::tiny()
        .set(
            "base_log_hazard = -8.3\n",
            &format!("base_log_hazard = {:?}\n", truth[0]),
        )
        .set("constant = 1.2\n", &format!("constant = {:?}\n", truth[1]))
        .set("constant = 2.0\n", &format!("constant = {:?}\n", truth[2]))
}

/// A synthetic case: the model's own figures at `truth` (one run with seed
/// `data_seed`, measured by `exodus score`) as the observed figures, and
/// the scenario to calibrate (back at the fixture's values, seed 42).
fn synthetic(truth: [f64; 3], data_seed: u64) -> Fixture {
    let simulated = at(truth).append(&targets([1.0; 3]));
    let run = simulated.dir().join("truth");
    exodus()
        .args(["run", "--quiet", "--seed", &data_seed.to_string(), "--out"])
        .arg(&run)
        .arg(simulated.write())
        .assert()
        .success();
    exodus()
        .args(["score", "--observed"])
        .arg(run.join("targets.csv"))
        .arg(&run)
        .assert()
        .success();
    let mut rows = csv::Reader::from_path(run.join("score.csv")).unwrap();
    let header = rows.headers().unwrap().clone();
    let column = header.iter().position(|h| h == "simulated").unwrap();
    let observed: Vec<f64> = rows
        .records()
        .map(|r| r.unwrap()[column].parse().unwrap())
        .collect();
    let observed: [f64; 3] = observed.try_into().unwrap();
    Fixture::tiny()
        .append(&targets(observed))
        .append(&calibration())
}

/// The options of a small ABC-SMC run: 40 particles, at most 400 runs.
const SMALL: [&str; 8] = [
    "--method",
    "abc-smc",
    "--particles",
    "40",
    "--budget",
    "400",
    "--min-acceptance",
    "0.05",
];

/// Runs `exodus calibrate` with `args` on `fx` into `<fixture>/<name>`.
fn calibrate(fx: &Fixture, name: &str, args: &[&str]) -> PathBuf {
    let out = fx.dir().join(name);
    exodus()
        .arg("calibrate")
        .args(args)
        .arg("--out")
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success();
    out
}

fn summary(out: &Path) -> Vec<SummaryRow> {
    csv::Reader::from_path(out.join("posterior_summary.csv"))
        .unwrap()
        .deserialize()
        .map(|r| r.unwrap())
        .collect()
}

/// The synthetic recovery of issue 13: the 90% credible intervals contain
/// the truth, and the data narrow the size of the exodus (the base hazard)
/// well below its prior. The seeds are fixed, so the test is deterministic;
/// at other seeds a correct sampler misses a truth about as often as the
/// coverage study (`docs/calibration.md`) reports.
#[test]
fn abc_smc_recovers_known_parameters_within_its_credible_intervals() {
    let fx = synthetic(TRUTH, 7);
    let out = calibrate(&fx, "abc", &[&SMALL[..], &["--quiet"]].concat());
    let rows = summary(&out);
    assert_eq!(rows.len(), 3);
    for ((row, (path, ..)), truth) in rows.iter().zip(PARAMETERS).zip(TRUTH) {
        assert_eq!(row.parameter, path);
        assert!(
            row.p05.0 <= truth && truth <= row.p95.0,
            "{path}: 90% interval [{}, {}] misses the truth {truth}",
            row.p05.0,
            row.p95.0
        );
    }
    assert!(
        rows[0].width_ratio.0 < 0.5,
        "the exodus's size pins the hazard down: {rows:?}"
    );

    // posterior.csv: the exact columns, weights summing to 1.
    let posterior = fs::read_to_string(out.join("posterior.csv")).unwrap();
    assert_eq!(
        posterior.lines().next(),
        Some(
            "particle,weight,decision.base_log_hazard,destination[Georgia].constant,destination[Finland].constant,distance"
        )
    );
    let mut reader = csv::Reader::from_reader(posterior.as_bytes());
    let weights: Vec<f64> = reader
        .records()
        .map(|r| r.unwrap()[1].parse().unwrap())
        .collect();
    assert_eq!(weights.len(), 40);
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);

    // generations.csv: the tolerance falls, generation 0 accepts all.
    let mut generations = csv::Reader::from_path(out.join("generations.csv")).unwrap();
    let rows: Vec<exodus::calibrate::GenerationRow> =
        generations.deserialize().map(|r| r.unwrap()).collect();
    assert!(rows.len() >= 3, "{rows:?}");
    assert_eq!(rows[0].acceptance_rate.0, 1.0);
    assert!(rows.windows(2).all(|g| g[1].tolerance.0 < g[0].tolerance.0));
    let runs: usize = rows.iter().map(|g| g.simulations).sum();
    assert!(runs <= 400, "the budget caps the runs: {runs}");

    // calibrated.toml names its posterior and runs from the folder.
    let calibrated = fs::read_to_string(out.join("calibrated.toml")).unwrap();
    assert!(calibrated.starts_with("# Calibrated by exodus calibrate --method abc-smc"));
    assert!(calibrated.contains("#   posterior: posterior.csv beside this file"));
    exodus()
        .arg("check")
        .arg(out.join("calibrated.toml"))
        .assert()
        .success();
    for chart in ["posterior_marginals", "posterior_pairs"] {
        for ext in ["svg", "png"] {
            assert!(
                out.join(format!("{chart}.{ext}")).is_file(),
                "{chart}.{ext}"
            );
        }
    }
    assert!(super::assert_complete_or_unmarked(
        &out,
        exodus::output::FOLDER_MANIFEST
    ));

    // The posterior-predictive check: every target measured in 100
    // replicates drawn from the posterior, its band holding the synthetic
    // figure (made by the model itself at the truth), and the charts drawn.
    let predictive = out.join("predictive");
    let figures: Vec<exodus::validate::ValidationRecord> =
        csv::Reader::from_path(predictive.join("validation.csv"))
            .unwrap()
            .deserialize()
            .map(|r| r.unwrap())
            .collect();
    let ids: Vec<&str> = figures.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["kz", "ge", "fi"]);
    for f in &figures {
        assert_eq!((f.kind.as_str(), f.status.as_str()), ("target", "scored"));
        assert_eq!(f.inside_band, Some(true), "{f:?}");
    }
    let manifest = super::folder_manifest(&predictive);
    assert_eq!(manifest["settings"]["replicates"].as_integer(), Some(100));
    assert!(
        predictive.read_dir().unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".png")),
        "the bands are drawn"
    );
}

/// `generations.csv` without its wall times.
fn without_seconds(text: &str) -> String {
    text.lines()
        .map(|l| l.rsplit_once(',').map_or(l, |(head, _)| head))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_abc_smc_posterior_is_the_same_with_one_thread_or_two() {
    let fx = synthetic(TRUTH, 7);
    let small = [
        "--method",
        "abc-smc",
        "--particles",
        "12",
        "--budget",
        "48",
        "--quiet",
    ];
    let one = calibrate(&fx, "one", &[&small[..], &["--threads", "1"]].concat());
    let two = calibrate(&fx, "two", &[&small[..], &["--threads", "2"]].concat());
    for name in [
        "posterior.csv",
        "posterior_summary.csv",
        "fit.csv",
        "calibrated.toml",
    ] {
        assert_eq!(
            fs::read(one.join(name)).unwrap(),
            fs::read(two.join(name)).unwrap(),
            "{name}"
        );
    }
    for name in ["validation.csv", "validation_daily.csv"] {
        assert_eq!(
            fs::read(one.join("predictive").join(name)).unwrap(),
            fs::read(two.join("predictive").join(name)).unwrap(),
            "predictive/{name}"
        );
    }
    let read = |dir: &Path| fs::read_to_string(dir.join("generations.csv")).unwrap();
    assert_eq!(without_seconds(&read(&one)), without_seconds(&read(&two)));
}

#[test]
fn priors_are_validated_with_their_place() {
    let bad = |extra: &str, message: &str| {
        let fx = Fixture::tiny()
            .append(&targets([1000.0; 3]))
            .append(&calibration().replacen(
                "upper = -7.0\n",
                &format!("upper = -7.0\n{extra}\n"),
                1,
            ));
        exodus()
            .arg("check")
            .arg(fx.write())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    };
    bad(
        "prior = \"gamma\"",
        "`gamma` is not valid: use `uniform` (the default), `normal` or `beta`",
    );
    bad(
        "prior = \"normal\"\nsd = 0.5",
        "a `normal` prior needs `mean`",
    );
    bad(
        "mean = -8.0",
        "`mean` belongs to a `normal` or `beta` prior",
    );
    bad(
        "prior = \"normal\"\nmean = -2.0\nsd = 0.5",
        "at least 1% must lie within them",
    );
    bad(
        "prior = \"beta\"\nmean = -8.0\nsd = 2.0",
        "must have an sd below",
    );
    bad(
        "prior = \"normal\"\nmean = -8.0\nsd = 0",
        "sd`: must be a standard deviation above 0",
    );
    // A valid normal prior passes.
    let fx = Fixture::tiny()
        .append(&targets([1000.0; 3]))
        .append(&calibration().replacen(
            "upper = -7.0\n",
            "upper = -7.0\nprior = \"normal\"\nmean = -8.0\nsd = 0.5\n",
            1,
        ));
    exodus().arg("check").arg(fx.write()).assert().success();
}

#[test]
fn abc_smc_refuses_a_budget_below_its_first_generation() {
    let fx = Fixture::tiny()
        .append(&targets([1000.0; 3]))
        .append(&calibration());
    exodus()
        .current_dir(fx.dir())
        .args([
            "calibrate",
            "--method",
            "abc-smc",
            "--particles",
            "50",
            "--budget",
            "20",
            "--quiet",
        ])
        .arg(fx.write())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--budget 20 is too small: the first generation alone needs 50 runs",
        ));
    // Refused after it claimed `output/tiny/calibration`: the folders made
    // to hold it are gone again (it left an empty `output/tiny`).
    assert!(!fx.dir().join("output").exists());
}

/// Posterior coverage over repeated synthetic data sets: each truth drawn
/// from the prior (uniform within the bounds), its figures simulated with
/// a seed of its own, and calibrated as in the recovery test; the share of
/// 90% intervals that contain the truth is printed (and must be at least
/// 70%: with 3 × 20 intervals at a true 90%, fewer than 42 contain the
/// truth with a chance below 10⁻⁵). Slow (20 calibrations): run with
/// `cargo test --release --test it coverage -- --ignored --nocapture`.
#[test]
#[ignore = "slow: 20 calibrations"]
fn coverage_of_abc_smc_credible_intervals() {
    let sets = 20;
    let mut rng = rng::stream(2026, Stream::Search { restart: 0 });
    let mut hits = [0usize; 3];
    for k in 0..sets {
        let truth =
            PARAMETERS.map(|(_, lower, upper)| lower + rng.random::<f64>() * (upper - lower));
        let fx = synthetic(truth, 1000 + k);
        let out = calibrate(&fx, "abc", &[&SMALL[..], &["--quiet"]].concat());
        for (i, row) in summary(&out).iter().enumerate() {
            let inside = row.p05.0 <= truth[i] && truth[i] <= row.p95.0;
            hits[i] += usize::from(inside);
            println!(
                "set {k} {}: truth {:.3}, 90% interval [{}, {}] {}",
                row.parameter,
                truth[i],
                row.p05.0,
                row.p95.0,
                if inside { "contains it" } else { "MISSES" }
            );
        }
    }
    let total: usize = hits.iter().sum();
    for (i, (path, ..)) in PARAMETERS.iter().enumerate() {
        println!("{path}: {}/{sets} intervals contain the truth", hits[i]);
    }
    println!(
        "all: {total}/{} = {:.1}%",
        3 * sets,
        100.0 * total as f64 / (3 * sets) as f64
    );
    assert!(total >= 42, "{total}/{}", 3 * sets);
}
