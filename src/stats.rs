//! Statistics of docs/equations.md §8: moments with sums in path order, type-7
//! quantiles, probabilities with their standard errors, CVaR, and the
//! mergeable DDSketch used for time-series quantiles.

pub mod exact;

use serde::{Deserialize, Serialize};

pub use exact::{ExactMoments, ExactSum};

/// Quantile of sorted data by linear interpolation between order statistics
/// (Hyndman-Fan type 7, numpy's default): `h = (N - 1) q`.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    if frac == 0.0 {
        sorted[lo]
    } else {
        let (a, b) = (sorted[lo], sorted[hi]);
        let x = a + frac * (b - a);
        // `b - a` overflows only for values near the largest f64.
        if x.is_finite() { x } else { a * (1.0 - frac) + b * frac }
    }
}

/// The mean of finite values, in path order; when the plain sum overflows
/// (values near the largest f64), the sum of `x / n` instead, which cannot.
pub fn mean(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    if m.is_finite() || xs.iter().any(|x| !x.is_finite()) {
        m
    } else {
        xs.iter().map(|x| x / n).sum()
    }
}

/// `sqrt(sum (x - mean)^2 / (n - 1))`, scaled by the largest magnitude when
/// the squares overflow.
fn sample_sd(xs: &[f64], mean: f64) -> f64 {
    let n1 = (xs.len() - 1) as f64;
    let sd = (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n1).sqrt();
    if sd.is_finite() || xs.iter().any(|x| !x.is_finite()) {
        return sd;
    }
    let scale = xs.iter().fold(mean.abs(), |m, x| m.max(x.abs()));
    let (ms, ns) = (mean / scale, n1);
    scale * (xs.iter().map(|x| (x / scale - ms) * (x / scale - ms)).sum::<f64>() / ns).sqrt()
}

/// The values of `xs` other than NaN, sorted (infinities are kept).
pub fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Mean, standard deviation (N - 1) and standard error of the mean.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values.
    pub n: usize,
    /// The mean (NaN with no values).
    pub mean: f64,
    /// Standard deviation with `n - 1` (0 with one value).
    pub sd: f64,
    /// Standard error of the mean, `sd / sqrt(n)`.
    pub se: f64,
}

/// Moments with sums in path order (two passes, so the result depends only
/// on the values and their order).
pub fn moments(xs: &[f64]) -> Moments {
    let n = xs.len();
    if n == 0 {
        return Moments {
            n,
            mean: f64::NAN,
            sd: f64::NAN,
            se: f64::NAN,
        };
    }
    let mean = mean(xs);
    let sd = if n > 1 { sample_sd(xs, mean) } else { 0.0 };
    Moments {
        n,
        mean,
        sd,
        se: sd / (n as f64).sqrt(),
    }
}

/// A probability estimated over paths, with `se = sqrt(p (1 - p) / N)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prob {
    /// The fraction of paths.
    pub p: f64,
    /// Its standard error, `sqrt(p (1 - p) / N)`.
    pub se: f64,
}

impl Prob {
    /// `count` of `n` paths; NaN for both when `n = 0`.
    pub fn from_count(count: usize, n: usize) -> Prob {
        if n == 0 {
            return Prob {
                p: f64::NAN,
                se: f64::NAN,
            };
        }
        let p = count as f64 / n as f64;
        Prob {
            p,
            se: (p * (1.0 - p) / n as f64).sqrt(),
        }
    }
}

/// P(x < threshold), strict, over all paths.
pub fn prob_below(xs: &[f64], threshold: f64) -> Prob {
    Prob::from_count(xs.iter().filter(|x| **x < threshold).count(), xs.len())
}

/// Mean of the `ceil(0.05 N)` smallest values (sorted input).
pub fn cvar5_sorted(sorted: &[f64]) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let m = ((0.05 * sorted.len() as f64).ceil() as usize).max(1);
    mean(&sorted[..m])
}

/// Relative accuracy of the time-series sketches.
pub const SKETCH_ALPHA: f64 = 0.01;
/// Values with `|x|` below this count in the zero bucket.
pub const SKETCH_ZERO: f64 = 1e-9;

/// A DDSketch (Masson, Rim and Lee 2019) with relative accuracy
/// [`SKETCH_ALPHA`]: value `x` counts in bucket `ceil(ln|x| / ln gamma)` of
/// the store of its sign, `gamma = (1 + alpha) / (1 - alpha)`. Counts are
/// integers, so merging is exact and order-free.
///
/// Each store keeps at most [`SKETCH_BUCKETS`] buckets (docs/equations.md §8):
/// with `i_max` the largest index it has seen, counts below
/// `i_max - SKETCH_BUCKETS + 1` count at that index. The final store depends
/// only on the multiset of values, so merging stays exact and order-free, and
/// memory is bounded whatever the values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    positive: Store,
    negative: Store,
    zero: u64,
}

