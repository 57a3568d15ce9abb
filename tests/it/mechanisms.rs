//! The mechanisms that shape the exodus each have the effect they should,
//! shown by paired runs of the test fixture with and without them (same
//! seed): flights booked ahead, men who move on or go home, the exits of
//! ordinary travellers, the rumoured exit ban, the resolute who leave
//! first, the car ban, the weekly pattern of ordinary traffic, queue patience
//! and refused passport applications.

use exodus::engine::Simulation;
use exodus::model::air::SeatLedger;
use exodus::model::choice::{ChoiceTable, Chooser, Outlook};
use exodus::model::policy::{PolicyTimeline, View};
use exodus::model::travel::{Mode, Origin};
use exodus::population::AgentState;
use exodus::results::{CrossingDay, RunResults};
use exodus::scenario::Documents;

use super::{Fixture, crossing, day, destination};

/// The fixture with Armenia reached by air (internal passport), from every
/// airport of the routes file that flies there, at `load`.
fn with_flights(load: f64) -> Fixture {
    Fixture::tiny()
        .set(
            "crossings = \"data/crossings.csv\"",
            "crossings = \"data/crossings.csv\"\nair_routes = \"data/air-routes.csv\"",
        )
        .append(&format!(
            "[air]\nordinary_load = {load}\nfare_surge = 1.5\ndomestic_flight_days = 0.5\n\
             domestic_flight_rub = 8000\nbooking_days = 30\n\n\
             [[destination]]\nname = \"Armenia\"\ndocuments = \"internal_passport\"\nconstant = 1.0\n"
        ))
}

/// `field` summed over destination `name`'s days `from..=to`.
fn destination_sum(
    r: &RunResults,
    name: &str,
    from: &str,
    to: &str,
    field: impl Fn(&RunResults, usize, usize) -> u64,
) -> u64 {
    let d = destination(r, name);
    (day(r, from)..=day(r, to)).map(|t| field(r, t, d)).sum()
}

fn decided(r: &RunResults, from: &str, to: &str) -> u64 {
    (day(r, from)..=day(r, to))
        .map(|t| r.national[t].decided)
        .sum()
}

#[test]
fn flights_are_never_oversold_and_scarce_seats_send_men_by_road() {
    let scarce = with_flights(0.98).run();
    let plenty = with_flights(0.5).run();
    let scenario = with_flights(0.98).load();
    let timeline = PolicyTimeline::new(&scenario);
    let scale = 500;
    for (c, x) in scenario.crossings().iter().enumerate() {
        if !x.is_air() {
            continue;
        }
        for (t, days) in scarce.crossing_days.iter().enumerate() {
            let seats = u64::from(timeline.conditions(c, t as i64, View::Actual).capacity);
            let row = days[c];
            assert!(
                row.crossed + row.baseline_entries <= seats + scale,
                "{} day {t}: {} men and {} passengers on {seats} seats",
                x.id,
                row.crossed,
                row.baseline_entries
            );
            assert_eq!(row.queue, 0, "{} day {t}: nobody queues for a flight", x.id);
        }
    }
    let by_air = |r: &RunResults| {
        destination_sum(r, "Armenia", "2022-09-21", "2022-10-09", |r, t, d| {
            r.destination_total(t, d, |x| x.crossed)
        })
    };
    let by_road = |r: &RunResults| {
        destination_sum(r, "Kazakhstan", "2022-09-21", "2022-10-09", |r, t, d| {
            r.destination_total(t, d, |x| x.crossed)
        })
    };
    assert!(
        by_air(&scarce) * 3 < by_air(&plenty),
        "few free seats, fewer flights: {} vs {}",
        by_air(&scarce),
        by_air(&plenty)
    );
    assert!(
        by_road(&scarce) > by_road(&plenty),
        "men who find no seat go by road: {} vs {}",
        by_road(&scarce),
        by_road(&plenty)
    );
}

