//! `exodus score`: a finished run against observed figures.

use std::path::Path;

use exodus::metrics::Metric;
use exodus::score::{Scoring, Skip, SkippedFigure};

use super::{Context, Failure};

pub(crate) fn score(run_dir: &Path, observed: &Path) -> Result<(), Failure> {
    score_printing(run_dir, observed, true)
}

/// Scores the run in `run_dir` and writes `score.csv`; prints the table
/// (or its JSON) only if `print`.
pub(crate) fn score_printing(run_dir: &Path, observed: &Path, print: bool) -> Result<(), Failure> {
    let run = exodus::output::read_run(run_dir)?;
    let observed = exodus::score::load_observed(observed)?;
    let scorings = exodus::score::score(&run, &observed.figures, &observed.name)?;
    let summary = exodus::score::summarize(&scorings);
    let path = run_dir.join(exodus::score::SCORE_CSV);
    exodus::score::write_csv(&path, &scorings)
        .with_context(|| format!("writing {}", path.display()))?;
    if super::summary::json() {
        let scored: Vec<serde_json::Value> = scorings
            .iter()
            .filter_map(Scoring::scored)
            .map(|s| {
                serde_json::json!({
                    "id": s.figure.id,
                    "place": s.figure.place,
                    "metric": s.figure.metric_name,
                    "from": s.figure.from.to_string(),
                    "to": s.figure.to.to_string(),
                    "observed": s.figure.observed.central(),
                    "simulated": s.simulated,
                    "ratio": s.ratio,
                    "log_error": s.log_error,
                })
            })
            .collect();
        let skipped: Vec<&str> = scorings
            .iter()
            .filter_map(Scoring::skipped)
            .map(|s| s.figure.id.as_str())
            .collect();
        let value = serde_json::json!({
            "run": run_dir.display().to_string(),
            "written": path.display().to_string(),
            "scored": scored,
            "skipped": skipped,
            "median_abs_log_error": summary.median_abs_log_error,
            "share_within_25pct": summary.share_within_25pct,
            "averaged_relative_difference": summary.averaged_relative_difference,
        });
        // `exodus score` prints it; `run --score` adds it to the run's summary.
        if print {
            super::summary::print(&value);
        } else {
            super::summary::record_extra("score", value);
        }
        return Ok(());
    }
    if !print {
        return Ok(());
    }
    println!(
        "{:<24} {:<22} {:<18} {:>12} {:>12} {:>7}",
        "figure", "place", "metric", "observed", "simulated", "ratio"
    );
    for s in scorings.iter().filter_map(Scoring::scored) {
        let f = &s.figure;
        println!(
            "{:<24} {:<22} {:<18} {:>12} {:>12.0} {:>7.3}",
            f.id,
            f.place,
            f.metric_name,
            f.observed.to_string(),
            s.simulated,
            s.ratio
        );
    }
    let skipped: Vec<&SkippedFigure> = scorings.iter().filter_map(Scoring::skipped).collect();
    print_skipped(&skipped, "the run cannot measure them");
    println!();
    println!("figures scored                 {}", summary.figures);
    if summary.skipped > 0 {
        println!(
            "figures skipped                {} (listed above)",
            summary.skipped
        );
    }
    println!(
        "median |log error|             {:.3}",
        summary.median_abs_log_error
    );
    println!(
        "within ±25%                    {:.0}%",
        100.0 * summary.share_within_25pct
    );
    match summary.averaged_relative_difference {
        Some(ard) => println!(
            "averaged relative difference   {ard:.3} (over {} daily figures)",
            summary.daily_figures
        ),
        None => println!("averaged relative difference   n/a (no daily figures)"),
    }
    println!("written                        {}", path.display());
    Ok(())
}

/// Lists the figures that could not be measured, with their reasons and,
/// for an unknown place or metric, what the valid ones are; `why` heads the
/// list. Nothing when none were skipped.
pub(super) fn print_skipped(skipped: &[&SkippedFigure], why: &str) {
    if skipped.is_empty() {
        return;
    }
    println!();
    println!("skipped ({why}; not in the summary):");
    println!(
        "{:<24} {:<22} {:<18} {:<24}  reason",
        "figure", "place", "metric", "window"
    );
    for s in skipped {
        let f = &s.figure;
        println!(
            "{:<24} {:<22} {:<18} {:<24}  {}",
            f.id,
            f.place,
            f.metric_name,
            format!("{} to {}", f.from, f.to),
            s.reason
        );
    }
    if let Some(detail) = skipped.iter().find_map(|s| match &s.reason {
        Skip::UnknownPlace { detail } => Some(detail),
        _ => None,
    }) {
        println!("  unknown place: {detail}");
    }
    if skipped.iter().any(|s| s.reason == Skip::UnknownMetric) {
        println!("  unknown metric: the metrics are: {}", Metric::names());
    }
}
