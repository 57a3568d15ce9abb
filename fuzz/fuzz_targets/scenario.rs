//! Scenario text through parsing, validation and a tiny run: no input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

use exodus::scenario::{Origin, ScenarioDocument};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Data paths resolve against the embedded data files.
    let Ok(mut doc) = ScenarioDocument::parse(text, Origin::Embedded) else {
        return;
    };
    let _ = doc.set("decision.peer=0.1");
    let Ok(mut scenario) = doc.scenario() else {
        return;
    };
    // A tiny run: a few hundred agents, at most a year.
    scenario.scale = scenario.scale.max(100_000);
    if scenario.calendar.days > 366 {
        return;
    }
    let _ = exodus::engine::run(&scenario, &|_| {});
});
