//! The engine in time per path-step on `baseline`, against the RNG floor:
//! the same generator and normal sampler drawing the same number of normals
//! per path-step into a buffer. Both report throughput in path-steps, so
//! criterion's "thrpt" lines give the ratio directly.
//!
//! The sketches' insert (issue 16): the relative bucket index by `ln` and a
//! division (before) and by the exponent, a table and a polynomial (now),
//! and `Sketch::insert` of both scales, per value.
//!
//! `cargo bench --bench engine`

use std::hint::black_box;

use aibubble::{Scenario, Simulation};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

const PATHS: u64 = 2_000;

fn engine(c: &mut Criterion) {
    let s = Scenario::preset("baseline").expect("baseline");
    let steps = s.steps() as u64;
    // Normals per path-step: gap, closed price, ratio, demand, one per lab.
    let normals_per_step = 4 + s.labs.len();
    let mut g = c.benchmark_group("baseline");
    g.throughput(Throughput::Elements(PATHS * steps));
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
    g.bench_function("rng floor, 1 thread", |b| {
        let mut buf = vec![0.0f64; normals_per_step * steps as usize];
        b.iter(|| {
            for p in 0..PATHS {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(p);
                for x in buf.iter_mut() {
                    *x = rng.sample(StandardNormal);
                }
                black_box(&buf);
            }
        })
    });
    g.finish();
}

/// Values as the series give them: magnitudes from 1e-3 to 1e4 (relative),
/// shares around 0.9 (bounded).
fn sketch(c: &mut Criterion) {
    use aibubble::internals::sketch::{exact_index, relative_index};
    use aibubble::stats::{Scale, Sketch};
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
