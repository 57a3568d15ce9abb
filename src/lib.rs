//! exodus: an agent-based simulation of the autumn-2022 exodus of Russian men
//! after the partial-mobilization decree of 21 September 2022.
//!
//! The library holds the whole model; the `exodus` binary is a thin
//! command line over it. A run is a pipeline:
//!
//! 1. [`scenario`]: read a scenario TOML file and its data, validate and
//!    resolve it into a [`scenario::Scenario`];
//! 2. [`population`]: synthesize one agent per `scale` eligible men from the
//!    regional data;
//! 3. [`engine`]: simulate day by day (decisions, call-up, choice of
//!    crossing, travel, queues) under the [`model`]'s equations;
//! 4. [`output`]: write tidy CSV and a manifest.
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
pub mod memory;
pub mod metrics;
pub mod model;
pub mod output;
pub mod plot;
pub mod population;
pub mod results;
pub mod rng;
pub mod scenario;
pub mod score;
pub mod settings;
pub mod stats;
pub mod sweep;
