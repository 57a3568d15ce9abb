//! `exodus init DIR`: the embedded default scenario, its data files and the
//! data's sources written into a folder, with a scenario that extends it,
//! so that an installed binary needs no clone of the repository.
//!
//! Nothing is overwritten: a file that is already there stops the command
//! before anything is written (exit code 2).

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::Path;

use exodus::scenario::{DEFAULT_SCENARIO, EMBEDDED_DATA, EMBEDDED_EXTRAS};

use super::Failure;

/// The name of the default scenario's copy.
const SCENARIO: &str = "mobilization-2022.toml";

/// The name of the scenario to edit.
const MINE: &str = "my-scenario.toml";

/// The scenario to edit: it extends the copy of the default and changes
/// nothing yet; its comments show a partial override of one policy.
const MY_SCENARIO: &str = r#"# A scenario of your own: it runs the default scenario (mobilization-2022.toml,
# beside this file) with whatever you change below. Only the keys you give
# change; see docs/scenario.md in the repository for every key.
#
#   exodus check my-scenario.toml
#   exodus run my-scenario.toml --scale 20
#   exodus compare mobilization-2022.toml my-scenario.toml --scale 20
#   exodus diff mobilization-2022.toml my-scenario.toml
extends = "mobilization-2022.toml"
name = "my-scenario"
description = "The default scenario with my changes"

# A behaviour parameter:
# [decision]
# peer = 0.5

# One key of a policy, found by its id; its other keys stay as they are:
# [[policy]]
# id = "finland-tourist-ban"
# start = 2022-09-25

# Drop policies by id:
# remove_policies = ["baltic-tourist-ban"]
"#;

/// Writes the files into `dir`.
pub(crate) fn init(dir: &Path) -> Result<(), Failure> {
    let mut files: Vec<(&str, &str)> = vec![(SCENARIO, DEFAULT_SCENARIO), (MINE, MY_SCENARIO)];
    files.extend(EMBEDDED_DATA.iter().copied());
    files.extend(EMBEDDED_EXTRAS.iter().copied());
    exodus::output::folder_to_write(dir)?;
    let taken: Vec<String> = files
        .iter()
        .filter(|(name, _)| dir.join(name).symlink_metadata().is_ok())
        .map(|(name, _)| dir.join(name).display().to_string())
        .collect();
    if !taken.is_empty() {
        return Err(Failure::usage(anyhow::anyhow!(
            "{} already there ({}): exodus init never overwrites a file; choose a new folder",
            if taken.len() == 1 {
                "a file is"
            } else {
                "files are"
            },
            taken.join(", ")
        )));
    }
    for (name, text) in &files {
        let path = dir.join(name);
        let cannot = |e: std::io::Error| {
            let error = anyhow::Error::new(e).context(format!("cannot write {}", path.display()));
            Failure::usage(error)
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(cannot)?;
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                ErrorKind::AlreadyExists => Failure::usage(anyhow::anyhow!(
                    "{} appeared while writing: nothing there is overwritten",
                    path.display()
                )),
                _ => cannot(e),
            })?;
        file.write_all(text.as_bytes()).map_err(cannot)?;
    }
    if super::summary::json() {
        let written: Vec<String> = files
            .iter()
            .map(|(name, _)| dir.join(name).display().to_string())
            .collect();
        super::summary::print(
            &serde_json::json!({ "dir": dir.display().to_string(), "written": written }),
        );
        return Ok(());
    }
    println!("wrote {} files into {}:", files.len(), dir.display());
    for (name, _) in &files {
        println!("  {name}");
    }
    println!();
    println!("next:");
    println!("  cd {}", dir.display());
    println!("  exodus check {MINE}          # after editing it");
    println!("  exodus run {MINE} --scale 20");
    println!("  exodus compare {SCENARIO} {MINE} --scale 20");
    println!("  exodus run --score data/reported-2022.csv --scale 20");
    Ok(())
}
