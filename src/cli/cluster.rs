//! Running a command in shards, and merging them (`--shard I/N`,
//! `--jobs-from DIR`, `exodus merge`): see [`exodus::shard`] for how a
//! command's ensembles become stages and how a shard and a merge replay it.
//!
//! A shard's folder holds `results.bin` (the results of the jobs it ran)
//! and a `manifest.toml` (command `shard`) that records the command line it
//! replays, the shard, the stage, the number of jobs, and the results it
//! was given (`--jobs-from`, with their SHA-256). `exodus merge` checks that
//! the shards belong together before it replays the command with all their
//! results: into `--out`, the folder the command writes alone, when the
//! command ends; into `<out>.jobs`, the results so far, when it needs
//! another stage (exit code 3: run that stage's shards with `--jobs-from
//! <out>.jobs`, then merge again).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Parser;
use exodus::output;
use exodus::shard::{Ledger, Reached, Results, Role, Spec};

use super::Failure;
use super::args::{Cli, Command, MergeArgs, OutputArgs};

/// The exit code of a merge that needs another stage of shards.
pub(crate) const NEXT_STAGE: u8 = 3;

/// The name of a shard's (and a stage's) results file.
const RESULTS: &str = "results.bin";

/// The commands that run in shards, and the command line's `--out` and
/// `--quiet` of each.
fn shardable(command: &mut Option<Command>) -> Option<(&'static str, &mut OutputArgs, &mut bool)> {
    match command {
        Some(Command::Compare(a)) => Some(("compare", &mut a.ensemble.output, &mut a.quiet)),
        Some(Command::Sweep(a)) => Some(("sweep", &mut a.ensemble.output, &mut a.quiet)),
        Some(Command::Sensitivity(a)) => Some(("sensitivity", &mut a.output, &mut a.quiet)),
        Some(Command::Calibrate(a)) => Some(("calibrate", &mut a.output, &mut a.quiet)),
        _ => None,
    }
}

fn usage(message: String) -> Failure {
    Failure::usage(anyhow::Error::msg(message))
}

/// The command line after `exodus`, as given.
fn given_args() -> Vec<String> {
    std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// The words of a command line without the options `names` (each with its
/// value, given as `--name VALUE` or `--name=VALUE`), and the value the
/// last of them was given.
pub(crate) fn split_options(words: &[String], names: &[&str]) -> (Vec<String>, Option<String>) {
    let mut kept = Vec::new();
    let mut value = None;
    let mut it = words.iter();
    while let Some(word) = it.next() {
        let name = word.split_once('=').map_or(word.as_str(), |(n, _)| n);
        if !names.contains(&name) {
            kept.push(word.clone());
        } else if let Some((_, v)) = word.split_once('=') {
            value = Some(v.to_owned());
        } else {
            value = it.next().cloned();
        }
    }
    (kept, value)
}

/// The command line without the options that say how it is sharded and
/// where this shard writes (`--shard`, `--jobs-from`, `--out`).
fn without_shard_options(args: &[String]) -> Vec<String> {
    split_options(args, &["--shard", "--jobs-from", "--out"]).0
}

/// What the command's inputs are, so that shards of one command line run
/// over changed files do not merge: for every argument that names a file,
/// `path sha256:HASH` of its bytes, and for a scenario file also the hash of
/// the merged scenario (the files it extends, `--set`) as `exodus run`
/// records it.
fn inputs(args: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if !path.is_file() {
            continue;
        }
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        found.push(format!(
            "{arg} sha256:{}",
            exodus::format::hex_sha256(&bytes)
        ));
        if arg.ends_with(".toml")
            && let Ok(scenario) =
                exodus::scenario::ScenarioDocument::load(path).and_then(|d| d.scenario())
        {
            found.push(format!("{arg} scenario:{}", scenario.content_hash()));
        }
    }
    found
}

/// Checks that the command line `words` (after `exodus`) runs in shards,
/// as a shard's process would: it is parsed, and the command runs under a
/// ledger that answers nothing, so that it stops at its first stage, having
/// read and checked its scenarios, files and options, and run nothing.
pub(crate) fn rehearse(words: &[String]) -> Result<(), Failure> {
    let mut line = vec!["exodus".to_owned()];
    line.extend(words.iter().cloned());
    let cli = Cli::try_parse_from(&line).map_err(|e| Failure::parse(&e))?;
    let mut command = cli.command;
    let Some((_, output, quiet)) = shardable(&mut command) else {
        return Err(usage(
            "only compare, sweep, sensitivity and calibrate run in shards".to_owned(),
        ));
    };
    let scratch = std::env::temp_dir().join(format!("exodus-rehearsal-{}", std::process::id()));
    output.out = Some(scratch.join("out"));
    *quiet = true;
    let ledger = Arc::new(Ledger::new(Role::Merge, Results::new()));
    exodus::shard::install(Arc::clone(&ledger));
    let outcome = super::dispatch(command, false);
    let _ = std::fs::remove_dir_all(&scratch);
    match ledger.reached() {
        Reached::Stage { .. } => Ok(()),
        Reached::End => outcome,
    }
}

