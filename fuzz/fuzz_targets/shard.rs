//! A shard's results file (`results.bin`, as `exodus merge` and
//! `--jobs-from` read it): no input may panic, and what it reads writes
//! back to the same results.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(results) = exodus::shard::decode(data) {
        let again = exodus::shard::decode(&exodus::shard::encode(&results));
        assert_eq!(again.as_ref(), Some(&results));
    }
});
