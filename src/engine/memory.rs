//! How much memory a run needs, and how much it may have: the check that
//! refuses a run with [`Error::ResourceLimit`](crate::Error::ResourceLimit)
//! before anything large is allocated, instead of letting the process abort.

use std::fmt;

use super::BATCH;
use super::compiled::Compiled;
use super::layout::RowLayout;
use crate::results::SeriesId;
use crate::scenario::Class;
use crate::stats::MomentsAccumulator;
use crate::stats::{SKETCH_BUCKETS, SKETCH_WIDTH, Scale};

/// How a series' sketch grows, for the estimate.
#[derive(Clone, Copy, PartialEq)]
enum Growth {
    Relative,
    Share,
    ClosedMargin,
    OpenMargin,
}

impl Growth {
    fn of(c: &Compiled, id: &SeriesId) -> Growth {
        match id.scale() {
            Scale::SHARE => Growth::Share,
            Scale::RELATIVE => Growth::Relative,
            _ => {
                let closed = id.lab.as_deref().and_then(|l| c.scenario.lab(l)).map(|l| l.class);
                if closed == Some(Class::Open) {
                    Growth::OpenMargin
                } else {
                    Growth::ClosedMargin
                }
            }
        }
    }
}

/// Buckets of a quarter-end sketch at time `t` (years) after `n` values.
/// Relative scale: about `SKETCH_SPREAD sqrt(t) ln n`. The spread of a
/// diffusing log value grows as `sqrt(t)` and a sample's extremes as `ln
/// n`; fit on `baseline` (t from 2.5 to 100 years, n from 500 to 20,000:
/// within 10% of the mean buckets at each quarter). This is what grows with
/// the horizon: a sketch at 100 years holds about 1,100 buckets, at 10
/// years about 350. A scenario with less noise than the presets' needs
/// fewer (the estimate errs high). At least 16, at most the two stores'
/// `2 x 2,048`. Bounded scales, fit on `baseline` the same way (n from 200
/// to 20,000, t to 100 years), erring high: a share spreads as `74 t^0.4 ln
/// n` buckets (it fills `[0, 1]`, 2,048 buckets, by about 40 years); a
/// closed lab's margin, which follows the price pressure, as `250 ln n`
/// from the first year; an open lab's only while its drawn margins converge,
/// `200 ln n exp(-t / 3)`. At most the range's buckets.
fn sketch_buckets(growth: Growth, t: f64, n: u64) -> f64 {
    const SKETCH_SPREAD: f64 = 15.0;
    let n = n.max(2) as f64;
    // A bounded sketch has its first quarter's spread from the start.
    let tb = t.max(0.25);
    let (spread, most) = match growth {
        Growth::Relative => (SKETCH_SPREAD * t.sqrt() * n.ln(), 2.0 * SKETCH_BUCKETS as f64),
        Growth::Share => (74.0 * tb.powf(0.4) * n.ln(), 1.0 / SKETCH_WIDTH),
        Growth::ClosedMargin => (250.0 * tb.sqrt().min(1.0) * n.ln(), 2.0 / SKETCH_WIDTH),
        Growth::OpenMargin => (200.0 * (-tb / 3.0).exp() * n.ln(), 2.0 / SKETCH_WIDTH),
    };
    spread.clamp(16.0, most)
}

/// Bytes a sketch of `buckets` buckets takes: 8 a bucket, times 1.5 for the
/// growth slack of a `Vec` (a store grows by resizing), plus the struct and
/// two allocations.
fn sketch_bytes(buckets: f64) -> f64 {
    12.0 * buckets + 128.0
}

/// The parts of a run's memory, in bytes (docs/equations.md §8: the per-path
/// table is O(N x outputs); sketches and buffers do not grow with N).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Paths of the run.
    pub paths: u64,
    /// Values kept per path: inputs, lab metrics, events and the PV of
    /// savings, and with `keep_years` each lab's yearly revenue and FCF.
    pub outputs: u64,
    /// The per-path table: `paths x outputs x 8`.
    pub table: u64,
    /// Full paths kept for plots.
    pub stored: u64,
    /// Time-series sketches: one set per worker thread, merged into the
    /// first (its size grows with the horizon, see `sketch_buckets`).
    pub sketches: u64,
    /// Per-thread batch buffers, and the summary's sorted copies of a column.
    pub buffers: u64,
}

