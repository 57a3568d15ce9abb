//! Scenarios: from a TOML file to the validated [`Scenario`] a run simulates.
//!
//! Reading is two-staged, as in ripgrep's argument handling: [`file`](mod@file)
//! mirrors the TOML exactly (the "low" form); validation checks ranges,
//! dates and references and resolves them (crossings by index, dates as day
//! numbers, policies as a list the [`crate::model::policy`] timeline can
//! query) into a [`Scenario`] (the "high" form), which is a pure function of
//! the text and its data and is never changed afterwards. How a run of it is
//! made (seed, scale, threads) is a [`crate::settings::RunSettings`].
//!
//! The files, one job each:
//! - `origin.rs`: where the text and data come from (a file, or the default
//!   scenario embedded in the binary, so that `exodus run` works with no
//!   file at hand);
//! - `extends.rs`: a file that extends another, merged into one table;
//! - `param_path.rs`: paths to values (`--set`, `--param`, calibrated
//!   parameters);
//! - `document.rs`: a file held as a [`ScenarioDocument`], from which
//!   scenarios (with values changed) and the settings of their runs are
//!   built;
//! - `locator.rs`: from a key path back to the file, line and column that
//!   wrote it;
//! - `validate/`: the checks, by part of the scenario.

pub mod diff;
mod document;
mod extends;
pub mod file;
mod locator;
mod network;
mod origin;
mod param_path;
mod policy;
mod validate;

use std::fmt;
use std::path::Path;

pub use document::ScenarioDocument;
pub use file::{DecisionParams, QueueParams, ScenarioFile, TravelParams};
pub use locator::{KeyPath, SourceText};
pub use network::{AirParams, Crossing, CrossingMode, Destination};
pub use origin::{
    BUILTIN, BUILTIN_SCENARIOS, DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME, EMBEDDED_DATA,
    EMBEDDED_EXTRAS, Origin,
};
pub use param_path::ParamPath;
pub use policy::{Policy, PolicyKind};

use crate::calendar::Calendar;
use crate::data::{Region, eligible_men};
use crate::exit::{self, Exit};
use crate::input_error::InputError;
use crate::metrics::{Measure, Observed};

/// The longest simulated window accepted, in days.
pub const MAX_DAYS: u32 = 3650;

/// The largest scale (persons per agent) accepted.
pub const MAX_SCALE: u32 = 1_000_000;

/// Cohorts per region and age: the attributes a man of one region and age
/// may differ in, prior service (2) × documents (3) × car (2) × urban (2) ×
/// determination (2: resolute or not).
pub const COHORTS_PER_AGE: usize = 2 * Documents::ALL.len() * 2 * 2 * 2;

/// The most cohorts (regions × ages × [`COHORTS_PER_AGE`]) a scenario may
/// make: the population packs a cohort index into 20 bits of an agent.
pub const MAX_COHORTS: usize = 1 << 20;

/// A validated scenario: everything a run simulates, resolved.
///
/// Built only by validation (see [`ScenarioDocument::scenario`]) and never
/// changed afterwards: its fields are private and read through accessors.
/// What varies from run to run (the seed, the scale, the threads) is not
/// here but in a [`RunSettings`](crate::settings::RunSettings), for which
/// the file's `seed` and `scale` are only the defaults.
#[derive(Debug, Clone)]
pub struct Scenario {
    name: String,
    description: String,
    seed: u64,
    scale: u32,
    calendar: Calendar,
    regions: Vec<Region>,
    population: PopulationParams,
    mobilization: MobilizationParams,
    decision: DecisionParams,
    passport: PassportParams,
    travel: TravelParams,
    choice: ChoiceParams,
    queue: QueueParams,
    air: Option<AirParams>,
    destinations: Vec<Destination>,
    crossings: Vec<Crossing>,
    policies: Vec<Policy>,
    targets: Vec<Target>,
    calibration: Option<CalibrationSpec>,
    content_hash: String,
    /// Values each valid but doubtful together, which a user could mean:
    /// they run, and the command line says so (see [`Scenario::warnings`]).
    warnings: Vec<InputError>,
}

impl Scenario {
    /// Name, used for the output folder.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Free-text description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The file's `seed`: the master seed of a run that names no other.
    pub fn default_seed(&self) -> u64 {
        self.seed
    }

    /// The file's `scale`: persons per agent of a run that names no other.
    pub fn default_scale(&self) -> u32 {
        self.scale
    }

