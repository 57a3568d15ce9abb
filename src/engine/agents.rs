//! Step 2 of a day: the men at home kept as counts, then every agent once,
//! in parallel over fixed work units.
//!
//! **Agents.** Each chunk of agents works on its own slice with its own
//! random stream and returns a [`ChunkReport`]: its transitions (a
//! [`Tally`]), the agents arriving at a crossing today, the men who chose a
//! flight and must now book a seat, the men who decided to leave, and the
//! movements abroad. In the per-man reference a man at home draws one
//! uniform number `u` for the two competing risks: drafted if `u < draft`,
//! acting if `draft <= u < act`. With counts, the agents at home draw the
//! same risks from the points of a Poisson process on a line
//! ([`DraftLine`]), the same way as the counts below: a man costs a
//! subtraction, not a draw.
//!
//! **Counts.** The men at home who have not acted are counts per cohort
//! (see [`crate::population`]). Each region's cohorts are drawn from the
//! region's stream of the day. The model gives each man two independent
//! risks a day, drafted with `p_d = 1 − e^{−λ_d}` and wanting to leave with
//! `p_l = 1 − e^{−λ_l}` (`λ_d = −ln(1 − p_d)` is his priority class's,
//! `λ_l` his cohort's hazard); he is drafted if called up, and acts if he
//! wants to leave and is not called up, exactly the thresholds above. Give
//! each man of the region an interval of length `λ_d + λ_l` on a line, its
//! first part `λ_d` long, lay the intervals end to end, cohort after cohort,
//! and throw the points of a Poisson process of rate 1 on the line (gaps
//! `Exp(1)`). The numbers of points in disjoint intervals are independent
//! Poisson variables, so a man's first part holds a point with probability
//! `1 − e^{−λ_d} = p_d`, his second with `p_l`, independently of each other
//! and of every other man: he is drafted when his first part holds a point,
//! and acts when only his second does. The counts drafted and acting per
//! cohort then have the model's multinomial distribution exactly, and the
//! cost is one step per cohort with men at home and one per point (about one
//! per man who acts or is drafted), not one per man. A class called up
//! whole (`p_d = 1`) is drafted without a draw, and a cohort whose hazards
//! sum to more than one point per man (a class called up almost whole, or
//! an extreme decision hazard) draws the same risks as conditional binomials
//! instead, drafted `~ Binomial(n, p_d)` then acting
//! `~ Binomial(n − drafted, p_l)`, equally exact; the line skips its stretch. Each man who acts becomes an
//! agent (with a uniform exempt rank, as at synthesis) and does at once what
//! a man deciding does in the per-man loop ([`decide`]). The men who went
//! home for good (returned, came back) are counts per cohort too, and can
//! only be drafted: each has a stretch `λ_d` long on the same line.
//! An agent who comes back today joins his count after the pass.
//!
//! Reports are merged in a fixed order (agent chunks, then regions), and the
//! new agents are appended region by region, so the result does not depend
//! on the number of threads. What a man does is the model's
//! ([`crate::model`]); here it is applied to agents and counts.

use rand::distr::Distribution;
use rand::{Rng, RngExt};
use rand_distr::{Binomial, Exp1};
use rayon::prelude::*;

use super::departure::Booking;
use super::flows::Flows;
use super::state::{self, Tally, move_agent};
use super::{CHUNK, Odds, Simulation};
use crate::model::abroad::{Fate, Onward};
use crate::model::air::SeatLedger;
use crate::model::choice::{ChoiceTable, Chooser};
use crate::model::decision::{leave_hazard, probability_of_hazard};
use crate::model::documents;
use crate::model::policy::PolicyTimeline;
use crate::population::{Agent, AgentState, Cohorts};
use crate::rng::{SimRng, Stream, stream};
use crate::scenario::{Documents, Scenario};

/// The merged result of one agent pass.
pub(super) struct PassSummary {
    /// Agents arriving today, per crossing, in agent order.
    pub(super) arrivals: Vec<Vec<u32>>,
    /// Men at home who chose a flight, in agent order: they book next.
    pub(super) bookings: Vec<Booking>,
    /// Agents who decided to leave for the first time.
    pub(super) decided: u64,
    /// Agents who set off from home.
    pub(super) departed: u64,
    /// Movements abroad.
    pub(super) flows: Flows,
}

