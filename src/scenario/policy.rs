//! Dated policies, resolved: what each does, where, and from when men know of it.

impl Policy {
    /// The credence on `day` of a rumoured exit ban: full from the rumour's
    /// start to its end (the denial), fading as `exp(−(day − end) /
    /// fade_days)` afterwards, and nil once the expected day has come
    /// without a closure. Zero for any other policy.
    pub fn rumour_credence(&self, day: i64) -> f64 {
        let PolicyKind::ExitBanRumour {
            expected,
            credence,
            fade_days,
        } = self.kind
        else {
            return 0.0;
        };
        if day < self.start || day >= expected {
            return 0.0;
        }
        match self.end {
            Some(end) if day > end => credence * (-((day - end) as f64) / fade_days).exp(),
            _ => credence,
        }
    }
}

/// A dated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Unique id.
    pub id: String,
    /// What it does.
    pub kind: PolicyKind,
    /// First day in force.
    pub start: i64,
    /// Last day in force (inclusive).
    pub end: Option<i64>,
    /// First day on which men know of it (an announcement, or `start`).
    pub known_from: i64,
    /// Crossings it applies to (empty for national policies).
    pub crossings: Vec<usize>,
    /// Its source.
    pub source: String,
}

impl Policy {
    /// Whether it is in force on `day`.
    pub fn in_force(&self, day: i64) -> bool {
        day >= self.start && self.end.is_none_or(|end| day <= end)
    }

    /// Whether a man deciding on `today` expects it to be in force on `day`.
    pub fn expected_in_force(&self, today: i64, day: i64) -> bool {
        today >= self.known_from && self.in_force(day)
    }
}

/// The kinds of policy and their parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyKind {
    /// The far side refuses Russians without an exempt reason.
    EntryBan {
        /// Share of men with an exempt reason (family, work, residence).
        exempt_share: f64,
        /// Factor on the ordinary traffic while the ban is in force.
        baseline_share: f64,
    },
    /// No new foreign passports for men subject to mobilization.
    ForeignPassportBan {
        /// Whether applications pending at the start are refused.
        refuse_pending: bool,
    },
    /// Makes a future policy known from this policy's start.
    ClosureAnnouncement {
        /// Index of the announced policy.
        announces: usize,
    },
    /// A draft office at the Russian post.
    BorderDraftOffice {
        /// Probability that a processed man is caught.
        catch_probability: f64,
        /// Extra utility penalty (deterrence) beyond the catch risk.
        deterrence: f64,
    },
    /// Sets the capacity to a value.
    CapacitySet {
        /// Persons per day.
        capacity: u32,
    },
    /// Multiplies the capacity.
    CapacityMultiply {
        /// Factor.
        multiplier: f64,
    },
    /// A utility bonus or penalty for crossings into a destination.
    DestinationAttractiveness {
        /// Utility added.
        bonus: f64,
    },
    /// Russia lets no man of mobilization age leave.
    ExitBan,
    /// A rumour that Russia will close its borders to men of mobilization
    /// age on a given day. It is believed with some credence from the
    /// policy's start to its end (the denial), fades afterwards, and is
    /// forgotten once the day passes without a closure. It closes nothing.
    ExitBanRumour {
        /// The day the closure is expected.
        expected: i64,
        /// How much men believe it, in [0, 1].
        credence: f64,
        /// Days over which belief fades after the denial (`end`).
        fade_days: f64,
    },
    /// Private cars may not reach the crossings (a regional restriction):
    /// a man with a car travels there as one without.
    CarBan,
    /// The mobilization is declared over: from its start, men of the exodus
    /// abroad go home with an extra daily hazard (on top of each
    /// destination's `return_per_day`).
    MobilizationEnd {
        /// The extra daily hazard of going home, in [0, 1].
        return_per_day: f64,
    },
}

impl PolicyKind {
    /// The kind's name in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            PolicyKind::EntryBan { .. } => "entry_ban",
            PolicyKind::ForeignPassportBan { .. } => "foreign_passport_ban",
            PolicyKind::ClosureAnnouncement { .. } => "closure_announcement",
            PolicyKind::BorderDraftOffice { .. } => "border_draft_office",
            PolicyKind::CapacitySet { .. } | PolicyKind::CapacityMultiply { .. } => {
                "capacity_change"
            }
            PolicyKind::DestinationAttractiveness { .. } => "destination_attractiveness",
            PolicyKind::ExitBan => "exit_ban",
            PolicyKind::ExitBanRumour { .. } => "exit_ban_rumour",
            PolicyKind::CarBan => "car_ban",
            PolicyKind::MobilizationEnd { .. } => "mobilization_end",
        }
    }
}