#[test]
fn fares_rise_as_flights_sell_out() {
    let scenario = with_flights(0.9).load();
    let timeline = PolicyTimeline::new(&scenario);
    let mut seats = SeatLedger::new(&scenario, &timeline, 1);
    let route = scenario.crossing_index("svo-armenia").unwrap();
    let today = scenario.calendar().decree as i64;
    let fare_now = seats.fare(route, today, today);
    let first = seats.first_free(route, today, today).unwrap();
    assert_eq!(first, today);
    // Sell out the next three days.
    for d in today..today + 3 {
        while let Some(f) = seats.first_free(route, d, today).filter(|&f| f == d) {
            seats.book(route, f);
        }
    }
    let later = seats.first_free(route, today, today).unwrap();
    assert_eq!(later, today + 3);
    assert!(seats.fare(route, today, later) > 4.0 * fare_now);
}

#[test]
fn ordinary_travellers_leave_as_they_came_before_the_decree() {
    let r = Fixture::tiny().run();
    for t in 0..day(&r, "2022-09-21") {
        for (c, x) in r.crossing_days[t].iter().enumerate() {
            assert_eq!(
                x.baseline_exits, x.baseline_entries,
                "day {t} crossing {c}: the steady state"
            );
        }
    }
}

#[test]
fn men_move_on_from_a_transit_hub_and_arrive_where_they_go() {
    let hub = Fixture::tiny()
        .set(
            "name = \"Kazakhstan\"\ndocuments = \"internal_passport\"\nconstant = 0.0",
            "name = \"Kazakhstan\"\ndocuments = \"internal_passport\"\nconstant = 0.0\n\
             onward_per_day = 0.2\nonward = { Georgia = 1.0 }\nonward_days = 2",
        )
        .run();
    let stay = Fixture::tiny().run();
    let (from, to) = ("2022-09-21", "2022-10-09");
    let exits = |r: &RunResults| {
        destination_sum(r, "Kazakhstan", from, to, |r, t, d| {
            r.destination_exits(t, d)
        })
    };
    assert!(
        exits(&hub) > exits(&stay),
        "moving on adds to the exits: {} vs {}",
        exits(&hub),
        exits(&stay)
    );
    let moved = destination_sum(&hub, "Kazakhstan", from, to, |r, t, d| {
        r.destination_days[t][d].moved_on
    });
    let arrived = destination_sum(&hub, "Georgia", from, to, |r, t, d| {
        r.destination_days[t][d].onward_entries
    });
    let on_the_way = hub.national.last().unwrap().moving_on;
    assert!(moved > 0);
    assert_eq!(
        moved,
        arrived + on_the_way,
        "every man who left arrives or is on his way"
    );
    let kz = destination(&hub, "Kazakhstan");
    let ge = destination(&hub, "Georgia");
    assert_eq!(
        hub.onward,
        vec![(kz, ge, moved)],
        "onward.csv: where they went"
    );
    // Georgia counts them among its entries.
    let entries = |r: &RunResults| {
        destination_sum(r, "Georgia", from, to, |r, t, d| {
            r.destination_entries(t, d)
        })
    };
    let by_crossings = destination_sum(&hub, "Georgia", from, to, |r, t, d| {
        r.destination_total(t, d, |x| x.entries)
    });
    assert_eq!(entries(&hub), by_crossings + arrived);
}

#[test]
fn men_who_go_home_leave_by_the_crossing_they_came_by_and_stay_home() {
    let fx = Fixture::tiny().set(
        "name = \"Georgia\"\ndocuments = \"foreign_passport\"\nconstant = 1.2",
        "name = \"Georgia\"\ndocuments = \"foreign_passport\"\nconstant = 1.2\nreturn_per_day = 0.1",
    );
    let r = fx.run();
    let lars = crossing(&r, "upper-lars");
    let ge = destination(&r, "Georgia");
    let mut went_home = 0;
    for t in 0..r.national.len() {
        let x = r.crossing_days[t][lars];
        assert_eq!(
            x.exits - x.baseline_exits,
            r.destination_days[t][ge].went_home,
            "day {t}: men going home leave by Upper Lars, Georgia's only crossing"
        );
        went_home += r.destination_days[t][ge].went_home;
    }
    let last = r.national.last().unwrap();
    assert!(went_home > 0);
    assert_eq!(last.came_back, went_home);
    assert!(last.returned >= last.came_back);
    // They are home: the accounting holds and they can be called up.
    let (scenario, settings) = fx.prepare();
    let mut sim = Simulation::new(&scenario, &settings).unwrap();
    while !sim.finished() {
        sim.step();
    }
    assert_eq!(sim.census(), sim.state_counts());
    assert!(
        sim.home_pool_is_consistent(),
        "men who came back rejoin the draft pool"
    );
    assert!(
        sim.population()
            .groups()
            .any(|(_, state, n)| state == AgentState::CameBack && n > 0)
    );
}