/// Read-only context shared by the chunks.
struct DayContext<'a> {
    scenario: &'a Scenario,
    cohorts: Cohorts,
    /// Every cohort's odds (the per-man reference), or empty (counts).
    odds: &'a [Odds],
    /// Men at home are counts (not the per-man reference).
    counts: bool,
    /// Draft probability per priority class.
    draft: &'a [f64],
    /// Draft hazard per priority class.
    draft_hazard: &'a [f64],
    /// Fixed factor of each cohort's leave hazard.
    exp_cohort: &'a [f64],
    /// Daily factor of the leave hazard per region and documents.
    exp_daily: &'a [f64],
    choice: &'a ChoiceTable,
    timeline: &'a PolicyTimeline,
    seats: &'a SeatLedger,
    onward: &'a Onward,
    day: u32,
}

/// What one chunk did.
struct ChunkReport {
    tally: Tally,
    /// (crossing, agent) of each agent arriving today, in agent order.
    arrivals: Vec<(u8, u32)>,
    /// Men who chose a flight, in agent order.
    bookings: Vec<Booking>,
    decided: u64,
    flows: Flows,
    /// Cohorts of the men who came back today, who join the counts.
    came_back: Vec<u32>,
}

impl DayContext<'_> {
    /// The leave hazard `λ_l` of a cohort of `region` today (counts only).
    fn leave_hazard(&self, region: usize, cohort: u32) -> f64 {
        let daily = region * Documents::ALL.len() + self.cohorts.documents(cohort) as usize;
        leave_hazard(self.exp_cohort[cohort as usize], self.exp_daily[daily])
    }

    /// A cohort's odds today: from the table (per man), or from its hazards.
    fn odds(&self, cohort: u32) -> Odds {
        if let Some(&odds) = self.odds.get(cohort as usize) {
            return odds;
        }
        let class = self.cohorts.priority_class(cohort);
        let p_draft = self.draft[class];
        let hazard = self.leave_hazard(self.cohorts.region(cohort), cohort);
        Odds::new(p_draft, probability_of_hazard(hazard))
    }
}

impl ChunkReport {
    fn new(regions: usize, countries: usize, crossings: usize) -> Self {
        Self {
            tally: Tally::new(regions, countries),
            arrivals: Vec::new(),
            bookings: Vec::new(),
            decided: 0,
            flows: Flows::new(countries, crossings),
            came_back: Vec::new(),
        }
    }
}

