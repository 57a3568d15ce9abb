//! `exodus report`: one self-contained HTML page, loaded in a real headless
//! browser (Debian's chromium). Where no chromium is installed the browser
//! checks are skipped with a message, unless `EXODUS_REQUIRE_CHROMIUM` is
//! set (as CI sets it), where its absence fails the test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;

use super::{Fixture, exodus};

/// The headless browser, if one is installed.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            let path = String::from_utf8(out.stdout).ok()?;
            let path = path.trim();
            (out.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
        });
    if found.is_none() {
        assert!(
            std::env::var_os("EXODUS_REQUIRE_CHROMIUM").is_none(),
            "EXODUS_REQUIRE_CHROMIUM is set but no chromium is installed"
        );
        eprintln!("skipping the browser checks: no chromium installed (apt-get install chromium)");
    }
    found
}

/// Runs the browser headless on `page` with `args`, with every network
/// request sent to a dead proxy: a page that needed the network would fail
/// to load something, and say so. Returns (stdout, stderr).
fn browse(browser: &Path, page: &Path, args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--proxy-server=127.0.0.1:9",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Errors the page itself caused, in the browser's log (not the browser's
/// own noise about D-Bus and the GPU in a container).
fn page_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("net::ERR_")
                || l.contains("Failed to load resource")
        })
        .collect()
}

#[test]
fn a_run_report_is_one_self_contained_page_that_a_browser_draws() {
    let fx = Fixture::tiny().append(
        "[[target]]\nid = \"ge-week\"\nplace = \"Georgia\"\nmetric = \"entries\"\n\
         from = 2022-09-21\nto = 2022-09-27\nvalue = 53000\n",
    );
    let out = fx.dir().join("run");
    exodus()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success();
    exodus()
        .arg("report")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("report.html"));
    let page = out.join("report.html");
    let html = fs::read_to_string(&page).unwrap();
    for part in [
        "<h1>exodus run: tiny</h1>",
        "scenario tiny",
        "seed 42",
        "Made by <code>exodus run --quiet --out",
        "Policy timeline",
        "finland-ban",
        "Fit against reported figures",
        "ge-week",
        "id=\"chart-daily_entries\"",
        "id=\"chart-regions_left\"",
        "datapackage.json",
        "[[files]]",
    ] {
        assert!(html.contains(part), "the report lacks `{part}`");
    }
    // Self-contained: nothing is loaded from anywhere (the SVG namespace is
    // a name, not a request).
    for outside in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(outside), "the report loads `{outside}`");
    }
    let without_namespace = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_namespace.contains("http://") && !without_namespace.contains("https://"));
    // The report is derived from the results: the folder can still be
    // replaced as exodus results.
    exodus()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(fx.write())
        .assert()
        .success();

    let Some(browser) = chromium() else {
        return;
    };
    exodus().arg("report").arg(&out).assert().success();
    let (dom, log) = browse(&browser, &page, &["--dump-dom"]);
    assert!(
        dom.contains("<h1>exodus run: tiny</h1>"),
        "the page loads:\n{log}"
    );
    assert!(
        dom.matches("<figure").count() >= 5,
        "the charts are in the page"
    );
    assert!(page_errors(&log).is_empty(), "{:?}", page_errors(&log));
    // A screenshot shows the charts: the daily chart draws Georgia's line
    // and its reported week in Georgia's orange (#FF7F0E), which nothing
    // else on the page uses.
    let shot = fx.dir().join("shot.png");
    let (_, log) = browse(
        &browser,
        &page,
        &[
            "--window-size=1300,7000",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    assert!(page_errors(&log).is_empty(), "{:?}", page_errors(&log));
    let image = image::open(&shot).unwrap().to_rgb8();
    let orange = image
        .pixels()
        .filter(|p| {
            let [r, g, b] = p.0;
            r > 230 && (100..=150).contains(&g) && b < 60
        })
        .count();
    assert!(
        orange > 200,
        "{orange} orange pixels: the charts are not drawn"
    );
}

#[test]
fn a_comparison_report_tables_the_effects_and_refuses_an_unvouched_folder() {
    let fx = Fixture::tiny();
    let base = fx.write();
    let alt = fx.finland_open();
    let out = fx.dir().join("cmp");
    exodus()
        .args(["compare", "--quiet", "--replicates", "3", "--out"])
        .arg(&out)
        .arg(&base)
        .arg(&alt)
        .assert()
        .success();
    exodus().arg("report").arg(&out).assert().success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for part in [
        "<h1>exodus compare: tiny</h1>",
        "finland-open",
        "vs base",
        "95% interval",
        "id=\"chart-comparison_exodus\"",
        "id=\"chart-comparison_differences\"",
        // What the alternative changes: it removes the Finland ban.
        "What each alternative changes",
        "<code>policy[finland-ban]</code>",
        // Each scenario's policy timeline: the base's holds the Finland ban,
        // the alternative's (which removes it) is drawn too, without it.
        "<h2>Policy timeline: tiny (the base)</h2>",
        "<h2>Policy timeline: finland-open</h2>",
    ] {
        assert!(html.contains(part), "the report lacks `{part}`");
    }
    let timeline_of = |name: &str| {
        let from = html.find(&format!("<h2>Policy timeline: {name}")).unwrap();
        let rest = &html[from + 4..];
        rest[..rest.find("<h2>").unwrap_or(rest.len())].to_owned()
    };
    assert!(timeline_of("tiny").contains(">finland-ban</text>"));
    assert!(!timeline_of("finland-open").contains(">finland-ban</text>"));
    let policies = fs::read_to_string(out.join("compare_policies.csv")).unwrap();
    assert!(
        policies.starts_with("scenario,id,kind,start,end,known_from,crossings,source\n")
            && policies.contains("\ntiny,finland-ban,entry_ban,"),
        "{policies}"
    );
    let changes = fs::read_to_string(out.join("compare_changes.csv")).unwrap();
    assert!(
        changes.starts_with("scenario,path,base,alternative\n")
            && changes.contains("finland-open,name,\"\"\"tiny\"\"\"")
            && changes.contains("finland-open,policy[finland-ban],"),
        "{changes}"
    );
    if let Some(browser) = chromium() {
        let (dom, log) = browse(&browser, &out.join("report.html"), &["--dump-dom"]);
        assert!(dom.contains("finland-open"), "{log}");
        assert!(page_errors(&log).is_empty(), "{:?}", page_errors(&log));
    }
    // A folder whose files its manifest does not vouch for is refused.
    let summary = out.join("compare_summary.csv");
    let text = fs::read_to_string(&summary).unwrap();
    fs::write(&summary, &text[..text.len() / 2]).unwrap();
    exodus()
        .arg("report")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("differs in size or SHA-256"));
    let empty = tempfile::tempdir().unwrap();
    exodus()
        .arg("report")
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds neither a run"));
}

