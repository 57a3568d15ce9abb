//! Charts: the files exist, are valid SVG and PNG, and hold the expected series.

use std::fs;

use super::{Fixture, exodus};

fn check_png(path: &std::path::Path) {
    let bytes = fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (1200, 700));
    // Not blank: a chart draws many distinct colours.
    let rgb = img.to_rgb8();
    let mut colours: Vec<[u8; 3]> = rgb.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 20, "{} looks blank", path.display());
}

#[test]
fn run_with_plot_draws_the_three_charts() {
    let fx = Fixture::tiny().append(
        "[[target]]\nid = \"ge-week\"\nplace = \"Georgia\"\nmetric = \"entries\"\nfrom = 2022-09-21\nto = 2022-09-27\nvalue = 53000\n",
    );
    let out = fx.dir().join("run");
    exodus()
        .args(["run", "--quiet", "--plot", "--out"])
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success();
    assert!(
        out.join("targets.csv").is_file(),
        "the scenario's targets go beside the run"
    );
    for stem in [
        "daily_entries",
        "cumulative_exodus",
        "queues",
        "national_stocks",
    ] {
        let svg = fs::read_to_string(out.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{stem}.svg"
        );
        check_png(&out.join(format!("{stem}.png")));
    }
    let daily = fs::read_to_string(out.join("daily_entries.svg")).unwrap();
    for series in [
        "Kazakhstan",
        "Georgia",
        "Finland",
        "reported: Georgia",
        "entries per day (persons)",
        // The caption says what made the chart.
        "scenario tiny",
        "seed 42",
    ] {
        assert!(daily.contains(series), "daily_entries.svg lacks `{series}`");
    }
    // The week's total is a segment across its window, in Georgia's colour
    // (the second line's), at its mean per day.
    assert!(daily.contains("stroke=\"#FF7F0E\""), "Georgia's colour");
    let stocks = fs::read_to_string(out.join("national_stocks.svg")).unwrap();
    for series in ["abroad", "drafted", "went home", "on the way"] {
        assert!(
            stocks.contains(series),
            "national_stocks.svg lacks `{series}`"
        );
    }
    let regions = fs::read_to_string(out.join("regions_left.svg")).unwrap();
    assert!(regions.contains("Moscow") && regions.contains("% of the region"));
    assert!(daily.contains("25 Sep"), "dates label the x axis");
    let queues = fs::read_to_string(out.join("queues.svg")).unwrap();
    assert!(queues.contains("upper-lars"));
}

/// The tiny fixture and an alternative without the Finnish ban, compared
/// with `replicates` replicates (and charts with `plot`) into `cmp/`.
fn compared(replicates: &str, plot: bool) -> (Fixture, std::path::PathBuf) {
    let fx = Fixture::tiny();
    let base = fx.write();
    let alt = fx.finland_open();
    let out = fx.dir().join("cmp");
    let mut compare = exodus();
    compare
        .args(["compare", "--replicates", replicates, "--out"])
        .arg(&out);
    if plot {
        compare.arg("--plot");
    }
    compare.arg(&base).arg(&alt).assert().success();
    (fx, out)
}

#[test]
fn plot_of_a_comparison_draws_each_scenario_with_its_band() {
    let (_fx, out) = compared("3", true);
    let svg = fs::read_to_string(out.join("comparison_exodus.svg")).unwrap();
    assert!(
        svg.contains("tiny")
            && svg.contains("finland-open")
            && svg.contains("middle 95% of replicates")
    );
    assert!(
        svg.matches("<polygon").count() >= 2,
        "one band per scenario"
    );
    assert!(svg.contains("tiny (base)"), "the base is named as such");
    check_png(&out.join("comparison_exodus.png"));
    let differences = fs::read_to_string(out.join("comparison_differences.svg")).unwrap();
    assert!(
        differences.contains("national exodus: difference from the base")
            && differences.contains("exodus to Finland: difference from the base")
            && differences.contains("finland-open"),
        "one panel per place, one bar per alternative"
    );
    // Under it, what made it, as under every chart.
    let caption = exodus::plot::caption_of(&out);
    assert!(!caption.is_empty());
    for chart in ["comparison_exodus.svg", "comparison_differences.svg"] {
        let text = fs::read_to_string(out.join(chart)).unwrap();
        let shown = caption.replace('&', "&amp;");
        assert!(text.contains(&shown), "{chart} lacks `{caption}`");
    }
}

