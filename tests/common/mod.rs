//! What the pinning tests share (`tests/v1_equivalence.rs`,
//! `tests/v2_pins.rs`): the hash their fingerprints are made with, and the run they pin as it is now and as the pinned engines sketched it.

/// FNV-1a over the bits of `f64`s, one 64-bit word each: a fingerprint that
/// changes with any bit of any value (NaN payloads and signed zeros too).
pub struct Fnv(u64);

impl Fnv {
    /// The FNV-1a offset basis.
    pub fn new() -> Self {
        Fnv(0xCBF2_9CE4_8422_2325)
    }

    /// Mix in one value's bits.
    pub fn add(&mut self, x: f64) {
        self.0 ^= x.to_bits();
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
    }

    /// Mix in every value of a slice, in order.
    pub fn add_all<'a>(&mut self, xs: impl IntoIterator<Item = &'a f64>) {
        xs.into_iter().for_each(|x| self.add(*x));
    }

    /// The hash as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

/// The run of `s` as it is now (every path stored, yearly flows kept:
/// they are pinned too), and as the pinned engines sketched it (every
/// series relative), having checked the bounded quantiles of one against
/// the other; and the largest difference between them.
pub fn run_now_and_relative(
    s: &aibubble::Scenario,
    paths: u64,
    seed: u64,
) -> (aibubble::Results, aibubble::Results, f64) {
    let now = aibubble::Simulation::new(s)
        .unwrap()
        .paths(paths)
        .seed(seed)
        .keep_years(true)
        .store_paths(paths)
        .run()
        .unwrap();
    let mut old = now.clone();
    relative_sketches(&mut old);
    let largest = check_bounded_quantiles(&now, &old);
    (now, old, largest)
}

/// Every series of `r` sketched again with the relative-accuracy sketch
/// (`Sketch::new()`, the only sketch before bounded series had their own)
/// from the full paths, which `r` must hold for every path. The relative
/// sketch is that of the pinned engines bit for bit, so the fingerprints
/// pinned then still hold for these.
pub fn relative_sketches(r: &mut aibubble::Results) {
    let (per, ns, n) = (r.steps + 1, r.series.len(), r.stored_count());
    assert_eq!(n, r.len(), "every path must be stored");
    let stride = r.steps_per_year / 4;
    for (si, s) in r.series.iter_mut().enumerate() {
        for (q, sk) in s.quarters.iter_mut().enumerate() {
            let mut fresh = aibubble::stats::Sketch::new();
            for p in 0..n {
                fresh.insert(r.stored[p * ns * per + si * per + q * stride]);
            }
            *sk = fresh;
        }
    }
}

/// Keep the full paths of the first `keep` paths only (`r` starts at path 0).
#[allow(dead_code)] // tests/v2_pins.rs only
pub fn keep_stored(r: &mut aibubble::Results, keep: u64) {
    let keep = keep.min(r.store_paths);
    r.stored.truncate(keep as usize * r.series.len() * (r.steps + 1));
    r.store_paths = keep;
}

/// Check the quantiles of the bounded series (shares, margins) of `r`,
/// which holds every full path, against the exact values and against
/// `old` (the same run with relative sketches): each within the bounded
/// sketch's accuracy of numpy's quantile, and within what the two
/// accuracies allow of the relative sketch's value, `alpha |x_r| + width +
/// (x_(r+1) - x_r)` with `x_r` the order statistic the relative sketch
/// approximates. Returns the largest `|new - old|`.
pub fn check_bounded_quantiles(r: &aibubble::Results, old: &aibubble::Results) -> f64 {
    use aibubble::stats::{SKETCH_ALPHA, SKETCH_WIDTH, quantile_sorted, sorted};
    let (per, ns, n) = (r.steps + 1, r.series.len(), r.stored_count());
    let stride = r.steps_per_year / 4;
    let mut largest: f64 = 0.0;
    for (si, s) in r.series.iter().enumerate() {
        if s.id.scale().range().is_none() {
            continue;
        }
        for (q, sk) in s.quarters.iter().enumerate() {
            let xs: Vec<f64> = (0..n).map(|p| r.stored[p * ns * per + si * per + q * stride]).collect();
            let xs = sorted(&xs);
            for p in aibubble::results::SERIES_QUANTILES {
                let (new, before) = (sk.quantile(p), old.series[si].quarters[q].quantile(p));
                let exact = quantile_sorted(&xs, p);
                let (lo, hi) = (
                    (p * (n - 1) as f64).floor() as usize,
                    ((p * (n - 1) as f64).floor() as usize + 1).min(n - 1),
                );
                assert!(
                    (new - exact).abs() <= SKETCH_WIDTH,
                    "{} q{q} p{p}: {new} vs exact {exact}",
                    s.id
                );
                let tol = SKETCH_ALPHA * xs[lo].abs() + SKETCH_WIDTH + (xs[hi] - xs[lo]);
                assert!(
                    (new - before).abs() <= tol,
                    "{} q{q} p{p}: {new} vs relative {before}",
                    s.id
                );
                largest = largest.max((new - before).abs());
            }
        }
    }
    largest
}
