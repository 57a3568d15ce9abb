//! Shards: an ensemble's jobs split over processes (the tasks of a Slurm job
//! array), and merged back into exactly what one process writes.
//!
//! A command runs its ensembles one after the other: `compare` one, `sweep`
//! one, `sensitivity` one per batch of points, ABC-SMC one per round of
//! proposals (each depends on the results of the one before). Each call of
//! [`crate::ensemble::Ensemble::run`] is a *stage*, numbered from 0 in the
//! order the command makes them, and its jobs are numbered by their place
//! in the list it is given. A command is deterministic given its arguments
//! and the results of its stages, so it can be replayed.
//!
//! A process works under a [`Ledger`], installed for the whole command:
//! - **Shard `i/N`** replays the command. A stage whose results the ledger
//!   holds (from the merge of the stages before, `--jobs-from`) is answered
//!   from them; at the first stage it does not hold, the shard runs the jobs
//!   whose number is `i − 1` modulo `N` (by number, never by timing), keeps
//!   their results, and the command stops there ([`EngineError::Deferred`]):
//!   the caller writes the shard's folder.
//! - **Merge** replays the command with the results of every shard. When
//!   every stage is answered, the command writes its folder as it would
//!   alone: the same files, byte for byte. When it reaches a stage nobody
//!   ran (the next round of ABC-SMC), it stops there too, and the caller
//!   writes the results so far, for the shards of that stage.
//!
//! A job's result is kept as its measured value in postcard (serde's
//! compact binary form): floats bit for bit, so a merged result is the same
//! number the job made.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::EngineError;

/// Which share of the jobs a process runs: shard `index` (from 1) of
/// `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The shard, from 1.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl Spec {
    /// Whether job number `job` of a stage is this shard's.
    pub fn owns(&self, job: usize) -> bool {
        job % self.count as usize == (self.index - 1) as usize
    }
}

