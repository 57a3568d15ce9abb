//! Numbers and names as exodus writes them, the same way everywhere: counts
//! with thousands separators for people, snake_case column names for
//! machines, SHA-256 digests in hex, and floats with a fixed or shortest
//! number of decimals so that the same run gives byte-identical files.
//!
//! [`Decimals`] and [`Plain`] carry a float's written form into serde, so
//! that a CSV row type (see `output::table`) writes each column exactly as
//! it always has; [`suggest`] lists the valid names nearest a misspelt one.
//! A ground-floor module: it imports nothing from the crate.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A count for people to read: 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A signed value rounded to a whole number, with thousands separators
/// (`-1,235`): the labels of a chart's axis.
pub fn signed_thousands(v: f64) -> String {
    let n = v.round() as i64;
    let digits = thousands(n.unsigned_abs());
    if n < 0 { format!("-{digits}") } else { digits }
}

/// A short list of the valid names, nearest first (by edit distance), for
/// "unknown name" errors.
pub fn suggest<'n>(name: &str, valid: impl Iterator<Item = &'n str>) -> String {
    let mut valid: Vec<&str> = valid.collect();
    valid.sort_by_key(|v| (strsim::levenshtein(name, v), *v));
    let shown: Vec<String> = valid.iter().take(5).map(|v| format!("`{v}`")).collect();
    format!("did you mean one of {}?", shown.join(", "))
}

/// `Baltic states` → `baltic_states`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A float with up to six decimals and no trailing zeros (`-8.25`, `1.0`).
pub fn format_float(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_owned()
    }
}

/// Serializes a float with exactly `N` decimals, for a field of a row
/// type: `#[serde(serialize_with = "fixed::<3, _>")]`.
pub fn fixed<const N: usize, S: Serializer>(v: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    Decimals::<N>(*v).serialize(serializer)
}

/// A float written with exactly `N` decimals (`Decimals::<3>(2.5)` is
/// `2.500`).
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Decimals<const N: usize>(pub f64);

impl<const N: usize> fmt::Display for Decimals<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.*}", N, self.0)
    }
}

/// A float written as Rust displays it, as short as reads back
/// (`200000`, `0.15`).
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Plain(pub f64);

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A float written with up to six decimals and no trailing zeros (see
/// [`format_float`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Short(pub f64);

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_float(self.0))
    }
}

/// Serde for the written floats: written as displayed, read back as any
/// number.
macro_rules! written_float {
    ($($t:ty $(, const $n:ident)?);*) => {$(
        impl<$(const $n: usize)?> Serialize for $t {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de, $(const $n: usize)?> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                f64::deserialize(deserializer).map(Self)
            }
        }
    )*};
}

written_float!(Decimals<N>, const N; Plain; Short);

/// A number as a message shows it: as written between a millionth and a
/// thousand million million, in scientific notation outside (`1e300`, not
/// three hundred digits; `1e-9`, not `0.000000001`).
pub fn compact_number(v: &impl std::fmt::Display) -> String {
    let text = v.to_string();
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x != 0.0 && !(1e-6..1e15).contains(&x.abs()) => {
            format!("{x:e}")
        }
        _ => text,
    }
}

/// A count with its noun, singular for one: `counted(1, "replicate")` is
/// `1 replicate`, `counted(12000, "run")` is `12,000 runs`.
pub fn counted(n: u64, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", thousands(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_singular_for_one() {
        assert_eq!(counted(1, "replicate"), "1 replicate");
        assert_eq!(counted(0, "run"), "0 runs");
        assert_eq!(counted(12_000, "run"), "12,000 runs");
    }

    #[test]
    fn long_and_tiny_numbers_are_shown_in_scientific_notation() {
        assert_eq!(compact_number(&1e300), "1e300");
        assert_eq!(compact_number(&1e-9), "1e-9");
        assert_eq!(compact_number(&2.5), "2.5");
        assert_eq!(compact_number(&0.0), "0");
        assert_eq!(compact_number(&12_000_000_u64), "12000000");
        assert_eq!(compact_number(&u64::MAX), "1.8446744073709552e19");
        assert_eq!(compact_number(&"not a number"), "not a number");
    }

    #[test]
    fn suggestions_come_nearest_first_then_in_order() {
        let valid = [
            "upper-lars",
            "verkhny-lars",
            "kazbegi",
            "lars",
            "upper-larss",
        ];
        assert_eq!(
            suggest("uper-lars", valid.into_iter()),
            "did you mean one of `upper-lars`, `upper-larss`, `lars`, `verkhny-lars`, `kazbegi`?"
        );
    }

    #[test]
    fn snake_case_destinations() {
        assert_eq!(snake_case("Baltic states"), "baltic_states");
        assert_eq!(snake_case("Kazakhstan"), "kazakhstan");
    }

    #[test]
    fn format_float_is_short() {
        assert_eq!(format_float(-8.25), "-8.25");
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(0.1234567), "0.123457");
    }

    #[test]
    fn counts_and_floats_are_written_alike_everywhere() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(signed_thousands(-1234.6), "-1,235");
        assert_eq!(Decimals::<3>(2.5).to_string(), "2.500");
        assert_eq!(Plain(200_000.0).to_string(), "200000");
        assert_eq!(Plain(0.15).to_string(), "0.15");
        assert_eq!(Short(1.0).to_string(), "1.0");
    }
}
