//! Bad input gets a clear error naming the file, line, column and key, and
//! what is valid, with exit code 2 and never a panic.
//!
//! The catalogue: each `tests/fixtures/bad/*.toml` is one bad scenario (its
//! first line says what is wrong with it), checked with the real `exodus
//! check` from the repository root. Its error text is pinned by an insta
//! snapshot, `snapshots/it__bad_input__catalogue@<case>.toml.snap`, so a
//! change in any message is deliberate. A case whose error can name no key
//! (a syntax error, a file that is not text) says so in a `# No key:` line.

use std::fs;
use std::path::Path;

use exodus::memory;

use super::{Fixture, exodus};

/// The catalogue must keep at least this many cases.
const MINIMUM_CASES: usize = 40;

/// Memory cap for the catalogue's runs, so that the refusal of a
/// full-population run reads the same on every machine.
const MEMORY_LIMIT_MIB: &str = "256";

#[test]
fn catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases = 0;
    insta::glob!("../fixtures/bad", "*.toml", |path| {
        cases += 1;
        let case = path.strip_prefix(root).expect("case inside the repository");
        let output = exodus()
            .current_dir(root)
            .env(memory::LIMIT_VARIABLE, MEMORY_LIMIT_MIB)
            .arg("check")
            .arg(case)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: {stderr}",
            case.display()
        );
        assert!(output.stdout.is_empty(), "{}: no summary", case.display());
        assert!(!stderr.contains("panicked"), "{stderr}");
        let names_a_key = !fs::read(path)
            .unwrap()
            .windows(b"# No key:".len())
            .any(|w| w == b"# No key:");
        assert_located(root, &stderr, names_a_key);
        assert_said_once(&stderr);
        insta::assert_snapshot!(stderr);
    });
    assert!(
        cases >= MINIMUM_CASES,
        "the catalogue holds {cases} cases, fewer than {MINIMUM_CASES}"
    );
}

/// Asserts that no part of an error is said twice: no sentence, and no
/// clause of more than a few words (the parts between `: ` and `; `).
fn assert_said_once(stderr: &str) {
    for line in stderr.lines() {
        let parts: Vec<&str> = line
            .split([';', ':'])
            .map(str::trim)
            .filter(|p| p.split_whitespace().count() >= 4)
            .collect();
        for (i, part) in parts.iter().enumerate() {
            assert!(
                !parts[..i].contains(part),
                "`{part}` is said twice: {stderr}"
            );
        }
    }
}

/// Asserts that the error reads `error: FILE:LINE:COLUMN: `KEY`: MESSAGE`,
/// with a file that exists and a line and column inside it.
fn assert_located(root: &Path, stderr: &str, names_a_key: bool) {
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    let rest = stderr
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("starts with `error: `: {stderr}"));
    let (place, message) = rest
        .split_once(": ")
        .unwrap_or_else(|| panic!("a place, then the message: {stderr}"));
    let mut parts = place.rsplitn(3, ':');
    let column: usize = parts.next().unwrap().parse().expect("a column");
    let line: usize = parts.next().unwrap_or_default().parse().expect("a line");
    let file = parts.next().expect("a file");
    let bytes = fs::read(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(
        (1..=lines.len()).contains(&line),
        "line {line} is inside {file}"
    );
    // The column may be just past the last character: where a value is missing.
    let width = lines[line - 1].trim_end_matches('\r').chars().count();
    assert!(
        (1..=width + 1).contains(&column),
        "column {column} is inside line {line} of {file}: {stderr}"
    );
    if names_a_key {
        let key = message
            .strip_prefix('`')
            .and_then(|m| m.split_once("`: "))
            .unwrap_or_else(|| panic!("names the key: {stderr}"));
        assert!(!key.0.is_empty(), "{stderr}");
    }
}

