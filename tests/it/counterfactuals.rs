//! Scenario inheritance, the shipped counterfactuals, `compare` and `sweep`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use exodus::output::FOLDER_MANIFEST;
use predicates::prelude::*;

use super::{Fixture, assert_complete_or_unmarked, exodus};

fn shipped(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

#[test]
fn every_shipped_counterfactual_is_valid_and_differs_from_the_base() {
    let base = exodus::scenario::load(&shipped("mobilization-2022.toml")).unwrap();
    let dir = shipped("counterfactuals");
    let mut names = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let alt =
            exodus::scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_ne!(alt.name(), base.name());
        assert_ne!(
            alt.content_hash(),
            base.content_hash(),
            "{} changes nothing",
            alt.name()
        );
        assert!(
            alt.calibration().is_none(),
            "[calibration] is not inherited"
        );
        assert_eq!(
            alt.targets().len(),
            base.targets().len(),
            "targets are inherited"
        );
        names.push(alt.name().to_owned());
    }
    names.sort();
    assert_eq!(
        names,
        [
            "baltic-open",
            "exit-ban-sep28",
            "finland-closes-sep23",
            "finland-never-closes",
            "georgia-closes-sep26",
            "kazakhstan-requires-foreign-passport",
            "land-borders-only",
            "no-border-draft-offices",
            "no-passport-ban",
            "passport-ban-day-one",
        ]
    );
}

#[test]
fn extends_merges_tables_and_policies_by_id() {
    let alt =
        exodus::scenario::load(&shipped("counterfactuals/finland-closes-sep23.toml")).unwrap();
    let base = exodus::scenario::load(&shipped("mobilization-2022.toml")).unwrap();
    assert_eq!(
        alt.policies().len(),
        base.policies().len(),
        "replaced in place, not added"
    );
    let ban = alt
        .policies()
        .iter()
        .find(|p| p.id == "finland-tourist-ban")
        .unwrap();
    assert_eq!(alt.calendar().date(ban.start).to_string(), "2022-09-23");
    let never =
        exodus::scenario::load(&shipped("counterfactuals/finland-never-closes.toml")).unwrap();
    assert_eq!(never.policies().len(), base.policies().len() - 2);
    let kz = exodus::scenario::load(&shipped(
        "counterfactuals/kazakhstan-requires-foreign-passport.toml",
    ))
    .unwrap();
    let k = kz.destination_index("Kazakhstan").unwrap();
    assert_eq!(
        kz.destinations()[k].documents,
        exodus::scenario::Documents::ForeignPassport
    );
    assert_eq!(kz.destinations().len(), base.destinations().len());
}

fn child(fx: &Fixture, name: &str, text: &str) -> PathBuf {
    fx.write();
    let path = fx.dir().join(name);
    fs::write(&path, text).unwrap();
    path
}

/// The fixture with Finland's ban removed, named `finland-open`.
#[test]
fn overriding_a_key_that_does_not_exist_is_an_error() {
    let fx = Fixture::tiny();
    let path = child(
        &fx,
        "alt.toml",
        "extends = \"scenario.toml\"\nname = \"alt\"\n[decision]\nfatigue = 0.1\n",
    );
    exodus().arg("check").arg(&path).assert().code(2).stderr(
        predicate::str::contains("alt.toml:4:")
            .and(predicate::str::contains(
                "`decision.fatigue`: `fatigue` does not exist",
            ))
            .and(predicate::str::contains("fatigue_per_day")),
    );
}

#[test]
fn circular_extends_is_an_error() {
    let fx = Fixture::tiny();
    child(&fx, "a.toml", "extends = \"b.toml\"\nname = \"a\"\n");
    let b = child(&fx, "b.toml", "extends = \"a.toml\"\nname = \"b\"\n");
    exodus()
        .arg("check")
        .arg(&b)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "circular `extends`: b.toml -> a.toml -> b.toml",
        ));
}

#[test]
fn removing_an_unknown_policy_is_an_error() {
    let fx = Fixture::tiny();
    let path = child(
        &fx,
        "alt.toml",
        "extends = \"scenario.toml\"\nname = \"alt\"\nremove_policies = [\"finland-bann\"]\n",
    );
    exodus().arg("check").arg(&path).assert().code(2).stderr(
        predicate::str::contains("no policy `finland-bann`")
            .and(predicate::str::contains("finland-ban")),
    );
}

