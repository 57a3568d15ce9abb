//! `exodus slurm COMMAND ARGS... --tasks N [--submit]`: a command as a Slurm
//! job array of shards and a merge job (docs/cluster.md).
//!
//! It writes, into its folder (`--dir`, or `<out>.slurm` beside the merged
//! results' `--out`):
//! - `shard.sbatch`: the array, task `i` running `exodus COMMAND ARGS
//!   --shard i/N` into `shards/stage-S/i` (`S` from `EXODUS_STAGE`, 0 at
//!   first, with `--jobs-from <out>.jobs` after the first stage);
//! - `merge.sbatch`: `exodus merge` of that stage's shards into `--out`.
//!   When the command needs another stage (ABC-SMC's next round of
//!   proposals), the merge exits with code 3 and the script submits the
//!   next stage's array and merge itself, chained by dependencies: the merge
//!   job is the driver;
//! - `submit.sh`: what `--submit` runs, the array then the merge with
//!   `--dependency=afterany` on it.
//!
//! The merge depends on the array with `afterany`, not `afterok`: a failed
//! task would leave an `afterok` job pending for ever
//! (`DependencyNeverSatisfied`); with `afterany` the merge runs, finds the
//! shard missing, says which, and exits with code 2 (`exodus merge --resume`
//! prints how to rerun only the missing shards).

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;

use super::Failure;
use super::args::{LateSlurmOptions, SlurmArgs, SlurmOptions};

/// `exodus slurm`'s own options, and whether each takes a value.
const OWN_OPTIONS: [(&str, bool); 7] = [
    ("--tasks", true),
    ("--partition", true),
    ("--time", true),
    ("--mem", true),
    ("--cpus", true),
    ("--dir", true),
    ("--submit", false),
];

/// Splits the words after `exodus slurm`'s first positional argument into
/// its own options and the command's words. No command that runs in shards
/// has an option of these names, so they may go anywhere; a `--` ends
/// them, and what follows it is the command's, word for word.
fn split_own_options(words: &[String]) -> (Vec<String>, Vec<String>) {
    let (mut own, mut command) = (Vec::new(), Vec::new());
    let mut it = words.iter();
    while let Some(word) = it.next() {
        if word == "--" {
            command.extend(it.by_ref().cloned());
            break;
        }
        let name = word.split_once('=').map_or(word.as_str(), |(n, _)| n);
        match OWN_OPTIONS.iter().find(|(n, _)| *n == name) {
            Some((_, takes_value)) => {
                own.push(word.clone());
                if *takes_value
                    && !word.contains('=')
                    && let Some(value) = it.next()
                {
                    own.push(value.clone());
                }
            }
            None => command.push(word.clone()),
        }
    }
    (own, command)
}

/// `exodus slurm`'s options: those before the command and those among its
/// words, each given once; and the command's words.
fn options_and_command(args: &SlurmArgs) -> Result<(SlurmOptions, Vec<String>), Failure> {
    let (own, command) = split_own_options(&args.command);
    let late = LateSlurmOptions::try_parse_from(&own)
        .map_err(|e| Failure::parse(&e))?
        .options;
    let early = &args.options;
    let twice = |name: &str, a: bool, b: bool| {
        if a && b {
            Err(usage(format!(
                "`exodus slurm` is given {name} twice: give it once"
            )))
        } else {
            Ok(())
        }
    };
    twice("--tasks", early.tasks.is_some(), late.tasks.is_some())?;
    twice(
        "--partition",
        early.partition.is_some(),
        late.partition.is_some(),
    )?;
    twice("--time", early.time.is_some(), late.time.is_some())?;
    twice("--mem", early.mem.is_some(), late.mem.is_some())?;
    twice("--cpus", early.cpus.is_some(), late.cpus.is_some())?;
    twice("--dir", early.dir.is_some(), late.dir.is_some())?;
    let options = SlurmOptions {
        tasks: early.tasks.or(late.tasks),
        partition: early.partition.clone().or(late.partition),
        time: early.time.clone().or(late.time),
        mem: early.mem.clone().or(late.mem),
        cpus: early.cpus.or(late.cpus),
        dir: early.dir.clone().or(late.dir),
        submit: early.submit || late.submit,
    };
    Ok((options, command))
}

