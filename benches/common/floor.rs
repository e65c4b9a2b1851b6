//! The engine's RNG floor, shared by `examples/rng_floor.rs` and
//! `benches/engine.rs`: the random numbers a path draws, alone. Each path
//! draws from one of the engine's sub-streams (`rng::stream`, Xoshiro256++)
//! with the engine's normal sampler (`rand_distr::StandardNormal`) and
//! uniform, `normals` and `uniforms` per step (fractional counts, the
//! expected jump normals and Poisson uniforms, are met over the path),
//! written into a buffer.

use std::hint::black_box;

use aibubble::internals::rng::{component_key, stream};
use rand::RngExt;
use rand_distr::StandardNormal;

/// Draws per path-step of a scenario (docs/equations.md §0), counted as
/// `benches/compare.py` counts them from the mean rates.
#[derive(Clone, Copy, Debug)]
pub struct Draws {
    pub normals: f64,
    pub uniforms: f64,
}

/// Draw `paths` paths of `steps` steps; `buf` is reused across calls.
pub fn run(paths: u64, steps: usize, draws: Draws, buf: &mut Vec<f64>) {
    let n_normals = (draws.normals * steps as f64).round() as usize;
    let n_uniforms = (draws.uniforms * steps as f64).round() as usize;
    buf.resize(n_normals + n_uniforms, 0.0);
    let key = component_key("gap");
    for p in 0..paths {
        let mut rng = stream(1, p, key);
        let (zs, us) = buf.split_at_mut(n_normals);
        for x in zs.iter_mut() {
            *x = rng.sample(StandardNormal);
        }
        for x in us.iter_mut() {
            *x = rng.random();
        }
        black_box(&buf);
    }
}
