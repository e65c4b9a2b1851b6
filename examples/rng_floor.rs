//! The engine's RNG floor: the time the engine's random numbers alone cost,
//! per path-step. Each path draws from the engine's own sub-streams
//! (`aibubble::internals::rng::stream`, Xoshiro256++) with the engine's normal sampler
//! (`rand_distr::StandardNormal`) and uniform, the same number of each per
//! path-step as the engine (benches/compare.py counts them for a scenario),
//! written into a buffer. One thread. Prints one line: wall and CPU ns per
//! path-step, and the peak resident memory in MiB.
//!
//! `cargo run --release --example rng_floor -- PATHS STEPS NORMALS_PER_STEP UNIFORMS_PER_STEP`
//! (defaults 20000 120 14 2: baseline's 4 process normals and 10 lab normals,
//! and its two hazard events' uniforms, without the jumps)

use std::hint::black_box;
use std::time::Instant;

use aibubble::internals::rng::{component_key, stream};
use rand::RngExt;
use rand_distr::StandardNormal;

fn arg<T: std::str::FromStr>(i: usize, default: T) -> T {
    std::env::args().nth(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

/// Peak resident memory of this process (VmHWM), in MiB.
fn peak_mib() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time of this process (user + system), in seconds.
fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the 14th, stime the 15th.
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // In clock ticks of 1/100 s (USER_HZ on Linux).
    (tick(11) + tick(12)) / 100.0
}

fn main() {
    let paths: u64 = arg(1, 20_000);
    let steps: usize = arg(2, 120);
    let normals: f64 = arg(3, 14.0);
    let uniforms: f64 = arg(4, 2.0);
    // A fractional count (the expected jump normals) is met over the path.
    let n_normals = (normals * steps as f64).round() as usize;
    let n_uniforms = (uniforms * steps as f64).round() as usize;
    let mut buf = vec![0.0f64; n_normals + n_uniforms];
    let key = component_key("gap");
    let (wall, cpu) = (Instant::now(), cpu_seconds());
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
    let per = 1e9 / (paths as f64 * steps as f64);
    let (wall_ns, cpu_ns) = (wall.elapsed().as_secs_f64() * per, (cpu_seconds() - cpu) * per);
    println!("{wall_ns:.3} {cpu_ns:.3} {:.1}", peak_mib());
}
