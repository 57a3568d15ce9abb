//! The scenario file exactly as the user wrote it.
//!
//! These structs mirror the TOML one to one ("low" form). They check only
//! what serde can check: the shape of the document, the types of the values
//! and, through `deny_unknown_fields`, that no key is misspelt. Everything
//! that needs context (ranges, dates, references between tables) is checked
//! by validation (`scenario/validate/`), which turns this into a [`super::Scenario`].
//!
//! Keys that are optional here are documented with their defaults in
//! `docs/scenario.md`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::value::Datetime;

/// The whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short machine-friendly name; used as the output folder name.
    pub name: String,
    /// Free text: what the scenario represents.
    #[serde(default)]
    pub description: String,
    /// Master seed of every random stream.
    pub seed: u64,
    /// Persons per agent (1 = every eligible man is an agent).
    pub scale: i64,
    /// Simulation window and the decree date.
    pub dates: DatesFile,
    /// Paths of the data files, relative to the scenario file.
    pub data: DataFile,
    /// Who is eligible and which documents and resources they hold.
    pub population: PopulationFile,
    /// The call-up schedule and who is drafted first.
    pub mobilization: MobilizationFile,
    /// The daily decision to leave.
    pub decision: DecisionParams,
    /// Applications for foreign passports.
    pub passport: PassportFile,
    /// Travel speeds and costs.
    pub travel: TravelParams,
    /// Choice of crossing (multinomial logit).
    pub choice: ChoiceFile,
    /// Patience at the border queues.
    pub queue: QueueParams,
    /// Air travel: the seats the exodus can buy and their fares (needed
    /// when `data.air_routes` is given).
    pub air: Option<AirFile>,
    /// Destinations and the documents they require.
    #[serde(rename = "destination")]
    pub destinations: Vec<DestinationFile>,
    /// Crossings used by the scenario, with capacities and ordinary traffic.
    #[serde(rename = "crossing")]
    pub crossings: Vec<CrossingFile>,
    /// Dated policies.
    #[serde(rename = "policy", default)]
    pub policies: Vec<PolicyFile>,
    /// Reported figures to calibrate to.
    #[serde(rename = "target", default)]
    pub targets: Vec<TargetFile>,
    /// What `exodus calibrate` fits.
    pub calibration: Option<CalibrationFile>,
}

/// `[dates]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatesFile {
    /// First simulated day (ordinary traffic only before the decree).
    pub start: Datetime,
    /// Day of the mobilization decree: the exodus may begin.
    pub decree: Datetime,
    /// Last simulated day (inclusive).
    pub end: Datetime,
}

/// `[data]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFile {
    /// Regions CSV (`regions.csv` format).
    pub regions: String,
    /// Crossings CSV (`crossings.csv` format).
    pub crossings: String,
    /// Air routes CSV (`air-routes.csv` format); no air travel when absent.
    pub air_routes: Option<String>,
}

/// `[population]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationFile {
    /// Youngest eligible age (inclusive).
    pub age_min: i64,
    /// Oldest eligible age (inclusive).
    pub age_max: i64,
    /// Share of men with prior military service (reserve category).
    pub prior_service_share: f64,
    /// Share of men with a car at their disposal.
    pub car_share: f64,
    /// Factor on every region's men (1 when absent): to study a larger or
    /// smaller population, e.g. in benchmarks.
    #[serde(default)]
    pub men_multiplier: Option<f64>,
    /// Share holding a valid foreign passport.
    pub foreign_passport: ShareByPlaceFile,
    /// Share of foreign-passport holders who also hold a Schengen visa.
    pub schengen_visa: ShareByPlaceFile,
}

/// A share that differs between urban and rural men and between regions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareByPlaceFile {
    /// Share among urban men.
    pub urban: f64,
    /// Share among rural men.
    pub rural: f64,
    /// Multipliers by federal district name or region ISO code (the code wins).
    #[serde(default)]
    pub multiplier: BTreeMap<String, f64>,
}

/// `[mobilization]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobilizationFile {
    /// Cumulative drafted persons by date; linear in between.
    pub schedule: Vec<SchedulePointFile>,
    /// Draft priority of a man with prior service relative to one without.
    pub prior_service_priority: f64,
    /// Fall of draft priority per year of age above `age_min` (log scale).
    pub age_priority_decay: f64,
    /// Call-up intensity multipliers by federal district or region code.
    #[serde(default)]
    pub intensity: BTreeMap<String, f64>,
}

/// One point of the call-up schedule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulePointFile {
    /// Date (end of day).
    pub date: Datetime,
    /// Cumulative persons drafted by the end of that day.
    pub drafted: f64,
}