#[test]
fn set_overrides_any_scalar_and_checks_its_type() {
    let fx = Fixture::tiny();
    let path = fx.write();
    exodus()
        .args([
            "check",
            "--set",
            "dates.end=2022-10-01",
            "--set",
            "policy[finland-ban].exempt_share=0.5",
        ])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2022-09-19 to 2022-10-01 (13 days)",
        ));
    exodus()
        .args(["check", "--set", "decision.peer=high"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("`decision.peer`")
                .and(predicate::str::contains("expects a number such as 0.5")),
        );
    exodus()
        .args(["check", "--set", "decision.pear=0.1"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no key `pear`"));
}

#[test]
fn compare_writes_paired_summaries_and_daily_bands() {
    let fx = Fixture::tiny();
    let base = fx.write();
    let open = fx.finland_open();
    let out = fx.dir().join("cmp");
    exodus()
        .args(["compare", "--replicates", "6", "--out"])
        .arg(&out)
        .arg(&base)
        .arg(&open)
        .assert()
        .success()
        .stdout(
            predicate::str::contains(
                "finland-open (against tiny; low and high: 95% interval of the mean difference; \
                 P(>0): the share of paired replicates whose difference is above 0)",
            )
            .and(predicate::str::contains("men at the end"))
            .and(predicate::str::contains("returned")),
        );
    let summary = fs::read_to_string(out.join("compare_summary.csv")).unwrap();
    assert!(summary.starts_with(
        "scenario,place,metric,mean,sd,ci95_low,ci95_high,q025,q975,diff_vs_base,diff_ci95_low,\
         diff_ci95_high,diff_q025,diff_q975,prob_diff_positive,mc_diff_ci95_low,mc_diff_ci95_high\n"
    ));
    let row = |scenario: &str, place: &str, metric: &str| -> Vec<String> {
        summary
            .lines()
            .find(|l| l.starts_with(&format!("{scenario},{place},{metric},")))
            .unwrap_or_else(|| panic!("no row {scenario} {place} {metric}"))
            .split(',')
            .map(str::to_owned)
            .collect()
    };
    let base_row = row("tiny", "Finland", "exodus");
    assert_eq!(base_row[9], "", "the base has no difference");
    let f = row("finland-open", "Finland", "exodus");
    let (diff, low, high): (f64, f64, f64) = (
        f[9].parse().unwrap(),
        f[10].parse().unwrap(),
        f[11].parse().unwrap(),
    );
    assert!(
        low > 0.0 && low <= diff && diff <= high,
        "keeping Finland open raises its exodus: {f:?}"
    );
    assert_eq!(f[14], "1.000", "every replicate raises it: {f:?}");
    assert_eq!(
        (f[15].as_str(), f[16].as_str()),
        ("", ""),
        "no posterior, no second interval"
    );
    assert!(
        summary.contains("tiny,upper-lars,peak_queue,") && summary.contains("tiny,national,stuck,")
    );
    // Every man is accounted for at the end (issue 15, point 4): the
    // exclusive stocks add up to the eligible men in every scenario, and a
    // change in the exodus is a change elsewhere.
    let mean = |scenario: &str, metric: &str| -> f64 {
        row(scenario, "national", metric)[3].parse().unwrap()
    };
    let exclusive = [
        "at_home",
        "traveling",
        "queued",
        "abroad",
        "drafted",
        "returned",
    ];
    let total = |scenario: &str| exclusive.iter().map(|m| mean(scenario, m)).sum::<f64>();
    assert!(total("tiny") > 0.0);
    assert!(
        (total("tiny") - total("finland-open")).abs() < 0.01,
        "{} against {}",
        total("tiny"),
        total("finland-open")
    );
    for metric in [
        "moving_on",
        "awaiting_passport",
        "came_back",
        "drafted_at_border",
    ] {
        assert!(
            summary.contains(&format!("tiny,national,{metric},")),
            "{metric}"
        );
    }
    let daily = fs::read_to_string(out.join("compare_daily.csv")).unwrap();
    assert!(daily.starts_with("date,scenario,place,metric,mean,ci95_low,ci95_high,q025,q975\n"));
    assert!(daily.contains("2022-10-01,finland-open,Finland,exodus_entries,"));
    // The manifest, written last, lists both files and how they were made.
    assert!(assert_complete_or_unmarked(&out, FOLDER_MANIFEST));
    let manifest = super::folder_manifest(&out);
    assert_eq!(manifest["command"].as_str(), Some("compare"));
    assert_eq!(manifest["scenario"].as_str(), Some("tiny"));
    assert_eq!(manifest["settings"]["replicates"].as_integer(), Some(6));
    assert!(
        manifest["command_line"]
            .as_str()
            .unwrap()
            .starts_with("exodus compare --replicates 6 --out ")
    );
    // Again with --quiet: the same results, said in silence.
    exodus()
        .args(["compare", "--quiet", "--replicates", "6", "--out"])
        .arg(&out)
        .arg(&base)
        .arg(&open)
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(
        fs::read_to_string(out.join("compare_summary.csv")).unwrap(),
        summary
    );
}

#[test]
fn results_folders_are_not_overwritten_by_another_command() {
    let fx = Fixture::tiny();
    let out = fx.dir().join("results");
    let sweep = |force: bool| {
        let mut cmd = exodus();
        cmd.args([
            "sweep",
            "--param",
            "decision.peer=0.2,0.4",
            "--replicates",
            "1",
        ])
        .args(["--scale", "2000", "--out"])
        .arg(&out)
        .arg(fx.write());
        if force {
            cmd.arg("--force");
        }
        cmd.assert()
    };
    fx.run_cli("results");
    let refused = sweep(false).code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("the results of `exodus run` on `tiny`") && stderr.contains("--force"),
        "{stderr}"
    );
    sweep(true).success();
    assert!(assert_complete_or_unmarked(&out, FOLDER_MANIFEST));
    // The same command on the same scenario may write there again.
    sweep(false).success();
}

#[test]
fn sweep_writes_one_row_per_point_and_replicate() {
    let fx = Fixture::tiny();
    let out = fx.dir().join("sweep");
    exodus()
        .args([
            "sweep",
            "--param",
            "decision.base_log_hazard=-9,-8",
            "--param",
            "queue.patience_mean_days=2,5,8",
            "--replicates",
            "2",
            "--out",
        ])
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "6 points × 2 replicates = 12 runs",
        ));
    assert!(assert_complete_or_unmarked(&out, FOLDER_MANIFEST));
    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert_eq!(
        header,
        "point,replicate,seed,parameter_decision_base_log_hazard,\
         parameter_queue_patience_mean_days,place,metric,value"
    );
    // Long and tidy: one row per point, replicate, place and metric.
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let per_run = rows.iter().filter(|r| r[0] == "0" && r[1] == "0").count();
    assert!(per_run > 20, "{per_run} rows a run");
    assert_eq!(rows.len(), 12 * per_run);
    let points: BTreeSet<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(points, BTreeSet::from(["0", "1", "2", "3", "4", "5"]));
    for metric in [
        ("Kazakhstan", "exodus"),
        ("national", "drafted"),
        ("national", "returned"),
    ] {
        assert!(
            rows.iter().any(|r| (r[5], r[6]) == metric),
            "no {metric:?} in sweep.csv"
        );
    }
    // Counts of men are integers.
    let national = rows
        .iter()
        .find(|r| r[5] == "national" && r[6] == "exodus")
        .unwrap();
    assert!(national[7].parse::<u64>().is_ok(), "{}", national[7]);
    // Replicate r has the same seed at every point: paired comparisons.
    let seed = |point: &str, replicate: &str| {
        rows.iter()
            .find(|r| r[0] == point && r[1] == replicate)
            .unwrap()[2]
    };
    assert_eq!(seed("0", "0"), seed("1", "0"));
    assert_ne!(seed("0", "0"), seed("0", "1"));

    // A range among the values, and one replicate said in the singular.
    let ranged = fx.dir().join("ranged");
    exodus()
        .args([
            "sweep",
            "--param",
            "queue.patience_mean_days=1,2:4:1",
            "--replicates",
            "1",
            "--out",
        ])
        .arg(&ranged)
        .arg(fx.write())
        .assert()
        .success()
        .stdout(predicate::str::contains("4 points × 1 replicate = 4 runs"));
    let csv = fs::read_to_string(ranged.join("sweep.csv")).unwrap();
    let values: BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(values, BTreeSet::from(["1", "2", "3", "4"]));

    // A Latin hypercube: one point in each of N strata of every axis, and
    // the daily series on request.
    let lhs = fx.dir().join("lhs");
    exodus()
        .args([
            "sweep",
            "--param",
            "decision.base_log_hazard=-9,-8",
            "--param",
            "queue.patience_mean_days=2,8",
            "--lhs",
            "5",
            "--replicates",
            "1",
            "--daily",
            "--quiet",
            "--out",
        ])
        .arg(&lhs)
        .arg(fx.write())
        .assert()
        .success()
        .stdout("");
    let csv = fs::read_to_string(lhs.join("sweep.csv")).unwrap();
    let points: BTreeSet<(usize, String, String)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse().unwrap(), f[3].to_owned(), f[4].to_owned())
        })
        .collect();
    assert_eq!(points.len(), 5);
    for (axis, low, high) in [(1, -9.0, -8.0), (2, 2.0, 8.0)] {
        let mut strata: Vec<usize> = points
            .iter()
            .map(|p| {
                let x: f64 = if axis == 1 { &p.1 } else { &p.2 }.parse().unwrap();
                assert!((low..=high).contains(&x), "{x} outside [{low}, {high}]");
                (((x - low) / (high - low) * 5.0).floor() as usize).min(4)
            })
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, [0, 1, 2, 3, 4], "axis {axis}: one point a stratum");
    }
    let daily = fs::read_to_string(lhs.join("sweep_daily.csv")).unwrap();
    assert!(daily.starts_with(
        "point,replicate,seed,parameter_decision_base_log_hazard,\
         parameter_queue_patience_mean_days,date,place,metric,value\n"
    ));
    assert!(daily.lines().count() > csv.lines().count());
}

