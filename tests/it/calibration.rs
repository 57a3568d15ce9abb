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
        population: None,
        sigma: 0.3,
        hold_out: Vec::new(),
    }
}

/// Calibrates the scenario of `fx` at its own seed and scale (42, 1:500).
fn calibrate_fixture(
    fx: &Fixture,
    options: &Options,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<calibrate::Calibration, calibrate::CalibrationError> {
    let doc = ScenarioDocument::load(&fx.write()).unwrap();
    let scenario = doc.scenario().unwrap();
    let settings = doc
        .calibration_settings(&scenario, &Overrides::default())
        .unwrap();
    assert_eq!((settings.seed(), settings.scale()), (42, 500));
    calibrate::calibrate(&doc, &settings, options, &|_, _| {}, stop)
}

/// The `[[target]]` of Kazakhstan's exodus in the tiny fixture's window.
fn kz_target(value: f64) -> String {
    format!(
        "[[target]]\nid = \"kz\"\nplace = \"Kazakhstan\"\nmetric = \"exodus\"\nfrom = 2022-09-21\nto = 2022-10-09\nvalue = {value}\n"
    )
}

/// The tiny fixture with a Kazakhstan target and the hazard to fit.
fn with_target(value: f64, hazard: &str) -> Fixture {
    Fixture::tiny()
        .set("base_log_hazard = -8.3", &format!("base_log_hazard = {hazard}"))
        .append(&kz_target(value))
        .append(
            "[calibration]\nreplicates = 1\nbudget = 40\nrestarts = 2\n\n\
             [[calibration.parameter]]\npath = \"decision.base_log_hazard\"\nlower = -10.0\nupper = -6.0\n",
        )
}

/// `exodus calibrate` of `fx` into `<fixture>/<name>` with `args`.
fn calibrate_cli(fx: &Fixture, name: &str, args: &[&str]) -> (PathBuf, String) {
    let out = fx.dir().join(name);
    let assert = exodus()
        .arg("calibrate")
        .args(args)
        .arg("--out")
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    (out, stdout)
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
    let fit = calibrate_fixture(&fx, &tiny_options(40, 2), &|| false).unwrap();
    let hazard = fit.parameters[0].value;
    assert!((hazard + 8.0).abs() < 0.15, "fitted {hazard}, truth -8.0");
    assert!(fit.fits[0].log_error.abs() < 0.02, "{:?}", fit.fits[0]);
    assert!(fit.trace.len() <= 40, "the budget caps the evaluations");
    assert_eq!(fit.parameters[0].at_bound, None);
    assert_eq!(fit.trace[0].values, [-9.5], "the start point comes first");
    assert_eq!(fit.trace[0].generation, 0);
    assert!(
        fit.trace
            .windows(2)
            .all(|w| w[0].generation <= w[1].generation)
    );
}

#[test]
fn a_stopped_calibration_reports_the_stop_not_an_optimizer_failure() {
    let fx = with_target(40_000.0, "-9.0");
    let err = calibrate_fixture(&fx, &tiny_options(40, 0), &|| true).unwrap_err();
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
    assert_eq!(
        fit.lines().next(),
        Some(
            "target,place,metric,from,to,observed,simulated_mean,simulated_sd,log_error,tolerance,within_tolerance,held_out"
        )
    );
    let trace = fs::read_to_string(out.join("trace.csv")).unwrap();
    assert_eq!(
        trace.lines().next(),
        Some("evaluation,restart,generation,sigma,parameter_decision_base_log_hazard,loss")
    );
    // The budget is a hard cap: the start point, a generation of four, and
    // three of the next.
    assert_eq!(trace.lines().count(), 1 + 8);
    assert!(trace.lines().nth(1).unwrap().starts_with("1,0,0,0.3,-9.0,"));
    assert!(trace.lines().nth(8).unwrap().starts_with("8,0,2,"));
    let parameters = fs::read_to_string(out.join("parameters.csv")).unwrap();
    assert!(parameters.contains("decision.base_log_hazard"));
    assert!(super::assert_complete_or_unmarked(
        &out,
        exodus::output::FOLDER_MANIFEST
    ));
    let manifest = super::folder_manifest(&out);
    assert!(manifest["outcome"]["wall_seconds"].as_float().is_some());
    assert_eq!(manifest["outcome"]["evaluations"].as_integer(), Some(8));
    assert_eq!(manifest["settings"]["method"].as_str(), Some("optimize"));
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
    // The calibrated scenario is ready to run where it is written: its data
    // paths lead from the output folder to the files the scenario named.
    exodus()
        .arg("check")
        .arg(out.join("calibrated.toml"))
        .assert()
        .success();
}

/// The calibration's own files (the manifest records the wall time, so it
/// is left out).
fn calibration_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["fit.csv", "trace.csv", "parameters.csv", "calibrated.toml"]
        .iter()
        .map(|name| ((*name).to_owned(), fs::read(dir.join(name)).unwrap()))
        .collect()
}

