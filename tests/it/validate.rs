//! `exodus validate`: the real binary on the test fixture, with a small
//! observed file written by each test.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use super::{Fixture, assert_complete_or_unmarked, exodus};
use exodus::output::FOLDER_MANIFEST;
use exodus::validate::{VALIDATION_CSV, VALIDATION_DAILY_CSV, ValidationRecord};

/// Figures inside the fixture's dates (19 Sep to 9 Oct 2022), of two kinds,
/// a value and an interval, a figure after the run, and a row of a kind
/// that is not scored.
const OBSERVED: &str = "\
id,kind,date_from,date_to,place,metric,value,low,high,source
ge-day,target,2022-09-25,2022-09-25,Georgia,entries,9000,,,a minister
kz-week,heldout,2022-09-21,2022-09-27,Kazakhstan,entries,,20000,40000,a ministry
fi-exits,target,2022-09-26,2022-09-26,Finland,exits,1000,,,a border guard
drafted,heldout,2022-09-21,2022-10-04,national,drafted,100000,,,a minister
late,target,2022-10-20,2022-10-21,Georgia,entries,3000,,,after the run
context,context,2022-09-20,2022-09-20,Georgia,entries,3000,,,not scored
";

/// Writes `text` as an observed file beside the fixture.
fn observed(fx: &Fixture, text: &str) -> PathBuf {
    let path = fx.dir().join("observed.csv");
    fs::write(&path, text).unwrap();
    path
}

/// `exodus validate` of the fixture against `observed` into `out`, with
/// five replicates and `extra` options.
fn validate(
    fx: &Fixture,
    observed: &Path,
    out: &Path,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    exodus()
        .args(["validate", "--quiet", "--replicates", "5", "--observed"])
        .arg(observed)
        .arg("--out")
        .arg(out)
        .args(extra)
        .arg(fx.write())
        .assert()
}

fn records(out: &Path) -> Vec<ValidationRecord> {
    let text = fs::read_to_string(out.join(VALIDATION_CSV)).unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn validate_writes_a_band_per_figure_and_skips_what_the_runs_cannot_measure() {
    let fx = Fixture::tiny();
    let obs = observed(&fx, OBSERVED);
    let out = fx.dir().join("validation");
    validate(&fx, &obs, &out, &[]).success();

    let text = fs::read_to_string(out.join(VALIDATION_CSV)).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "id,kind,place,metric,date_from,date_to,observed,low,high,mean,sd,p05,p95,log_error,relative_difference,inside_band,status,reason"
    );
    let rows = records(&out);
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["ge-day", "kz-week", "fi-exits", "drafted", "late"]);
    for r in &rows[..4] {
        assert_eq!(r.status, "scored", "{}", r.id);
        let (mean, p05, p95) = (r.mean.unwrap().0, r.p05.unwrap().0, r.p95.unwrap().0);
        assert!(p05 <= mean && mean <= p95, "{}: {p05} {mean} {p95}", r.id);
        assert!(r.inside_band.is_some() && r.log_error.is_some());
    }
    let kz = &rows[1];
    assert_eq!(kz.kind, "heldout");
    assert_eq!((kz.low.unwrap().0, kz.high.unwrap().0), (20000.0, 40000.0));
    let late = &rows[4];
    assert_eq!(late.status, "skipped");
    assert_eq!(
        late.reason,
        "outside the run's dates (2022-09-19 to 2022-10-09)"
    );
    assert!(late.mean.is_none() && late.inside_band.is_none());

    // Every day, for each destination and `national`, three series.
    let daily = fs::read_to_string(out.join(VALIDATION_DAILY_CSV)).unwrap();
    assert_eq!(
        daily.lines().next().unwrap(),
        "date,place,metric,mean,p05,p95"
    );
    assert_eq!(daily.lines().count() - 1, 21 * 4 * 3);
    assert!(daily.contains("\n2022-09-25,national,exodus_entries,"));

    assert!(assert_complete_or_unmarked(&out, FOLDER_MANIFEST));
    let manifest = super::folder_manifest(&out);
    assert_eq!(manifest["command"].as_str(), Some("validate"));
    assert_eq!(manifest["settings"]["replicates"].as_integer(), Some(5));
    assert_eq!(manifest["settings"]["seed"].as_integer(), Some(42));
    let groups = manifest["outcome"]["summary"].as_array().unwrap();
    let kinds: Vec<&str> = groups.iter().filter_map(|g| g["kind"].as_str()).collect();
    assert_eq!(kinds, ["all", "target", "heldout"]);

    // The same command may write there again; another's folder is refused.
    validate(&fx, &obs, &out, &[]).success();
    let run = fx.run_cli("run");
    validate(&fx, &obs, &run, &[]).code(2).stderr(
        predicate::str::contains("`exodus run` on `tiny`").and(predicate::str::contains("--force")),
    );
}

#[test]
fn validate_prints_each_figure_with_its_band_and_the_summary_by_kind() {
    let fx = Fixture::tiny();
    let obs = observed(&fx, OBSERVED);
    let out = fx.dir().join("validation");
    exodus()
        .args(["validate", "--replicates", "3", "--observed"])
        .arg(&obs)
        .arg("--out")
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("90% band")
                .and(predicate::str::contains("kz-week"))
                .and(predicate::str::contains(
                    "skipped (the runs cannot measure them",
                ))
                .and(predicate::str::contains("median |log error|"))
                .and(predicate::str::is_match(r"\nheldout +2 +0 ").unwrap())
                .and(predicate::str::is_match(r"\ntarget +2 +1 ").unwrap())
                // Without a posterior, the share inside the bands is not read as a failure.
                .and(predicate::str::contains(
                    "the bands are of Monte-Carlo noise only",
                )),
        );
}

