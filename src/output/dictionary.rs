//! The data dictionary of a folder of results: `datapackage.json`, a
//! Frictionless Tabular Data Package (<https://specs.frictionlessdata.io/>)
//! that describes every CSV file of the folder and every column: its type
//! (read from the column itself: `integer`, `number`, `date`, `boolean` or
//! `string`), what it holds and its unit, so that pandas, R and the
//! frictionless tools read the files with the right types and a reader
//! knows what each number is without the README.
//!
//! Every column exodus writes is described here, by its name (a name means
//! the same thing in every file), or by the pattern of the names made from
//! a scenario's places and parameters (`left_<destination>`,
//! `parameter_<path>`, `<metric>_<place>`). The package is written with the
//! folder and listed in its manifest; it holds no time stamp, so the same
//! results give the same bytes.

use serde_json::{Value, json};

/// The package's file name.
pub const DATAPACKAGE: &str = "datapackage.json";

/// Description and unit of the columns, by name.
const COLUMNS: &[(&str, &str, &str)] = &[
    ("date", "the day (ISO 8601)", ""),
    (
        "crossing",
        "a land crossing or an air route, by its id in data/crossings.csv or data/air-routes.csv",
        "",
    ),
    (
        "destination",
        "a destination country (or group) as the scenario names it",
        "",
    ),
    (
        "place",
        "a destination as the scenario names it, a crossing id, or `national`",
        "",
    ),
    (
        "metric",
        "what is measured (see the README's Outputs section)",
        "",
    ),
    ("value", "the metric's value", "persons, or days for waits"),
    ("scenario", "the scenario's name", ""),
    (
        "path",
        "a key of the scenario, as --set names it (policy[finland-ban].start)",
        "",
    ),
    (
        "base",
        "the key's value in the base scenario, as TOML (empty where it has none)",
        "as the key",
    ),
    (
        "alternative",
        "the key's value in the alternative, as TOML (empty where it has none)",
        "as the key",
    ),
    (
        "arrived",
        "men of the exodus reaching the crossing that day",
        "persons",
    ),
    (
        "crossed",
        "men of the exodus who entered the destination that day",
        "persons",
    ),
    (
        "turned_back",
        "men refused by an entry or exit ban that day",
        "persons",
    ),
    (
        "gave_up_events",
        "times men gave up on the queue that day (on arrival or while waiting): events, not men",
        "events",
    ),
    (
        "caught",
        "men caught by a draft office at the crossing that day",
        "persons",
    ),
    (
        "baseline_entries",
        "ordinary travellers who entered that day",
        "persons",
    ),
    (
        "entries",
        "all entries that day: the exodus and ordinary travellers, as border services count them",
        "persons",
    ),
    (
        "baseline_exits",
        "ordinary travellers who left the destination for Russia that day",
        "persons",
    ),
    (
        "exits",
        "everyone who left the destination for Russia that day (ordinary travellers, men going home)",
        "persons",
    ),
    (
        "queue",
        "persons waiting at the end of the day, men and ordinary travellers",
        "persons",
    ),
    (
        "mean_wait_days",
        "mean wait of those who entered that day; empty when nobody entered",
        "days",
    ),
    (
        "exodus_entries",
        "men of the exodus entering from Russia that day",
        "persons",
    ),
    (
        "onward_entries",
        "men of the exodus arriving from another destination that day",
        "persons",
    ),
    (
        "moved_on",
        "men of the exodus who left for another destination that day",
        "persons",
    ),
    (
        "went_home",
        "men of the exodus who went home from there that day",
        "persons",
    ),
    (
        "abroad",
        "men of the exodus abroad at the end of the day",
        "persons",
    ),
    (
        "cumulative_exodus",
        "men of the exodus who entered from Russia up to that day",
        "persons",
    ),
    (
        "decided",
        "men at home who decided to leave that day",
        "persons",
    ),
    ("departed", "men who set off from home that day", "persons"),
    (
        "traveling",
        "men on the way to a crossing at the end of the day",
        "persons",
    ),
    (
        "queued",
        "men of the exodus in a queue at the end of the day",
        "persons",
    ),
    (
        "drafted",
        "men drafted (at home or at the border) by the end of the day",
        "persons",
    ),
    (
        "drafted_at_border",
        "of the drafted, men caught at the border",
        "persons",
    ),
    (
        "stuck",
        "men at home who want to leave and have no feasible crossing",
        "persons",
    ),
    (
        "returned",
        "men who went home after giving up, being turned back or coming back from abroad",
        "persons",
    ),
    (
        "at_home",
        "men at home (including the stuck and those awaiting a passport)",
        "persons",
    ),
    (
        "awaiting_passport",
        "men at home waiting for a foreign passport",
        "persons",
    ),
    (
        "moving_on",
        "of those abroad, men between two destinations",
        "persons",
    ),
    (
        "came_back",
        "of the returned, men who went home from abroad",
        "persons",
    ),
    ("from", "the destination the men left", ""),
    (
        "to",
        "the destination they went to (`elsewhere` for countries not modelled)",
        "",
    ),
    (
        "men",
        "men who moved on from `from` to `to` over the run",
        "persons",
    ),
    ("region", "the region's ISO 3166-2 code", ""),
    ("name", "the region's English name", ""),
    ("eligible", "eligible men of the region", "persons"),
    (
        "left",
        "men of the region abroad at the end of the run",
        "persons",
    ),
    (
        "left_share",
        "share of the region's eligible men abroad at the end",
        "fraction",
    ),
    ("id", "the reported figure's id", ""),
    (
        "kind",
        "the kind of figure (see scenarios/data/README.md) or of policy (see docs/scenario.md)",
        "",
    ),
    ("date_from", "first day of the figure's window", ""),
    ("date_to", "last day of the figure's window", ""),
    (
        "low",
        "lower end of the figure's or the index's range",
        "as the value",
    ),
    (
        "high",
        "upper end of the figure's or the index's range",
        "as the value",
    ),
    ("source", "where the figure or the policy comes from", ""),
    ("start", "the first day the policy is in force", ""),
    (
        "end",
        "the last day the policy is in force (empty: to the end of the run)",
        "",
    ),
    ("known_from", "the first day men know of the policy", ""),
    (
        "crossings",
        "the crossings the policy applies to, by id (empty: national)",
        "",
    ),
    ("mean", "mean over the replicates", "as the metric"),
    (
        "sd",
        "standard deviation over the replicates",
        "as the metric",
    ),
    (
        "ci95_low",
        "lower end of the 95% t-interval of the mean",
        "as the metric",
    ),
    (
        "ci95_high",
        "upper end of the 95% t-interval of the mean",
        "as the metric",
    ),
    (
        "q025",
        "2.5% quantile of the replicates (posterior-predictive under a posterior)",
        "as the metric",
    ),
    ("q975", "97.5% quantile of the replicates", "as the metric"),
    (
        "diff_vs_base",
        "mean paired difference from the base scenario",
        "as the metric",
    ),
    (
        "diff_ci95_low",
        "lower end of the 95% t-interval of the mean difference",
        "as the metric",
    ),
    (
        "diff_ci95_high",
        "upper end of the 95% t-interval of the mean difference",
        "as the metric",
    ),
    (
        "diff_q025",
        "2.5% quantile of the paired differences (credible interval under a posterior)",
        "as the metric",
    ),
    (
        "diff_q975",
        "97.5% quantile of the paired differences",
        "as the metric",
    ),
    (
        "prob_diff_positive",
        "share of replicates whose difference is positive",
        "fraction",
    ),
    (
        "mc_diff_ci95_low",
        "under a posterior: lower end of the Monte-Carlo-only interval of the difference",
        "as the metric",
    ),
    (
        "mc_diff_ci95_high",
        "under a posterior: upper end of the Monte-Carlo-only interval",
        "as the metric",
    ),
    ("point", "the point of the design, from 0", ""),
    (
        "replicate",
        "the replicate, from 0 (replicate 0 runs with the master seed)",
        "",
    ),
    ("seed", "the run's seed", ""),
    ("key", "the replicate key of a sensitivity point", ""),
    ("observed", "the reported value", "as the metric"),
    ("p05", "5% quantile of the replicates", "as the metric"),
    ("p95", "95% quantile of the replicates", "as the metric"),
    (
        "log_error",
        "log of the simulated mean over the observed value",
        "",
    ),
    (
        "relative_difference",
        "(simulated − observed) / observed",
        "fraction",
    ),
    (
        "inside_band",
        "whether the observed value lies inside the 90% predictive band",
        "",
    ),
    (
        "status",
        "whether the figure was scored, and if not why",
        "",
    ),
    ("reason", "why a figure was not scored", ""),
    (
        "ratio",
        "the simulated value over the reported one",
        "ratio",
    ),
    (
        "within_25pct",
        "whether the simulated value is within 25% of the reported one",
        "",
    ),
    ("simulated", "the simulated value", "as the metric"),
    (
        "within_tolerance",
        "whether the simulated value is within the target's tolerance",
        "",
    ),
    ("output", "the output a sensitivity index is of", ""),
    (
        "parameter",
        "a [calibration] parameter, by its --set path",
        "",
    ),
    (
        "method",
        "the method (sobol or morris; a calibration's method)",
        "",
    ),
    ("index", "which index (S1, ST, mu_star, sigma)", ""),
    ("target", "the target's id", ""),
    (
        "simulated_mean",
        "mean of the simulated value over the replicates",
        "as the metric",
    ),
    (
        "simulated_sd",
        "standard deviation of the simulated value",
        "as the metric",
    ),
    (
        "tolerance",
        "how far the simulated value may be from the observed one to count as within",
        "as the metric",
    ),
    ("held_out", "whether the target was held out of the fit", ""),
    ("evaluation", "the evaluation's number", ""),
    ("restart", "the optimizer's restart", ""),
    ("generation", "the generation", ""),
    ("sigma", "the optimizer's step size", ""),
    (
        "loss",
        "the calibration loss (weighted squared log errors)",
        "",
    ),
    ("lower", "lower bound of the parameter", "as the parameter"),
    ("upper", "upper bound of the parameter", "as the parameter"),
    (
        "scale",
        "the parameter's scale (linear or log); a run's persons per agent",
        "",
    ),
    ("at_bound", "the bound the fitted value sits on, if any", ""),
    (
        "rise",
        "how much the loss rises a step away from the fitted value",
        "",
    ),
    ("note", "a remark", ""),
    ("particle", "the particle", ""),
    ("weight", "the particle's importance weight", ""),
    (
        "distance",
        "the particle's distance from the observed figures",
        "",
    ),
    (
        "acceptance_rate",
        "accepted proposals over proposals",
        "fraction",
    ),
    ("effective_sample_size", "effective number of particles", ""),
    ("simulations", "model runs", ""),
    ("seconds", "wall time", "seconds"),
    ("prior", "the prior distribution", ""),
    ("median", "the posterior median", "as the parameter"),
    (
        "width_ratio",
        "posterior 90% interval width over the prior's",
        "fraction",
    ),
    ("agents", "agents simulated", ""),
    (
        "men_acted",
        "men who acted (became agents) in the run",
        "persons",
    ),
    ("days", "days simulated", "days"),
    ("threads", "worker threads", ""),
    ("repeat", "runs the median is over", ""),
    (
        "wall_seconds",
        "wall time, the median of the runs",
        "seconds",
    ),
    (
        "agent_days_per_second",
        "eligible men × days ÷ wall time",
        "per second",
    ),
    ("peak_rss_bytes", "peak resident memory", "bytes"),
    ("bytes_per_agent", "peak memory per agent", "bytes"),
    (
        "population_seconds",
        "time to build the population",
        "seconds",
    ),
    ("simulation_seconds", "time to simulate", "seconds"),
    ("output_seconds", "time to write the CSV", "seconds"),
];

