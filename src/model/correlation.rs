//! docs/equations.md §7: the process shocks `(Z^G, Z^P, Z^rho, Z^A)` correlated
//! through the Cholesky factor of the scenario's 4x4 matrix.

use nalgebra::{DMatrix, Matrix4, Vector4};

use crate::linalg::cholesky_of_correlation;

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
                if m.len() != 4 || m.iter().any(|r| r.len() != 4) {
                    return Err("must be a 4x4 matrix".into());
                }
                let dm = DMatrix::from_fn(4, 4, |i, j| m[i][j]);
                let l = cholesky_of_correlation(&dm)?;
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