/// Bucket indices are clamped to `[-INDEX_LIMIT, INDEX_LIMIT]` (finite
/// values above 1e-9 use about -1,040 to 35,500).
const INDEX_LIMIT: i64 = 1_000_000;

/// Most buckets a store keeps (docs/equations.md §8).
pub const SKETCH_BUCKETS: usize = 2048;

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
}

/// `ln gamma`, computed once.
fn ln_gamma() -> f64 {
    static LN_GAMMA: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *LN_GAMMA.get_or_init(|| ((1.0 + SKETCH_ALPHA) / (1.0 - SKETCH_ALPHA)).ln())
}

impl Sketch {
    /// An empty sketch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Count one value; NaN is ignored (the engine never produces one).
    pub fn insert(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let a = x.abs();
        if a < SKETCH_ZERO {
            self.zero += 1;
            return;
        }
        let limit = INDEX_LIMIT as f64;
        let i = (a.ln() / ln_gamma()).ceil().clamp(-limit, limit) as i32;
        if x > 0.0 {
            self.positive.add(i, 1);
        } else {
            self.negative.add(i, 1);
        }
    }

    /// Check a sketch read from a file: each store within its bucket budget
    /// and index range, and `expected` values counted in all (one per path),
    /// so that counting and quantiles cannot overflow later.
    pub fn check(&self, expected: u64) -> Result<(), String> {
        let mut total = self.zero;
        for (name, st) in [("positive", &self.positive), ("negative", &self.negative)] {
            if st.counts.len() > SKETCH_BUCKETS {
                return Err(format!(
                    "{name} store of {} buckets (at most {SKETCH_BUCKETS})",
                    st.counts.len()
                ));
            }
            let top = i64::from(st.offset) + st.counts.len() as i64;
            if i64::from(st.offset) < -INDEX_LIMIT || top > INDEX_LIMIT + 1 {
                return Err(format!("{name} store at bucket index {} out of range", st.offset));
            }
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
        self.zero + self.positive.total() + self.negative.total()
    }

    /// Whether a store collapsed its smallest magnitudes (values spanning
    /// more than [`SKETCH_BUCKETS`] buckets, about 17 orders of magnitude).
    pub fn collapsed(&self) -> bool {
        self.positive.collapsed || self.negative.collapsed
    }

    /// Buckets held (at most `2 SKETCH_BUCKETS` plus the zero bucket).
    pub fn buckets(&self) -> usize {
        self.positive.counts.len() + self.negative.counts.len()
    }

    /// Add another sketch's counts.
    pub fn merge(&mut self, other: &Sketch) {
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zero += other.zero;
    }

    /// The value of the bucket holding 0-based rank `floor(q (N - 1))`:
    /// `sign 2 gamma^i / (gamma + 1)`.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let rank = (q.clamp(0.0, 1.0) * (n - 1) as f64).floor() as u64;
        let gamma = (1.0 + SKETCH_ALPHA) / (1.0 - SKETCH_ALPHA);
        let value = |i: i32| 2.0 * gamma.powi(i) / (gamma + 1.0);
        // Negative values, most negative first: the negative store from its top bucket down.
        let mut seen = 0u64;
        for (j, c) in self.negative.counts.iter().enumerate().rev() {
            seen += c;
            if rank < seen {
                return -value(self.negative.offset + j as i32);
            }
        }
        seen += self.zero;
        if rank < seen {
            return 0.0;
        }
        for (j, c) in self.positive.counts.iter().enumerate() {
            seen += c;
            if rank < seen {
                return value(self.positive.offset + j as i32);
            }
        }
        value(self.positive.offset + self.positive.counts.len() as i32 - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_matches_numpy() {
        // numpy.quantile([1, 2, 3, 4], [0.1, 0.5, 0.9]) = [1.3, 2.5, 3.7]
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((quantile_sorted(&v, 0.1) - 1.3).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.9) - 3.7).abs() < 1e-12);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
    }

    /// Values near the largest f64 give finite statistics, not infinities.
    #[test]
    fn statistics_do_not_overflow() {
        let xs = [1e308, 1.5e308, -1e308, 1.7e308, 1.2e308];
        let m = moments(&xs);
        assert!((m.mean - 0.88e308).abs() < 1e293, "{}", m.mean);
        assert!(m.sd.is_finite() && m.sd > 1e308, "{}", m.sd);
        let mut s = xs.to_vec();
        s.sort_by(f64::total_cmp);
        let q = quantile_sorted(&s, 0.1);
        assert!(q.is_finite() && q > -1e308 && q < 1e308, "{q}");
        assert!(cvar5_sorted(&s).is_finite());
        // Ordinary values keep the plain formulas' bits.
        let plain = [0.1, 0.2, 0.3];
        assert_eq!(mean(&plain), (0.1 + 0.2 + 0.3) / 3.0);
    }