/// What a file holds, by its name.
const FILES: &[(&str, &str)] = &[
    ("daily_crossings.csv", "one row per date and crossing"),
    ("daily_destinations.csv", "one row per date and destination"),
    (
        "daily_national.csv",
        "one row per date: the day's flows and the stocks at its end",
    ),
    (
        "onward.csv",
        "one row per pair of destinations: where the men who moved on went",
    ),
    ("regions.csv", "one row per region, at the end of the run"),
    ("targets.csv", "the scenario's reported figures"),
    (
        "policies.csv",
        "one row per policy of the scenario: its dates and crossings",
    ),
    (
        "compare_summary.csv",
        "one row per scenario, place and metric: whole-run figures over the replicates",
    ),
    (
        "compare_daily.csv",
        "one row per date, scenario, place and metric",
    ),
    (
        "compare_changes.csv",
        "one row per key in which an alternative differs from the base, as it runs",
    ),
    (
        "compare_policies.csv",
        "one row per scenario and policy, base first: each scenario's policy timeline",
    ),
    (
        "sweep.csv",
        "one row per point, replicate, place and metric",
    ),
    (
        "sweep_daily.csv",
        "one row per point, replicate, date, place and metric",
    ),
    (
        "validation.csv",
        "one row per reported figure: simulated against reported",
    ),
    (
        "validation_daily.csv",
        "one row per date, place and metric: the replicates' daily band",
    ),
    (
        "validation_paths.csv",
        "one row per figure and date: the running total over its window",
    ),
    ("sensitivity.csv", "one row per output, parameter and index"),
    ("sensitivity_runs.csv", "one row per run of the design"),
    (
        "fit.csv",
        "one row per target: the fit at the calibrated values",
    ),
    ("trace.csv", "one row per evaluation of the optimizer"),
    ("parameters.csv", "one row per fitted parameter"),
    (
        "posterior.csv",
        "one row per particle of the last generation",
    ),
    ("generations.csv", "one row per generation of ABC-SMC"),
    (
        "posterior_summary.csv",
        "one row per parameter: prior and posterior",
    ),
    ("bench.csv", "one row per benchmark"),
    (
        "score.csv",
        "one row per observed figure: scored against the run (--score, exodus score)",
    ),
];

