//! Rank correlation of uncertain inputs (docs/equations.md §7): the normal
//! scores behind the inverse-CDF draws are correlated by the Cholesky factor
//! of `2 sin(pi rho_S / 6)`, a Gaussian copula that keeps every marginal.

use nalgebra::DMatrix;

use crate::linalg::cholesky_of_correlation;

/// Gaussian copula for inputs with Spearman rank correlations `rho_S`: the
/// normal scores are correlated by the Cholesky factor of `2 sin(pi rho_S / 6)`.
#[derive(Clone, Debug)]
pub struct InputCopula {
    /// The correlated inputs' paths, in order of first mention.
    pub paths: Vec<String>,
    l: DMatrix<f64>,
}

impl InputCopula {
    /// The copula of `(path, path, rho_S)` pairs; unlisted pairs are
    /// uncorrelated. Each path is an input's field path.
    ///
    /// # Errors
    ///
    /// A message when `2 sin(pi rho_S / 6)` is not a valid correlation
    /// matrix (not symmetric, an entry outside [-1, 1] or not finite, or not
    /// positive-definite).
    pub fn new(pairs: &[(String, String, f64)]) -> Result<Self, String> {
        let mut paths: Vec<String> = Vec::new();
        let index = |p: &String, paths: &mut Vec<String>| match paths.iter().position(|x| x == p) {
            Some(i) => i,
            None => {
                paths.push(p.clone());
                paths.len() - 1
            }
        };
        let mut entries = Vec::new();
        for (a, b, r) in pairs {
            let i = index(a, &mut paths);
            let j = index(b, &mut paths);
            entries.push((i, j, *r));
        }
        let n = paths.len();
        let mut m = DMatrix::identity(n, n);
        for (i, j, r) in entries {
            let c = 2.0 * (std::f64::consts::PI * r / 6.0).sin();
            m[(i, j)] = c;
            m[(j, i)] = c;
        }
        let l = cholesky_of_correlation(&m).map_err(|e| format!("the matrix 2 sin(pi rho_S / 6) {e}"))?;
        Ok(InputCopula { paths, l })
    }

    /// Replace the independent normal scores `z` (one per path in `self.paths`) by correlated ones.
    pub fn correlate(&self, z: &mut [f64]) {
        let v = &self.l * nalgebra::DVector::from_column_slice(z);
        z.copy_from_slice(v.as_slice());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copula_reproduces_rank_correlation_map() {
        let c = InputCopula::new(&[("a".into(), "b".into(), 0.5)]).unwrap();
        let mut z = [1.0, 0.0];
        c.correlate(&mut z);
        let r = 2.0 * (std::f64::consts::PI * 0.5 / 6.0).sin();
        assert!((z[1] - r).abs() < 1e-15);
        assert!((z[0] - 1.0).abs() < 1e-15);
    }
}
