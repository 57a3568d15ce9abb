//! Real processes stopped part-way: Ctrl-C stops cleanly with exit code 130,
//! SIGKILL never leaves a folder that looks complete.
#![cfg(unix)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use exodus::output::MANIFEST;

/// Starts a long run of the default scenario (every other man an agent).
fn long_run(out: &std::path::Path) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("exodus"))
        .args(["run", "--quiet", "--scale", "2", "--out"])
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

fn wait(mut child: Child) -> (std::process::ExitStatus, String) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return (status, stderr);
        }
        assert!(Instant::now() < deadline, "the run did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ctrl_c_stops_cleanly_with_exit_code_130_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let child = long_run(&out);
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, "-INT");
    let (status, stderr) = wait(child);
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted by Ctrl-C") && stderr.contains("no results were written"),
        "{stderr}"
    );
    assert!(!out.join(MANIFEST).exists());
}

#[test]
fn sigkill_part_way_never_leaves_a_complete_looking_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let child = long_run(&out);
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, "-KILL");
    let (status, _) = wait(child);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
    assert!(!out.join(MANIFEST).exists(), "a killed run has no manifest");
}