/// Runs the agent pass of `day` and folds its reports into the simulation.
pub(super) fn run_pass(sim: &mut Simulation<'_>, day: u32) -> PassSummary {
    let s = sim.scenario;
    let ctx = DayContext {
        scenario: s,
        cohorts: sim.population.cohorts,
        odds: &sim.odds,
        counts: sim.settings.sampling().counts(),
        draft: &sim.draft,
        draft_hazard: &sim.draft_hazard,
        exp_cohort: &sim.exp_cohort,
        exp_daily: &sim.exp_daily,
        choice: &sim.choice,
        timeline: &sim.timeline,
        seats: &sim.seats,
        onward: &sim.onward,
        day,
    };
    let regions = s.regions().len();
    let (countries, crossings) = (s.destinations().len(), s.crossings().len());
    let seed = sim.settings.seed();
    let reports: Vec<ChunkReport> = sim
        .population
        .agents
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(chunk, agents)| {
            let mut report = ChunkReport::new(regions, countries, crossings);
            let chunk_stream = Stream::Agents {
                day,
                chunk: chunk as u32,
            };
            let mut rng = stream(seed, chunk_stream);
            let mut line = DraftLine::new(&mut rng);
            let first = (chunk * CHUNK) as u32;
            for (offset, agent) in agents.iter_mut().enumerate() {
                let index = first + offset as u32;
                step_agent(&ctx, &mut rng, &mut line, &mut report, index, agent);
            }
            report
        })
        .collect();
    // The counts at home, region by region: the new agents of each region,
    // with its report (agent indices in the report count from its first).
    let per_region = ctx.cohorts.ages() * Cohorts::PER_AGE;
    let acted: Vec<(ChunkReport, Vec<Agent>)> = sim
        .population
        .home
        .par_chunks_mut(per_region.max(1))
        .zip(sim.population.drafted.par_chunks_mut(per_region.max(1)))
        .zip(sim.population.returned.par_chunks_mut(per_region.max(1)))
        .zip(sim.population.came_back.par_chunks_mut(per_region.max(1)))
        .enumerate()
        .map(|(region, (((home, drafted), returned), came_back))| {
            let mut report = ChunkReport::new(regions, countries, crossings);
            let mut rng = stream(
                seed,
                Stream::Cohorts {
                    day,
                    region: region as u32,
                },
            );
            let counts = RegionCounts {
                home,
                drafted,
                returned,
                came_back,
            };
            let actors = step_counts(&ctx, &mut rng, &mut report, region, counts);
            (report, actors)
        })
        .collect();

    let mut summary = PassSummary {
        arrivals: vec![Vec::new(); crossings],
        bookings: Vec::new(),
        decided: 0,
        departed: 0,
        flows: Flows::new(countries, crossings),
    };
    sim.acted += acted.iter().map(|(_, new)| new.len() as u64).sum::<u64>();
    let agents = &mut sim.population.agents;
    let reports = reports
        .into_iter()
        .map(|r| (r, 0))
        .chain(acted.into_iter().map(|(r, new)| {
            let first = agents.len() as u32;
            agents.extend(new);
            (r, first)
        }));
    for (report, first) in reports {
        for (crossing, agent) in report.arrivals {
            summary.arrivals[usize::from(crossing)].push(first + agent);
        }
        summary
            .bookings
            .extend(report.bookings.into_iter().map(|b| Booking {
                agent: first + b.agent,
                ..b
            }));
        summary.decided += report.decided;
        summary.departed += report.tally.departed();
        summary.flows.merge(&report.flows);
        sim.stocks.merge(report.tally);
        for cohort in report.came_back {
            sim.population.came_back[cohort as usize] += 1;
            sim.counted_slots += 1;
        }
    }
    summary
}

/// One region's counts per cohort.
struct RegionCounts<'a> {
    /// Men at home who have not acted.
    home: &'a mut [u32],
    /// Men drafted from a count.
    drafted: &'a mut [u32],
    /// Men who gave up and went home for good.
    returned: &'a mut [u32],
    /// Men who were abroad and went home for good.
    came_back: &'a mut [u32],
}

/// One day of the counts at home of the cohorts of `region`:
/// the drafted leave their count, and each man who acts leaves it as a new
/// agent, who decides at once. Returns the new agents; the report's agent
/// indices are positions among them.
fn step_counts(
    ctx: &DayContext<'_>,
    rng: &mut SimRng,
    report: &mut ChunkReport,
    region: usize,
    counts: RegionCounts<'_>,
) -> Vec<Agent> {
    let mut actors: Vec<Agent> = Vec::new();
    let first = (region * counts.home.len()) as u32;
    // Distance to the next point of the Poisson process on the line.
    let mut gap: f64 = Exp1.sample(rng);
    for offset in 0..counts.home.len() {
        let gone = counts.returned[offset] | counts.came_back[offset];
        if counts.home[offset] == 0 && gone == 0 {
            continue;
        }
        let cohort = first + offset as u32;
        let draft = ctx.draft_hazard[ctx.cohorts.priority_class(cohort)];
        let drafted_count = &mut counts.drafted[offset];
        // The men who went home for good can only be drafted.
        let gone_home = [
            (&mut counts.returned[offset], AgentState::Returned),
            (&mut counts.came_back[offset], AgentState::CameBack),
        ];
        for (gone, state) in gone_home {
            if *gone > 0 {
                let drafted = drafted_only(rng, &mut gap, *gone, draft);
                state::draft_from_count(&mut report.tally, &ctx.cohorts, cohort, state, drafted);
                *gone -= drafted;
                *drafted_count += drafted;
            }
        }
        let count = &mut counts.home[offset];
        let n = *count;
        if n == 0 {
            continue;
        }
        if draft == f64::INFINITY {
            state::draft_from_count(
                &mut report.tally,
                &ctx.cohorts,
                cohort,
                AgentState::AtHome,
                n,
            );
            *drafted_count += n;
            *count = 0;
            continue;
        }
        let leave = ctx.leave_hazard(region, cohort);
        let per_man = draft + leave;
        let (drafted, acting) = if per_man.is_nan() || per_man > MAX_POINTS_PER_MAN {
            // Near-certain events: a point per man would be wasted work, and an
            // infinite hazard would never end. The same competing risks as
            // conditional binomials; the line resumes after this cohort.
            binomial_risks(rng, n, draft, leave)
        } else {
            let length = f64::from(n) * per_man;
            if gap >= length {
                gap -= length;
                continue;
            }
            let (drafted, acting, at) = points(rng, n, draft, per_man, gap);
            gap = at - length;
            (drafted, acting)
        };
        state::draft_from_count(
            &mut report.tally,
            &ctx.cohorts,
            cohort,
            AgentState::AtHome,
            drafted,
        );
        *drafted_count += drafted;
        *count = n - drafted - acting;
        for _ in 0..acting {
            let index = actors.len() as u32;
            let mut agent = Agent::new(cohort, rng.random::<u8>());
            report.decided += 1;
            decide(ctx, rng, report, index, &mut agent);
            actors.push(agent);
        }
    }
    actors
}

