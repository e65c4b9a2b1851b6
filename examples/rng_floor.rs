//! The engine's RNG floor: the time the engine's random numbers alone cost,
//! per path-step. Each path draws from the engine's own sub-streams
//! (`aibubble::internals::rng::stream`, Xoshiro256++) with the engine's normal sampler
//! (`rand_distr::StandardNormal`) and uniform, the same number of each per
//! path-step as the engine (benches/compare.py counts them for a scenario:
//! process and lab normals, the expected jump normals, hazard uniforms and
//! the Poisson counts' uniforms), written into a buffer; the loop is
//! `benches/common/floor.rs`, which `benches/engine.rs` runs too. One
//! thread. Prints one line: wall and CPU ns per path-step, and the peak
//! resident memory in MiB.
//!
//! `cargo run --release --example rng_floor -- PATHS STEPS NORMALS_PER_STEP UNIFORMS_PER_STEP`
//! (defaults 20000 120 17.75 16.75: baseline's 4 process normals, 10 lab
//! normals and its expected jump normals, 6 x 1/12 gap and 10 x 3.9/12 lab;
//! its two hazard events' uniforms and the 11 Poisson counts' 1 + mean
//! uniforms each)

use std::time::Instant;

#[path = "../benches/common/floor.rs"]
mod floor;

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
    let normals: f64 = arg(3, 17.75);
    let uniforms: f64 = arg(4, 16.75);
    let mut buf = Vec::new();
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    floor::run(paths, steps, floor::Draws { normals, uniforms }, &mut buf);
    let per = 1e9 / (paths as f64 * steps as f64);
    let (wall_ns, cpu_ns) = (wall.elapsed().as_secs_f64() * per, (cpu_seconds() - cpu) * per);
    println!("{wall_ns:.3} {cpu_ns:.3} {:.1}", peak_mib());
}