/// A comparison folder is drawn only as its manifest lists it: a truncated
/// `compare_daily.csv`, or a folder without its manifest, is refused with
/// exit code 2 and nothing drawn.
#[test]
fn plot_refuses_a_comparison_its_manifest_does_not_vouch_for() {
    let (_fx, out) = compared("2", false);
    let daily = out.join("compare_daily.csv");
    let text = fs::read(&daily).unwrap();
    fs::write(&daily, &text[..text.len() / 2]).unwrap();
    let refused = exodus().arg("plot").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "compare_daily.csv` differs in size or SHA-256 from what manifest.toml lists"
        ),
        "{stderr}"
    );
    assert!(!out.join("comparison_exodus.svg").exists(), "nothing drawn");
    fs::write(&daily, &text).unwrap();
    fs::remove_file(out.join("manifest.toml")).unwrap();
    let refused = exodus().arg("plot").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("manifest.toml` is missing"), "{stderr}");
}

#[test]
fn plot_of_an_empty_folder_says_what_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    exodus()
        .arg("plot")
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "holds neither a run (run.toml) nor a comparison",
        ));
}

#[test]
fn validate_with_plot_draws_each_place_with_daily_figures() {
    let fx = Fixture::tiny();
    let observed = fx.dir().join("observed.csv");
    fs::write(
        &observed,
        "id,kind,date_from,date_to,place,metric,value\n\
         ge-sep25,target,2022-09-25,2022-09-25,Georgia,entries,9000\n\
         ge-sep26,heldout,2022-09-26,2022-09-26,Georgia,entries,8000\n\
         fi-exits,heldout,2022-09-24,2022-09-25,Finland,exits,2000\n\
         kz-fortnight,target,2022-09-21,2022-10-04,Kazakhstan,entries,100000\n",
    )
    .unwrap();
    let out = fx.dir().join("validation");
    exodus()
        .args([
            "validate",
            "--quiet",
            "--plot",
            "--replicates",
            "3",
            "--observed",
        ])
        .arg(&observed)
        .arg("--out")
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success();
    for stem in ["validation_georgia_entries", "validation_finland_exits"] {
        let svg = fs::read_to_string(out.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{stem}.svg"
        );
        assert!(
            svg.contains("90% band") && svg.contains("<polygon"),
            "{stem}.svg draws the band"
        );
        check_png(&out.join(format!("{stem}.png")));
    }
    let georgia = fs::read_to_string(out.join("validation_georgia_entries.svg")).unwrap();
    assert!(georgia.contains("reported: ge-sep25 (target)"));
    assert!(georgia.contains("reported: ge-sep26 (heldout)"));
    assert!(
        !out.join("validation_kazakhstan_entries.svg").exists(),
        "a fortnight's figure is not a daily one"
    );
    // `exodus plot` draws the same from the folder.
    fs::remove_file(out.join("validation_georgia_entries.svg")).unwrap();
    exodus().arg("plot").arg(&out).assert().success();
    assert!(out.join("validation_georgia_entries.svg").is_file());
}

/// `plot --width PX` draws for print: the SVG at that size (its viewBox
/// kept) and the PNG rasterized from it at that width, not a blown-up
/// screen image; a width out of range is refused.
#[test]
fn plot_draws_for_print_at_a_given_width() {
    let fx = Fixture::tiny();
    let out = fx.dir().join("run");
    exodus()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success();
    exodus()
        .args(["plot", "--width", "3000"])
        .arg(&out)
        .assert()
        .success();
    let svg = fs::read_to_string(out.join("daily_entries.svg")).unwrap();
    assert!(svg.starts_with("<svg width=\"3000\" height=\"1750\" viewBox=\"0 0 1200 700\""));
    let img = image::open(out.join("daily_entries.png"))
        .unwrap()
        .to_rgb8();
    assert_eq!((img.width(), img.height()), (3000, 1750));
    // Drawn at that size: the text and lines have many shades (anti-aliased
    // at the full resolution), and the page is not blank.
    let mut colours: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 100, "{} colours", colours.len());
    exodus()
        .args(["plot", "--width", "100"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("from 300 to 20000"));
}
