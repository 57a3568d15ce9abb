//! Bad input gets a clear error naming the file, line and key, and what is
//! valid, with exit code 2 and never a panic.

use std::fs;

use super::{Fixture, exodus};

/// Runs `exodus check` on the fixture and returns stderr, asserting exit code 2.
fn check_fails(fx: &Fixture) -> String {
    let path = fx.write();
    let output = exodus().arg("check").arg(&path).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The 1-based line of the first occurrence of `needle` in the fixture text.
fn line_of(fx: &Fixture, needle: &str) -> usize {
    let text = fs::read_to_string(fx.write()).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in fixture"));
    text[..at].matches('\n').count() + 1
}

/// Asserts the error points at `needle`'s line and says each of `says`.
fn assert_error(fx: Fixture, needle: &str, says: &[&str]) {
    let line = line_of(&fx, needle);
    let stderr = check_fails(&fx);
    assert!(
        stderr.contains(&format!("scenario.toml:{line}:")),
        "expected line {line} in: {stderr}"
    );
    for s in says {
        assert!(stderr.contains(s), "expected `{s}` in: {stderr}");
    }
}

#[test]
fn unknown_top_level_key() {
    let fx = Fixture::tiny().set("seed = 42\n", "seed = 42\nsede = 1\n");
    assert_error(
        fx,
        "sede",
        &["unknown field `sede`", "expected one of", "`seed`"],
    );
}

#[test]
fn unknown_key_in_a_section() {
    let fx = Fixture::tiny().set("renege = true", "renege = true\npatiense = 3");
    assert_error(
        fx,
        "patiense",
        &[
            "`queue.patiense`",
            "unknown field `patiense`",
            "patience_mean_days",
        ],
    );
}

#[test]
fn unknown_key_in_a_policy() {
    let fx = Fixture::tiny().set(
        "exempt_share = 0.1",
        "exempt_share = 0.1\nexempt_shar = 0.2",
    );
    assert_error(
        fx,
        "exempt_shar ",
        &["`policy[0].exempt_shar`", "unknown field"],
    );
}

#[test]
fn wrong_type() {
    let fx = Fixture::tiny().set("car_share = 0.5", "car_share = \"half\"");
    assert_error(
        fx,
        "car_share",
        &["`population.car_share`", "invalid type", "expected f64"],
    );
}

#[test]
fn date_given_as_a_string() {
    let fx = Fixture::tiny().set("end = 2022-10-09", "end = \"9 October\"");
    assert_error(fx, "end = ", &["`dates.end`"]);
}

#[test]
fn impossible_date() {
    let fx = Fixture::tiny().set("end = 2022-10-09", "end = 2022-02-30");
    assert_error(fx, "end = ", &["`dates.end`", "invalid date"]);
}

#[test]
fn end_before_start() {
    let fx = Fixture::tiny().set("end = 2022-10-09", "end = 2022-09-01");
    assert_error(
        fx,
        "end = ",
        &["`dates.end`", "before the start (2022-09-19)"],
    );
}

#[test]
fn policy_ending_before_it_starts() {
    let fx = Fixture::tiny().set("start = 2022-09-30", "start = 2022-09-30\nend = 2022-09-25");
    assert_error(
        fx,
        "end = 2022-09-25",
        &["`policy[0].end`", "before the start"],
    );
}

#[test]
fn policy_names_an_unknown_crossing() {
    let fx = Fixture::tiny().append(
        "[[policy]]\nid = \"office\"\nkind = \"border_draft_office\"\nstart = 2022-09-25\ncrossings = [\"uper-lars\"]\ncatch_probability = 0.1\n",
    );
    assert_error(
        fx,
        "\"uper-lars\"",
        &[
            "`policy[1].crossings[0]`",
            "`uper-lars` is not a crossing",
            "`upper-lars`",
        ],
    );
}

#[test]
fn policy_names_an_unknown_destination() {
    let fx = Fixture::tiny().set(
        "destinations = [\"Finland\"]",
        "destinations = [\"Finnland\"]",
    );
    assert_error(
        fx,
        "\"Finnland\"",
        &["`policy[0].destinations[0]`", "`Finland`"],
    );
}

#[test]
fn crossing_missing_from_the_data() {
    let fx = Fixture::tiny().set("id = \"petukhovo\"", "id = \"petuhovo\"");
    assert_error(
        fx,
        "\"petuhovo\"",
        &["`crossing[1].id`", "not a crossing id", "`petukhovo`"],
    );
}

#[test]
fn negative_capacity() {
    let fx = Fixture::tiny().set("capacity = 6000", "capacity = -6000");
    assert_error(
        fx,
        "-6000",
        &[
            "`crossing[2].capacity`",
            "persons per day",
            "[0, 10000000]",
            "-6000",
        ],
    );
}

#[test]
fn negative_capacity_in_a_policy() {
    let fx = Fixture::tiny().append(
        "[[policy]]\nid = \"cut\"\nkind = \"capacity_change\"\nstart = 2022-09-25\ncrossings = [\"upper-lars\"]\ncapacity = -1\n",
    );
    assert_error(
        fx,
        "capacity = -1",
        &["`policy[1].capacity`", "[0, 10000000]"],
    );
}

#[test]
fn share_above_one() {
    let fx = Fixture::tiny().set("prior_service_share = 0.4", "prior_service_share = 1.4");
    assert_error(
        fx,
        "prior_service_share",
        &["`population.prior_service_share`", "share in [0, 1]", "1.4"],
    );
}

#[test]
fn negative_share_in_a_policy() {
    let fx = Fixture::tiny().set("exempt_share = 0.1", "exempt_share = -0.1");
    assert_error(
        fx,
        "exempt_share",
        &["`policy[0].exempt_share`", "share in [0, 1]"],
    );
}

#[test]
fn share_pushed_above_one_by_a_multiplier() {
    let fx = Fixture::tiny().set(
        "rural = 0.18",
        "rural = 0.18\nmultiplier = { RU-MOW = 4.0 }",
    );
    assert_error(
        fx,
        "multiplier",
        &[
            "`population.foreign_passport.multiplier.RU-MOW`",
            "must not exceed 1",
        ],
    );
}

#[test]
fn unknown_region_in_a_multiplier() {
    let fx = Fixture::tiny().set(
        "rural = 0.18",
        "rural = 0.18\nmultiplier = { RU-XXX = 1.1 }",
    );
    assert_error(
        fx,
        "multiplier",
        &["RU-XXX", "federal district", "Northwestern"],
    );
}

#[test]
fn missing_data_file() {
    let fx = Fixture::tiny().set(
        "regions = \"data/regions.csv\"",
        "regions = \"data/regionz.csv\"",
    );
    assert_error(
        fx,
        "regionz",
        &["`data.regions`", "cannot read data file", "regionz.csv"],
    );
}

#[test]
fn bad_value_in_a_data_file() {
    let fx = Fixture::tiny();
    let path = fx.write();
    let data = path.parent().unwrap().join("data/crossings.csv");
    let text = fs::read_to_string(&data)
        .unwrap()
        .replacen("42.769", "north", 1);
    fs::write(&data, text).unwrap();
    let stderr = check_fails(&fx);
    assert!(
        stderr.contains("crossings.csv:2:") && stderr.contains("`lat`"),
        "{stderr}"
    );
}

#[test]
fn scale_of_zero() {
    let fx = Fixture::tiny().set("scale = 500", "scale = 0");
    assert_error(fx, "scale = 0", &["`scale`", "[1, 1000000]"]);
    let fx = Fixture::tiny();
    let out = exodus()
        .args(["run", "--scale", "0"])
        .arg(fx.write())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_policy_kind_lists_the_kinds() {
    let fx = Fixture::tiny().set("kind = \"entry_ban\"", "kind = \"entry_bann\"");
    assert_error(
        fx,
        "entry_bann",
        &[
            "`policy[0].kind`",
            "not a policy kind",
            "entry_ban, foreign_passport_ban",
        ],
    );
}

#[test]
fn parameter_of_another_policy_kind() {
    let fx = Fixture::tiny().set("exempt_share = 0.1", "exempt_share = 0.1\nbonus = 2.0");
    assert_error(
        fx,
        "bonus",
        &[
            "`policy[0].bonus`",
            "not a parameter of `entry_ban`",
            "exempt_share",
        ],
    );
}

#[test]
fn duplicate_policy_id() {
    let fx = Fixture::tiny()
        .append("[[policy]]\nid = \"finland-ban\"\nkind = \"exit_ban\"\nstart = 2022-09-25\n");
    let fx_line = "id = \"finland-ban\"\nkind = \"exit_ban\"";
    assert_error(fx, fx_line, &["`policy[1].id`", "used twice"]);
}

#[test]
fn invalid_give_up_behaviour() {
    let fx = Fixture::tiny().set("on_give_up = \"reroute\"", "on_give_up = \"retry\"");
    assert_error(
        fx,
        "retry",
        &["`choice.on_give_up`", "`reroute` or `return_home`"],
    );
}

#[test]
fn toml_syntax_error() {
    let fx = Fixture::tiny().set("seed = 42", "seed = = 42");
    assert_error(fx, "seed = =", &["scenario.toml"]);
}

#[test]
fn scenario_that_is_not_utf8() {
    let fx = Fixture::tiny();
    let path = fx.write();
    let mut bytes = fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\n# \xff\xfe\n");
    fs::write(&path, bytes).unwrap();
    let out = exodus().arg("check").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
}

#[test]
fn missing_scenario_file() {
    let out = exodus()
        .args(["check", "no/such/scenario.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no/such/scenario.toml") && stderr.contains("cannot read"),
        "{stderr}"
    );
}

#[test]
fn calibration_parameter_that_does_not_exist() {
    let fx = Fixture::tiny().append(
        "[calibration]\n[[calibration.parameter]]\npath = \"destination[Georgie].constant\"\nlower = 0.0\nupper = 2.0\n",
    );
    assert_error(
        fx,
        "destination[Georgie]",
        &[
            "`calibration.parameter[0].path`",
            "Kazakhstan, Georgia, Finland",
        ],
    );
}

#[test]
fn target_with_an_unknown_metric() {
    let fx = Fixture::tiny().append(
        "[[target]]\nid = \"t\"\nplace = \"Georgia\"\nmetric = \"arrivals\"\nfrom = 2022-09-21\nto = 2022-09-27\nvalue = 10\n",
    );
    assert_error(fx, "arrivals", &["`target[0].metric`", "mean_wait_days"]);
}

#[test]
fn target_drafted_at_a_destination() {
    let fx = Fixture::tiny().append(
        "[[target]]\nid = \"t\"\nplace = \"Georgia\"\nmetric = \"drafted\"\nfrom = 2022-09-21\nto = 2022-09-27\nvalue = 10\n",
    );
    assert_error(
        fx,
        "place = \"Georgia\"",
        &["`target[0].place`", "national"],
    );
}

#[test]
fn population_too_large_is_refused_before_allocating() {
    let fx = Fixture::tiny().set("scale = 500", "scale = 1");
    let path = fx.write();
    // A region with a billion billion men: more agents than a run can address.
    let data = path.parent().unwrap().join("data/regions.csv");
    let text = fs::read_to_string(&data).unwrap().replacen(
        ",10724,9508,",
        ",10724,1000000000000000000,",
        1,
    );
    fs::write(&data, text).unwrap();
    let out = exodus()
        .args(["run", "--quiet", "--out"])
        .arg(fx.dir().join("out"))
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("agents at 1:1")
            && stderr.contains("MiB")
            && stderr.contains("4294967295 agents")
            && stderr.contains("--scale"),
        "{stderr}"
    );
    assert!(!fx.dir().join("out").exists(), "nothing is written");
}
