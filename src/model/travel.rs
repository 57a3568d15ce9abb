//! Travel from an origin (a region's capital, or a crossing a man gave up
//! at) to a crossing: time and cost by car or by public transport.
//!
//! Road distance is the great-circle distance times a road factor.
//! Travel days = preparation (from home only) + road km / km per day, plus
//! the crossing's extra days (a flight to Kaliningrad, say); cost = road km ×
//! roubles per km by mode, plus the crossing's extra roubles.
//!
//! An air route's "crossing" is its airport: the trip is the way to the
//! airport, by road as above or by a domestic flight
//! (`air.domestic_flight_days` after the preparation, for
//! `air.domestic_flight_rub`), whichever is quicker. The international
//! flight itself lands the same day; its fare depends on how full the
//! flights are and is added by the choice ([`crate::model::air`]).

use crate::data::great_circle_km;
use crate::scenario::Scenario;

/// How a man travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// His own car.
    Car = 0,
    /// Bus, train or shared taxi.
    Public = 1,
}

impl Mode {
    /// Number of modes.
    pub const COUNT: usize = 2;

    /// The mode of a man with or without a car.
    pub fn of(car: bool) -> Self {
        if car { Mode::Car } else { Mode::Public }
    }
}

/// Where a trip starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Home, in this region.
    Region(usize),
    /// The crossing where he gave up or was turned back.
    Crossing(usize),
}

/// Travel time and cost for every origin, mode and crossing.
#[derive(Debug, Clone)]
pub struct TravelMatrix {
    regions: usize,
    crossings: usize,
    days: Vec<f64>,
    rub: Vec<f64>,
}

impl TravelMatrix {
    /// Computes the matrix for a scenario.
    pub fn new(scenario: &Scenario) -> Self {
        let t = &scenario.travel();
        let origins: Vec<(f64, f64, bool)> = scenario
            .regions()
            .iter()
            .map(|r| (r.lat, r.lon, true))
            .chain(scenario.crossings().iter().map(|c| (c.lat, c.lon, false)))
            .collect();
        let n = scenario.crossings().len();
        let mut days = Vec::with_capacity(origins.len() * Mode::COUNT * n);
        let mut rub = Vec::with_capacity(days.capacity());
        for &(lat, lon, from_home) in &origins {
            for mode in [Mode::Car, Mode::Public] {
                let (km_per_day, rub_per_km) = match mode {
                    Mode::Car => (t.car_km_per_day, t.car_rub_per_km),
                    Mode::Public => (t.public_km_per_day, t.public_rub_per_km),
                };
                for c in scenario.crossings() {
                    let km = great_circle_km(lat, lon, c.lat, c.lon) * t.road_factor;
                    let preparation = if from_home { t.preparation_days } else { 0.0 };
                    let mut trip = (preparation + km / km_per_day, km * rub_per_km);
                    if let (true, Some(air)) = (c.is_air(), scenario.air()) {
                        let flight = preparation + air.domestic_flight_days;
                        if flight < trip.0 {
                            trip = (flight, air.domestic_flight_rub);
                        }
                    }
                    days.push(trip.0 + c.extra_days);
                    rub.push(trip.1 + c.extra_rub);
                }
            }
        }
        Self {
            regions: scenario.regions().len(),
            crossings: n,
            days,
            rub,
        }
    }

    /// Number of origins (regions, then crossings).
    pub fn origins(&self) -> usize {
        self.regions + self.crossings
    }

    /// The dense index of an origin.
    pub fn origin_index(&self, origin: Origin) -> usize {
        match origin {
            Origin::Region(r) => r,
            Origin::Crossing(c) => self.regions + c,
        }
    }

    fn at(&self, origin: usize, mode: Mode, crossing: usize) -> usize {
        (origin * Mode::COUNT + mode as usize) * self.crossings + crossing
    }

    /// Travel days (fractional) from an origin index to a crossing.
    pub fn days(&self, origin: usize, mode: Mode, crossing: usize) -> f64 {
        self.days[self.at(origin, mode, crossing)]
    }

    /// Travel cost in roubles.
    pub fn rub(&self, origin: usize, mode: Mode, crossing: usize) -> f64 {
        self.rub[self.at(origin, mode, crossing)]
    }
}
