//! The results file: everything a run returns as JSON, per-path columns as
//! base64 of their f64 bytes, with a schema version and a checksum of every
//! other byte of the document; read back only when the checksum matches and
//! the results hang together.

use serde::Deserialize;

use super::{Column, LAB_METRICS, Results};
use crate::error::{Error, Result};

/// Version of the results schema written by this build (2: files carry a
/// checksum of their per-path columns; 3: the checksum covers every byte of
/// the document but itself; 4: yearly flows per path only with
/// `keep_years`, every year's exact moments, and the sketches of shares and
/// margins with a `linear` part, buckets of fixed width over their range).
/// Files of version 3 are refused: their sketches of shares and margins have
/// no such part, and a run cannot be merged with one that has.
pub const SCHEMA_VERSION: u32 = 4;

/// How every results file begins: the checksum comes first, so that it can be
/// checked over the bytes that follow before anything is parsed.
const CHECKSUM_HEAD: &str = "{\"checksum\":\"";

/// FNV-1a over bytes: a change of any one byte always changes the hash (each
/// step is a bijection of the state), so every single damaged byte is caught.
fn fnv1a64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

fn checksum_of(body: &str) -> String {
    format!("fnv1a64:{:016x}", fnv1a64(&[body.as_bytes()]))
}

/// The checksum a file states and the document without it (`{` followed by
/// what comes after the checksum member), or `None` if the file does not
/// begin as [`Results::to_json`] writes it.
fn split_checksum(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix(CHECKSUM_HEAD)?;
    let end = rest.find('"')?;
    let after = rest[end..].strip_prefix("\",")?;
    Some((&rest[..end], after))
}

impl Results {
    /// Check that results (read from a file) hang together: path range,
    /// column lengths, labs and events of the scenario, stored paths and
    /// quarters, so that a damaged file is reported instead of failing later.
    pub fn check_consistent(&self) -> std::result::Result<(), String> {
        let r = self;
        if !(r.start < r.end && r.end <= r.paths) {
            return Err(format!("path range [{}, {}) of {} paths", r.start, r.end, r.paths));
        }
        r.scenario.validate().map_err(|e| format!("invalid scenario ({e})"))?;
        let n = r.len();
        let length = |what: &str, c: &Column| {
            if c.values.len() == n {
                Ok(())
            } else {
                Err(format!("{what} {} has {} values for {n} paths", c.name, c.values.len()))
            }
        };
        for c in &r.inputs {
            length("input", c)?;
        }
        let ids = |a: Vec<&str>, b: Vec<&str>, what: &str| {
            if a == b {
                Ok(())
            } else {
                Err(format!("{what} {a:?} differ from the scenario's {b:?}"))
            }
        };
        ids(
            r.labs.iter().map(|l| l.id.as_str()).collect(),
            r.scenario.labs.iter().map(|l| l.id.as_str()).collect(),
            "labs",
        )?;
        ids(
            r.events.iter().map(|c| c.name.as_str()).collect(),
            r.scenario.events.iter().map(|e| e.id.as_str()).collect(),
            "events",
        )?;
        for lab in &r.labs {
            ids(
                lab.metrics.iter().map(|c| c.name.as_str()).collect(),
                LAB_METRICS.to_vec(),
                &format!("metrics of lab {}", lab.id),
            )?;
            let columns = if r.keep_years { r.years.len() } else { 0 };
            if lab.revenue.len() != columns || lab.fcf.len() != columns {
                return Err(format!(
                    "lab {}: {} yearly columns for {} years (keep_years {})",
                    lab.id,
                    lab.revenue.len(),
                    r.years.len(),
                    r.keep_years
                ));
            }
            let moments = lab.revenue_moments.iter().chain(&lab.fcf_moments);
            if lab.revenue_moments.len() != r.years.len()
                || lab.fcf_moments.len() != r.years.len()
                || moments.clone().any(|m| m.n != n as u64)
            {
                return Err(format!(
                    "lab {}: yearly moments do not match the years and paths",
                    lab.id
                ));
            }
            for c in lab.metrics.iter().chain(&lab.revenue).chain(&lab.fcf) {
                length(&format!("lab {}", lab.id), c)?;
            }
        }
        for c in &r.events {
            length("event", c)?;
        }
        if r.pv_savings.len() != n {
            return Err(format!("pv_savings has {} values for {n} paths", r.pv_savings.len()));
        }
        if r.steps_per_year == 0 || r.steps == 0 {
            return Err(format!("{} steps, {} per year", r.steps, r.steps_per_year));
        }
        for s in &r.series {
            for (q, sketch) in s.quarters.iter().enumerate() {
                sketch
                    .check(n as u64)
                    .map_err(|m| format!("series {} at quarter {q}: {m}", s.id))?;
                // Merging needs every part's sketch of a series on one scale.
                if sketch.scale() != s.id.scale() {
                    return Err(format!(
                        "series {} at quarter {q}: sketched on scale {:?}, expected {:?}",
                        s.id,
                        sketch.scale().range(),
                        s.id.scale().range()
                    ));
                }
            }
            if s.quarters.len() != r.quarter_times.len() {
                return Err(format!(
                    "series {} has {} quarters, expected {}",
                    s.id,
                    s.quarters.len(),
                    r.quarter_times.len()
                ));
            }
        }
        let stored = (r.stored_count() as u128) * (r.series.len() as u128) * (r.steps as u128 + 1);
        if r.stored.len() as u128 != stored {
            return Err(format!("{} stored values, expected {stored}", r.stored.len()));
        }
        Ok(())
    }

