//! `exodus score`: a finished run against observed figures.

use std::path::Path;

use exodus::input_error::InputError;

use super::{Context, Failure};

pub(crate) fn score(run_dir: &Path, observed: &Path) -> Result<(), Failure> {
    let run = exodus::output::read_run(run_dir)?;
    let name = observed.display().to_string();
    let text = std::fs::read_to_string(observed).map_err(|e| InputError {
        file: name.clone(),
        line: None,
        column: None,
        key: None,
        message: format!("cannot read the observed figures: {e}"),
    })?;
    let figures = exodus::score::read_observed(&name, &text)?;
    let scored = exodus::score::score(&run, &figures, &name)?;
    let summary = exodus::score::summarize(&scored);
    let path = run_dir.join(exodus::score::SCORE_CSV);
    exodus::score::write_csv(&path, &scored)
        .with_context(|| format!("writing {}", path.display()))?;
    println!(
        "{:<24} {:<22} {:<18} {:>12} {:>12} {:>7}",
        "figure", "place", "metric", "observed", "simulated", "ratio"
    );
    for s in &scored {
        let f = &s.figure;
        println!(
            "{:<24} {:<22} {:<18} {:>12} {:>12.0} {:>7.3}",
            f.id,
            f.place,
            f.metric.name(),
            f.observed.to_string(),
            s.simulated,
            s.ratio
        );
    }
    println!();
    println!("figures scored                 {}", summary.figures);
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