const RUMOUR: &str = "
[[policy]]
id = \"rumour\"
kind = \"exit_ban_rumour\"
start = 2022-09-22
end = 2022-09-25
expected = 2022-09-28
credence = 0.9
fade_days = 1.0
";

#[test]
fn a_rumoured_exit_ban_brings_decisions_forward_and_is_forgotten_when_its_day_passes() {
    // Without the peer effect (the fixture has none), which would carry the
    // early departures forward, and at 1:50 so that sampling noise is small.
    let fixture = || Fixture::tiny().set("scale = 500", "scale = 50");
    let rumoured = fixture().append(RUMOUR).run();
    let calm = fixture().run();
    let during = |r: &RunResults| decided(r, "2022-09-22", "2022-09-27");
    let after = |r: &RunResults| decided(r, "2022-09-28", "2022-10-09");
    assert!(
        during(&rumoured) > during(&calm) * 3 / 2,
        "men hurry before the feared closure: {} vs {}",
        during(&rumoured),
        during(&calm)
    );
    // Once its day has passed, the hazard is the same and fewer men are
    // left at home; the rest is sampling noise (under 2% at 1:50).
    assert!(
        after(&rumoured) as f64 <= after(&calm) as f64 * 1.03,
        "once the day has passed the rumour adds nothing: {} vs {}",
        after(&rumoured),
        after(&calm)
    );
    assert_eq!(
        decided(&rumoured, "2022-09-21", "2022-09-21"),
        decided(&calm, "2022-09-21", "2022-09-21"),
        "nothing changes before the rumour starts"
    );
    // A closure on 28 Sep is no crossing: nobody is turned back.
    let turned: u64 = rumoured
        .crossing_days
        .iter()
        .flatten()
        .map(|x| x.turned_back)
        .sum();
    let calm_turned: u64 = calm
        .crossing_days
        .iter()
        .flatten()
        .map(|x| x.turned_back)
        .sum();
    assert_eq!(turned > 0, calm_turned > 0, "the rumour closes nothing");
}

#[test]
fn the_rumour_weighs_on_crossings_reached_after_the_expected_day() {
    let scenario = Fixture::tiny().append(RUMOUR).load();
    let timeline = PolicyTimeline::new(&scenario);
    let seats = SeatLedger::new(&scenario, &timeline, 1);
    let today = scenario.calendar().day_of("2022-09-23".parse().unwrap());
    let rumour = timeline.rumour(today);
    assert_eq!(rumour.credence, 0.9);
    let mut table = ChoiceTable::new(&scenario);
    let waits = vec![0.0; scenario.crossings().len()];
    let probabilities = |table: &mut ChoiceTable, rumour| {
        table.update(
            &scenario,
            &timeline,
            &Outlook {
                today,
                observed_wait: &waits,
                seats: &seats,
                rumour,
            },
        );
        // A man of Kaliningrad with a visa: Finland is near, Georgia far.
        let who = Chooser {
            origin: Origin::Region(
                scenario
                    .regions()
                    .iter()
                    .position(|r| r.iso == "RU-KGD")
                    .unwrap(),
            ),
            mode: Mode::Public,
            documents: Documents::SchengenVisa,
            exempt_rank: 0,
            exclude: None,
        };
        table.probabilities(&who)
    };
    let believed = probabilities(&mut table, rumour);
    let ignored = probabilities(&mut table, Default::default());
    // Upper Lars is days away from Kaliningrad; Finland is not.
    let lars = scenario.crossing_index("upper-lars").unwrap();
    assert!(
        believed[lars] < ignored[lars] / 2.0,
        "a far crossing, reached after the feared closure, loses: {} vs {}",
        believed[lars],
        ignored[lars]
    );
}

