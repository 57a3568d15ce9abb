//! End-to-end runs of the real binary.

use std::fs;

use predicates::prelude::*;

use super::{Fixture, exodus};
use exodus::engine::CHUNK;
use exodus::output::{FILES, MANIFEST};

#[test]
fn run_writes_its_files_and_a_complete_manifest() {
    let fx = Fixture::tiny();
    let out = fx.run_cli("out");
    for name in FILES.iter().chain([&MANIFEST]) {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let manifest: toml::Table = fs::read_to_string(out.join(MANIFEST))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(manifest["scenario"].as_str(), Some("tiny"));
    assert_eq!(manifest["seed"].as_integer(), Some(42));
    let files = manifest["files"].as_array().unwrap();
    // The CSV files, the policy timeline and the data dictionary.
    assert_eq!(files.len(), FILES.len() + 2);
    assert!(out.join("policies.csv").is_file() && out.join("datapackage.json").is_file());
    for file in files {
        let name = file["name"].as_str().unwrap();
        let bytes = fs::read(out.join(name)).unwrap();
        assert_eq!(
            file["sha256"].as_str().unwrap(),
            exodus::format::hex_sha256(&bytes),
            "{name}"
        );
    }
    let header = |name: &str| {
        fs::read_to_string(out.join(name))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        header("daily_crossings.csv"),
        "date,crossing,destination,arrived,crossed,turned_back,gave_up_events,caught,baseline_entries,entries,baseline_exits,exits,queue,mean_wait_days"
    );
    assert_eq!(
        header("daily_destinations.csv"),
        "date,destination,exodus_entries,onward_entries,baseline_entries,entries,baseline_exits,exits,moved_on,went_home,abroad,cumulative_exodus"
    );
    assert_eq!(
        header("daily_national.csv"),
        "date,decided,departed,traveling,queued,abroad,drafted,drafted_at_border,stuck,returned,at_home,awaiting_passport,moving_on,came_back"
    );
    assert_eq!(
        header("regions.csv"),
        "region,name,eligible,left,drafted,left_share,left_kazakhstan,left_georgia,left_finland"
    );
    // One row per day and crossing: 21 days × 5 crossings.
    let rows = fs::read_to_string(out.join("daily_crossings.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(rows, 21 * 5);
    assert_eq!(header("onward.csv"), "from,to,men");
}

#[test]
fn default_scenario_runs_with_no_scenario_argument() {
    let dir = tempfile::tempdir().unwrap();
    exodus()
        .current_dir(dir.path())
        .args(["run", "--scale", "500"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Kazakhstan")
                .and(predicate::str::contains("mobilization-2022")),
        );
    assert!(
        dir.path()
            .join("output/mobilization-2022/run.toml")
            .is_file()
    );
}

#[test]
fn same_seed_gives_identical_files_in_separate_processes_for_any_thread_count() {
    // Every run below is its own process. At 1:50 the fixture has several
    // chunks of agents, so the threads share the agent pass between them and
    // the chunks' reports must be merged in chunk order.
    let fx = Fixture::tiny().set("scale = 500", "scale = 50");
    let path = fx.write();
    let run = |threads: &str, seed: &str| {
        let out = fx.dir().join(format!("out-{threads}-{seed}"));
        exodus()
            .args([
                "run",
                "--quiet",
                "--threads",
                threads,
                "--seed",
                seed,
                "--out",
            ])
            .arg(&out)
            .arg(&path)
            .assert()
            .success();
        let manifest: toml::Table = fs::read_to_string(out.join(MANIFEST))
            .unwrap()
            .parse()
            .unwrap();
        let agents = manifest["agents"].as_integer().unwrap();
        let chunks = (agents as usize).div_ceil(CHUNK);
        assert!(chunks >= 4, "{agents} agents make {chunks} chunks");
        FILES.map(|f| fs::read_to_string(out.join(f)).unwrap())
    };
    let one = run("1", "7");
    let two = run("2", "7");
    assert_identical(&one, &two, "1 vs 2 threads");
    assert_identical(&two, &run("2", "7"), "two processes with 2 threads");
    assert_identical(&one, &run("8", "7"), "1 vs 8 threads");
    assert_ne!(one, run("2", "8"), "another seed must change the results");
}

/// Asserts that two runs wrote the same files, naming the first line that
/// differs.
fn assert_identical(a: &[String], b: &[String], what: &str) {
    for (name, (a, b)) in FILES.iter().zip(a.iter().zip(b)) {
        if a == b {
            continue;
        }
        let (n, (x, y)) = a
            .lines()
            .zip(b.lines())
            .enumerate()
            .find(|(_, (x, y))| x != y)
            .unwrap_or((0, ("(one file is longer)", "")));
        panic!(
            "{what}: {name} differs, first on line {}:\n  {x}\n  {y}",
            n + 1
        );
    }
}

#[test]
fn check_prints_the_population_crossings_and_timeline() {
    exodus()
        .args(["check"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/mobilization-2022.toml"
        ))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("83 regions")
                .and(predicate::str::contains("upper-lars"))
                .and(predicate::str::contains("finland-tourist-ban"))
                .and(predicate::str::contains(
                    "implied shares: foreign passport 29",
                )),
        );
}

#[test]
fn help_gives_examples() {
    exodus()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:").and(predicate::str::contains("exodus run")));
}

/// Results made with other settings (scale, seed, `--set`) are not
/// replaced without `--force`, which then says what it replaces; the
/// manifest records the command line and every `--set`, and the summary
/// names the override (issue 15, point 2).
#[test]
fn results_made_with_other_settings_are_kept_unless_forced() {
    let fx = Fixture::tiny();
    let tiny = fx.write();
    let out = fx.dir().join("out");
    let run = |extra: &[&str]| {
        let mut cmd = exodus();
        cmd.args(["run", "--scale", "1000", "--out"])
            .arg(&out)
            .args(extra)
            .arg(&tiny);
        cmd.assert()
    };
    run(&["--quiet"]).success();
    let before = fs::read(out.join("daily_national.csv")).unwrap();
    run(&["--quiet", "--seed", "7"]).code(2).stderr(
        predicate::str::contains("made with other settings")
            .and(predicate::str::contains("seed"))
            .and(predicate::str::contains("--force")),
    );
    run(&["--quiet", "--set", "decision.peer=0.2"])
        .code(2)
        .stderr(predicate::str::contains(
            r#"set [] → ["decision.peer=0.2"]"#,
        ));
    assert_eq!(
        fs::read(out.join("daily_national.csv")).unwrap(),
        before,
        "the earlier results are kept"
    );
    run(&["--force", "--set", "decision.peer=0.2"])
        .success()
        .stderr(predicate::str::contains(
            "--force: replacing the results of `exodus run` on `tiny` made with other settings",
        ))
        .stdout(predicate::str::contains("with --set decision.peer=0.2"));
    let manifest: toml::Table = fs::read_to_string(out.join(MANIFEST))
        .unwrap()
        .parse()
        .unwrap();
    let line = manifest["command_line"].as_str().unwrap();
    assert!(
        line.starts_with("exodus run --scale 1000 --out ")
            && line.contains("--force --set 'decision.peer=0.2' "),
        "{line}"
    );
    assert_eq!(
        manifest["set"].as_array().unwrap(),
        &vec![toml::Value::from("decision.peer=0.2")]
    );
    // The same settings again: replaced in place without a word.
    run(&["--quiet", "--set", "decision.peer=0.2"]).success();
}

#[test]
fn another_scenarios_results_are_not_overwritten_without_force() {
    let fx = Fixture::tiny();
    let out = fx.dir().join("out");
    let run = |extra: &[&str], scenario: Option<&std::path::Path>| {
        let mut cmd = exodus();
        cmd.args(["run", "--quiet", "--scale", "1000", "--out"])
            .arg(&out)
            .args(extra);
        if let Some(s) = scenario {
            cmd.arg(s);
        }
        cmd.assert()
    };
    let tiny = fx.write();
    run(&[], Some(&tiny)).success();
    run(&[], Some(&tiny)).success(); // the same scenario may be re-run in place
    run(&[], None).code(2).stderr(
        predicate::str::contains("another scenario (`tiny`)")
            .and(predicate::str::contains("--force")),
    );
    run(&["--force"], None).success();
    let manifest = fs::read_to_string(out.join(MANIFEST)).unwrap();
    assert!(manifest.contains("scenario = \"mobilization-2022\""));

    let foreign = fx.dir().join("notes");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("thesis.txt"), "precious").unwrap();
    exodus()
        .args(["run", "--quiet", "--scale", "1000", "--out"])
        .arg(&foreign)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "files that are not complete results of exodus",
        ));
    assert_eq!(
        fs::read_to_string(foreign.join("thesis.txt")).unwrap(),
        "precious"
    );
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // As in `exodus check | head -1`: the reader goes away before the summary is printed.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("exodus"))
        .arg("check")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `--shard` and `--jobs-from` are in the help of the commands that run in
/// shards, not in that of the others (`init --help` listed `--shard`).
#[test]
fn only_commands_that_run_in_shards_offer_shards_in_their_help() {
    for command in ["compare", "sweep", "sensitivity", "calibrate"] {
        exodus()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(
                predicates::str::contains("--shard I/N")
                    .and(predicates::str::contains("--jobs-from DIR")),
            );
    }
    for command in ["init", "run", "check", "plot", "report", "diff"] {
        exodus()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicates::str::contains("--shard").not());
    }
}
