//! Exact sums and moments: the per-year means and standard deviations over
//! paths without keeping every path's value.
//!
//! [`ExactSum`] holds a sum of doubles without rounding error, as
//! Shewchuk's non-overlapping partials (the algorithm of Python's
//! `math.fsum`), and rounds it once, correctly, when read. A correctly
//! rounded value depends only on the exact sum, so the order of the
//! additions and merges (threads, batches, split runs) cannot change it;
//! [`ExactSum::canonical`] also makes the stored partials a function of
//! the exact sum, so that merged results compare equal bit for bit.
//! [`ExactMoments`] adds `x` and `x^2` (as an exact two-product with
//! `mul_add`), the count, and the smallest and largest value.

use serde::{Deserialize, Serialize};

/// A sum of doubles kept exactly.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExactSum {
    /// Non-overlapping partials, increasing in magnitude; their exact sum is the sum.
    partials: Vec<f64>,
    /// The sum of the non-finite values added (0 when none): +inf, -inf or NaN.
    #[serde(default, skip_serializing_if = "is_zero")]
    special: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl ExactSum {
    /// An empty sum (0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `x` exactly (a non-finite `x`, or a sum beyond the largest
    /// double, makes the sum non-finite).
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut x = x;
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        if !x.is_finite() {
            self.special += x;
        } else if x != 0.0 {
            self.partials.push(x);
        }
    }

    /// Add every value of another sum.
    pub fn merge(&mut self, other: &ExactSum) {
        for p in &other.partials {
            self.add(*p);
        }
        self.special += other.special;
    }

    /// The sum, rounded once to the nearest double (ties to even).
    pub fn value(&self) -> f64 {
        if self.special != 0.0 {
            return self.special;
        }
        let p = &self.partials;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Half-way cases: the partials below decide the direction (fsum's correction).
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }

    /// The same exact sum as its canonical partials: the rounded sum, the
    /// rounded remainder, and so on, so that equal sums are equal values.
    pub fn canonical(&self) -> ExactSum {
        if self.special != 0.0 {
            return ExactSum {
                partials: Vec::new(),
                special: self.special,
            };
        }
        let mut rest = self.clone();
        let mut out = Vec::new();
        // Each step takes off the leading 53 bits of what is left, so a
        // double's exponent range is used up in about 40 steps.
        for _ in 0..64 {
            let h = rest.value();
            if h == 0.0 {
                break;
            }
            out.push(h);
            rest.add(-h);
        }
        out.reverse();
        ExactSum {
            partials: out,
            special: 0.0,
        }
    }
}

/// `a b` as `p + e` exactly (`p` the rounded product).
#[inline]
fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

/// A sum of doubles kept exactly, in one of two forms: Shewchuk's partials
/// ([`ExactSum`], what results keep) or fixed point
/// ([`ExactAccumulator`](super::ExactAccumulator), what the engine fills).
pub trait ExactAdd: Clone + Default {
    /// Add `x` exactly.
    fn add(&mut self, x: f64);
    /// Add every value of another sum.
    fn merge(&mut self, other: &Self);
}

impl ExactAdd for ExactSum {
    #[inline]
    fn add(&mut self, x: f64) {
        ExactSum::add(self, x);
    }
    fn merge(&mut self, other: &Self) {
        ExactSum::merge(self, other);
    }
}

/// Count, exact sums of `x` and `x^2`, smallest and largest value: the
/// mean and standard deviation of the values, mergeable exactly. The sums'
/// form `S` is [`ExactSum`] in [`ExactMoments`] and fixed point in
/// [`MomentsAccumulator`](super::MomentsAccumulator).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MomentSums<S> {
    /// Values added.
    pub n: u64,
    pub(super) sum: S,
    pub(super) squares: S,
    /// The smallest and largest value (none before the first).
    pub(super) range: Option<(f64, f64)>,
}

/// Moments whose sums are Shewchuk's partials: what results keep.
pub type ExactMoments = MomentSums<ExactSum>;

impl<S: ExactAdd> MomentSums<S> {
    /// No values yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum.add(x);
        let (p, e) = two_product(x, x);
        self.squares.add(p);
        if e != 0.0 {
            self.squares.add(e);
        }
        self.range = Some(match self.range {
            Some((lo, hi)) => (lo.min(x), hi.max(x)),
            None => (x, x),
        });
    }

    /// Add every value of another set.
    pub fn merge(&mut self, other: &Self) {
        self.n += other.n;
        self.sum.merge(&other.sum);
        self.squares.merge(&other.squares);
        self.range = match (self.range, other.range) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
    }
}

impl ExactMoments {
    /// The same values, their sums in canonical form ([`ExactSum::canonical`]).
    pub fn canonical(&self) -> ExactMoments {
        ExactMoments {
            n: self.n,
            sum: self.sum.canonical(),
            squares: self.squares.canonical(),
            range: self.range,
        }
    }

    /// The smallest value (NaN with none).
    pub fn min(&self) -> f64 {
        self.range.map_or(f64::NAN, |r| r.0)
    }

