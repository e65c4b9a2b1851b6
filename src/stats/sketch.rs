//! The mergeable quantile sketches of the time series (docs/equations.md §8):
//! a DDSketch with relative accuracy [`SKETCH_ALPHA`] for unbounded series,
//! and for bounded ones (shares, margins) buckets of fixed width
//! [`SKETCH_WIDTH`] over the series' range, with absolute accuracy, the
//! DDSketch taking what falls outside the range. Counts are integers in
//! both, so merging is exact and order-free, and neither grows with N.

use serde::{Deserialize, Serialize};

use super::fastlog;

/// Relative accuracy of the relative-accuracy sketches.
pub const SKETCH_ALPHA: f64 = 0.01;
/// Values with `|x|` below this count in the zero bucket.
pub const SKETCH_ZERO: f64 = 1e-9;
/// Width of a bucket of an absolute-accuracy sketch, `2^-11` (about 0.049
/// percentage points): a power of two, so that `(x - lo) 2^11` is exact
/// for `lo = 0`, and the whole unit interval takes [`SKETCH_BUCKETS`].
pub const SKETCH_WIDTH: f64 = 1.0 / 2048.0;

/// How a series' values are sketched: with relative accuracy everywhere,
/// or with absolute accuracy [`SKETCH_WIDTH`] on a range `[lo, hi]` (`lo <=
/// 0 < hi`) and relative accuracy outside it. Only the scales below exist.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale(Option<(f64, f64)>);

impl Scale {
    /// Relative accuracy [`SKETCH_ALPHA`] over every value.
    pub const RELATIVE: Scale = Scale(None);
    /// Absolute accuracy on `[0, 1]`: shares.
    pub const SHARE: Scale = Scale(Some((0.0, 1.0)));
    /// Absolute accuracy on `[-1, 1]`: margins, which a price war takes below 0.
    pub const MARGIN: Scale = Scale(Some((-1.0, 1.0)));

    /// The range sketched with absolute accuracy (`None`: relative accuracy).
    pub const fn range(self) -> Option<(f64, f64)> {
        self.0
    }

    /// `relative` or `absolute`.
    pub const fn kind(self) -> &'static str {
        match self.0 {
            None => "relative",
            Some(_) => "absolute",
        }
    }

    /// [`SKETCH_ALPHA`] (a fraction of the value) or [`SKETCH_WIDTH`] (in
    /// the series' unit, within the range).
    pub const fn accuracy(self) -> f64 {
        match self.0 {
            None => SKETCH_ALPHA,
            Some(_) => SKETCH_WIDTH,
        }
    }
}

/// Most buckets a relative-accuracy store keeps (docs/equations.md §8).
pub const SKETCH_BUCKETS: usize = 2048;

/// Most fixed-width buckets a range may hold (a file's range is checked
/// against it): a range of width 8.
const LINEAR_BUCKETS: i64 = 16_384;

/// Bucket indices are clamped to `[-INDEX_LIMIT, INDEX_LIMIT]` (finite
/// values above 1e-9 use about -1,040 to 35,500).
const INDEX_LIMIT: i64 = 1_000_000;

/// A quantile sketch, of one of the [`Scale`]s.
///
/// Relative part: a DDSketch (Masson, Rim and Lee 2019) with relative
/// accuracy [`SKETCH_ALPHA`]: value `x` counts in bucket `ceil(ln|x| / ln
/// gamma)` of the store of its sign, `gamma = (1 + alpha) / (1 - alpha)`.
/// Each store keeps at most [`SKETCH_BUCKETS`] buckets (docs/equations.md
/// §8): with `i_max` the largest index it has seen, counts below `i_max -
/// SKETCH_BUCKETS + 1` count at that index. The final store depends only on
/// the multiset of values, so merging stays exact and order-free, and
/// memory is bounded whatever the values.
///
/// Absolute part (a bounded scale): `x` in `[lo, hi]` counts in bucket
/// `floor((x - lo) / SKETCH_WIDTH)` (the last bucket takes `hi`); at most
/// `(hi - lo) / SKETCH_WIDTH` buckets, whatever N.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    positive: Store,
    negative: Store,
    zero: u64,
    /// The fixed-width buckets of a bounded scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    linear: Option<Linear>,
}

/// Dense counts over a contiguous range of bucket indices, at most
/// [`SKETCH_BUCKETS`] long.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Store {
    offset: i32,
    counts: Vec<u64>,
    /// Whether any count was moved up to the lowest kept bucket.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    collapsed: bool,
}