#[test]
fn shipped_counterfactuals_have_the_expected_effects() {
    let load = |name: &str| super::prepare_at(&shipped(name), 200);
    let scenarios = vec![
        load("mobilization-2022.toml"),
        load("counterfactuals/finland-never-closes.toml"),
        load("counterfactuals/kazakhstan-requires-foreign-passport.toml"),
    ];
    let runs = exodus::compare::run_all(&scenarios, 10, 20220921, &|_| {}, &|| false).unwrap();
    let cal = scenarios[0].0.calendar();
    let from = cal.day_of("2022-09-30".parse().unwrap()) as usize;
    let finland_after = |o: &exodus::compare::Outcome| -> f64 {
        o.daily[&("Finland".to_owned(), "exodus_entries".to_owned())][from..]
            .iter()
            .sum()
    };
    // Finland never closing: more exodus entries into Finland after 30 Sep, paired CI above zero.
    let diffs: Vec<f64> = runs[1]
        .replicates
        .iter()
        .zip(&runs[0].replicates)
        .map(|(alt, base)| finland_after(alt) - finland_after(base))
        .collect();
    let ci = exodus::compare::Interval::of(&diffs);
    assert!(ci.low > 0.0, "Finland after 30 Sep: {ci:?}");

    // Kazakhstan requiring a foreign passport lowers its total and raises `stuck`.
    let rows = exodus::compare::summarize(&runs);
    let diff = |scenario: &str, place: &str, metric: &str| {
        rows.iter()
            .find(|r| r.scenario == scenario && r.place == place && r.metric == metric)
            .and_then(|r| r.diff)
            .unwrap()
    };
    let kz = diff(
        "kazakhstan-requires-foreign-passport",
        "Kazakhstan",
        "exodus",
    );
    assert!(kz.high < 0.0, "Kazakhstan: {kz:?}");
    let stuck = diff("kazakhstan-requires-foreign-passport", "national", "stuck");
    assert!(stuck.low > 0.0, "stuck: {stuck:?}");
}

