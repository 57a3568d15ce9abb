//! Posterior CSV text (`--posterior FILE`) through the reader: no input may
//! panic, every error about the text names its line, and a posterior that
//! loads has weights that sum to 1 and draws a particle it holds.
#![no_main]

use libfuzzer_sys::fuzz_target;

use exodus::posterior::Posterior;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Posterior::parse("posterior.csv", text) {
        Ok(posterior) => {
            let total: f64 = posterior.particles().iter().map(|p| p.weight).sum();
            assert!((total - 1.0).abs() < 1e-6, "weights sum to {total}");
            let drawn = posterior.draw(1, 0);
            assert!(posterior.particles().iter().any(|p| p.id == drawn.id));
        }
        Err(e) => assert!(e.line.is_some(), "unlocated: {e}"),
    }
});
