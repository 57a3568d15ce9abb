//! Output folders with real processes: two writers at once, SIGKILL while
//! writing, a full disk, `--force` against an input folder, and the checks
//! that refuse an unusable folder before anything is simulated.
#![cfg(unix)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use exodus::output::MANIFEST;
use predicates::prelude::*;

use super::{Fixture, assert_complete_or_unmarked, exodus, finish};

/// Starts `exodus run` of `scenario` into `out` with extra arguments.
fn start_run(scenario: &Path, out: &Path, extra: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("exodus"))
        .args(["run", "--quiet"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .arg(scenario)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The fixture with ten times the men, so that a run lasts long enough for
/// another process to meet it.
fn slow(fx: &Fixture) -> PathBuf {
    let path = fx.dir().join("slow.toml");
    fs::write(
        &path,
        "extends = \"scenario.toml\"\n[population]\nmen_multiplier = 10\n",
    )
    .unwrap();
    fx.write();
    path
}

#[test]
fn a_second_writer_is_refused_and_told_who_holds_the_folder() {
    let fx = Fixture::tiny();
    let scenario = slow(&fx);
    let out = fx.dir().join("out");
    let mut refused = 0;
    for _ in 0..3 {
        let first = start_run(&scenario, &out, &["--scale", "1"]);
        std::thread::sleep(Duration::from_millis(150));
        let (status, stderr) = finish(start_run(&scenario, &out, &["--scale", "1"]));
        let (first_status, first_stderr) = finish(first);
        assert!(first_status.success(), "{first_stderr}");
        if !status.success() {
            assert_eq!(status.code(), Some(2), "{stderr}");
            assert!(
                stderr.contains("is being written by exodus run (process ")
                    && stderr.contains("choose another folder with --out"),
                "{stderr}"
            );
            refused += 1;
        }
        // Whoever wrote last, the folder's manifest matches every file.
        assert!(assert_complete_or_unmarked(&out, MANIFEST));
    }
    assert!(refused > 0, "the second run never met the first");
}

#[test]
fn writers_started_together_leave_one_complete_run() {
    let fx = Fixture::tiny();
    let scenario = fx.write();
    let out = fx.dir().join("out");
    for round in 0..3 {
        let seeds = ["1", "2", "3", "4"];
        let children: Vec<Child> = seeds
            .iter()
            .map(|seed| start_run(&scenario, &out, &["--force", "--seed", seed]))
            .collect();
        let mut wrote = 0;
        for child in children {
            let (status, stderr) = finish(child);
            match status.code() {
                Some(0) => wrote += 1,
                Some(2) => assert!(stderr.contains("is being written by"), "{stderr}"),
                _ => panic!("round {round}: {status}: {stderr}"),
            }
        }
        assert!(wrote >= 1);
        assert!(assert_complete_or_unmarked(&out, MANIFEST));
        assert_eq!(
            names(fx.dir())
                .iter()
                .filter(|n| n.contains("staging"))
                .count(),
            0
        );
    }
}

#[test]
fn sigkill_while_writing_keeps_the_earlier_run_whole() {
    let fx = Fixture::tiny();
    let scenario = slow(&fx);
    let out = fx.dir().join("out");
    let (status, stderr) = finish(start_run(&scenario, &out, &["--scale", "20"]));
    assert!(status.success(), "{stderr}");
    let earlier = fs::read_to_string(out.join(MANIFEST)).unwrap();
    // Killed at moments spread over synthesis, simulation and writing.
    for delay_ms in [50, 200, 400, 600, 800, 1000, 1300, 1600] {
        let child = start_run(&scenario, &out, &["--force", "--scale", "1", "--seed", "7"]);
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status();
        let (status, _) = finish(child);
        let manifest = fs::read_to_string(out.join(MANIFEST)).unwrap();
        assert!(assert_complete_or_unmarked(&out, MANIFEST));
        // Killed before the swap, the earlier run is whole; killed after it
        // (before the process ended), the new run is whole: never a mix.
        if !status.success() && !manifest.contains("--seed 7") {
            assert_eq!(manifest, earlier, "killed after {delay_ms} ms");
        }
    }
    // The next writer clears what a killed one left beside the folder.
    let (status, stderr) = finish(start_run(&scenario, &out, &["--force", "--scale", "20"]));
    assert!(status.success(), "{stderr}");
    let beside: Vec<String> = names(fx.dir())
        .into_iter()
        .filter(|n| n.starts_with(".out."))
        .collect();
    assert!(beside.is_empty(), "left beside the folder: {beside:?}");
}

#[test]
fn a_full_disk_keeps_the_earlier_run() {
    let fx = Fixture::tiny();
    let scenario = fx.write();
    // The size of one run's folder, to make a disk that holds one but not two.
    let probe = fx.dir().join("probe");
    exodus()
        .args(["run", "--quiet", "--out"])
        .arg(&probe)
        .arg(&scenario)
        .assert()
        .success();
    let bytes: u64 = fs::read_dir(&probe)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len().div_ceil(4096) * 4096)
        .sum();
    let disk = fx.dir().join("disk");
    fs::create_dir(&disk).unwrap();
    let size = format!("size={}", bytes * 3 / 2);
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &size, "tmpfs"])
        .arg(&disk)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let check = std::panic::catch_unwind(|| fill_the_disk(&disk, &scenario));
    let _ = Command::new("umount").arg(&disk).status();
    let check = check.unwrap_or_else(|e| std::panic::resume_unwind(e));
    assert_eq!(check, ["out"], "nothing is left beside the earlier run");
}

