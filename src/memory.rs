//! How much memory a run needs, how much the machine can give it, and the
//! refusal of a population that would not fit, before anything is allocated
//! (when a run's [`crate::settings::RunSettings`] are built).
//!
//! A run holds one agent of [`AGENT_BYTES`] per `scale` men, plus tables, queues and
//! daily records that do not grow with the population (under 64 MiB for any
//! scenario the validator accepts). The memory a run may use is the least of
//! what the kernel reports as available (`MemAvailable`), what the process's
//! cgroup still allows (containers, batch schedulers), and the
//! `EXODUS_MEMORY_LIMIT_MIB` environment variable, which lets a user on a
//! shared machine cap it below both.

use std::fmt;

use crate::format::thousands;
use crate::scenario::MAX_SCALE;

/// Bytes of one agent (the population asserts that its `Agent` has this size).
pub const AGENT_BYTES: usize = 8;

/// Environment variable capping the memory a run may use, in MiB.
pub const LIMIT_VARIABLE: &str = "EXODUS_MEMORY_LIMIT_MIB";

/// Memory a run needs besides its agents (tables, queues, daily records).
const FIXED_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Headroom on the agents for the allocator and the parallel tallies.
const AGENT_OVERHEAD: f64 = 1.1;

/// Agents of a run of `persons` eligible men at `scale` persons per agent.
pub fn agents(persons: f64, scale: u32) -> f64 {
    (persons / f64::from(scale)).ceil().max(0.0)
}

/// Estimated peak memory of a run with `agents` agents, in bytes.
pub fn run_bytes(agents: f64) -> f64 {
    agents * AGENT_BYTES as f64 * AGENT_OVERHEAD + FIXED_BYTES
}

/// Estimated peak memory of a run with `agents` agents, in MiB (rounded up).
pub fn run_mib(agents: f64) -> u64 {
    (run_bytes(agents) / 1_048_576.0).ceil() as u64
}

/// The smallest `EXODUS_MEMORY_LIMIT_MIB` accepted: what any run needs
/// besides its agents.
pub const MIN_LIMIT_MIB: u64 = 64;

/// `EXODUS_MEMORY_LIMIT_MIB` in bytes: `None` when unset; an error saying
/// what is valid when it is not a whole number of MiB of at least
/// [`MIN_LIMIT_MIB`] (`lots`, `-5` and `0` are refused, not ignored).
pub fn user_limit() -> Result<Option<u64>, String> {
    let Some(raw) = std::env::var_os(LIMIT_VARIABLE) else {
        return Ok(None);
    };
    let text = raw.to_string_lossy();
    match text.trim().parse::<u64>() {
        Ok(mib) if mib >= MIN_LIMIT_MIB => Ok(Some(mib.saturating_mul(1 << 20))),
        _ => Err(format!(
            "{LIMIT_VARIABLE}=`{text}` is not valid: give a whole number of MiB of at least {MIN_LIMIT_MIB} (e.g. 2048), or unset it"
        )),
    }
}

/// Memory the run may use, in bytes, when it can be known (see the module
/// documentation for the sources). An invalid `EXODUS_MEMORY_LIMIT_MIB`,
/// refused when the command starts (see [`user_limit`]), counts as unset.
pub fn available() -> Option<u64> {
    let user = user_limit().ok().flatten();
    [user, mem_available(), cgroup_room()]
        .into_iter()
        .flatten()
        .min()
}

/// How many runs of `bytes` each may be in flight at once within
/// `available` bytes: at least one (a run that does not fit alone is refused
/// before, when its settings are made), at most `wanted`.
pub fn runs_in_flight(bytes: f64, available: Option<u64>, wanted: usize) -> usize {
    let fit = available.map_or(usize::MAX, |a| (a as f64 / bytes.max(1.0)).floor() as usize);
    fit.clamp(1, wanted.max(1))
}

/// `MemAvailable` from `/proc/meminfo` (Linux).
fn mem_available() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// What the process's cgroup (v2) still allows: `memory.max − memory.current`.
fn cgroup_room() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = membership.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = std::path::Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let max: u64 = read("memory.max")?.trim().parse().ok()?; // "max" means no limit
    let current: u64 = read("memory.current")?.trim().parse().unwrap_or(0);
    Some(max.saturating_sub(current))
}

