//! The day's movements of men of the exodus abroad, in agents: who moved on
//! (and where to), who went home (and by which crossing), who arrived from
//! another country. The agent pass tallies them chunk by chunk; integer sums
//! merged in any order come out the same, so they do not depend on the
//! threads.

/// Movements abroad of one day (or of one chunk of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Flows {
    /// Per destination: agents who left for another country.
    pub(super) moved_on: Vec<u64>,
    /// Per destination: agents who went home.
    pub(super) went_home: Vec<u64>,
    /// Per crossing: agents who went home by it (those who entered by it).
    pub(super) went_home_by: Vec<u64>,
    /// Per destination: agents who arrived from another country.
    pub(super) onward_entries: Vec<u64>,
    /// `[from × destinations + to]`: agents who set off from one country to another.
    pub(super) onward: Vec<u64>,
}

impl Flows {
    /// No movements, for `destinations` destinations and `crossings` crossings.
    pub(super) fn new(destinations: usize, crossings: usize) -> Self {
        Self {
            moved_on: vec![0; destinations],
            went_home: vec![0; destinations],
            went_home_by: vec![0; crossings],
            onward_entries: vec![0; destinations],
            onward: vec![0; destinations * destinations],
        }
    }

    /// An agent left `from` for `to`.
    pub(super) fn moving_on(&mut self, from: usize, to: usize) {
        let width = self.moved_on.len();
        self.moved_on[from] += 1;
        self.onward[from * width + to] += 1;
    }

    /// An agent went home from `country`, by `crossing` if he entered by one.
    pub(super) fn going_home(&mut self, country: usize, crossing: Option<usize>) {
        self.went_home[country] += 1;
        if let Some(c) = crossing {
            self.went_home_by[c] += 1;
        }
    }

    /// An agent arrived in `country` from another.
    pub(super) fn arriving(&mut self, country: usize) {
        self.onward_entries[country] += 1;
    }

    /// Adds another tally of the same shape.
    pub(super) fn merge(&mut self, other: &Flows) {
        let add = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.moved_on, &other.moved_on);
        add(&mut self.went_home, &other.went_home);
        add(&mut self.went_home_by, &other.went_home_by);
        add(&mut self.onward_entries, &other.onward_entries);
        add(&mut self.onward, &other.onward);
    }
}
