//! A border post: one FIFO queue of limited daily capacity, shared by the men
//! of the exodus and the ordinary travellers.
//!
//! Capacity is in persons per day. Each agent stands for `scale` persons; a
//! block of ordinary travellers for any number. The post processes from the
//! front until the day's capacity is spent; a block can be split, an agent
//! cannot, so capacity too small for the next agent is carried over to the
//! next day (at most one agent's worth), which keeps the long-run rate exact
//! at any scale.
//!
//! What happens to a processed man is [`outcome`]: turned back under
//! Russia's exit ban; else caught by a draft office with the offices'
//! combined probability; else turned back by an entry ban unless he is
//! exempt; else he crosses.
//!
//! Waits are reckoned in days: a man who joins on day `t` and is processed on
//! day `s` waited `s − t` days.

use std::collections::VecDeque;

use crate::model::policy::Conditions;

/// One place in the queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Entry {
    /// An agent of the exodus.
    Man {
        /// Agent index.
        agent: u32,
        /// Day he joined.
        joined: u32,
        /// Most days he is willing to wait in all.
        patience: f32,
    },
    /// Ordinary travellers who joined together.
    Ordinary {
        /// Persons.
        persons: u64,
        /// Day they joined.
        joined: u32,
    },
}

/// What the post did with a man at the front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// He entered the destination.
    Crossed,
    /// A draft office caught him.
    Caught,
    /// He was refused (entry ban, or Russia's exit ban).
    TurnedBack,
}

/// What the post does with a man of exempt rank `exempt_rank` that it
/// processes under `conditions`. `draw` gives a uniform number in [0, 1); it
/// is taken only where a draft office might catch him, so that the random
/// stream of a post without one is untouched.
pub fn outcome(conditions: &Conditions, exempt_rank: u8, draw: impl FnOnce() -> f64) -> Outcome {
    if conditions.exit_ban {
        Outcome::TurnedBack
    } else if conditions.catch_probability > 0.0 && draw() < conditions.catch_probability {
        Outcome::Caught
    } else if u16::from(exempt_rank) >= conditions.exempt_threshold {
        Outcome::TurnedBack
    } else {
        Outcome::Crossed
    }
}

/// The totals of one day of processing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Processed {
    /// Ordinary travellers who entered (persons).
    pub ordinary: u64,
    /// Agents who crossed.
    pub crossed: u64,
    /// Agents caught.
    pub caught: u64,
    /// Agents turned back.
    pub turned_back: u64,
    /// Sum over entering persons of their wait in days.
    pub wait_person_days: f64,
}

/// A border post's queue.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    entries: VecDeque<Entry>,
    persons: u64,
    carry: u64,
}

impl Queue {
    /// Persons waiting.
    pub fn persons(&self) -> u64 {
        self.persons
    }

    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Expected days until a newcomer at the back is processed.
    pub fn expected_wait(&self, capacity: u32) -> f64 {
        expected_wait(self.persons, capacity)
    }

    /// Appends an entry.
    pub fn push(&mut self, entry: Entry, scale: u32) {
        self.persons += entry_persons(&entry, scale);
        self.entries.push_back(entry);
    }

    /// Processes up to `capacity` persons on `day`. `decide` says what happens
    /// to each man processed and is told who he is.
    pub fn process(
        &mut self,
        day: u32,
        capacity: u32,
        scale: u32,
        mut decide: impl FnMut(u32) -> Outcome,
    ) -> (Processed, Vec<(u32, Outcome)>) {
        let mut done = Processed::default();
        let mut men = Vec::new();
        // Capacity carried over from yesterday is lost when the post is closed today.
        let mut budget = if capacity == 0 {
            0
        } else {
            u64::from(capacity) + self.carry
        };
        self.carry = 0;
        let scale64 = u64::from(scale);
        while let Some(front) = self.entries.front_mut() {
            match front {
                Entry::Ordinary { persons, joined } => {
                    let take = (*persons).min(budget);
                    done.ordinary += take;
                    done.wait_person_days += take as f64 * f64::from(day - *joined);
                    *persons -= take;
                    budget -= take;
                    self.persons -= take;
                    if *persons > 0 {
                        break;
                    }
                }
                Entry::Man { agent, joined, .. } => {
                    if budget < scale64 {
                        self.carry = budget.min(scale64);
                        break;
                    }
                    budget -= scale64;
                    self.persons -= scale64;
                    let outcome = decide(*agent);
                    match outcome {
                        Outcome::Crossed => {
                            done.crossed += 1;
                            done.wait_person_days += scale as f64 * f64::from(day - *joined);
                        }
                        Outcome::Caught => done.caught += 1,
                        Outcome::TurnedBack => done.turned_back += 1,
                    }
                    men.push((*agent, outcome));
                }
            }
            self.entries.pop_front();
        }
        (done, men)
    }

