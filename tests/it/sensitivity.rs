//! `exodus sensitivity` through the real CLI on the tiny fixture: the
//! files it writes, their independence of the thread count, what the
//! indices say of a parameter known to dominate, the counterfactual's
//! effect, and the settings it refuses.

use std::fs;
use std::path::PathBuf;

use predicates::prelude::*;

use super::{Fixture, assert_complete_or_unmarked, exodus};

/// The tiny fixture with three parameters to vary: the hazard (the size of
/// the exodus, over a factor e^1.5 ≈ 4.5), the peer effect, and the
/// patience in queues.
fn with_parameters() -> Fixture {
    Fixture::tiny().append(
        "[calibration]\n\
         [[calibration.parameter]]\npath = \"decision.base_log_hazard\"\nlower = -9.0\nupper = -7.5\n\n\
         [[calibration.parameter]]\npath = \"decision.peer\"\nlower = 0.0\nupper = 0.8\n\n\
         [[calibration.parameter]]\npath = \"queue.patience_mean_days\"\nlower = 1.0\nupper = 10.0\nscale = \"log\"\n",
    )
}

/// `exodus sensitivity` of `fx` into `<fixture>/<name>` with `args`; the folder.
fn sensitivity(fx: &Fixture, name: &str, args: &[&str]) -> PathBuf {
    let out = fx.dir().join(name);
    exodus()
        .arg("sensitivity")
        .arg(fx.write())
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

/// The rows of a `sensitivity.csv` as (output, parameter, index, value).
fn indices(dir: &std::path::Path) -> Vec<(String, String, String, Option<f64>)> {
    let mut reader = csv::Reader::from_path(dir.join("sensitivity.csv")).unwrap();
    reader
        .deserialize::<exodus::sensitivity::SensitivityRecord>()
        .map(|r| {
            let r = r.unwrap();
            (r.output, r.parameter, r.index, r.value.map(|v| v.0))
        })
        .collect()
}

#[test]
fn sobol_analysis_writes_its_tables_and_chart_identically_for_any_threads() {
    let fx = with_parameters();
    let args = [
        "--samples",
        "4",
        "--parameters",
        "decision.base_log_hazard,decision.peer",
        "--outputs",
        "exodus_national,exodus_georgia",
        "--resamples",
        "200",
    ];
    let one = sensitivity(&fx, "one", &[&args[..], &["--threads", "1"]].concat());
    let two = sensitivity(&fx, "two", &[&args[..], &["--threads", "2"]].concat());
    for file in ["sensitivity.csv", "sensitivity_runs.csv"] {
        let (a, b) = (
            fs::read(one.join(file)).unwrap(),
            fs::read(two.join(file)).unwrap(),
        );
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    assert!(assert_complete_or_unmarked(&one, "manifest.toml"));
    for chart in ["sensitivity.svg", "sensitivity.png"] {
        assert!(
            fs::metadata(one.join(chart)).unwrap().len() > 1000,
            "{chart}"
        );
    }
    let text = fs::read_to_string(one.join("sensitivity.csv")).unwrap();
    assert!(
        text.starts_with("output,parameter,method,index,value,low,high\n"),
        "{text}"
    );
    // 2 outputs × 2 parameters × (S1, ST).
    assert_eq!(indices(&one).len(), 8);
    // N(d + 2) = 4 · 4 = 16 runs; the runs of a base row share their seed.
    let runs = fs::read_to_string(one.join("sensitivity_runs.csv")).unwrap();
    let lines: Vec<&str> = runs.lines().collect();
    assert_eq!(lines.len(), 1 + 16);
    assert_eq!(
        lines[0],
        "point,key,seed,parameter_decision_base_log_hazard,parameter_decision_peer,exodus_national,exodus_georgia"
    );
    let seed = |l: &str| l.split(',').nth(2).unwrap().to_owned();
    assert_eq!(seed(lines[1]), seed(lines[4]));
    assert_ne!(seed(lines[1]), seed(lines[5]));
}

/// The hazard spans a factor of 4.5 in everyone's daily odds of leaving,
/// and every man's decision goes through it; the peer effect and the
/// patience in queues act on some men on some days. With 6 trajectories
/// (24 runs) μ* ranks the hazard first on the national exodus (measured:
/// 55,750 persons per unit range against the patience's 36,750; the seed
/// is fixed, so this is deterministic).
#[test]
fn morris_screening_finds_the_parameter_that_sizes_the_exodus() {
    let fx = with_parameters();
    let out = sensitivity(
        &fx,
        "morris",
        &[
            "--method",
            "morris",
            "--trajectories",
            "6",
            "--outputs",
            "exodus_national",
        ],
    );
    let rows = indices(&out);
    let mu = |p: &str| {
        rows.iter()
            .find(|r| r.1 == p && r.2 == "mu_star")
            .and_then(|r| r.3)
            .unwrap()
    };
    let hazard = mu("decision.base_log_hazard");
    for other in ["decision.peer", "queue.patience_mean_days"] {
        assert!(
            hazard > 1.2 * mu(other),
            "μ*: hazard {hazard}, {other} {}",
            mu(other)
        );
    }
    assert_eq!(rows.len(), 3 * 2, "μ* and σ per parameter");
    let runs = fs::read_to_string(out.join("sensitivity_runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 6 * 4, "r(d + 1) runs");
}

/// The counterfactual's runs use the same parameters and seed as the
/// base's: against an identical copy of the base, every effect is exactly
/// zero, so it has no variance and no indices.
#[test]
fn the_effect_of_an_identical_alternative_is_exactly_zero() {
    let fx = with_parameters();
    let alt = fx.dir().join("alt.toml");
    fs::write(
        &alt,
        fs::read_to_string(fx.write())
            .unwrap()
            .replacen("name = \"tiny\"", "name = \"copy\"", 1),
    )
    .unwrap();
    let out = sensitivity(
        &fx,
        "effect",
        &[
            "--samples",
            "2",
            "--parameters",
            "decision.peer",
            "--outputs",
            "exodus_national,effect_exodus_national",
            "--effect-of",
            alt.to_str().unwrap(),
        ],
    );
    let runs = fs::read_to_string(out.join("sensitivity_runs.csv")).unwrap();
    for line in runs.lines().skip(1) {
        assert!(line.ends_with(",0.000"), "{line}");
    }
    let rows = indices(&out);
    assert!(
        rows.iter()
            .filter(|r| r.0 == "effect_exodus_national")
            .all(|r| r.3.is_none())
    );
}

#[test]
fn absurd_settings_are_refused_with_what_would_be_valid() {
    let fx = with_parameters();
    let refused = |args: &[&str], message: &str| {
        exodus()
            .arg("sensitivity")
            .arg(fx.write())
            .args(args)
            .arg("--out")
            .arg(fx.dir().join("refused"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    };
    refused(&["--samples", "48"], "a power of two");
    refused(
        &["--outputs", "exodus_georgai"],
        "did you mean one of `exodus_georgia`",
    );
    refused(
        &["--parameters", "decision.pear"],
        "did you mean one of `decision.peer`",
    );
    refused(
        &["--outputs", "effect_exodus_national"],
        "--effect-of ALT.toml",
    );
    refused(&["--trajectories", "5"], "not an option of --method sobol");
    refused(&["--method", "morris", "--levels", "5"], "an even number");
    refused(
        &["--parameters", "decision.peer,decision.peer"],
        "given twice",
    );
    let bare = Fixture::tiny();
    exodus()
        .arg("sensitivity")
        .arg(bare.write())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no [calibration] section"));
    assert!(
        !fx.dir().join("refused").exists(),
        "nothing ran, nothing written"
    );
}