#[test]
fn the_resolute_leave_first() {
    let fx = Fixture::tiny().set(
        "fatigue_per_day = 0.05",
        "fatigue_per_day = 0.05\nresolute_share = 0.05\nresolute = 6.5",
    );
    let (scenario, settings) = fx.prepare();
    let mut sim = Simulation::new(&scenario, &settings).unwrap();
    let share_at_home = |sim: &Simulation<'_>| {
        let cohorts = sim.population().cohorts;
        let home: Vec<_> = sim
            .population()
            .groups()
            .filter(|&(_, state, _)| state == AgentState::AtHome)
            .collect();
        let resolute: u64 = home
            .iter()
            .filter(|&&(c, _, _)| cohorts.key(c).resolute)
            .map(|&(_, _, n)| n)
            .sum();
        let all: u64 = home.iter().map(|&(_, _, n)| n).sum();
        resolute as f64 / all as f64
    };
    let before = share_at_home(&sim);
    assert!((0.04..0.06).contains(&before), "{before}");
    while sim.days_done() < scenario.calendar().decree + 7 {
        sim.step();
    }
    let after = share_at_home(&sim);
    assert!(
        after < before / 2.0,
        "a week after the decree the resolute are mostly gone: {before} then {after}"
    );
    // So decisions fall faster than with everyone alike.
    let r = sim.run_until(&|| false, &|_| {}).unwrap();
    let alike = Fixture::tiny().run();
    let fall = |r: &RunResults| {
        decided(r, "2022-09-28", "2022-10-04") as f64
            / decided(r, "2022-09-21", "2022-09-27") as f64
    };
    assert!(
        fall(&r) < fall(&alike),
        "second week over first: {} vs {}",
        fall(&r),
        fall(&alike)
    );
}

#[test]
fn a_car_ban_sends_drivers_by_public_transport() {
    let banned = Fixture::tiny()
        .append("[[policy]]\nid = \"no-cars\"\nkind = \"car_ban\"\nstart = 2022-09-19\ncrossings = [\"upper-lars\"]\n")
        .load();
    let open = Fixture::tiny().load();
    let today = banned.calendar().day_of("2022-09-25".parse().unwrap());
    let lars = banned.crossing_index("upper-lars").unwrap();
    // Far enough for a car to be a day quicker than a bus.
    let moscow = banned
        .regions()
        .iter()
        .position(|r| r.iso == "RU-MOW")
        .unwrap();
    let option = |scenario, mode| {
        let timeline = PolicyTimeline::new(scenario);
        let seats = SeatLedger::new(scenario, &timeline, 1);
        let waits = vec![0.0; scenario.crossings().len()];
        let mut table = ChoiceTable::new(scenario);
        table.update(
            scenario,
            &timeline,
            &Outlook {
                today,
                observed_wait: &waits,
                seats: &seats,
                rumour: Default::default(),
            },
        );
        let who = Chooser {
            origin: Origin::Region(moscow),
            mode,
            documents: Documents::ForeignPassport,
            exempt_rank: 0,
            exclude: None,
        };
        (table.option(&who, lars), table.probabilities(&who)[lars])
    };
    let (by_car, _) = option(&open, Mode::Car);
    let (by_bus, _) = option(&open, Mode::Public);
    let (banned_car, p_banned) = option(&banned, Mode::Car);
    let (by_car, by_bus, banned_car) = (by_car.unwrap(), by_bus.unwrap(), banned_car.unwrap());
    assert!(
        by_car.arrival < by_bus.arrival,
        "a car is quicker: {by_car:?} {by_bus:?}"
    );
    assert_eq!(
        banned_car.arrival, by_bus.arrival,
        "under the ban a driver reaches Upper Lars as a bus passenger does"
    );
    let (_, p_open) = option(&open, Mode::Car);
    assert!(
        p_open > p_banned,
        "the ban makes Upper Lars less attractive to drivers: {p_open} vs {p_banned}"
    );
}