/// `[decision]`: coefficients of the daily log-hazard of deciding to leave.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionParams {
    /// Intercept: log daily hazard on the decree day of a reference man.
    pub base_log_hazard: f64,
    /// Per drafted person per 1000 eligible men of his region so far.
    pub regional_callup: f64,
    /// Added for men with prior service.
    pub prior_service: f64,
    /// Per year of age above `age_min`.
    pub age: f64,
    /// Added for holders of a foreign passport.
    pub foreign_passport: f64,
    /// Added for holders of a Schengen visa.
    pub schengen_visa: f64,
    /// Added for men with a car.
    pub car: f64,
    /// Added for urban men.
    pub urban: f64,
    /// Per percent of his region's eligible men who have already left.
    pub peer: f64,
    /// Added while a closure that affects him has been announced but is not yet in force.
    pub announced_closure: f64,
    /// Subtracted per day since the decree.
    pub fatigue_per_day: f64,
    /// Share of men in the resolute class (0: no such class).
    #[serde(default)]
    pub resolute_share: f64,
    /// Added for men of the resolute class.
    #[serde(default)]
    pub resolute: f64,
}

/// `[passport]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassportFile {
    /// Share of deciders without a foreign passport who apply for one first.
    pub apply_share: f64,
    /// Days from application to issue.
    pub processing_days: i64,
}

/// `[travel]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TravelParams {
    /// Road distance over great-circle distance.
    pub road_factor: f64,
    /// Days between deciding and setting off.
    pub preparation_days: f64,
    /// Kilometres a day by car.
    pub car_km_per_day: f64,
    /// Kilometres a day by bus or train.
    pub public_km_per_day: f64,
    /// Cost per road kilometre by car (roubles).
    pub car_rub_per_km: f64,
    /// Cost per road kilometre by public transport (roubles).
    pub public_rub_per_km: f64,
}

/// `[choice]`: coefficients of the crossing utility.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceFile {
    /// Per day of travel.
    pub travel_day: f64,
    /// Per day of expected wait at the crossing.
    pub wait_day: f64,
    /// Per 1000 roubles of cost.
    pub cost_per_1000_rub: f64,
    /// Per unit of probability of being caught at a draft office.
    pub draft_risk: f64,
    /// Days by which the observed queue lags behind the true one.
    pub information_lag_days: i64,
    /// What a man does after giving up or being turned back: `reroute` or `return_home`.
    pub on_give_up: String,
    /// Most crossings a man tries before he goes home.
    pub max_attempts: i64,
}

/// `[queue]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// Mean patience in days (gamma distributed).
    pub patience_mean_days: f64,
    /// Shape of the patience distribution.
    pub patience_shape: f64,
    /// Whether men already in the queue give up when the expected total wait exceeds their patience.
    pub renege: bool,
    /// How ordinary travellers answer a queue: at a land post their day's
    /// number is multiplied by `exp(−response × W)`, `W` the days of queue
    /// ahead at the start of the day (0: they come whatever the queue).
    #[serde(default)]
    pub ordinary_wait_response: f64,
}

/// `[air]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AirFile {
    /// Share of each route's seats held by ordinary passengers.
    pub ordinary_load: f64,
    /// Rise of the fare per day until the first free seat: the fare is
    /// `fare × (1 + fare_surge × days)`.
    pub fare_surge: f64,
    /// Days to reach an airport by a domestic flight (when faster than the road).
    pub domestic_flight_days: f64,
    /// Cost of that domestic flight (roubles).
    pub domestic_flight_rub: f64,
    /// Days ahead that seats can be booked.
    pub booking_days: i64,
}

/// `[[destination]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestinationFile {
    /// Name as in `crossings.csv`'s `destination` column.
    pub name: String,
    /// `internal_passport`, `foreign_passport` or `schengen_visa`.
    pub documents: String,
    /// Alternative-specific constant of the utility.
    pub constant: f64,
    /// Mean stay of an ordinary traveller, in days (default 7).
    pub stay_days: Option<f64>,
    /// Ordinary traffic by day of the week, Monday first, relative (default flat).
    pub weekly: Option<Vec<f64>>,
    /// Daily hazard that a man of the exodus there moves on (default 0).
    pub onward_per_day: Option<f64>,
    /// Daily hazard that a man of the exodus there goes home (default 0).
    pub return_per_day: Option<f64>,
    /// Where those who move on go: destination (or `elsewhere`) → share.
    #[serde(default)]
    pub onward: BTreeMap<String, f64>,
    /// Days of travel to the next country (default 1).
    pub onward_days: Option<f64>,
    /// Where the document rule comes from.
    #[serde(default)]
    pub source: String,
}