    /// The simulated days.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Regions with their men by age.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Eligibility and attribute shares.
    pub fn population(&self) -> &PopulationParams {
        &self.population
    }

    /// Call-up schedule and priorities.
    pub fn mobilization(&self) -> &MobilizationParams {
        &self.mobilization
    }

    /// Coefficients of the decision to leave.
    pub fn decision(&self) -> &DecisionParams {
        &self.decision
    }

    /// Foreign-passport applications.
    pub fn passport(&self) -> &PassportParams {
        &self.passport
    }

    /// Travel speeds and costs.
    pub fn travel(&self) -> &TravelParams {
        &self.travel
    }

    /// Crossing choice.
    pub fn choice(&self) -> &ChoiceParams {
        &self.choice
    }

    /// Patience at the queues.
    pub fn queue(&self) -> &QueueParams {
        &self.queue
    }

    /// Air travel, when the scenario has air routes.
    pub fn air(&self) -> Option<&AirParams> {
        self.air.as_ref()
    }

    /// Destinations, in file order (then `elsewhere`, when men may move on there).
    pub fn destinations(&self) -> &[Destination] {
        &self.destinations
    }

    /// Crossings, in file order.
    pub fn crossings(&self) -> &[Crossing] {
        &self.crossings
    }

    /// The destinations' names, in order: as a run's results name them.
    pub fn destination_names(&self) -> Vec<String> {
        self.destinations.iter().map(|d| d.name.clone()).collect()
    }

    /// The crossings' ids with their destinations' indices, in order: as a
    /// run's results name them.
    pub fn crossing_ids(&self) -> Vec<(String, usize)> {
        self.crossings
            .iter()
            .map(|c| (c.id.clone(), c.destination))
            .collect()
    }

    /// Policies, in file order.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// Reported figures to calibrate to.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// What `exodus calibrate` fits, if anything.
    pub fn calibration(&self) -> Option<&CalibrationSpec> {
        self.calibration.as_ref()
    }

    /// SHA-256 (hex) of the scenario's text, of the files it extends and of
    /// the values set after reading (`--set`, a calibration's values).
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    /// What validation found doubtful but let run, each located like an
    /// error (file, line, column, key) and saying why.
    pub fn warnings(&self) -> &[InputError] {
        &self.warnings
    }

    /// Index of the destination called `name`.
    pub fn destination_index(&self, name: &str) -> Option<usize> {
        self.destinations.iter().position(|d| d.name == name)
    }

    /// Index of the crossing with this `id`.
    pub fn crossing_index(&self, id: &str) -> Option<usize> {
        self.crossings.iter().position(|c| c.id == id)
    }

    /// Expected eligible men (persons) of each region, before sampling.
    pub fn expected_eligible(&self) -> Vec<f64> {
        eligible_men(
            &self.regions,
            self.population.age_min,
            self.population.age_max,
        )
    }
}

/// Documents that a destination requires, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Documents {
    /// The internal passport every adult holds.
    InternalPassport = 0,
    /// A foreign (international) passport.
    ForeignPassport = 1,
    /// A foreign passport and a Schengen visa.
    SchengenVisa = 2,
}

impl Documents {
    /// All levels, lowest first.
    pub const ALL: [Documents; 3] = [
        Documents::InternalPassport,
        Documents::ForeignPassport,
        Documents::SchengenVisa,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Documents::InternalPassport => "internal_passport",
            Documents::ForeignPassport => "foreign_passport",
            Documents::SchengenVisa => "schengen_visa",
        }
    }
}

impl fmt::Display for Documents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Eligibility and attribute shares, resolved per region.
#[derive(Debug, Clone)]
pub struct PopulationParams {
    /// Youngest eligible age.
    pub age_min: u32,
    /// Oldest eligible age.
    pub age_max: u32,
    /// Share with prior military service.
    pub prior_service_share: f64,
    /// Share with a car.
    pub car_share: f64,
    /// Foreign-passport share per region: (urban, rural).
    pub foreign_passport: Vec<(f64, f64)>,
    /// Schengen-visa share among passport holders per region: (urban, rural).
    pub schengen_visa: Vec<(f64, f64)>,
}

/// The call-up, resolved.
#[derive(Debug, Clone)]
pub struct MobilizationParams {
    /// (day, cumulative drafted persons by the end of that day), days increasing.
    pub schedule: Vec<(i64, f64)>,
    /// Relative draft priority of prior service.
    pub prior_service_priority: f64,
    /// Log-priority fall per year of age.
    pub age_priority_decay: f64,
    /// Intensity multiplier per region.
    pub intensity: Vec<f64>,
}

