//! The release jumps of lab shares (docs/equations.md §4): `lambda_a`, the
//! closed releases per lab and year (same-day launches counted once),
//! Poisson maximum likelihood. The jump size `s_a` needs the labs' run
//! rates and the presets' noises; `data/fit_jumps.py` fits it.

use std::collections::{BTreeMap, BTreeSet};

use super::data::Release;
use super::{Parameter, Window};

/// Rate, its SE, releases counted, labs, years: the Poisson ML of
/// `count / (labs x years)`.
pub fn rate(count: usize, labs: usize, years: f64) -> (f64, f64) {
    let exposure = labs as f64 * years;
    (count as f64 / exposure, (count as f64).sqrt() / exposure)
}

/// `attractiveness.jump_rate`.
pub fn fit(releases: &[Release], w: &Window, out: &mut Vec<Parameter>) {
    let mut dates: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in releases.iter().filter(|r| !r.open && w.start <= r.t && r.t < w.end) {
        dates.entry(&r.lab).or_default().insert(&r.date);
    }
    let count: usize = dates.values().map(BTreeSet::len).sum();
    let years = w.end - w.start;
    let wt = w.text(0.0);
    let method = "ML (Poisson): distinct closed release dates per lab-year";
    if count == 0 {
        out.push(Parameter::none(
            "attractiveness.jump_rate",
            "lambda_a",
            "1/year",
            method,
            0,
            &wt,
            "not identified: no closed release in the window",
        ));
        return;
    }
    let (lam, se) = rate(count, dates.len(), years);
    let exposure = dates.len() as f64 * years;
    let loglik = count as f64 * lam.ln() - lam * exposure;
    out.push(Parameter::new(
        "attractiveness.jump_rate",
        "lambda_a",
        lam,
        Some(se),
        "1/year",
        method,
        count,
        "log-likelihood",
        loglik,
        &wt,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Poisson};

    #[test]
    fn a_known_release_rate_is_recovered_within_its_standard_error() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let (lam, labs, years) = (4.0, 5, 10.0);
        let count: f64 = (0..labs)
            .map(|_| Poisson::new(lam * years).unwrap().sample(&mut rng))
            .sum();
        let (got, se) = rate(count as usize, labs, years);
        assert!((got - lam).abs() < 3.0 * se, "{got} {se}");
        assert!((se - (lam / (labs as f64 * years)).sqrt()).abs() < 0.05, "{se}");
    }
}