    #[test]
    fn moments_and_probabilities() {
        let m = moments(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m.mean, 2.5);
        assert!((m.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((m.se - m.sd / 2.0).abs() < 1e-15);
        let p = prob_below(&[0.2, 0.5, 0.7, 1.0], 0.5);
        assert_eq!(p.p, 0.25);
        assert!((p.se - (0.25f64 * 0.75 / 4.0).sqrt()).abs() < 1e-15);
        let s: Vec<f64> = (1..=40).map(f64::from).collect();
        assert_eq!(cvar5_sorted(&s), 1.5);
    }

    #[test]
    fn sketch_is_within_relative_accuracy_of_the_order_statistic() {
        let xs: Vec<f64> = (0..10_001).map(|i| -50.0 + 0.013 * i as f64 + 1e-3).collect();
        let mut sk = Sketch::new();
        xs.iter().for_each(|x| sk.insert(*x));
        for q in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0] {
            let exact = xs[(q * (xs.len() - 1) as f64).floor() as usize];
            let est = sk.quantile(q);
            assert!(
                (est - exact).abs() <= SKETCH_ALPHA * exact.abs() + 1e-12,
                "q={q}: {est} vs {exact}"
            );
        }
    }

    /// Values over 40 orders of magnitude: every store stays within its
    /// bucket budget, the smallest magnitudes collapse, and the result is
    /// the same for any insertion order and any split merged back.
    #[test]
    fn sketch_is_bounded_and_order_free_when_it_collapses() {
        let xs: Vec<f64> = (0..20_000)
            .map(|i| {
                let e = ((i * 7919) % 4001) as f64 / 100.0 - 10.0; // exponents -10..30
                let sign = if i % 5 == 0 { -1.0 } else { 1.0 };
                sign * 10f64.powf(e)
            })
            .collect();
        let mut forward = Sketch::new();
        xs.iter().for_each(|x| forward.insert(*x));
        let mut backward = Sketch::new();
        xs.iter().rev().for_each(|x| backward.insert(*x));
        let mut sorted_in = Sketch::new();
        let mut s = xs.clone();
        s.sort_by(f64::total_cmp);
        s.iter().for_each(|x| sorted_in.insert(*x));
        assert_eq!(forward, backward);
        assert_eq!(forward, sorted_in);
        assert!(forward.collapsed());
        assert!(forward.positive.counts.len() <= SKETCH_BUCKETS);
        assert!(forward.negative.counts.len() <= SKETCH_BUCKETS);
        assert_eq!(forward.count(), xs.len() as u64);
        // Three parts, merged in two orders.
        let mut parts = [Sketch::new(), Sketch::new(), Sketch::new()];
        for (i, x) in xs.iter().enumerate() {
            parts[(i * 31) % 3].insert(*x);
        }
        let mut a = parts[0].clone();
        a.merge(&parts[1]);
        a.merge(&parts[2]);
        let mut b = parts[2].clone();
        b.merge(&parts[0]);
        b.merge(&parts[1]);
        assert_eq!(a, forward);
        assert_eq!(b, forward);
        // The large quantiles keep their relative accuracy.
        let exact = s[(0.95 * (s.len() - 1) as f64).floor() as usize];
        assert!((forward.quantile(0.95) - exact).abs() <= SKETCH_ALPHA * exact.abs());
    }

    #[test]
    fn sketch_within_the_budget_does_not_collapse() {
        let mut sk = Sketch::new();
        for i in 0..1000 {
            sk.insert(1.0 + i as f64);
            sk.insert(-1e-3 * (1.0 + i as f64));
        }
        assert!(!sk.collapsed());
    }

    #[test]
    fn sketch_merge_is_exact() {
        let mut a = Sketch::new();
        let mut b = Sketch::new();
        let mut all = Sketch::new();
        for i in 0..1000 {
            let x = (i as f64 * 0.37).sin() * 100.0;
            if i % 3 == 0 { &mut a } else { &mut b }.insert(x);
            all.insert(x);
        }
        let mut ba = b.clone();
        ba.merge(&a);
        a.merge(&b);
        assert_eq!(a, all);
        assert_eq!(ba.count(), all.count());
        for q in [0.1, 0.5, 0.9] {
            assert_eq!(ba.quantile(q), all.quantile(q));
        }
    }
}