/// Writes a run onto `disk`, then a second one that does not fit; returns
/// what is left on the disk.
fn fill_the_disk(disk: &Path, scenario: &Path) -> Vec<String> {
    let out = disk.join("out");
    exodus()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(scenario)
        .assert()
        .success();
    let earlier = fs::read_to_string(out.join(MANIFEST)).unwrap();
    exodus()
        .args(["run", "--quiet", "--force", "--seed", "5", "--out"])
        .arg(&out)
        .arg(scenario)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("No space left on device"));
    assert_eq!(fs::read_to_string(out.join(MANIFEST)).unwrap(), earlier);
    assert!(assert_complete_or_unmarked(&out, MANIFEST));
    names(disk)
}

#[test]
fn force_replaces_only_a_folder_of_exodus_results() {
    let fx = Fixture::tiny();
    let scenario = fx.write();
    let data = fx.dir().join("data");
    let before: Vec<Vec<u8>> = names(&data)
        .iter()
        .map(|n| fs::read(data.join(n)).unwrap())
        .collect();
    for out in [data.clone(), fx.dir().to_owned()] {
        exodus()
            .args(["run", "--quiet", "--force", "--out"])
            .arg(&out)
            .arg(&scenario)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "exodus replaces only a folder of its own results",
            ));
    }
    let after: Vec<Vec<u8>> = names(&data)
        .iter()
        .map(|n| fs::read(data.join(n)).unwrap())
        .collect();
    assert_eq!(before, after, "the input folder is untouched");
    // A results folder with a user's own file in it is not replaced either.
    let out = fx.dir().join("out");
    exodus()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    fs::write(out.join("my-notes.txt"), "mine").unwrap();
    exodus()
        .args(["run", "--quiet", "--force", "--seed", "3", "--out"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "files that exodus did not write (my-notes.txt)",
        ));
    assert_eq!(
        fs::read_to_string(out.join("my-notes.txt")).unwrap(),
        "mine"
    );
    for out in [".", "..", "/"] {
        exodus()
            .args(["run", "--quiet", "--force", "--out", out])
            .arg(&scenario)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "does not name a folder of its own",
            ));
    }
}

