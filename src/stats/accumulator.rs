//! The engine's exact sums while it runs: a fixed-point superaccumulator
//! (Neal's "small superaccumulator", arXiv:1505.05571) that adds a double
//! in a few integer operations, where Shewchuk's partials
//! ([`ExactSum`]) loop over a list with a branch per partial.
//!
//! Both hold the exact sum, so converting an accumulator to an
//! [`ExactSum`] and taking its [canonical](ExactSum::canonical) form gives
//! the same partials, bit for bit, as adding the same values to an
//! [`ExactSum`] one by one (unless a running sum of the partials passes
//! the largest double, where the partials give up and the fixed point does
//! not): the accumulator changes the cost, never a result.

use super::exact::{ExactAdd, ExactMoments, ExactSum, MomentSums};

/// Chunk `i` holds a signed integer weighing `2^(32 i - 1074)`. A finite
/// double is `m 2^(p - 1074)` with a 53-bit `m` and `0 <= p <= 2045`, so
/// it lands in chunks `p / 32` and `p / 32 + 1 <= 64`.
const CHUNKS: usize = 65;

/// Adds between two carries. An add changes a chunk by less than `2^52`
/// and a carried chunk is below `2^32` (a carry adds less than `2^31`),
/// so 1,024 adds keep every chunk below `2^63`.
const ADDS_BETWEEN_CARRIES: u32 = 1024;

/// A carried top chunk at or beyond this is a sum past `2^1035`, far beyond
/// the largest double.
const TOP_LIMIT: u64 = 1 << 61;

/// An exact sum of doubles in fixed point.
#[derive(Clone, Debug)]
pub struct ExactAccumulator {
    chunks: [i64; CHUNKS],
    /// The sum of the non-finite values added (0 when none): +inf, -inf or NaN.
    special: f64,
    until_carry: u32,
}

impl Default for ExactAccumulator {
    fn default() -> Self {
        ExactAccumulator {
            chunks: [0; CHUNKS],
            special: 0.0,
            until_carry: ADDS_BETWEEN_CARRIES,
        }
    }
}

impl ExactAccumulator {
    /// An empty sum (0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `x` exactly (a non-finite `x`, or a sum far beyond the largest
    /// double, makes the sum non-finite).
    #[inline]
    pub fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as u32;
        if biased == 0x7ff {
            self.special += x;
            return;
        }
        let fraction = bits & ((1 << 52) - 1);
        // Normal: the hidden bit, at position `biased - 1`; subnormal: position 0.
        let (m, p) = if biased == 0 {
            (fraction, 0)
        } else {
            (fraction | 1 << 52, biased - 1)
        };
        let (i, shift) = ((p >> 5) as usize, p & 31);
        let low = ((m << shift) & 0xffff_ffff) as i64;
        let high = (m >> (32 - shift)) as i64;
        if bits >> 63 == 0 {
            self.chunks[i] += low;
            self.chunks[i + 1] += high;
        } else {
            self.chunks[i] -= low;
            self.chunks[i + 1] -= high;
        }
        self.until_carry -= 1;
        if self.until_carry == 0 {
            self.carry();
        }
    }

    /// Carry each chunk's bits above 32 into the next, leaving every chunk
    /// but the top one in `[0, 2^32)`.
    fn carry(&mut self) {
        for i in 0..CHUNKS - 1 {
            let c = self.chunks[i] >> 32;
            self.chunks[i] -= c << 32;
            self.chunks[i + 1] += c;
        }
        self.until_carry = ADDS_BETWEEN_CARRIES;
        let top = self.chunks[CHUNKS - 1];
        if top.unsigned_abs() >= TOP_LIMIT {
            self.special += f64::INFINITY.copysign(top as f64);
            self.chunks = [0; CHUNKS];
        }
    }

    /// Add every value of another sum.
    pub fn merge(&mut self, other: &ExactAccumulator) {
        let mut other = other.clone();
        other.carry();
        self.carry();
        for (a, b) in self.chunks.iter_mut().zip(&other.chunks) {
            *a += b;
        }
        // Chunks below 2^33 and a top below 2^62: carry again before 1,024 adds could overflow.
        self.carry();
        self.special += other.special;
    }

    /// The same exact sum as canonical partials ([`ExactSum::canonical`]).
    pub fn to_exact(&self) -> ExactSum {
        let mut a = self.clone();
        a.carry();
        let mut s = ExactSum::new();
        for (i, &c) in a.chunks.iter().enumerate() {
            if c == 0 {
                continue;
            }
            // Below 2^32 times a power of two: exact as a double (the top
            // chunk's high part past the largest double adds an infinity).
            let (low, high) = (c & 0xffff_ffff, c >> 32);
            s.add(low as f64 * pow2(32 * i as i32 - 1074));
            if high != 0 {
                s.add(high as f64 * pow2(32 * (i as i32 + 1) - 1074));
            }
        }
        if a.special != 0.0 {
            s.add(a.special);
        }
        s.canonical()
    }
}

