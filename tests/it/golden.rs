//! A golden run: the tiny fixture's four CSV files pinned byte for byte (insta snapshots),
//! so that any change to the numbers is deliberate and listed under
//! "Output-changing" in CHANGELOG.md. Review a change with `cargo insta review`.

use std::fs;

use super::Fixture;

#[test]
fn tiny_fixture_output_is_pinned() {
    let fx = Fixture::tiny().set("scale = 500", "scale = 5000");
    let out = fx.run_cli("out");
    for name in exodus::output::FILES {
        let text = fs::read_to_string(out.join(name)).unwrap();
        insta::assert_snapshot!(name, text);
    }
}
