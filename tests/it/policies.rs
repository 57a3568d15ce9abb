//! Each policy kind has the effect it should, shown by paired runs of the
//! same scenario with and without it (same seed).

use exodus::engine::Simulation;
use exodus::population::AgentState;
use exodus::scenario::Documents;

use super::{Fixture, crossing, day, exodus_between};

const LARS_POLICY: &str = "
[[policy]]
id = \"test-policy\"
start = 2022-09-25
crossings = [\"upper-lars\"]
";

fn with_lars_policy(params: &str) -> Fixture {
    Fixture::tiny().append(&format!("{LARS_POLICY}{params}\n"))
}

fn column(
    r: &exodus::results::RunResults,
    id: &str,
    from: &str,
    to: &str,
    f: fn(&exodus::results::CrossingDay) -> u64,
) -> u64 {
    let c = crossing(r, id);
    (day(r, from)..=day(r, to))
        .map(|t| f(&r.crossing_days[t][c]))
        .sum()
}

#[test]
fn entry_ban_turns_back_the_non_exempt_and_cuts_the_flow() {
    let banned = Fixture::tiny().run();
    let open = Fixture::tiny()
        .set(
            "exempt_share = 0.1",
            "exempt_share = 1.0\nbaseline_share = 1.0",
        )
        .run();
    let after = |r| exodus_between(r, "Finland", "2022-09-30", "2022-10-09");
    assert!(
        after(&banned) * 3 < after(&open),
        "banned {} vs open {}",
        after(&banned),
        after(&open)
    );
    let turned = |r, from, to| {
        column(r, "vaalimaa", from, to, |x| x.turned_back)
            + column(r, "nuijamaa", from, to, |x| x.turned_back)
    };
    assert_eq!(turned(&banned, "2022-09-19", "2022-09-29"), 0);
    assert!(
        turned(&banned, "2022-09-30", "2022-10-09") > 0,
        "men en route when the ban came must be turned back"
    );
    assert_eq!(turned(&open, "2022-09-19", "2022-10-09"), 0);
    let ordinary = |r| {
        column(r, "vaalimaa", "2022-10-01", "2022-10-01", |x| {
            x.baseline_entries
        })
    };
    assert_eq!(
        ordinary(&banned),
        161,
        "ordinary traffic scaled by the exempt share: 1613 × 0.1"
    );
}

#[test]
fn closure_announcement_brings_departures_forward_and_spares_turn_backs() {
    let silent = Fixture::tiny().run();
    let announced = Fixture::tiny()
        .append("[[policy]]\nid = \"announce\"\nkind = \"closure_announcement\"\nstart = 2022-09-23\nannounces = \"finland-ban\"\n")
        .run();
    let rush = |r| exodus_between(r, "Finland", "2022-09-23", "2022-09-29");
    assert!(
        rush(&announced) > rush(&silent),
        "announced {} vs silent {}",
        rush(&announced),
        rush(&silent)
    );
    let turned = |r| column(r, "vaalimaa", "2022-09-30", "2022-10-09", |x| x.turned_back);
    assert!(
        turned(&announced) < turned(&silent),
        "men who know plan around the ban"
    );
}

#[test]
fn border_draft_office_catches_men_from_its_start_and_deters_others() {
    let office = with_lars_policy(
        "kind = \"border_draft_office\"\ncatch_probability = 0.5\ndeterrence = 0.0",
    )
    .run();
    let lars = crossing(&office, "upper-lars");
    for (t, rows) in office.crossing_days.iter().enumerate() {
        for (c, row) in rows.iter().enumerate() {
            if c != lars || t < day(&office, "2022-09-25") {
                assert_eq!(row.caught, 0, "day {t} crossing {c}");
            }
        }
    }
    assert!(
        column(&office, "upper-lars", "2022-09-25", "2022-10-09", |x| x
            .caught)
            > 0
    );
    let last = office.national.last().unwrap();
    assert!(last.drafted_at_border > 0 && last.drafted_at_border <= last.drafted);

    let mild = with_lars_policy(
        "kind = \"border_draft_office\"\ncatch_probability = 0.0\ndeterrence = 0.0",
    )
    .run();
    let deterring = with_lars_policy(
        "kind = \"border_draft_office\"\ncatch_probability = 0.0\ndeterrence = 3.0",
    )
    .run();
    let georgia = |r| exodus_between(r, "Georgia", "2022-09-27", "2022-10-09");
    assert!(
        georgia(&deterring) < georgia(&mild),
        "deterring {} vs mild {}",
        georgia(&deterring),
        georgia(&mild)
    );
}

#[test]
fn capacity_change_sets_or_multiplies_the_throughput() {
    let closed = with_lars_policy("kind = \"capacity_change\"\ncapacity = 0").run();
    assert_eq!(
        column(&closed, "upper-lars", "2022-09-25", "2022-10-09", |x| x
            .entries),
        0
    );
    assert!(
        column(&closed, "upper-lars", "2022-09-19", "2022-09-24", |x| x
            .entries)
            > 0
    );

    let base = Fixture::tiny().run();
    let doubled = with_lars_policy("kind = \"capacity_change\"\nmultiplier = 2.0").run();
    // Upper Lars is near its capacity (5,500 ordinary travellers of 6,000): doubling it lets more through.
    let entries = |r| column(r, "upper-lars", "2022-09-25", "2022-10-09", |x| x.entries);
    assert!(
        entries(&doubled) > entries(&base),
        "doubled {} vs base {}",
        entries(&doubled),
        entries(&base)
    );
    let before = |r| column(r, "upper-lars", "2022-09-19", "2022-09-24", |x| x.entries);
    assert_eq!(
        before(&doubled),
        before(&base),
        "nothing changes before the policy starts"
    );
}

#[test]
fn destination_attractiveness_draws_men() {
    let base = Fixture::tiny().run();
    let bonus = Fixture::tiny()
        .append("[[policy]]\nid = \"welcome\"\nkind = \"destination_attractiveness\"\nstart = 2022-09-21\ndestinations = [\"Georgia\"]\nbonus = 1.5\n")
        .run();
    let georgia = |r| exodus_between(r, "Georgia", "2022-09-21", "2022-10-09");
    assert!(
        georgia(&bonus) > georgia(&base),
        "bonus {} vs base {}",
        georgia(&bonus),
        georgia(&base)
    );
}

/// Agents holding at least a foreign passport at the end of a run.
fn passport_holders(fx: &Fixture) -> (u64, u64, u64) {
    let (scenario, settings) = fx.prepare();
    let mut sim = Simulation::new(&scenario, &settings).unwrap();
    let count = |sim: &Simulation<'_>| {
        let cohorts = sim.population().cohorts;
        sim.population()
            .groups()
            .filter(|&(c, _, _)| cohorts.key(c).documents >= Documents::ForeignPassport)
            .map(|(_, _, n)| n)
            .sum::<u64>()
    };
    let before = count(&sim);
    let mut most_waiting = 0;
    while !sim.finished() {
        sim.step();
        most_waiting = most_waiting.max(sim.state_counts()[AgentState::AwaitingPassport as usize]);
    }
    (before, count(&sim), most_waiting)
}

