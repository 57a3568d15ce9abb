//! Observed-figure CSV text through the reader and the scoring plan of the
//! default scenario's places: no input may panic, and every error about
//! the text names its line.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use exodus::scenario::Scenario;
use exodus::score::read_observed;

/// The default scenario, whose places and days the figures are planned on.
fn scenario() -> &'static Scenario {
    static DEFAULT: OnceLock<Scenario> = OnceLock::new();
    DEFAULT.get_or_init(|| exodus::scenario::load_default().expect("the default scenario loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let figures = match read_observed("observed.csv", text) {
        Ok(figures) => figures,
        Err(e) => {
            assert!(e.line.is_some(), "unlocated: {e}");
            return;
        }
    };
    let _ = exodus::validate::plan(scenario(), figures, "observed.csv");
});