impl Store {
    #[inline]
    fn add(&mut self, index: i32, count: u64) {
        let rel = index.wrapping_sub(self.offset);
        match self.counts.get_mut(rel as usize) {
            Some(c) if rel >= 0 => *c += count,
            _ => self.add_outside(index, count),
        }
    }

    /// Grow the range to take `index`, collapsing the smallest magnitudes
    /// when the range would exceed [`SKETCH_BUCKETS`] (rare once warmed up).
    #[cold]
    fn add_outside(&mut self, index: i32, count: u64) {
        const SPAN: i32 = SKETCH_BUCKETS as i32 - 1;
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(count);
            return;
        }
        let top = self.offset + self.counts.len() as i32 - 1;
        if index > top {
            let low = index - SPAN;
            if low > self.offset {
                // Fold every bucket below the new lowest index into it.
                let cut = ((low - self.offset) as usize).min(self.counts.len());
                // What is left starts at `low` (or is empty when all was cut).
                let folded: u64 = self.counts.drain(..cut).sum();
                self.offset = low;
                self.counts.resize((index - low) as usize + 1, 0);
                if folded > 0 {
                    self.counts[0] += folded;
                    self.collapsed = true;
                }
            } else {
                self.counts.resize((index - self.offset) as usize + 1, 0);
            }
        } else {
            // Below the range: never below the lowest index the store may keep.
            let low = top - SPAN;
            if index < low {
                self.collapsed = true;
            }
            let at = index.max(low);
            let grow = (self.offset - at) as usize;
            let mut counts = vec![0; grow];
            counts.append(&mut self.counts);
            self.counts = counts;
            self.offset = at;
            self.counts[0] += count;
            return;
        }
        let rel = (index - self.offset) as usize;
        self.counts[rel] += count;
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    fn merge(&mut self, other: &Store) {
        for (i, c) in other.counts.iter().enumerate() {
            if *c > 0 {
                self.add(other.offset + i as i32, *c);
            }
        }
        self.collapsed |= other.collapsed;
    }

    /// Check a store read from a file: its bucket budget and index range.
    fn check(&self, name: &str, budget: usize, lowest: i64, highest: i64) -> Result<(), String> {
        if self.counts.len() > budget {
            return Err(format!(
                "{name} store of {} buckets (at most {budget})",
                self.counts.len()
            ));
        }
        let end = i64::from(self.offset) + self.counts.len() as i64;
        if i64::from(self.offset) < lowest || end > highest + 1 {
            return Err(format!("{name} store at bucket index {} out of range", self.offset));
        }
        Ok(())
    }
}

/// The fixed-width buckets of a bounded scale: bucket `j` holds the values
/// of `[lo + j w, lo + (j + 1) w)` (the last one `hi` as well), counted in
/// a [`Store`] over the buckets seen (it never collapses: the range bounds it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Linear {
    lo: f64,
    hi: f64,
    /// [`SKETCH_WIDTH`], stated in the file.
    width: f64,
    store: Store,
}

impl Linear {
    fn new((lo, hi): (f64, f64)) -> Linear {
        Linear {
            lo,
            hi,
            width: SKETCH_WIDTH,
            store: Store::default(),
        }
    }

    /// Number of buckets of the range.
    fn buckets(&self) -> i64 {
        ((self.hi - self.lo) / self.width).ceil() as i64
    }

    /// The bucket of `x` in `[lo, hi]`.
    #[inline]
    fn index(&self, x: f64) -> i32 {
        // `x >= lo`, so `x - lo >= 0` and truncation is `floor`; dividing
        // and multiplying by a power of two are exact. Bucket `j` exists if
        // it starts below `hi - lo`: else `x` is `hi`, in the last bucket.
        let j = ((x - self.lo) / self.width) as i32;
        if f64::from(j) * self.width >= self.hi - self.lo {
            j - 1
        } else {
            j
        }
    }

    /// Count `x` in `[lo, hi]`.
    #[inline]
    fn add(&mut self, x: f64, count: u64) {
        self.add_index(self.index(x), count);
    }

    /// Grow the buckets held to take bucket `j` (never collapsing: the
    /// range bounds them), and count it.
    #[cold]
    fn add_outside(&mut self, j: i32, count: u64) {
        let st = &mut self.store;
        if st.counts.is_empty() {
            st.offset = j;
            st.counts.push(0);
        } else if j < st.offset {
            let grow = (st.offset - j) as usize;
            st.counts.splice(0..0, std::iter::repeat_n(0, grow));
            st.offset = j;
        } else {
            st.counts.resize((j - st.offset) as usize + 1, 0);
        }
        st.counts[(j - st.offset) as usize] += count;
    }

