//! Shards and merges (issue 16): a command run as `--shard I/N` processes
//! and merged gives what it writes alone, byte for byte, for `compare`,
//! `sweep`, `sensitivity` and ABC-SMC; a missing shard makes the merge
//! refuse, and `--resume` recovers. The real-Slurm test is in `slurm.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use super::{Fixture, exodus};

/// Every file under `dir`, by its path below it.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_owned();
                found.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    found
}

/// A manifest without what differs between any two runs of one command:
/// the command line (the merge names the command it merges, with its own
/// options), the wall time, and the entries of the `volatile` files.
fn stable_manifest(bytes: &[u8], volatile: &[&str]) -> toml::Table {
    let mut t: toml::Table = std::str::from_utf8(bytes).unwrap().parse().unwrap();
    t.remove("command_line");
    if let Some(toml::Value::Table(o)) = t.get_mut("outcome") {
        o.remove("wall_seconds");
    }
    if let Some(toml::Value::Array(files)) = t.get_mut("files") {
        files.retain(|f| !volatile.contains(&f["name"].as_str().unwrap_or_default()));
    }
    t
}

/// A CSV file without its `seconds` column (wall times).
fn without_seconds(bytes: &[u8]) -> String {
    let text = std::str::from_utf8(bytes).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let drop = header.iter().position(|h| *h == "seconds");
    text.lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cells
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != drop)
                .map(|(_, c)| *c)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that two folders hold the same results: every file byte for
/// byte, but the manifests' command lines and wall times and the
/// `seconds` column of `generations.csv`.
fn assert_same_results(alone: &Path, merged: &Path) {
    let (a, m) = (files(alone), files(merged));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        m.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, bytes) in &a {
        let other = &m[name];
        let file = name.file_name().unwrap().to_str().unwrap();
        match file {
            "manifest.toml" | "run.toml" => assert_eq!(
                stable_manifest(bytes, &["generations.csv"]),
                stable_manifest(other, &["generations.csv"]),
                "{}",
                name.display()
            ),
            "generations.csv" => assert_eq!(without_seconds(bytes), without_seconds(other)),
            _ => assert!(bytes == other, "{} differs", name.display()),
        }
    }
}

