//! `--set PATH=VALUE` assignments on the default scenario: each line of the
//! input is one assignment, applied in turn, then the scenario is
//! validated. No input may panic, and every error names the option it
//! came from or the key and place it concerns.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use exodus::scenario::{LoadError, ScenarioDocument};

/// The default scenario's document, parsed once and cloned per input.
fn document() -> &'static ScenarioDocument {
    static DEFAULT: OnceLock<ScenarioDocument> = OnceLock::new();
    DEFAULT
        .get_or_init(|| ScenarioDocument::embedded_default().expect("the default scenario loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut doc = document().clone();
    for assignment in text.split('\n').take(8) {
        if let Err(e) = doc.set(assignment) {
            assert!(e.file.starts_with("--set"), "not blamed on the option: {e}");
            return;
        }
    }
    if let Err(LoadError::Input(e)) = doc.scenario() {
        assert!(
            e.file.starts_with("--set") || e.line.is_some(),
            "unlocated: {e}"
        );
    }
});