#[test]
fn a_calibration_is_the_same_with_one_thread_or_two() {
    // Two parameters, so that CMA-ES's candidates and the replicates of a
    // generation share the threads.
    let fx = with_target(40_000.0, "-9.0").append(
        "[[calibration.parameter]]\npath = \"destination[Georgia].constant\"\nlower = -1.0\nupper = 3.0\n",
    );
    let common = ["--budget", "14", "--replicates", "2", "--quiet"];
    let (one, _) = calibrate_cli(&fx, "one", &[&common[..], &["--threads", "1"]].concat());
    let (two, _) = calibrate_cli(&fx, "two", &[&common[..], &["--threads", "2"]].concat());
    assert_eq!(calibration_files(&one), calibration_files(&two));
    let trace = fs::read_to_string(one.join("trace.csv")).unwrap();
    assert_eq!(trace.lines().count(), 1 + 14);
}

#[test]
fn whole_number_parameters_are_rounded_everywhere() {
    let fx = with_target(40_000.0, "-9.0").append(
        "[[calibration.parameter]]\npath = \"crossing[bugristoye].capacity\"\nlower = 1000.5\nupper = 5000\n\n\
         [[calibration.parameter]]\npath = \"choice.max_attempts\"\nlower = 1\nupper = 6\n",
    );
    let (out, stdout) = calibrate_cli(&fx, "cal", &["--budget", "12"]);
    let trace = fs::read_to_string(out.join("trace.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(trace.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (capacity, attempts) = (
        column("parameter_crossing_bugristoye_capacity"),
        column("parameter_choice_max_attempts"),
    );
    for row in rows.records() {
        let row = row.unwrap();
        for c in [capacity, attempts] {
            let v: f64 = row[c].parse().unwrap();
            assert_eq!(v, v.round(), "{row:?}");
            assert!(v >= 1.0, "{row:?}");
        }
        assert!(
            row[capacity].parse::<f64>().unwrap() >= 1001.0,
            "within the bounds"
        );
    }
    let parameters = fs::read_to_string(out.join("parameters.csv")).unwrap();
    let fitted = |path: &str| -> i64 {
        let line = parameters.lines().find(|l| l.starts_with(path)).unwrap();
        let v: f64 = line.split(',').nth(1).unwrap().parse().unwrap();
        assert_eq!(v, v.round(), "{parameters}");
        v as i64
    };
    let (cap, att) = (
        fitted("crossing[bugristoye].capacity"),
        fitted("choice.max_attempts"),
    );
    let calibrated = fs::read_to_string(out.join("calibrated.toml")).unwrap();
    assert!(
        calibrated.contains(&format!("max_attempts = {att}\n")),
        "{calibrated}"
    );
    assert!(
        calibrated.contains(&format!("capacity = {cap}\n")),
        "{calibrated}"
    );
    assert!(
        calibrated.contains(&format!("#   choice.max_attempts = {att}:")),
        "the header agrees"
    );
    assert!(stdout.contains(&format!(" {att}  ")), "{stdout}");
}

/// The tiny fixture with Kazakhstan's target, and (if `georgia`) a Georgian
/// target too.
fn two_targets(georgia: bool) -> Fixture {
    let fx = with_target(40_000.0, "-9.0");
    if georgia {
        fx.append(
            "[[target]]\nid = \"ge\"\nplace = \"Georgia\"\nmetric = \"entries\"\nfrom = 2022-09-21\nto = 2022-09-27\nvalue = 90000\nweight = 3\n",
        )
    } else {
        fx
    }
}

#[test]
fn a_held_out_target_does_not_move_the_fit_and_is_predicted() {
    let args = ["--budget", "12"];
    let (one, two) = (two_targets(false), two_targets(true));
    let (alone, _) = calibrate_cli(&one, "alone", &args);
    let (held, stdout) = calibrate_cli(&two, "held", &[&args[..], &["--hold-out", "ge"]].concat());
    for name in ["trace.csv", "parameters.csv"] {
        assert_eq!(
            fs::read_to_string(alone.join(name)).unwrap(),
            fs::read_to_string(held.join(name)).unwrap(),
            "{name}"
        );
    }
    let fit = fs::read_to_string(held.join("fit.csv")).unwrap();
    let rows: Vec<&str> = fit.lines().collect();
    assert_eq!(rows.len(), 3, "{fit}");
    assert!(
        rows[1].starts_with("kz,") && rows[1].ends_with(",false"),
        "{fit}"
    );
    assert!(
        rows[2].starts_with("ge,Georgia,entries,") && rows[2].ends_with(",true"),
        "{fit}"
    );
    let alone_fit = fs::read_to_string(alone.join("fit.csv")).unwrap();
    assert_eq!(
        alone_fit.lines().nth(1),
        Some(rows[1]),
        "the same kz figures"
    );
    let (_, out_of_sample) = stdout.split_once("out of sample").expect(&stdout);
    assert!(
        out_of_sample.contains("ge ") && !out_of_sample.contains("kz "),
        "{stdout}"
    );
    let calibrated = fs::read_to_string(held.join("calibrated.toml")).unwrap();
    assert!(calibrated.contains("#   held out (not fitted; predicted in fit.csv): ge\n"));
    assert!(
        calibrated.contains("--hold-out ge"),
        "the command reproduces it"
    );
    let manifest = super::folder_manifest(&held);
    let ids = manifest["settings"]["hold_out"].as_array().unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].as_str(), Some("ge"));
}

