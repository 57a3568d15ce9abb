//! exodus: an agent-based simulation of the autumn-2022 exodus of Russian men
//! after the partial-mobilization decree of 21 September 2022.
//!
//! The library holds the whole model; the `exodus` binary is a thin command
//! line over it. Data flows one way, and no module imports one above it:
//!
//! ```text
//! CLI ─→ scenario ─→ settings ─→ population ─→ engine ─→ model ─→ results ─→ output
//!        (validated,  (seed,      (one agent    (the day   (the     (in       (CSV,
//!         immutable)   scale,      per `scale`   loop)      rules)   persons)  manifest)
//!                      threads)    men)
//! ```
//!
//! 1. [`scenario`]: a scenario TOML file and its data, read ([`scenario::file`]),
//!    validated and resolved into a [`scenario::Scenario`], which is a pure
//!    function of the text and never changes afterwards;
//! 2. [`settings`]: how one run of it is made ([`settings::RunSettings`]: the
//!    master seed, the persons per agent, the threads), built once from the
//!    file's defaults and the command line's overrides, with the pre-flight
//!    that refuses a population that would not fit ([`memory`]);
//! 3. [`population`]: one agent per `scale` eligible men, synthesized from
//!    the regional data;
//! 4. [`engine`]: the daily loop (decisions, call-up, choice of crossing,
//!    travel, queues), `engine::run(&scenario, &settings, stop, progress)`,
//!    applying the [`model`]'s equations;
//! 5. [`results`]: what a run produces, in persons;
//! 6. [`output`]: tidy CSV, a data dictionary and a manifest, written
//!    atomically and read back.
//!
//! Around the pipeline: [`ensemble`] runs many (scenario, settings) jobs in
//! parallel with common random numbers, for [`compare`], [`sweep`] and
//! [`calibrate`], [`validate`] and [`sensitivity`]; [`metrics`] and [`score`] measure runs
//! against reported figures, and [`validate`] measures an ensemble's spread
//! against them; [`posterior`] reads a calibration's posterior and draws
//! each replicate's parameters from it, so that [`compare`] can carry what we
//! do not know about behaviour into its intervals; [`plot`] draws charts
//! ([`plot_posterior`] those of a Bayesian calibration's posterior), and
//! [`report`] puts a folder's tables and charts into one HTML page;
//! [`bench`](mod@bench) times runs.
//!
//! The ground floor, which every layer may use and which uses nothing above
//! it: [`input_error`] (problems with what the user gave, located to file,
//! line and column), [`input_file`] (reading what the user names, within a
//! size cap), [`calendar`], [`rng`] (the one place random generators
//! are made), [`results`], [`format`](mod@format) (how numbers and names are written),
//! [`stats`] and [`exit`] (the exit code each error type chooses).
//!
//! ```no_run
//! use exodus::scenario::ScenarioDocument;
//! use exodus::settings::Overrides;
//!
//! let doc = ScenarioDocument::embedded_default()?;
//! let (scenario, settings) = doc.prepare(&Overrides::default())?;
//! let results = exodus::engine::run(&scenario, &settings, &|| false, &|_day| {})?;
//! println!("{} men abroad", results.national.last().map_or(0, |d| d.abroad));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The model is documented equation by equation in `docs/model.md`, and the
//! scenario format key by key in `docs/scenario.md`.

pub mod bench;
pub mod calendar;
pub mod calibrate;
pub mod compare;
pub mod data;
pub mod engine;
pub mod ensemble;
pub mod exit;
pub mod format;
pub mod input_error;
pub mod input_file;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod output;
pub mod plot;
pub mod plot_posterior;
pub mod population;
pub mod posterior;
pub mod report;
pub mod results;
pub mod rng;
pub mod scenario;
pub mod score;
pub mod sensitivity;
pub mod settings;
pub mod shard;
pub mod stats;
pub mod sweep;
pub mod validate;