/// A calibration's folder, which `plot` does not draw, reports with the
/// charts its command drew (the posterior's) and its outcome.
#[test]
fn a_calibration_report_holds_the_posterior_charts() {
    let fx = Fixture::default_scenario();
    let out = fx.dir().join("cal");
    exodus()
        .arg("calibrate")
        .arg(fx.write())
        .args(["--method", "abc-smc", "--particles", "4", "--budget", "24"])
        .args(["--generations", "2", "--predictive", "2", "--scale", "4000"])
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    exodus().arg("report").arg(&out).assert().success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for part in [
        "<h1>exodus calibrate: mobilization-2022</h1>",
        "id=\"chart-posterior_marginals\"",
        "effective_sample_size",
        "posterior.csv",
    ] {
        assert!(html.contains(part), "the report lacks `{part}`");
    }
}

/// The fit table of a scored run is its score (every figure `--score`
/// scored, an interval as its two ends), and `score.csv` is in the file
/// table.
#[test]
fn a_scored_runs_report_shows_its_score() {
    let fx = Fixture::tiny();
    let observed = fx.dir().join("observed.csv");
    fs::write(
        &observed,
        "id,kind,date_from,date_to,place,metric,value,low,high,unit,source,url,note\n\
         ge-week,target,2022-09-21,2022-09-27,Georgia,entries,53000,,,persons,s,,\n\
         kz-band,target,2022-09-21,2022-09-27,Kazakhstan,entries,,150000,300000,persons,s,,\n\
         mn-week,heldout,2022-09-21,2022-09-27,Mongolia,entries,3000,,,persons,s,,\n",
    )
    .unwrap();
    let out = fx.dir().join("run");
    exodus()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg("--score")
        .arg(&observed)
        .arg(fx.write())
        .assert()
        .success();
    exodus().arg("report").arg(&out).assert().success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for part in [
        // The fixture has no Mongolia: that figure is counted, not shown.
        "The 2 figures the run was scored against",
        "1 it cannot measure are left out",
        "kz-band",
        "150,000 – 300,000",
        "<code>score.csv</code>",
    ] {
        assert!(html.contains(part), "{part}");
    }
    assert_eq!(html.matches("<code>score.csv</code></td>").count(), 1);
    // The run's manifest and data package list it, with its SHA-256.
    assert!(super::assert_complete_or_unmarked(
        &out,
        exodus::output::MANIFEST
    ));
    let manifest = fs::read_to_string(out.join("run.toml")).unwrap();
    assert!(manifest.contains("name = \"score.csv\""), "{manifest}");
    let package = fs::read_to_string(out.join("datapackage.json")).unwrap();
    assert!(package.contains("\"path\": \"score.csv\""), "{package}");
}