/// Runs `command`, asserts exit code 2 and no panic, and returns stderr.
fn stderr_of_refusal(command: &mut assert_cmd::Command) -> String {
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn command_line_values_are_checked_like_file_values() {
    // A --set value is blamed on the option, not on the line it replaces.
    let fx = Fixture::tiny();
    let stderr = stderr_of_refusal(
        exodus()
            .arg("check")
            .arg(fx.write())
            .args(["--set", "queue.patience_mean_days=-1"]),
    );
    assert_eq!(
        stderr,
        "error: --set queue.patience_mean_days=-1: `queue.patience_mean_days`: \
         must be a finite number > 0, got -1\n"
    );
    // So is a --scale that would need more memory than there is.
    let stderr = stderr_of_refusal(
        exodus()
            .env(memory::LIMIT_VARIABLE, MEMORY_LIMIT_MIB)
            .args(["run", "--quiet", "--scale", "1", "--out"])
            .arg(fx.dir().join("out"))
            .arg(fx.write()),
    );
    assert!(
        stderr.starts_with("error: --scale 1: `scale`: at 1:1 the population is about")
            && stderr.contains("more than the 256 MiB of memory available")
            && stderr.contains("raise the scale"),
        "{stderr}"
    );
    // And a scale of 0 never reaches the engine.
    let stderr = stderr_of_refusal(exodus().args(["run", "--scale", "0"]).arg(fx.write()));
    assert!(stderr.contains("--scale"), "{stderr}");
}

#[test]
fn a_population_too_large_is_refused_before_anything_is_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let stderr = stderr_of_refusal(
        exodus()
            .current_dir(root)
            .args(["run", "--quiet", "--out"])
            .arg(&out)
            .arg("tests/fixtures/bad/population-beyond-addressable.toml"),
    );
    assert!(
        stderr.contains("an estimated 8.39e12 MiB")
            && stderr.contains("more than the 4,294,967,295 agents a run can address"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn too_many_destinations_are_refused() {
    let extra: String = (0..260)
        .map(|i| format!("[[destination]]\nname = \"D{i}\"\ndocuments = \"internal_passport\"\nconstant = 0.0\n\n"))
        .collect();
    let fixture = Fixture::tiny().append(&extra);
    let path = fixture.write();
    let stderr = stderr_of_refusal(exodus().args(["check"]).arg(&path));
    assert!(
        stderr.contains("at most 255 destinations are supported, got 263"),
        "{stderr}"
    );
}

#[test]
fn missing_scenario_file() {
    let stderr = stderr_of_refusal(exodus().args(["check", "no/such/scenario.toml"]));
    assert!(
        stderr.contains("no/such/scenario.toml") && stderr.contains("cannot read"),
        "{stderr}"
    );
}

#[test]
fn other_inputs_are_refused_with_their_place() {
    let fx = Fixture::tiny();
    let run = fx.run_cli("run");
    // Observed figures with a value that is not a number, and with none at all.
    let observed = fx.dir().join("observed.csv");
    let score = |rows: &str| {
        fs::write(
            &observed,
            format!("id,date_from,date_to,place,metric,value\n{rows}"),
        )
        .unwrap();
        stderr_of_refusal(
            exodus()
                .arg("score")
                .arg(&run)
                .arg("--observed")
                .arg(&observed),
        )
    };
    let stderr = score("kz,2022-09-21,2022-09-27,Kazakhstan,exodus,many\n");
    assert!(
        stderr.contains("observed.csv:2:44: `value`: expected a number, got `many`"),
        "{stderr}"
    );
    let stderr = score("");
    assert!(stderr.contains("holds no figures"), "{stderr}");
    // A run folder whose file changed after the run.
    let national = run.join("daily_national.csv");
    let text = fs::read_to_string(&national).unwrap();
    fs::write(&national, text.replacen(",0,", ",1,", 1)).unwrap();
    let stderr = stderr_of_refusal(exodus().arg("plot").arg(&run));
    assert!(
        stderr.contains("daily_national.csv") && stderr.contains("SHA-256 differs"),
        "{stderr}"
    );
    // A sweep axis without values.
    let stderr = stderr_of_refusal(
        exodus()
            .args(["sweep", "--param", "decision.peer"])
            .arg(fx.write()),
    );
    assert!(
        stderr.starts_with("error: --param decision.peer: ") && stderr.contains("PATH=V1,V2"),
        "{stderr}"
    );
}

#[test]
fn set_refuses_what_it_would_otherwise_drop_silently() {
    // A data path is read with the scenario, before any override, and a
    // value with a line break lost everything after it: both are refused.
    exodus()
        .args(["check", "--set", "data.regions=/nonexistent.csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the data files cannot be changed with --set",
        ));
    exodus()
        .args(["check", "--set", "decision.peer=0.5\nx"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("holds a line break"));
}

/// The catalogue's command cases: each `tests/fixtures/bad/commands/*.toml`
/// holds what is wrong (`why`) and the arguments of one `exodus` command
/// that must be refused before any work (bad `--set` values, observed-figure
/// files, command-line numbers), run from the repository root; `{out}`
/// stands for a fresh output folder, which must stay unwritten. The error
/// text is pinned by a snapshot, as for the scenario cases.
#[test]
fn command_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases = 0;
    insta::glob!("../fixtures/bad/commands", "*.toml", |path| {
        cases += 1;
        let case: toml::Table = fs::read_to_string(path).unwrap().parse().unwrap();
        assert!(
            case["why"].as_str().is_some_and(|w| !w.is_empty()),
            "{path:?}"
        );
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("out");
        let args: Vec<String> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                a.as_str()
                    .unwrap()
                    .replace("{out}", &target.to_string_lossy())
            })
            .collect();
        let output = exodus().current_dir(root).args(&args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{path:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        // Warnings about the scenario may come first; then the one error.
        let error = stderr.find("error: ").unwrap_or(usize::MAX);
        assert!(
            error < stderr.len() && stderr[..error].lines().all(|l| l.starts_with("warning: ")),
            "{path:?}: {stderr}"
        );
        assert!(!target.exists(), "{path:?}: nothing is written");
        let beside: Vec<_> = fs::read_dir(out.path()).unwrap().collect();
        assert!(beside.is_empty(), "{path:?}: nothing is written beside it");
        assert_said_once(&stderr);
        assert!(!stderr.contains("os error"), "{path:?}: {stderr}");
        insta::assert_snapshot!(stderr);
    });
    assert!(cases >= 15, "the command catalogue holds {cases} cases");
}

/// Values each valid but doubtful together run, and the command says so
/// once, located like an error: a policy that starts after the run ends,
/// and a call-up of a sixth of the eligible men.
#[test]
fn doubtful_values_run_with_a_located_warning() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let case = "tests/fixtures/doubtful/late-policy-and-large-callup.toml";
    let output = exodus()
        .current_dir(root)
        .args(["check", case])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let warnings: Vec<&str> = stderr.lines().collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].starts_with(&format!(
            "warning: {case}:8:34: `mobilization.schedule[1].drafted`: calls up 5000000 men, 16%"
        )),
        "{stderr}"
    );
    assert!(
        warnings[1].starts_with(&format!("warning: {case}:14:9: `policy[0].start`: the policy starts on 2023-01-01, after the run ends")),
        "{stderr}"
    );
}

