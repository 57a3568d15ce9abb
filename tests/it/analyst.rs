//! The analyst's day (issue 15) with an installed binary and no clone:
//! `init`, a scenario that extends the built-in default, a partial policy
//! override, `diff`, `--strict`, shell completions and the manual page.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

use super::{Fixture, exodus};

/// `exodus init` writes the default scenario, its data and a scenario to
/// edit; they run, score and compare where they are written, with no clone
/// beside them, and `init` never overwrites a file.
#[test]
fn init_writes_a_folder_that_runs_without_a_clone() {
    let home = tempfile::tempdir().unwrap();
    let study = home.path().join("study");
    exodus()
        .arg("init")
        .arg(&study)
        .current_dir(home.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("my-scenario.toml"));
    for name in [
        "mobilization-2022.toml",
        "my-scenario.toml",
        "data/regions.csv",
        "data/crossings.csv",
        "data/air-routes.csv",
        "data/reported-2022.csv",
        "data/README.md",
    ] {
        assert!(study.join(name).is_file(), "{name} written");
    }
    // The copy is the embedded default: the same scenario, data included.
    exodus()
        .args([
            "diff",
            "builtin:mobilization-2022",
            "mobilization-2022.toml",
        ])
        .current_dir(&study)
        .assert()
        .success()
        .stdout(predicate::str::contains("run the same scenario"));
    // The scenario to edit runs as written, and scores against the copied figures.
    exodus()
        .args(["check", "my-scenario.toml"])
        .current_dir(&study)
        .assert()
        .success();
    exodus()
        .args(["run", "my-scenario.toml", "--scale", "2000", "--quiet"])
        .args(["--score", "data/reported-2022.csv", "--out", "out"])
        .current_dir(&study)
        .assert()
        .success()
        .stdout("");
    assert!(study.join("out/score.csv").is_file());
    // Never overwritten: a second init into the folder is refused whole.
    fs::write(study.join("my-scenario.toml"), "# mine\n").unwrap();
    exodus()
        .arg("init")
        .arg(&study)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("never overwrites"));
    assert_eq!(
        fs::read_to_string(study.join("my-scenario.toml")).unwrap(),
        "# mine\n"
    );
}

