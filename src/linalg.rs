//! The matrix checks shared by validation and the engine: a correlation
//! matrix must be symmetric with a unit diagonal and positive-definite, and
//! its lower Cholesky factor correlates independent normals (docs/equations.md §7).

use nalgebra::DMatrix;

use crate::error::Num;

/// Symmetric, unit diagonal, positive-definite; returns the lower Cholesky factor.
pub fn cholesky_of_correlation(m: &DMatrix<f64>) -> Result<DMatrix<f64>, String> {
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
