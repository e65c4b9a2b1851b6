#![cfg(all(feature = "cli", target_os = "linux"))]
//! The memory estimate against the measured peak of real runs: the CLI on
//! `baseline` with 2 threads, its peak resident memory read from the kernel
//! when the child is reaped (`wait4`). The estimate covers the run; the
//! process's own base (binary, libraries) is measured on `aibubble show`.

use std::process::{Command, Stdio};

use aibubble::{Scenario, Simulation};

/// Peak resident memory of `aibubble ARGS`, in bytes.
// The child is reaped by `wait4`, which also reports its peak memory.
#[allow(clippy::zombie_processes)]
fn peak_rss(args: &[&str]) -> u64 {
    let child = Command::new(env!("CARGO_BIN_EXE_aibubble"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
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

fn estimate(paths: u64) -> u64 {
    let s = Scenario::preset("baseline").unwrap();
    Simulation::new(&s)
        .unwrap()
        .paths(paths)
        .threads(2)
        .memory_estimate()
        .total()
}

#[test]
fn the_estimate_is_within_a_quarter_of_the_measured_peak() {
    let run = |n: u64| peak_rss(&["run", "baseline", "--paths", &n.to_string(), "--threads", "2", "--json"]);
    let base = peak_rss(&["show", "baseline"]);
    for n in [10_000, 100_000] {
        let peak = run(n);
        let est = estimate(n) + base;
        let err = (est as f64 - peak as f64) / peak as f64;
        eprintln!("{n} paths: estimate {est} bytes (base {base}), measured peak {peak}, error {err:+.3}");
        assert!(err.abs() <= 0.25, "{n} paths: estimate {est}, peak {peak} ({err:+.3})");
    }
}