/// The description and unit of column `name`.
fn describe(name: &str) -> (String, String) {
    if let Some((_, description, unit)) = COLUMNS.iter().find(|(n, _, _)| *n == name) {
        return ((*description).to_owned(), (*unit).to_owned());
    }
    if let Some(path) = name.strip_prefix("parameter_") {
        return (
            format!("the value of the parameter `{path}` at this point (the path in snake_case)"),
            "as the parameter".to_owned(),
        );
    }
    if let Some(destination) = name.strip_prefix("left_") {
        return (
            format!("men of the region abroad in `{destination}` at the end of the run"),
            "persons".to_owned(),
        );
    }
    if name.contains('.') || name.contains('[') {
        return (
            format!("the value of the parameter `{name}`"),
            "as the parameter".to_owned(),
        );
    }
    if let Some((metric, place)) = split_headline(name) {
        return (
            format!("`{metric}` at `{place}` over the run (see the README's Outputs)"),
            "persons, or days for waits".to_owned(),
        );
    }
    (format!("the column `{name}`"), String::new())
}

/// `<metric>_<place>` of a headline output, for the metrics exodus names so.
fn split_headline(name: &str) -> Option<(&str, &str)> {
    [
        "exodus_",
        "drafted_at_border_",
        "drafted_",
        "stuck_",
        "abroad_",
        "returned_",
        "peak_queue_",
        "peak_wait_days_",
        "traveling_",
        "queued_",
        "at_home_",
    ]
    .iter()
    .find_map(|prefix| {
        name.strip_prefix(prefix)
            .map(|place| (prefix.trim_end_matches('_'), place))
    })
}

