//! Invariants that hold on every day of every run, and the default
//! scenario's plausibility checks.

use exodus::engine::Simulation;
use exodus::model::air::SeatLedger;
use exodus::model::choice::{ChoiceTable, Chooser, Outlook};
use exodus::model::policy::{PolicyTimeline, Rumour, View, exempt_threshold};
use exodus::model::travel::{Mode, Origin};
use exodus::population::AgentState;
use exodus::scenario::Documents;

use super::{Fixture, crossing, day, destination, exodus_between};

#[test]
fn every_man_is_in_exactly_one_state_every_day() {
    let (scenario, settings) = Fixture::tiny().prepare();
    let mut sim = Simulation::new(&scenario, &settings).unwrap();
    let agents = sim.population().eligible_agents();
    assert!(agents > 10_000, "the fixture has {agents} agents");
    while !sim.finished() {
        sim.step();
        let counts = sim.state_counts();
        assert_eq!(
            counts,
            sim.census(),
            "tallied counts must match a census of the agents"
        );
        assert_eq!(counts.iter().sum::<u64>(), agents);
        assert!(
            sim.home_pool_is_consistent(),
            "the draft pool must match a recount"
        );
    }
    let results = sim.into_results();
    for (t, n) in results.national.iter().enumerate() {
        assert_eq!(n.accounted(), results.eligible, "day {t}");
        assert!(n.stuck + n.awaiting_passport <= n.at_home);
        assert!(n.drafted_at_border <= n.drafted);
    }
    let last = results.national.last().unwrap();
    assert!(
        last.abroad > 0 && last.drafted > 0,
        "the run must move men: {last:?}"
    );
    let regional: u64 = results.regions.iter().map(|r| r.eligible).sum();
    assert_eq!(regional, results.eligible);
    let left: u64 = results.regions.iter().map(|r| r.left).sum();
    assert_eq!(left, last.abroad);
}

#[test]
fn no_crossing_processes_more_than_its_capacity() {
    let fx = Fixture::default_scenario();
    let (scenario, settings) = fx.prepare();
    let timeline = PolicyTimeline::new(&scenario);
    let results = super::run(&scenario, &settings);
    for (t, rows) in results.crossing_days.iter().enumerate() {
        for (c, row) in rows.iter().enumerate() {
            let capacity = u64::from(timeline.conditions(c, t as i64, View::Actual).capacity);
            let processed = row.entries + row.caught + row.turned_back;
            // Capacity left unused for want of a whole agent carries over, at most one agent's worth.
            assert!(
                processed <= capacity + u64::from(settings.scale()),
                "day {t} crossing {c}: {processed} > {capacity}"
            );
        }
    }
}

#[test]
fn choice_probabilities_sum_to_one_over_feasible_crossings() {
    let scenario = Fixture::default_scenario().load();
    let timeline = PolicyTimeline::new(&scenario);
    let mut table = ChoiceTable::new(&scenario);
    let waits = vec![1.0; scenario.crossings().len()];
    let seats = SeatLedger::new(&scenario, &timeline, 1);
    let finland = scenario.destination_index("Finland").unwrap();
    let calendar = scenario.calendar();
    let date = |d: &str| calendar.day_of(d.parse().unwrap());
    let closed = date("2022-09-30");
    for today in ["2022-09-21", "2022-09-24", "2022-10-02", "2022-10-22"].map(date) {
        let outlook = Outlook {
            today,
            observed_wait: &waits,
            seats: &seats,
            rumour: Rumour::default(),
        };
        table.update(&scenario, &timeline, &outlook);
        for region in [0, 40, 82] {
            for documents in Documents::ALL {
                for exempt_rank in [0u8, 255] {
                    let who = Chooser {
                        origin: Origin::Region(region),
                        mode: Mode::Car,
                        documents,
                        exempt_rank,
                        exclude: None,
                    };
                    let p = table.probabilities(&who);
                    let total: f64 = p.iter().sum();
                    assert!((total - 1.0).abs() < 1e-9, "sum {total}");
                    for (c, x) in scenario.crossings().iter().enumerate() {
                        let required = scenario.destinations()[x.destination].documents;
                        if documents < required {
                            assert_eq!(p[c], 0.0, "{} needs {required}", x.id);
                        }
                        if today >= closed && x.destination == finland && exempt_rank == 255 {
                            assert_eq!(
                                p[c], 0.0,
                                "Finland is closed to the non-exempt from 30 Sep"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn default_scenario_is_plausible() {
    let fx = Fixture::default_scenario();
    let (scenario, settings) = fx.prepare();
    let timeline = PolicyTimeline::new(&scenario);
    let mut sim = Simulation::new(&scenario, &settings).unwrap();
    while !sim.finished() {
        sim.step();
    }
    // The Baltic states admit only exempt men throughout.
    let baltic = scenario.destination_index("Baltic states").unwrap();
    let threshold = exempt_threshold(0.08);
    for agent in &sim.population().agents {
        // Those who entered by a crossing (not from another country).
        let entered = scenario.crossings().get(usize::from(agent.crossing));
        if agent.state == AgentState::Abroad && entered.is_some_and(|c| c.destination == baltic) {
            assert!(
                u16::from(agent.exempt_rank()) < threshold,
                "a non-exempt man entered the Baltic states"
            );
        }
    }
    let r = sim.into_results();

    // Kazakhstan receives the most men.
    let kz = r.total_exodus(destination(&r, "Kazakhstan"));
    for name in ["Georgia", "Mongolia", "Finland", "Baltic states"] {
        assert!(
            kz > r.total_exodus(destination(&r, name)),
            "Kazakhstan {kz} vs {name}"
        );
    }

    // Finland's exodus entries fall sharply from 30 Sep.
    let before = exodus_between(&r, "Finland", "2022-09-23", "2022-09-29");
    let after = exodus_between(&r, "Finland", "2022-09-30", "2022-10-06");
    assert!(
        before > 0 && after * 5 < before,
        "Finland before {before}, after {after}"
    );

    // The Georgian queue grows when arrivals exceed what the post can take.
    let lars = crossing(&r, "upper-lars");
    let mut grew = 0;
    for t in day(&r, "2022-09-21")..r.crossing_days.len() {
        let (yesterday, today) = (r.crossing_days[t - 1][lars], r.crossing_days[t][lars]);
        if today.queue > yesterday.queue {
            grew += 1;
            let capacity = timeline.conditions(lars, t as i64, View::Actual).capacity;
            let ordinary = u64::from(scenario.crossings()[lars].baseline);
            assert!(
                today.arrived + ordinary > u64::from(capacity),
                "day {t}: the queue grew though arrivals stayed within capacity"
            );
        }
    }
    assert!(grew > 0, "the Georgian queue never grew");
}
