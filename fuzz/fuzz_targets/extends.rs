//! A scenario that extends the default one: arbitrary text merged onto it
//! (`extends`, arrays merged by id, `remove_policies`) and validated, with
//! errors located in either file. No input may panic, and every error
//! names its line and column.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use exodus::scenario::{LoadError, ScenarioDocument};

/// An error about either file must point into it.
fn assert_located(result: &Result<impl Sized, LoadError>) {
    if let Err(LoadError::Input(e)) = result {
        assert!(e.line.is_some() && e.column.is_some(), "unlocated: {e}");
    }
}

/// A folder holding the default scenario as `base.toml` and its data.
fn folder() -> &'static PathBuf {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("exodus-fuzz-extends-{}", std::process::id()));
        let data = dir.join("data");
        std::fs::create_dir_all(&data).expect("temporary folder");
        let files = [
            ("base.toml", include_str!("../../scenarios/mobilization-2022.toml")),
            ("data/regions.csv", include_str!("../../scenarios/data/regions.csv")),
            ("data/crossings.csv", include_str!("../../scenarios/data/crossings.csv")),
        ];
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("fuzz fixture written");
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The input's own `extends` lines give way to the base's, so that the
    // shipped counterfactuals and the bad-input catalogue serve as seeds.
    let mut child_text = String::from("extends = \"base.toml\"\n");
    for line in text.lines().filter(|l| !l.trim_start().starts_with("extends")) {
        child_text.push_str(line);
        child_text.push('\n');
    }
    let child = folder().join("child.toml");
    if std::fs::write(&child, child_text).is_err() {
        return;
    }
    let loaded = ScenarioDocument::load(&child);
    assert_located(&loaded);
    if let Ok(doc) = loaded {
        assert_located(&doc.scenario());
    }
});