/// A warning is said once, however many times a command reads the file it
/// is about (`diff A A` said each twice).
#[test]
fn a_warning_is_said_once_per_command() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let case = "tests/fixtures/doubtful/late-policy-and-large-callup.toml";
    let output = exodus()
        .current_dir(root)
        .args(["diff", case, case])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert_said_once(&stderr);
}

/// `EXODUS_MEMORY_LIMIT_MIB` is refused, not ignored, when it is not a
/// whole number of MiB the runs could live in.
#[test]
fn the_memory_limit_variable_is_checked() {
    for bad in ["lots", "-5", "0", "12"] {
        let stderr = stderr_of_refusal(
            exodus()
                .env(memory::LIMIT_VARIABLE, bad)
                .args(["check", "tests/fixtures/bad/support/base.toml"])
                .current_dir(env!("CARGO_MANIFEST_DIR")),
        );
        assert_eq!(
            stderr,
            format!(
                "error: EXODUS_MEMORY_LIMIT_MIB=`{bad}` is not valid: give a whole number of MiB of at least 64 (e.g. 2048), or unset it\n"
            )
        );
    }
}

/// A value outside a parameter's calibration bounds is the user's to run:
/// `run` warns (the optimizer would refuse to start there) and runs;
/// `calibrate` refuses it (the command catalogue's
/// `calibrate-start-outside-bounds`).
#[test]
fn a_value_outside_its_calibration_bounds_runs_with_a_warning() {
    let out = tempfile::tempdir().unwrap();
    let output = exodus()
        .args([
            "run",
            "--quiet",
            "--scale",
            "2000",
            "--set",
            "decision.base_log_hazard=-3",
            "--out",
        ])
        .arg(out.path().join("run"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.starts_with("warning: <embedded>/mobilization-2022.toml:1197:8: `calibration.parameter[0].path`: the scenario's value -3 lies outside the calibration bounds [-13, -6]"),
        "{stderr}"
    );
}
