//! What a run returns (MODEL section 8): the per-path table, time-series
//! sketches and stored full paths, serialisable with a schema version, and
//! mergeable across split runs bit for bit.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::scenario::{Class, Scenario};
use crate::stats::Sketch;

/// Version of the results schema written by this build (2: files carry a
/// checksum of their per-path columns).
pub const SCHEMA_VERSION: u32 = 2;

/// Per-lab metrics kept for every path (MODEL section 10 output names), in this order.
pub const LAB_METRICS: [&str; 8] = [
    "fair_value",
    "phi",
    "pv",
    "tv_share",
    "pop_time",
    "drawdown",
    "funding_need",
    "first_negative_cash",
];

/// What a recorded series is kept for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Per {
    /// One series for the run.
    Run,
    /// One per segment.
    Segment,
    /// One per lab.
    Lab,
    /// One per lab with a mark.
    MarkedLab,
}

/// The time series recorded at quarter ends (MODEL section 8). The order
/// of [`Series::ALL`] is the one layout of the recorded observations: the
/// engine writes them in it, results and Python read them in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Series {
    Gap,
    ClosedShare,
    ClosedPrice,
    PriceRatio,
    Revenue,
    MarketValue,
    Cash,
    Savings,
    Potential,
}

impl Series {
    /// Every series, in recording order.
    pub const ALL: [Series; 9] = [
        Series::Gap,
        Series::ClosedShare,
        Series::ClosedPrice,
        Series::PriceRatio,
        Series::Revenue,
        Series::MarketValue,
        Series::Cash,
        Series::Savings,
        Series::Potential,
    ];

    /// The output name (MODEL section 10).
    pub fn name(self) -> &'static str {
        match self {
            Series::Gap => "gap",
            Series::ClosedShare => "closed_share",
            Series::ClosedPrice => "closed_price",
            Series::PriceRatio => "price_ratio",
            Series::Revenue => "revenue",
            Series::MarketValue => "market_value",
            Series::Cash => "cash",
            Series::Savings => "savings",
            Series::Potential => "potential",
        }
    }

    /// Whether the series is per run, segment, lab or marked lab.
    pub fn per(self) -> Per {
        match self {
            Series::ClosedShare => Per::Segment,
            Series::Revenue | Series::Cash => Per::Lab,
            Series::MarketValue => Per::MarkedLab,
            _ => Per::Run,
        }
    }

    /// The series of a scenario, in recording order.
    pub fn ids(s: &Scenario) -> Vec<SeriesId> {
        let mut out = Vec::new();
        for v in Series::ALL {
            let id = |lab: Option<&str>, segment: Option<&str>| SeriesId {
                variable: v.name().into(),
                lab: lab.map(String::from),
                segment: segment.map(String::from),
            };
            match v.per() {
                Per::Run => out.push(id(None, None)),
                Per::Segment => out.extend(s.segments.iter().map(|g| id(None, Some(&g.id)))),
                Per::Lab => out.extend(s.labs.iter().map(|l| id(Some(&l.id), None))),
                Per::MarkedLab => out.extend(
                    s.labs
                        .iter()
                        .filter(|l| l.mark.is_some())
                        .map(|l| id(Some(&l.id), None)),
                ),
            }
        }
        out
    }
}

/// One recorded time series (MODEL section 8 output names).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SeriesId {
    pub variable: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
}

impl std::fmt::Display for SeriesId {
    /// `revenue(lab=openai)`, `closed_share(segment=consumer)`, `gap`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.variable)?;
        if let Some(l) = &self.lab {
            write!(f, "(lab={l})")?;
        }
        if let Some(s) = &self.segment {
            write!(f, "(segment={s})")?;
        }
        Ok(())
    }
}

/// One named column of per-path values.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(with = "floats")]
    pub values: Vec<f64>,
}

/// Columns compare bit for bit, so NaN (a metric that does not apply) equals itself.
impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

/// Per-path outputs of one lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabPaths {
    pub id: String,
    pub name: String,
    pub class: Class,
    /// The metrics of [`LAB_METRICS`] (`fair_value`, `phi`, ...), one column each.
    pub metrics: Vec<Column>,
    /// Revenue of each calendar year (`sum R dt`), one column per year.
    pub revenue: Vec<Column>,
    /// Free cash flow of each calendar year (`sum FCF dt`).
    pub fcf: Vec<Column>,
}

impl LabPaths {
    /// A per-path metric by output name.
    pub fn metric(&self, name: &str) -> Option<&[f64]> {
        self.metrics
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.values.as_slice())
    }
    pub fn has_mark(&self) -> bool {
        self.metric("phi").is_some_and(|v| v.iter().any(|x| !x.is_nan()))
    }
}

/// A calendar year of the horizon and the fraction of it covered.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Year {
    pub year: i32,
    pub fraction: f64,
}

/// Quantile sketches of one series at each quarter end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesSketches {
    #[serde(flatten)]
    pub id: SeriesId,
    pub quarters: Vec<Sketch>,
}