/// A population that would not fit, with the estimate and a scale that would.
#[derive(Debug, Clone, PartialEq)]
pub struct TooLarge {
    /// Agents expected at the scenario's scale.
    pub agents: u64,
    /// Persons per agent.
    pub scale: u32,
    /// Estimated memory, MiB.
    pub needed_mib: u64,
    /// What the estimate exceeds.
    pub limit: String,
    /// The smallest scale that fits (at most half the available memory).
    pub suggested_scale: u64,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at 1:{} the population is about {} agents, an estimated {} MiB, {}; ",
            self.scale,
            count(self.agents),
            count(self.needed_mib),
            self.limit
        )?;
        if self.suggested_scale <= u64::from(MAX_SCALE) {
            write!(
                f,
                "raise the scale (persons per agent) to at least {}",
                self.suggested_scale
            )
        } else {
            write!(
                f,
                "no scale up to the largest (1:{MAX_SCALE}) fits: check the men counts in the regions data"
            )
        }
    }
}

impl std::error::Error for TooLarge {}

/// Checks that `persons` eligible men at one agent per `scale` fit in the
/// agents a run can address and in `available` bytes of memory.
pub fn check_fits(persons: f64, scale: u32, available: Option<u64>) -> Result<(), TooLarge> {
    let agents = agents(persons, scale);
    let needed = run_bytes(agents);
    let addressable = f64::from(u32::MAX);
    let limit = if agents > addressable {
        format!(
            "more than the {} agents a run can address",
            count(u64::from(u32::MAX))
        )
    } else if let Some(bytes) = available.filter(|&a| needed > a as f64) {
        format!("more than the {} MiB of memory available", bytes >> 20)
    } else {
        return Ok(());
    };
    // Fit the agents in half the available memory, leaving room for the rest.
    let memory_factor = available.map_or(1.0, |a| needed / (a as f64 / 2.0).max(1.0));
    let factor = memory_factor.max(agents / addressable).max(1.0);
    Err(TooLarge {
        agents: agents as u64,
        scale,
        needed_mib: run_mib(agents),
        limit,
        suggested_scale: (f64::from(scale) * factor).ceil() as u64 + 1,
    })
}

/// A count with thousands separators (`30,883,527`), or in scientific
/// notation when it is too large to read (`1.00e18`).
fn count(n: u64) -> String {
    if n >= 1_000_000_000_000 {
        format!("{:.2e}", n as f64)
    } else {
        thousands(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_in_flight_are_as_many_as_fit_and_at_least_one() {
        let mib = 1u64 << 20;
        assert_eq!(runs_in_flight(100.0 * mib as f64, Some(450 * mib), 8), 4);
        assert_eq!(runs_in_flight(100.0 * mib as f64, Some(50 * mib), 8), 1);
        assert_eq!(runs_in_flight(100.0 * mib as f64, None, 8), 8);
        assert_eq!(
            runs_in_flight(1.0, Some(450 * mib), 3),
            3,
            "never more than wanted"
        );
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(30_883_527), "30,883,527");
        assert_eq!(count(1_000_000_000_000_078_080), "1.00e18");
    }

    #[test]
    fn a_population_that_fits_passes() {
        assert_eq!(check_fits(30e6, 1, Some(4 << 30)), Ok(()));
        assert_eq!(check_fits(30e6, 1, None), Ok(()));
    }

    #[test]
    fn too_little_memory_is_refused_with_a_scale_that_fits() {
        let err = check_fits(30e6, 1, Some(128 << 20)).unwrap_err();
        assert_eq!(err.agents, 30_000_000);
        assert!(err.limit.contains("128 MiB"), "{err}");
        // The suggested scale brings the agents under half of the memory.
        let fitting = 30e6 / err.suggested_scale as f64;
        assert!(
            run_bytes(fitting) - FIXED_BYTES < 64.0 * 1024.0 * 1024.0,
            "{err}"
        );
        assert_eq!(
            check_fits(30e6, err.suggested_scale as u32, Some(128 << 20)),
            Ok(())
        );
        assert!(err.to_string().contains("raise the scale"), "{err}");
    }

    #[test]
    fn more_agents_than_addressable_are_refused_whatever_the_memory() {
        let err = check_fits(1e18, 1, None).unwrap_err();
        assert!(err.limit.contains("4,294,967,295 agents"), "{err}");
        assert!(
            err.to_string().contains("no scale up to the largest"),
            "{err}"
        );
        let err = check_fits(1e13, 1, None).unwrap_err();
        assert_eq!(check_fits(1e13, err.suggested_scale as u32, None), Ok(()));
    }
}