/// Whether column `name` is described by name or pattern (not the
/// fallback).
pub fn is_described(name: &str) -> bool {
    !describe(name).0.starts_with("the column `")
}

/// The Frictionless type of a column from its cells (empty cells are
/// missing values).
fn column_type<'a>(cells: impl Iterator<Item = &'a str>) -> &'static str {
    let mut kinds = (true, true, true, true);
    let mut any = false;
    for cell in cells.filter(|c| !c.is_empty()) {
        any = true;
        kinds.0 &= cell.parse::<i64>().is_ok();
        kinds.1 &= cell.parse::<f64>().is_ok_and(f64::is_finite);
        kinds.2 &= cell.len() == 10 && chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").is_ok();
        kinds.3 &= cell == "true" || cell == "false";
    }
    match (any, kinds) {
        (false, _) => "string",
        (_, (true, _, _, _)) => "integer",
        (_, (_, true, _, _)) => "number",
        (_, (_, _, true, _)) => "date",
        (_, (_, _, _, true)) => "boolean",
        _ => "string",
    }
}

/// The schema of one CSV file's bytes: its fields, typed from their cells;
/// `None` if it does not read as CSV.
fn schema(bytes: &[u8]) -> Option<Value> {
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = reader.headers().ok()?.iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().ok()?;
    let fields: Vec<Value> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (description, unit) = describe(name);
            let kind = column_type(rows.iter().filter_map(|r| r.get(i)));
            let mut field = json!({
                "name": name,
                "type": kind,
                "description": description,
            });
            if !unit.is_empty()
                && let Some(map) = field.as_object_mut()
            {
                map.insert("unit".to_owned(), Value::String(unit));
            }
            field
        })
        .collect();
    Some(json!({ "fields": fields, "missingValues": [""] }))
}

