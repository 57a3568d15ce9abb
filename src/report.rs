//! `exodus report DIR`: one self-contained HTML page of a folder of results
//! (a run, a comparison, a validation, a sensitivity analysis, a
//! calibration), to read in any browser and to send as one file.
//!
//! The page holds, in order: what made the results (the command line, the
//! scenario, scale, seed and version); the headline figures as tables; the
//! scenario's policy timeline (a run's `policies.csv`) as a chart and a
//! table; the fit against reported figures (a run's `targets.csv` scored
//! as `exodus score` scores it, or a validation's `validation.csv`); every
//! chart `exodus plot` draws for the folder (for a calibration, the charts
//! its command drew), inline as SVG; the files with
//! what their data dictionary says of them; and the manifest. It loads
//! nothing: no script, no style sheet, no font or image from elsewhere.
//! Like `exodus plot`, it reads a command's folder only as its manifest
//! vouches for it.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{Datelike, NaiveDate};

use crate::compare::{SUMMARY_CSV, SummaryRecord};
use crate::format::{signed_thousands, thousands};
use crate::output::{DATAPACKAGE, FOLDER_MANIFEST, MANIFEST, POLICIES, PolicyRow, TARGETS};
use crate::plot::{ChartVisitor, Figure, PlotError, caption_of, read_rows, svg, visit_charts};
use crate::validate::{VALIDATION_CSV, ValidationRecord};

/// The report's file name, written into the folder it reports on.
pub const REPORT_HTML: &str = "report.html";

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The folder, or a file in it, could not be read or drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
}

impl crate::exit::Exit for ReportError {
    fn exit_code(&self) -> u8 {
        match self {
            ReportError::Plot(e) => e.exit_code(),
        }
    }
}

/// Text made safe to put in HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A manifest of the folder as a table, if it reads.
fn manifest(dir: &Path, name: &str) -> Option<(String, toml::Table)> {
    let text = crate::input_file::read_text(&dir.join(name), crate::input_file::DATA_BYTES).ok()?;
    let table = text.parse().ok()?;
    Some((text, table))
}

/// An HTML table: a header and rows of cells (already escaped); cells that
/// look like numbers are right-aligned.
fn table(header: &[&str], body: &[Vec<String>]) -> String {
    let mut html = String::from("<table>\n<thead><tr>");
    for h in header {
        let _ = write!(html, "<th>{}</th>", escape(h));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in body {
        html.push_str("<tr>");
        for cell in row {
            let numeric = cell
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == '[');
            let class = if numeric { " class=\"n\"" } else { "" };
            let _ = write!(html, "<td{class}>{cell}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

/// The charts of the folder as inline SVG, each in a figure.
struct Inline<'d> {
    dir: &'d Path,
    html: String,
    count: usize,
}

impl Inline<'_> {
    /// Adds the SVG `text` of the chart `stem` as a figure.
    fn push(&mut self, stem: &str, text: &str) {
        // The SVG's own XML declaration, if any, has no place inside HTML.
        let body = text.find("<svg").map_or(text, |i| &text[i..]);
        let _ = write!(
            self.html,
            "<figure id=\"chart-{stem}\">\n{body}\n<figcaption>{stem}</figcaption>\n</figure>\n",
            stem = escape(stem)
        );
        self.count += 1;
    }
}

impl ChartVisitor for Inline<'_> {
    fn visit<F: Figure>(&mut self, chart: &F) -> Result<(), PlotError> {
        let path = self.dir.join(format!("{}.svg", chart.stem()));
        let text = svg(chart, &path)?;
        self.push(chart.stem(), &text);
        Ok(())
    }
}

/// The policy timeline: one bar per policy over the run's dates, and the
/// table of policies.
fn timeline(policies: &[PolicyRow], start: NaiveDate, end: NaiveDate) -> String {
    let days = ((end - start).num_days() + 1).max(1) as f64;
    let (left, width, row) = (260.0, 860.0, 24.0);
    let height = 40.0 + row * policies.len() as f64;
    let x = |d: NaiveDate| left + width * ((d - start).num_days() as f64).clamp(0.0, days) / days;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" \
         viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"policy timeline\">\n",
        w = left + width + 20.0
    );
    let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1);
    while let Some(m) = month.filter(|m| *m <= end) {
        if m >= start {
            let _ = writeln!(
                svg,
                "<line x1=\"{x}\" y1=\"20\" x2=\"{x}\" y2=\"{height}\" stroke=\"#bbb\"/>\
                 <text x=\"{x}\" y=\"14\" font-size=\"12\" font-family=\"sans-serif\">{label}</text>",
                x = x(m),
                label = m.format("%d %b")
            );
        }
        month = m.checked_add_months(chrono::Months::new(1));
    }
    for (i, p) in policies.iter().enumerate() {
        let y = 30.0 + row * i as f64;
        let (from, to) = (p.start, p.end.unwrap_or(end));
        let known = x(p.known_from);
        let (x0, x1) = (x(from), x(to).max(x(from) + 3.0));
        let _ = writeln!(
            svg,
            "<text x=\"{tx}\" y=\"{ty}\" font-size=\"12\" font-family=\"sans-serif\" \
             text-anchor=\"end\">{id}</text>\
             <line x1=\"{known}\" y1=\"{ly}\" x2=\"{x0}\" y2=\"{ly}\" stroke=\"#1f77b4\" \
             stroke-dasharray=\"3 3\"/>\
             <rect x=\"{x0}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"#1f77b4\">\
             <title>{title}</title></rect>",
            tx = left - 8.0,
            ty = y + 12.0,
            ly = y + 8.0,
            w = x1 - x0,
            id = escape(&p.id),
            title = escape(&format!("{} ({}): {} to {}", p.id, p.kind, from, to)),
        );
    }
    svg.push_str("</svg>\n");
    let body: Vec<Vec<String>> = policies
        .iter()
        .map(|p| {
            vec![
                escape(&p.id),
                escape(&p.kind),
                p.start.to_string(),
                p.end
                    .map_or_else(|| "(to the end)".to_owned(), |d| d.to_string()),
                p.known_from.to_string(),
                escape(&p.crossings),
                escape(&p.source),
            ]
        })
        .collect();
    format!(
        "<p>Each bar is a policy in force; the dashed line before it, the days men already \
         knew of it.</p>\n{svg}{}",
        table(
            &[
                "policy",
                "kind",
                "start",
                "end",
                "known from",
                "crossings",
                "source"
            ],
            &body
        )
    )
}

