//! Exit codes. Each error type says how a command that it stops should end
//! the process, in the manner of just's `Error::code()`, so that the binary
//! reads the code off the error instead of guessing by looking inside it.
//!
//! - [`INPUT`] (2): a problem with what the user gave: a scenario, a data
//!   file, an option's value, an occupied output folder, a damaged run;
//! - [`INTERRUPTED`] (130, 128 + SIGINT, as shells expect): Ctrl-C stopped
//!   the command before it wrote anything;
//! - [`FAILURE`] (1): anything else, a failure of the machine or of exodus.
//!
//! A ground-floor module: it imports nothing from the crate.

/// Exit code of a failure of the machine or of exodus.
pub const FAILURE: u8 = 1;

/// Exit code of a problem with what the user gave.
pub const INPUT: u8 = 2;

/// Exit code after Ctrl-C.
pub const INTERRUPTED: u8 = 130;

/// An error that chooses the exit code of the command it stops.
pub trait Exit {
    /// The exit code: [`INPUT`], [`INTERRUPTED`] or [`FAILURE`].
    fn exit_code(&self) -> u8;
}
