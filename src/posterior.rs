//! A posterior over behaviour parameters, as `exodus calibrate --method
//! abc-smc` writes it (`posterior.csv`), and the draws from it that make
//! the replicates of `compare --posterior` and `run --posterior`.
//!
//! The file is a weighted sample of particles:
//!
//! ```text
//! particle,weight,decision.base_log_hazard,decision.peer,...,distance
//! 0,0.0041,-9.52,0.41,...,0.083
//! ```
//!
//! `particle` names a particle, `weight` is its importance weight (any
//! non-negative numbers with a positive sum; they are normalised here),
//! every column between `weight` and `distance` is a parameter named by its
//! path in the scenario, and `distance` is the particle's distance to the
//! reported figures (read, checked, and kept for the record only).
//!
//! Replicate `r` draws one particle with probability proportional to its
//! weight, from a random stream keyed by the master seed and `r` alone
//! ([`Stream::Posterior`]). Every scenario of a comparison therefore runs
//! replicate `r` with the same particle and the same seed: the differences
//! stay paired, and they carry the parameter uncertainty of the posterior as
//! well as the Monte-Carlo noise of one run.

use std::path::Path;

use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;

use crate::input_error::InputError;
use crate::rng::{self, Stream};
use crate::scenario::ParamPath;

/// The most particles a posterior file may hold.
pub const MAX_PARTICLES: usize = 1_000_000;

/// The largest posterior file read, in bytes.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// One particle: its name, normalised weight and parameter values.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    /// The `particle` column.
    pub id: String,
    /// Its weight, normalised so that the weights sum to 1.
    pub weight: f64,
    /// One value per parameter, in the file's column order.
    pub values: Vec<f64>,
    /// Its distance to the reported figures.
    pub distance: f64,
}

/// A weighted sample of parameter values.
#[derive(Debug, Clone)]
pub struct Posterior {
    file: String,
    parameters: Vec<ParamPath>,
    particles: Vec<Particle>,
    sampler: WeightedIndex<f64>,
}