#[test]
fn hold_out_of_unknown_or_every_target_is_refused() {
    let fx = two_targets(true);
    exodus()
        .args(["calibrate", "--hold-out", "ge,gorgia,kz2"])
        .arg(fx.write())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--hold-out: `gorgia`, `kz2` are not the id of a target; the targets are: kz, ge",
        ));
    exodus()
        .args(["calibrate", "--hold-out", "kz,ge"])
        .arg(fx.write())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--hold-out holds out every target (kz, ge)",
        ));
}

#[test]
fn calibration_settings_are_validated_with_their_place() {
    let bad = |extra: &str, message: &str| {
        let fx =
            with_target(40_000.0, "-9.0").set("budget = 40\n", &format!("budget = 40\n{extra}\n"));
        exodus()
            .arg("check")
            .arg(fx.write())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    };
    bad(
        "sigma = 1.5",
        "`calibration.sigma`: must be a step size in unit coordinates, in (0, 1], got 1.5",
    );
    bad(
        "population = 1",
        "`calibration.population`: must be a count in [2, 10000], got 1",
    );
    exodus()
        .args(["calibrate", "--sigma", "0"])
        .arg(with_target(40_000.0, "-9.0").write())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give a number in (0, 1]"));
}

/// The default scenario at 1:20 (`docs/validation.md` gives the figures at full scale).
fn default_at_reduced_scale() -> (exodus::scenario::Scenario, exodus::results::RunResults) {
    let overrides = Overrides {
        scale: Some(20),
        ..Overrides::default()
    };
    let (scenario, settings) = ScenarioDocument::embedded_default()
        .and_then(|doc| doc.prepare(&overrides))
        .unwrap();
    let results = super::run(&scenario, &settings);
    (scenario, results)
}

/// The targets the shipped fit is known to miss, each said in `docs/validation.md`
/// ("What is still wrong"): Kazakhstan's two weeks (+28%, against figures of 29-30 Sep
/// and a late stock that pull the other way, and a September total that contradicts
/// it) and Upper Lars' queue on 25 Sep (the model's queue peaks two days early). Any
/// other target that misses fails the test.
const KNOWN_MISSES: [&str; 2] = ["kz-entries-2wk", "upper-lars-queue-sep25"];

/// The default scenario's fit, as issue 24 states it: the headline totals (weight 4)
/// within their 5% and every other target within its interval or its tolerance (25%, or
/// 50% for a queue or wait report), but the known misses above. At 1:20 a
/// figure of `y` persons is made of about `n = y / 20` agents, whose count carries a
/// sampling error of about `1/√n` relative to `y`; the test allows three of those
/// (at least 3%) beyond the tolerance, so a correct fit fails it by chance less than
/// 0.3% of the time per figure. The run is deterministic, so the test never flips.
#[test]
fn default_scenario_fits_its_targets_at_reduced_scale() {
    let (scenario, results) = default_at_reduced_scale();
    // Every figure of kind `target` in the reported data is one of the fitted targets.
    let reported = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/reported-2022.csv");
    let mut rows = csv::Reader::from_path(reported).unwrap();
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, kind) = (column("id"), column("kind"));
    for row in rows.records().map(Result::unwrap) {
        if &row[kind] == "target" {
            assert!(
                scenario.targets().iter().any(|t| t.id == row[id]),
                "the reported target {} is not fitted",
                &row[id]
            );
        }
    }
    let mut misses = Vec::new();
    for t in scenario.targets() {
        let simulated = t.measure.evaluate(&results);
        let agents = t.observed.central() / 20.0;
        let slack = (3.0 / agents.max(1.0).sqrt()).max(0.03);
        let fits = match t.observed {
            Observed::Value(observed) => (simulated / observed - 1.0).abs() <= t.tolerance + slack,
            Observed::Interval { low, high } => {
                simulated >= low * (1.0 - t.tolerance - slack)
                    && simulated <= high * (1.0 + t.tolerance + slack)
            }
        };
        if !fits && !KNOWN_MISSES.contains(&t.id.as_str()) {
            misses.push(format!(
                "{}: simulated {simulated:.0}, observed {}",
                t.id, t.observed
            ));
        }
    }
    assert!(misses.is_empty(), "{misses:#?}");
}

