//! The engine in time per path-step on `baseline`, against the RNG floor:
//! the same generator and normal sampler drawing the same number of normals
//! per path-step into a buffer. Both report throughput in path-steps, so
//! criterion's "thrpt" lines give the ratio directly.
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

criterion_group!(benches, engine);
criterion_main!(benches);
