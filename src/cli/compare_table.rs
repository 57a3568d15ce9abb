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
    let columns = columns(rows, &base, &by_key);
    let mut scenarios: Vec<&str> = Vec::new();
    for r in rows {
        if !scenarios.contains(&r.scenario.as_str()) {
            scenarios.push(&r.scenario);
        }
    }
    // Which interval, and what P(>0) is a share of: without a posterior the
    // interval is of the mean difference, P(>0) the share of single paired
    // replicates above zero, so a P(>0) of 0.8 sits with an interval above 0.
    let interval = if credible {
        "low and high: 95% credible interval of the difference; P(>0): the posterior \
         probability that it is above 0"
    } else {
        "low and high: 95% interval of the mean difference; P(>0): the share of paired \
         replicates whose difference is above 0"
    };
    for scenario in scenarios {
        let is_base = scenario == base;
        println!();
        if is_base {
            println!("{scenario} (base)");
        } else {
            println!("{scenario} (against {base}; {interval})");
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

/// The table's columns: the national total, then the places the base sends
/// at least 1% of its exodus to, or where an alternative changes the exodus
/// clearly (its interval excludes 0) by at least 0.1% of the base's.
fn columns<'r>(
    rows: &'r [SummaryRow],
    base: &str,
    by_key: &BTreeMap<(&str, &str, &str), &SummaryRow>,
) -> Vec<&'r str> {
    let national = by_key
        .get(&(base, "national", "exodus"))
        .map_or(0.0, |r| r.value.mean);
    // The largest change an alternative makes at a place, where its
    // interval excludes 0: a place the base sends few men to may still be
    // where an alternative acts (Norway +2,077 with 0.7% of the exodus).
    let change = |place: &str| -> f64 {
        rows.iter()
            .filter(|r| r.scenario != base && r.metric == "exodus" && r.place == place)
            .filter_map(|r| r.diff.as_ref())
            .filter(|d| d.low > 0.0 || d.high < 0.0)
            .map(|d| d.mean.abs())
            .fold(0.0, f64::max)
    };
    let mut places: Vec<(&str, f64, f64)> = rows
        .iter()
        .filter(|r| r.scenario == base && r.metric == "exodus" && r.place != "national")
        .map(|r| (r.place.as_str(), r.value.mean, change(&r.place)))
        .filter(|(_, mean, change)| {
            (*mean >= 0.01 * national && *mean > 0.0) || *change >= 0.001 * national.max(1.0)
        })
        .collect();
    // Where alternatives act first, then where the base sends most, when
    // there are more places than columns; shown by the base's exodus.
    places.sort_by(|a, b| b.2.total_cmp(&a.2).then(b.1.total_cmp(&a.1)));
    places.truncate(MOST_PLACES);
    places.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let places: Vec<(&str, f64)> = places.into_iter().map(|(p, m, _)| (p, m)).collect();
    std::iter::once("national")
        .chain(places.iter().map(|(p, _)| *p))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use exodus::compare::Interval;

    fn row(scenario: &str, place: &str, mean: f64, diff: Option<(f64, f64, f64)>) -> SummaryRow {
        let interval = |mean: f64, low: f64, high: f64| Interval {
            mean,
            sd: 0.0,
            low,
            high,
            q025: low,
            q975: high,
            share_positive: 1.0,
        };
        SummaryRow {
            scenario: scenario.to_owned(),
            place: place.to_owned(),
            metric: "exodus".to_owned(),
            value: interval(mean, mean, mean),
            diff: diff.map(|(m, l, h)| interval(m, l, h)),
            mc_diff: None,
        }
    }

    #[test]
    fn a_place_an_alternative_changes_clearly_is_shown_however_small() {
        let rows = vec![
            row("base", "national", 311_672.0, None),
            row("base", "Kazakhstan", 97_855.0, None),
            row("base", "Norway", 2_142.0, None),
            row("base", "Mongolia", 900.0, None),
            row(
                "alt",
                "national",
                313_700.0,
                Some((2_028.0, 100.0, 4_000.0)),
            ),
            row("alt", "Kazakhstan", 97_800.0, Some((-55.0, -900.0, 800.0))),
            row("alt", "Norway", 4_219.0, Some((2_077.0, 1_900.0, 2_250.0))),
            row("alt", "Mongolia", 905.0, Some((5.0, -50.0, 60.0))),
        ];
        let by_key = rows
            .iter()
            .map(|r| {
                (
                    (r.scenario.as_str(), r.place.as_str(), r.metric.as_str()),
                    r,
                )
            })
            .collect();
        assert_eq!(
            columns(&rows, "base", &by_key),
            ["national", "Kazakhstan", "Norway"]
        );
    }
}