/// `2^k` for `-1074 <= k <= 1023`, exactly.
fn pow2(k: i32) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

/// [`ExactMoments`] while values arrive: the count, exact sums of `x` and
/// `x^2` in fixed point, and the range.
pub type MomentsAccumulator = MomentSums<ExactAccumulator>;

impl ExactAdd for ExactAccumulator {
    #[inline]
    fn add(&mut self, x: f64) {
        ExactAccumulator::add(self, x);
    }
    fn merge(&mut self, other: &Self) {
        ExactAccumulator::merge(self, other);
    }
}

impl MomentsAccumulator {
    /// The same values as [`ExactMoments`], their sums canonical.
    pub fn to_moments(&self) -> ExactMoments {
        MomentSums {
            n: self.n,
            sum: self.sum.to_exact(),
            squares: self.squares.to_exact(),
            range: self.range,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn both(xs: &[f64]) -> (ExactSum, ExactSum) {
        let mut shewchuk = ExactSum::new();
        let mut fixed = ExactAccumulator::new();
        for x in xs {
            shewchuk.add(*x);
            fixed.add(*x);
        }
        (shewchuk.canonical(), fixed.to_exact())
    }

    /// Doubles over the whole range, subnormals and both signs included.
    fn any_finite() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<u64>()
                .prop_map(f64::from_bits)
                .prop_filter("finite", |x| x.is_finite()),
            (-1e12f64..1e12),
            (0u64..1 << 52).prop_map(f64::from_bits),
        ]
    }

    proptest! {
        #[test]
        fn the_same_exact_sum_as_shewchuk(xs in prop::collection::vec(any_finite(), 0..3000)) {
            // Sums past the largest double are non-finite either way, not compared.
            let (s, f) = both(&xs);
            if s.value().is_finite() {
                prop_assert_eq!(s, f);
            }
        }

        #[test]
        fn merging_halves_in_any_order(xs in prop::collection::vec(-1e15f64..1e15, 0..2500), cut in 0usize..2500) {
            let cut = cut.min(xs.len());
            let (mut a, mut b, mut whole) = (MomentsAccumulator::new(), MomentsAccumulator::new(), ExactMoments::new());
            xs[..cut].iter().for_each(|x| a.add(*x));
            xs[cut..].iter().for_each(|x| b.add(*x));
            xs.iter().for_each(|x| whole.add(*x));
            b.merge(&a);
            prop_assert_eq!(b.to_moments(), whole.canonical());
        }
    }

    #[test]
    fn edges_of_the_range_and_cancellation() {
        let tiny = f64::from_bits(1);
        let cases: [&[f64]; 6] = [
            &[f64::MAX, -f64::MAX, tiny, 1.0],
            &[f64::MIN_POSITIVE, -tiny, 2f64.powi(-1022) * 0.75],
            &[1e16, 1.0, -1e16, 1e-300, 3.0],
            &[1.0, 2f64.powi(-53), 2f64.powi(-106)],
            &[-0.0, 0.0, -0.0],
            &[f64::MAX * 0.5, f64::MAX * 0.25, -f64::MAX * 0.5],
        ];
        for xs in cases {
            let (s, f) = both(xs);
            assert_eq!(s, f, "{xs:?}");
        }
        // Many carries: 10,000 adds of values that fill a chunk's top bits.
        let xs: Vec<f64> = (0..10_000)
            .map(|i| (1u64 << 52) as f64 * (1.0 + i as f64 * 1e-4))
            .collect();
        let (s, f) = both(&xs);
        assert_eq!(s, f);
    }

    #[test]
    fn non_finite_values_and_overflow() {
        let mut a = ExactAccumulator::new();
        a.add(1.0);
        a.add(f64::INFINITY);
        assert_eq!(a.to_exact().value(), f64::INFINITY);
        a.add(f64::NEG_INFINITY);
        assert!(a.to_exact().value().is_nan());
        // Past the largest double: 4,096 times the largest is +inf.
        let mut b = ExactAccumulator::new();
        (0..4096).for_each(|_| b.add(f64::MAX));
        assert_eq!(b.to_exact().value(), f64::INFINITY);
        // Unlike Shewchuk's partials, a passing overflow of the running sum is no overflow.
        let mut c = ExactAccumulator::new();
        [f64::MAX, f64::MAX * 0.5, -f64::MAX].iter().for_each(|x| c.add(*x));
        assert_eq!(c.to_exact().value(), f64::MAX * 0.5);
    }
}
