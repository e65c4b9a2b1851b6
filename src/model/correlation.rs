//! MODEL section 7: correlated process shocks and a Gaussian copula for
//! rank-correlated inputs, both through Cholesky factors.

use nalgebra::{DMatrix, Matrix4, Vector4};

use crate::error::Num;

/// Check a 4x4 process correlation matrix (order G, P, rho, A).
pub fn check_process(m: &[Vec<f64>]) -> Result<(), String> {
    if m.len() != 4 || m.iter().any(|r| r.len() != 4) {
        return Err(format!(
            "must be a 4x4 matrix (order gap, closed price, ratio, demand), got {} rows of lengths {:?}",
            m.len(),
            m.iter().map(Vec::len).collect::<Vec<_>>()
        ));
    }
    let dm = DMatrix::from_fn(4, 4, |i, j| m[i][j]);
    check_correlation(&dm).map(|_| ())
}

/// Symmetric, unit diagonal, positive-definite; returns the lower Cholesky factor.
fn check_correlation(m: &DMatrix<f64>) -> Result<DMatrix<f64>, String> {
    let n = m.nrows();
    for i in 0..n {
        for j in 0..n {
            let x = m[(i, j)];
            if !x.is_finite() {
                return Err(format!("entry ({i}, {j}) must be finite, got {}", Num(x)));
            }
            if i == j && (x - 1.0).abs() > 1e-12 {
                return Err(format!("diagonal entry ({i}, {i}) must be 1, got {}", Num(x)));
            }
            if (x - m[(j, i)]).abs() > 1e-12 {
                return Err(format!(
                    "must be symmetric, got {} at ({i}, {j}) and {} at ({j}, {i})",
                    Num(x),
                    Num(m[(j, i)])
                ));
            }
            if x.abs() > 1.0 {
                return Err(format!("entries must be in [-1, 1], got {} at ({i}, {j})", Num(x)));
            }
        }
    }
    let chol = m
        .clone()
        .cholesky()
        .ok_or_else(|| "must be positive-definite (its Cholesky factorisation fails)".to_string())?;
    let l = chol.l();
    // A factor with a vanishing pivot is only semi-definite.
    if (0..n).any(|i| l[(i, i)] < 1e-10) {
        return Err("must be positive-definite (it is singular or nearly so)".into());
    }
    Ok(l)
}

/// The Cholesky factor of the process correlation (identity when absent).
#[derive(Clone, Debug)]
pub struct ProcessShocks {
    l: Matrix4<f64>,
}

impl ProcessShocks {
    pub fn new(m: Option<&Vec<Vec<f64>>>) -> Result<Self, String> {
        let l = match m {
            None => Matrix4::identity(),
            Some(m) => {
                check_process(m)?;
                let dm = DMatrix::from_fn(4, 4, |i, j| m[i][j]);
                let l = check_correlation(&dm)?;
                Matrix4::from_fn(|i, j| l[(i, j)])
            }
        };
        Ok(ProcessShocks { l })
    }

    /// Correlate independent standard normals `(z_G, z_P, z_rho, z_A)`.
    #[inline]
    pub fn correlate(&self, z: [f64; 4]) -> [f64; 4] {
        let v = self.l * Vector4::from(z);
        [v[0], v[1], v[2], v[3]]
    }
}

/// Gaussian copula for inputs with Spearman rank correlations `rho_S`: the
/// normal scores are correlated by the Cholesky factor of `2 sin(pi rho_S / 6)`.
#[derive(Clone, Debug)]
pub struct InputCopula {
    /// The correlated inputs' paths, in order of first mention.
    pub paths: Vec<String>,
    l: DMatrix<f64>,
}

impl InputCopula {
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
        let l = check_correlation(&m).map_err(|e| format!("the matrix 2 sin(pi rho_S / 6) {e}"))?;
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
    fn rejects_non_positive_definite() {
        let m = vec![
            vec![1.0, 0.9, 0.9, 0.0],
            vec![0.9, 1.0, -0.9, 0.0],
            vec![0.9, -0.9, 1.0, 0.0],
            vec![0.0, 0.0, 0.0, 1.0],
        ];
        assert!(check_process(&m).unwrap_err().contains("positive-definite"));
        let mut asym = vec![vec![0.0; 4]; 4];
        for (i, row) in asym.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        asym[0][1] = 0.3;
        assert!(check_process(&asym).unwrap_err().contains("symmetric"));
        assert!(check_process(&[vec![1.0]]).unwrap_err().contains("4x4"));
    }

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