/// The headline of a run: each destination's exodus and where the men are
/// at the end.
fn run_headline(dir: &Path) -> Result<String, PlotError> {
    let run = crate::output::read_run(dir).map_err(|e| PlotError::Read {
        path: dir.to_owned(),
        message: e.to_string(),
    })?;
    let mut totals: Vec<(String, u64)> = run
        .destinations
        .iter()
        .enumerate()
        .map(|(d, name)| (name.clone(), run.total_exodus(d)))
        .collect();
    totals.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let national: u64 = totals.iter().map(|t| t.1).sum();
    let mut body = vec![vec!["national".to_owned(), thousands(national)]];
    body.extend(
        totals
            .iter()
            .map(|(name, n)| vec![escape(name), thousands(*n)]),
    );
    let last = run.national.last().copied().unwrap_or_default();
    let stocks = [
        ("abroad", last.abroad),
        ("drafted", last.drafted),
        ("returned (went home)", last.returned),
        ("on the way", last.traveling + last.queued),
        ("at home", last.at_home),
        ("of whom stuck, wanting to leave", last.stuck),
    ];
    let stocks: Vec<Vec<String>> = stocks
        .iter()
        .map(|(name, n)| vec![(*name).to_owned(), thousands(*n)])
        .collect();
    Ok(format!(
        "<div class=\"pair\"><div><h3>Men who crossed, by destination</h3>{}</div>\
         <div><h3>Where the {} eligible men are at the end</h3>{}</div></div>\n",
        table(&["destination", "exodus"], &body),
        thousands(run.eligible),
        table(&["state", "men"], &stocks)
    ))
}

/// The columns of a run's fit table, scored or not.
const FIT_COLUMNS: [&str; 7] = [
    "figure",
    "place",
    "metric",
    "window",
    "reported",
    "simulated",
    "ratio",
];

/// A reported figure as its file gives it: a value, or an interval as its
/// two ends (never a midpoint the source did not report).
fn reported_words(observed: &str) -> String {
    let number = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(|v| thousands(v.round() as u64))
    };
    match observed
        .split_once('-')
        .map(|(a, b)| (number(a), number(b)))
    {
        Some((Some(low), Some(high))) => format!("{low} – {high}"),
        _ => number(observed).unwrap_or_else(|| escape(observed)),
    }
}

