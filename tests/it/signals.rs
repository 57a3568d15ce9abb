//! Real processes stopped part-way: Ctrl-C stops cleanly with exit code 130,
//! SIGKILL never leaves a folder that looks complete.
#![cfg(unix)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use exodus::output::{FOLDER_MANIFEST, MANIFEST};

use super::{Fixture, assert_complete_or_unmarked, finish};

/// Starts a long run of the default scenario (full scale, with ten times the
/// men, so that it takes seconds now that only the men who act are agents).
fn long_run(out: &std::path::Path) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("exodus"))
        .args(["run", "--quiet", "--scale", "1", "--set"])
        .arg("population.men_multiplier=10")
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn ctrl_c_stops_cleanly_with_exit_code_130_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let child = long_run(&out);
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, "-INT");
    let (status, stderr) = finish(child);
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted by Ctrl-C") && stderr.contains("no results were written"),
        "{stderr}"
    );
    assert!(!out.join(MANIFEST).exists());
}

#[test]
fn sigkill_part_way_never_leaves_a_complete_looking_folder() {
    // Killed at several moments (synthesis, simulation, writing): the folder
    // never has a manifest unless every file it lists is complete.
    let dir = tempfile::tempdir().unwrap();
    for delay_ms in [300, 900, 1500, 2100] {
        let out = dir.path().join(format!("out-{delay_ms}"));
        let child = long_run(&out);
        std::thread::sleep(Duration::from_millis(delay_ms));
        signal(&child, "-KILL");
        let (status, stderr) = finish(child);
        let killed = std::os::unix::process::ExitStatusExt::signal(&status) == Some(9);
        assert!(killed || status.success(), "{status}: {stderr}");
        let complete = assert_complete_or_unmarked(&out, MANIFEST);
        assert!(complete || killed, "a finished run has its manifest");
    }
}

/// Starts `exodus compare` of the fixture against a renamed copy into `out`.
fn start_compare(fx: &Fixture, out: &std::path::Path, replicates: &str) -> Child {
    let alt = fx.dir().join("alt.toml");
    std::fs::write(&alt, "extends = \"scenario.toml\"\nname = \"alt\"\n").unwrap();
    Command::new(assert_cmd::cargo::cargo_bin("exodus"))
        .args([
            "compare",
            "--replicates",
            replicates,
            "--scale",
            "50",
            "--out",
        ])
        .arg(out)
        .arg(fx.write())
        .arg(&alt)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn sigkill_of_a_comparison_leaves_the_earlier_complete_results_or_none() {
    let fx = Fixture::tiny();
    let out = fx.dir().join("cmp");
    let (status, stderr) = finish(start_compare(&fx, &out, "2"));
    assert!(status.success(), "{stderr}");
    assert!(assert_complete_or_unmarked(&out, FOLDER_MANIFEST));
    // A long comparison into the same folder, killed part-way.
    let child = start_compare(&fx, &out, "400");
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, "-KILL");
    finish(child);
    assert_complete_or_unmarked(&out, FOLDER_MANIFEST);
}

#[test]
fn ctrl_c_stops_a_comparison_with_exit_code_130() {
    let fx = Fixture::tiny();
    let out = fx.dir().join("cmp");
    let child = start_compare(&fx, &out, "400");
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, "-INT");
    let (status, stderr) = finish(child);
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("no results were written"), "{stderr}");
    assert!(!out.join(FOLDER_MANIFEST).exists());
}

#[test]
fn ctrl_c_stops_a_calibration_with_exit_code_130_and_writes_nothing() {
    let fx = Fixture::tiny().append(
        "[[target]]\nid = \"kz\"\nplace = \"Kazakhstan\"\nmetric = \"exodus\"\nfrom = 2022-09-21\nto = 2022-10-09\nvalue = 40000\n\n\
         [calibration]\nbudget = 100000\nrestarts = 100\nreplicates = 20\n\n\
         [[calibration.parameter]]\npath = \"decision.base_log_hazard\"\nlower = -10.0\nupper = -6.0\n",
    );
    let out = fx.dir().join("cal");
    let child = Command::new(assert_cmd::cargo::cargo_bin("exodus"))
        .args(["calibrate", "--quiet", "--out"])
        .arg(&out)
        .arg(fx.write())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, "-INT");
    let (status, stderr) = finish(child);
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("no results were written"), "{stderr}");
    assert!(!out.join(FOLDER_MANIFEST).exists());
}