impl MemoryEstimate {
    pub(crate) fn new(c: &Compiled, paths: u64, stored_paths: u64, threads: usize, keep_years: bool) -> Self {
        let layout = RowLayout::new(c);
        let outputs = layout.table_width(keep_years) as u64;
        let n_sketch = (c.series.len() * c.quarters()) as u64;
        let threads = threads.max(1) as u64;
        // A moment's fixed-point sums (about 1.1 kB), a set per thread and
        // one per batch in flight; the results keep a few partials per sum.
        let moments = 2 * layout.year_values() as u64 * std::mem::size_of::<MomentsAccumulator>() as u64;
        let per_thread = n_sketch * BATCH * 8 + outputs * 8 + 2 * moments;
        // The peak of the sketches is at the merge: the first thread's set
        // grown to every path, beside the other threads' sets.
        let share = paths.div_ceil(threads);
        let sketches: f64 = c
            .series
            .iter()
            .map(|id| {
                let growth = Growth::of(c, id);
                (0..c.quarters())
                    .map(|q| {
                        let t = (q * c.stride) as f64 / c.n as f64;
                        sketch_bytes(sketch_buckets(growth, t, paths))
                            + (threads - 1) as f64 * sketch_bytes(sketch_buckets(growth, t, share))
                    })
                    .sum::<f64>()
            })
            .sum();
        // Summary: a column's finite copy and its sorted copy, and the
        // sector's per-path sums, marks and ratios.
        let summary = 5 * paths * 8;
        MemoryEstimate {
            paths,
            outputs,
            table: paths.saturating_mul(outputs).saturating_mul(8),
            stored: stored_paths
                .saturating_mul((c.series.len() * (c.steps + 1)) as u64)
                .saturating_mul(8),
            sketches: sketches as u64,
            buffers: threads * per_thread + summary,
        }
    }

    /// Everything together.
    pub fn total(&self) -> u64 {
        self.table
            .saturating_add(self.stored)
            .saturating_add(self.sketches)
            .saturating_add(self.buffers)
    }
}

impl fmt::Display for MemoryEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (per-path table {} for {} paths x {} outputs, stored paths {}, sketches and buffers {})",
            Bytes(self.total()),
            Bytes(self.table),
            self.paths,
            self.outputs,
            Bytes(self.stored),
            Bytes(self.sketches + self.buffers)
        )
    }
}

/// A byte count for people: `1.5 GiB`, `340 MiB`.
#[derive(Clone, Copy, Debug)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0 as f64;
        let units = [("GiB", 30), ("MiB", 20), ("KiB", 10)];
        for (unit, shift) in units {
            let scale = (1u64 << shift) as f64;
            if b >= scale {
                return write!(f, "{:.1} {unit}", b / scale);
            }
        }
        write!(f, "{} B", self.0)
    }
}

/// Where a memory limit comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitSource {
    /// The caller's limit (`max_memory`, `--max-memory`, `AIBUBBLE_MAX_MEMORY`).
    User,
    /// Memory the system can give without swapping (`MemAvailable`).
    Available,
    /// What the process's control group allows beyond its current use.
    ControlGroup,
}

impl fmt::Display for LimitSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitSource::User => "the memory limit set for this run",
            LimitSource::Available => "the memory available on this machine",
            LimitSource::ControlGroup => "the memory this process's control group allows",
        })
    }
}

/// The smallest of the user's limit and what the system can give, with
/// where it comes from; `None` when nothing is known or set.
pub fn limit(user: Option<u64>) -> Option<(u64, LimitSource)> {
    [
        user.map(|b| (b, LimitSource::User)),
        available().map(|b| (b, LimitSource::Available)),
        control_group_headroom().map(|b| (b, LimitSource::ControlGroup)),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|(b, _)| *b)
}

/// `MemAvailable` of `/proc/meminfo` (Linux), in bytes.
fn available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// The control group's limit minus its current use (cgroup v2, then v1).
fn control_group_headroom() -> Option<u64> {
    let read = |p: &str| -> Option<u64> { std::fs::read_to_string(p).ok()?.trim().parse().ok() };
    let pairs = [
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ];
    for (max, current) in pairs {
        // "max" (v2) or a huge number (v1) means no limit.
        if let Some(m) = read(max).filter(|m| *m < 1 << 60) {
            return Some(m.saturating_sub(read(current).unwrap_or(0)));
        }
    }
    None
}

/// Parse a size: bytes, or a number with a unit (`512M`, `8G`, `1.5GiB`,
/// `2e9`); K, M, G, T are powers of 1024.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    // The unit is the trailing letters (so `2e9` is a number).
    let number = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &t[number.len()..];
    let x: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("expected a size such as 8G or 512M, got {text:?}"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("unknown unit in {text:?} (use K, M, G or T)")),
    };
    let bytes = x * (1u64 << shift) as f64;
    if !(1.0..1.8e19).contains(&bytes) {
        return Err(format!("a memory size must be positive and finite, got {text:?}"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("2e9"), Ok(2_000_000_000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("8X").is_err());
    }

    #[test]
    fn bytes_print_for_people() {
        assert_eq!(Bytes(3 << 29).to_string(), "1.5 GiB");
        assert_eq!(Bytes(340 << 20).to_string(), "340.0 MiB");
        assert_eq!(Bytes(12).to_string(), "12 B");
    }
}