#[test]
fn ordinary_traffic_follows_its_destinations_week() {
    let r = Fixture::tiny()
        .set(
            "name = \"Finland\"\ndocuments = \"schengen_visa\"\nconstant = 2.0",
            "name = \"Finland\"\ndocuments = \"schengen_visa\"\nconstant = 2.0\n\
             weekly = [1, 1, 1, 1, 1, 2, 1]",
        )
        .run();
    let vaalimaa = crossing(&r, "vaalimaa");
    // Factors rescaled to average 1: 7/8 on weekdays, 14/8 on Saturdays.
    let weekday = r.crossing_days[day(&r, "2022-09-19")][vaalimaa].baseline_entries;
    let saturday = r.crossing_days[day(&r, "2022-09-24")][vaalimaa].baseline_entries;
    assert_eq!(weekday, (1613.0_f64 * 7.0 / 8.0).round() as u64);
    assert_eq!(saturday, (1613.0_f64 * 14.0 / 8.0).round() as u64);
}

#[test]
fn men_turned_back_at_an_airport_choose_again() {
    // Armenia bars Russian men from 1 Oct but for a half who are exempt: its
    // airports turn men back, and they choose again from there.
    let scenario = with_flights(0.5)
        .append(
            "[[policy]]\nid = \"armenia-ban\"\nkind = \"entry_ban\"\nstart = 2022-10-01\n\
             destinations = [\"Armenia\"]\nexempt_share = 0.5\n",
        )
        .load();
    let timeline = PolicyTimeline::new(&scenario);
    let seats = SeatLedger::new(&scenario, &timeline, 1);
    let waits = vec![0.0; scenario.crossings().len()];
    let airport = scenario.crossing_index("svo-armenia").unwrap();
    let bugristoye = scenario.crossing_index("bugristoye").unwrap();
    let choose_again = |date: &str, from: usize| {
        let today = scenario.calendar().day_of(date.parse().unwrap());
        let mut table = ChoiceTable::new(&scenario);
        table.update(
            &scenario,
            &timeline,
            &Outlook {
                today,
                observed_wait: &waits,
                seats: &seats,
                rumour: Default::default(),
            },
        );
        let who = Chooser {
            origin: Origin::Region(0),
            mode: Mode::Public,
            documents: Documents::InternalPassport,
            exempt_rank: 200,
            exclude: None,
        }
        .leaving(from);
        (table.choose(&who, 0.5), table.probabilities(&who))
    };
    let (choice, p) = choose_again("2022-10-02", airport);
    assert!(
        choice.is_some(),
        "turned back at the airport, he chooses again"
    );
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert_eq!(p[airport], 0.0, "not the airport he left");
    // Land posts always have their rows; an airport that sends nobody away
    // has none, and nobody asks for it.
    assert!(choose_again("2022-09-25", bugristoye).0.is_some());
    assert!(choose_again("2022-09-25", airport).0.is_none());
}

#[test]
fn impatient_men_leave_queues_that_then_clear_soon_after_the_surge() {
    let with_patience = |days: f64| {
        Fixture::tiny()
            .set(
                "patience_mean_days = 5.0",
                &format!("patience_mean_days = {days}"),
            )
            .run()
    };
    let (patient, impatient) = (with_patience(5.0), with_patience(0.5));
    // `field` summed over every crossing and the days `from..=to`.
    let total = |r: &RunResults, field: fn(&CrossingDay) -> u64, from: &str, to: &str| {
        r.crossing_days[day(r, from)..=day(r, to)]
            .iter()
            .flatten()
            .map(field)
            .sum::<u64>()
    };
    // The surge builds queues either way...
    let surge = |r: &RunResults| total(r, |x| x.queue, "2022-09-21", "2022-09-30");
    assert!(surge(&patient) > 0, "the fixture's surge queues");
    // ...but impatient men give up more, so the queue is shorter during the surge and
    // nearly gone a week or two later, while patient men still wait.
    let gave_up = |r: &RunResults| total(r, |x| x.gave_up_events, "2022-09-21", "2022-10-09");
    assert!(
        gave_up(&impatient) > gave_up(&patient),
        "gave up: {} impatient vs {} patient",
        gave_up(&impatient),
        gave_up(&patient)
    );
    assert!(surge(&impatient) < surge(&patient));
    let late = |r: &RunResults| total(r, |x| x.queue, "2022-10-03", "2022-10-09");
    assert!(
        (late(&impatient) as f64) < 0.5 * late(&patient) as f64,
        "queued persons 3-9 Oct: {} impatient vs {} patient",
        late(&impatient),
        late(&patient)
    );
}