/// Foreign-passport applications.
#[derive(Debug, Clone, Copy)]
pub struct PassportParams {
    /// Share of deciders without a passport who apply first.
    pub apply_share: f64,
    /// Days to issue.
    pub processing_days: u32,
}

/// What a man does after giving up at a queue or being turned back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// Try another feasible crossing (up to `max_attempts` in all).
    Reroute,
    /// Go home.
    ReturnHome,
}

/// Crossing choice, resolved.
#[derive(Debug, Clone, Copy)]
pub struct ChoiceParams {
    /// Utility per day of travel.
    pub travel_day: f64,
    /// Utility per day of expected wait.
    pub wait_day: f64,
    /// Utility per 1000 roubles.
    pub cost_per_1000_rub: f64,
    /// Utility per unit of catch probability.
    pub draft_risk: f64,
    /// Information lag of the observed queue (days).
    pub information_lag_days: u32,
    /// Behaviour after giving up.
    pub on_give_up: GiveUp,
    /// Most crossings tried.
    pub max_attempts: u8,
}

/// A reported figure to calibrate to.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Unique id.
    pub id: String,
    /// The place as written.
    pub place: String,
    /// Metric, place and window.
    pub measure: Measure,
    /// The reported figure.
    pub observed: Observed,
    /// Weight in the loss.
    pub weight: f64,
    /// Relative tolerance of the fit report.
    pub tolerance: f64,
    /// Its source.
    pub source: String,
}

/// What `exodus calibrate` fits and how.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationSpec {
    /// Replicates per evaluation.
    pub replicates: u32,
    /// Persons per agent while calibrating (the scenario's own when absent).
    pub scale: Option<u32>,
    /// Most loss evaluations.
    pub budget: u32,
    /// Most restarts of the search.
    pub restarts: u32,
    /// Candidates per generation of the first run of the search (the
    /// default `4 + ⌊3 ln n⌋` when absent).
    pub population: Option<u32>,
    /// Initial step size of the search, in unit coordinates.
    pub sigma: f64,
    /// The parameters.
    pub parameters: Vec<CalibrationParameter>,
}

/// One fitted parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationParameter {
    /// The key it sets.
    pub path: ParamPath,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Searched on a log scale.
    pub log: bool,
    /// Where the search starts: `start` if given, else the scenario's value.
    pub start: f64,
    /// The key holds a whole number: every evaluation rounds the value.
    pub integer: bool,
    /// The prior of a Bayesian calibration (`--method abc-smc`).
    pub prior: Prior,
}

/// The prior of a calibrated parameter, always truncated to its bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prior {
    /// Uniform in the parameter's unit coordinate: uniform within the
    /// bounds, or log-uniform on a `log` scale.
    Uniform,
    /// A normal distribution of the value, truncated to the bounds.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// A beta distribution of `(value − lower) / (upper − lower)`, its
    /// shapes matched to the mean and standard deviation the file gives.
    Beta {
        /// First shape.
        alpha: f64,
        /// Second shape.
        beta: f64,
    },
}

impl Prior {
    /// Its name in the scenario file.
    pub fn name(&self) -> &'static str {
        match self {
            Prior::Uniform => "uniform",
            Prior::Normal { .. } => "normal",
            Prior::Beta { .. } => "beta",
        }
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The scenario file could not be read.
    #[error("{file}: cannot read the scenario file: {reason}")]
    Read {
        /// The path.
        file: String,
        /// The cause, said in the message (and not chained, so not twice).
        reason: std::io::Error,
    },
    /// A problem in the scenario or a data file.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The merged scenario could not be written out as TOML to be hashed
    /// (not expected of a table read from TOML).
    #[error("{file}: cannot write the merged scenario out as TOML to hash it: {source}")]
    Write {
        /// The scenario file.
        file: String,
        /// The cause.
        source: toml::ser::Error,
    },
}

impl Exit for LoadError {
    fn exit_code(&self) -> u8 {
        match self {
            LoadError::Read { .. } | LoadError::Input(_) => exit::INPUT,
            LoadError::Write { .. } => exit::FAILURE,
        }
    }
}

/// Loads and validates the embedded default scenario.
pub fn load_default() -> Result<Scenario, LoadError> {
    ScenarioDocument::embedded_default()?.scenario()
}

/// Loads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, LoadError> {
    ScenarioDocument::load(path)?.scenario()
}