/// The fit of a run: the figures `--score` (or `exodus score`) scored, from
/// its `score.csv`, where the run was scored; else its scenario's reported
/// figures.
fn run_fit(dir: &Path) -> Result<Option<String>, PlotError> {
    let scored = dir.join(crate::score::SCORE_CSV);
    if scored.is_file() {
        let rows = read_rows::<crate::score::ScoreRow>(&scored)?;
        let body: Vec<Vec<String>> = rows
            .iter()
            .filter(|r| r.status == "scored")
            .map(|r| {
                vec![
                    escape(&r.id),
                    escape(&r.place),
                    escape(&r.metric),
                    format!("{} to {}", r.date_from, r.date_to),
                    reported_words(&r.observed),
                    r.simulated
                        .map_or_else(String::new, |v| thousands(v.0.round().max(0.0) as u64)),
                    r.ratio.map_or_else(String::new, |v| format!("{:.2}", v.0)),
                ]
            })
            .collect();
        let skipped = rows.iter().filter(|r| r.status != "scored").count();
        return Ok(Some(format!(
            "<p>The {} figures the run was scored against (<code>{}</code>; ratio = simulated ÷ \
             reported; an interval counts as met anywhere inside it{}; one run, so without its \
             spread: <code>exodus validate</code> gives the bands).</p>\n{}",
            body.len(),
            crate::score::SCORE_CSV,
            if skipped > 0 {
                format!("; {skipped} it cannot measure are left out")
            } else {
                String::new()
            },
            table(&FIT_COLUMNS, &body)
        )));
    }
    let targets = dir.join(TARGETS);
    if !targets.is_file() {
        return Ok(None);
    }
    let read = |message: String| PlotError::Read {
        path: targets.clone(),
        message,
    };
    let run = crate::output::read_run(dir).map_err(|e| read(e.to_string()))?;
    let text = crate::input_file::read_text(&targets, crate::input_file::DATA_BYTES)
        .map_err(|e| read(e.to_string()))?;
    let name = targets.display().to_string();
    let figures = crate::score::read_observed(&name, &text).map_err(|e| read(e.to_string()))?;
    let scored = crate::score::score(&run, &figures, &name).map_err(|e| read(e.to_string()))?;
    let body: Vec<Vec<String>> = scored
        .iter()
        .filter_map(|s| s.scored())
        .map(|s| {
            let f = &s.figure;
            vec![
                escape(&f.id),
                escape(&f.place),
                escape(&f.metric_name),
                format!("{} to {}", f.from, f.to),
                reported_words(&f.observed.to_string()),
                thousands(s.simulated.round().max(0.0) as u64),
                format!("{:.2}", s.ratio),
            ]
        })
        .collect();
    Ok(Some(format!(
        "<p>The scenario's reported figures against this run (ratio = simulated ÷ reported; \
         one run, so without its spread: <code>exodus validate</code> gives the bands).</p>\n{}",
        table(&FIT_COLUMNS, &body)
    )))
}

/// The fit of a validation: every figure with its band.
fn validation_fit(dir: &Path) -> Result<Option<String>, PlotError> {
    let path = dir.join(VALIDATION_CSV);
    if !path.is_file() {
        return Ok(None);
    }
    let figures = read_rows::<ValidationRecord>(&path)?;
    let body: Vec<Vec<String>> = figures
        .iter()
        .map(|f| {
            let inside = match f.inside_band {
                Some(true) => "inside",
                Some(false) => "outside",
                None => "",
            };
            vec![
                escape(&f.id),
                escape(&f.place),
                escape(&f.metric),
                format!("{} to {}", f.date_from, f.date_to),
                signed_thousands(f.observed.0),
                f.mean.map_or_else(String::new, |m| signed_thousands(m.0)),
                match (f.p05, f.p95) {
                    (Some(l), Some(h)) => {
                        format!("[{}, {}]", signed_thousands(l.0), signed_thousands(h.0))
                    }
                    _ => String::new(),
                },
                inside.to_owned(),
                escape(&f.status),
            ]
        })
        .collect();
    Ok(Some(table(
        &[
            "figure", "place", "metric", "window", "reported", "mean", "90% band", "", "status",
        ],
        &body,
    )))
}

