//! Least squares with nalgebra: coefficients, classical or HC3 standard
//! errors, R².

use nalgebra::{DMatrix, DVector};

/// A least-squares fit.
#[derive(Debug, Clone)]
pub struct Ols {
    /// Coefficients, in the design's column order.
    pub beta: Vec<f64>,
    /// Their covariance (classical or HC3).
    pub cov: DMatrix<f64>,
    /// R² (1 - residual variance / variance of y).
    pub r2: f64,
    /// Residual sum of squares.
    pub rss: f64,
    /// Observations.
    pub n: usize,
}

impl Ols {
    /// Standard error of coefficient `k`.
    pub fn se(&self, k: usize) -> f64 {
        self.cov[(k, k)].max(0.0).sqrt()
    }
}

/// Which covariance to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cov {
    /// `s² (X'X)^-1`, `s² = RSS / (n - p)`.
    Classical,
    /// White's heteroskedasticity-consistent HC3.
    Hc3,
}

/// Fit `y` on the columns of `x` (rows are observations). `None` when there
/// are no more rows than columns or `X'X` is singular.
pub fn fit(x: &[Vec<f64>], y: &[f64], cov: Cov) -> Option<Ols> {
    let (n, p) = (y.len(), x.first()?.len());
    if n <= p {
        return None;
    }
    let xm = DMatrix::from_fn(n, p, |i, j| x[i][j]);
    let yv = DVector::from_column_slice(y);
    let xtx = xm.transpose() * &xm;
    // Refuse a (near-)collinear design rather than report huge, meaningless
    // SEs: the correlation form of X'X must have full rank.
    let d = DVector::from_fn(p, |j, _| 1.0 / xtx[(j, j)].sqrt());
    let corr = DMatrix::from_fn(p, p, |i, j| xtx[(i, j)] * d[i] * d[j]);
    if !corr.iter().all(|v| v.is_finite()) || corr.svd(false, false).singular_values.min() < 1e-12 {
        return None;
    }
    let a = xtx.clone().try_inverse()?;
    let beta = &a * (xm.transpose() * &yv);
    let e = &yv - &xm * &beta;
    let rss = e.norm_squared();
    let cov = match cov {
        Cov::Classical => &a * (rss / (n - p) as f64),
        Cov::Hc3 => {
            let mut meat = DMatrix::zeros(p, p);
            for i in 0..n {
                let xi = xm.row(i).transpose();
                let h = (xi.transpose() * &a * &xi)[(0, 0)];
                let w = (e[i] / (1.0 - h)).powi(2);
                meat += &xi * xi.transpose() * w;
            }
            &a * meat * &a
        }
    };
    let my = y.iter().sum::<f64>() / n as f64;
    let tss: f64 = y.iter().map(|v| (v - my).powi(2)).sum();
    Some(Ols {
        beta: beta.iter().copied().collect(),
        cov,
        r2: if tss > 0.0 { 1.0 - rss / tss } else { f64::NAN },
        rss,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_recovered_with_its_textbook_se() {
        let xs = [0.0, 1.0, 2.0, 3.0, 4.0];
        let ys = [1.1, 2.9, 5.2, 6.8, 9.1];
        let x: Vec<_> = xs.iter().map(|&v| vec![1.0, v]).collect();
        let f = fit(&x, &ys, Cov::Classical).unwrap();
        // Slope sxy / sxx = 19.9 / 10; SE sqrt(rss / 3 / sxx).
        assert!((f.beta[1] - 1.99).abs() < 1e-12);
        let rss: f64 = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| (y - f.beta[0] - f.beta[1] * x).powi(2))
            .sum();
        assert!((f.se(1) - (rss / 3.0 / 10.0).sqrt()).abs() < 1e-12);
        assert!(f.r2 > 0.99);
        assert!(fit(&x[..2], &ys[..2], Cov::Classical).is_none());
        let same: Vec<_> = xs.iter().map(|_| vec![1.0, 2.0]).collect();
        assert!(fit(&same, &ys, Cov::Hc3).is_none());
    }
}