#[test]
fn a_refused_applicant_stays_home_rather_than_setting_off_on_the_day() {
    // Every decider without a foreign passport applies, and passports take 5 days; a ban
    // from 25 Sep refuses the applications of 21-24 Sep when they fall due (26-29 Sep).
    // With no ban they are granted and their holders leave.
    // Decisions fade within days (fatigue 3 a day), so that hardly anyone else leaves on
    // the due days in either run.
    let with_ban = |ban: bool| {
        let fx = Fixture::tiny()
            .set("apply_share = 0.15", "apply_share = 1.0")
            .set("processing_days = 10", "processing_days = 5")
            .set("fatigue_per_day = 0.05", "fatigue_per_day = 3.0");
        let fx = if ban {
            fx.append(
                "[[policy]]\nid = \"ban\"\nkind = \"foreign_passport_ban\"\nstart = 2022-09-25\nrefuse_pending = true\n",
            )
        } else {
            fx
        };
        fx.run()
    };
    let (refused, granted) = (with_ban(true), with_ban(false));
    let (from, to) = (day(&refused, "2022-09-26"), day(&refused, "2022-09-29"));
    let falls_due = |r: &RunResults| {
        (from..=to)
            .map(|t| {
                r.national[t - 1]
                    .awaiting_passport
                    .saturating_sub(r.national[t].awaiting_passport)
            })
            .sum::<u64>()
    };
    let departed = |r: &RunResults| (from..=to).map(|t| r.national[t].departed).sum::<u64>();
    assert!(
        falls_due(&refused) > 0,
        "applications fall due under the ban"
    );
    // Granted, the applicants leave on their due days; refused, they are men at home again
    // and leave only as today's (faded) hazard has them.
    let fell_due = falls_due(&refused) as f64;
    assert!(
        departed(&granted) as f64 > 0.8 * fell_due && (departed(&refused) as f64) < 0.2 * fell_due,
        "departed on the due days: granted {} vs refused {} ({} applications fell due)",
        departed(&granted),
        departed(&refused),
        falls_due(&refused)
    );
}

#[test]
fn men_leave_sooner_where_more_of_their_region_has_gone() {
    // The peer effect: the leave hazard rises with the percent of the
    // region's eligible men who have crossed. For weeks it had no effect at
    // all (no crossing was counted toward it), and this test would have
    // found equal exoduses.
    let exodus = |peer: &str| {
        let r = Fixture::tiny()
            .set("peer = 0.0 ", &format!("peer = {peer} "))
            .run();
        let days = r.national.len();
        let total: u64 = (0..days)
            .flat_map(|t| (0..r.destinations.len()).map(move |d| (t, d)))
            .map(|(t, d)| r.destination_total(t, d, |x| x.crossed))
            .sum();
        total
    };
    let (none, strong) = (exodus("0.0"), exodus("3.0"));
    assert!(
        strong as f64 > 1.1 * none as f64,
        "with peer 3.0: {strong}, without: {none}"
    );
}

