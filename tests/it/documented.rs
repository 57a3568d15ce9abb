//! The command lines that the README and `docs/` show, run as written (at a
//! small scale where they would take long), and the forms of `exodus slurm`
//! that they document.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::exodus;

/// The repository's root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `exodus` command lines of the shell blocks of a Markdown file, each
/// with its continuation lines joined.
fn documented_lines(file: &str) -> Vec<String> {
    let text = fs::read_to_string(root().join(file)).unwrap();
    let mut lines = Vec::new();
    let mut in_shell = false;
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_shell = !in_shell && (trimmed == "```sh" || trimmed == "```bash");
            continue;
        }
        if !in_shell {
            continue;
        }
        if !current.is_empty() || trimmed.starts_with("exodus ") {
            current.push_str(trimmed.trim_end_matches('\\').trim_end());
            current.push(' ');
            if !trimmed.ends_with('\\') {
                lines.push(current.trim().to_owned());
                current.clear();
            }
        }
    }
    lines
}

/// Runs `line` with bash in `dir`, `exodus` being the binary under test.
fn run_line(dir: &Path, line: &str) -> std::process::Output {
    let bin = PathBuf::from(assert_cmd::cargo::cargo_bin("exodus"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["-c", line])
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .unwrap()
}

/// A folder that holds the repository's `scenarios/` as the examples name it.
fn with_scenarios() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root().join("scenarios"), dir.path().join("scenarios")).unwrap();
    dir
}

#[test]
fn every_documented_slurm_example_writes_its_scripts() {
    let mut examples = 0;
    for file in ["README.md", "docs/cluster.md"] {
        for line in documented_lines(file) {
            // Synopses name their arguments in capitals; examples run.
            if !line.starts_with("exodus slurm ") || line.contains("ARGS") {
                continue;
            }
            examples += 1;
            let dir = with_scenarios();
            // Written, not submitted: there may be no cluster here.
            let line = line.replace(" --submit", "");
            let output = run_line(dir.path(), &line);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "{file}: `{line}`: {stderr}");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                stdout.contains("shard.sbatch"),
                "{file}: `{line}`: {stdout}"
            );
        }
    }
    assert!(examples >= 2, "the docs show {examples} slurm examples");
}

#[test]
fn slurm_takes_its_own_options_before_the_command_after_it_or_before_a_double_dash() {
    let dir = with_scenarios();
    let command = [
        "sweep",
        "scenarios/mobilization-2022.toml",
        "--param",
        "decision.peer=0.1,0.2",
        "--scale",
        "200",
        "--out",
        "results/sweep",
    ];
    let own = ["--tasks", "3", "--cpus=2", "--mem", "1G"];
    let forms: [Vec<&str>; 4] = [
        [&["slurm"][..], &own, &command].concat(),
        [&["slurm"][..], &command, &own].concat(),
        [&["slurm"][..], &own, &["--"], &command].concat(),
        [
            &["slurm", "--tasks", "3"][..],
            &command,
            &["--cpus=2", "--mem", "1G"],
        ]
        .concat(),
    ];
    let mut scripts = Vec::new();
    for form in &forms {
        exodus()
            .current_dir(dir.path())
            .args(form)
            .assert()
            .success();
        let slurm = dir.path().join("results/sweep.slurm");
        let shard = fs::read_to_string(slurm.join("shard.sbatch")).unwrap();
        assert!(shard.contains("#SBATCH --array=1-3"), "{form:?}: {shard}");
        assert!(shard.contains("#SBATCH --cpus-per-task=2"), "{shard}");
        assert!(shard.contains("#SBATCH --mem=1G"), "{shard}");
        assert!(!shard.contains("--tasks"), "{shard}");
        scripts.push(shard);
        fs::remove_dir_all(slurm).unwrap();
    }
    assert!(scripts.windows(2).all(|w| w[0] == w[1]), "the forms differ");
}

#[test]
fn slurm_writes_no_script_for_a_command_that_cannot_run() {
    let dir = with_scenarios();
    for (args, says) in [
        (
            &[
                "compare",
                "scenarios/none.toml",
                "scenarios/mobilization-2022.toml",
            ][..],
            "scenarios/none.toml",
        ),
        (
            &[
                "compare",
                "scenarios/mobilization-2022.toml",
                "scenarios/mobilization-2022.toml",
                "--scale",
                "0",
            ][..],
            "--scale",
        ),
        (
            &[
                "sweep",
                "scenarios/mobilization-2022.toml",
                "--param",
                "decision.nothing=1,2",
            ][..],
            "decision.nothing",
        ),
    ] {
        exodus()
            .current_dir(dir.path())
            .arg("slurm")
            .args(args)
            .args(["--out", "results/x", "--tasks", "2"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(says));
        assert!(
            !dir.path().join("results").exists(),
            "{args:?}: nothing written"
        );
    }
}