/// Runs `args` alone into `out`, moves the results aside, then runs it in
/// `shards` shards stage by stage (each stage's shards with the merged
/// results so far), merging into the same `out`; returns the folder of the
/// results alone and the number of stages.
fn alone_and_sharded(dir: &Path, args: &[&str], shards: u32) -> (PathBuf, u32) {
    let out = dir.join("out");
    exodus()
        .current_dir(dir)
        .args(args)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let alone = dir.join("alone");
    fs::rename(&out, &alone).unwrap();
    let jobs = dir.join("out.jobs");
    for stage in 0..200u32 {
        let stage_dir = dir.join(format!("shards/{stage}"));
        for i in 1..=shards {
            let mut shard = exodus();
            shard
                .current_dir(dir)
                .args(args)
                .args(["--shard", &format!("{i}/{shards}"), "--out"])
                .arg(stage_dir.join(i.to_string()));
            if stage > 0 {
                shard.arg("--jobs-from").arg(&jobs);
            }
            shard.assert().success();
        }
        let merged = exodus()
            .current_dir(dir)
            .arg("merge")
            .args((1..=shards).map(|i| stage_dir.join(i.to_string())))
            .args(["--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        match merged.status.code() {
            Some(0) => return (alone, stage + 1),
            Some(3) => continue,
            code => panic!(
                "merge of stage {stage}: {code:?}: {}",
                String::from_utf8_lossy(&merged.stderr)
            ),
        }
    }
    panic!("more than 200 stages")
}

/// `compare` of the tiny fixture and its `finland-open` alternative at
/// 1:1000 with `replicates` replicates.
fn tiny_comparison(fx: &Fixture, replicates: u32) -> Vec<String> {
    let (base, alt) = (fx.write(), fx.finland_open());
    [
        "compare".to_owned(),
        base.display().to_string(),
        alt.display().to_string(),
        "--replicates".to_owned(),
        replicates.to_string(),
        "--scale".to_owned(),
        "1000".to_owned(),
    ]
    .to_vec()
}

#[test]
fn a_sharded_comparison_merges_into_the_same_files() {
    let fx = Fixture::tiny();
    let owned = tiny_comparison(&fx, 5);
    let args: Vec<&str> = owned.iter().map(String::as_str).collect();
    let (alone, stages) = alone_and_sharded(fx.dir(), &args, 4);
    assert_eq!(stages, 1);
    assert_same_results(&alone, &fx.dir().join("out"));
    // The manifest of the merge records the command it merges.
    let manifest = fs::read_to_string(fx.dir().join("out/manifest.toml")).unwrap();
    assert!(manifest.contains("command_line = \"exodus compare "));
    assert!(!manifest.contains("--shard"));
}

#[test]
fn a_sharded_sweep_and_sensitivity_merge_into_the_same_files() {
    let fx = Fixture::tiny();
    let tiny = fx.write();
    let sweep = fx.dir().join("sweep");
    fs::create_dir_all(&sweep).unwrap();
    let args = [
        "sweep",
        tiny.to_str().unwrap(),
        "--param",
        "decision.peer=0.1,0.3,0.5",
        "--replicates",
        "2",
        "--scale",
        "1000",
    ];
    let (alone, _) = alone_and_sharded(&sweep, &args, 3);
    assert_same_results(&alone, &sweep.join("out"));

    let sensitivity = fx.dir().join("sensitivity");
    fs::create_dir_all(&sensitivity).unwrap();
    let scenario = Fixture::default_scenario();
    let path = scenario.write();
    let args = [
        "sensitivity",
        path.to_str().unwrap(),
        "--samples",
        "4",
        "--parameters",
        "decision.base_log_hazard,queue.patience_mean_days",
        "--scale",
        "4000",
    ];
    let (alone, _) = alone_and_sharded(&sensitivity, &args, 2);
    assert_same_results(&alone, &sensitivity.join("out"));
}

/// ABC-SMC's rounds depend on each other: each is a stage, merged before
/// the next round's shards run (`--jobs-from`), and the last merge writes
/// the posterior and its predictive check as one process does.
#[test]
fn a_sharded_abc_smc_runs_stage_by_stage_into_the_same_posterior() {
    let fx = Fixture::default_scenario();
    let path = fx.write();
    let args = [
        "calibrate",
        path.to_str().unwrap(),
        "--method",
        "abc-smc",
        "--particles",
        "6",
        "--budget",
        "60",
        "--generations",
        "3",
        "--predictive",
        "2",
        "--scale",
        "4000",
    ];
    let (alone, stages) = alone_and_sharded(fx.dir(), &args, 3);
    assert!(stages >= 3, "{stages} stages: the rounds chain");
    assert_same_results(&alone, &fx.dir().join("out"));
}

/// A shard that failed leaves the merge refusing, with the shard named;
/// `--resume` prints the command that reruns only it, and once it has run
/// the merge gives the same results as one process.
#[test]
fn a_missing_shard_is_named_and_resume_reruns_only_it() {
    let fx = Fixture::tiny();
    let owned = tiny_comparison(&fx, 3);
    let args: Vec<&str> = owned.iter().map(String::as_str).collect();
    let (alone, _) = alone_and_sharded(fx.dir(), &args, 3);
    let shards = fx.dir().join("shards/0");
    fs::remove_dir_all(shards.join("2")).unwrap();
    let again = fx.dir().join("again");
    let merge = |resume: bool| {
        let mut cmd = exodus();
        cmd.current_dir(fx.dir())
            .arg("merge")
            .arg(shards.join("1"))
            .arg(shards.join("3"))
            .args(["--quiet", "--out"])
            .arg(&again);
        if resume {
            cmd.arg("--resume");
        }
        cmd.assert()
    };
    merge(false).code(2).stderr(
        predicate::str::contains("1 of 3 missing (shard 2)")
            .and(predicate::str::contains("--resume")),
    );
    assert!(!again.exists(), "no partial result");
    let printed = merge(true).success().get_output().stdout.clone();
    let printed = String::from_utf8(printed).unwrap();
    let rerun = printed
        .lines()
        .find(|l| l.contains("--shard 2/3"))
        .unwrap_or_else(|| panic!("{printed}"))
        .trim();
    let words = shell_words::split(rerun).unwrap();
    assert_eq!(words[0], "exodus");
    exodus()
        .current_dir(fx.dir())
        .args(&words[1..])
        .assert()
        .success();
    exodus()
        .current_dir(fx.dir())
        .arg("merge")
        .args((1..=3).map(|i| shards.join(i.to_string())))
        .args(["--quiet", "--out"])
        .arg(&again)
        .assert()
        .success();
    for name in ["compare_summary.csv", "compare_daily.csv"] {
        assert!(fs::read(alone.join(name)).unwrap() == fs::read(again.join(name)).unwrap());
    }
}

#[test]
fn a_merge_refuses_inputs_that_changed_since_its_shards_ran() {
    let fx = Fixture::tiny();
    let dir = fx.dir();
    fx.write();
    // The command names `s.toml`, which extends the fixture: an edit of the
    // extended file changes what `s.toml` makes, not its bytes.
    fs::write(
        dir.join("s.toml"),
        "extends = \"scenario.toml\"\nname = \"s\"\n",
    )
    .unwrap();
    let posterior = "particle,weight,decision.peer,distance\n0,1,0.2,0.1\n1,1,0.4,0.1\n";
    fs::write(dir.join("p.csv"), posterior).unwrap();
    let args = [
        "compare",
        "scenario.toml",
        "s.toml",
        "--posterior",
        "p.csv",
        "--replicates",
        "2",
        "--scale",
        "2000",
    ];
    for i in 1..=2 {
        exodus()
            .current_dir(dir)
            .args(args)
            .args(["--quiet", "--shard", &format!("{i}/2"), "--out"])
            .arg(format!("shards/{i}"))
            .assert()
            .success();
    }
    let merge = |from: &Path| {
        exodus()
            .current_dir(from)
            .arg("merge")
            .arg(dir.join("shards/1"))
            .arg(dir.join("shards/2"))
            .args(["--quiet", "--out"])
            .arg(from.join("merged"))
            .assert()
    };
    let original = fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let edited = original.replace("seed = 42", "seed = 43");
    assert_ne!(edited, original);
    for (file, text, named) in [
        ("scenario.toml", edited.as_str(), "`scenario.toml`"),
        (
            "p.csv",
            "particle,weight,decision.peer,distance\n0,1,0.9,0.1\n",
            "`p.csv`",
        ),
    ] {
        let before = fs::read_to_string(dir.join(file)).unwrap();
        fs::write(dir.join(file), text).unwrap();
        merge(dir).code(2).stderr(
            predicates::str::contains(named).and(predicates::str::contains(
                "differs from the file the shards ran over",
            )),
        );
        fs::write(dir.join(file), before).unwrap();
    }
    // The extended file edited: `s.toml`'s bytes are the same, its scenario not.
    fs::write(dir.join("scenario.toml"), &edited).unwrap();
    merge(dir)
        .code(2)
        .stderr(predicates::str::contains("`s.toml`"));
    fs::write(dir.join("scenario.toml"), &original).unwrap();
    // Another folder, with files of the same names that are not the same.
    let elsewhere = tempfile::tempdir().unwrap();
    fs::create_dir_all(elsewhere.path().join("data")).unwrap();
    for name in ["data/regions.csv", "data/crossings.csv", "s.toml"] {
        fs::copy(dir.join(name), elsewhere.path().join(name)).unwrap();
    }
    fs::write(elsewhere.path().join("scenario.toml"), &edited).unwrap();
    fs::write(elsewhere.path().join("p.csv"), posterior).unwrap();
    merge(elsewhere.path())
        .code(2)
        .stderr(predicates::str::contains("`scenario.toml`"));
    // Where they ran, with the files they ran over, the merge goes through.
    // (A comparison under a posterior has a second stage: exit code 3.)
    merge(dir).code(3);
}

/// `--quiet` holds for a shard and for a sweep: nothing on either stream
/// (a shard printed what it ran, a sweep its estimate).
#[test]
fn quiet_shards_and_sweeps_print_nothing() {
    let fx = Fixture::tiny();
    let tiny = fx.write();
    let sweep = [
        "sweep",
        tiny.to_str().unwrap(),
        "--param",
        "decision.peer=0.1,0.3",
        "--replicates",
        "1",
        "--scale",
        "2000",
        "--quiet",
    ];
    let dir = fx.dir();
    for extra in [
        &["--shard", "1/2", "--out", "shard"][..],
        &["--out", "alone"],
    ] {
        exodus()
            .current_dir(dir)
            .args(sweep)
            .args(extra)
            .assert()
            .success()
            .stdout("")
            .stderr("");
    }
}
