//! The relative sketch's bucket index `ceil(ln a / ln gamma)` without a
//! call to `ln` or a division: `ln a` from the float's exponent, a table of
//! `ln` at 128 points of the mantissa and three terms of `ln(1 + r)` for
//! the remainder, `|r| <= 1/257`. Its error, below 4e-9 on the index scale,
//! is far inside the margin of 1e-7 it keeps from an integer: when the
//! index is that close to one, it does not answer and the caller computes
//! the index as before, so the buckets are the exact formula's, bit for
//! bit (about one value in five million takes the slow path).

use std::sync::OnceLock;

/// Mantissa points of the table: `1 + (j + 1/2) / 128`.
const POINTS: usize = 128;

/// How far from an integer the approximate index must be to answer.
const MARGIN: f64 = 1e-7;

struct Table {
    /// `1 / m_j`.
    inv: [f64; POINTS],
    /// `ln m_j`.
    ln: [f64; POINTS],
    /// `1 / ln gamma`.
    inv_ln_gamma: f64,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Table {
            inv: [0.0; POINTS],
            ln: [0.0; POINTS],
            inv_ln_gamma: 1.0 / super::sketch::ln_gamma(),
        };
        for j in 0..POINTS {
            let m = 1.0 + (j as f64 + 0.5) / POINTS as f64;
            t.inv[j] = 1.0 / m;
            t.ln[j] = m.ln();
        }
        t
    })
}

/// `ceil(ln a / ln gamma)` for a positive normal finite `a`, or `None` when
/// the approximation is within [`MARGIN`] of an integer or `a` is not such
/// a number.
#[inline]
pub(super) fn ceil_log_gamma(a: f64) -> Option<i32> {
    let bits = a.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 || biased == 0x7ff || a <= 0.0 {
        return None;
    }
    let t = table();
    let j = ((bits >> 45) & 0x7f) as usize;
    // The mantissa as a number in [1, 2).
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let r = m * t.inv[j] - 1.0;
    // ln(1 + r) to within r^4 / 4 < 6e-11 (3e-9 on the index scale).
    let ln1p = r * (1.0 + r * (-0.5 + r * (1.0 / 3.0)));
    let ln_a = f64::from(biased - 1023) * std::f64::consts::LN_2 + t.ln[j] + ln1p;
    let v = ln_a * t.inv_ln_gamma;
    let k = ceil(v);
    // `ceil(v) - v` in [0, 1): answer when it is not within the margin of either end.
    let d = f64::from(k) - v;
    (d > MARGIN && d < 1.0 - MARGIN).then_some(k)
}

/// `ceil(v)` for `|v| < 2^31` by truncation (one instruction, where
/// `f64::ceil` is a library call without SSE4.1).
#[inline]
fn ceil(v: f64) -> i32 {
    let k = v as i32;
    k + i32::from(v > f64::from(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sketch::exact_index;

    /// Wherever the fast index answers, it is the exact formula's: over a
    /// million values spread over every magnitude a sketch sees (1e-9 to
    /// 1e300), and at the bucket edges `gamma^i` and their neighbouring floats.
    #[test]
    fn fast_index_is_the_exact_index() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let check = |a: f64| {
            let fast = ceil_log_gamma(a);
            if let Some(i) = fast {
                assert_eq!(i, exact_index(a), "{a:e}");
            }
            fast.is_some()
        };
        let mut answered = 0;
        for _ in 0..1_000_000 {
            // xorshift64: a uniform exponent in [-9, 300], a uniform mantissa.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            answered += usize::from(check(10f64.powf(-9.0 + 309.0 * u)));
        }
        let gamma: f64 = (1.0 + 0.01) / (1.0 - 0.01);
        for i in -1036..34_000 {
            let edge = gamma.powi(i);
            for a in [
                edge,
                f64::from_bits(edge.to_bits() + 1),
                f64::from_bits(edge.to_bits() - 1),
            ] {
                check(a);
            }
        }
        // Almost all answer: the slow path is rare.
        assert!(answered >= 999_990, "{answered}");
        assert_eq!(ceil_log_gamma(f64::INFINITY), None);
        assert_eq!(ceil_log_gamma(f64::MIN_POSITIVE / 2.0), None);
    }
}
