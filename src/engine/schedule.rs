//! Per-step values that every path of a run shares: a decay
//! `f(tau, t_k)` (a lab's reference margin, a segment's growth) tabled once
//! per run at the scenario's `tau`, for the paths that do not draw it.
//!
//! A path reads the table only when its `tau` is the scenario's to the bit,
//! and otherwise computes `f(tau, t_k)` itself with the same `t_k`, so that a
//! path's values never depend on which it took.

/// `f(tau_j, t_k)` for every step `k = 0..=K` and item `j`, at the
/// scenario's fixed `tau_j` (NaN where it is drawn: never read).
#[derive(Clone, Debug)]
pub struct Decay {
    taus: Vec<f64>,
    /// `[k * taus.len() + j]`.
    table: Vec<f64>,
    dt: f64,
    f: fn(f64, f64) -> f64,
}

impl Decay {
    pub fn new(taus: Vec<f64>, steps: usize, dt: f64, f: fn(f64, f64) -> f64) -> Self {
        let table = (0..=steps)
            .flat_map(|k| taus.iter().map(move |tau| f(*tau, k as f64 * dt)))
            .collect();
        Decay { taus, table, dt, f }
    }

    /// `f(tau, t_k)` for item `j` on a path whose `tau_j` is `tau`.
    #[inline]
    pub fn at(&self, k: usize, j: usize, tau: f64) -> f64 {
        let m = self.taus.len();
        if tau.to_bits() == self.taus[j].to_bits() {
            self.table[k * m + j]
        } else {
            (self.f)(tau, k as f64 * self.dt)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decay(tau: f64, t: f64) -> f64 {
        (-t / tau).exp()
    }

    #[test]
    fn table_and_computed_values_agree_to_the_bit() {
        let dt = 1.0 / 12.0;
        let d = Decay::new(vec![1.851, f64::NAN, 0.3], 120, dt, decay);
        for k in 0..=120 {
            let t = k as f64 * dt;
            for (j, tau) in [1.851, 0.7, 0.3].into_iter().enumerate() {
                assert_eq!(d.at(k, j, tau).to_bits(), decay(tau, t).to_bits(), "k {k} j {j}");
            }
            // Another tau than the table's is computed, not read.
            assert_eq!(d.at(k, 0, 2.0).to_bits(), decay(2.0, t).to_bits());
        }
    }
}