/// The course the border services described: at every destination that stayed open,
/// fewer men of the exodus entered in the first week of October than in the last week
/// of September. It failed while queue patience was hand-set at 5 days: Kazakhstan's
/// queue took weeks to drain and the air routes to Armenia and Kyrgyzstan, booked weeks
/// ahead, stayed full into October (`docs/validation.md`). Norway is the exception the
/// model gives: Finland's closure on 30 Sep sends Schengen-visa holders to Storskog,
/// which kept admitting them (no figure for October says how many came).
#[test]
fn the_surge_falls_in_october_wherever_the_border_stayed_open() {
    let (_, results) = default_at_reduced_scale();
    let cal = results.calendar;
    let week = |from: &str| {
        let start = cal.day_of(from.parse().unwrap()) as usize;
        start..start + 7
    };
    let (late_sep, early_oct) = (week("2022-09-24"), week("2022-10-01"));
    for (d, name) in results.destinations.iter().enumerate() {
        let exodus = results.destination_series(d, |x| x.crossed);
        let sep: u64 = exodus[late_sep.clone()].iter().sum();
        let oct: u64 = exodus[early_oct.clone()].iter().sum();
        if sep > 0 && name != "Norway" {
            assert!(
                oct < sep,
                "{name}: {oct} in the first week of October, {sep} in the last of September"
            );
        }
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
            .and(predicate::str::contains("skipped").not())
            .and(predicate::str::contains("median |log error|"))
            .and(predicate::str::contains("within ±25%"))
            .and(predicate::str::contains("over 2 daily figures")),
    );
    let score = fs::read_to_string(run.join("score.csv")).unwrap();
    let mut lines = score.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,place,metric,date_from,date_to,observed,simulated,ratio,log_error,within_25pct,status,reason"
        )
    );
    assert_eq!(lines.count(), 4);
    assert!(!score.contains("skipped"), "{score}");

    assert!(score.contains("fi-day,vaalimaa+nuijamaa,entries,2022-09-25,2022-09-25,2000-4000,"));
}

/// Good figures, and one of each kind the tiny run cannot measure.
const MIXED: &str = "kz,target,2022-09-21,2022-10-09,Kazakhstan,entries,150000,,,\n\
    am,target,2022-09-21,2022-09-27,Armenia,entries,100,,,no such destination in the run\n\
    early,target,2022-09-01,2022-09-30,Georgia,entries,100,,,starts before the run\n\
    ge-day,target,2022-09-25,2022-09-25,upper-lars,entries,6000,,,\n\
    arrivals,heldout,2022-09-21,2022-09-27,Georgia,arrivals,100,,,no such metric\n\
    late,target,2022-10-01,2022-10-31,Kazakhstan,exodus,100,,,ends after the run\n";