#[test]
fn foreign_passport_ban_bites_the_men_who_planned_to_apply() {
    let (before, after, waiting) = passport_holders(&Fixture::tiny());
    assert!(
        waiting > 0 && after > before,
        "without a ban, applicants get passports ({before} -> {after})"
    );

    let ban = |start: &str| {
        Fixture::tiny().append(&format!(
            "[[policy]]\nid = \"no-passports\"\nkind = \"foreign_passport_ban\"\nstart = {start}\n"
        ))
    };
    let (before, after, waiting) = passport_holders(&ban("2022-09-21"));
    assert_eq!(
        (after, waiting),
        (before, 0),
        "a ban from day one stops every application"
    );

    // Applications made before a ban on 25 Sep fall due after it and are refused.
    let (before, after, waiting) = passport_holders(&ban("2022-09-25"));
    assert!(waiting > 0);
    assert_eq!(after, before, "pending applications are refused");
}

#[test]
fn exit_ban_stops_the_exodus_and_leaves_men_stuck() {
    let r = Fixture::tiny()
        .append("[[policy]]\nid = \"exit-ban\"\nkind = \"exit_ban\"\nstart = 2022-09-26\n")
        .run();
    let after: u64 = (day(&r, "2022-09-26")..r.national.len())
        .map(|t| r.crossing_days[t].iter().map(|x| x.crossed).sum::<u64>())
        .sum();
    assert_eq!(
        after, 0,
        "nobody of mobilization age leaves under an exit ban"
    );
    let last = r.national.last().unwrap();
    assert!(last.stuck > 0, "men who want to leave are stuck");
    let baseline: u64 = r.crossing_days[day(&r, "2022-09-27")]
        .iter()
        .map(|x| x.baseline_entries)
        .sum();
    assert!(baseline > 0, "ordinary travellers still cross");
}
