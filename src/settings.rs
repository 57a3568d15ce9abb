//! How one run is made, apart from what it simulates: the master seed of its
//! random streams, the persons each agent stands for, and the worker threads.
//!
//! A [`Scenario`] says what is simulated and never changes once validated;
//! a [`RunSettings`] says how one run of it is made. The scenario file's
//! `seed` and `scale` are the defaults, and the command line may override
//! them ([`Overrides`]); the settings are built once, by
//! [`ScenarioDocument::settings`](crate::scenario::ScenarioDocument::settings),
//! which places any error at the `scale` key of the file or at the `--scale`
//! option that gave the value. Building them is the run's pre-flight, done
//! once and before anything is allocated: a population smaller than one
//! agent, or one that would need more agents than a run can address or more
//! memory than the machine can give (see [`crate::memory`]), is refused.
//!
//! Results do not depend on the number of threads; it is here so that a
//! command sizes its worker pool in the one place it reads its settings.

use crate::input_error::InputError;
use crate::memory;
use crate::scenario::{KeyPath, LoadError, Scenario, ScenarioDocument};

/// The settings of one run: built once, checked once, never patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSettings {
    seed: u64,
    scale: u32,
    threads: Option<u16>,
    sampling: Sampling,
}

/// How the engine samples the men at home who have not acted.
///
/// Both ways draw from the same model and give results with the same
/// distribution (`tests/it/equivalence.rs` checks it); only the random
/// numbers differ. Runs always use [`Sampling::Counts`]; the per-man loop is
/// kept as the reference the tests compare it with.
// The hidden variants are modes for tests, not a non-exhaustive marker.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sampling {
    /// Men at home are counts per cohort; the day's drafted men and deciders
    /// are drawn per cohort, and only a man who acts becomes an agent.
    #[default]
    Counts,
    /// The reference: every man is an agent from the start, and each man at
    /// home draws one number a day.
    #[doc(hidden)]
    PerMan,
    /// [`Sampling::Counts`] with every leave hazard of the men at home
    /// multiplied by `percent` / 100: a deliberately wrong model, for the
    /// test that shows the equivalence check can tell a 5% difference.
    #[doc(hidden)]
    CountsWithLeaveHazardPercent(u16),
}

impl Sampling {
    /// Whether the men at home who have not acted are kept as counts.
    pub fn counts(self) -> bool {
        !matches!(self, Sampling::PerMan)
    }

    /// The factor applied to the leave hazard (1 but in the perturbed test mode).
    pub fn leave_hazard_factor(self) -> f64 {
        match self {
            Sampling::CountsWithLeaveHazardPercent(p) => f64::from(p) / 100.0,
            _ => 1.0,
        }
    }
}

/// Values given on the command line in place of the scenario file's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--seed`: the master seed.
    pub seed: Option<u64>,
    /// `--scale`: persons per agent.
    pub scale: Option<u32>,
    /// `--threads`: worker threads (all cores when absent).
    pub threads: Option<u16>,
}

impl RunSettings {
    /// The settings of a run of `scenario` at `seed` and `scale`, once the
    /// population is known to fit; otherwise the reason, for the caller to
    /// place at whatever gave the scale.
    pub(crate) fn checked(
        scenario: &Scenario,
        seed: u64,
        scale: u32,
        threads: Option<u16>,
    ) -> Result<Self, String> {
        let persons: f64 = scenario.expected_eligible().iter().sum();
        if persons < f64::from(scale) {
            return Err(format!(
                "at 1:{scale} the {} eligible men make less than one agent: the scale must be at most {}",
                persons.round(),
                persons.floor()
            ));
        }
        memory::check_fits(persons, scale, memory::available())
            .map_err(|too_large| too_large.to_string())?;
        Ok(Self {
            seed,
            scale,
            threads,
            sampling: Sampling::Counts,
        })
    }