/// The headline of a comparison: each scenario's national exodus and its
/// difference from the base with the interval the comparison reports.
fn comparison_headline(dir: &Path, credible: bool) -> Result<Option<String>, PlotError> {
    let path = dir.join(SUMMARY_CSV);
    if !path.is_file() {
        return Ok(None);
    }
    let mut rows = read_rows::<SummaryRecord>(&path)?;
    // Each scenario's national row first, then its places as the file has
    // them (the sort is stable).
    let order: Vec<String> = rows.iter().fold(Vec::new(), |mut seen, r| {
        if !seen.contains(&r.scenario) {
            seen.push(r.scenario.clone());
        }
        seen
    });
    rows.sort_by_key(|r| {
        (
            order.iter().position(|s| *s == r.scenario),
            r.place != "national",
        )
    });
    let body: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r.metric == "exodus")
        .filter(|r| r.place == "national" || r.mean.0 >= 1000.0)
        .map(|r| {
            let interval = if credible {
                r.diff_q025.zip(r.diff_q975)
            } else {
                r.diff_ci95_low.zip(r.diff_ci95_high)
            };
            vec![
                escape(&r.scenario),
                escape(&r.place),
                signed_thousands(r.mean.0),
                r.diff_vs_base
                    .map_or_else(String::new, |d| signed_thousands(d.0)),
                interval.map_or_else(String::new, |(l, h)| {
                    format!("[{}, {}]", signed_thousands(l.0), signed_thousands(h.0))
                }),
                r.prob_diff_positive
                    .map_or_else(String::new, |p| format!("{:.2}", p.0)),
            ]
        })
        .collect();
    let what = if credible {
        "95% credible interval"
    } else {
        "95% interval"
    };
    Ok(Some(format!(
        "<p>Exodus by scenario and place (places with at least 1,000 men), the mean over the \
         replicates and the paired difference from the base with its {what}{of}; P(>0) is \
         {p}.</p>\n{table}",
        table = table(
            &["scenario", "place", "mean", "vs base", what, "P(>0)"],
            &body
        ),
        of = if credible {
            ""
        } else {
            " (of the mean difference)"
        },
        p = if credible {
            "the posterior probability that the difference is above 0"
        } else {
            "the share of paired replicates whose difference is above 0"
        },
    )))
}

/// What each alternative of a comparison changes, key by key.
fn comparison_changes(dir: &Path) -> Result<Option<String>, PlotError> {
    let path = dir.join(crate::compare::CHANGES_CSV);
    if !path.is_file() {
        return Ok(None);
    }
    let rows = read_rows::<crate::compare::ChangeRow>(&path)?;
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                escape(&r.scenario),
                format!("<code>{}</code>", escape(&r.path)),
                escape(&r.base),
                escape(&r.alternative),
            ]
        })
        .collect();
    Ok(Some(format!(
        "<p>What each alternative changes from the base, key by key, as it runs (after \
         <code>extends</code> and <code>--set</code>; <code>exodus diff</code> prints the \
         same).</p>\n{}",
        table(&["scenario", "key", "base", "alternative"], &body)
    )))
}

/// The policy timelines of a comparison: the base's, then each
/// alternative's whose policies differ from it (an alternative that
/// changes only behaviour has the base's timeline, and says so).
fn comparison_timelines(dir: &Path) -> Result<Option<String>, PlotError> {
    let path = dir.join(crate::compare::POLICIES_CSV);
    let Some((start, end)) = daily_window(dir) else {
        return Ok(None);
    };
    if !path.is_file() {
        return Ok(None);
    }
    let rows = read_rows::<crate::compare::ScenarioPolicy>(&path)?;
    // Every scenario, in the comparison's order (one without any policy has
    // no row in the policies' file).
    let summary = read_rows::<SummaryRecord>(&dir.join(SUMMARY_CSV))?;
    let mut scenarios: Vec<&str> = Vec::new();
    for r in &summary {
        if !scenarios.contains(&r.scenario.as_str()) {
            scenarios.push(&r.scenario);
        }
    }
    let policies_of = |name: &str| -> Vec<PolicyRow> {
        rows.iter()
            .filter(|r| r.scenario == name)
            .map(crate::compare::ScenarioPolicy::policy)
            .collect()
    };
    let Some(base) = scenarios.first() else {
        return Ok(None);
    };
    let base_policies = policies_of(base);
    let mut html = format!(
        "<h2>Policy timeline: {} (the base)</h2>\n{}",
        escape(base),
        timeline(&base_policies, start, end)
    );
    let mut same = Vec::new();
    for name in scenarios.iter().skip(1) {
        let own = policies_of(name);
        if own == base_policies {
            same.push(escape(name));
        } else if own.is_empty() {
            let _ = writeln!(
                html,
                "<h2>Policy timeline: {}</h2>\n<p>No policy: every policy of the base is removed.</p>",
                escape(name)
            );
        } else {
            let _ = write!(
                html,
                "<h2>Policy timeline: {}</h2>\n{}",
                escape(name),
                timeline(&own, start, end)
            );
        }
    }
    if !same.is_empty() {
        let _ = writeln!(
            html,
            "<p>The base's policies, unchanged, in: {}.</p>",
            same.join(", ")
        );
    }
    Ok(Some(html))
}

