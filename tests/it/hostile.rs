//! Hostile inputs that are not a line of text to refuse: a named pipe where
//! a file should be, a posterior of hundreds of thousands of particles.
#![cfg(unix)]

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use exodus::posterior::Posterior;

use super::{Fixture, finish};

/// Makes a named pipe at `path`; false where `mkfifo` is missing.
fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs exodus with `args` in `dir`, killed after 20 s: its exit code and
/// standard error.
fn run_briefly(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let child = Command::new(assert_cmd::cargo::cargo_bin("exodus"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(20));
        let _ = Command::new("kill")
            .args(["-KILL", &id.to_string()])
            .status();
    });
    let started = Instant::now();
    let (status, stderr) = finish(child);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "`exodus {}` blocked on a named pipe",
        args.join(" ")
    );
    drop(watchdog);
    (status.code(), stderr)
}

#[test]
fn a_named_pipe_is_refused_at_once_wherever_a_file_is_read() {
    let fx = Fixture::tiny();
    let scenario = fx.write();
    let dir = fx.dir();
    if !mkfifo(&dir.join("s.toml")) {
        eprintln!("skipped: no mkfifo here");
        return;
    }
    mkfifo(&dir.join("observed.csv"));
    mkfifo(&dir.join("posterior.csv"));
    let scenario = scenario.to_str().unwrap();
    let (code, stderr) = run_briefly(dir, &["run", scenario, "--scale", "2000", "--out", "o1"]);
    assert_eq!(code, Some(0), "{stderr}");
    let cases: [&[&str]; 5] = [
        &["check", "s.toml"],
        &[
            "run",
            scenario,
            "--scale",
            "2000",
            "--out",
            "o1",
            "--score",
            "observed.csv",
        ],
        &["score", "o1", "--observed", "observed.csv"],
        &[
            "compare",
            scenario,
            scenario,
            "--posterior",
            "posterior.csv",
            "--out",
            "o2",
        ],
        &["diff", "s.toml", scenario],
    ];
    for args in cases {
        let (code, stderr) = run_briefly(dir, args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("a device, pipe or socket"),
            "{args:?}: {stderr}"
        );
    }
    // A data file that a scenario names.
    fs::remove_file(dir.join("data/regions.csv")).unwrap();
    mkfifo(&dir.join("data/regions.csv"));
    let (code, stderr) = run_briefly(dir, &["check", scenario]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("regions.csv"), "{stderr}");
}

#[test]
fn a_large_posterior_loads_in_linear_time() {
    // 200,000 particles: a check of each name against every earlier one
    // took minutes; a lookup takes well under a second.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posterior.csv");
    let mut text = String::from("particle,weight,decision.peer,distance\n");
    for i in 0..200_000u32 {
        text.push_str(&format!("p{i},1,0.{},0.5\n", i % 97));
    }
    fs::write(&path, text).unwrap();
    let started = Instant::now();
    let posterior = Posterior::read(&path).unwrap();
    let took = started.elapsed();
    assert_eq!(posterior.particles().len(), 200_000);
    assert!(took < Duration::from_secs(10), "took {took:?}");
    // A repeated name is still found, and named with its first line.
    fs::write(
        &path,
        "particle,weight,decision.peer,distance\na,1,0.1,0.5\nb,1,0.2,0.5\na,1,0.3,0.5\n",
    )
    .unwrap();
    let err = Posterior::read(&path).unwrap_err().to_string();
    assert!(
        err.contains(":4:1: `particle`: `a` appears twice (first on line 2)"),
        "{err}"
    );
}