#[test]
fn ordinary_travellers_put_off_their_trips_while_a_queue_of_days_stands() {
    let with_response = |response: f64| {
        Fixture::tiny()
            .set(
                "ordinary_wait_response = 0.0",
                &format!("ordinary_wait_response = {response}"),
            )
            .run()
    };
    let (fixed, responsive) = (with_response(0.0), with_response(1.5));
    // Before the decree there is no queue: the ordinary traffic is the same.
    let ordinary = |r: &RunResults, from: &str, to: &str| {
        r.crossing_days[day(r, from)..=day(r, to)]
            .iter()
            .flatten()
            .map(|x| x.baseline_entries)
            .sum::<u64>()
    };
    assert_eq!(
        ordinary(&fixed, "2022-09-19", "2022-09-20"),
        ordinary(&responsive, "2022-09-19", "2022-09-20")
    );
    // With a queue of days, fewer ordinary travellers come, and more of
    // the post's capacity goes to the men of the exodus.
    let (kept, put_off) = (
        ordinary(&fixed, "2022-09-22", "2022-09-30"),
        ordinary(&responsive, "2022-09-22", "2022-09-30"),
    );
    assert!(
        (put_off as f64) < 0.9 * kept as f64,
        "ordinary entries 22-30 Sep: {put_off} answering the queue vs {kept} fixed"
    );
    let crossed = |r: &RunResults| {
        r.crossing_days[day(r, "2022-09-22")..=day(r, "2022-09-30")]
            .iter()
            .flatten()
            .map(|x| x.crossed)
            .sum::<u64>()
    };
    assert!(crossed(&responsive) > crossed(&fixed));
    // Where no queue stood in the morning, they come as they always do.
    let mut calm = 0;
    for t in 1..responsive.crossing_days.len() {
        for (c, x) in responsive.crossing_days[t].iter().enumerate() {
            if responsive.crossing_days[t - 1][c].queue == 0 {
                calm += 1;
                assert_eq!(
                    x.baseline_entries, fixed.crossing_days[t][c].baseline_entries,
                    "day {t}, crossing {c}"
                );
            }
        }
    }
    assert!(calm > 0);
}

#[test]
fn men_abroad_come_home_after_the_mobilization_ends() {
    let with_end = |hazard: Option<f64>| {
        let fx = Fixture::tiny().set(
            "name = \"Georgia\"\ndocuments = \"foreign_passport\"\nconstant = 1.2",
            "name = \"Georgia\"\ndocuments = \"foreign_passport\"\nconstant = 1.2\nreturn_per_day = 0.005",
        );
        match hazard {
            Some(h) => fx
                .append(&format!(
                    "\n[[policy]]\nid = \"end\"\nkind = \"mobilization_end\"\nstart = 2022-10-02\nreturn_per_day = {h}\n"
                ))
                .run(),
            None => fx.run(),
        }
    };
    let (without, with) = (with_end(None), with_end(Some(0.3)));
    let ge = destination(&with, "Georgia");
    let went_home = |r: &RunResults, from: &str, to: &str| {
        destination_sum(r, "Georgia", from, to, |r, t, d| {
            r.destination_days[t][d].went_home
        })
    };
    // Nothing changes before the end...
    for t in 0..day(&with, "2022-10-01") {
        assert_eq!(
            with.destination_days[t][ge], without.destination_days[t][ge],
            "day {t}"
        );
    }
    // ...and from it the men of the exodus go home: at 0.3 a day, most of
    // Georgia's men within a week, against a few at 0.005 a day.
    let (home_with, home_without) = (
        went_home(&with, "2022-10-02", "2022-10-09"),
        went_home(&without, "2022-10-02", "2022-10-09"),
    );
    assert!(
        home_with > 10 * home_without.max(1),
        "went home 2-9 Oct: {home_with} after the end vs {home_without} without it"
    );
    let stock = |r: &RunResults| r.destination_days.last().map_or(0, |row| row[ge].abroad);
    assert!(
        (stock(&with) as f64) < 0.5 * stock(&without) as f64,
        "Georgia's stock at the end: {} vs {}",
        stock(&with),
        stock(&without)
    );
    // Those who came home are counted as such (less any called up since).
    let came_home: u64 = (0..with.national.len())
        .map(|t| {
            with.destination_days[t]
                .iter()
                .map(|d| d.went_home)
                .sum::<u64>()
        })
        .sum();
    let came_back = with.national.last().map_or(0, |n| n.came_back);
    assert!(came_back <= came_home && came_back > came_home / 2);
}
