//! Ensembles: many runs of scenarios, in parallel, with common random
//! numbers. `compare`, `sweep`, `calibrate` and `validate` all run their
//! replicates here.
//!
//! An ensemble is a list of *members* (a scenario, and the settings of its
//! runs) and a number of replicates `R`. Its *jobs* are the (member,
//! replicate) pairs, numbered member-major: job `j` is replicate `j mod R`
//! of member `j div R`. Replicate `r` of every member runs with the seed
//! `replicate_seed(master, r)`, which derives from the master seed and the
//! replicate index only: never from the member, from the job's number or
//! from the thread that runs it. Replicate `r` of every member therefore
//! draws the same random numbers (common random numbers), and a difference
//! between members is a difference of scenario, not of luck; replicate 0
//! is the master seed itself, so it reproduces `exodus run --seed MASTER`.
//! A member added with a master seed of its own
//! ([`Ensemble::with_seeded_member`]) takes its replicates' seeds from that
//! one instead: ABC-SMC's proposals each draw fresh luck, keyed by the
//! proposal and never by the job's number or thread.
//!
//! A member may instead give one scenario per replicate
//! ([`Ensemble::with_member_per_replicate`]): `compare --posterior` runs
//! replicate `r` of every scenario with the parameters of the posterior's
//! draw `r`, so the parameters differ from replicate to replicate but are
//! the same, like the seed, across members.
//!
//! Jobs run in parallel on the current rayon pool, each its own engine run,
//! and their results come back in the order the jobs were given, so nothing
//! depends on the number of threads. Any subset of the jobs may be run (a
//! shard of a cluster job, say): a job's result is the same whichever other
//! jobs run beside it. A progress callback is told the number of jobs
//! finished, and a stop callback, asked before every simulated day of every
//! run, cancels them all.
//!
//! Each run's memory was checked alone when its settings were made; here
//! jobs run in waves of as many as fit together in the memory available
//! ([`crate::memory::runs_in_flight`]), so that eight threads of full-scale
//! replicates do not need eight times the memory. The waves change nothing
//! in the results.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::{self, EngineError};
use crate::memory;
use crate::results::RunResults;
use crate::rng::replicate_seed;
use crate::scenario::Scenario;
use crate::settings::RunSettings;

/// Runs of scenarios, replicated with common random numbers.
#[derive(Debug, Clone)]
pub struct Ensemble<'s> {
    master_seed: u64,
    replicates: u32,
    /// Each member's scenario (or one per replicate), settings, and own
    /// master seed if it has one.
    members: Vec<(Vec<&'s Scenario>, RunSettings, Option<u64>)>,
}

/// One run of an ensemble: replicate `replicate` of member `member`.
#[derive(Debug, Clone, Copy)]
pub struct Job<'s> {
    /// Its number in the ensemble (member-major).
    pub index: usize,
    /// The member (in the order they were added).
    pub member: usize,
    /// The replicate.
    pub replicate: u32,
    /// The member's scenario.
    pub scenario: &'s Scenario,
    /// The member's settings with the replicate's seed.
    pub settings: RunSettings,
}

impl<'s> Ensemble<'s> {
    /// An ensemble of `replicates` replicates per member under `master_seed`,
    /// without members yet.
    pub fn new(master_seed: u64, replicates: u32) -> Self {
        Self {
            master_seed,
            replicates,
            members: Vec::new(),
        }
    }

    /// The same with one more member: `scenario`, run at `settings` (whose
    /// seed gives way to the replicates' seeds).
    pub fn with_member(mut self, scenario: &'s Scenario, settings: RunSettings) -> Self {
        self.members.push((vec![scenario], settings, None));
        self
    }

    /// The same with a member that runs replicate `r` of `scenarios[r]`, at
    /// `settings`. There must be one scenario per replicate; a member with
    /// fewer has no jobs beyond them.
    pub fn with_member_per_replicate(
        mut self,
        scenarios: Vec<&'s Scenario>,
        settings: RunSettings,
    ) -> Self {
        self.members.push((scenarios, settings, None));
        self
    }

    /// The same with one more member whose replicates draw their seeds from
    /// `master_seed` instead of the ensemble's: a member that must not share
    /// its luck with the others (a proposal of ABC-SMC, whose simulations
    /// must be independent draws of the model).
    pub fn with_seeded_member(
        mut self,
        scenario: &'s Scenario,
        settings: RunSettings,
        master_seed: u64,
    ) -> Self {
        self.members
            .push((vec![scenario], settings, Some(master_seed)));
        self
    }

    /// The master seed of the replicates.
    pub fn master_seed(&self) -> u64 {
        self.master_seed
    }

    /// Replicates per member.
    pub fn replicates(&self) -> u32 {
        self.replicates
    }

    /// Number of members.
    pub fn members(&self) -> usize {
        self.members.len()
    }

    /// Number of jobs: members × replicates.
    pub fn len(&self) -> usize {
        self.members.len() * self.replicates as usize
    }

    /// Whether there are no jobs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The seed of replicate `replicate` of every member.
    pub fn seed(&self, replicate: u32) -> u64 {
        replicate_seed(self.master_seed, replicate)
    }

