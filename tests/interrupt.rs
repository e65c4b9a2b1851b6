#![cfg(all(feature = "cli", target_os = "linux"))]
//! Ctrl-C in the CLI during a run of one batch of long paths: the process
//! exits with 130 well within 0.5 s of the signal, even though the batch
//! would run for seconds more.
//!
//! The child gets the default disposition of SIGINT, SIGTERM and SIGHUP back
//! before it starts: a test run in the background (`nohup make test &`)
//! inherits SIGINT ignored. Today's CLI installs its handlers over an
//! ignored SIGINT (signal-hook replaces it), so this only keeps the test
//! independent of that choice (a CLI that kept an inherited SIG_IGN, as
//! `nohup` users may expect, would otherwise make the test hang).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/child.rs"]
mod child;
use child::{default_signals, wait_until};

/// Whether `pid` has a handler for SIGINT (bit 2 of SigCgt in /proc/PID/status).
fn handles_sigint(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
            .is_some_and(|m| m & (1 << (libc::SIGINT - 1)) != 0)
    })
}

fn start(args: &[&str]) -> Child {
    default_signals(Command::new(env!("CARGO_BIN_EXE_aibubble")).args(args))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

#[test]
fn ctrl_c_stops_a_run_inside_its_one_batch() {
    // 256 paths of 100 years at 364 steps a year: one batch (BATCH), about
    // 70 ms a path here (about 9 s on 2 threads).
    let args = [
        "run",
        "baseline",
        "--paths",
        "256",
        "--threads",
        "2",
        "--set",
        "horizon=100",
        "--set",
        "steps_per_year=364",
    ];
    let mut child = start(&args);
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(60), || handles_sigint(pid)),
        "no SIGINT handler"
    );
    // Well into the batch (validation and setup take milliseconds).
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "the run ended before the signal");
    let sent = Instant::now();
    // SAFETY: kill(2) with a valid signal number has no memory effects.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGINT) }, 0);
    let o = child.wait_with_output().unwrap();
    let latency = sent.elapsed();
    let err = String::from_utf8_lossy(&o.stderr);
    eprintln!("CLI: exit {:?} {latency:?} after SIGINT", o.status.code());
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted") && !err.contains("panicked"), "{err}");
    // Measured: a few ms. 0.5 s is the interactive target, far above it
    // even on a loaded machine; the batch would have run for seconds.
    assert!(latency < Duration::from_millis(500), "{latency:?}");
}