/// The rows of a comparison's summary, each a map from column to field.
fn summary_rows(summary: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = summary.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|line| {
            header
                .iter()
                .map(|h| (*h).to_owned())
                .zip(line.split(',').map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The row of a comparison's summary for a scenario, place and metric.
fn summary_row(
    summary: &str,
    scenario: &str,
    place: &str,
    metric: &str,
) -> std::collections::BTreeMap<String, String> {
    summary_rows(summary)
        .into_iter()
        .find(|r| r["scenario"] == scenario && r["place"] == place && r["metric"] == metric)
        .unwrap_or_else(|| panic!("no row {scenario} {place} {metric}"))
}

fn number(row: &std::collections::BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} in {row:?}"))
}

/// `exodus compare --replicates R --posterior FILE`, for the scenarios and
/// options the caller adds.
fn compare_under(posterior: &Path, replicates: u32) -> assert_cmd::Command {
    let mut command = exodus();
    command
        .args([
            "compare",
            "--replicates",
            &replicates.to_string(),
            "--posterior",
        ])
        .arg(posterior);
    command
}

#[test]
fn a_comparison_under_a_posterior_carries_the_parameter_uncertainty_into_its_intervals() {
    let fx = Fixture::tiny();
    let base = fx.write();
    let open = fx.finland_open();
    // Three particles far apart in the size of the exodus, equally weighted.
    let posterior = fx.posterior(
        "particle,weight,decision.base_log_hazard,distance\n0,1,-9.3,0.2\n1,1,-8.3,0.1\n2,1,-7.3,0.3\n",
    );
    let compare = |out: &str, threads: &str| {
        exodus()
            .args([
                "compare",
                "--replicates",
                "12",
                "--threads",
                threads,
                "--posterior",
            ])
            .arg(&posterior)
            .arg("--out")
            .arg(fx.dir().join(out))
            .arg(&base)
            .arg(&open)
            .assert()
            .success()
            .stdout(
                predicate::str::contains("credible interval")
                    .and(predicate::str::contains("effective size 3")),
            );
        fs::read_to_string(fx.dir().join(out).join("compare_summary.csv")).unwrap()
    };
    let summary = compare("post", "2");
    let f = summary_row(&summary, "finland-open", "Finland", "exodus");
    let credible = number(&f, "diff_q975") - number(&f, "diff_q025");
    let monte_carlo = number(&f, "mc_diff_ci95_high") - number(&f, "mc_diff_ci95_low");
    assert!(
        credible > 3.0 * monte_carlo,
        "the exodus's size is uncertain by a factor e either way, so the effect is too: {f:?}"
    );
    assert!(number(&f, "diff_q025") <= number(&f, "diff_vs_base"));
    assert!(number(&f, "diff_vs_base") <= number(&f, "diff_q975"));
    let national = summary_row(&summary, "tiny", "national", "exodus");
    assert!(
        number(&national, "q975") > 2.0 * number(&national, "q025"),
        "{national:?}"
    );
    let manifest = super::folder_manifest(&fx.dir().join("post"));
    assert!(
        manifest["settings"]["posterior"]
            .as_str()
            .unwrap()
            .ends_with("posterior.csv")
    );
    // The draws are keyed by seed and replicate, never by thread.
    assert_eq!(summary, compare("post-1", "1"));
}

#[test]
fn a_posterior_of_one_particle_at_the_scenarios_values_changes_nothing() {
    let fx = Fixture::tiny();
    let base = fx.write();
    let open = fx.finland_open();
    let posterior = fx.posterior(
        "particle,weight,decision.base_log_hazard,decision.peer,distance\nonly,1,-8.3,0.0,0\n",
    );
    let out = fx.dir().join("one");
    compare_under(&posterior, 5)
        .arg("--out")
        .arg(&out)
        .arg(&base)
        .arg(&open)
        .assert()
        .success();
    let summary = fs::read_to_string(out.join("compare_summary.csv")).unwrap();
    // Replicate r runs with the seed of replicate r whether or not its
    // parameters were drawn: with nothing to draw, the two runs coincide,
    // and the credible interval is the spread of the Monte-Carlo replicates.
    let rows = summary_rows(&summary);
    for row in rows.iter().filter(|r| !r["diff_vs_base"].is_empty()) {
        let (low, high) = (number(row, "diff_ci95_low"), number(row, "diff_ci95_high"));
        let (mc_low, mc_high) = (
            number(row, "mc_diff_ci95_low"),
            number(row, "mc_diff_ci95_high"),
        );
        assert_eq!((low, high), (mc_low, mc_high), "{row:?}");
    }
}

#[test]
fn a_posterior_that_would_undo_an_alternative_is_refused() {
    let fx = Fixture::tiny();
    let base = fx.write();
    let calmer = child(
        &fx,
        "calmer.toml",
        "extends = \"scenario.toml\"\nname = \"calmer\"\n[decision]\npeer = 0.1\n",
    );
    let posterior = fx.posterior("particle,weight,decision.peer,distance\na,1,0.3,0\nb,1,0.5,0\n");
    compare_under(&posterior, 2)
        .arg("--out")
        .arg(fx.dir().join("x"))
        .arg(&base)
        .arg(&calmer)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("calmer.toml sets `decision.peer` to 0.1")
                .and(predicate::str::contains("would undo the difference")),
        );
    fx.posterior("particle,weight,decision.peer,distance\na,1,0.3,0\nb,-1,0.5,0\n");
    compare_under(&posterior, 2)
        .arg(&base)
        .arg(&base)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("posterior.csv:3:2").and(predicate::str::contains("weight")),
        );
}