/// The men drafted among `n` who can only be drafted, each with the draft
/// hazard `draft`, from the region's line (`gap`: the distance to its next
/// point), as in [`step_counts`]: a man is drafted when his stretch holds a
/// point.
fn drafted_only(rng: &mut SimRng, gap: &mut f64, n: u32, draft: f64) -> u32 {
    if draft == f64::INFINITY {
        return n;
    }
    if draft.is_nan() || draft > MAX_POINTS_PER_MAN {
        return binomial_risks(rng, n, draft, 0.0).0;
    }
    let length = f64::from(n) * draft;
    if *gap >= length {
        *gap -= length;
        return 0;
    }
    let (drafted, acting, at) = points(rng, n, draft, draft, *gap);
    *gap = at - length;
    // Every point falls in a draft part (but for the rounding at a man's end).
    drafted + acting
}

/// Above this hazard per man (expected points per man), a cohort draws its
/// competing risks by binomials rather than by points on the line.
const MAX_POINTS_PER_MAN: f64 = 1.0;

/// The drafted and the acting among `n` men, from the competing risks of the
/// hazards `draft` and `leave`, as conditional binomials: drafted
/// `~ Binomial(n, p_d)`, acting `~ Binomial(n − drafted, p_l)`.
fn binomial_risks(rng: &mut SimRng, n: u32, draft: f64, leave: f64) -> (u32, u32) {
    let p_draft = probability_of_hazard(draft);
    let p_leave = if leave.is_nan() {
        0.0
    } else {
        probability_of_hazard(leave)
    };
    let draw = |rng: &mut SimRng, n: u32, p: f64| {
        Binomial::new(u64::from(n), p.clamp(0.0, 1.0)).map_or(0, |b| b.sample(rng) as u32)
    };
    let drafted = draw(rng, n, p_draft);
    let acting = draw(rng, n - drafted, p_leave);
    (drafted, acting)
}

/// The points of the line in a cohort's stretch of `n` men, each `per_man`
/// long with his draft part (`draft`) first, from `at` (the first point):
/// the men drafted (a point in the draft part) and acting (points only in
/// the other part), and where the first point past the stretch lies.
fn points(rng: &mut SimRng, n: u32, draft: f64, per_man: f64, mut at: f64) -> (u32, u32, f64) {
    let length = f64::from(n) * per_man;
    let (mut drafted, mut acting) = (0u32, 0u32);
    let mut current: Option<(u32, bool)> = None;
    while at < length {
        let man = ((at / per_man) as u32).min(n - 1);
        let called = at - f64::from(man) * per_man < draft;
        current = match current {
            Some((m, c)) if m == man => Some((m, c || called)),
            Some((_, c)) => {
                *if c { &mut drafted } else { &mut acting } += 1;
                Some((man, called))
            }
            None => Some((man, called)),
        };
        let step: f64 = Exp1.sample(rng);
        at += step;
    }
    if let Some((_, c)) = current {
        *if c { &mut drafted } else { &mut acting } += 1;
    }
    (drafted, acting, at)
}

impl Odds {
    /// Drafted, and acting, by one uniform draw against the thresholds.
    fn draw(self, rng: &mut SimRng) -> (bool, bool) {
        let u = rng.next_u64();
        (u < self.draft, u < self.act)
    }
}