fn usage(message: String) -> Failure {
    Failure::usage(anyhow::Error::msg(message))
}

/// A word quoted for the shell.
fn quoted(word: &str) -> String {
    shell_words::quote(word).into_owned()
}

/// An absolute path (against the current folder).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// The `#SBATCH` lines of the resources asked for.
fn resources(args: &SlurmOptions) -> String {
    let mut lines = String::new();
    if let Some(p) = &args.partition {
        lines.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(t) = &args.time {
        lines.push_str(&format!("#SBATCH --time={t}\n"));
    }
    if let Some(m) = &args.mem {
        lines.push_str(&format!("#SBATCH --mem={m}\n"));
    }
    if let Some(c) = args.cpus {
        lines.push_str(&format!("#SBATCH --cpus-per-task={c}\n"));
    }
    lines
}

/// Writes the scripts and, with `--submit`, submits them.
pub(crate) fn slurm(given: &SlurmArgs) -> Result<(), Failure> {
    let (args, command) = options_and_command(given)?;
    let args = &args;
    let Some(tasks) = args.tasks else {
        return Err(usage(
            "give --tasks N: the number of shards (Slurm array tasks), before or after the command"
                .to_owned(),
        ));
    };
    let Some(name) = command.first() else {
        return Err(usage("give the command to run in shards".to_owned()));
    };
    if !["compare", "sweep", "sensitivity", "calibrate"].contains(&name.as_str()) {
        return Err(usage(format!(
            "`{name}` does not run in shards: give compare, sweep, sensitivity or calibrate"
        )));
    }
    if command.iter().any(|w| {
        let name = w.split_once('=').map_or(w.as_str(), |(n, _)| n);
        name == "--shard" || name == "--jobs-from"
    }) {
        return Err(usage(
            "leave --shard and --jobs-from out: the scripts give them to each task".to_owned(),
        ));
    }
    let (words, out) = super::cluster::split_options(&command, &["--out"]);
    let out = absolute(&out.map(PathBuf::from).ok_or_else(|| {
        usage(format!(
            "give `{name}` an --out: the folder of the merged results, e.g. `--out results/{name}`"
        ))
    })?);
    // The command must run as each shard would run it: no scripts for a
    // command that cannot.
    super::cluster::rehearse(&command)?;
    let dir = absolute(&args.dir.clone().unwrap_or_else(|| {
        let mut n = out
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        n.push(".slurm");
        out.with_file_name(n)
    }));
    let exe = std::env::current_exe()
        .map_err(|e| Failure::other(anyhow::Error::new(e).context("finding the exodus binary")))?;
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::other(anyhow::Error::new(e).context("reading the current folder")))?;
    let (exe, cwd, d, o) = (
        quoted(&exe.display().to_string()),
        quoted(&cwd.display().to_string()),
        dir.display().to_string(),
        out.display().to_string(),
    );
    let jobs = quoted(&super::cluster::jobs_folder(&out).display().to_string());
    let command: Vec<String> = words.iter().map(|w| quoted(w)).collect();
    let command = command.join(" ");
    let res = resources(args);
    let shard = format!(
        "#!/bin/bash\n\
         # exodus {name} in {tasks} shards: task i runs shard i/{tasks} of a stage.\n\
         #SBATCH --job-name=exodus-{name}\n\
         #SBATCH --array=1-{tasks}\n\
         #SBATCH --output={d}/logs/shard-%A-%a.out\n\
         #SBATCH --chdir={cwd}\n{res}\
         set -euo pipefail\n\
         stage=\"${{EXODUS_STAGE:-0}}\"\n\
         from=()\n\
         if [ \"$stage\" -gt 0 ]; then from=(--jobs-from {jobs}); fi\n\
         exec {exe} {command} --shard \"$SLURM_ARRAY_TASK_ID/{tasks}\" \"${{from[@]}}\" \\\n  \
         --out {shards}\"/stage-$stage/$SLURM_ARRAY_TASK_ID\"\n",
        shards = quoted(&format!("{d}/shards")),
    );
    let merge = format!(
        "#!/bin/bash\n\
         # Merges a stage's shards into {o}; submits the next stage when the command needs one.\n\
         #SBATCH --job-name=exodus-{name}-merge\n\
         #SBATCH --output={d}/logs/merge-%j.out\n\
         #SBATCH --chdir={cwd}\n{res}\
         set -uo pipefail\n\
         stage=\"${{EXODUS_STAGE:-0}}\"\n\
         {exe} merge {shards}\"/stage-$stage/\"* --out {out}\n\
         rc=$?\n\
         if [ \"$rc\" -eq 3 ]; then\n  \
         next=$((stage + 1))\n  \
         array=$(sbatch --parsable --export=ALL,EXODUS_STAGE=$next {shard_script}) || exit 1\n  \
         merge=$(sbatch --parsable --dependency=afterany:${{array%%;*}} --export=ALL,EXODUS_STAGE=$next {merge_script}) || exit 1\n  \
         echo \"stage $next submitted: array $array, merge $merge\"\n  \
         exit 0\n\
         fi\n\
         exit $rc\n",
        shards = quoted(&format!("{d}/shards")),
        out = quoted(&o),
        shard_script = quoted(&format!("{d}/shard.sbatch")),
        merge_script = quoted(&format!("{d}/merge.sbatch")),
    );
    let submit = format!(
        "#!/bin/bash\n\
         # Submits the array of shards, then the merge when every task has ended (afterany).\n\
         set -euo pipefail\n\
         array=$(sbatch --parsable {shard_script})\n\
         merge=$(sbatch --parsable --dependency=afterany:${{array%%;*}} {merge_script})\n\
         echo \"array $array, merge $merge\"\n",
        shard_script = quoted(&format!("{d}/shard.sbatch")),
        merge_script = quoted(&format!("{d}/merge.sbatch")),
    );
    let write = |file: &str, text: &str| -> Result<PathBuf, Failure> {
        let path = dir.join(file);
        exodus::output::write_atomic(&path, text.as_bytes())?;
        Ok(path)
    };
    std::fs::create_dir_all(dir.join("logs"))
        .map_err(|e| Failure::usage(anyhow::Error::new(e).context(format!("creating {d}/logs"))))?;
    let shard_path = write("shard.sbatch", &shard)?;
    let merge_path = write("merge.sbatch", &merge)?;
    write("submit.sh", &submit)?;
    if !args.submit {
        println!("wrote {d}/shard.sbatch ({tasks} tasks), {d}/merge.sbatch and {d}/submit.sh");
        println!("submit with: bash {}", quoted(&format!("{d}/submit.sh")));
        println!("results: {o} (each stage's shards in {d}/shards, logs in {d}/logs)");
        return Ok(());
    }
    let sbatch = |extra: &[String], script: &Path| -> Result<String, Failure> {
        let output = Command::new("sbatch")
            .arg("--parsable")
            .args(extra)
            .arg(script)
            .output()
            .map_err(|e| usage(format!("cannot run sbatch ({e}): is Slurm installed here?")))?;
        if !output.status.success() {
            return Err(Failure::other(anyhow::anyhow!(
                "sbatch refused {}: {}",
                script.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let id = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        // `--parsable` prints `id` or `id;cluster`.
        Ok(id.split(';').next().unwrap_or_default().to_owned())
    };
    let array = sbatch(&[], &shard_path)?;
    let merge_id = sbatch(&[format!("--dependency=afterany:{array}")], &merge_path)?;
    if super::summary::json() {
        super::summary::print(&serde_json::json!({
            "array": array, "merge": merge_id, "dir": d, "out": o,
        }));
        return Ok(());
    }
    println!("submitted: array {array} ({tasks} tasks), merge {merge_id} (after the array ends)");
    println!("watch with: squeue -j {array},{merge_id}");
    println!("results: {o}; logs in {d}/logs");
    Ok(())
}