#[test]
fn an_unusable_folder_is_refused_before_anything_runs() {
    let fx = Fixture::tiny();
    let scenario = fx.write();
    let file = fx.dir().join("a-file");
    fs::write(&file, "x").unwrap();
    let read_only = fx.dir().join("read-only");
    fs::create_dir(&read_only).unwrap();
    let mut perms = fs::metadata(&read_only).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&read_only, perms).unwrap();
    let long = fx.dir().join("x".repeat(300));
    for (out, says) in [
        (&file, "is a file, not a folder"),
        (&read_only, "is read-only"),
        (&long, "a name too long for the file system"),
    ] {
        exodus()
            .args(["run", "--out"])
            .arg(out)
            .arg(&scenario)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says).and(predicate::str::contains("os error").not()));
    }
    let out = fx.dir().join("out");
    exodus()
        .args(["run", "--score", "/nonexistent/observed.csv", "--out"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/observed.csv"));
    assert!(!out.exists(), "nothing was simulated or written");
}

/// `exodus sweep` of `scenario` (two values, one replicate) into `out`.
fn sweep_into(scenario: &Path, out: &Path) -> assert_cmd::assert::Assert {
    exodus()
        .args(["sweep", "--quiet", "--param", "decision.peer=0.2,0.4"])
        .args(["--replicates", "1", "--scale", "2000", "--out"])
        .arg(out)
        .arg(scenario)
        .assert()
}

#[test]
fn no_lock_outlives_its_process_and_a_commands_subfolder_is_not_a_stranger() {
    // The example: a sweep into the scenario's folder, then a run of
    // the scenario, then another with --force. Each succeeds, no lock file
    // is left anywhere, and the sweep's results survive the runs.
    let fx = Fixture::tiny();
    let scenario = fx.write();
    let out = fx.dir().join("out");
    sweep_into(&scenario, &out.join("sweep")).success();
    let sweep_manifest = fs::read_to_string(out.join("sweep/manifest.toml")).unwrap();
    for extra in [&[][..], &["--force", "--seed", "9"][..]] {
        exodus()
            .args(["run", "--quiet", "--scale", "2000"])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .arg(&scenario)
            .assert()
            .success();
        assert!(assert_complete_or_unmarked(&out, MANIFEST));
        assert_eq!(
            fs::read_to_string(out.join("sweep/manifest.toml")).unwrap(),
            sweep_manifest,
            "the sweep's results moved with the run's"
        );
    }
    // And the sweep again, into the run's folder.
    sweep_into(&scenario, &out.join("sweep")).success();
    for dir in [fx.dir(), &out, &out.join("sweep")] {
        let locks: Vec<String> = names(dir)
            .into_iter()
            .filter(|n| n.ends_with(".lock"))
            .collect();
        assert!(locks.is_empty(), "{}: {locks:?}", dir.display());
    }
}

#[test]
fn a_lock_file_left_by_a_killed_process_locks_nobody_out() {
    let fx = Fixture::tiny();
    let scenario = fx.write();
    let out = fx.dir().join("out");
    fs::create_dir_all(&out).unwrap();
    // What SIGKILL leaves: lock files nobody holds, beside the folder and
    // beside a folder nested in it.
    fs::write(fx.dir().join(".out.lock"), "exodus run (process 1)").unwrap();
    fs::write(out.join(".sweep.lock"), "exodus sweep (process 1)").unwrap();
    exodus()
        .args(["run", "--quiet", "--scale", "2000", "--out"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    assert!(!fx.dir().join(".out.lock").exists());
}

#[test]
fn a_folder_is_refused_while_a_folder_nested_in_it_or_around_it_is_written() {
    let fx = Fixture::tiny();
    let scenario = fx.write();
    let out = fx.dir().join("out");
    fs::create_dir_all(&out).unwrap();
    // This test process holds the lock a sweep into out/sweep would hold.
    let held = fs::File::create(out.join(".sweep.lock")).unwrap();
    fs::write(out.join(".sweep.lock"), "exodus sweep (process 42)").unwrap();
    held.try_lock().unwrap();
    exodus()
        .args(["run", "--quiet", "--scale", "2000", "--out"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is being written by exodus sweep (process 42)",
        ));
    drop(held);
    // And the lock a run into `out` would hold refuses a sweep into out/sweep.
    let held = fs::File::create(fx.dir().join(".out.lock")).unwrap();
    fs::write(fx.dir().join(".out.lock"), "exodus run (process 43)").unwrap();
    held.try_lock().unwrap();
    sweep_into(&scenario, &out.join("sweep"))
        .code(2)
        .stderr(predicate::str::contains(
            "is being written by exodus run (process 43)",
        ));
}
