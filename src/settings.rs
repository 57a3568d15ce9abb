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

use crate::memory;
use crate::scenario::Scenario;

/// The settings of one run: built once, checked once, never patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSettings {
    seed: u64,
    scale: u32,
    threads: Option<u16>,
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