    /// Add another range's counts (the same range).
    fn merge(&mut self, other: &Linear) {
        for (j, c) in other.store.counts.iter().enumerate() {
            if *c > 0 {
                self.add_index(other.store.offset + j as i32, *c);
            }
        }
    }

    #[inline]
    fn add_index(&mut self, j: i32, count: u64) {
        let st = &mut self.store;
        let rel = j.wrapping_sub(st.offset);
        match st.counts.get_mut(rel as usize) {
            Some(c) if rel >= 0 => *c += count,
            _ => self.add_outside(j, count),
        }
    }

    /// The value of 0-based rank `k` of the `c` values of bucket `j`, the
    /// values spread evenly over the bucket: `lo + w (j + (k + 1/2) / c)`.
    fn value(&self, j: i32, k: u64, c: u64) -> f64 {
        self.lo + self.width * (f64::from(j) + (k as f64 + 0.5) / c as f64)
    }
}

/// `ln gamma`, computed once.
pub(super) fn ln_gamma() -> f64 {
    static LN_GAMMA: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *LN_GAMMA.get_or_init(|| ((1.0 + SKETCH_ALPHA) / (1.0 - SKETCH_ALPHA)).ln())
}

/// The relative bucket of `a >= SKETCH_ZERO` (NaN excluded):
/// `ceil(ln a / ln gamma)`, clamped to the index limit.
#[doc(hidden)]
#[inline]
pub fn relative_index(a: f64) -> i32 {
    // The fast path gives this very index whenever it answers.
    fastlog::ceil_log_gamma(a).unwrap_or_else(|| exact_index(a))
}

/// `ceil(ln a / ln gamma)` as docs/equations.md §8 writes it (the bucket
/// index before the fast path; kept for it and for the benchmark).
#[doc(hidden)]
pub fn exact_index(a: f64) -> i32 {
    let limit = INDEX_LIMIT as f64;
    (a.ln() / ln_gamma()).ceil().clamp(-limit, limit) as i32
}

impl Sketch {
    /// An empty sketch of relative accuracy ([`Scale::RELATIVE`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty sketch of the given scale.
    pub fn with_scale(scale: Scale) -> Self {
        Sketch {
            linear: scale.range().map(Linear::new),
            ..Self::default()
        }
    }

    /// The sketch's scale.
    pub fn scale(&self) -> Scale {
        Scale(self.linear.as_ref().map(|l| (l.lo, l.hi)))
    }

    /// Count one value; NaN is ignored (the engine never produces one).
    #[inline]
    pub fn insert(&mut self, x: f64) {
        self.insert_n(x, 1);
    }

    #[inline]
    fn insert_n(&mut self, x: f64, count: u64) {
        if let Some(l) = &mut self.linear
            && x >= l.lo
            && x <= l.hi
        {
            l.add(x, count);
            return;
        }
        if x.is_nan() {
            return;
        }
        let a = x.abs();
        if a < SKETCH_ZERO {
            self.zero += count;
            return;
        }
        let i = relative_index(a);
        if x > 0.0 {
            self.positive.add(i, count);
        } else {
            self.negative.add(i, count);
        }
    }

    /// Check a sketch read from a file: each store within its bucket budget
    /// and index range, a bounded scale's range one that sketches may have,
    /// and `expected` values counted in all (one per path), so that counting
    /// and quantiles cannot overflow later.
    pub fn check(&self, expected: u64) -> Result<(), String> {
        let mut total = self.zero;
        let mut stores = vec![("positive", &self.positive), ("negative", &self.negative)];
        for (name, st) in &stores {
            st.check(name, SKETCH_BUCKETS, -INDEX_LIMIT, INDEX_LIMIT)?;
        }
        if let Some(l) = &self.linear {
            let ok = l.lo.is_finite() && l.hi.is_finite() && l.lo <= 0.0 && l.hi > 0.0;
            if !ok || l.width != SKETCH_WIDTH || l.buckets() > LINEAR_BUCKETS {
                return Err(format!(
                    "bounded range [{}, {}] of width {} (lo <= 0 < hi, at most {LINEAR_BUCKETS} buckets of {SKETCH_WIDTH})",
                    l.lo, l.hi, l.width
                ));
            }
            l.store.check("bounded", LINEAR_BUCKETS as usize, 0, l.buckets() - 1)?;
            stores.push(("bounded", &l.store));
        }
        for (_, st) in stores {
            for c in &st.counts {
                total = total.checked_add(*c).ok_or("bucket counts overflow")?;
            }
        }
        if total != expected {
            return Err(format!("{total} values counted for {expected} paths"));
        }
        Ok(())
    }

