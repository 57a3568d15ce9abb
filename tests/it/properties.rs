//! Invariants over random small scenarios (proptest).

use exodus::engine::Simulation;
use exodus::model::air::SeatLedger;
use exodus::model::border::{Entry, Outcome, Queue};
use exodus::model::choice::{ChoiceTable, Chooser, Outlook};
use exodus::model::policy::{PolicyTimeline, Rumour, View};
use exodus::model::travel::{Mode, Origin};
use exodus::scenario::{Documents, Scenario};
use exodus::settings::RunSettings;
use proptest::prelude::*;

use super::Fixture;

/// The tiny fixture with random behaviour, capacities and seed.
fn random_scenario(
    seed: u64,
    hazard: f64,
    patience: f64,
    capacity: u32,
    exempt: f64,
    reroute: bool,
) -> (Scenario, RunSettings) {
    Fixture::tiny()
        .set("seed = 42", &format!("seed = {seed}"))
        .set("scale = 500", "scale = 2000")
        .set(
            "base_log_hazard = -8.3",
            &format!("base_log_hazard = {hazard}"),
        )
        .set(
            "patience_mean_days = 5.0",
            &format!("patience_mean_days = {patience}"),
        )
        .set("exempt_share = 0.1", &format!("exempt_share = {exempt}"))
        .set("capacity = 6000", &format!("capacity = {capacity}"))
        // Ordinary traffic above the capacity is refused as a queue
        // without end.
        .set(
            "baseline = 5500",
            &format!("baseline = {}", capacity.min(5500)),
        )
        .set(
            "on_give_up = \"reroute\"",
            if reroute {
                "on_give_up = \"reroute\""
            } else {
                "on_give_up = \"return_home\""
            },
        )
        .prepare()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn every_man_is_accounted_for_and_no_post_exceeds_its_capacity(
        seed in 0u64..(i64::MAX as u64),
        hazard in -9.0f64..-6.5,
        patience in 0.5f64..10.0,
        capacity in 0u32..20_000,
        exempt in 0.0f64..1.0,
        reroute in any::<bool>(),
    ) {
        let (scenario, settings) = random_scenario(seed, hazard, patience, capacity, exempt, reroute);
        let timeline = PolicyTimeline::new(&scenario);
        let mut sim = Simulation::new(&scenario, &settings).unwrap();
        let agents = sim.population().eligible_agents();
        while !sim.finished() {
            sim.step();
            prop_assert_eq!(sim.state_counts(), sim.census());
            prop_assert_eq!(sim.state_counts().iter().sum::<u64>(), agents);
        }
        let results = sim.into_results();
        for (t, rows) in results.crossing_days.iter().enumerate() {
            prop_assert_eq!(results.national[t].accounted(), results.eligible);
            for (c, row) in rows.iter().enumerate() {
                let cap = u64::from(timeline.conditions(c, t as i64, View::Actual).capacity);
                prop_assert!(row.entries + row.caught + row.turned_back <= cap + u64::from(settings.scale()));
            }
        }
    }

    #[test]
    fn closing_a_crossing_never_raises_its_exodus(seed in 0u64..(i64::MAX as u64), day in 3i64..20) {
        let base = random_scenario(seed, -7.5, 5.0, 6000, 0.1, true);
        let date = base.0.calendar().date(day);
        let closed = Fixture::tiny()
            .set("seed = 42", &format!("seed = {seed}"))
            .set("base_log_hazard = -8.3", "base_log_hazard = -7.5")
            .set("scale = 500", "scale = 2000")
            .append(&format!(
                "[[policy]]\nid = \"close\"\nkind = \"capacity_change\"\nstart = {date}\ncrossings = [\"upper-lars\"]\ncapacity = 0\n"
            ))
            .prepare();
        let lars = base.0.crossing_index("upper-lars").unwrap();
        let crossed = |(s, settings): &(Scenario, RunSettings)| -> u64 {
            let r = super::run(s, settings);
            r.crossing_days.iter().map(|d| d[lars].crossed).sum()
        };
        prop_assert!(crossed(&closed) <= crossed(&base));
    }

    #[test]
    fn choice_probabilities_sum_to_one_or_nothing_is_feasible(
        travel in -2.0f64..0.0,
        wait in -2.0f64..0.0,
        wait_days in 0.0f64..60.0,
        today in 0i64..21,
        region in 0usize..83,
        rank in any::<u8>(),
        docs in 0usize..3,
    ) {
        let s = Fixture::tiny()
            .set("travel_day = -0.6", &format!("travel_day = {travel:?}"))
            .set("wait_day = -0.35", &format!("wait_day = {wait:?}"))
            .load();
        let timeline = PolicyTimeline::new(&s);
        let mut table = ChoiceTable::new(&s);
        let seats = SeatLedger::new(&s, &timeline, 1);
        let waits = vec![wait_days; s.crossings().len()];
        let outlook = Outlook {
            today,
            observed_wait: &waits,
            seats: &seats,
            rumour: Rumour::default(),
        };
        table.update(&s, &timeline, &outlook);
        let who = Chooser {
            origin: Origin::Region(region),
            mode: Mode::Public,
            documents: Documents::ALL[docs],
            exempt_rank: rank,
            exclude: None,
        };
        let p = table.probabilities(&who);
        let total: f64 = p.iter().sum();
        prop_assert!(p.iter().all(|&x| (0.0..=1.0).contains(&x)));
        // Kazakhstan needs only the internal passport and never closes here: always feasible.
        prop_assert!((total - 1.0).abs() < 1e-9);
        prop_assert_eq!(table.choose(&who, 0.5).is_some(), total > 0.0);
    }

    #[test]
    fn a_crossing_is_drawn_with_its_probability(
        today in 0i64..21,
        region in 0usize..83,
        rank in any::<u8>(),
        docs in 0usize..3,
        car in any::<bool>(),
        leaving in proptest::option::of(0usize..5),
    ) {
        // Days after 30 Sep hold Finland's entry ban with its exempt share,
        // so the draws of men it may turn away are tried too.
        let s = Fixture::tiny().load();
        let timeline = PolicyTimeline::new(&s);
        let mut table = ChoiceTable::new(&s);
        let seats = SeatLedger::new(&s, &timeline, 1);
        let waits = vec![1.0; s.crossings().len()];
        let outlook = Outlook {
            today,
            observed_wait: &waits,
            seats: &seats,
            rumour: Rumour::default(),
        };
        table.update(&s, &timeline, &outlook);
        let home = Chooser {
            origin: Origin::Region(region),
            mode: if car { Mode::Car } else { Mode::Public },
            documents: Documents::ALL[docs],
            exempt_rank: rank,
            exclude: None,
        };
        let who = leaving.map_or(home, |c| home.leaving(c));
        let p = table.probabilities(&who);
        // The inverse of the distribution function on an even grid of u:
        // each crossing's share of the grid is its probability within 1/N.
        const N: usize = 2000;
        let mut drawn = vec![0usize; p.len()];
        for i in 0..N {
            if let Some(choice) = table.choose(&who, (i as f64 + 0.5) / N as f64) {
                drawn[choice.crossing] += 1;
                prop_assert_eq!(Some(choice), table.option(&who, choice.crossing));
            }
        }
        for (c, (&n, &pc)) in drawn.iter().zip(&p).enumerate() {
            prop_assert!(
                (n as f64 / N as f64 - pc).abs() <= 1.0 / N as f64 + 1e-9,
                "crossing {c}: drawn {n} of {N}, probability {pc}"
            );
        }
    }

    #[test]
    fn more_capacity_never_lengthens_a_queue_at_equal_arrivals(
        arrivals in proptest::collection::vec(0u32..40, 1..30),
        capacity in 1u32..50,
        extra in 0u32..50,
        scale in 1u32..5,
    ) {
        let (mut small, mut large) = (Queue::default(), Queue::default());
        let mut next = 0u32;
        for (day, &n) in arrivals.iter().enumerate() {
            for _ in 0..n {
                let entry = Entry::Man { agent: next, joined: day as u32, patience: f32::MAX };
                small.push(entry, scale);
                large.push(entry, scale);
                next += 1;
            }
            small.push(Entry::Ordinary { persons: 3, joined: day as u32 }, scale);
            large.push(Entry::Ordinary { persons: 3, joined: day as u32 }, scale);
            small.process(day as u32, capacity, scale, |_| Outcome::Crossed);
            large.process(day as u32, capacity + extra, scale, |_| Outcome::Crossed);
            prop_assert!(large.persons() <= small.persons(), "day {day}");
        }
    }
}