/// A name as the Data Package spec allows it: lower case, digits and
/// `-._`.
fn package_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || "-._".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The `datapackage.json` of a folder of `command` on `scenario` holding
/// `files` (name, bytes): a resource for every CSV file among them.
pub fn datapackage(command: &str, scenario: &str, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let resources: Vec<Value> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".csv"))
        .filter_map(|(name, bytes)| {
            let schema = schema(bytes)?;
            let what = FILES
                .iter()
                .find(|(n, _)| n == name)
                .map_or("", |(_, what)| what);
            Some(json!({
                "name": package_name(name.trim_end_matches(".csv")),
                "path": name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": what,
                "schema": schema,
            }))
        })
        .collect();
    let package = json!({
        "profile": "tabular-data-package",
        "name": package_name(&format!("exodus-{command}-{scenario}")),
        "title": format!("exodus {command} of the scenario {scenario}"),
        "description": "Results of exodus, an agent-based simulation of the autumn-2022 exodus \
                        of Russian men; the folder's manifest says how they were made.",
        "resources": resources,
    });
    let mut text = serde_json::to_vec_pretty(&package).unwrap_or_default();
    text.push(b'\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_typed_from_their_cells() {
        let csv = b"date,crossing,queue,mean_wait_days,inside_band,left_georgia\n\
                    2022-09-21,upper-lars,10,,true,5\n2022-09-22,upper-lars,12,1.500,false,6\n";
        let s = schema(csv).unwrap();
        let types: Vec<&str> = s["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            ["date", "string", "integer", "number", "boolean", "integer"]
        );
        assert_eq!(s["fields"][3]["unit"], "days");
        assert!(
            s["fields"][5]["description"]
                .as_str()
                .unwrap()
                .contains("georgia")
        );
    }

    #[test]
    fn every_pattern_is_described() {
        for name in [
            "parameter_decision_peer",
            "exodus_kazakhstan",
            "peak_queue_upper_lars",
            "decision.peer",
        ] {
            assert!(is_described(name), "{name}");
        }
        assert!(!is_described("nonsense"));
    }
}