#[test]
fn a_run_under_a_posterior_writes_predictive_bands() {
    let fx = Fixture::tiny();
    let base = fx.write();
    let posterior = fx.posterior(
        "particle,weight,decision.base_log_hazard,distance\n0,1,-9.3,0.2\n1,1,-7.3,0.1\n",
    );
    let out = fx.dir().join("bands");
    exodus()
        .args(["run", "--replicates", "8", "--posterior"])
        .arg(&posterior)
        .arg("--out")
        .arg(&out)
        .arg("--plot")
        .arg(&base)
        .assert()
        .success()
        .stdout(predicate::str::contains("95% posterior-predictive"));
    let summary = fs::read_to_string(out.join("compare_summary.csv")).unwrap();
    let national = summary_row(&summary, "tiny", "national", "exodus");
    let (low, mean, high) = (
        number(&national, "q025"),
        number(&national, "mean"),
        number(&national, "q975"),
    );
    assert!(
        low < mean && mean < high && high > 2.0 * low,
        "{national:?}"
    );
    assert!(out.join("comparison_exodus.svg").is_file());
    exodus()
        .args(["run", "--replicates", "8"])
        .arg(&base)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--posterior"));
}

#[test]
fn a_posterior_parameter_of_a_policy_an_alternative_removes_is_drawn_for_the_others_only() {
    let fx = Fixture::tiny();
    let base = fx.write();
    let open = fx.finland_open();
    // The ban's exempt share is drawn: it exists in the base, not in the
    // alternative that removes the ban.
    let posterior = fx.posterior(
        "particle,weight,decision.base_log_hazard,policy[finland-ban].exempt_share,distance\n\
         0,1,-8.8,0.2,0.1\n1,1,-7.8,0.9,0.2\n",
    );
    let out = fx.dir().join("drawn");
    compare_under(&posterior, 6)
        .arg("--out")
        .arg(&out)
        .arg(&base)
        .arg(&open)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: `finland-open` has no `policy[finland-ban].exempt_share`",
        ));
    let summary = fs::read_to_string(out.join("compare_summary.csv")).unwrap();
    let national = summary_row(&summary, "finland-open", "national", "exodus");
    // The base hazard is still drawn for the alternative: its spread is
    // far beyond the Monte-Carlo one.
    assert!(
        number(&national, "q975") > 1.5 * number(&national, "q025"),
        "{national:?}"
    );
    // A parameter the base itself lacks is still an error.
    fx.posterior("particle,weight,policy[no-such-policy].baseline_share,distance\n0,1,0.5,0\n");
    compare_under(&posterior, 2)
        .arg("--out")
        .arg(fx.dir().join("bad"))
        .arg(&base)
        .arg(&open)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-policy"));
}

/// Comparisons of one base with different alternatives default to
/// different folders: the second neither refuses nor replaces the first.
#[test]
fn comparisons_of_one_base_default_to_a_folder_each() {
    let fx = Fixture::tiny();
    let base = fx.write();
    let open = fx.finland_open();
    let other = fx.dir().join("other.toml");
    fs::write(
        &other,
        "extends = \"scenario.toml\"\nname = \"peer-high\"\n[decision]\npeer = 0.6\n",
    )
    .unwrap();
    for alt in [&open, &other] {
        exodus()
            .current_dir(fx.dir())
            .args(["compare", "--quiet", "--replicates", "2"])
            .arg(&base)
            .arg(alt)
            .assert()
            .success();
    }
    let output = fx.dir().join("output");
    for name in ["compare-tiny-vs-finland-open", "compare-tiny-vs-peer-high"] {
        assert!(
            output.join(name).join("compare_summary.csv").is_file(),
            "{name}"
        );
    }
}
