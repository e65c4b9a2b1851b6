//! The catch-up half-life `h` and long-run gap `G_inf` of docs/equations.md
//! §1, fitted by least squares of the section-1 recursion (driven by the
//! observed closed jumps, floor 0) to the month-end gaps.

use nalgebra::Matrix2;

/// The section-1 recursion on a monthly grid from `g0` at `t0`, with the
/// given `(time, size)` jumps and a floor at 0: the gap at each grid time.
pub fn simulate(h: f64, g_inf: f64, g0: f64, t0: f64, jumps: &[(f64, f64)], grid: &[f64]) -> Vec<f64> {
    let kappa = std::f64::consts::LN_2 / h;
    let dt = 1.0 / 12.0;
    let (mut g, mut t) = (g0, t0);
    grid.iter()
        .map(|&tg| {
            while t < tg - 1e-9 {
                let jump: f64 = jumps
                    .iter()
                    .filter(|(tj, _)| t < *tj && *tj <= t + dt + 1e-12)
                    .map(|j| j.1)
                    .sum();
                g = (g + (1.0 - (-kappa * dt).exp()) * (g_inf - g) + jump).max(0.0);
                t += dt;
            }
            g
        })
        .collect()
}

/// The least-squares `h` and `G_inf` with their standard errors.
#[derive(Debug, Clone, Copy)]
pub struct CatchUp {
    /// Half-life, years.
    pub h: f64,
    /// Long-run gap, months.
    pub g_inf: f64,
    /// Root mean squared error, months.
    pub rmse: f64,
    /// Standard errors of `h` and `G_inf` (Gauss-Newton), `None` when flat.
    pub se: Option<(f64, f64)>,
}

/// Grid search over `h` in 0.05..3 years (step 0.01) and `G_inf` in -3..6
/// months (step 0.05), then standard errors from the Jacobian at the best point.
pub fn fit_catch_up(grid: &[f64], observed: &[f64], jumps: &[(f64, f64)], g0: f64, t0: f64) -> CatchUp {
    let sse = |h: f64, gi: f64| -> f64 {
        simulate(h, gi, g0, t0, jumps, grid)
            .iter()
            .zip(observed)
            .map(|(x, y)| (x - y).powi(2))
            .sum()
    };
    let mut best = (f64::INFINITY, 0.0, 0.0);
    for i in 5..=300 {
        let h = f64::from(i) / 100.0;
        for k in -60..=120 {
            let gi = f64::from(k) / 20.0;
            let s = sse(h, gi);
            if s < best.0 {
                best = (s, h, gi);
            }
        }
    }
    let (s, h, gi) = best;
    let n = grid.len();
    // Gauss-Newton covariance s² (J'J)^-1 with central differences.
    let (dh, dg) = (1e-4, 1e-3);
    let diff =
        |a: Vec<f64>, b: Vec<f64>, d: f64| -> Vec<f64> { a.iter().zip(b).map(|(x, y)| (x - y) / (2.0 * d)).collect() };
    let jh = diff(
        simulate(h + dh, gi, g0, t0, jumps, grid),
        simulate(h - dh, gi, g0, t0, jumps, grid),
        dh,
    );
    let jg = diff(
        simulate(h, gi + dg, g0, t0, jumps, grid),
        simulate(h, gi - dg, g0, t0, jumps, grid),
        dg,
    );
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let jtj = Matrix2::new(dot(&jh, &jh), dot(&jh, &jg), dot(&jg, &jh), dot(&jg, &jg));
    let se = (n > 2)
        .then(|| jtj.try_inverse())
        .flatten()
        .map(|inv| inv * (s / (n - 2) as f64))
        .filter(|c| c[(0, 0)] > 0.0 && c[(1, 1)] > 0.0 && c.iter().all(|v| v.is_finite()))
        .map(|c| (c[(0, 0)].sqrt(), c[(1, 1)].sqrt()));
    CatchUp {
        h,
        g_inf: gi,
        rmse: (s / n as f64).sqrt(),
        se,
    }
}

#[cfg(test)]
mod tests {
    use super::super::gap::month_ends;
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn known_h_and_g_inf_are_recovered_within_their_standard_errors() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let noise = Normal::new(0.0, 0.5).unwrap();
        let (h, g_inf, t0) = (0.3, 2.0, 2015.0);
        // A closed release every two months, of 1 to 4 months of progress.
        let jumps: Vec<_> = (0..60)
            .map(|k| (t0 + (2 * k + 1) as f64 / 12.0 + 0.01, 1.0 + (k % 4) as f64))
            .collect();
        let grid = month_ends(t0, t0 + 10.0);
        let truth = simulate(h, g_inf, 5.0, t0, &jumps, &grid);
        let obs: Vec<f64> = truth.iter().map(|g| g + noise.sample(&mut rng)).collect();
        let c = fit_catch_up(&grid, &obs, &jumps, 5.0, t0);
        let (se_h, se_g) = c.se.expect("identified");
        assert!((c.h - h).abs() < 3.0 * se_h + 0.01, "h {} se {se_h}", c.h);
        assert!(
            (c.g_inf - g_inf).abs() < 3.0 * se_g + 0.05,
            "G_inf {} se {se_g}",
            c.g_inf
        );
        assert!(se_h < 0.1 && se_g < 0.5, "{se_h} {se_g}");
        assert!((c.rmse - 0.5).abs() < 0.1, "{}", c.rmse);
    }
}
