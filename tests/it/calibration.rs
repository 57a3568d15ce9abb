//! Calibration recovers known parameters, writes its report, and the shipped
//! default scenario fits its targets; scoring compares runs with figures.

use std::fs;
use std::path::{Path, PathBuf};

use exodus::calibrate::{self, Options};
use exodus::metrics::Observed;
use exodus::scenario::ScenarioDocument;
use exodus::settings::Overrides;
use predicates::prelude::*;

use super::{Fixture, exodus};

/// Calibration options for the tiny fixture: one replicate.
fn tiny_options(budget: u32, restarts: u32) -> Options {
    Options {
        budget,
        replicates: 1,
        restarts,
    }
}

/// Calibrates the scenario of `fx` at its own seed and scale (42, 1:500).
fn calibrate_fixture(
    fx: &Fixture,
    options: Options,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<calibrate::Calibration, calibrate::CalibrationError> {
    let doc = ScenarioDocument::load(&fx.write()).unwrap();
    let scenario = doc.scenario().unwrap();
    let settings = doc
        .calibration_settings(&scenario, &Overrides::default())
        .unwrap();
    assert_eq!((settings.seed(), settings.scale()), (42, 500));
    calibrate::calibrate(&doc, &settings, options, &|_| {}, stop)
}

/// The tiny fixture with a Kazakhstan target and the hazard to fit.
fn with_target(value: f64, hazard: &str) -> Fixture {
    Fixture::tiny()
        .set("base_log_hazard = -8.3", &format!("base_log_hazard = {hazard}"))
        .append(&format!(
            "[[target]]\nid = \"kz\"\nplace = \"Kazakhstan\"\nmetric = \"exodus\"\nfrom = 2022-09-21\nto = 2022-10-09\nvalue = {value}\n\n\
             [calibration]\nreplicates = 1\nbudget = 40\nrestarts = 2\n\n\
             [[calibration.parameter]]\npath = \"decision.base_log_hazard\"\nlower = -10.0\nupper = -6.0\n"
        ))
}

#[test]
fn calibration_recovers_a_known_parameter() {
    // The "observed" figure is what the model itself gives at a hazard of -8.0.
    let results = Fixture::tiny()
        .set("base_log_hazard = -8.3", "base_log_hazard = -8.0")
        .run();
    let kz = results
        .crossings
        .iter()
        .enumerate()
        .filter(|(_, (_, d))| *d == 0)
        .map(|(c, _)| c);
    let observed: u64 = kz
        .flat_map(|c| {
            results
                .crossing_days
                .iter()
                .skip(2)
                .map(move |day| day[c].crossed)
        })
        .sum();

    let fx = with_target(observed as f64, "-9.5");
    let fit = calibrate_fixture(&fx, tiny_options(40, 2), &|| false).unwrap();
    let hazard = fit.parameters[0].value;
    assert!((hazard + 8.0).abs() < 0.15, "fitted {hazard}, truth -8.0");
    assert!(fit.fits[0].log_error.abs() < 0.02, "{:?}", fit.fits[0]);
    assert!(fit.trace.len() <= 40, "the budget caps the evaluations");
    assert_eq!(fit.parameters[0].at_bound, None);
}

#[test]
fn a_stopped_calibration_reports_the_stop_not_an_optimizer_failure() {
    let fx = with_target(40_000.0, "-9.0");
    let err = calibrate_fixture(&fx, tiny_options(40, 0), &|| true).unwrap_err();
    assert!(
        matches!(
            err,
            calibrate::CalibrationError::Engine(exodus::engine::EngineError::Stopped)
        ),
        "{err:?}"
    );
}

#[test]
fn calibrate_command_writes_its_report_and_a_runnable_scenario() {
    let fx = with_target(40_000.0, "-9.0");
    let out = fx.dir().join("cal");
    exodus()
        .args(["calibrate", "--budget", "8", "--restarts", "0", "--out"])
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("decision.base_log_hazard")
                .and(predicate::str::contains("kz")),
        );
    let fit = fs::read_to_string(out.join("fit.csv")).unwrap();
    assert!(fit.starts_with("target,place,metric,from,to,observed,simulated_mean,simulated_sd,log_error,tolerance,within_tolerance"));
    let trace = fs::read_to_string(out.join("trace.csv")).unwrap();
    assert_eq!(
        trace.lines().next(),
        Some("evaluation,parameter_decision_base_log_hazard,loss")
    );
    assert_eq!(trace.lines().count(), 1 + 8);
    let parameters = fs::read_to_string(out.join("parameters.csv")).unwrap();
    assert!(parameters.contains("decision.base_log_hazard"));
    assert!(super::assert_complete_or_unmarked(
        &out,
        exodus::output::FOLDER_MANIFEST
    ));
    let calibrated = fs::read_to_string(out.join("calibrated.toml")).unwrap();
    assert!(calibrated.starts_with("# Calibrated by exodus calibrate"));
    assert!(
        calibrated.contains("# A small scenario for tests"),
        "comments are kept"
    );
    assert!(
        !calibrated.contains("base_log_hazard = -9.0\n"),
        "the value was replaced"
    );
    // The calibrated scenario is ready to run: it sits beside the data it needs.
    let ready = fx.dir().join("calibrated.toml");
    fs::copy(out.join("calibrated.toml"), &ready).unwrap();
    exodus().arg("check").arg(&ready).assert().success();
}