impl std::str::FromStr for Spec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{text}` is not I/N with 1 ≤ I ≤ N ≤ 100000, e.g. 2/8");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count || count > 100_000 {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

impl std::fmt::Display for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Results of jobs: `(stage, job)` → the job's measured value, encoded.
pub type Results = BTreeMap<(u32, u32), Vec<u8>>;

/// What a process under a ledger does with a stage it has no results for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Run this shard's jobs of it, then stop.
    Shard(Spec),
    /// Stop: the stage has to be run in shards first.
    Merge,
}

/// How far a command under a ledger got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    /// Every stage it made was answered: it ran to its end.
    End,
    /// It stopped at this stage: a shard ran its jobs of it (`jobs` of the
    /// stage's `total`), or a merge found nobody had run it.
    Stage {
        /// The stage.
        stage: u32,
        /// Jobs in the stage.
        total: usize,
    },
}

#[derive(Debug)]
struct State {
    next_stage: u32,
    known: Results,
    ran: Results,
    reached: Reached,
}

/// The results a command's ensembles are answered from, and what it ran.
#[derive(Debug)]
pub struct Ledger {
    role: Role,
    state: Mutex<State>,
}

impl Ledger {
    /// A ledger for `role` that knows the results `known`.
    pub fn new(role: Role, known: Results) -> Self {
        Self {
            role,
            state: Mutex::new(State {
                next_stage: 0,
                known,
                ran: Results::new(),
                reached: Reached::End,
            }),
        }
    }

    /// Its role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// How far the command got.
    pub fn reached(&self) -> Reached {
        self.lock().reached.clone()
    }

    /// The results this process ran (a shard's), and those it knew.
    pub fn results(&self) -> (Results, Results) {
        let state = self.lock();
        (state.ran.clone(), state.known.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock poisons it; the state is still whole.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answers the next stage of `total` jobs: every result if the ledger
    /// knows them all; else, for a shard, runs its own jobs with `run` and
    /// stops the command; for a merge, stops it.
    pub fn stage<T>(
        &self,
        total: usize,
        run: impl FnOnce(&[usize]) -> Result<Vec<T>, EngineError>,
    ) -> Result<Vec<T>, EngineError>
    where
        T: Serialize + DeserializeOwned,
    {
        let stage = {
            let mut state = self.lock();
            let stage = state.next_stage;
            state.next_stage += 1;
            stage
        };
        let known: Option<Vec<T>> = {
            let state = self.lock();
            (0..total)
                .map(|job| {
                    let bytes = state.known.get(&(stage, job as u32))?;
                    postcard::from_bytes(bytes).ok()
                })
                .collect()
        };
        if let Some(results) = known {
            return Ok(results);
        }
        if let Role::Shard(spec) = self.role {
            let mine: Vec<usize> = (0..total).filter(|&job| spec.owns(job)).collect();
            let results = run(&mine)?;
            let mut state = self.lock();
            for (&job, result) in mine.iter().zip(&results) {
                let bytes = postcard::to_allocvec(result).unwrap_or_default();
                state.ran.insert((stage, job as u32), bytes);
            }
        }
        self.lock().reached = Reached::Stage { stage, total };
        Err(EngineError::Deferred)
    }
}

/// The ledger of this process's command, if it runs under one.
static CURRENT: Mutex<Option<Arc<Ledger>>> = Mutex::new(None);

/// Puts the command under `ledger` (a shard or a merge).
pub fn install(ledger: Arc<Ledger>) {
    if let Ok(mut current) = CURRENT.lock() {
        *current = Some(ledger);
    }
}

/// The command's ledger, if any.
pub fn current() -> Option<Arc<Ledger>> {
    CURRENT.lock().ok().and_then(|current| current.clone())
}

/// Encodes results as a file: a line `exodus-shard-results 1`, then per
/// result its stage, job and length as little-endian `u32`s and its bytes.
pub fn encode(results: &Results) -> Vec<u8> {
    let mut out = b"exodus-shard-results 1\n".to_vec();
    for ((stage, job), bytes) in results {
        out.extend(stage.to_le_bytes());
        out.extend(job.to_le_bytes());
        out.extend((bytes.len() as u32).to_le_bytes());
        out.extend(bytes);
    }
    out
}

/// Reads what [`encode`] wrote; `None` if it is not such a file.
pub fn decode(bytes: &[u8]) -> Option<Results> {
    let mut rest = bytes.strip_prefix(b"exodus-shard-results 1\n".as_slice())?;
    let mut results = Results::new();
    let word = |rest: &mut &[u8]| -> Option<u32> {
        let (head, tail) = rest.split_first_chunk::<4>()?;
        *rest = tail;
        Some(u32::from_le_bytes(*head))
    };
    while !rest.is_empty() {
        let (stage, job, len) = (
            word(&mut rest)?,
            word(&mut rest)?,
            word(&mut rest)? as usize,
        );
        if rest.len() < len {
            return None;
        }
        let (value, tail) = rest.split_at(len);
        results.insert((stage, job), value.to_vec());
        rest = tail;
    }
    Some(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_and_own_their_jobs_by_number() {
        let spec: Spec = "2/3".parse().unwrap();
        let mine: Vec<usize> = (0..8).filter(|&j| spec.owns(j)).collect();
        assert_eq!(mine, [1, 4, 7]);
        for bad in ["0/3", "4/3", "x/3", "3", "1/0"] {
            assert!(bad.parse::<Spec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn results_round_trip_bit_for_bit() {
        let mut results = Results::new();
        let values = vec![0.1_f64, f64::NAN, -0.0, 1e-300, f64::INFINITY];
        results.insert((0, 3), postcard::to_allocvec(&values).unwrap());
        results.insert((2, 0), Vec::new());
        let back = decode(&encode(&results)).unwrap();
        assert_eq!(back, results);
        let again: Vec<f64> = postcard::from_bytes(&back[&(0, 3)]).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&again), bits(&values));
        assert!(decode(b"not results").is_none());
        assert!(decode(&encode(&results)[..30]).is_none());
    }

    #[test]
    fn a_shard_runs_its_jobs_and_a_merge_answers_from_every_shard() {
        let run_all = |jobs: &[usize]| -> Result<Vec<f64>, EngineError> {
            Ok(jobs.iter().map(|&j| j as f64 * 1.5).collect())
        };
        let mut known = Results::new();
        for index in 1..=2 {
            let shard = Ledger::new(Role::Shard(Spec { index, count: 2 }), Results::new());
            assert!(matches!(
                shard.stage(5, run_all),
                Err(EngineError::Deferred)
            ));
            assert_eq!(shard.reached(), Reached::Stage { stage: 0, total: 5 });
            known.extend(shard.results().0);
        }
        let merge = Ledger::new(Role::Merge, known);
        let results: Vec<f64> = merge.stage(5, |_| panic!("a merge runs nothing")).unwrap();
        assert_eq!(results, [0.0, 1.5, 3.0, 4.5, 6.0]);
        // The next stage nobody ran stops the merge.
        let next: Result<Vec<f64>, _> = merge.stage(2, run_all);
        assert!(matches!(next, Err(EngineError::Deferred)));
        assert_eq!(merge.reached(), Reached::Stage { stage: 1, total: 2 });
    }
}