/// `[[crossing]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossingFile {
    /// `id` in `crossings.csv`.
    pub id: String,
    /// Persons processed per day into the destination.
    pub capacity: i64,
    /// Ordinary (non-exodus) Russian entries per day.
    pub baseline: i64,
    /// Extra days to reach it (for example a flight to Kaliningrad).
    #[serde(default)]
    pub extra_days: f64,
    /// Extra cost to reach it (roubles).
    #[serde(default)]
    pub extra_rub: f64,
    /// Where capacity and baseline come from.
    #[serde(default)]
    pub source: String,
}

/// `[[policy]]`: one flat table for every kind; validation (`scenario/validate/`) checks
/// which parameters each kind takes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Unique id.
    pub id: String,
    /// Policy kind.
    pub kind: String,
    /// First day in force.
    pub start: Datetime,
    /// Last day in force (inclusive); open-ended when absent.
    pub end: Option<Datetime>,
    /// Destinations it applies to.
    #[serde(default)]
    pub destinations: Vec<String>,
    /// Crossings it applies to.
    #[serde(default)]
    pub crossings: Vec<String>,
    /// `entry_ban`: share of men with an exempt reason.
    pub exempt_share: Option<f64>,
    /// `entry_ban`: factor on the ordinary traffic while in force (default: `exempt_share`).
    pub baseline_share: Option<f64>,
    /// `closure_announcement`: the id of the policy announced.
    pub announces: Option<String>,
    /// `border_draft_office`: probability that a processed man is caught.
    pub catch_probability: Option<f64>,
    /// `border_draft_office`: utility penalty beyond the catch risk.
    pub deterrence: Option<f64>,
    /// `capacity_change`: new capacity in persons per day.
    pub capacity: Option<i64>,
    /// `capacity_change`: multiplier of the capacity.
    pub multiplier: Option<f64>,
    /// `destination_attractiveness`: utility bonus (negative: penalty).
    pub bonus: Option<f64>,
    /// `foreign_passport_ban`: whether applications pending at the start are refused.
    pub refuse_pending: Option<bool>,
    /// `exit_ban_rumour`: the day the rumoured closure is expected.
    pub expected: Option<Datetime>,
    /// `exit_ban_rumour`: how much men believe it, in [0, 1].
    pub credence: Option<f64>,
    /// `exit_ban_rumour`: days over which belief fades after `end` (the denial).
    pub fade_days: Option<f64>,
    /// `mobilization_end`: extra daily hazard of going home for men abroad.
    pub return_per_day: Option<f64>,
    /// Where the policy comes from.
    #[serde(default)]
    pub source: String,
}

/// `[[target]]`: a reported figure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetFile {
    /// Unique id.
    pub id: String,
    /// A destination, a crossing, several joined by `+`, or `national`.
    pub place: String,
    /// One of [`crate::metrics::Metric`]'s names.
    pub metric: String,
    /// First day of the window.
    pub from: Datetime,
    /// Last day of the window (inclusive).
    pub to: Datetime,
    /// The reported value (or give `low` and `high`).
    pub value: Option<f64>,
    /// Lower bound of a reported interval.
    pub low: Option<f64>,
    /// Upper bound of a reported interval.
    pub high: Option<f64>,
    /// Weight in the calibration loss.
    pub weight: Option<f64>,
    /// Relative tolerance for `within_tolerance` in the fit report.
    pub tolerance: Option<f64>,
    /// Where the figure comes from.
    #[serde(default)]
    pub source: String,
}

/// `[calibration]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationFile {
    /// Replicates per evaluation (common random numbers).
    pub replicates: Option<i64>,
    /// Persons per agent while calibrating.
    pub scale: Option<i64>,
    /// Most loss evaluations.
    pub budget: Option<i64>,
    /// Most restarts of the search (CMA-ES, the population doubling each time).
    pub restarts: Option<i64>,
    /// Candidates per generation of the first CMA-ES run (default `4 + ⌊3 ln n⌋`).
    pub population: Option<i64>,
    /// Initial step size of the search, in unit coordinates (default 0.3).
    pub sigma: Option<f64>,
    /// The parameters to fit.
    #[serde(rename = "parameter")]
    pub parameters: Vec<CalibrationParameterFile>,
}

/// `[[calibration.parameter]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationParameterFile {
    /// Path of a numeric key, e.g. `decision.base_log_hazard` or `destination[Georgia].constant`.
    pub path: String,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// `linear` or `log`.
    pub scale: Option<String>,
    /// Where the search starts (default: the scenario's value), so that a
    /// calibrated scenario reproduces its own calibration.
    pub start: Option<f64>,
    /// The prior of `--method abc-smc`: `uniform` (the default; log-uniform
    /// on a `log` scale), `normal` or `beta`.
    pub prior: Option<String>,
    /// The prior's mean (`normal`, `beta`).
    pub mean: Option<f64>,
    /// The prior's standard deviation (`normal`, `beta`).
    pub sd: Option<f64>,
}