/// The results of a run over paths `[start, end)` of an `paths`-path run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub schema_version: u32,
    pub scenario: Scenario,
    pub seed: u64,
    /// `N`, the number of paths of the whole run.
    pub paths: u64,
    pub start: u64,
    pub end: u64,
    /// Full paths are kept for paths with index below this.
    pub store_paths: u64,
    pub steps: usize,
    pub steps_per_year: usize,
    pub years: Vec<Year>,
    /// Calendar time of each quarter end.
    pub quarter_times: Vec<f64>,
    /// Drawn (or tabled) inputs, by field path.
    pub inputs: Vec<Column>,
    pub labs: Vec<LabPaths>,
    /// Firing time (years after start) of each event; `inf` when it never fired.
    pub events: Vec<Column>,
    #[serde(with = "floats")]
    pub pv_savings: Vec<f64>,
    pub series: Vec<SeriesSketches>,
    /// Full paths `[path][series][k]` for paths `start..min(end, store_paths)`.
    #[serde(with = "floats")]
    pub stored: Vec<f64>,
}

impl Results {
    /// Number of paths held.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn lab(&self, id: &str) -> Option<&LabPaths> {
        self.labs.iter().find(|l| l.id == id)
    }

    /// Number of full paths held.
    pub fn stored_count(&self) -> usize {
        self.store_paths.min(self.end).saturating_sub(self.start) as usize
    }

    /// One stored series (`[path][k]`, `steps + 1` values per path).
    pub fn stored_series(&self, id: &SeriesId) -> Option<Vec<f64>> {
        let si = self.series.iter().position(|s| s.id == *id)?;
        let per = self.steps + 1;
        let stride = self.series.len() * per;
        Some(
            (0..self.stored_count())
                .flat_map(|p| {
                    self.stored[p * stride + si * per..p * stride + (si + 1) * per]
                        .iter()
                        .copied()
                })
                .collect(),
        )
    }

    /// Per-path sector fair value: the sum of `E` over closed labs with a mark.
    pub fn sector_fair_value(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.len()];
        for lab in self.sector_labs() {
            for (o, e) in out.iter_mut().zip(lab.metric("fair_value").expect("metric")) {
                *o += e;
            }
        }
        out
    }

    /// Per-path sum of the marks of the sector's labs.
    pub fn sector_mark(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.len()];
        for lab in self.sector_labs() {
            let fv = lab.metric("fair_value").expect("metric");
            let phi = lab.metric("phi").expect("metric");
            let col = self.inputs.iter().find(|c| c.name == format!("labs.{}.mark", lab.id));
            let fixed = self
                .scenario
                .lab(&lab.id)
                .and_then(|l| l.mark.as_ref())
                .and_then(|m| m.fixed_value());
            for (p, o) in out.iter_mut().enumerate() {
                *o += match (col, fixed) {
                    (Some(c), _) => c.values[p],
                    (None, Some(v)) => v,
                    // Unreachable for valid results; recover the mark from E / phi.
                    (None, None) => fv[p] / phi[p],
                };
            }
        }
        out
    }

    /// The series whose sketches collapsed their smallest magnitudes at
    /// some quarter (MODEL section 8): their low quantiles are coarse.
    pub fn collapsed_series(&self) -> Vec<&SeriesId> {
        self.series
            .iter()
            .filter(|s| s.quarters.iter().any(Sketch::collapsed))
            .map(|s| &s.id)
            .collect()
    }

    /// Closed labs with a mark.
    pub fn sector_labs(&self) -> impl Iterator<Item = &LabPaths> {
        self.labs
            .iter()
            .filter(|l| l.class == Class::Closed && self.scenario.lab(&l.id).is_some_and(|s| s.mark.is_some()))
    }

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

/// Join the results of split runs of the same scenario, seed and path count,
/// in path order. The result equals the single run over the union bit for bit.
///
/// # Errors
/// [`Error::Argument`] when the parts are of different runs or their ranges
/// do not join up.
pub fn merge(mut parts: Vec<Results>) -> Result<Results> {
    if parts.is_empty() {
        return Err(Error::argument("results", "nothing to merge"));
    }
    parts.sort_by_key(|p| p.start);
    let mut out = parts.remove(0);
    for p in parts {
        if p.scenario != out.scenario || p.seed != out.seed || p.paths != out.paths || p.store_paths != out.store_paths
        {
            return Err(Error::argument(
                "results",
                "parts come from different runs (scenario, seed, paths or store_paths differ)",
            ));
        }
        if p.start != out.end {
            return Err(Error::argument(
                "results",
                format!(
                    "ranges do not join: [{}, {}) then [{}, {})",
                    out.start, out.end, p.start, p.end
                ),
            ));
        }
        if p.inputs.iter().map(|c| &c.name).ne(out.inputs.iter().map(|c| &c.name)) {
            return Err(Error::argument("results", "parts have different input columns"));
        }
        let cat = |a: &mut Vec<Column>, b: Vec<Column>| {
            for (x, y) in a.iter_mut().zip(b) {
                x.values.extend(y.values);
            }
        };
        cat(&mut out.inputs, p.inputs);
        for (a, b) in out.labs.iter_mut().zip(p.labs) {
            cat(&mut a.metrics, b.metrics);
            cat(&mut a.revenue, b.revenue);
            cat(&mut a.fcf, b.fcf);
        }
        cat(&mut out.events, p.events);
        out.pv_savings.extend(p.pv_savings);
        for (a, b) in out.series.iter_mut().zip(&p.series) {
            for (x, y) in a.quarters.iter_mut().zip(&b.quarters) {
                x.merge(y);
            }
        }
        out.stored.extend(p.stored);
        out.end = p.end;
    }
    Ok(out)
}