#[test]
fn score_skips_what_the_run_cannot_measure_and_scores_the_rest() {
    let fx = Fixture::tiny();
    let run = fx.run_cli("run");
    let observed = observed_csv(&fx, MIXED);
    let outside = "outside the run's dates (2022-09-19 to 2022-10-09)";
    let assert = score(&run, &observed).success().stdout(
        predicate::str::contains("figures scored                 2\n")
            .and(predicate::str::contains("figures skipped                4"))
            .and(predicate::str::contains(
                "skipped (the run cannot measure them",
            ))
            .and(predicate::str::contains("over 1 daily figures"))
            .and(predicate::str::contains(
                "`Armenia` is not a place of this run",
            ))
            .and(predicate::str::contains("the metrics are: entries")),
    );
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let line = |id: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{id}: {stdout}"))
            .to_owned()
    };
    assert!(line("am").ends_with("unknown place"), "{stdout}");
    assert!(line("arrivals").ends_with("unknown metric"), "{stdout}");
    assert!(line("early").ends_with(outside), "{stdout}");
    assert!(line("late").ends_with(outside), "{stdout}");
    let score = fs::read_to_string(run.join("score.csv")).unwrap();
    let lines: Vec<&str> = score.lines().collect();
    assert_eq!(
        lines[0],
        "id,place,metric,date_from,date_to,observed,simulated,ratio,log_error,within_25pct,status,reason"
    );
    assert_eq!(lines.len(), 1 + 6, "every figure, in the file's order");
    assert!(lines[1].starts_with("kz,Kazakhstan,entries,") && lines[1].ends_with(",scored,"));
    assert_eq!(
        lines[2],
        "am,Armenia,entries,2022-09-21,2022-09-27,100,,,,,skipped,unknown place"
    );
    assert_eq!(
        lines[3],
        format!("early,Georgia,entries,2022-09-01,2022-09-30,100,,,,,skipped,{outside}")
    );
    assert!(lines[4].starts_with("ge-day,upper-lars,") && lines[4].ends_with(",scored,"));
    assert_eq!(
        lines[5],
        "arrivals,Georgia,arrivals,2022-09-21,2022-09-27,100,,,,,skipped,unknown metric"
    );
    assert!(lines[6].starts_with("late,") && lines[6].ends_with(outside));
}

#[test]
fn score_refuses_a_file_of_which_nothing_can_be_scored() {
    let fx = Fixture::tiny();
    let run = fx.run_cli("run");
    let observed = observed_csv(
        &fx,
        "am,target,2022-09-21,2022-09-27,Armenia,entries,100,,,\n\
         x,target,2022-09-21,2022-09-27,Georgia,arrivals,100,,,\n\
         y,target,2022-11-01,2022-11-02,Georgia,entries,100,,,\n",
    );
    score(&run, &observed).code(2).stderr(
        predicate::str::contains("observed.csv: none of its 3 figures can be scored against this run: 1 unknown place, 1 unknown metric, 1 outside the run's dates (2022-09-19 to 2022-10-09)")
            .and(predicate::str::contains("Kazakhstan, Georgia, Finland"))
            .and(predicate::str::contains("the metrics are: entries")),
    );
    assert!(!run.join("score.csv").exists());
}

#[test]
fn score_keeps_errors_in_the_file_itself_as_errors() {
    let fx = Fixture::tiny();
    let run = fx.run_cli("run");
    for (row, message) in [
        (
            "kz,target,2022-09-21,2022-10-09,Kazakhstan,entries,lots,,,\n",
            "observed.csv:3:",
        ),
        (
            "kz,target,2022-09-21,2022-09-31,Kazakhstan,entries,100,,,\n",
            "`2022-09-31` is not a date",
        ),
        (
            "kz,target,2022-09-21,2022-10-09,Kazakhstan,entries,,300,200,\n",
            "300 is above high (200)",
        ),
        (
            "kz,target,2022-09-27,2022-09-21,Kazakhstan,entries,100,,,\n",
            "is before date_from",
        ),
        (
            "kz,target,2022-09-21,2022-10-09,Kazakhstan,drafted,100,,,\n",
            "`drafted` is counted nationally only",
        ),
    ] {
        // A good row first: the bad one is an error all the same.
        let text = format!("ge-day,target,2022-09-25,2022-09-25,upper-lars,entries,6000,,,\n{row}");
        let observed = observed_csv(&fx, &text);
        score(&run, &observed)
            .code(2)
            .stderr(predicate::str::contains(message).and(predicate::str::contains(":3")));
    }
    let missing = fx.dir().join("missing.csv");
    fs::write(
        &missing,
        "id,date_from,place,metric,value\nkz,2022-09-21,Kazakhstan,entries,100\n",
    )
    .unwrap();
    score(&run, &missing)
        .code(2)
        .stderr(predicate::str::contains("date_to"));
}

#[test]
fn run_with_score_scores_right_after_the_run() {
    let fx = Fixture::tiny();
    let run = fx.dir().join("run");
    let observed = observed_csv(&fx, MIXED);
    exodus()
        .args(["run", "--out"])
        .arg(&run)
        .arg("--score")
        .arg(&observed)
        .arg(fx.write())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("figures scored                 2\n")
                .and(predicate::str::contains("figures skipped                4")),
        );
    let score = fs::read_to_string(run.join("score.csv")).unwrap();
    assert_eq!(score.matches(",skipped,").count(), 4);
}
