//! The signals that end the command line: SIGINT (Ctrl-C), SIGTERM and
//! SIGHUP stop the run, remove the temporary directory of an output being
//! written, and exit with 128 + the signal's number.

use std::io;

use super::report;
use crate::CancelToken;

/// The run that a signal cancels: the one of the latest [`main`] (the
/// handler is installed once per process).
static SIGNALLED: std::sync::Mutex<Option<CancelToken>> = std::sync::Mutex::new(None);

/// On a signal that ends the process: stop the run, remove the temporary
/// directory of an output being written (a replaced output stays as it
/// was), and exit with 128 + the signal's number.
fn on_signal(signo: i32, name: &str) -> ! {
    if let Some(cancel) = SIGNALLED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
    {
        cancel.cancel();
    }
    crate::internals::output::abandon_writes();
    super::progress::clear();
    report(name);
    std::process::exit(128 + signo);
}

/// Handle SIGINT, SIGTERM and SIGHUP (Ctrl-C only, elsewhere) through
/// [`on_signal`], from a thread of their own.
pub(super) fn on_signals(cancel: &CancelToken) {
    *SIGNALLED.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(cancel.clone());
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // Without the handlers a signal still ends the process; only a
        // temporary directory may stay behind, for the next run to remove.
        if let Err(e) = install_signal_handlers() {
            report(&format!("warning: cannot handle signals: {e}"));
        }
    });
}

#[cfg(unix)]
fn install_signal_handlers() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("aibubble-signals".into())
        .spawn(move || {
            if let Some(signo) = signals.forever().next() {
                let name = match signo {
                    SIGTERM => "terminated",
                    SIGHUP => "hung up",
                    _ => "interrupted",
                };
                on_signal(signo, name);
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
fn install_signal_handlers() -> io::Result<()> {
    ctrlc::set_handler(|| on_signal(2, "interrupted")).map_err(io::Error::other)
}
