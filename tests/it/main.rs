//! The integration tests: one binary, real files, the real CLI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod abc;
mod analyst;
mod bad_input;
mod calibration;
mod cli;
mod cluster;
mod counterfactuals;
mod documented;
mod equivalence;
mod golden;
mod hostile;
mod invariants;
mod mechanisms;
mod output_folders;
mod plots;
mod policies;
mod properties;
mod report;
mod sensitivity;
mod signals;
mod slurm;
mod validate;

use std::fs;
use std::path::{Path, PathBuf};

use exodus::engine;
use exodus::results::RunResults;
use exodus::scenario::{self, Scenario, ScenarioDocument};
use exodus::settings::{Overrides, RunSettings};
use tempfile::TempDir;

/// A scenario text written with its data files into a fresh folder.
pub struct Fixture {
    text: String,
    dir: TempDir,
}

impl Fixture {
    fn from_file(path: &str) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = fs::read_to_string(root.join(path)).expect("fixture readable");
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        fs::create_dir_all(&data).expect("data dir");
        for name in ["regions.csv", "crossings.csv", "air-routes.csv"] {
            fs::copy(root.join("scenarios/data").join(name), data.join(name)).expect("copy data");
        }
        Self { text, dir }
    }

    /// The small test scenario (tests/fixtures/tiny.toml).
    pub fn tiny() -> Self {
        Self::from_file("tests/fixtures/tiny.toml")
    }

    /// The shipped default scenario at 1:200.
    pub fn default_scenario() -> Self {
        Self::from_file("scenarios/mobilization-2022.toml").set("scale = 1\n", "scale = 200\n")
    }

    /// Replaces the one occurrence of `from` by `to`.
    pub fn set(mut self, from: &str, to: &str) -> Self {
        assert_eq!(
            self.text.matches(from).count(),
            1,
            "`{from}` must occur once in the fixture"
        );
        self.text = self.text.replacen(from, to, 1);
        self
    }

    /// Appends TOML text.
    pub fn append(mut self, extra: &str) -> Self {
        self.text.push('\n');
        self.text.push_str(extra);
        self
    }

    /// Writes the scenario file and returns its path.
    pub fn write(&self) -> PathBuf {
        let path = self.dir.path().join("scenario.toml");
        fs::write(&path, &self.text).expect("write scenario");
        path
    }

    /// Writes `open.toml` beside the scenario: the scenario (as
    /// [`Fixture::write`] writes it) without its `finland-ban`, named
    /// `finland-open`; returns its path.
    pub fn finland_open(&self) -> PathBuf {
        let path = self.dir.path().join("open.toml");
        fs::write(
            &path,
            "extends = \"scenario.toml\"\nname = \"finland-open\"\nremove_policies = [\"finland-ban\"]\n",
        )
        .expect("write open.toml");
        path
    }

    /// Writes `text` as `posterior.csv` in the fixture's folder (a posterior
    /// as `calibrate --method abc-smc` writes one) and returns its path.
    pub fn posterior(&self, text: &str) -> PathBuf {
        let path = self.dir.path().join("posterior.csv");
        fs::write(&path, text).expect("write posterior");
        path
    }

    /// The fixture's folder (for outputs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Loads and validates the scenario.
    pub fn load(&self) -> Scenario {
        scenario::load(&self.write()).unwrap_or_else(|e| panic!("fixture must load: {e}"))
    }

    /// The scenario and the settings of a run of it at its own seed and scale.
    pub fn prepare(&self) -> (Scenario, RunSettings) {
        prepare(&self.write(), &Overrides::default())
    }

    /// Runs the scenario through the real CLI into `<fixture>/<name>` and returns that folder.
    pub fn run_cli(&self, name: &str) -> PathBuf {
        let out = self.dir().join(name);
        exodus()
            .args(["run", "--quiet", "--out"])
            .arg(&out)
            .arg(self.write())
            .assert()
            .success();
        out
    }

    /// Runs the scenario through the library.
    pub fn run(&self) -> RunResults {
        let (scenario, settings) = self.prepare();
        run(&scenario, &settings)
    }
}

/// A scenario file and the settings of a run of it.
pub fn prepare(path: &Path, overrides: &Overrides) -> (Scenario, RunSettings) {
    ScenarioDocument::load(path)
        .and_then(|doc| doc.prepare(overrides))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The same at the scale `scale`.
pub fn prepare_at(path: &Path, scale: u32) -> (Scenario, RunSettings) {
    let overrides = Overrides {
        scale: Some(scale),
        ..Overrides::default()
    };
    prepare(path, &overrides)
}

/// Runs a scenario to the end through the library.
pub fn run(scenario: &Scenario, settings: &RunSettings) -> RunResults {
    engine::run(scenario, settings, &|| false, &|_| {}).expect("run")
}

/// Asserts that a folder of results is either without a manifest (`name`)
/// or complete: every file the manifest lists is there with its size and
/// SHA-256. Returns whether it had a manifest.
pub fn assert_complete_or_unmarked(dir: &Path, name: &str) -> bool {
    let Ok(text) = fs::read_to_string(dir.join(name)) else {
        return false;
    };
    let manifest: toml::Table = text.parse().expect("a manifest is valid TOML");
    let files = manifest["files"]
        .as_array()
        .expect("the manifest lists files");
    assert!(!files.is_empty(), "{text}");
    for file in files {
        let name = file["name"].as_str().unwrap();
        let bytes = fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name} listed: {e}"));
        assert_eq!(
            file["bytes"].as_integer(),
            Some(bytes.len() as i64),
            "{name}"
        );
        assert_eq!(
            file["sha256"].as_str(),
            Some(exodus::format::hex_sha256(&bytes).as_str()),
            "{name}"
        );
    }
    true
}

/// Waits for a child process (at most five minutes) and returns its status
/// and what it wrote to stderr.
pub fn finish(mut child: std::process::Child) -> (std::process::ExitStatus, String) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                std::io::Read::read_to_string(&mut pipe, &mut stderr).unwrap();
            }
            return (status, stderr);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the process did not stop"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The real `exodus` binary.
pub fn exodus() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("exodus").expect("binary built")
}

/// The `manifest.toml` of a command's output folder.
pub fn folder_manifest(dir: &Path) -> toml::Table {
    fs::read_to_string(dir.join(exodus::output::FOLDER_MANIFEST))
        .expect("manifest readable")
        .parse()
        .expect("manifest is TOML")
}

/// Index of a destination in a run's results.
pub fn destination(results: &RunResults, name: &str) -> usize {
    results
        .destinations
        .iter()
        .position(|d| d == name)
        .unwrap_or_else(|| panic!("no destination {name}"))
}

/// Index of a crossing in a run's results.
pub fn crossing(results: &RunResults, id: &str) -> usize {
    results
        .crossings
        .iter()
        .position(|(c, _)| c == id)
        .unwrap_or_else(|| panic!("no crossing {id}"))
}

/// Day number of a date in a run.
pub fn day(results: &RunResults, date: &str) -> usize {
    let date: chrono::NaiveDate = date.parse().expect("date");
    usize::try_from(results.calendar.day_of(date)).expect("date inside the run")
}

/// Exodus entries into a destination over the days `from..=to`.
pub fn exodus_between(results: &RunResults, dest: &str, from: &str, to: &str) -> u64 {
    let d = destination(results, dest);
    (day(results, from)..=day(results, to))
        .map(|t| results.destination_total(t, d, |x| x.crossed))
        .sum()
}
