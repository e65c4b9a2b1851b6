//! The progress line on stderr: for `aibubble run`, paths done of the
//! total, percent, elapsed time and an estimate of the time left; for the
//! analysis commands, which run of how many and its paths
//! (`sweep ft_bubble: value 3/7 · 45% of 10,000 paths`). Shown only when
//! stderr is a terminal and the output is not `--json`; redrawn at most
//! [`EVERY`] apart from the engine's [`Observer`] (or the analysis layer's
//! [`RunObserver`]), and cleared at the end.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::Observer;
use crate::analysis::{RunObserver, Watch};

/// The shortest time between two redraws.
const EVERY: Duration = Duration::from_millis(250);

/// Whether a progress line is on the terminal now, so that a signal's
/// message can clear it first (see [`clear`]).
static SHOWN: AtomicBool = AtomicBool::new(false);

/// Carriage return and "erase the line": the cursor back at column 0 of a
/// blank line.
const CLEAR: &str = "\r\x1b[2K";

/// Draws the progress line; dropping it clears the line.
pub(super) struct Progress {
    line: Arc<Line>,
}

/// The line itself, shared with the analysis layer's runs.
struct Line {
    /// What the analysis is (`sweep ft_bubble`); empty for `aibubble run`.
    title: String,
    state: Mutex<State>,
}

struct State {
    /// When the current run started (as far as this line knows).
    start: Instant,
    /// When the line was last drawn (None: never).
    drawn: Option<Instant>,
    /// The paths done at the last report: fewer now means a new run
    /// (`--net` runs two), whose clock starts again.
    done: u64,
    /// Where the line goes: stderr, or a test's buffer.
    sink: Box<dyn Write + Send>,
    /// Whether `sink` is stderr (so that [`clear`] knows of the line).
    stderr: bool,
}

impl Progress {
    /// A progress line for `aibubble run` (`title` empty) or an analysis
    /// (`title`: `sweep ft_bubble`), or None when stderr is not a terminal
    /// or the output is machine-read (`--json`).
    pub(super) fn for_stderr(json: bool, title: &str) -> Option<Self> {
        (!json && io::stderr().is_terminal()).then(|| Progress::to(Box::new(io::stderr()), true, title))
    }

    /// A progress line drawn on `sink` (`stderr`: whether that is stderr).
    fn to(sink: Box<dyn Write + Send>, stderr: bool, title: &str) -> Self {
        Progress {
            line: Arc::new(Line {
                title: crate::error::printable(title).into_owned(),
                state: Mutex::new(State {
                    start: Instant::now(),
                    drawn: None,
                    done: 0,
                    sink,
                    stderr,
                }),
            }),
        }
    }

    /// The line as the analysis layer's observer of its runs.
    pub(super) fn watch(&self) -> Watch {
        Watch(self.line.clone())
    }
}

impl Line {
    /// Draw the line `text` gives, unless it was drawn less than [`EVERY`] ago.
    fn draw(&self, done: u64, text: impl FnOnce(Duration) -> String) {
        // Worker threads call this at every batch: one draws, the others
        // skip rather than wait.
        let Ok(mut state) = self.state.try_lock() else {
            return;
        };
        let now = Instant::now();
        if done < state.done {
            state.start = now;
        }
        state.done = done;
        if state.drawn.is_some_and(|t| now.duration_since(t) < EVERY) {
            return;
        }
        state.drawn = Some(now);
        let line = text(now.duration_since(state.start));
        let _ = write!(state.sink, "{CLEAR}{line}");
        let _ = state.sink.flush();
        if state.stderr {
            SHOWN.store(true, Ordering::Relaxed);
        }
    }
}

impl Observer for Progress {
    fn progress(&self, done: u64, total: u64) {
        self.line.draw(done, |elapsed| format_line(done, total, elapsed));
    }
}

impl RunObserver for Line {
    fn progress(&self, what: &str, done: u64, total: u64) {
        self.draw(done, |_| analysis_line(&self.title, what, done, total));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        clear();
    }
}