/// `extends = "builtin:mobilization-2022"` works from any folder: the
/// embedded scenario with its embedded data; one key of a policy changes by
/// its id and the rest stay (issue 15, points 5 and 6).
#[test]
fn a_scenario_extends_the_builtin_default_anywhere_and_changes_one_policy_key() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.toml");
    fs::write(
        &mine,
        "extends = \"builtin:mobilization-2022\"\nname = \"mine\"\n\n\
         [[policy]]\nid = \"finland-tourist-ban\"\nstart = 2022-09-25\n",
    )
    .unwrap();
    exodus()
        .args(["diff", "builtin:mobilization-2022"])
        .arg(&mine)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("policy[finland-tourist-ban].start: 2022-09-30 → 2022-09-25")
                .and(predicate::str::contains(
                    "name: \"mobilization-2022\" → \"mine\"",
                ))
                .and(predicate::str::contains("2 differences"))
                .and(predicate::str::contains("data.").not()),
        );
    exodus()
        .arg("run")
        .arg(&mine)
        .args(["--scale", "2000", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .success();
    // An unknown built-in is named with those there are.
    fs::write(
        &mine,
        "extends = \"builtin:mobilisation\"\nname = \"mine\"\n",
    )
    .unwrap();
    exodus().arg("check").arg(&mine).assert().code(2).stderr(
        predicate::str::contains("no built-in scenario `mobilisation`")
            .and(predicate::str::contains("builtin:mobilization-2022"))
            .and(predicate::str::contains("mine.toml:1:")),
    );
}

/// `diff` shows `--set` values applied to the second scenario, and added
/// and removed policies.
#[test]
fn diff_shows_set_values_and_removed_policies() {
    let fx = Fixture::tiny();
    let tiny = fx.write();
    let other = fx.dir().join("other.toml");
    fs::write(
        &other,
        "extends = \"scenario.toml\"\nname = \"other\"\nremove_policies = [\"finland-ban\"]\n",
    )
    .unwrap();
    exodus()
        .arg("diff")
        .arg(&tiny)
        .arg(&other)
        .args(["--set", "decision.peer=0.25"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("- policy[finland-ban]: ")
                .and(predicate::str::contains("decision.peer: "))
                .and(predicate::str::contains("→ 0.25")),
        );
}

/// A policy that never takes effect in the run's window is a warning, and
/// an error under `--strict` (issue 15, point 5).
#[test]
fn a_policy_outside_the_window_warns_and_strict_refuses_it() {
    let fx = Fixture::tiny().set("start = 2022-09-30", "start = 2023-03-01");
    let tiny = fx.write();
    exodus()
        .args(["check"])
        .arg(&tiny)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("warning:")
                .and(predicate::str::contains("policy[0].start"))
                .and(predicate::str::contains("never takes effect")),
        );
    exodus()
        .args(["check", "--strict"])
        .arg(&tiny)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refused under --strict"));
    exodus()
        .args(["run", "--strict", "--scale", "1000", "--quiet", "--out"])
        .arg(fx.dir().join("out"))
        .arg(&tiny)
        .assert()
        .code(2);
    assert!(
        !fx.dir().join("out").exists(),
        "nothing run, nothing written"
    );
}

/// Completion scripts and the manual page come from the command line's
/// own definition, so they name every command.
#[test]
fn completions_and_the_manual_name_every_command() {
    let commands = [
        "run",
        "check",
        "compare",
        "sweep",
        "plot",
        "calibrate",
        "validate",
        "sensitivity",
        "init",
        "diff",
    ];
    let bash = exodus().args(["completions", "bash"]).output().unwrap();
    assert!(bash.status.success());
    let bash = String::from_utf8(bash.stdout).unwrap();
    assert!(
        bash.contains("complete -F _exodus"),
        "a bash completion script"
    );
    for command in commands {
        assert!(bash.contains(command), "bash completes {command}");
    }
    let zsh = exodus().args(["completions", "zsh"]).output().unwrap();
    assert!(
        String::from_utf8(zsh.stdout)
            .unwrap()
            .starts_with("#compdef exodus")
    );
    let page = exodus().arg("man").output().unwrap();
    let page = String::from_utf8(page.stdout).unwrap();
    assert!(page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH exodus"));
    let dir = tempfile::tempdir().unwrap();
    exodus()
        .args(["man", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    for command in commands {
        assert!(
            dir.path().join(format!("exodus-{command}.1")).is_file(),
            "a page for {command}"
        );
    }
    exodus()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bash"));
}

/// `--format json` gives every command's summary as one JSON object that
/// a script can read, and nothing else on standard output.
#[test]
fn json_summaries_are_one_object_a_script_can_read() {
    let fx = Fixture::tiny();
    let tiny = fx.write();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = exodus()
            .args(args)
            .arg("--format")
            .arg("json")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    };
    let run_dir = fx.dir().join("run");
    let run = json(&[
        "run",
        tiny.to_str().unwrap(),
        "--scale",
        "1000",
        "--out",
        run_dir.to_str().unwrap(),
    ]);
    assert_eq!(run["command"], "run");
    assert_eq!(run["manifest"]["scenario"], "tiny");
    assert_eq!(run["manifest"]["scale"], 1000);
    assert!(run["headline"]["exodus"]["Kazakhstan"].as_u64().unwrap() > 0);
    let at_end = &run["headline"]["at_end"];
    let accounted: u64 = [
        "at_home",
        "traveling",
        "queued",
        "abroad",
        "drafted",
        "returned",
    ]
    .iter()
    .map(|k| at_end[*k].as_u64().unwrap())
    .sum();
    assert_eq!(accounted, run["headline"]["eligible"].as_u64().unwrap());

    let alt = fx.finland_open();
    let cmp_dir = fx.dir().join("cmp");
    let compare = json(&[
        "compare",
        tiny.to_str().unwrap(),
        alt.to_str().unwrap(),
        "--replicates",
        "2",
        "--out",
        cmp_dir.to_str().unwrap(),
    ]);
    let rows = compare["headline"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["scenario"] == "finland-open"
        && r["place"] == "Finland"
        && r["diff_vs_base"].as_f64().unwrap() > 0.0));

    let diff = json(&["diff", tiny.to_str().unwrap(), alt.to_str().unwrap()]);
    let paths: Vec<&str> = diff["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"policy[finland-ban]") && paths.contains(&"name"));

    let check = json(&["check", tiny.to_str().unwrap()]);
    assert_eq!(check["scenario"], "tiny");
    assert_eq!(check["valid"], true);

    let report = json(&["report", run_dir.to_str().unwrap()]);
    assert!(report["report"].as_str().unwrap().ends_with("report.html"));

    exodus()
        .args(["completions", "bash", "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not apply"));
}

/// Under `--format json` a failure is a JSON object on standard output too
/// (`error`, `exit_code`), whatever failed: the command line, the scenario,
/// the output folder; and `run --score` gives its score in the summary.
#[test]
fn json_errors_are_json_and_a_scored_run_gives_its_score() {
    let fx = Fixture::tiny();
    let tiny = fx.write();
    let tiny = tiny.to_str().unwrap();
    let file = fx.dir().join("a-file");
    fs::write(&file, "x").unwrap();
    for args in [
        &["check", "nope.toml"][..],
        &["run", tiny, "--scale", "x"],
        &["run", "--bogus"],
        &["run", tiny, "--out", file.to_str().unwrap()],
        &["merge", "nowhere", "--out", "x"],
    ] {
        let out = exodus()
            .args(args)
            .args(["--format", "json"])
            .env("EXODUS_MEMORY_LIMIT_MIB", "4096")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let value: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        assert_eq!(value["exit_code"], 2, "{args:?}");
        let error = value["error"].as_str().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(error), "{args:?}: {error} / {stderr}");
    }
    let observed = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/reported-2022.csv");
    let out = exodus()
        .args([
            "run", tiny, "--scale", "1000", "--format", "json", "--score",
        ])
        .arg(&observed)
        .arg("--out")
        .arg(fx.dir().join("scored"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["command"], "run");
    assert!(
        !value["score"]["scored"].as_array().unwrap().is_empty(),
        "{value}"
    );
    assert!(
        value["score"]["median_abs_log_error"].is_number(),
        "{value}"
    );
}
