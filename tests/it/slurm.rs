//! `exodus slurm` against a real Slurm (`../shared/slurm/start-slurm.sh`
//! starts a single-node one; `.ci/run` starts it and stops it by its PIDs).
//! Where no cluster answers (`sinfo`), the test is skipped with a message,
//! unless `EXODUS_REQUIRE_SLURM` is set, as CI sets it: there it must run.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use predicates::prelude::*;

use super::{Fixture, exodus};

/// Whether a Slurm cluster answers here.
fn cluster() -> bool {
    let answers = Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
    if !answers {
        assert!(
            std::env::var_os("EXODUS_REQUIRE_SLURM").is_none(),
            "EXODUS_REQUIRE_SLURM is set but no Slurm cluster answers (sinfo)"
        );
        eprintln!(
            "skipping the Slurm test: no cluster answers (start one with ../shared/slurm/start-slurm.sh)"
        );
    }
    answers
}

/// Waits until none of `jobs` is in the queue; cancels them and fails after
/// `limit`.
fn wait_for(jobs: &[String], limit: Duration) {
    let started = Instant::now();
    let list = jobs.join(",");
    loop {
        let queue = Command::new("squeue")
            .args(["-h", "-j", &list])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&queue.stdout);
        if text.trim().is_empty() {
            return;
        }
        if started.elapsed() > limit {
            let _ = Command::new("scancel").arg(&list).status();
            panic!("jobs {list} still queued after {limit:?}:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The ids `exodus slurm --submit` printed: `array N (...), merge M`.
fn submitted(stdout: &str) -> (String, String) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("submitted:"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let after = |key: &str| {
        let at = words.iter().position(|w| *w == key).unwrap();
        words[at + 1].trim_end_matches(',').to_owned()
    };
    (after("array"), after("merge"))
}

/// The job's state and exit code, from `scontrol` (kept 300 s after the end).
fn state(job: &str) -> String {
    let out = Command::new("scontrol")
        .args(["-o", "show", "job", job])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn same(a: &Path, b: &Path, name: &str) {
    assert!(
        std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap(),
        "{name} differs"
    );
}

#[test]
fn a_comparison_runs_as_a_slurm_array_and_merges_into_the_same_files() {
    if !cluster() {
        return;
    }
    let fx = Fixture::tiny();
    let base = fx.write();
    let alt = fx.finland_open();
    let dir = fx.dir();
    let common = [
        "compare",
        base.to_str().unwrap(),
        alt.to_str().unwrap(),
        "--replicates",
        "4",
        "--scale",
        "1000",
    ];
    exodus()
        .current_dir(dir)
        .args(common)
        .args(["--quiet", "--out", "alone"])
        .assert()
        .success();

    // Four shards and a merge, submitted to the cluster, in the form
    // docs/cluster.md shows: exodus slurm's own options after the command's.
    let out = exodus()
        .current_dir(dir)
        .arg("slurm")
        .args(common)
        .args(["--out", "merged"])
        .args(["--tasks", "4", "--time", "00:10:00", "--submit"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("squeue -j"), "{stdout}");
    let (array, merge) = submitted(&stdout);
    wait_for(&[array.clone(), merge.clone()], Duration::from_secs(240));
    assert!(
        state(&merge).contains("JobState=COMPLETED"),
        "{}",
        state(&merge)
    );
    for name in [
        "compare_summary.csv",
        "compare_daily.csv",
        "datapackage.json",
    ] {
        same(&dir.join("alone"), &dir.join("merged"), name);
    }

    // A shard that fails: the merge still runs (afterany), refuses with the
    // shard named, and `--resume` recovers.
    let slurm = dir.join("failing.slurm");
    exodus()
        .current_dir(dir)
        .args(["slurm", "--tasks", "4", "--dir"])
        .arg(&slurm)
        .args(common)
        .args(["--out", "failing"])
        .assert()
        .success()
        .stdout(predicate::str::contains("submit.sh"));
    let script = slurm.join("shard.sbatch");
    let text = std::fs::read_to_string(&script).unwrap();
    // Deliberately broken: task 3 fails before it runs its shard.
    let broken = text.replacen(
        "set -euo pipefail\n",
        "set -euo pipefail\nif [ \"$SLURM_ARRAY_TASK_ID\" = 3 ]; then exit 1; fi\n",
        1,
    );
    std::fs::write(&script, broken).unwrap();
    let submit = Command::new("bash")
        .arg(slurm.join("submit.sh"))
        .current_dir(dir)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&submit.stdout).into_owned();
    assert!(submit.status.success(), "{printed}");
    let ids: Vec<String> = printed
        .split_whitespace()
        .filter_map(|w| {
            let id = w.trim_end_matches(',');
            id.chars()
                .all(|c| c.is_ascii_digit())
                .then(|| id.to_owned())
        })
        .collect();
    assert_eq!(ids.len(), 2, "{printed}");
    wait_for(&ids, Duration::from_secs(240));
    let merge_state = state(&ids[1]);
    assert!(
        merge_state.contains("JobState=FAILED") && merge_state.contains("ExitCode=2:0"),
        "the merge ran after the failed task and refused: {merge_state}"
    );
    let log = std::fs::read_dir(slurm.join("logs"))
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("merge-"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .unwrap();
    assert!(log.contains("1 of 4 missing (shard 3)"), "{log}");
    assert!(!dir.join("failing").exists(), "no partial result");
    let shards = slurm.join("shards/stage-0");
    let resume = exodus()
        .current_dir(dir)
        .arg("merge")
        .args(["1", "2", "4"].map(|i| shards.join(i)))
        .args(["--out", "failing", "--resume"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&resume.stdout).into_owned();
    assert!(resume.status.success(), "{printed}");
    assert!(
        printed.contains("sbatch --array=3 --export=ALL,EXODUS_STAGE=0"),
        "{printed}"
    );
    // Rerun the missing shard as printed (the command, here, not the array).
    let rerun = printed
        .lines()
        .find(|l| l.contains("--shard 3/4"))
        .unwrap()
        .trim();
    let words = shell_words::split(rerun).unwrap();
    exodus()
        .current_dir(dir)
        .args(&words[1..])
        .assert()
        .success();
    exodus()
        .current_dir(dir)
        .arg("merge")
        .args(["1", "2", "3", "4"].map(|i| shards.join(i)))
        .args(["--quiet", "--out", "failing"])
        .assert()
        .success();
    for name in ["compare_summary.csv", "compare_daily.csv"] {
        same(&dir.join("alone"), &dir.join("failing"), name);
    }
}