    /// Removes the men whose total wait, reckoned as days waited plus the
    /// persons ahead of them over `capacity`, would exceed their patience;
    /// returns them in queue order.
    pub fn renege(&mut self, day: u32, capacity: u32, scale: u32) -> Vec<u32> {
        let mut ahead = 0u64;
        let mut gone = Vec::new();
        let mut removed = 0u64;
        self.entries.retain(|entry| {
            let keep = match *entry {
                Entry::Man {
                    agent,
                    joined,
                    patience,
                } => {
                    let total = f64::from(day - joined) + expected_wait(ahead, capacity);
                    if total > f64::from(patience) {
                        gone.push(agent);
                        removed += u64::from(scale);
                        false
                    } else {
                        true
                    }
                }
                Entry::Ordinary { .. } => true,
            };
            if keep {
                ahead += entry_persons(entry, scale);
            }
            keep
        });
        self.persons -= removed;
        gone
    }

    /// Gives every man waiting his new agent index.
    pub fn renumber(&mut self, new_index: impl Fn(u32) -> u32) {
        for entry in &mut self.entries {
            if let Entry::Man { agent, .. } = entry {
                *agent = new_index(*agent);
            }
        }
    }

    /// The entries, front first.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

fn entry_persons(entry: &Entry, scale: u32) -> u64 {
    match entry {
        Entry::Man { .. } => u64::from(scale),
        Entry::Ordinary { persons, .. } => *persons,
    }
}

/// Days to process `persons` at `capacity` a day (infinite when closed).
pub fn expected_wait(persons: u64, capacity: u32) -> f64 {
    if capacity == 0 {
        if persons == 0 { 0.0 } else { f64::INFINITY }
    } else {
        persons as f64 / f64::from(capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn man(agent: u32, joined: u32) -> Entry {
        Entry::Man {
            agent,
            joined,
            patience: 10.0,
        }
    }

    #[test]
    fn processes_fifo_within_capacity() {
        let mut q = Queue::default();
        q.push(
            Entry::Ordinary {
                persons: 5,
                joined: 0,
            },
            10,
        );
        q.push(man(1, 0), 10);
        q.push(man(2, 0), 10);
        let (done, men) = q.process(1, 20, 10, |_| Outcome::Crossed);
        assert_eq!(done.ordinary, 5);
        assert_eq!(men, vec![(1, Outcome::Crossed)]);
        assert_eq!(q.persons(), 10);
        // 5 persons of capacity were carried over: 15 + 5 >= 10.
        let (_, men) = q.process(2, 5, 10, |_| Outcome::Caught);
        assert_eq!(men, vec![(2, Outcome::Caught)]);
        assert!(q.is_empty());
        assert_eq!(q.persons(), 0);
    }

    #[test]
    fn closed_post_processes_nobody() {
        let mut q = Queue::default();
        q.push(man(1, 0), 1);
        let (done, men) = q.process(0, 0, 1, |_| Outcome::Crossed);
        assert_eq!(done, Processed::default());
        assert!(men.is_empty());
        assert_eq!(q.expected_wait(0), f64::INFINITY);
    }

    #[test]
    fn carried_capacity_is_lost_when_the_post_closes() {
        let mut q = Queue::default();
        q.push(man(1, 0), 10);
        q.push(man(2, 0), 10);
        let (_, men) = q.process(0, 15, 10, |_| Outcome::Crossed);
        assert_eq!(men.len(), 1);
        let (done, men) = q.process(1, 0, 10, |_| Outcome::Crossed);
        assert!(men.is_empty() && done == Processed::default());
    }

    #[test]
    fn impatient_men_renege() {
        let mut q = Queue::default();
        q.push(
            Entry::Ordinary {
                persons: 100,
                joined: 0,
            },
            1,
        );
        q.push(
            Entry::Man {
                agent: 7,
                joined: 0,
                patience: 1.0,
            },
            1,
        );
        q.push(
            Entry::Man {
                agent: 8,
                joined: 0,
                patience: 50.0,
            },
            1,
        );
        assert_eq!(q.renege(0, 10, 1), vec![7]);
        assert_eq!(q.persons(), 101);
    }
}