/// Serde for per-path float vectors: the little-endian bytes of the f64s,
/// base64-encoded. Exact to the bit (NaN and `inf` included), compact, and
/// fast to write and read, which matters for saving and pickling large runs.
/// Plain JSON lists of numbers (with `"inf"`, `"-inf"`, `"nan"` strings) are
/// read too.
mod floats {
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

/// Quantiles reported for time series.
pub const SERIES_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// One row of the time-series quantile table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesRow<'a> {
    pub id: &'a SeriesId,
    /// Calendar time of the quarter end.
    pub time: f64,
    /// Values at [`SERIES_QUANTILES`].
    pub quantiles: [f64; 5],
}

impl Results {
    /// Every per-path column with its name: inputs by field path, then
    /// `labs.<id>.<metric>`, `labs.<id>.revenue.<year>`, `labs.<id>.fcf.<year>`,
    /// `events.<id>.time` and `pv_savings`.
    pub fn per_path_columns(&self) -> Vec<(String, &[f64])> {
        let mut out: Vec<(String, &[f64])> = self
            .inputs
            .iter()
            .map(|c| (c.name.clone(), c.values.as_slice()))
            .collect();
        for lab in &self.labs {
            for c in &lab.metrics {
                out.push((format!("labs.{}.{}", lab.id, c.name), &c.values));
            }
            for c in &lab.revenue {
                out.push((format!("labs.{}.revenue.{}", lab.id, c.name), &c.values));
            }
            for c in &lab.fcf {
                out.push((format!("labs.{}.fcf.{}", lab.id, c.name), &c.values));
            }
        }
        for c in &self.events {
            out.push((format!("events.{}.time", c.name), &c.values));
        }
        out.push(("pv_savings".into(), &self.pv_savings));
        out
    }

    /// Quantiles of every series at every quarter end, from the sketches.
    pub fn series_rows(&self) -> Vec<SeriesRow<'_>> {
        let mut out = Vec::new();
        for s in &self.series {
            for (q, sk) in s.quarters.iter().enumerate() {
                out.push(SeriesRow {
                    id: &s.id,
                    time: self.quarter_times[q],
                    quantiles: SERIES_QUANTILES.map(|p| sk.quantile(p)),
                });
            }
        }
        out
    }

    /// The per-path table as CSV (`path` first). Builds the whole text in
    /// memory; prefer [`Results::write_per_path_csv`] for large runs.
    pub fn per_path_csv(&self) -> String {
        let mut out = Vec::new();
        self.write_per_path_csv(&mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("the CSV is UTF-8")
    }

    /// Stream the per-path table as CSV (`path` first) to `w`, row by row,
    /// byte for byte what [`Results::per_path_csv`] returns. At a million
    /// paths the text is several GB, so it should not be built in memory;
    /// give a buffered writer, as this makes many small writes.
    ///
    /// # Errors
    /// The first error of `w`.
    pub fn write_per_path_csv(&self, w: &mut impl Write) -> io::Result<()> {
        let cols = self.per_path_columns();
        w.write_all(b"path")?;
        for (name, _) in &cols {
            write!(w, ",{name}")?;
        }
        w.write_all(b"\n")?;
        for p in 0..self.len() {
            write!(w, "{}", self.start + p as u64)?;
            for (_, v) in &cols {
                write!(w, ",{}", v[p])?;
            }
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    /// The time-series quantiles as CSV.
    pub fn series_csv(&self) -> String {
        let mut out = Vec::new();
        self.write_series_csv(&mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("the CSV is UTF-8")
    }

    /// Stream the time-series quantiles as CSV to `w`, byte for byte what
    /// [`Results::series_csv`] returns.
    ///
    /// # Errors
    /// The first error of `w`.
    pub fn write_series_csv(&self, w: &mut impl Write) -> io::Result<()> {
        w.write_all(b"variable,lab,segment,time,p5,p25,p50,p75,p95\n")?;
        for r in self.series_rows() {
            write!(
                w,
                "{},{},{},{}",
                r.id.variable,
                r.id.lab.as_deref().unwrap_or(""),
                r.id.segment.as_deref().unwrap_or(""),
                r.time
            )?;
            for q in r.quantiles {
                write!(w, ",{q}")?;
            }
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}