    /// Number of values counted.
    pub fn count(&self) -> u64 {
        let linear = self.linear.as_ref().map_or(0, |l| l.store.total());
        self.zero + self.positive.total() + self.negative.total() + linear
    }

    /// Whether a relative store collapsed its smallest magnitudes (values
    /// spanning more than [`SKETCH_BUCKETS`] buckets, about 17 orders of
    /// magnitude).
    pub fn collapsed(&self) -> bool {
        self.positive.collapsed || self.negative.collapsed
    }

    /// Buckets held (at most `2 SKETCH_BUCKETS` plus the zero bucket, plus
    /// a bounded range's buckets).
    pub fn buckets(&self) -> usize {
        let linear = self.linear.as_ref().map_or(0, |l| l.store.counts.len());
        self.positive.counts.len() + self.negative.counts.len() + linear
    }

    /// Add another sketch's counts: exact when both have the same scale
    /// (always so for the series of one scenario). Otherwise the other's
    /// bounded buckets count at their midpoints.
    pub fn merge(&mut self, other: &Sketch) {
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zero += other.zero;
        match (&mut self.linear, &other.linear) {
            (Some(a), Some(b)) if (a.lo, a.hi) == (b.lo, b.hi) => a.merge(b),
            (_, Some(b)) => {
                for (j, c) in b.store.counts.iter().enumerate() {
                    if *c > 0 {
                        let j = b.store.offset + j as i32;
                        self.insert_n(b.value(j, 0, 1), *c);
                    }
                }
            }
            (_, None) => {}
        }
    }

    /// A quantile. Relative scale: the value of the bucket holding 0-based
    /// rank `floor(q (N - 1))`, `sign 2 gamma^i / (gamma + 1)`. Bounded
    /// scale: numpy's (type-7) interpolation between ranks `floor(h)` and
    /// `floor(h) + 1`, `h = q (N - 1)`, each rank's value spread evenly
    /// within its bucket (`lo + w (j + (k + 1/2) / c)`), so that quantiles move
    /// smoothly rather than by whole buckets.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let h = q.clamp(0.0, 1.0) * (n - 1) as f64;
        let rank = h.floor() as u64;
        let a = self.value_at(rank);
        let frac = h - rank as f64;
        if self.linear.is_none() || frac == 0.0 || rank + 1 >= n {
            return a;
        }
        a + frac * (self.value_at(rank + 1) - a)
    }

    /// The value of 0-based rank `rank < N`: walking the negative store
    /// from its top bucket down (most negative first), the zero bucket, the
    /// bounded range, then the positive store.
    fn value_at(&self, rank: u64) -> f64 {
        let gamma = (1.0 + SKETCH_ALPHA) / (1.0 - SKETCH_ALPHA);
        let value = |i: i32| 2.0 * gamma.powi(i) / (gamma + 1.0);
        // Outside a bounded range, a bucket's value is kept on its side of the range.
        let (below, above) = self
            .linear
            .as_ref()
            .map_or((f64::INFINITY, f64::NEG_INFINITY), |l| (l.lo, l.hi));
        let mut seen = 0u64;
        for (j, c) in self.negative.counts.iter().enumerate().rev() {
            seen += c;
            if rank < seen {
                return (-value(self.negative.offset + j as i32)).min(below);
            }
        }
        seen += self.zero;
        if rank < seen {
            return 0.0f64.min(below);
        }
        if let Some(l) = &self.linear {
            for (j, c) in l.store.counts.iter().enumerate() {
                if rank < seen + c {
                    return l.value(l.store.offset + j as i32, rank - seen, *c);
                }
                seen += c;
            }
        }
        for (j, c) in self.positive.counts.iter().enumerate() {
            seen += c;
            if rank < seen {
                return value(self.positive.offset + j as i32).max(above);
            }
        }
        value(self.positive.offset + self.positive.counts.len() as i32 - 1)
    }
}

#[cfg(test)]
mod tests;
