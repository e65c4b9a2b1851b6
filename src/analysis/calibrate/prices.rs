//! The price curves of docs/equations.md §2: the closed price's annual log
//! decline `d_c`, the open/closed price ratio `rho_0` at the window's end and
//! its annual log decline `d_rho`, from the blended (3:1) list prices of each
//! class's frontier tier (releases within 4 points of their class's best
//! score at launch).

use super::data::Release;
use super::gap::{GapState, level};
use super::ols::{self, Cov};
use super::{Curve, Fitted, Named, Parameter, Window, unidentified};

/// How far below its class's best a release may score and still price the frontier.
pub const TIER: f64 = 4.0;

/// A priced observation: time, open weights, blended price.
#[derive(Debug, Clone, Copy)]
pub struct Priced {
    /// Decimal year.
    pub t: f64,
    /// Open weights.
    pub open: bool,
    /// Blended price, USD per million tokens.
    pub price: f64,
}

/// The fitted curves: `(d_c, se), (rho_0, se), (d_rho, se)`, R², n.
#[derive(Debug, Clone, Copy)]
pub struct PriceFit {
    /// Closed decline and SE.
    pub d_c: (f64, f64),
    /// Ratio at the end and SE (delta method).
    pub rho_0: (f64, f64),
    /// Ratio decline and SE.
    pub d_rho: (f64, f64),
    /// R² of the regression.
    pub r2: f64,
    /// Rows.
    pub n: usize,
    /// Intercept (ln closed price at the end).
    pub level: f64,
}

/// `ln p = b0 + b1 open + b2 (t - end) + b3 open (t - end)`, HC3:
/// `d_c = -b2`, `rho_0 = exp(b1)`, `d_rho = -b3`.
pub fn fit_rows(rows: &[Priced], end: f64) -> Option<PriceFit> {
    let x: Vec<_> = rows
        .iter()
        .map(|r| {
            let o = f64::from(u8::from(r.open));
            vec![1.0, o, r.t - end, o * (r.t - end)]
        })
        .collect();
    let y: Vec<_> = rows.iter().map(|r| r.price.ln()).collect();
    let f = ols::fit(&x, &y, Cov::Hc3)?;
    let rho = f.beta[1].exp();
    Some(PriceFit {
        d_c: (-f.beta[2], f.se(2)),
        rho_0: (rho, rho * f.se(1)),
        d_rho: (-f.beta[3], f.se(3)),
        r2: f.r2,
        n: f.n,
        level: f.beta[0],
    })
}

/// The price parameters: field path, symbol, unit.
const PARAMETERS: [Named; 3] = [
    ("prices.closed_decline", "d_c", "1/year"),
    ("prices.ratio_0", "rho_0", "ratio"),
    ("prices.ratio_drift", "d_rho", "1/year"),
];

/// The price parameters and curves.
pub fn fit(releases: &[Release], state: &GapState, w: &Window, out: &mut Vec<Parameter>, curves: &mut Vec<Curve>) {
    let rows: Vec<Priced> = releases
        .iter()
        .filter(|r| w.start <= r.t && r.t < w.end)
        .filter_map(|r| {
            let best = level(if r.open { &state.open } else { &state.closed }, r.t)?;
            (r.score? >= best - TIER).then_some(Priced {
                t: r.t,
                open: r.open,
                price: r.blended()?,
            })
        })
        .collect();
    let wt = w.text(0.0);
    let opens = rows.iter().filter(|r| r.open).count();
    let method = "OLS (HC3) of ln blended price of the frontier tier on open, date, open x date";
    match fit_rows(&rows, w.end).filter(|_| opens >= 2 && rows.len() - opens >= 2) {
        Some(f) => {
            out.extend(Fitted::ols(method, f.n, f.r2, &wt).parameters(PARAMETERS, [f.d_c, f.rho_0, f.d_rho]));
            for r in &rows {
                curves.push(Curve::new(
                    if r.open { "price.open" } else { "price.closed" },
                    r.t,
                    r.price,
                    "data",
                ));
            }
            for t in super::gap::month_ends(w.start, w.end) {
                let closed = f.level - f.d_c.0 * (t - w.end);
                curves.push(Curve::new("price.closed", t, closed.exp(), "fit"));
                curves.push(Curve::new(
                    "price.open",
                    t,
                    (closed + f.rho_0.0.ln() - f.d_rho.0 * (t - w.end)).exp(),
                    "fit",
                ));
            }
        }
        None => {
            out.extend(unidentified(
                PARAMETERS,
                method,
                rows.len(),
                &wt,
                "not identified: fewer than 2 priced frontier-tier releases of a class in the window",
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
    fn known_price_curves_are_recovered_within_their_standard_errors() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let noise = Normal::new(0.0, 0.4).unwrap();
        let (d_c, rho_0, d_rho, end): (f64, f64, f64, f64) = (0.5, 0.15, 0.2, 2026.0);
        let rows: Vec<_> = (0..120)
            .map(|k| {
                let t = end - 3.0 + 3.0 * f64::from(k) / 120.0;
                let open = k % 3 == 0;
                let lp = 2.0 - d_c * (t - end) + if open { rho_0.ln() - d_rho * (t - end) } else { 0.0 };
                Priced {
                    t,
                    open,
                    price: (lp + noise.sample(&mut rng)).exp(),
                }
            })
            .collect();
        let f = fit_rows(&rows, end).unwrap();
        for (got, want) in [(f.d_c, d_c), (f.rho_0, rho_0), (f.d_rho, d_rho)] {
            assert!((got.0 - want).abs() < 3.0 * got.1, "{got:?} vs {want}");
            assert!(got.1 > 0.0 && got.1 < 0.5 * want.max(0.1) + 0.2, "{got:?}");
        }
    }
}