    /// Job number `index`, if there is one.
    pub fn job(&self, index: usize) -> Option<Job<'s>> {
        let replicates = self.replicates as usize;
        let (member, replicate) = (index.checked_div(replicates)?, index % replicates);
        let (scenarios, settings, own) = self.members.get(member)?;
        let scenario = match scenarios.as_slice() {
            [one] => *one,
            many => *many.get(replicate)?,
        };
        let (settings, own) = (*settings, *own);
        let replicate = replicate as u32;
        let seed = own.map_or_else(
            || self.seed(replicate),
            |master| replicate_seed(master, replicate),
        );
        Some(Job {
            index,
            member,
            replicate,
            scenario,
            settings: settings.with_seed(seed),
        })
    }

    /// Every job, in order.
    pub fn jobs(&self) -> impl Iterator<Item = Job<'s>> + '_ {
        (0..self.len()).filter_map(|index| self.job(index))
    }

    /// Runs `jobs` in parallel and returns, in their order, what `measure`
    /// makes of each job's results. `progress` is told the number of jobs
    /// finished so far; `stop` cancels every run between two simulated days.
    /// The first error, in job order, is returned.
    ///
    /// Under a shard's or a merge's ledger ([`crate::shard`]), the jobs are
    /// a stage: answered from the results the ledger holds, or, in a shard,
    /// only its own jobs are run, and the command stops
    /// ([`EngineError::Deferred`]).
    pub fn run<T: Send + Serialize + DeserializeOwned>(
        &self,
        jobs: &[Job<'s>],
        measure: impl Fn(&Job<'s>, RunResults) -> T + Sync,
        progress: &(dyn Fn(usize) + Sync),
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<Vec<T>, EngineError> {
        match crate::shard::current() {
            Some(ledger) => ledger.stage(jobs.len(), |mine| {
                let subset: Vec<Job<'s>> =
                    mine.iter().filter_map(|&j| jobs.get(j).copied()).collect();
                self.run_here(&subset, &measure, progress, stop)
            }),
            None => self.run_here(jobs, &measure, progress, stop),
        }
    }

    /// Runs `jobs` in this process (see [`Ensemble::run`]).
    fn run_here<T: Send>(
        &self,
        jobs: &[Job<'s>],
        measure: &(impl Fn(&Job<'s>, RunResults) -> T + Sync),
        progress: &(dyn Fn(usize) + Sync),
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<Vec<T>, EngineError> {
        let finished = AtomicUsize::new(0);
        let largest = jobs
            .iter()
            .map(|job| {
                let persons: f64 = job.scenario.expected_eligible().iter().sum();
                memory::run_bytes(memory::agents(persons, job.settings.scale()))
            })
            .fold(0.0, f64::max);
        // Waves of as many jobs as fit, one after the other (a thread waiting
        // for a place could deadlock: rayon lends a thread that waits inside
        // a run to another job).
        let wave = memory::runs_in_flight(largest, memory::available(), jobs.len());
        let outcomes: Vec<Result<T, EngineError>> = jobs
            .chunks(wave)
            .flat_map(|wave| {
                wave.par_iter()
                    .map(|job| {
                        let results = engine::run(job.scenario, &job.settings, stop, &|_| {})?;
                        let measured = measure(job, results);
                        progress(finished.fetch_add(1, Ordering::SeqCst) + 1);
                        Ok(measured)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        outcomes.into_iter().collect()
    }

    /// Runs every job (see [`Ensemble::run`]).
    pub fn run_all<T: Send + Serialize + DeserializeOwned>(
        &self,
        measure: impl Fn(&Job<'s>, RunResults) -> T + Sync,
        progress: &(dyn Fn(usize) + Sync),
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<Vec<T>, EngineError> {
        let jobs: Vec<Job<'s>> = self.jobs().collect();
        self.run(&jobs, measure, progress, stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ScenarioDocument;

    #[test]
    fn jobs_are_member_major_and_replicates_share_their_seeds() {
        let (scenario, settings) = ScenarioDocument::embedded_default_at(1_000_000);
        let ensemble = Ensemble::new(7, 3)
            .with_member(&scenario, settings)
            .with_member(&scenario, settings.with_seed(99));
        assert_eq!(ensemble.len(), 6);
        let jobs: Vec<Job<'_>> = ensemble.jobs().collect();
        let ids: Vec<(usize, u32)> = jobs.iter().map(|j| (j.member, j.replicate)).collect();
        assert_eq!(ids, [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]);
        assert_eq!(jobs[1].settings.seed(), jobs[4].settings.seed());
        assert_eq!(jobs[0].settings.seed(), 7, "replicate 0 is the master seed");
        assert!(ensemble.job(6).is_none());
        assert!(
            Ensemble::new(7, 0)
                .with_member(&scenario, settings)
                .job(0)
                .is_none()
        );
    }

    #[test]
    fn a_subset_of_jobs_gives_the_same_results_in_the_order_asked() {
        let (scenario, settings) = ScenarioDocument::embedded_default_at(20_000);
        let ensemble = Ensemble::new(11, 3).with_member(&scenario, settings);
        let abroad = |_: &Job<'_>, r: RunResults| r.national.last().map(|d| d.abroad);
        let all = ensemble.run_all(abroad, &|_| {}, &|| false).unwrap();
        let shard: Vec<Job<'_>> = [2, 0].iter().filter_map(|&i| ensemble.job(i)).collect();
        let some = ensemble.run(&shard, abroad, &|_| {}, &|| false).unwrap();
        assert_eq!(some, [all[2], all[0]]);
        let stopped = ensemble.run_all(abroad, &|_| {}, &|| true);
        assert!(matches!(stopped, Err(EngineError::Stopped)));
    }
}
