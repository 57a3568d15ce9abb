//! The terminal table of `exodus compare`: one block per scenario, the
//! places as columns, every number with thousands separators, and below
//! each block where the men are at the end, so that a change in the exodus
//! is accounted for (fewer abroad means more at home, returned or on the
//! way). The CSV files hold every place and metric; the table shows the
//! national total and the destinations that take at least 1% of the base's
//! exodus, largest first.

use std::collections::BTreeMap;

use exodus::compare::SummaryRow;
use exodus::format::signed_thousands;

/// Columns of a block.
const WIDTH: usize = 12;

/// Most destinations shown as columns.
const MOST_PLACES: usize = 7;

/// The national stocks at the end, as the accounting rows show them: every
/// man is in exactly one of the first six (`stuck` men are among those at
/// home).
const ACCOUNTING: [(&str, &str); 7] = [
    ("abroad", "abroad"),
    ("drafted", "drafted"),
    ("returned", "returned"),
    ("traveling", "traveling"),
    ("queued", "queued"),
    ("at_home", "at home"),
    ("stuck", "(stuck)"),
];

/// Prints the table of `rows` (the base scenario first). `credible` says
/// whether the intervals are posterior-predictive (quantiles of the paired
/// differences) rather than t-intervals of their mean.
pub(crate) fn print(rows: &[SummaryRow], credible: bool) {
    let Some(base) = rows.first().map(|r| r.scenario.clone()) else {
        return;
    };
    let by_key: BTreeMap<(&str, &str, &str), &SummaryRow> = rows
        .iter()
        .map(|r| {
            (
                (r.scenario.as_str(), r.place.as_str(), r.metric.as_str()),
                r,
            )
        })
        .collect();
    let national = by_key
        .get(&(base.as_str(), "national", "exodus"))
        .map_or(0.0, |r| r.value.mean);
    let mut places: Vec<(&str, f64)> = rows
        .iter()
        .filter(|r| r.scenario == base && r.metric == "exodus" && r.place != "national")
        .map(|r| (r.place.as_str(), r.value.mean))
        .filter(|(_, mean)| *mean >= 0.01 * national && *mean > 0.0)
        .collect();
    places.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    places.truncate(MOST_PLACES);
    let columns: Vec<&str> = std::iter::once("national")
        .chain(places.iter().map(|(p, _)| *p))
        .collect();
    let mut scenarios: Vec<&str> = Vec::new();
    for r in rows {
        if !scenarios.contains(&r.scenario.as_str()) {
            scenarios.push(&r.scenario);
        }
    }
    let interval = if credible {
        "95% credible interval of the difference"
    } else {
        "95% interval of the difference"
    };
    for scenario in scenarios {
        let is_base = scenario == base;
        println!();
        if is_base {
            println!("{scenario} (base)");
        } else {
            println!("{scenario} (against {base}; low and high: {interval})");
        }
        block(
            &by_key,
            scenario,
            "exodus",
            &columns,
            "exodus to",
            is_base,
            credible,
        );
        let stocks: Vec<&str> = ACCOUNTING.iter().map(|(m, _)| *m).collect();
        let labels: Vec<&str> = ACCOUNTING.iter().map(|(_, l)| *l).collect();
        accounting(&by_key, scenario, &stocks, &labels, is_base, credible);
    }
}

/// The rows of one metric over the places: the mean and, for an
/// alternative, the difference, its interval and the share of replicates
/// (or posterior probability) above zero.
fn block(
    by_key: &BTreeMap<(&str, &str, &str), &SummaryRow>,
    scenario: &str,
    metric: &str,
    places: &[&str],
    title: &str,
    is_base: bool,
    credible: bool,
) {
    let header: Vec<String> = places.iter().map(|p| cell(&clip(p))).collect();
    println!("  {:<14}{}", title, header.join(""));
    let rows = lookup(by_key, scenario, metric, places);
    print_rows(&rows, is_base, credible);
}

/// The national stocks at the end, as columns.
fn accounting(
    by_key: &BTreeMap<(&str, &str, &str), &SummaryRow>,
    scenario: &str,
    stocks: &[&str],
    labels: &[&str],
    is_base: bool,
    credible: bool,
) {
    let header: Vec<String> = labels.iter().map(|l| cell(&clip(l))).collect();
    println!("  {:<14}{}", "men at the end", header.join(""));
    let rows: Vec<Option<&SummaryRow>> = stocks
        .iter()
        .map(|m| by_key.get(&(scenario, "national", *m)).copied())
        .collect();
    print_rows(&rows, is_base, credible);
}

fn lookup<'a>(
    by_key: &BTreeMap<(&str, &str, &str), &'a SummaryRow>,
    scenario: &str,
    metric: &str,
    places: &[&str],
) -> Vec<Option<&'a SummaryRow>> {
    places
        .iter()
        .map(|p| by_key.get(&(scenario, *p, metric)).copied())
        .collect()
}

fn print_rows(rows: &[Option<&SummaryRow>], is_base: bool, credible: bool) {
    let line = |label: &str, f: &dyn Fn(&SummaryRow) -> Option<String>| {
        let cells: Vec<String> = rows
            .iter()
            .map(|r| cell(&r.and_then(f).unwrap_or_else(|| "–".to_owned())))
            .collect();
        println!("  {label:<14}{}", cells.join(""));
    };
    line("mean", &|r| Some(signed_thousands(r.value.mean)));
    if is_base {
        return;
    }
    let bounds = |r: &SummaryRow| {
        r.diff.map(|d| {
            if credible {
                (d.q025, d.q975)
            } else {
                (d.low, d.high)
            }
        })
    };
    line("vs base", &|r| r.diff.map(|d| signed(d.mean)));
    line("  low", &|r| bounds(r).map(|b| signed(b.0)));
    line("  high", &|r| bounds(r).map(|b| signed(b.1)));
    line("P(>0)", &|r| {
        r.diff.map(|d| format!("{:.2}", d.share_positive))
    });
}

/// A difference with its sign.
fn signed(v: f64) -> String {
    let text = signed_thousands(v);
    if v.round() > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}

/// A value right-aligned in its column.
fn cell(text: &str) -> String {
    format!("{text:>WIDTH$}")
}

/// A heading cut to fit its column.
fn clip(text: &str) -> String {
    if text.chars().count() < WIDTH {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(WIDTH - 2).collect();
        format!("{cut}…")
    }
}
