//! The command line as the user types it: clap's structures, one per command.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use exodus::scenario::{Scenario, ScenarioDocument};
use exodus::settings::{Overrides, RunSettings};

use super::Failure;

#[derive(Parser)]
#[command(
    name = "exodus",
    version,
    about = "Agent-based simulation of the autumn-2022 exodus of Russian men after the mobilization decree",
    after_help = "Examples:
  exodus                                       run the embedded default scenario (1 Sep - 31 Oct 2022)
  exodus init my-study                         write the default scenario and its data into my-study/
  exodus diff scenarios/mobilization-2022.toml my-study/my-scenario.toml
  exodus run                                   the same
  exodus run scenarios/mobilization-2022.toml --scale 10 --seed 7
  exodus run my.toml --out results/my --threads 2 --quiet
  exodus check scenarios/mobilization-2022.toml
  exodus bench --scale 1 --threads 2 --repeat 5  time full-population runs
  exodus calibrate scenarios/mobilization-2022.toml --budget 150
  exodus calibrate scenarios/mobilization-2022.toml --hold-out mn-entries-5d   fit without a target, predict it
  exodus score output/mobilization-2022 --observed scenarios/data/reported-2022.csv
  exodus run --score scenarios/data/reported-2022.csv
  exodus validate scenarios/mobilization-2022.toml --observed scenarios/data/reported-2022.csv --scale 20 --plot
  exodus run --set decision.peer=0.8 --scale 10
  exodus compare scenarios/mobilization-2022.toml scenarios/counterfactuals/*.toml --replicates 20 --scale 20
  exodus run --plot --scale 10                  run and draw the charts
  exodus plot output/compare-mobilization-2022
  exodus report output/compare-mobilization-2022   one HTML page to read or send
  exodus sweep --param choice.wait_day=-0.2,-0.35,-0.5 --param queue.patience_mean_days=3,5 --scale 50
  exodus sensitivity scenarios/mobilization-2022.toml --samples 64 --outputs exodus_national,exodus_georgia
  exodus sensitivity scenarios/mobilization-2022.toml --method morris --trajectories 20

Results go to output/<scenario-name>/ unless --out is given; see README.md for what each file holds."
)]
pub(crate) struct Cli {
    /// What to do; with none, `run` the embedded default scenario.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// Refuse a scenario with doubtful values (a policy outside the run's
    /// dates, say) instead of running it with a warning.
    #[arg(long, global = true)]
    pub(crate) strict: bool,
    /// How the summary is printed: text, or one JSON object for scripts.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Run shard I of N of the command's jobs (compare, sweep, sensitivity,
    /// calibrate) and write its results into --out (docs/cluster.md). Left
    /// out of the help of the commands that do not run in shards; those
    /// that do say so after their options.
    #[arg(long, global = true, value_name = "I/N", hide = true)]
    pub(crate) shard: Option<exodus::shard::Spec>,
    /// The results of the earlier stages (a merge's `<out>.jobs`), for a
    /// shard of a later stage.
    #[arg(long, global = true, value_name = "DIR", hide = true)]
    pub(crate) jobs_from: Option<PathBuf>,
}

/// What the commands that run in shards say of it after their options
/// (`--shard` and `--jobs-from` are global, but hidden from every other
/// command's help).
const SHARD_HELP: &str = "In shards (docs/cluster.md): --shard I/N runs shard I of N of the \
    command's jobs into --out, --jobs-from DIR gives a later stage the results of the earlier \
    ones (a merge's OUT.jobs); exodus merge SHARD_DIR... --out DIR merges them, and exodus \
    slurm writes the Slurm scripts that do all this.";

/// How a command's summary is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Text for people.
    Text,
    /// One JSON object on standard output.
    Json,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run a scenario and write its CSV results.
    Run(RunArgs),
    /// Validate a scenario and print a summary of it.
    Check(CheckArgs),
    /// Run scenarios side by side with paired replicates; summary and daily CSV with 95% intervals.
    Compare(CompareArgs),
    /// Run a grid of parameter values with replicates; writes sweep.csv.
    Sweep(SweepArgs),
    /// Draw the charts (SVG and PNG) of a run folder or a comparison folder.
    Plot {
        /// Folder of a run (run.toml) or a comparison (compare_daily.csv).
        dir: PathBuf,
        /// Width in pixels for print (the PNG drawn from the SVG at that width,
        /// e.g. 3600 for 12 inches at 300 dpi) [default: 1200].
        #[arg(long, value_name = "PX", allow_hyphen_values = true, value_parser = whole::<u32>(300, 20_000))]
        width: Option<u32>,
    },
    /// Time whole runs phase by phase; prints a table and writes bench.csv.
    Bench(BenchArgs),
    /// Fit the [calibration] parameters of a scenario to its [[target]] figures.
    Calibrate(CalibrateArgs),
    /// Compare a finished run with observed figures; prints and writes score.csv.
    Score {
        /// Folder of a finished run (holding run.toml).
        run_dir: PathBuf,
        /// CSV of observed figures (the format of scenarios/data/reported-2022.csv).
        #[arg(long)]
        observed: PathBuf,
    },
    /// Check a scenario against observed figures with replicates: each figure's 90% predictive band; writes validation.csv.
    Validate(ValidateArgs),
    /// Global sensitivity of outputs to the [calibration] parameters: Sobol indices or Morris screening; writes sensitivity.csv and a chart.
    Sensitivity(SensitivityArgs),
    /// Write the embedded default scenario, its data and a scenario that extends it into a folder, ready to edit.
    Init {
        /// The folder (created; files already in it are never overwritten).
        dir: PathBuf,
    },
    /// Show what differs between two scenarios as they run (after `extends` and --set), key by key and policy by policy.
    Diff(DiffArgs),
    /// Write one self-contained HTML page of a folder of results (a run, a comparison, a validation, a sensitivity analysis): tables, policy timeline, fit, charts and manifest.
    Report {
        /// The folder.
        dir: PathBuf,
        /// Where to write the page [default: DIR/report.html].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Merge the shards of a command into exactly what it writes alone (docs/cluster.md).
    Merge(MergeArgs),
    /// Write (and with --submit, submit) a Slurm job array of shards and its merge job.
    Slurm(SlurmArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to standard output.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output, or write one page per command into a folder.
    Man {
        /// Write `exodus.1` and `exodus-COMMAND.1` here instead.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
pub(crate) struct MergeArgs {
    /// The shards' folders (every shard of one stage).
    #[arg(required = true)]
    pub(crate) shards: Vec<PathBuf>,
    /// Where the merged results go: the folder the command writes alone.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// List the missing shards and print the commands that rerun only them.
    #[arg(long)]
    pub(crate) resume: bool,
    /// Replace other exodus results in --out (never files exodus did not write).
    #[arg(long)]
    pub(crate) force: bool,
    /// Print nothing but errors.
    #[arg(long)]
    pub(crate) quiet: bool,
}

#[derive(clap::Args)]
#[command(
    after_help = "exodus slurm's own options go before the command, after it, or before a `--` \
    that ends them: `exodus slurm compare a.toml b.toml --out results/cmp --tasks 10` and \
    `exodus slurm --tasks 10 -- compare a.toml b.toml --out results/cmp` are the same."
)]
pub(crate) struct SlurmArgs {
    #[command(flatten)]
    pub(crate) options: SlurmOptions,
    /// The command and its arguments, with --out for the merged results,
    /// e.g. `compare base.toml alt.toml --replicates 20 --out results/cmp`.
    #[arg(
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub(crate) command: Vec<String>,
}

/// `exodus slurm`'s own options, wherever they are given.
#[derive(clap::Args, Default, Clone, PartialEq, Eq, Debug)]
pub(crate) struct SlurmOptions {
    /// Shards (array tasks); required.
    #[arg(long, value_parser = whole::<u32>(1, 100_000))]
    pub(crate) tasks: Option<u32>,
    /// Slurm partition.
    #[arg(long)]
    pub(crate) partition: Option<String>,
    /// Time limit of each task (Slurm's format, e.g. 00:30:00).
    #[arg(long)]
    pub(crate) time: Option<String>,
    /// Memory of each task (Slurm's format, e.g. 4G).
    #[arg(long)]
    pub(crate) mem: Option<String>,
    /// CPUs of each task (its threads).
    #[arg(long, value_parser = whole::<u32>(1, 1024))]
    pub(crate) cpus: Option<u32>,
    /// Where the scripts, the shards and the logs go [default: <out>.slurm].
    #[arg(long)]
    pub(crate) dir: Option<PathBuf>,
    /// Submit the array and the merge job (sbatch), and print their ids.
    #[arg(long)]
    pub(crate) submit: bool,
}

/// `exodus slurm`'s own options found among the words after its command.
#[derive(clap::Parser)]
#[command(name = "exodus slurm", no_binary_name = true, disable_help_flag = true)]
pub(crate) struct LateSlurmOptions {
    #[command(flatten)]
    pub(crate) options: SlurmOptions,
}

#[derive(clap::Args)]
#[command(mut_arg("set", |a| a.help("Override a value of the second scenario, e.g. `--set decision.peer=0.5` (repeatable)")))]
pub(crate) struct DiffArgs {
    /// The first scenario (`builtin:mobilization-2022` for the embedded default).
    pub(crate) first: PathBuf,
    /// The second scenario (`builtin:mobilization-2022` for the embedded default).
    pub(crate) second: PathBuf,
    #[command(flatten)]
    pub(crate) set: SetArgs,
}

/// A parser of whole numbers from `low` to `high`, whose errors say that
/// range (clap's own say "invalid digit" of `2.5` and take `-1` for an
/// option).
fn whole<T>(low: u64, high: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync
where
    T: TryFrom<u64>,
{
    move |text: &str| {
        let range = format!("give a whole number from {low} to {high}");
        let value: i128 = text
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a whole number: {range}"))?;
        u64::try_from(value)
            .ok()
            .filter(|v| (low..=high).contains(v))
            .and_then(|v| T::try_from(v).ok())
            .ok_or_else(|| format!("{value} is out of range: {range}"))
    }
}

/// `--scale`: persons per agent, from 1 to the largest scale accepted.
fn scale() -> impl Fn(&str) -> Result<u32, String> + Clone + Send + Sync {
    whole(1, u64::from(exodus::scenario::MAX_SCALE))
}

/// `--threads`: worker threads, from 1 to 1024.
fn threads() -> impl Fn(&str) -> Result<u16, String> + Clone + Send + Sync {
    whole(1, 1024)
}

/// `--sigma`: a step size in unit coordinates, in (0, 1].
fn unit_step(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(format!(
            "`{text}` is not a step size in unit coordinates: give a number in (0, 1], e.g. 0.3"
        )),
    }
}

/// How `exodus calibrate` calibrates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Method {
    /// Find the best-fitting point: CMA-ES with restarts (IPOP).
    Optimize,
    /// Sample the posterior: approximate Bayesian computation by sequential Monte Carlo.
    AbcSmc,
}

impl Method {
    /// The name on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::Optimize => "optimize",
            Method::AbcSmc => "abc-smc",
        }
    }
}

/// A share strictly between 0 and 1.
fn open_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(format!("give a number in (0, 1), got `{s}`")),
    }
}

/// A share in [0, 1).
fn acceptance_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(format!("give a number in [0, 1), got `{s}`")),
    }
}

/// A finite number ≥ 0.
fn non_negative(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v >= 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("give a finite number of at least 0, got `{s}`")),
    }
}

/// `--set PATH=VALUE`, the overrides of scenario values.
#[derive(clap::Args, Default)]
pub(crate) struct SetArgs {
    /// Override a scenario value, e.g. `--set decision.peer=0.5` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) set: Vec<String>,
}

/// The scenario a command works on: a file (or the embedded default) and
/// `--set` overrides.
#[derive(clap::Args, Default)]
pub(crate) struct ScenarioArgs {
    /// Scenario TOML file (the embedded default when omitted).
    pub(crate) scenario: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) set: SetArgs,
}

impl ScenarioArgs {
    /// The scenario document, with the overrides applied.
    pub(crate) fn document(&self) -> Result<ScenarioDocument, Failure> {
        super::load_doc(self.scenario.as_deref(), &self.set.set)
    }

    /// The validated scenario and the settings of a run of it, with the
    /// command line's seed, scale and threads where given.
    pub(crate) fn prepare(
        &self,
        overrides: &Overrides,
    ) -> Result<(Scenario, RunSettings), Failure> {
        Ok(self.document()?.prepare(overrides)?)
    }
}

/// How big the runs are and how many threads run them: `--scale` and
/// `--threads`, which override the scenario's and all cores.
#[derive(clap::Args, Default)]
pub(crate) struct SizeArgs {
    /// Persons per agent (overrides the scenario's).
    #[arg(long, allow_hyphen_values = true, value_parser = scale())]
    pub(crate) scale: Option<u32>,
    /// Worker threads [default: all cores].
    #[arg(long, allow_hyphen_values = true, value_parser = threads())]
    pub(crate) threads: Option<u16>,
}

/// The settings of the runs: `--seed`, `--scale` and `--threads`.
#[derive(clap::Args, Default)]
pub(crate) struct SettingsArgs {
    /// Master seed [default: the scenario's].
    #[arg(long, allow_hyphen_values = true, value_parser = whole::<u64>(0, u64::MAX))]
    pub(crate) seed: Option<u64>,
    #[command(flatten)]
    pub(crate) size: SizeArgs,
}

impl SettingsArgs {
    /// The overrides of the scenario's settings.
    pub(crate) fn overrides(&self) -> Overrides {
        Overrides {
            seed: self.seed,
            scale: self.size.scale,
            threads: self.size.threads,
        }
    }
}

/// Where the results go: `--out` and `--force`.
#[derive(clap::Args, Default)]
pub(crate) struct OutputArgs {
    /// Output folder [default: output/<scenario-name>].
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Write into the output folder even if it holds other files or other results.
    #[arg(long)]
    pub(crate) force: bool,
}

impl OutputArgs {
    /// The output folder, `--out` or else `default`, claimed for the
    /// results of `command` on `scenario` (see [`exodus::output::claim`]):
    /// checked, and locked against other exodus processes until the claim is
    /// dropped.
    ///
    /// `settings` are those the results' manifest will record: results of
    /// the same command and scenario made with other settings are replaced
    /// only with `--force`, which then says what it replaces.
    pub(crate) fn folder(
        &self,
        command: &str,
        scenario: &str,
        settings: &toml::Table,
        default: impl FnOnce() -> PathBuf,
    ) -> Result<exodus::output::Claim, Failure> {
        let out = self.out.clone().unwrap_or_else(default);
        let intent = exodus::output::Intent {
            command,
            scenario,
            settings,
        };
        let claim = exodus::output::claim(&out, &intent, self.force)?;
        super::summary::record_out(&out);
        if let Some(replaced) = claim.replaced() {
            eprintln!("note: --force: replacing {replaced} in {}", out.display());
        }
        Ok(claim)
    }
}

#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) input: ScenarioArgs,
}

/// The options of a command that runs an ensemble of replicates: how many
/// replicates, the settings of the runs, and where the results go.
#[derive(clap::Args)]
pub(crate) struct EnsembleArgs {
    /// Replicates per scenario (paired across scenarios).
    #[arg(long, default_value_t = 20, allow_hyphen_values = true, value_parser = whole::<u32>(1, 10_000))]
    pub(crate) replicates: u32,
    #[command(flatten)]
    pub(crate) settings: SettingsArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(clap::Args)]
#[command(
    mut_arg("scale", |a| a.help("Persons per agent (overrides every scenario's)")),
    mut_arg("seed", |a| a.help("Master seed of the replicates [default: the base scenario's]")),
    mut_arg("out", |a| a.help("Output folder [default: output/compare-<base-name>-vs-<alternative-names>]")),    after_help = SHARD_HELP,
)]
pub(crate) struct CompareArgs {
    /// The base scenario, then the alternatives.
    #[arg(required = true, num_args = 2..)]
    pub(crate) scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) set: SetArgs,
    #[command(flatten)]
    pub(crate) ensemble: EnsembleArgs,
    /// Draw each replicate's behaviour parameters from this posterior (the
    /// `posterior.csv` of `calibrate --method abc-smc`), shared by every
    /// scenario: the intervals then include what the data leave unknown.
    #[arg(long, value_name = "FILE.csv")]
    pub(crate) posterior: Option<PathBuf>,
    /// Also draw the comparison chart (SVG and PNG).
    #[arg(long)]
    pub(crate) plot: bool,
    /// Print nothing but errors (no progress bar, no summary).
    #[arg(long)]
    pub(crate) quiet: bool,
}

#[derive(clap::Args)]
#[command(
    mut_arg("replicates", |a| a.help("Replicates per point").default_value("5")),
    mut_arg("out", |a| a.help("Output folder [default: output/<scenario-name>/sweep]")),    after_help = SHARD_HELP,
)]
pub(crate) struct SweepArgs {
    #[command(flatten)]
    pub(crate) input: ScenarioArgs,
    /// An axis of the grid: PATH=V1,V2,... where a value may be a range START:STOP:STEP
    /// (`decision.peer=0.1:0.5:0.2` is 0.1, 0.3, 0.5); repeatable.
    #[arg(long = "param", value_name = "PATH=V1,V2,...", required = true)]
    pub(crate) params: Vec<String>,
    /// Instead of the grid, N points of a Latin hypercube between each
    /// axis's smallest and largest value (`--param decision.peer=0.1,0.5`).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = whole::<u32>(2, 1_000_000))]
    pub(crate) lhs: Option<u32>,
    /// Also write the daily series of every run (`sweep_daily.csv`).
    #[arg(long)]
    pub(crate) daily: bool,
    /// Run a design of more than 10,000 runs (it is refused without this).
    #[arg(long)]
    pub(crate) yes: bool,
    #[command(flatten)]
    pub(crate) ensemble: EnsembleArgs,
    /// Print nothing but errors (no progress bar, no summary).
    #[arg(long)]
    pub(crate) quiet: bool,
}

#[derive(clap::Args)]
#[command(
    mut_arg("scale", |a| a.help("Persons per agent while calibrating [default: the scenario's calibration scale]")),
    mut_arg("seed", |a| a.help("Master seed of the replicates [default: the scenario's]")),
    mut_arg("out", |a| a.help("Output folder [default: output/<scenario-name>/calibration]")),    after_help = SHARD_HELP,
)]
pub(crate) struct CalibrateArgs {
    #[command(flatten)]
    pub(crate) input: ScenarioArgs,
    /// Most loss evaluations (optimize) [default: the scenario's, else 200], or most model
    /// runs (abc-smc) [default: 50 × particles].
    #[arg(long, allow_hyphen_values = true, value_parser = whole::<u32>(1, 1_000_000))]
    pub(crate) budget: Option<u32>,
    /// Replicates per evaluation [default: the scenario's, else 2; abc-smc: 1 per proposal].
    #[arg(long, allow_hyphen_values = true, value_parser = whole::<u32>(1, 1000))]
    pub(crate) replicates: Option<u32>,
    /// How to calibrate: `optimize` searches for the best-fitting point with CMA-ES;
    /// `abc-smc` samples the posterior (docs/calibration.md).
    #[arg(long, value_enum, default_value_t = Method::Optimize)]
    pub(crate) method: Method,
    /// abc-smc: particles per generation.
    #[arg(long, default_value_t = 200, allow_hyphen_values = true, value_parser = whole::<u32>(2, 100_000))]
    pub(crate) particles: u32,
    /// abc-smc: each generation's tolerance is this quantile of the previous one's distances, in (0, 1).
    #[arg(long, default_value_t = 0.5, value_parser = open_share)]
    pub(crate) quantile: f64,
    /// abc-smc: stop after a generation at or below this tolerance.
    #[arg(long = "min-tolerance", default_value_t = 0.0, value_parser = non_negative)]
    pub(crate) min_tolerance: f64,
    /// abc-smc: stop after a generation that accepts less than this share of its proposals, in [0, 1).
    #[arg(long = "min-acceptance", default_value_t = 0.02, value_parser = acceptance_share)]
    pub(crate) min_acceptance: f64,
    /// abc-smc: most generations, generation 0 (the prior) included.
    #[arg(long, default_value_t = 20, allow_hyphen_values = true, value_parser = whole::<u32>(1, 1000))]
    pub(crate) generations: u32,
    /// abc-smc: replicates of the posterior-predictive check run after the search, each
    /// with a draw from the posterior, against the targets (`predictive/`); 0 for none.
    #[arg(long, default_value_t = 100, allow_hyphen_values = true, value_parser = whole::<u32>(0, 100_000))]
    pub(crate) predictive: u32,
    /// Most restarts of CMA-ES, each with twice the population [default: the scenario's, else 2].
    #[arg(long, allow_hyphen_values = true, value_parser = whole::<u32>(0, 100))]
    pub(crate) restarts: Option<u32>,
    /// Candidates per generation of CMA-ES's first run [default: the scenario's, else 4 + 3 ln(parameters)].
    #[arg(long, allow_hyphen_values = true, value_parser = whole::<u32>(2, 10_000))]
    pub(crate) population: Option<u32>,
    /// Initial step size of CMA-ES, in unit coordinates (0, 1] [default: the scenario's, else 0.3].
    #[arg(long, value_parser = unit_step)]
    pub(crate) sigma: Option<f64>,
    /// Fit without these targets, then predict them at the best point (out of sample).
    #[arg(long = "hold-out", value_name = "ID,...", value_delimiter = ',')]
    pub(crate) hold_out: Vec<String>,
    #[command(flatten)]
    pub(crate) settings: SettingsArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// Print nothing but errors.
    #[arg(long)]
    pub(crate) quiet: bool,
}

#[derive(clap::Args)]
pub(crate) struct BenchArgs {
    #[command(flatten)]
    pub(crate) input: ScenarioArgs,
    #[command(flatten)]
    pub(crate) size: SizeArgs,
    /// Runs to take the median over.
    #[arg(long, default_value_t = 3, allow_hyphen_values = true, value_parser = whole::<u16>(1, 1000))]
    pub(crate) repeat: u16,
    /// Folder for the runs' CSV and bench.csv [default: output/<scenario-name>/bench].
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Print nothing but errors (no progress, no table).
    #[arg(long)]
    pub(crate) quiet: bool,
}

#[derive(clap::Args, Default)]
#[command(
    mut_arg("seed", |a| a.help("Master seed (overrides the scenario's)")),
    mut_arg("scale", |a| a.help("Persons per agent (overrides the scenario's); 1 simulates every man")),
    mut_arg("threads", |a| a.help("Worker threads [default: all cores]. Results do not depend on it")),
    mut_arg("force", |a| a.help("Write into the output folder even if it holds other files or another scenario's results")),
)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) input: ScenarioArgs,
    #[command(flatten)]
    pub(crate) settings: SettingsArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// Print nothing but errors.
    #[arg(long)]
    pub(crate) quiet: bool,
    /// After the run, score it against observed figures in this CSV (see `exodus score`).
    #[arg(long, value_name = "FILE.csv")]
    pub(crate) score: Option<PathBuf>,
    /// After the run, draw its charts (SVG and PNG) into the output folder.
    #[arg(long)]
    pub(crate) plot: bool,
    /// Run `--replicates` replicates, each with behaviour parameters drawn
    /// from this posterior (`posterior.csv` of `calibrate --method
    /// abc-smc`), and write their mean and 95% posterior-predictive bands
    /// (`compare_summary.csv`, `compare_daily.csv`) instead of one run.
    #[arg(
        long,
        value_name = "FILE.csv",
        requires = "replicates",
        conflicts_with = "score"
    )]
    pub(crate) posterior: Option<PathBuf>,
    /// Replicates under `--posterior`.
    #[arg(long, requires = "posterior", allow_hyphen_values = true, value_parser = whole::<u32>(2, 10_000))]
    pub(crate) replicates: Option<u32>,
}

#[derive(clap::Args)]
#[command(
    mut_arg("replicates", |a| a.help("Replicates of the scenario")),
    mut_arg("seed", |a| a.help("Master seed of the replicates [default: the scenario's]")),
    mut_arg("out", |a| a.help("Output folder [default: output/validate-<scenario-name>]")),
)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub(crate) input: ScenarioArgs,
    /// CSV of observed figures (the format of scenarios/data/reported-2022.csv).
    #[arg(long, value_name = "FILE.csv")]
    pub(crate) observed: PathBuf,
    #[command(flatten)]
    pub(crate) ensemble: EnsembleArgs,
    /// Draw each replicate's behaviour parameters from this posterior (the
    /// `posterior.csv` of `calibrate --method abc-smc`): the bands are then
    /// posterior-predictive, covering what the data leave unknown as well as
    /// the Monte-Carlo noise.
    #[arg(long, value_name = "FILE.csv")]
    pub(crate) posterior: Option<PathBuf>,
    /// Also draw the daily series with the reported figures (SVG and PNG).
    #[arg(long)]
    pub(crate) plot: bool,
    /// Print nothing but errors.
    #[arg(long)]
    pub(crate) quiet: bool,
}

/// How `exodus sensitivity` varies the parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SensitivityMethod {
    /// Sobol's first-order and total indices on Saltelli's design: N(d+2) runs.
    Sobol,
    /// Morris's elementary effects, a cheaper screening: r(d+1) runs.
    Morris,
}

#[derive(clap::Args)]
#[command(
    mut_arg("scale", |a| a.help("Persons per agent [default: the scenario's calibration scale, else its own]")),
    mut_arg("seed", |a| a.help("Master seed of the runs and the bootstrap [default: the scenario's]")),
    mut_arg("out", |a| a.help("Output folder [default: output/<scenario-name>/sensitivity]")),    after_help = SHARD_HELP,
)]
pub(crate) struct SensitivityArgs {
    #[command(flatten)]
    pub(crate) input: ScenarioArgs,
    /// `sobol` (indices with bootstrap intervals) or `morris` (screening).
    #[arg(long, value_enum, default_value_t = SensitivityMethod::Sobol)]
    pub(crate) method: SensitivityMethod,
    /// Base samples N of the Sobol design, a power of two [default: 64].
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = whole::<usize>(1, 100_000_000))]
    pub(crate) samples: Option<usize>,
    /// Morris trajectories r [default: 20].
    #[arg(long, value_name = "R", allow_hyphen_values = true, value_parser = whole::<usize>(1, 1_000_000))]
    pub(crate) trajectories: Option<usize>,
    /// Levels p of Morris's grid, even [default: 4].
    #[arg(long, value_name = "P", allow_hyphen_values = true, value_parser = whole::<usize>(2, 1000))]
    pub(crate) levels: Option<usize>,
    /// The [calibration] parameters to vary, by path [default: all].
    #[arg(long, value_name = "PATH,...", value_delimiter = ',')]
    pub(crate) parameters: Vec<String>,
    /// The outputs, e.g. exodus_national,exodus_georgia,peak_queue_upper_lars [default: exodus_national,drafted_national,stuck_national].
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    pub(crate) outputs: Vec<String>,
    /// A counterfactual: outputs `effect_<name>` are ALT − base, run with the same parameters and seed.
    #[arg(long = "effect-of", value_name = "ALT.toml")]
    pub(crate) effect_of: Option<PathBuf>,
    /// Bootstrap resamples for the 95% intervals.
    #[arg(long, default_value_t = 1000, allow_hyphen_values = true, value_parser = whole::<u32>(0, 100_000))]
    pub(crate) resamples: u32,
    #[command(flatten)]
    pub(crate) settings: SettingsArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// Print nothing but errors.
    #[arg(long)]
    pub(crate) quiet: bool,
}