/// The daily risks of a chunk's agents at home, with the counts, drawn as
/// for the counts ([`step_counts`]): each man at home, in agent order, has
/// a stretch of a line, as long as his class's draft hazard `λ_d` followed,
/// if he may act today (at home, stuck), by his cohort's leave hazard `λ_l`;
/// the points of a Poisson process of rate 1 fall on the line (gaps
/// `Exp(1)`). He is drafted when the draft part of his stretch holds a point
/// (probability `1 − e^{−λ_d} = p_d`), and acts when only the other part
/// does (`(1 − p_d)·p_l`), independently of every other man. A man costs a
/// subtraction, not a random draw; the draws are about one per man drafted
/// or acting. (The per-man reference draws a uniform per man.)
struct DraftLine {
    /// Distance to the next point.
    gap: f64,
}

impl DraftLine {
    fn new(rng: &mut SimRng) -> Self {
        Self {
            gap: Exp1.sample(rng),
        }
    }

    /// Whether the next man on the line, drafted or acting with hazards
    /// `draft` and `leave`, is drafted, and whether he acts; `None` (and the
    /// line untouched) when his stretch has no finite length, for the caller
    /// to draw his risks another way.
    fn risks(&mut self, rng: &mut SimRng, draft: f64, leave: f64) -> Option<(bool, bool)> {
        let length = draft + leave;
        if self.gap >= length {
            self.gap -= length;
            return Some((false, false));
        }
        if !length.is_finite() {
            return None;
        }
        let drafted = self.gap < draft;
        self.pass(rng, length);
        Some((drafted, !drafted))
    }

    /// Moves the line past a stretch of `length` that holds its next point
    /// (`gap < length`): the gap from the stretch's end to the point after
    /// it. A short stretch walks its points; a long one (above
    /// [`MAX_POINTS_PER_MAN`], which only extreme parameters give) jumps
    /// straight to a fresh `Exp(1)` gap, which has the same distribution
    /// because a Poisson process has independent increments. Walking a stretch of length `L`
    /// costs about `L` draws, which made a run with a leave hazard in the
    /// thousands (a strong peer effect in a region emptying fast) take
    /// minutes; the walk is kept for short stretches so that the usual
    /// runs draw the same numbers as before.
    fn pass(&mut self, rng: &mut SimRng, length: f64) {
        if length > MAX_POINTS_PER_MAN {
            self.gap = Exp1.sample(rng);
            return;
        }
        let mut at = self.gap;
        while at < length {
            let step: f64 = Exp1.sample(rng);
            at += step;
        }
        self.gap = at - length;
    }

    /// Whether the next man on the line, of draft hazard `hazard`, is drafted.
    fn drafted(&mut self, rng: &mut SimRng, hazard: f64) -> bool {
        if self.gap >= hazard {
            self.gap -= hazard;
            return false;
        }
        if hazard == f64::INFINITY {
            // His whole class is called up: the line skips his stretch.
            return true;
        }
        self.pass(rng, hazard);
        true
    }
}

