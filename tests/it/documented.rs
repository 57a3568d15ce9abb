//! The command lines that the README and `docs/` show, run as written (at a
//! small scale where they would take long), and the forms of `exodus slurm`
//! that they document.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::exodus;

/// The repository's root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `exodus` command lines of the shell blocks of a Markdown file, each
/// with its continuation lines joined.
fn documented_lines(file: &str) -> Vec<String> {
    documented_blocks(file)
        .into_iter()
        .map(|(_, l)| l)
        .collect()
}

/// The same, each with the number of its shell block.
fn documented_blocks(file: &str) -> Vec<(usize, String)> {
    let text = fs::read_to_string(root().join(file)).unwrap();
    let mut lines = Vec::new();
    let mut in_shell = false;
    let mut block = 0;
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_shell = !in_shell && (trimmed == "```sh" || trimmed == "```bash");
            block += 1;
            continue;
        }
        if !in_shell {
            continue;
        }
        if !current.is_empty() || trimmed.starts_with("exodus ") {
            current.push_str(trimmed.trim_end_matches('\\').trim_end());
            current.push(' ');
            if !trimmed.ends_with('\\') {
                lines.push((block, current.trim().to_owned()));
                current.clear();
            }
        }
    }
    lines
}

/// Runs `line` with bash in `dir`, `exodus` being the binary under test.
fn run_line(dir: &Path, line: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("exodus");
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

/// Whether a documented line is a synopsis (placeholders in capitals,
/// options in brackets) rather than a command to run.
fn is_synopsis(line: &str) -> bool {
    let line = line.split(" #").next().unwrap_or(line);
    line.contains('[')
        || line.contains("...")
        || line.split_whitespace().any(|w| {
            let head: String = w.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            head.len() >= 2 && head.chars().all(|c| c.is_ascii_uppercase())
        })
}

/// A documented command line made small enough to run in a test: every
/// run at 1:20,000, two replicates, few samples, particles and runs; the rest
/// as written.
fn small(line: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut it = line.split_whitespace().peekable();
    let set = |words: &mut Vec<String>, name: &str, value: &str| {
        words.push(name.to_owned());
        words.push(value.to_owned());
    };
    while let Some(w) = it.next() {
        let small_value = match w {
            "--scale" => Some("20000"),
            "--replicates" => Some("2"),
            "--samples" => Some("2"),
            "--trajectories" => Some("2"),
            "--particles" => Some("6"),
            "--budget" => Some("16"),
            "--predictive" => Some("2"),
            _ => None,
        };
        match small_value {
            Some(v) => {
                it.next();
                set(&mut words, w, v);
            }
            None if w == "--submit" => {}
            None => words.push(w.to_owned()),
        }
    }
    let command = words.get(1).cloned().unwrap_or_default();
    let simulates = [
        "run",
        "compare",
        "validate",
        "sweep",
        "sensitivity",
        "calibrate",
        "bench",
    ];
    // Options go before a comment or a redirection.
    let end = words
        .iter()
        .position(|w| w.starts_with('#') || w == ">" || w == "&&")
        .unwrap_or(words.len());
    let mut extra: Vec<&str> = Vec::new();
    if simulates.contains(&command.as_str()) && !line.contains("--scale") {
        extra.extend(["--scale", "20000"]);
    }
    if ["compare", "validate", "sweep", "calibrate"].contains(&command.as_str())
        && !line.contains("--replicates")
    {
        extra.extend(["--replicates", "2"]);
    }
    if command == "calibrate" && !line.contains("--budget") {
        extra.extend(["--budget", "16"]);
    }
    if command == "calibrate" && line.contains("abc-smc") {
        if !line.contains("--particles") {
            extra.extend(["--particles", "6"]);
        }
        if !line.contains("--predictive") {
            extra.extend(["--predictive", "2"]);
        }
    }
    if command == "sensitivity" && !line.contains("--samples") && !line.contains("morris") {
        extra.extend(["--samples", "2"]);
    }
    let mut all: Vec<String> = words[..end].to_vec();
    all.extend(extra.iter().map(|s| (*s).to_owned()));
    all.extend(words[end..].iter().cloned());
    all.join(" ")
}

/// Runs every command line of `file`'s shell blocks, in order, in one
/// shell in a fresh folder that holds the repository's `scenarios/` (as the
/// examples name it) and a home of its own; `cargo` lines and synopses are
/// left out. Fails naming the first line that fails.
fn run_documented(file: &str) -> usize {
    let dir = with_scenarios();
    let home = dir.path().join("home");
    fs::create_dir_all(home.join(".local/share/bash-completion/completions")).unwrap();
    fs::create_dir_all(home.join(".local/share/man/man1")).unwrap();
    fs::copy(
        root().join("scenarios/data/reported-2022.csv"),
        dir.path().join("my-reported.csv"),
    )
    .unwrap();
    let lines: Vec<(usize, String)> = documented_blocks(file)
        .into_iter()
        .filter(|(_, l)| l.starts_with("exodus ") && !is_synopsis(l))
        // What a submitted Slurm job writes is not there: `exodus slurm`
        // lines run without --submit (their scripts are checked by
        // `every_documented_slurm_example_writes_its_scripts` and, with a
        // cluster, tests/it/slurm.rs).
        .filter(|(_, l)| !l.contains("when the merge has run"))
        .collect();
    // Each block is an example of its own: it starts in a fresh folder that
    // holds the repository's scenarios (and may `cd` on), unless it starts
    // by reading what an earlier block wrote (`output/...`), which it does
    // where that block ran.
    let mut script = String::from("set -e\nroot=\"$PWD\"\nhere=\"$PWD\"\n");
    let mut last_block = 0;
    for (block, line) in &lines {
        if *block != last_block {
            last_block = *block;
            let reads_earlier = line.contains(" output/");
            if !reads_earlier {
                script.push_str(&format!(
                    "here=\"$root/block-{block}\"; mkdir -p \"$here\"; \
                     ln -s \"$root/scenarios\" \"$here/scenarios\"; \
                     cp \"$root/my-reported.csv\" \"$here/\"\n"
                ));
            }
            script.push_str("cd \"$here\"\n");
        }
        let line = small(line);
        script.push_str(&format!(
            "echo {q}+ {line}{q}\n{line} > /dev/null || {{ echo {q}FAILED: {line}{q}; exit 1; }}\n",
            q = "'",
            line = line.replace('\'', "'\\''")
        ));
    }
    let bin = assert_cmd::cargo::cargo_bin("exodus");
    let output = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .env("HOME", &home)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{file}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    lines.len()
}

#[test]
fn every_command_line_in_the_readme_runs() {
    assert!(run_documented("README.md") >= 15);
}

#[test]
fn every_command_line_in_the_docs_runs() {
    for file in [
        "docs/calibration.md",
        "docs/counterfactuals.md",
        "docs/sensitivity.md",
        "docs/cluster.md",
    ] {
        run_documented(file);
    }
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
