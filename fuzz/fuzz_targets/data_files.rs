//! The data-file readers: arbitrary text read as `regions.csv` and as
//! `crossings.csv`. No input may panic; every problem is an error with a place.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = exodus::data::parse_regions("regions.csv", text) {
        assert!(e.line.is_some(), "a regions error has a line: {e}");
    }
    if let Err(e) = exodus::data::parse_crossings("crossings.csv", text) {
        assert!(e.line.is_some(), "a crossings error has a line: {e}");
    }
});
