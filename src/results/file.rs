//! The results file: everything a run returns as JSON, per-path columns as
//! base64 of their f64 bytes, with a schema version and a checksum of the
//! columns; read back only when it hangs together.

use serde::Deserialize;

use super::{Column, LAB_METRICS, Results};
use crate::error::{Error, Result};

/// Version of the results schema written by this build (2: files carry a
/// checksum of their per-path columns).
pub const SCHEMA_VERSION: u32 = 2;

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
            if lab.revenue.len() != r.years.len() || lab.fcf.len() != r.years.len() {
                return Err(format!(
                    "lab {}: yearly columns do not match {} years",
                    lab.id,
                    r.years.len()
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
    /// with a `checksum` of the columns that [`Results::from_json`] verifies.
    pub fn to_json(&self) -> String {
        let body = serde_json::to_string(self).expect("results serialise");
        format!("{{\"checksum\":\"{}\",{}", self.checksum(), &body[1..])
    }

    /// A checksum of every per-path column and stored path, bit for bit:
    /// FNV-1a over the little-endian words of the values, in file order.
    /// It catches hand edits and damage, not tampering.
    pub fn checksum(&self) -> String {
        let mut h: u64 = 0xCBF2_9CE4_8422_2325;
        let mut add = |xs: &[f64]| {
            for x in xs {
                h ^= x.to_bits();
                h = h.wrapping_mul(0x0000_0100_0000_01B3);
            }
        };
        for c in &self.inputs {
            add(&c.values);
        }
        for lab in &self.labs {
            for c in lab.metrics.iter().chain(&lab.revenue).chain(&lab.fcf) {
                add(&c.values);
            }
        }
        for c in &self.events {
            add(&c.values);
        }
        add(&self.pv_savings);
        add(&self.stored);
        format!("fnv1a64:{h:016x}")
    }

    /// Read results written by [`Results::to_json`].
    ///
    /// # Errors
    /// [`Error::Schema`] for another schema version, [`Error::ResultsFile`]
    /// for anything that does not hang together or fails its checksum.
    pub fn from_json(text: &str) -> Result<Results> {
        let unreadable = |message: String| Error::ResultsFile { message };
        #[derive(Deserialize)]
        struct Head {
            schema_version: Option<u32>,
            checksum: Option<String>,
        }
        let head: Head = serde_json::from_str(text).map_err(|e| unreadable(e.to_string()))?;
        match head.schema_version {
            Some(SCHEMA_VERSION) => {}
            Some(found) => {
                return Err(Error::Schema {
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            None => {
                return Err(unreadable("no schema_version: not an aibubble results file".into()));
            }
        }
        let results: Results = serde_json::from_str(text).map_err(|e| unreadable(e.to_string()))?;
        results
            .check_consistent()
            .map_err(|message| unreadable(format!("{message}: not a consistent aibubble results file")))?;
        let want = head
            .checksum
            .ok_or_else(|| unreadable("no checksum: not a results file written by aibubble".into()))?;
        let got = results.checksum();
        if got != want {
            return Err(unreadable(format!(
                "the per-path columns do not match the file's checksum ({want}, computed {got}): \
                 the file was changed or damaged after it was written"
            )));
        }
        Ok(results)
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