    /// Serialise as JSON (per-path columns as base64 of their f64 bytes),
    /// beginning with a `checksum` of every other byte of the document (the
    /// document serialised without it), which [`Results::from_json`]
    /// verifies before it reads anything else.
    pub fn to_json(&self) -> String {
        let body = serde_json::to_string(self).expect("results serialise");
        format!("{CHECKSUM_HEAD}{}\",{}", checksum_of(&body), &body[1..])
    }

    /// The checksum that [`Results::to_json`] writes: FNV-1a (64 bits) over
    /// the bytes of the document without its checksum member. It catches
    /// hand edits and damage anywhere in the file, not tampering.
    pub fn checksum(&self) -> String {
        checksum_of(&serde_json::to_string(self).expect("results serialise"))
    }

    /// Read results written by [`Results::to_json`]. The checksum is checked
    /// over the raw bytes first: nothing of a file that fails it is trusted.
    ///
    /// # Errors
    /// [`Error::Schema`] for another schema version (also a file of an older
    /// version, whose checksum is computed otherwise), [`Error::ResultsFile`]
    /// for a file that fails its checksum (any byte changed after it was
    /// written), has none, or does not hang together.
    pub fn from_json(text: &str) -> Result<Results> {
        let unreadable = |message: String| Error::ResultsFile { message };
        let Some((want, rest)) = split_checksum(text) else {
            return Err(refused(
                text,
                "no checksum at the start: not a results file written by aibubble".into(),
            ));
        };
        let got = format!("fnv1a64:{:016x}", fnv1a64(&[b"{", rest.as_bytes()]));
        if got != want {
            return Err(refused(
                text,
                format!(
                    "the file does not match its checksum ({want:?}, computed {got}): \
                     it was changed or damaged after it was written"
                ),
            ));
        }
        let results: Results = serde_json::from_str(text).map_err(|e| unreadable(e.to_string()))?;
        if results.schema_version != SCHEMA_VERSION {
            return Err(Error::Schema {
                found: results.schema_version,
                supported: SCHEMA_VERSION,
            });
        }
        results
            .check_consistent()
            .map_err(|message| unreadable(format!("{message}: not a consistent aibubble results file")))?;
        Ok(results)
    }
}

/// The error for a file whose checksum is missing or wrong: [`Error::Schema`]
/// if it states another schema version (older files are checked otherwise),
/// else [`Error::ResultsFile`] with `reason` (or why it is not JSON).
fn refused(text: &str, reason: String) -> Error {
    #[derive(Deserialize)]
    struct Head {
        schema_version: Option<u32>,
    }
    let unreadable = |message: String| Error::ResultsFile { message };
    match serde_json::from_str::<Head>(text) {
        Err(e) => unreadable(format!("not an aibubble results file ({e})")),
        Ok(Head { schema_version: None }) => unreadable("no schema_version: not an aibubble results file".into()),
        Ok(Head {
            schema_version: Some(found),
        }) if found != SCHEMA_VERSION => Error::Schema {
            found,
            supported: SCHEMA_VERSION,
        },
        Ok(_) => unreadable(reason),
    }
}

/// Serde for per-path float vectors: the little-endian bytes of the f64s,
/// base64-encoded. Exact to the bit (NaN and `inf` included), compact, and
/// fast to write and read, which matters for saving and pickling large runs.
/// Plain JSON lists of numbers (with `"inf"`, `"-inf"`, `"nan"` strings) are
/// read too.
pub(crate) mod floats {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::de::{SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        s.serialize_str(&STANDARD.encode(bytes))
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Num(f64),
        Str(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<f64>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("base64 of little-endian f64s, or a list of numbers")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Vec<f64>, E> {
                let bytes = STANDARD
                    .decode(text)
                    .map_err(|e| E::custom(format!("bad base64 float column: {e}")))?;
                if bytes.len() % 8 != 0 {
                    return Err(E::custom(format!(
                        "float column of {} bytes, not a multiple of 8",
                        bytes.len()
                    )));
                }
                Ok(bytes
                    .chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                    .collect())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(r) = seq.next_element::<Repr>()? {
                    out.push(match r {
                        Repr::Num(x) => x,
                        Repr::Str(s) => match s.as_str() {
                            "inf" => f64::INFINITY,
                            "-inf" => f64::NEG_INFINITY,
                            "nan" => f64::NAN,
                            other => return Err(serde::de::Error::custom(format!("not a number: {other:?}"))),
                        },
                    });
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scenario, Simulation};

    /// A file of schema 3 (yearly columns, no moments, relative sketches of
    /// shares) is refused as another schema, as is version 2.
    #[test]
    fn files_of_earlier_schemas_are_refused_as_such() {
        let s = Scenario::preset("baseline").unwrap();
        let r = Simulation::new(&s).unwrap().paths(300).seed(2).run().unwrap();
        let mut doc: serde_json::Value = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        doc["schema_version"] = 3.into();
        let body = serde_json::to_string(&doc).unwrap();
        let text = format!("{CHECKSUM_HEAD}{}\",{}", checksum_of(&body), &body[1..]);
        assert!(matches!(Results::from_json(&text), Err(Error::Schema { found: 3, .. })));
        // Version 2 is still refused as another schema.
        doc["schema_version"] = 2.into();
        let body = serde_json::to_string(&doc).unwrap();
        let text = format!("{CHECKSUM_HEAD}{}\",{}", checksum_of(&body), &body[1..]);
        assert!(matches!(Results::from_json(&text), Err(Error::Schema { found: 2, .. })));
    }
}