    /// The largest value (NaN with none).
    pub fn max(&self) -> f64 {
        self.range.map_or(f64::NAN, |r| r.1)
    }

    /// The mean: the exact sum rounded once, over `n` (exactly the value
    /// when every value is equal; NaN with none).
    pub fn mean(&self) -> f64 {
        match self.range {
            None => f64::NAN,
            Some((lo, hi)) if lo == hi => lo,
            Some(_) => self.sum.value() / self.n as f64,
        }
    }

    /// The standard deviation with `n - 1`: `sum (x - m)^2` about the
    /// rounded mean `m`, formed exactly from the sums and rounded once
    /// (so never negative), over `n - 1`. Exactly 0 when every value is
    /// equal or there is one; NaN with none.
    pub fn sd(&self) -> f64 {
        match self.range {
            None => return f64::NAN,
            Some((lo, hi)) if lo == hi => return 0.0,
            _ => {}
        }
        let m = self.mean();
        // sum x^2 - 2 m sum x + n m^2, every product split exactly.
        let mut acc = self.squares.clone();
        for p in &self.sum.partials {
            let (a, b) = two_product(*p, m);
            acc.add(-2.0 * a);
            acc.add(-2.0 * b);
        }
        acc.special += -2.0 * m * self.sum.special;
        let (q, r) = two_product(m, m);
        let n = self.n as f64;
        for part in [q, r] {
            let (a, b) = two_product(n, part);
            acc.add(a);
            acc.add(b);
        }
        (acc.value().max(0.0) / (n - 1.0)).sqrt()
    }

    /// The standard error of the mean, `sd / sqrt(n)`.
    pub fn se(&self) -> f64 {
        self.sd() / (self.n as f64).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reference: the exact sum of small integers scaled by a power of two.
    #[test]
    fn sums_are_exact_and_correctly_rounded() {
        let mut s = ExactSum::new();
        for x in [1e16, 1.0, -1e16, 1e-300, 3.0] {
            s.add(x);
        }
        assert_eq!(s.value(), 4.0);
        // 1 + 2^-53 + 2^-106: the tail decides the half-way case upward.
        let mut t = ExactSum::new();
        for x in [1.0, 2f64.powi(-53), 2f64.powi(-106)] {
            t.add(x);
        }
        assert_eq!(t.value(), 1.0 + f64::EPSILON);
        let mut u = ExactSum::new();
        for x in [1.0, 2f64.powi(-53)] {
            u.add(x);
        }
        assert_eq!(u.value(), 1.0, "ties go to even");
    }

    #[test]
    fn merging_in_any_order_gives_the_same_canonical_sums() {
        let xs: Vec<f64> = (0..2000)
            .map(|i| ((i as f64) * 0.7548776662466927).fract() * 10f64.powi(i % 7 - 3) - 0.3)
            .collect();
        let mut whole = ExactMoments::new();
        xs.iter().for_each(|x| whole.add(*x));
        let mut parts = [ExactMoments::new(), ExactMoments::new(), ExactMoments::new()];
        for (i, x) in xs.iter().enumerate().rev() {
            parts[i % 3].add(*x);
        }
        let mut merged = parts[2].clone();
        merged.merge(&parts[0]);
        merged.merge(&parts[1]);
        assert_ne!(merged, whole, "the raw partials depend on the order");
        assert_eq!(merged.canonical(), whole.canonical());
        assert_eq!(merged.mean().to_bits(), whole.mean().to_bits());
        assert_eq!(merged.sd().to_bits(), whole.sd().to_bits());
        // Against the two-pass sums of the crate's moments.
        let m = crate::stats::moments(&xs);
        assert!((whole.mean() - m.mean).abs() <= 1e-13 * m.mean.abs());
        assert!((whole.sd() - m.sd).abs() <= 1e-13 * m.sd);
    }

    #[test]
    fn equal_values_have_their_value_as_mean_and_sd_zero() {
        let mut m = ExactMoments::new();
        for _ in 0..1001 {
            m.add(0.1);
        }
        assert_eq!((m.mean(), m.sd(), m.se()), (0.1, 0.0, 0.0));
        let mut one = ExactMoments::new();
        one.add(-2.5);
        assert_eq!((one.mean(), one.sd()), (-2.5, 0.0));
        assert!(ExactMoments::new().mean().is_nan());
    }

    #[test]
    fn a_large_mean_does_not_cancel_the_spread() {
        // Values 1e9 + {0, 1}: sum x^2 - n m^2 in doubles would lose the spread.
        let mut m = ExactMoments::new();
        for i in 0..1000 {
            m.add(1e9 + (i % 2) as f64);
        }
        let want = (250.0f64 / 999.0).sqrt();
        assert!((m.sd() - want).abs() <= 1e-15 * want, "{} vs {want}", m.sd());
    }

    #[test]
    fn sums_round_trip_through_json() {
        let mut m = ExactMoments::new();
        for x in [0.1, 1e-20, 3e7, -2.0 / 3.0] {
            m.add(x);
        }
        let m = m.canonical();
        let back: ExactMoments = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