/// Reads a folder's results file and manifest (which must vouch for it).
fn read_results(dir: &Path) -> Result<(toml::Table, Results), Failure> {
    if !dir.is_dir() {
        let what = if dir.exists() {
            "is not a folder"
        } else {
            "does not exist"
        };
        return Err(usage(format!(
            "{} {what}: give the folder of a shard (or of a merge's earlier stages, `OUT.jobs`)",
            dir.display()
        )));
    }
    output::verify_folder(dir).map_err(|e| {
        usage(format!(
            "{} is not a whole shard's folder: {e}",
            dir.display()
        ))
    })?;
    let manifest: toml::Table = std::fs::read_to_string(dir.join(output::FOLDER_MANIFEST))
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| usage(format!("{}: no readable manifest.toml", dir.display())))?;
    let bytes = std::fs::read(dir.join(RESULTS))
        .map_err(|e| usage(format!("{}: cannot read {RESULTS}: {e}", dir.display())))?;
    let results = exodus::shard::decode(&bytes).ok_or_else(|| {
        usage(format!(
            "{}: {RESULTS} is not a file of results",
            dir.display()
        ))
    })?;
    Ok((manifest, results))
}

/// Refuses a shard's (or a stage's) folder made by another version of
/// exodus: its results need not be those this version would compute.
fn same_version(dir: &Path, manifest: &toml::Table) -> Result<(), Failure> {
    let this = env!("CARGO_PKG_VERSION");
    let made_by = manifest
        .get("exodus_version")
        .and_then(toml::Value::as_str)
        .unwrap_or("an unknown version");
    if made_by == this {
        return Ok(());
    }
    Err(usage(format!(
        "{} was made by exodus {made_by}, and this is exodus {this}: results of two versions \
         need not agree; run its shards again with this one",
        dir.display()
    )))
}

/// Refuses the results of earlier stages (`--jobs-from`) of another command
/// line than `args` (another scenario, seed or setting), or of another
/// version.
fn jobs_of_this_command(
    dir: &Path,
    manifest: &toml::Table,
    args: &[String],
) -> Result<(), Failure> {
    same_version(dir, manifest)?;
    let recorded: Option<Vec<String>> = manifest
        .get("settings")
        .and_then(|s| s.get("args"))
        .and_then(toml::Value::as_array)
        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
    let is_jobs = manifest.get("command").and_then(toml::Value::as_str) == Some("jobs");
    match recorded {
        Some(recorded) if is_jobs && recorded == args => Ok(()),
        Some(recorded) if is_jobs => Err(usage(format!(
            "--jobs-from {} holds the earlier stages of another command line (`{}`), not of \
             this one (`{}`): give the `.jobs` folder of a merge of this command",
            dir.display(),
            shell_words::join(&recorded),
            shell_words::join(args)
        ))),
        _ => Err(usage(format!(
            "--jobs-from {} is not the `.jobs` folder of a merge (its manifest.toml is not of \
             `exodus merge`'s earlier stages)",
            dir.display()
        ))),
    }
}

/// Refuses to merge shards whose inputs (the files their command line
/// names, and the scenarios those make) are not the files here now: a file
/// edited since the shards ran, or another file of the same name where the
/// merge runs.
fn inputs_unchanged(recorded: &[String], args: &[String]) -> Result<(), Failure> {
    let now = inputs(args);
    if now == recorded {
        return Ok(());
    }
    // `PATH sha256:HASH` and `PATH scenario:HASH`, by path.
    let path_of = |entry: &str| entry.rsplit_once(' ').map_or(entry, |(p, _)| p).to_owned();
    let changed: std::collections::BTreeSet<String> = recorded
        .iter()
        .filter(|e| !now.contains(e))
        .chain(now.iter().filter(|e| !recorded.contains(e)))
        .map(|e| path_of(e))
        .collect();
    let missing: Vec<&String> = changed
        .iter()
        .filter(|p| !Path::new(p.as_str()).is_file())
        .collect();
    let shown: Vec<String> = changed.iter().map(|p| format!("`{p}`")).collect();
    let what = if missing.is_empty() {
        "differs from the file the shards ran over (edited since, or another file of that name here)"
    } else {
        "is not here, as the shards named it"
    };
    Err(usage(format!(
        "{} {what}: the merged results would not be those of the files named; merge in the \
         folder the shards ran in, with the files they ran over, or run the shards again",
        shown.join(", ")
    )))
}