#[test]
fn validate_gives_identical_files_for_any_thread_count() {
    let fx = Fixture::tiny().set("scale = 500", "scale = 100");
    let obs = observed(&fx, OBSERVED);
    let files = |threads: &str| {
        let out = fx.dir().join(format!("threads-{threads}"));
        validate(&fx, &obs, &out, &["--threads", threads, "--seed", "7"]).success();
        [VALIDATION_CSV, VALIDATION_DAILY_CSV, FOLDER_MANIFEST].map(|name| {
            let text = fs::read_to_string(out.join(name)).unwrap();
            // The manifest records the command line, which names the threads.
            let lines = text.lines().filter(|l| !l.starts_with("command_line = "));
            lines.collect::<Vec<_>>().join("\n")
        })
    };
    let one = files("1");
    let two = files("2");
    for (i, name) in [VALIDATION_CSV, VALIDATION_DAILY_CSV, FOLDER_MANIFEST]
        .iter()
        .enumerate()
    {
        assert!(one[i] == two[i], "{name} differs between 1 and 2 threads");
    }
    let spread = records(&fx.dir().join("threads-1"));
    assert!(
        spread.iter().any(|r| r.sd.is_some_and(|sd| sd.0 > 0.0)),
        "the replicates differ, so the order they come back in matters"
    );
}

#[test]
fn validate_refuses_a_bad_observed_file_naming_its_line() {
    let fx = Fixture::tiny();
    let bad = OBSERVED.replace("2022-09-26,Finland", "2022-09-31,Finland");
    let obs = observed(&fx, &bad);
    let out = fx.dir().join("validation");
    validate(&fx, &obs, &out, &[]).code(2).stderr(
        predicate::str::contains("observed.csv:4:")
            .and(predicate::str::contains("date_to"))
            .and(predicate::str::contains("2022-09-31")),
    );
    assert!(!out.exists(), "nothing is written");

    // A file of which no figure can be measured is refused too, before any run.
    let none =
        "id,date_from,date_to,place,metric,value\nlate,2022-11-01,2022-11-02,Georgia,entries,10\n";
    let obs = observed(&fx, none);
    validate(&fx, &obs, &out, &[])
        .code(2)
        .stderr(
            predicate::str::contains("observed.csv").and(predicate::str::contains(
                "none of its 1 figures can be scored",
            )),
        );
    validate(&fx, &fx.dir().join("missing.csv"), &out, &[])
        .code(2)
        .stderr(
            predicate::str::contains("missing.csv").and(predicate::str::contains("cannot read")),
        );
}

#[test]
fn validate_under_a_posterior_draws_posterior_predictive_bands() {
    let fx = Fixture::tiny();
    let obs = observed(&fx, OBSERVED);
    let width = |rows: &[ValidationRecord], id: &str| {
        let r = rows.iter().find(|r| r.id == id).unwrap();
        r.p95.unwrap().0 - r.p05.unwrap().0
    };

    // A one-particle posterior at the scenario's own value: the same runs,
    // replicate by replicate, as without one.
    let posterior =
        fx.posterior("particle,weight,decision.base_log_hazard,distance\nonly,1,-8.3,0\n");
    let posterior_arg = posterior.to_str().unwrap().to_owned();
    let plain = fx.dir().join("plain");
    validate(&fx, &obs, &plain, &[]).success();
    let one = fx.dir().join("one");
    validate(&fx, &obs, &one, &["--posterior", &posterior_arg]).success();
    for name in [VALIDATION_CSV, VALIDATION_DAILY_CSV] {
        assert_eq!(
            fs::read_to_string(plain.join(name)).unwrap(),
            fs::read_to_string(one.join(name)).unwrap(),
            "{name}"
        );
    }

    // Particles a factor e apart in the size of the exodus: the bands now
    // carry that uncertainty, far beyond the Monte-Carlo spread.
    fx.posterior(
        "particle,weight,decision.base_log_hazard,distance\n0,1,-9.3,0.2\n1,1,-8.3,0.1\n2,1,-7.3,0.3\n",
    );
    let drawn = fx.dir().join("drawn");
    validate(&fx, &obs, &drawn, &["--posterior", &posterior_arg]).success();
    let (mc, pp) = (records(&plain), records(&drawn));
    for id in ["ge-day", "kz-week"] {
        assert!(
            width(&pp, id) > 3.0 * width(&mc, id),
            "{id}: posterior-predictive {} against Monte-Carlo {}",
            width(&pp, id),
            width(&mc, id)
        );
    }
    let manifest = super::folder_manifest(&drawn);
    assert!(
        manifest["settings"]["posterior"]
            .as_str()
            .unwrap()
            .ends_with("posterior.csv")
    );

    // A posterior naming a parameter the scenario lacks is an input error.
    fx.posterior("particle,weight,decision.no_such_thing,distance\n0,1,1,0\n");
    validate(
        &fx,
        &obs,
        &fx.dir().join("bad"),
        &["--posterior", &posterior_arg],
    )
    .code(2)
    .stderr(predicate::str::contains("no_such_thing"));
}