/// One agent's day.
fn step_agent(
    ctx: &DayContext<'_>,
    rng: &mut SimRng,
    line: &mut DraftLine,
    report: &mut ChunkReport,
    index: u32,
    agent: &mut Agent,
) {
    let day = ctx.day;
    match agent.state {
        AgentState::AtHome
        | AgentState::Stuck
        | AgentState::AwaitingPassport
        | AgentState::Returned
        | AgentState::CameBack => {
            let acting = matches!(agent.state, AgentState::AtHome | AgentState::Stuck);
            let cohort = agent.cohort();
            let (drafted, acts) = if !ctx.odds.is_empty() {
                ctx.odds(cohort).draw(rng)
            } else {
                let draft = ctx.draft_hazard[ctx.cohorts.priority_class(cohort)];
                if acting {
                    let leave = ctx.leave_hazard(ctx.cohorts.region(cohort), cohort);
                    line.risks(rng, draft, leave)
                        .unwrap_or_else(|| ctx.odds(cohort).draw(rng))
                } else {
                    (line.drafted(rng, draft), false)
                }
            };
            if drafted {
                move_agent(&mut report.tally, &ctx.cohorts, agent, AgentState::Drafted);
                return;
            }
            match agent.state {
                AgentState::AtHome if acts => {
                    report.decided += 1;
                    decide(ctx, rng, report, index, agent);
                }
                AgentState::Stuck if acts => leave(ctx, rng, report, index, agent),
                AgentState::AwaitingPassport if u32::from(agent.day) <= day => {
                    if documents::granted(ctx.timeline, i64::from(day)) {
                        agent.set_cohort(
                            ctx.cohorts
                                .with_documents(agent.cohort(), Documents::ForeignPassport),
                        );
                        leave(ctx, rng, report, index, agent);
                    } else {
                        // Refused: his plan is gone, and he is again one of the men at
                        // home, deciding afresh with the day's hazard.
                        move_agent(&mut report.tally, &ctx.cohorts, agent, AgentState::AtHome);
                    }
                }
                _ => {}
            }
        }
        AgentState::Traveling if u32::from(agent.day) <= day => {
            report.arrivals.push((agent.crossing, index));
        }
        AgentState::Abroad if u32::from(agent.day) <= day => abroad(ctx, rng, report, agent),
        AgentState::MovingOn if u32::from(agent.day) <= day => {
            let country = agent.next_country();
            report.flows.arriving(country);
            let move_day = ctx.onward.move_day(country, day, rng.random());
            state::arrive(&mut report.tally, &ctx.cohorts, agent, move_day);
        }
        _ => {}
    }
}

/// The day a man abroad moves: on to another country, or home.
fn abroad(ctx: &DayContext<'_>, rng: &mut SimRng, report: &mut ChunkReport, agent: &mut Agent) {
    let here = agent.country();
    match ctx.onward.move_of(here, ctx.day, rng.next_u64()) {
        Fate::Stays => {}
        Fate::MovesOn => {
            let next = ctx.onward.next_country(here, rng.random());
            let arrival = (ctx.day as u16).saturating_add(ctx.onward.travel_days(here));
            report.flows.moving_on(here, next);
            state::move_on(&mut report.tally, &ctx.cohorts, agent, next, arrival);
        }
        Fate::GoesHome => {
            let by = (agent.crossing != Agent::NO_CROSSING).then_some(usize::from(agent.crossing));
            report.flows.going_home(here, by);
            state::come_back(&mut report.tally, &ctx.cohorts, agent);
            if ctx.counts {
                // He joins his cohort's count of men who came back.
                let (cohort, _) = state::retire(agent);
                report.came_back.push(cohort);
            }
        }
    }
}

/// A man at home has just decided to leave: he applies for a foreign
/// passport first, or sets off.
fn decide(
    ctx: &DayContext<'_>,
    rng: &mut SimRng,
    report: &mut ChunkReport,
    index: u32,
    agent: &mut Agent,
) {
    let held = ctx.cohorts.key(agent.cohort()).documents;
    let passport = ctx.scenario.passport();
    let application = documents::application(passport, ctx.timeline, held, ctx.day, || {
        rng.random::<f64>()
    });
    if let Some(due) = application {
        agent.day = due as u16;
        move_agent(
            &mut report.tally,
            &ctx.cohorts,
            agent,
            AgentState::AwaitingPassport,
        );
        return;
    }
    leave(ctx, rng, report, index, agent);
}

