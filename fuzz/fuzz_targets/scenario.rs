//! Scenario text through parsing, validation and a tiny run: no input may
//! panic, and every error about the text names its line and column.
#![no_main]

use libfuzzer_sys::fuzz_target;

use exodus::scenario::{LoadError, Origin, ScenarioDocument};
use exodus::settings::Overrides;

/// An error about the scenario text must point into it.
fn assert_located(result: &Result<impl Sized, LoadError>) {
    if let Err(LoadError::Input(e)) = result
        && !e.file.starts_with("--")
    {
        assert!(e.line.is_some() && e.column.is_some(), "unlocated: {e}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Data paths resolve against the embedded data files.
    let parsed = ScenarioDocument::parse(text, Origin::Embedded);
    assert_located(&parsed);
    let Ok(mut doc) = parsed else {
        return;
    };
    let _ = doc.set("decision.peer=0.1");
    let validated = doc.scenario();
    assert_located(&validated);
    let Ok(scenario) = validated else {
        return;
    };
    // A tiny run: a few hundred agents, at most a year.
    let overrides = Overrides {
        scale: Some(scenario.default_scale().max(100_000)),
        ..Overrides::default()
    };
    let Ok(settings) = doc.settings(&scenario, &overrides) else {
        return;
    };
    if scenario.calendar().days > 366 {
        return;
    }
    let _ = exodus::engine::run(&scenario, &settings, &|| false, &|_| {});
});