/// Clear the progress line if one is shown (before an error or a signal's
/// message, and at the end of a run).
pub(super) fn clear() {
    if SHOWN.swap(false, Ordering::Relaxed) {
        let _ = write!(io::stderr(), "{CLEAR}");
    }
}

/// `sweep ft_bubble: value 3/7 · 45% of 10,000 paths`: the analysis, its
/// run (`what`, printable as the analysis layer names it) and the run's paths.
pub(super) fn analysis_line(title: &str, what: &str, done: u64, total: u64) -> String {
    let pct = if total == 0 {
        100.0
    } else {
        100.0 * done as f64 / total as f64
    };
    format!(
        "{title}: {} · {pct:.0}% of {} paths",
        crate::error::printable(what),
        grouped(total)
    )
}

/// `12,288/100,000 paths  12.3%  elapsed 0:04  left 0:29`: the time left
/// assumes the pace so far, and is `?` until there is a pace to go on.
pub(super) fn format_line(done: u64, total: u64, elapsed: Duration) -> String {
    let pct = if total == 0 {
        100.0
    } else {
        100.0 * done as f64 / total as f64
    };
    let secs = elapsed.as_secs_f64();
    // Nothing to go on before the first path, or at the instant a run's
    // clock starts again.
    let left = if done == 0 || total < done || elapsed.is_zero() {
        "?".to_string()
    } else {
        clock(secs * (total - done) as f64 / done as f64)
    };
    format!(
        "{}/{} paths  {pct:.1}%  elapsed {}  left {left}",
        grouped(done),
        grouped(total),
        clock(secs)
    )
}

/// Seconds as `m:ss`, or `h:mm:ss` from an hour.
fn clock(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_done_total_percent_elapsed_and_time_left() {
        let line = format_line(25_000, 100_000, Duration::from_secs(10));
        assert_eq!(line, "25,000/100,000 paths  25.0%  elapsed 0:10  left 0:30");
    }

    #[test]
    fn the_time_left_is_unknown_before_the_first_path() {
        let line = format_line(0, 1_000, Duration::from_millis(300));
        assert_eq!(line, "0/1,000 paths  0.0%  elapsed 0:00  left ?");
        let line = format_line(256, 1_000, Duration::ZERO);
        assert_eq!(line, "256/1,000 paths  25.6%  elapsed 0:00  left ?");
    }

    #[test]
    fn long_runs_show_hours_and_a_finished_run_nothing_left() {
        assert_eq!(
            format_line(1_000_000, 1_000_000, Duration::from_secs(3725)),
            "1,000,000/1,000,000 paths  100.0%  elapsed 1:02:05  left 0:00"
        );
    }

    #[test]
    fn an_analysis_line_names_the_analysis_its_run_and_the_paths() {
        assert_eq!(
            analysis_line("sweep ft_bubble", "value 3/7", 4_500, 10_000),
            "sweep ft_bubble: value 3/7 · 45% of 10,000 paths"
        );
        // A name from the command line reaches the terminal escaped.
        assert_eq!(analysis_line("t", "run\x1b", 1, 1), "t: run\\u{1b} · 100% of 1 paths");
    }

    /// A buffer the test keeps a handle on.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The line an analysis draws, through the analysis layer's observer.
    #[test]
    fn a_sweep_draws_its_run_and_paths() {
        let buf = Shared::default();
        let progress = Progress::to(Box::new(buf.clone()), false, "sweep frozen");
        let scenario = crate::Scenario::preset("baseline").unwrap();
        let mut runs = crate::analysis::Runs::new(256, 1);
        runs.observer = Some(progress.watch());
        crate::analysis::sweep::sweep(&scenario, "valuation.discount_rate", &[0.1, 0.12], &runs, false).unwrap();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        // Drawn at the first batch; the next redraw waits EVERY.
        assert!(
            text.starts_with("\r\x1b[2Ksweep frozen: value 1/2 · ") && text.contains("% of 256 paths"),
            "{text:?}"
        );
        assert!(
            !SHOWN.load(Ordering::Relaxed),
            "a line not on stderr is not for clear() to erase"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(12_345_678), "12,345,678");
    }
}
