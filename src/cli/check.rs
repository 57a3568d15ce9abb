//! `exodus check`: validate a scenario and summarize it.

use exodus::model::documents::implied_shares;
use exodus::scenario::PolicyKind;
use exodus::settings::Overrides;

use super::Failure;
use super::args::CheckArgs;
use super::thousands;

pub(crate) fn check(args: &CheckArgs) -> Result<(), Failure> {
    // The run's settings, as `exodus run` would build them: a population
    // that would not fit is refused here too.
    let (s, settings) = args.input.prepare(&Overrides::default())?;
    let expected: f64 = s.expected_eligible().iter().sum();
    let p = s.population();
    let calendar = s.calendar();
    let agents = expected / f64::from(settings.scale());
    let needed_mib = exodus::memory::run_mib(agents.ceil());
    let (fp, visa) = implied_shares(&s);
    if super::summary::json() {
        super::summary::print(&serde_json::json!({
            "scenario": s.name(),
            "valid": true,
            "start": calendar.start.to_string(),
            "end": calendar.end().to_string(),
            "days": calendar.days,
            "decree": calendar.date(i64::from(calendar.decree)).to_string(),
            "regions": s.regions().len(),
            "eligible_expected": expected.round(),
            "scale": settings.scale(),
            "agents_expected": agents.round(),
            "memory_mib": needed_mib,
            "foreign_passport_share": fp,
            "schengen_visa_share": visa,
            "crossings": s.crossings().iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            "policies": s.policies().iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
            "warnings": s.warnings().iter().map(ToString::to_string).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    println!("scenario `{}`: {}", s.name(), s.description().trim());
    println!(
        "dates: {} to {} ({} days), decree {}",
        calendar.start,
        calendar.end(),
        calendar.days,
        calendar.date(i64::from(calendar.decree))
    );
    let available = exodus::memory::available().map_or_else(String::new, |bytes| {
        format!(" of the {} MiB available", thousands(bytes >> 20))
    });
    println!(
        "population: {} regions, men aged {}-{}: {} eligible expected from the data, about {} agents at 1:{} (a run rounds each region's ages to whole agents at random, so its count differs slightly: docs/model.md)",
        s.regions().len(),
        p.age_min,
        p.age_max,
        thousands(expected.round() as u64),
        thousands(agents.round() as u64),
        settings.scale()
    );
    println!(
        "  memory: an estimated {} MiB{available}",
        thousands(needed_mib)
    );
    println!(
        "  implied shares: foreign passport {:.1}%, Schengen visa {:.1}%, prior service {:.0}%, car {:.0}%",
        100.0 * fp,
        100.0 * visa,
        100.0 * p.prior_service_share,
        100.0 * p.car_share
    );
    println!("call-up schedule:");
    for &(day, drafted) in &s.mobilization().schedule {
        println!(
            "  {} {:>10}",
            s.calendar().date(day),
            thousands(drafted.round() as u64)
        );
    }
    println!("crossings:");
    println!(
        "  {:<14} {:<14} {:>9} {:>9}",
        "id", "destination", "capacity", "baseline"
    );
    for c in s.crossings() {
        println!(
            "  {:<14} {:<14} {:>9} {:>9}",
            c.id,
            s.destinations()[c.destination].name,
            c.capacity,
            c.baseline
        );
    }
    println!("policy timeline:");
    let mut policies: Vec<_> = s.policies().iter().collect();
    policies.sort_by_key(|p| (p.start, p.id.clone()));
    for policy in policies {
        let places: Vec<&str> = policy
            .crossings
            .iter()
            .map(|&c| s.crossings()[c].id.as_str())
            .collect();
        let target = match &policy.kind {
            PolicyKind::ClosureAnnouncement { announces } => {
                format!("announces `{}`", s.policies()[*announces].id)
            }
            _ if places.is_empty() => "national".to_owned(),
            _ => places.join(", "),
        };
        let end = policy
            .end
            .map_or(String::new(), |e| format!(" to {}", s.calendar().date(e)));
        println!(
            "  {}{} {:<26} {:<28} {}",
            s.calendar().date(policy.start),
            end,
            policy.kind.name(),
            policy.id,
            target
        );
    }
    println!("ok");
    Ok(())
}