/// Runs this process's shard of the command: replays it with the results of
/// the earlier stages (`jobs_from`), runs its jobs of the first stage they
/// lack, and writes them with a manifest into the command's `--out`.
pub(crate) fn run_shard(
    mut command: Option<Command>,
    spec: Spec,
    jobs_from: Option<&Path>,
) -> Result<(), Failure> {
    let args = given_args();
    let Some((name, output, quiet)) = shardable(&mut command) else {
        return Err(usage(
            "--shard applies to compare, sweep, sensitivity and calibrate".to_owned(),
        ));
    };
    // `--force` lets the shard's folder replace other exodus results.
    let force = output.force;
    let out = &mut output.out;
    let folder = out.clone().ok_or_else(|| {
        usage("--shard needs --out: the folder of this shard's results".to_owned())
    })?;
    // The command itself writes nothing: it stops at the stage this shard
    // runs. Its own folder is a scratch one.
    let scratch = std::env::temp_dir().join(format!("exodus-shard-{}", std::process::id()));
    *out = Some(scratch.join("out"));
    let asked_quiet = std::mem::replace(quiet, true);
    let (known, from) = match jobs_from {
        Some(dir) => {
            let (manifest, results) = read_results(dir)?;
            jobs_of_this_command(dir, &manifest, &without_shard_options(&args))?;
            let sha =
                exodus::format::hex_sha256(&std::fs::read(dir.join(RESULTS)).unwrap_or_default());
            (results, Some((dir.display().to_string(), sha)))
        }
        None => (Results::new(), None),
    };
    let ledger = Arc::new(Ledger::new(Role::Shard(spec), known));
    exodus::shard::install(Arc::clone(&ledger));
    let outcome = super::dispatch(command, false);
    let _ = std::fs::remove_dir_all(&scratch);
    let Reached::Stage { stage, total } = ledger.reached() else {
        outcome?;
        return Err(usage(format!(
            "every stage of this `{name}` is in the results given (--jobs-from): nothing is left to run; merge them"
        )));
    };
    let (ran, _) = ledger.results();
    let mut settings = toml::Table::new();
    settings.insert("args".to_owned(), without_shard_options(&args).into());
    settings.insert("shard".to_owned(), i64::from(spec.index).into());
    settings.insert("shards".to_owned(), i64::from(spec.count).into());
    settings.insert("stage".to_owned(), i64::from(stage).into());
    settings.insert("jobs".to_owned(), (total as i64).into());
    settings.insert("inputs".to_owned(), inputs(&args).into());
    if let Some((dir, sha)) = &from {
        settings.insert("jobs_from".to_owned(), dir.clone().into());
        settings.insert("jobs_from_sha256".to_owned(), sha.clone().into());
    }
    let intent = output::Intent {
        command: "shard",
        scenario: name,
        settings: &settings,
    };
    let claim = output::claim(&folder, &intent, force)?;
    let provenance = output::Provenance {
        command: "shard",
        scenario: name.to_owned(),
        settings,
        outcome: toml::Table::new(),
    };
    let files = [(RESULTS.to_owned(), exodus::shard::encode(&ran))];
    output::write_folder(&claim, &provenance, &files, &super::interrupted)?;
    if !super::summary::json() && !asked_quiet {
        println!(
            "shard {spec} of `{name}`: ran {} of the {total} jobs of stage {stage}; results in {}",
            ran.len(),
            folder.display()
        );
    }
    Ok(())
}

/// What every shard of a set must agree on, from its manifest.
#[derive(Debug, Clone, PartialEq)]
struct Belonging {
    command: String,
    args: Vec<String>,
    inputs: Vec<String>,
    shards: i64,
    stage: i64,
    jobs: i64,
    jobs_from: Option<String>,
    jobs_from_sha256: Option<String>,
}

