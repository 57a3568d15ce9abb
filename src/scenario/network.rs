//! The network a scenario resolves: destinations (with what a man of the
//! exodus does once there, and how ordinary travellers come and go) and the
//! crossings into them, land posts and air routes alike.

use super::Documents;

/// A destination.
#[derive(Debug, Clone)]
pub struct Destination {
    /// Name, e.g. `Kazakhstan`.
    pub name: String,
    /// Documents required.
    pub documents: Documents,
    /// Alternative-specific constant.
    pub constant: f64,
    /// Mean stay of an ordinary traveller, in days.
    pub stay_days: f64,
    /// Ordinary traffic by day of the week, Monday first, averaging 1.
    pub weekly: [f64; 7],
    /// Daily hazard that a man of the exodus there moves on.
    pub onward_per_day: f64,
    /// Daily hazard that a man of the exodus there goes home.
    pub return_per_day: f64,
    /// Where those who move on go: (destination index, share), shares adding to 1.
    pub onward: Vec<(usize, f64)>,
    /// Days of travel to the next country.
    pub onward_days: f64,
}

impl Destination {
    /// The name of the world beyond a scenario's destinations, where men who
    /// move on may go; it is a destination with no crossings of its own.
    pub const ELSEWHERE: &'static str = "elsewhere";

    /// A destination with default behaviour: no onward travel, a week's
    /// stay, a flat week.
    pub fn new(name: impl Into<String>, documents: Documents, constant: f64) -> Self {
        Self {
            name: name.into(),
            documents,
            constant,
            stay_days: 7.0,
            weekly: [1.0; 7],
            onward_per_day: 0.0,
            return_per_day: 0.0,
            onward: Vec::new(),
            onward_days: 1.0,
        }
    }
}

/// How a crossing is travelled.
#[derive(Debug, Clone, PartialEq)]
pub enum CrossingMode {
    /// A land post with a queue: by car or by public transport.
    Land,
    /// A direct flight from an airport: seats are booked ahead, no queue.
    Air {
        /// The airport's id (a row of the crossings data file).
        airport: String,
        /// An ordinary one-way fare before the mobilization, in roubles.
        fare_rub: f64,
    },
}

/// A crossing (a land post, or an air route), resolved against the data files.
#[derive(Debug, Clone)]
pub struct Crossing {
    /// Stable id.
    pub id: String,
    /// Index into [`Scenario::destinations`](super::Scenario::destinations).
    pub destination: usize,
    /// Latitude of the Russian post or airport.
    pub lat: f64,
    /// Longitude of the Russian post or airport.
    pub lon: f64,
    /// Persons processed per day (seats a day for an air route).
    pub capacity: u32,
    /// Ordinary Russian entries per day (passengers for an air route).
    pub baseline: u32,
    /// Extra travel days to reach it.
    pub extra_days: f64,
    /// Extra cost to reach it (roubles).
    pub extra_rub: f64,
    /// Land post or air route.
    pub mode: CrossingMode,
}

impl Crossing {
    /// Whether it is an air route.
    pub fn is_air(&self) -> bool {
        matches!(self.mode, CrossingMode::Air { .. })
    }
}

/// Air travel, resolved from `[air]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AirParams {
    /// Share of each route's seats held by ordinary passengers.
    pub ordinary_load: f64,
    /// Rise of the fare per day until the first free seat.
    pub fare_surge: f64,
    /// Days to reach an airport by a domestic flight.
    pub domestic_flight_days: f64,
    /// Cost of that domestic flight (roubles).
    pub domestic_flight_rub: f64,
    /// Days ahead that seats can be booked.
    pub booking_days: u32,
}
