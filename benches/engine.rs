//! The engine in time per path-step on `baseline`, against its RNG floor:
//! the same random numbers the engine draws per path-step (process and lab
//! normals, the expected jump normals, hazard uniforms and the Poisson
//! counts' uniforms) from the engine's own sub-streams and samplers, into a
//! buffer (`benches/common/floor.rs`, the loop `examples/rng_floor.rs` and
//! `benches/compare.py` measure). Both report throughput in path-steps, so
//! criterion's "thrpt" lines give the ratio directly.
//!
//! The sketches' insert (issue 16): the relative bucket index by `ln` and a
//! division (before) and by the exponent, a table and a polynomial (now),
//! and `Sketch::insert` of both scales, per value.
//!
//! `cargo bench --bench engine`

use aibubble::{Scenario, Simulation, Uncertain};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "common/floor.rs"]
mod floor;

const PATHS: u64 = 2_000;

/// Draws per path-step, counted as `benches/compare.py` counts them. The
/// jump rates must be fixed (as `baseline`'s are); a drawn jump size counts
/// as positive (`baseline`'s bounds are).
fn draws(s: &Scenario) -> floor::Draws {
    let dt = 1.0 / f64::from(s.steps_per_year);
    let labs = s.labs.len() as f64;
    // Absent inputs take their default, 0.
    let rate = |u: &Option<Uncertain>| u.as_ref().map_or(0.0, |u| u.fixed_value().expect("a fixed jump rate"));
    let positive = |u: &Option<Uncertain>| u.as_ref().is_some_and(|u| u.fixed_value().is_none_or(|v| v > 0.0));
    let (g, a) = (&s.gap, &s.attractiveness);
    let gap_jumps = rate(&g.release_rate) > 0.0 && positive(&g.jump_mean);
    let lab_jumps = rate(&a.jump_rate) > 0.0 && positive(&a.jump_sd);
    let (mean_r, mean_a) = (rate(&g.release_rate) * dt, rate(&a.jump_rate) * dt);
    let hazards = s.events.iter().filter(|e| e.date.is_none()).count() as f64;
    let mut normals = 4.0 + labs;
    // Knuth's Poisson sampler draws one uniform more than the count.
    let mut uniforms = hazards;
    if gap_jumps {
        normals += if positive(&g.jump_sd) { mean_r } else { 0.0 };
        uniforms += 1.0 + mean_r;
    }
    if lab_jumps {
        normals += labs * mean_a;
        uniforms += labs * (1.0 + mean_a);
    }
    floor::Draws { normals, uniforms }
}

fn engine(c: &mut Criterion) {
    let s = Scenario::preset("baseline").expect("baseline");
    let steps = s.steps();
    let mut g = c.benchmark_group("baseline");
    g.throughput(Throughput::Elements(PATHS * steps as u64));
    g.sample_size(10);
    g.bench_function("engine, 1 thread", |b| {
        b.iter(|| {
            Simulation::new(&s)
                .expect("valid")
                .paths(PATHS)
                .seed(42)
                .threads(1)
                .run()
                .expect("runs")
        })
    });
    let d = draws(&s);
    g.bench_function("rng floor, 1 thread", |b| {
        let mut buf = Vec::new();
        b.iter(|| floor::run(PATHS, steps, d, &mut buf))
    });
    g.finish();
}

/// Values as the series give them: magnitudes from 1e-3 to 1e4 (relative),
/// shares around 0.9 (bounded).
fn sketch(c: &mut Criterion) {
    use aibubble::internals::sketch::{exact_index, relative_index};
    use aibubble::stats::{Scale, Sketch};
    use rand::{RngExt, SeedableRng};
    use rand_distr::StandardNormal;
    use rand_xoshiro::Xoshiro256PlusPlus;
    const N: usize = 100_000;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let levels: Vec<f64> = (0..N).map(|_| 10f64.powf(rng.random_range(-3.0..4.0))).collect();
    let shares: Vec<f64> = (0..N)
        .map(|_| 0.9 + 0.05 * rng.sample::<f64, _>(StandardNormal))
        .collect();
    let mut g = c.benchmark_group("sketch");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("bucket index, ln (before)", |b| {
        b.iter(|| levels.iter().map(|x| exact_index(*x)).fold(0i32, i32::wrapping_add))
    });
    g.bench_function("bucket index, table (now)", |b| {
        b.iter(|| levels.iter().map(|x| relative_index(*x)).fold(0i32, i32::wrapping_add))
    });
    g.bench_function("insert, relative", |b| {
        b.iter(|| {
            let mut sk = Sketch::new();
            levels.iter().for_each(|x| sk.insert(*x));
            sk
        })
    });
    g.bench_function("insert, share", |b| {
        b.iter(|| {
            let mut sk = Sketch::with_scale(Scale::SHARE);
            shares.iter().for_each(|x| sk.insert(*x));
            sk
        })
    });
    g.finish();
}

criterion_group!(benches, engine, sketch);
criterion_main!(benches);