/// A man at home chooses a crossing and sets off, or is stuck.
fn leave(
    ctx: &DayContext<'_>,
    rng: &mut SimRng,
    report: &mut ChunkReport,
    index: u32,
    agent: &mut Agent,
) {
    let key = ctx.cohorts.key(agent.cohort());
    let who = Chooser::from_home(&key, agent.exempt_rank());
    match ctx.choice.choose(&who, rng.random()) {
        // A flight: he books a seat once every man of the day has chosen.
        Some(choice) if ctx.seats.is_air(choice.crossing) => {
            report.bookings.push(Booking {
                agent: index,
                crossing: choice.crossing,
                earliest: choice.earliest,
            });
        }
        Some(choice) => {
            agent.crossing = choice.crossing as u8;
            agent.day = choice.arrival as u16;
            agent.set_attempts(1);
            move_agent(
                &mut report.tally,
                &ctx.cohorts,
                agent,
                AgentState::Traveling,
            );
            if choice.arrival <= i64::from(ctx.day) {
                report.arrivals.push((agent.crossing, index));
            }
        }
        None => {
            if agent.state != AgentState::Stuck {
                move_agent(&mut report.tally, &ctx.cohorts, agent, AgentState::Stuck);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ScenarioDocument;

    /// The chunks' reports are merged in chunk order: each crossing's
    /// arrivals come in agent order across chunk boundaries, whatever the
    /// threads did. (A merge in any other order, even a fixed one, changes
    /// the order in which the border posts take arrivals, and so the
    /// results at any scale with more than one chunk.)
    #[test]
    fn reports_are_merged_in_chunk_order() {
        let (scenario, settings) = ScenarioDocument::embedded_default_at(50);
        let settings = settings.with_sampling(crate::settings::Sampling::PerMan);
        let mut sim = Simulation::new(&scenario, &settings).unwrap();
        assert!(sim.population.agents.len() > 4 * CHUNK);
        let day = scenario.calendar().decree + 5;
        while sim.days_done() < day {
            sim.step();
        }
        sim.prepare_tables(day);
        let pass = run_pass(&mut sim, day);
        let chunk = |agent: &u32| *agent as usize / CHUNK;
        let mut spanning = 0;
        for arrivals in &pass.arrivals {
            assert!(arrivals.is_sorted(), "arrivals out of agent order");
            let chunks = arrivals.first().zip(arrivals.last());
            spanning += usize::from(chunks.is_some_and(|(a, b)| chunk(a) < chunk(b)));
        }
        assert!(spanning > 0, "no crossing had arrivals from several chunks");
    }

    /// A leave hazard in the billions (a strong peer effect in a region
    /// emptying fast) costs one draw, not a billion: the walk over the
    /// line's points made such runs take minutes. On the broken walk this
    /// test does not finish.
    #[test]
    fn a_huge_hazard_is_passed_in_one_step() {
        use rand::SeedableRng;
        let mut rng = SimRng::seed_from_u64(7);
        let mut line = DraftLine { gap: 0.5 };
        assert_eq!(line.risks(&mut rng, 0.1, 1e12), Some((false, true)));
        assert!(line.gap.is_finite() && line.gap >= 0.0);
        let mut line = DraftLine { gap: 0.05 };
        assert_eq!(line.risks(&mut rng, 0.1, 1e12), Some((true, false)));
        assert!(line.drafted(&mut rng, 1e12));
    }

    /// The jump past a long stretch has the walk's distribution: a man of
    /// hazards (`d`, `l`) with `d + l` above the walk's limit is drafted
    /// with probability `1 − e^{−d}` and acts with `e^{−d}(1 − e^{−l})`,
    /// and the gap after him is `Exp(1)`, so that the next man's chances
    /// are his own. Over 40,000 men each frequency is checked within 4.5
    /// standard errors (a false alarm about once in 150,000 runs per check;
    /// the seed is fixed, so the test is deterministic).
    #[test]
    fn the_jump_past_a_long_stretch_keeps_each_mans_chances() {
        use rand::SeedableRng;
        let mut rng = SimRng::seed_from_u64(11);
        let mut line = DraftLine::new(&mut rng);
        let (long_d, long_l, short_d, short_l): (f64, f64, f64, f64) = (0.7, 1.3, 0.02, 0.1);
        let n = 40_000_u32;
        let (mut drafted, mut acting, mut next_acting) = (0u32, 0u32, 0u32);
        for _ in 0..n {
            let (d, a) = line.risks(&mut rng, long_d, long_l).unwrap_or_default();
            drafted += u32::from(d);
            acting += u32::from(a);
            // The next man, of small hazards, right after the long stretch.
            let (d2, a2) = line.risks(&mut rng, short_d, short_l).unwrap_or_default();
            next_acting += u32::from(d2 || a2);
        }
        let check = |count: u32, p: f64, what: &str| {
            let n = f64::from(n);
            let se = (p * (1.0 - p) / n).sqrt();
            let share = f64::from(count) / n;
            assert!(
                (share - p).abs() < 4.5 * se,
                "{what}: {share} against {p} (se {se})"
            );
        };
        check(drafted, 1.0 - (-long_d).exp(), "drafted");
        check(acting, (-long_d).exp() * (1.0 - (-long_l).exp()), "acting");
        check(
            next_acting,
            1.0 - (-(short_d + short_l)).exp(),
            "the next man drafted or acting",
        );
    }
}