impl Posterior {
    /// Reads and checks a posterior file.
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let file = path.display().to_string();
        let whole = |message: String| InputError {
            file: file.clone(),
            line: None,
            column: None,
            key: None,
            message,
        };
        let bytes = crate::input_file::read(path, MAX_BYTES)
            .map_err(|e| whole(format!("cannot read the posterior file: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| whole("is not valid UTF-8 text: save it as UTF-8".to_owned()))?;
        Self::parse(&file, &text)
    }

    /// Parses the text of a posterior file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, InputError> {
        let at =
            |line: usize, column: Option<usize>, key: Option<&str>, message: String| InputError {
                file: file.to_owned(),
                line: Some(line),
                column,
                key: key.map(str::to_owned),
                message,
            };
        if let Some(at) = crate::data::unclosed_quote(text) {
            return Err(crate::data::unclosed_quote_error(file, at));
        }
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| at(1, Some(1), None, format!("cannot read the header: {e}")))?
            .clone();
        let names: Vec<&str> = header.iter().collect();
        let expected = "the header is `particle,weight,PARAMETER,...,distance`, \
                        as `exodus calibrate --method abc-smc` writes it";
        if names.len() < 4
            || names[0] != "particle"
            || names[1] != "weight"
            || names[names.len() - 1] != "distance"
        {
            return Err(at(
                1,
                Some(1),
                None,
                format!("{expected}; got `{}`", names.join(",")),
            ));
        }
        let mut parameters: Vec<ParamPath> = Vec::new();
        for (i, name) in names[2..names.len() - 1].iter().enumerate() {
            let path: ParamPath = name
                .parse()
                .map_err(|m: String| at(1, Some(i + 3), Some(name), m))?;
            if parameters.contains(&path) {
                return Err(at(
                    1,
                    Some(i + 3),
                    Some(name),
                    "this parameter's column appears twice".to_owned(),
                ));
            }
            parameters.push(path);
        }
        let mut particles: Vec<Particle> = Vec::new();
        // Each particle's name and its line: a name met again is found in
        // logarithmic time, so a file loads in O(n log n).
        let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(1, |p| p.line() as usize);
                at(line, None, None, format!("{e}; {expected}"))
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            if particles.len() == MAX_PARTICLES {
                return Err(at(
                    line,
                    None,
                    None,
                    format!("more than {MAX_PARTICLES} particles"),
                ));
            }
            let number = |i: usize| -> Result<f64, InputError> {
                let key = names[i];
                let raw = record.get(i).unwrap_or_default();
                let value: f64 = raw.parse().map_err(|_| {
                    at(
                        line,
                        Some(i + 1),
                        Some(key),
                        format!("expects a number, got `{raw}`"),
                    )
                })?;
                if value.is_finite() {
                    Ok(value)
                } else {
                    Err(at(
                        line,
                        Some(i + 1),
                        Some(key),
                        format!("expects a finite number, got `{raw}`"),
                    ))
                }
            };
            let id = record.get(0).unwrap_or_default().to_owned();
            if id.is_empty() {
                return Err(at(
                    line,
                    Some(1),
                    Some("particle"),
                    "is empty: name every particle".to_owned(),
                ));
            }
            if let Some(first) = seen.get(&id) {
                return Err(at(
                    line,
                    Some(1),
                    Some("particle"),
                    format!("`{id}` appears twice (first on line {first})"),
                ));
            }
            seen.insert(id.clone(), line);
            let weight = number(1)?;
            if weight < 0.0 {
                return Err(at(
                    line,
                    Some(2),
                    Some("weight"),
                    format!("must be 0 or more, got {weight}"),
                ));
            }
            let values = (2..names.len() - 1)
                .map(number)
                .collect::<Result<Vec<f64>, _>>()?;
            let distance = number(names.len() - 1)?;
            if distance < 0.0 {
                return Err(at(
                    line,
                    Some(names.len()),
                    Some("distance"),
                    format!("must be 0 or more, got {distance}"),
                ));
            }
            particles.push(Particle {
                id,
                weight,
                values,
                distance,
            });
        }
        let total: f64 = particles.iter().map(|p| p.weight).sum();
        if particles.is_empty() || total <= 0.0 || !total.is_finite() {
            let line = 1 + particles.len();
            return Err(at(
                line,
                None,
                Some("weight"),
                "the file has no particle of positive weight".to_owned(),
            ));
        }
        for p in &mut particles {
            p.weight /= total;
        }
        let weights: Vec<f64> = particles.iter().map(|p| p.weight).collect();
        let sampler =
            WeightedIndex::new(&weights).map_err(|e| at(1, None, Some("weight"), e.to_string()))?;
        Ok(Self {
            file: file.to_owned(),
            parameters,
            particles,
            sampler,
        })
    }

    /// The file it was read from.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The parameters, in the file's column order.
    pub fn parameters(&self) -> &[ParamPath] {
        &self.parameters
    }

    /// The particles, their weights normalised.
    pub fn particles(&self) -> &[Particle] {
        &self.particles
    }

    /// Kish's effective sample size of the weights, `1 / Σ w²`.
    pub fn effective_size(&self) -> f64 {
        1.0 / self
            .particles
            .iter()
            .map(|p| p.weight * p.weight)
            .sum::<f64>()
    }

    /// The particle of replicate `replicate` under master seed `seed`.
    pub fn draw(&self, seed: u64, replicate: u32) -> &Particle {
        let mut rng = rng::stream(seed, Stream::Posterior { replicate });
        &self.particles[self.sampler.sample(&mut rng)]
    }

    /// A particle's values as (path, value) pairs, to build a scenario with.
    pub fn assignment(&self, particle: &Particle) -> Vec<(ParamPath, f64)> {
        self.parameters
            .iter()
            .cloned()
            .zip(particle.values.iter().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "particle,weight,decision.peer,decision.base_log_hazard,distance\n\
                        0,1,0.1,-9,0.5\n\
                        1,3,0.7,-8,0.4\n";

    #[test]
    fn weights_are_normalised_and_draws_follow_them() {
        let p = Posterior::parse("p.csv", GOOD).unwrap();
        assert_eq!(p.parameters().len(), 2);
        assert_eq!(p.particles()[1].weight, 0.75);
        let heavy = (0..4000).filter(|&r| p.draw(7, r).id == "1").count();
        // Binomial(4000, 0.75): sd 27; 6 sd either side has a false-alarm rate below 1e-8.
        assert!((heavy as f64 - 3000.0).abs() < 6.0 * 27.4, "{heavy}");
        assert_eq!(
            p.draw(7, 3),
            p.draw(7, 3),
            "a replicate's draw depends on the seed and r only"
        );
        assert!((p.effective_size() - 1.0 / (0.0625 + 0.5625)).abs() < 1e-12);
    }

    #[test]
    fn bad_files_are_refused_with_their_place() {
        let bad = [
            ("particle,weight,distance\n0,1,0\n", 1, "the header is"),
            (
                "particle,weight,decision.peer,distance\n0,1,0.1,0\n0,1,0.2,0\n",
                3,
                "appears twice",
            ),
            (
                "particle,weight,decision.peer,distance\n0,-1,0.1,0\n",
                2,
                "0 or more",
            ),
            (
                "particle,weight,decision.peer,distance\n0,1,inf,0\n",
                2,
                "finite",
            ),
            (
                "particle,weight,decision.peer,distance\n0,1,x,0\n",
                2,
                "a number",
            ),
            (
                "particle,weight,decision.peer,distance\n,1,0.1,0\n",
                2,
                "empty",
            ),
            (
                "particle,weight,decision.peer,distance\n0,0,0.1,0\n",
                2,
                "positive weight",
            ),
            (
                "particle,weight,decision.peer,distance\n",
                1,
                "positive weight",
            ),
            (
                "particle,weight,decision.peer,decision.peer,distance\n0,1,0,0,0\n",
                1,
                "twice",
            ),
            (
                "particle,weight,decision.peer,distance\n0,1,0.1\n",
                2,
                "particle,weight",
            ),
        ];
        for (text, line, words) in bad {
            let e = Posterior::parse("p.csv", text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert!(e.message.contains(words), "{text}: {e}");
        }
    }
}
