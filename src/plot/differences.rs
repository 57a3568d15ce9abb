//! The chart of a comparison's effects (`comparison_differences`): one
//! panel per place (the national total, then the destinations where any
//! alternative moves the exodus most), one bar per alternative scenario:
//! its mean paired difference from the base, with the interval the
//! comparison reports as a whisker (the 95% credible interval under a
//! posterior, else the 95% interval of the mean difference).

use crate::compare::SummaryRecord;

use super::indices::{IndexChart, IndexPanel, IndexSeries};

/// Most destinations given a panel, besides the national total.
const MOST_PLACES: usize = 5;

/// The chart of the `exodus` rows of `compare_summary.csv`; `None` when
/// there is no alternative. `credible` says whether the intervals are the
/// quantiles of the paired differences (a comparison under a posterior).
pub fn differences_chart(
    rows: &[SummaryRecord],
    credible: bool,
    caption: &str,
) -> Option<IndexChart> {
    let exodus: Vec<&SummaryRecord> = rows.iter().filter(|r| r.metric == "exodus").collect();
    let alternatives: Vec<&str> = {
        let mut names: Vec<&str> = Vec::new();
        for r in exodus.iter().filter(|r| r.diff_vs_base.is_some()) {
            if !names.contains(&r.scenario.as_str()) {
                names.push(&r.scenario);
            }
        }
        names
    };
    if alternatives.is_empty() {
        return None;
    }
    // The destinations ranked by the largest effect any alternative has there.
    let mut places: Vec<(&str, f64)> = Vec::new();
    for r in exodus.iter().filter(|r| r.place != "national") {
        let effect = r.diff_vs_base.map_or(0.0, |d| d.0.abs());
        match places.iter_mut().find(|(p, _)| *p == r.place) {
            Some((_, largest)) => *largest = largest.max(effect),
            None => places.push((&r.place, effect)),
        }
    }
    places.retain(|(_, effect)| *effect > 0.0);
    places.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    places.truncate(MOST_PLACES);
    let panels = std::iter::once("national")
        .chain(places.iter().map(|(p, _)| *p))
        .map(|place| IndexPanel {
            title: if place == "national" {
                "national exodus: difference from the base".to_owned()
            } else {
                format!("exodus to {place}: difference from the base")
            },
            parameters: alternatives.iter().map(|a| (*a).to_owned()).collect(),
            series: vec![IndexSeries {
                name: "mean paired difference".to_owned(),
                values: alternatives
                    .iter()
                    .map(|a| {
                        let r = exodus
                            .iter()
                            .find(|r| r.scenario == *a && r.place == place)?;
                        let d = r.diff_vs_base?;
                        let (low, high) = if credible {
                            (r.diff_q025?, r.diff_q975?)
                        } else {
                            (r.diff_ci95_low?, r.diff_ci95_high?)
                        };
                        Some((d.0, Some((low.0, high.0))))
                    })
                    .collect(),
            }],
        })
        .collect();
    Some(IndexChart {
        stem: "comparison_differences".to_owned(),
        x_label: if credible {
            "men (persons): mean difference, whisker the 95% credible interval".to_owned()
        } else {
            "men (persons): mean paired difference, whisker its 95% interval".to_owned()
        },
        panels,
        caption: caption.to_owned(),
    })
}