#[test]
fn default_scenario_fits_its_targets_at_reduced_scale() {
    let overrides = Overrides {
        scale: Some(20),
        ..Overrides::default()
    };
    let (scenario, settings) = ScenarioDocument::embedded_default()
        .and_then(|doc| doc.prepare(&overrides))
        .unwrap();
    assert_eq!(scenario.targets().len(), 6);
    let results = super::run(&scenario, &settings);
    for t in scenario.targets() {
        let simulated = t.measure.evaluate(&results);
        let Observed::Value(observed) = t.observed else {
            panic!("point targets")
        };
        // 1:20 adds sampling noise of well under 2% to these totals.
        let error = simulated / observed - 1.0;
        assert!(
            error.abs() <= t.tolerance + 0.02,
            "{}: simulated {simulated}, observed {observed}",
            t.id
        );
    }
}

fn observed_csv(fx: &Fixture, rows: &str) -> PathBuf {
    let path = fx.dir().join("observed.csv");
    fs::write(
        &path,
        format!("id,kind,date_from,date_to,place,metric,value,low,high,note\n{rows}"),
    )
    .unwrap();
    path
}

/// `exodus score RUN --observed FILE`.
fn score(run: &Path, observed: &Path) -> assert_cmd::assert::Assert {
    exodus()
        .arg("score")
        .arg(run)
        .arg("--observed")
        .arg(observed)
        .assert()
}

#[test]
fn score_compares_a_run_with_observed_figures() {
    let fx = Fixture::tiny();
    let run = fx.run_cli("run");
    let observed = observed_csv(
        &fx,
        "kz,target,2022-09-21,2022-10-09,Kazakhstan,entries,150000,,,\n\
         lars-day,heldout,2022-09-25,2022-09-25,upper-lars,entries,6000,,,\n\
         fi-day,target,2022-09-25,2022-09-25,vaalimaa+nuijamaa,entries,,2000,4000,an interval\n\
         draft,target,2022-09-21,2022-10-09,national,drafted,200000,,,\n\
         base,baseline,2022-09-19,2022-09-19,Georgia,entries,5500,,,skipped: not a target\n",
    );
    score(&run, &observed).success().stdout(
        predicate::str::contains("figures scored                 4")
            .and(predicate::str::contains("median |log error|"))
            .and(predicate::str::contains("within ±25%"))
            .and(predicate::str::contains("over 2 daily figures")),
    );
    let score = fs::read_to_string(run.join("score.csv")).unwrap();
    let mut lines = score.lines();
    assert_eq!(
        lines.next(),
        Some("id,place,metric,date_from,date_to,observed,simulated,ratio,log_error,within_25pct")
    );
    assert_eq!(lines.count(), 4);
    assert!(score.contains("fi-day,vaalimaa+nuijamaa,entries,2022-09-25,2022-09-25,2000-4000,"));
}

#[test]
fn score_rejects_unknown_places_and_metrics_with_the_valid_names() {
    let fx = Fixture::tiny();
    let run = fx.run_cli("run");
    let observed = observed_csv(
        &fx,
        "x,target,2022-09-21,2022-09-27,Armenia,entries,100,,,\n",
    );
    score(&run, &observed).code(2).stderr(
        predicate::str::contains("observed.csv:2")
            .and(predicate::str::contains("`Armenia` is not a place"))
            .and(predicate::str::contains("Kazakhstan, Georgia, Finland"))
            .and(predicate::str::contains("upper-lars")),
    );
    let observed = observed_csv(
        &fx,
        "x,target,2022-09-21,2022-09-27,Georgia,arrivals,100,,,\n",
    );
    score(&run, &observed).code(2).stderr(
        predicate::str::contains("`arrivals` is not a metric")
            .and(predicate::str::contains("max_daily_entries")),
    );
}

#[test]
fn run_with_score_scores_right_after_the_run() {
    let fx = Fixture::tiny();
    let run = fx.dir().join("run");
    let observed = observed_csv(
        &fx,
        "kz,target,2022-09-21,2022-10-09,Kazakhstan,entries,150000,,,\n",
    );
    exodus()
        .args(["run", "--out"])
        .arg(&run)
        .arg("--score")
        .arg(&observed)
        .arg(fx.write())
        .assert()
        .success()
        .stdout(predicate::str::contains("figures scored                 1"));
    assert!(run.join("score.csv").is_file());
}