/// The first and last date of a comparison's daily file.
fn daily_window(dir: &Path) -> Option<(NaiveDate, NaiveDate)> {
    let mut reader = csv::Reader::from_path(dir.join(crate::compare::DAILY_CSV)).ok()?;
    let column = reader.headers().ok()?.iter().position(|h| h == "date")?;
    let (mut first, mut last) = (None::<NaiveDate>, None::<NaiveDate>);
    for record in reader.records() {
        let date = record.ok()?.get(column)?.parse::<NaiveDate>().ok()?;
        first = Some(first.map_or(date, |f| f.min(date)));
        last = Some(last.map_or(date, |l| l.max(date)));
    }
    first.zip(last)
}

/// The folder's files, with what its data dictionary says of each.
fn files(dir: &Path) -> String {
    let Ok(text) =
        crate::input_file::read_text(&dir.join(DATAPACKAGE), crate::input_file::DATA_BYTES)
    else {
        return String::new();
    };
    let Ok(package) = serde_json::from_str::<serde_json::Value>(&text) else {
        return String::new();
    };
    let resources = package["resources"].as_array().cloned().unwrap_or_default();
    let mut body: Vec<Vec<String>> = resources
        .iter()
        .map(|r| {
            let fields = r["schema"]["fields"].as_array().map_or(0, Vec::len);
            vec![
                format!(
                    "<code>{}</code>",
                    escape(r["path"].as_str().unwrap_or_default())
                ),
                escape(r["description"].as_str().unwrap_or_default()),
                fields.to_string(),
            ]
        })
        .collect();
    // Written after the results: listed in the data package by this
    // version, not by earlier ones.
    let listed = resources
        .iter()
        .any(|r| r["path"].as_str() == Some(crate::score::SCORE_CSV));
    if !listed && dir.join(crate::score::SCORE_CSV).is_file() {
        body.push(vec![
            format!("<code>{}</code>", crate::score::SCORE_CSV),
            "observed figure, scored against the run (written by <code>--score</code> or \
             <code>exodus score</code>)"
                .to_owned(),
            "12".to_owned(),
        ]);
    }
    format!(
        "<p>Every column's type, meaning and unit is in <code>{DATAPACKAGE}</code> (a \
         Frictionless data package) beside the files.</p>\n{}",
        table(&["file", "one row per", "columns"], &body)
    )
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1280px;margin:2em auto;padding:0 1em;\
color:#222;line-height:1.4}h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:0.5em 0;font-size:0.9em}th,td{border:1px solid #ccc;\
padding:0.2em 0.6em}th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:#666;font-size:0.85em}\
pre{background:#f7f7f7;padding:0.8em;overflow-x:auto;font-size:0.8em}\
.pair{display:flex;gap:2em;flex-wrap:wrap}.caption{color:#555}";

/// The report of the folder `dir`, as HTML text.
pub fn report(dir: &Path) -> Result<String, ReportError> {
    let (manifest_name, (manifest_text, table_)) = match manifest(dir, MANIFEST) {
        Some(m) => (MANIFEST, m),
        None => match manifest(dir, FOLDER_MANIFEST) {
            Some(m) => (FOLDER_MANIFEST, m),
            None => return Err(PlotError::NothingToPlot(dir.to_owned()).into()),
        },
    };
    if manifest_name == FOLDER_MANIFEST {
        crate::output::verify_folder(dir).map_err(|e| PlotError::Read {
            path: dir.to_owned(),
            message: e.to_string(),
        })?;
    }
    let text = |k: &str| {
        table_
            .get(k)
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
    };
    let command = if manifest_name == MANIFEST {
        "run"
    } else {
        text("command")
    };
    if command == "shard" || command == "jobs" {
        return Err(PlotError::Read {
            path: dir.to_owned(),
            message: format!(
                "holds the raw results of {} of `exodus {scenario}`, not its results: merge \
                 the shards with `exodus merge SHARD_DIR... --out DIR`, then report DIR",
                if command == "shard" {
                    "one shard"
                } else {
                    "the earlier stages"
                },
                scenario = text("scenario"),
            ),
        }
        .into());
    }
    let scenario = text("scenario");
    let caption = caption_of(dir);
    let credible = table_
        .get("settings")
        .and_then(|s| s.get("posterior"))
        .is_some();

    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>exodus {command}: {scenario}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>exodus {command}: {scenario}</h1>\n<p class=\"caption\">{caption}</p>\n",
        command = escape(command),
        scenario = escape(scenario),
        caption = escape(&caption),
    );
    let line = text("command_line");
    if !line.is_empty() {
        let _ = writeln!(html, "<p>Made by <code>{}</code></p>", escape(line));
    }
    html.push_str("<h2>Headline</h2>\n");
    if command == "run" {
        html.push_str(&run_headline(dir)?);
    } else if let Some(headline) = comparison_headline(dir, credible)? {
        html.push_str(&headline);
    } else if let Some(outcome) = table_.get("outcome").and_then(toml::Value::as_table) {
        let body: Vec<Vec<String>> = outcome
            .iter()
            .map(|(k, v)| {
                let value = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                vec![escape(k), escape(&value)]
            })
            .collect();
        html.push_str(&table(&["", "outcome"], &body));
    } else {
        html.push_str("<p>See the tables and charts below.</p>\n");
    }
    if let Some(changes) = comparison_changes(dir)? {
        html.push_str("<h2>What each alternative changes</h2>\n");
        html.push_str(&changes);
    }
    if let Some(timelines) = comparison_timelines(dir)? {
        html.push_str(&timelines);
    }
    let policies = dir.join(POLICIES);
    if policies.is_file() {
        let rows = read_rows::<PolicyRow>(&policies)?;
        let date = |k: &str| {
            table_.get(k).and_then(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .or_else(|| Some(v.to_string()))
            })
        };
        let start = date("start").and_then(|d| d.parse::<NaiveDate>().ok());
        let end = date("end").and_then(|d| d.parse::<NaiveDate>().ok());
        if let (Some(start), Some(end)) = (start, end) {
            html.push_str("<h2>Policy timeline</h2>\n");
            html.push_str(&timeline(&rows, start, end));
        }
    }
    let fit = if command == "run" {
        run_fit(dir)?
    } else {
        validation_fit(dir)?
    };
    if let Some(fit) = fit {
        html.push_str("<h2>Fit against reported figures</h2>\n");
        html.push_str(&fit);
    }
    let mut charts = Inline {
        dir,
        html: String::new(),
        count: 0,
    };
    match visit_charts(dir, &mut charts) {
        Ok(()) => {}
        // A folder `plot` does not draw (a calibration's): the charts its
        // command drew, as they are.
        Err(PlotError::NothingToPlot(_)) => {
            let mut drawn: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
                        .collect()
                })
                .unwrap_or_default();
            drawn.sort();
            for path in drawn {
                let text = crate::input_file::read_text(&path, crate::input_file::DATA_BYTES)
                    .map_err(|e| PlotError::Read {
                        path: path.clone(),
                        message: e.to_string(),
                    })?;
                let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                charts.push(&stem.unwrap_or_default(), &text);
            }
        }
        Err(e) => return Err(e.into()),
    }
    if charts.count > 0 {
        html.push_str("<h2>Charts</h2>\n");
        html.push_str(&charts.html);
    }
    html.push_str("<h2>Files</h2>\n");
    html.push_str(&files(dir));
    let _ = write!(
        html,
        "<h2>How it was made</h2>\n<p>The folder's manifest (<code>{manifest_name}</code>): \
         the settings, and every file with its size and SHA-256.</p>\n<pre>{}</pre>\n\
         </body>\n</html>\n",
        escape(&manifest_text)
    );
    Ok(html)
}