    /// The master seed of every random stream of the run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Persons per agent.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// Worker threads asked for (all cores when `None`).
    pub fn threads(&self) -> Option<u16> {
        self.threads
    }

    /// How the men at home are sampled.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// The same settings with another sampling: for the tests that compare
    /// the count engine with the per-man reference.
    #[doc(hidden)]
    pub fn with_sampling(self, sampling: Sampling) -> Self {
        Self { sampling, ..self }
    }

    /// The same settings with another master seed (a replicate's): the
    /// population is the same size, so the pre-flight still holds.
    pub fn with_seed(self, seed: u64) -> Self {
        Self { seed, ..self }
    }

    /// A worker pool of the threads asked for.
    pub fn thread_pool(&self) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
        thread_pool(self.threads)
    }
}

/// A worker pool of `threads` threads (all cores when `None`).
pub fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(usize::from(n));
    }
    pool.build()
}

/// The settings of a run of one of a document's scenarios. They are built
/// from the document because it knows where the `scale` came from: the file
/// (with its line and column), or an option that replaced it.
impl ScenarioDocument {
    /// The embedded default scenario and the settings of a run of it at
    /// `scale`, for the library's tests.
    #[cfg(test)]
    pub(crate) fn embedded_default_at(scale: u32) -> (Scenario, RunSettings) {
        let overrides = Overrides {
            scale: Some(scale),
            ..Overrides::default()
        };
        let prepared = Self::embedded_default().and_then(|doc| doc.prepare(&overrides));
        prepared.unwrap_or_else(|e| panic!("the default scenario at 1:{scale}: {e}"))
    }

    /// The validated scenario and the settings of a run of it (see
    /// [`ScenarioDocument::settings`]).
    pub fn prepare(&self, overrides: &Overrides) -> Result<(Scenario, RunSettings), LoadError> {
        let scenario = self.scenario()?;
        let settings = self.settings(&scenario, overrides)?;
        Ok((scenario, settings))
    }

    /// The settings of a run of `scenario`, validated from this document:
    /// the file's `seed` and `scale` unless `overrides` give others. This is
    /// the run's pre-flight (see [`crate::settings`]); an error names the
    /// `--scale` option that gave the scale, or the `scale` key, with its
    /// line and column, in the file that wrote it.
    pub fn settings(
        &self,
        scenario: &Scenario,
        overrides: &Overrides,
    ) -> Result<RunSettings, InputError> {
        let key = KeyPath::of(&["scale"]);
        self.settings_at(scenario, overrides, &key, scenario.default_scale())
    }

    /// The settings of a calibration's runs: as [`ScenarioDocument::settings`],
    /// but at the `[calibration]` section's `scale` when it has one.
    pub fn calibration_settings(
        &self,
        scenario: &Scenario,
        overrides: &Overrides,
    ) -> Result<RunSettings, InputError> {
        match scenario.calibration().and_then(|c| c.scale) {
            Some(scale) => {
                let key = KeyPath::of(&["calibration", "scale"]);
                self.settings_at(scenario, overrides, &key, scale)
            }
            None => self.settings(scenario, overrides),
        }
    }

    /// The settings at the `--scale` of `overrides`, else at `scale`, which
    /// the file writes at `key`.
    fn settings_at(
        &self,
        scenario: &Scenario,
        overrides: &Overrides,
        key: &KeyPath,
        scale: u32,
    ) -> Result<RunSettings, InputError> {
        let seed = overrides.seed.unwrap_or(scenario.default_seed());
        let threads = overrides.threads;
        match overrides.scale {
            Some(scale) => {
                RunSettings::checked(scenario, seed, scale, threads).map_err(|message| InputError {
                    file: format!("--scale {scale}"),
                    line: None,
                    column: None,
                    key: Some("scale".to_owned()),
                    message,
                })
            }
            None => RunSettings::checked(scenario, seed, scale, threads)
                .map_err(|message| self.error_at(key, message)),
        }
    }
}
