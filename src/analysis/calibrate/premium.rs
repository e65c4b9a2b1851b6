//! The premium sensitivity `pi_G` of docs/equations.md §2: the hedonic fit
//! of the log blended (3:1) list price of each scored release on closed
//! weights, score, date and closed x lead,
//! `ln p = a + b closed + c (score - 140) + d (t - mid) + pi_G closed G(t) + e`,
//! with HC3 standard errors.

use super::data::Release;
use super::gap::GapState;
use super::ols::{self, Cov, Ols};
use super::{Fitted, Named, Parameter, Window, unidentified};

/// One row of the hedonic design.
#[derive(Debug, Clone, Copy)]
pub struct Hedonic {
    /// Decimal year.
    pub t: f64,
    /// Closed weights.
    pub closed: bool,
    /// Capability score.
    pub score: f64,
    /// The lead at release, months.
    pub gap: f64,
    /// Blended list price.
    pub price: f64,
}

/// The least-squares fit; `pi_G` is coefficient 4, the time trend 3.
pub fn fit_rows(rows: &[Hedonic], mid: f64) -> Option<Ols> {
    let x: Vec<_> = rows
        .iter()
        .map(|r| {
            let c = f64::from(u8::from(r.closed));
            vec![1.0, c, r.score - 140.0, r.t - mid, c * r.gap]
        })
        .collect();
    let y: Vec<_> = rows.iter().map(|r| r.price.ln()).collect();
    ols::fit(&x, &y, Cov::Hc3)
}

/// The parameters of the hedonic fit: field path, symbol, unit.
const PARAMETERS: [Named; 2] = [
    ("prices.premium_sensitivity", "pi_G", "log points/month"),
    ("fixed_capability_decline", "-d", "log points/year"),
];

/// `prices.premium_sensitivity` and the fixed-capability price decline.
pub fn fit(releases: &[Release], state: &GapState, w: &Window, out: &mut Vec<Parameter>) {
    let rows: Vec<Hedonic> = releases
        .iter()
        .filter(|r| w.start <= r.t && r.t < w.end)
        .filter_map(|r| {
            Some(Hedonic {
                t: r.t,
                closed: !r.open,
                score: r.score?,
                gap: state.gap(r.t)?,
                price: r.blended()?,
            })
        })
        .collect();
    let wt = w.text(0.0);
    let method = "OLS (HC3): ln blended price on closed, score, date, closed x lead";
    match fit_rows(&rows, w.end - 1.0) {
        Some(f) => {
            out.extend(
                Fitted::ols(method, f.n, f.r2, &wt)
                    .parameters(PARAMETERS, [(f.beta[4], f.se(4)), (-f.beta[3], f.se(3))]),
            );
        }
        None => {
            out.extend(unidentified(
                PARAMETERS,
                method,
                rows.len(),
                &wt,
                "not identified: too few priced, scored releases (or no variation in the lead) in the window",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn a_known_premium_sensitivity_is_recovered_within_its_standard_error() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let noise = Normal::new(0.0, 0.5).unwrap();
        let pi = 0.12;
        let rows: Vec<_> = (0..200)
            .map(|k| {
                let t = 2024.0 + 2.0 * f64::from(k) / 200.0;
                let closed = k % 2 == 0;
                let score = 130.0 + 10.0 * (t - 2024.0) + f64::from(k % 7);
                let gap = 2.0 + 6.0 * ((f64::from(k) * 0.37).sin() + 1.0) / 2.0;
                let c = f64::from(u8::from(closed));
                let lp = 0.5 + 1.5 * c + 0.05 * (score - 140.0) - 1.7 * (t - 2025.0) + pi * c * gap;
                Hedonic {
                    t,
                    closed,
                    score,
                    gap,
                    price: (lp + noise.sample(&mut rng)).exp(),
                }
            })
            .collect();
        let f = fit_rows(&rows, 2025.0).unwrap();
        assert!((f.beta[4] - pi).abs() < 3.0 * f.se(4), "{} se {}", f.beta[4], f.se(4));
        assert!(f.se(4) < 0.05, "{}", f.se(4));
    }
}
