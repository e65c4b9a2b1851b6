#![cfg(all(feature = "cli", target_os = "linux"))]
//! The memory estimate against the measured peak of real runs, over a grid
//! of horizons, path counts, lab counts and stored paths, with 2 threads.
//! Each run is a child process whose peak resident memory is read from the
//! kernel when it is reaped (`wait4`); the estimate covers the run, and the
//! process's own base (binary, libraries) is measured on a child that does
//! no run. Runs are the CLI on `baseline` (horizons and path counts), or
//! this test binary re-run as a child (`child_run`) for what the CLI has no
//! flag for: stored paths and fewer labs.
//!
//! The grid here takes seconds a point; `bigger_grid` (ignored: minutes,
//! `cargo test --test memory -- --ignored bigger_grid --nocapture`) adds
//! 20,000 paths at 50 and 100 years and 100,000 at 10.

use std::process::{Command, Stdio};

use aibubble::{Scenario, Simulation};

/// The error allowed between the estimate and the measured peak.
const TOLERANCE: f64 = 0.25;

/// Peak resident memory of `cmd`, in bytes.
// The child is reaped by `wait4`, which also reports its peak memory.
#[allow(clippy::zombie_processes)]
fn peak_rss(cmd: &mut Command) -> u64 {
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet reaped; status and usage are valid pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "run failed: {status}"
    );
    usage.ru_maxrss as u64 * 1024
}

/// One point of the grid.
#[derive(Clone, Copy, Debug)]
struct Point {
    horizon: f64,
    paths: u64,
    /// Keep the first this many labs of `baseline` (0: all).
    labs: usize,
    store_paths: u64,
}

impl Point {
    const fn cli(horizon: f64, paths: u64) -> Self {
        Point {
            horizon,
            paths,
            labs: 0,
            store_paths: 0,
        }
    }
    /// Whether the CLI can run it (it has no flag for the others).
    fn by_cli(&self) -> bool {
        self.labs == 0 && self.store_paths == 0
    }
    fn encode(&self) -> String {
        format!("{},{},{},{}", self.horizon, self.paths, self.labs, self.store_paths)
    }
    fn decode(text: &str) -> Self {
        let f: Vec<&str> = text.split(',').collect();
        Point {
            horizon: f[0].parse().unwrap(),
            paths: f[1].parse().unwrap(),
            labs: f[2].parse().unwrap(),
            store_paths: f[3].parse().unwrap(),
        }
    }
}

/// `baseline` at the point's horizon, with its first `labs` labs (the
/// citations of the others dropped).
fn scenario(p: &Point) -> Scenario {
    let mut s = Scenario::preset("baseline").unwrap();
    s.horizon = Some(p.horizon);
    if p.labs > 0 {
        s.labs.truncate(p.labs);
        let kept: Vec<String> = s.labs.iter().map(|l| format!("labs.{}.", l.id)).collect();
        s.sources
            .retain(|k, _| !k.starts_with("labs.") || kept.iter().any(|l| k.starts_with(l)));
    }
    Scenario::from_value(s.to_value()).unwrap()
}

fn simulation(p: &Point, s: &Scenario) -> Simulation<'static> {
    Simulation::new(s)
        .unwrap()
        .paths(p.paths)
        .seed(42)
        .threads(2)
        .store_paths(p.store_paths)
}

const CHILD: &str = "AIBUBBLE_MEMORY_CHILD";

/// The run of a point in a child process (does nothing unless called by `measure`).
#[test]
#[ignore = "a child of the memory tests"]
fn child_run() {
    let Ok(spec) = std::env::var(CHILD) else { return };
    if spec == "base" {
        let _ = scenario(&Point::cli(10.0, 1));
        return;
    }
    let p = Point::decode(&spec);
    let s = scenario(&p);
    // As the CLI: run, then summarise.
    let r = simulation(&p, &s).run().unwrap();
    assert!(!r.summary().to_json().is_empty());
}

/// Estimate and measured peak of a point, in bytes.
fn measure(p: &Point) -> (u64, u64) {
    let est = simulation(p, &scenario(p)).memory_estimate().total();
    let (base, peak) = if p.by_cli() {
        let cli = || Command::new(env!("CARGO_BIN_EXE_aibubble"));
        let base = peak_rss(cli().args(["show", "baseline"]));
        let (h, n) = (p.horizon.to_string(), p.paths.to_string());
        let args = [
            "run",
            "baseline",
            "--paths",
            &n,
            "--threads",
            "2",
            "--set",
            &format!("horizon={h}"),
            "--json",
        ];
        (base, peak_rss(cli().args(args)))
    } else {
        let child = |spec: String| {
            let mut c = Command::new(std::env::current_exe().unwrap());
            c.args(["child_run", "--exact", "--ignored", "--test-threads=1"])
                .env(CHILD, spec);
            c
        };
        (peak_rss(&mut child("base".into())), peak_rss(&mut child(p.encode())))
    };
    (est + base, peak)
}

fn check(points: &[Point]) {
    let mut failures = Vec::new();
    for p in points {
        let (est, peak) = measure(p);
        let err = (est as f64 - peak as f64) / peak as f64;
        let mib = |b: u64| b as f64 / (1 << 20) as f64;
        eprintln!(
            "horizon {:>3} paths {:>6} labs {:>2} stored {:>4} ({}): estimate {:7.1} MiB, peak {:7.1} MiB, {:+.1}%",
            p.horizon,
            p.paths,
            if p.labs == 0 { 13 } else { p.labs },
            p.store_paths,
            if p.by_cli() { "cli" } else { "lib" },
            mib(est),
            mib(peak),
            100.0 * err
        );
        if err.abs() > TOLERANCE {
            failures.push(format!("{p:?}: estimate {est}, peak {peak} ({err:+.3})"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_estimate_is_within_a_quarter_of_the_measured_peak() {
    check(&[
        Point::cli(10.0, 10_000),
        Point::cli(50.0, 2_000),
        Point::cli(100.0, 2_000),
        Point {
            horizon: 100.0,
            paths: 1_000,
            labs: 4,
            store_paths: 0,
        },
        Point {
            horizon: 50.0,
            paths: 1_000,
            labs: 0,
            store_paths: 300,
        },
    ]);
}

#[test]
#[ignore = "minutes: the grid at 20,000 and 100,000 paths"]
fn bigger_grid() {
    check(&[
        Point::cli(10.0, 100_000),
        Point::cli(50.0, 20_000),
        Point::cli(100.0, 20_000),
        Point {
            horizon: 100.0,
            paths: 20_000,
            labs: 4,
            store_paths: 1_000,
        },
    ]);
}
