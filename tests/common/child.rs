//! What the tests that signal a child `aibubble` share (`tests/output.rs`,
//! `tests/interrupt.rs`): the child's signal state, and polling.

use std::process::Command;
use std::time::{Duration, Instant};

/// The child starts with the default action of the signals the tests send
/// and none blocked, whatever this process has (`nohup` ignores SIGHUP, a
/// shell's background job SIGINT): the tests are of aibubble's handlers.
#[cfg(unix)]
pub fn default_signals(c: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    let reset = || -> std::io::Result<()> {
        // SAFETY: between fork and exec only async-signal-safe calls
        // (signal, sigemptyset, sigprocmask), on memory of this closure.
        unsafe {
            for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                if libc::signal(s, libc::SIG_DFL) == libc::SIG_ERR {
                    return Err(std::io::Error::last_os_error());
                }
            }
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            if libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    };
    // SAFETY: `reset` is async-signal-safe (see above).
    unsafe { c.pre_exec(reset) }
}

/// Poll `done` every few milliseconds until it holds; false after `limit`.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    done()
}