fn belonging(manifest: &toml::Table) -> Option<(Belonging, i64)> {
    let settings = manifest.get("settings")?.as_table()?;
    let text = |k: &str| {
        settings
            .get(k)
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
    };
    let int = |k: &str| settings.get(k).and_then(toml::Value::as_integer);
    if manifest.get("command")?.as_str()? != "shard" {
        return None;
    }
    let args = settings
        .get("args")?
        .as_array()?
        .iter()
        .map(|a| a.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()?;
    Some((
        Belonging {
            command: manifest.get("scenario")?.as_str()?.to_owned(),
            args,
            inputs: settings
                .get("inputs")
                .and_then(toml::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            shards: int("shards")?,
            stage: int("stage")?,
            jobs: int("jobs")?,
            jobs_from: text("jobs_from"),
            jobs_from_sha256: text("jobs_from_sha256"),
        },
        int("shard")?,
    ))
}

/// The command line of a shard with `--shard I/N` and its own `--out`.
fn rerun_line(b: &Belonging, index: i64, dir: &Path) -> String {
    // The recorded command line holds no --shard, --jobs-from or --out.
    let mut words = vec!["exodus".to_owned()];
    words.extend(b.args.iter().cloned());
    words.extend(["--shard".to_owned(), format!("{index}/{}", b.shards)]);
    if let Some(from) = &b.jobs_from {
        words.extend(["--jobs-from".to_owned(), from.clone()]);
    }
    words.extend(["--out".to_owned(), dir.display().to_string()]);
    shell_words::join(words)
}

/// `exodus merge SHARD_DIR... --out DIR [--resume]`.
pub(crate) fn merge(args: &MergeArgs) -> Result<(), Failure> {
    if args.shards.is_empty() {
        return Err(usage("give the shards' folders".to_owned()));
    }
    let mut first: Option<(Belonging, PathBuf)> = None;
    let mut by_index: BTreeMap<i64, (PathBuf, Results)> = BTreeMap::new();
    let mut unreadable: Vec<String> = Vec::new();
    for dir in &args.shards {
        let (manifest, results) = match read_results(dir) {
            Ok(read) => read,
            Err(e) if args.resume => {
                unreadable.push(format!("{}: {e}", dir.display()));
                continue;
            }
            Err(e) => return Err(e),
        };
        same_version(dir, &manifest)?;
        let (b, index) = belonging(&manifest).ok_or_else(|| {
            usage(format!(
                "{} is not a shard's folder (its manifest.toml is not of `exodus ... --shard I/N`)",
                dir.display()
            ))
        })?;
        match &first {
            None => first = Some((b.clone(), dir.clone())),
            Some((f, fdir)) => {
                let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "none".to_owned());
                let differs = [
                    ("command", b.command.clone(), f.command.clone()),
                    (
                        "command line (scenario, seed, settings)",
                        shell_words::join(&b.args),
                        shell_words::join(&f.args),
                    ),
                    (
                        "input (the files its command line names, and the scenario they make)",
                        b.inputs.join("; "),
                        f.inputs.join("; "),
                    ),
                    (
                        "number of shards",
                        b.shards.to_string(),
                        f.shards.to_string(),
                    ),
                    ("stage", b.stage.to_string(), f.stage.to_string()),
                    ("number of jobs", b.jobs.to_string(), f.jobs.to_string()),
                    (
                        "results of the earlier stages (--jobs-from)",
                        opt(&b.jobs_from),
                        opt(&f.jobs_from),
                    ),
                ];
                let sha_differs = f.jobs_from_sha256 != b.jobs_from_sha256;
                let wrong = differs.iter().find(|(what, mine, theirs)| {
                    mine != theirs || (what.starts_with("results") && sha_differs)
                });
                if let Some((what, mine, theirs)) = wrong {
                    return Err(usage(format!(
                        "shard {} does not belong with shard {}: its {what} differs ({mine} against {theirs})",
                        dir.display(),
                        fdir.display(),
                    )));
                }
            }
        }
        if index < 1 || first.as_ref().is_some_and(|(f, _)| index > f.shards) {
            return Err(usage(format!(
                "{}: shard {index} is out of range",
                dir.display()
            )));
        }
        if let Some((other, _)) = by_index.get(&index) {
            return Err(usage(format!(
                "shard {index} is given twice: {} and {}",
                other.display(),
                dir.display()
            )));
        }
        by_index.insert(index, (dir.clone(), results));
    }
    let Some((b, _)) = first else {
        return Err(usage(format!(
            "none of the shards' folders could be read:\n  {}",
            unreadable.join("\n  ")
        )));
    };
    let missing: Vec<i64> = (1..=b.shards)
        .filter(|i| !by_index.contains_key(i))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().map(i64::to_string).collect();
        let mut message = format!(
            "the shards of `{}` (stage {}) are incomplete: {} of {} missing (shard {}).",
            b.command,
            b.stage,
            missing.len(),
            b.shards,
            shown.join(", ")
        );
        if args.resume {
            let base = args
                .shards
                .first()
                .and_then(|d| d.parent())
                .unwrap_or(Path::new("."));
            println!(
                "{} of the {} shards of `{}` (stage {}) are missing: {}. Rerun only them:",
                missing.len(),
                b.shards,
                b.command,
                b.stage,
                shown.join(", ")
            );
            for i in &missing {
                println!("  {}", rerun_line(&b, *i, &base.join(i.to_string())));
            }
            // Shards written by `exodus slurm`'s array: <dir>/shards/stage-S/I.
            let script = base
                .parent()
                .and_then(Path::parent)
                .map(|d| d.join("shard.sbatch"));
            if let Some(script) = script.filter(|s| s.is_file()) {
                println!(
                    "or under Slurm: sbatch --array={} --export=ALL,EXODUS_STAGE={} {}",
                    shown.join(","),
                    b.stage,
                    shell_words::quote(&script.display().to_string())
                );
            }
            println!("then merge again with every shard's folder.");
            return Ok(());
        }
        message.push_str(" `exodus merge --resume` prints the commands that rerun only them.");
        return Err(usage(message));
    }
    if args.resume {
        println!(
            "every shard of `{}` (stage {}) is there: nothing to rerun",
            b.command, b.stage
        );
        return Ok(());
    }
    inputs_unchanged(&b.inputs, &b.args)?;
    let mut known = match &b.jobs_from {
        Some(dir) => {
            let (manifest, results) = read_results(Path::new(dir))?;
            jobs_of_this_command(Path::new(dir), &manifest, &b.args)?;
            results
        }
        None => Results::new(),
    };
    for (_, results) in by_index.values() {
        known.extend(results.iter().map(|(k, v)| (*k, v.clone())));
    }
    let present = known
        .keys()
        .filter(|(stage, _)| i64::from(*stage) == b.stage)
        .count();
    if present as i64 != b.jobs {
        return Err(usage(format!(
            "the shards hold {present} of the {} jobs of stage {}: a shard's results are incomplete",
            b.jobs, b.stage
        )));
    }
    // Replay the command with every result, into the merge's --out.
    let mut words = vec!["exodus".to_owned()];
    words.extend(b.args.iter().cloned());
    let cli = Cli::try_parse_from(&words).map_err(|e| Failure::parse(&e))?;
    let mut command = cli.command;
    let (name, output, quiet) = shardable(&mut command)
        .ok_or_else(|| usage(format!("`{}` does not run in shards", b.command)))?;
    output.out = Some(args.out.clone());
    output.force |= args.force;
    *quiet |= args.quiet || super::summary::json();
    let ledger = Arc::new(Ledger::new(Role::Merge, known));
    exodus::shard::install(Arc::clone(&ledger));
    // The recorded command line holds no --out: the merge's is its own.
    let mut line = words.clone();
    line.extend(["--out".to_owned(), args.out.display().to_string()]);
    output::set_command_line(&shell_words::join(line));
    let outcome = super::dispatch(command, false);
    match ledger.reached() {
        Reached::End => {
            outcome?;
            if super::summary::json() {
                super::summary::print_results(name)?;
            }
            Ok(())
        }
        Reached::Stage { stage, total } => {
            let jobs_dir = jobs_folder(&args.out);
            let (_, known) = ledger.results();
            let mut settings = toml::Table::new();
            settings.insert("args".to_owned(), b.args.clone().into());
            settings.insert("stages".to_owned(), i64::from(stage).into());
            let intent = output::Intent {
                command: "jobs",
                scenario: name,
                settings: &settings,
            };
            let claim = output::claim(&jobs_dir, &intent, true)?;
            let provenance = output::Provenance {
                command: "jobs",
                scenario: name.to_owned(),
                settings,
                outcome: toml::Table::new(),
            };
            let files = [(RESULTS.to_owned(), exodus::shard::encode(&known))];
            output::write_folder(&claim, &provenance, &files, &super::interrupted)?;
            eprintln!(
                "`{name}` needs another stage ({stage}, {total} jobs): run its shards with \
                 `--jobs-from {}`, then merge them into {}",
                jobs_dir.display(),
                args.out.display()
            );
            Err(Failure::with_code(
                NEXT_STAGE,
                anyhow::anyhow!("stage {stage} of `{name}` has yet to run in shards"),
            ))
        }
    }
}

/// Where a merge keeps the results of the stages so far: `<out>.jobs`.
pub(crate) fn jobs_folder(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".jobs");
    out.with_file_name(name)
}
