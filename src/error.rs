//! The one error type of the crate. Every message names the field path and
//! the offending value, so a user can find the line to fix.

use std::borrow::Cow;
use std::fmt;

/// Whether a terminal could act on a character: a control character (C0,
/// DEL, C1) or a bidirectional override.
pub fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from input (a lab name, a key, a file name, a value quoted by a
/// parser) made safe for a terminal: control characters and the
/// bidirectional overrides are written as escapes (`\u{1b}`, `\n`, `\t`),
/// so that a scenario file cannot clear the screen or hide text. Every
/// message of [`Error`] passes its text through here; the CLI does the same
/// for what it prints from a scenario.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One problem found in a scenario: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// Field path in the grammar of docs/equations.md §10 (`labs.openai.mark`).
    pub path: String,
    /// What is wrong, including the value found (`must be >= 0, got -0.3`).
    pub message: String,
}

impl Problem {
    /// A problem at field path `path` (empty: the whole scenario).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", printable(&self.message))
        } else {
            write!(f, "{}: {}", printable(&self.path), printable(&self.message))
        }
    }
}

/// Every problem of a scenario, collected rather than stopping at the first.
/// The list is whole; its message shows the count and the first
/// [`MAX_PROBLEMS_SHOWN`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problems(pub Vec<Problem>);

/// The most problems a message lists: a file with 500,000 unknown keys
/// would otherwise give a message of a hundred megabytes.
pub const MAX_PROBLEMS_SHOWN: usize = 50;

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{} in scenario:", if n == 1 { "" } else { "s" })?;
        for p in self.0.iter().take(MAX_PROBLEMS_SHOWN) {
            write!(f, "\n  {p}")?;
        }
        if n > MAX_PROBLEMS_SHOWN {
            write!(
                f,
                "\n  ... and {} more (the first {MAX_PROBLEMS_SHOWN} of {n} are shown)",
                n - MAX_PROBLEMS_SHOWN
            )?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in aibubble.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scenario breaks rules of docs/equations.md §9 (all of them listed).
    #[error("{0}")]
    Scenario(Problems),
    /// A scenario document could not be parsed.
    #[error("cannot parse {}: {}", printable(.what), printable(.message))]
    Parse {
        /// What was being read (`TOML scenario presets/baseline.toml`).
        what: String,
        /// The parser's message, with the line and column where known.
        message: String,
    },
    /// A results file that cannot be read or does not hang together.
    #[error("unreadable results file: {}", printable(.message))]
    ResultsFile {
        /// What is wrong with it.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {}", printable(.path), printable(&.source.to_string()))]
    Io {
        /// The file or directory.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A run was asked for more than the engine allows (paths, memory).
    #[error("resource limit: {}", printable(.0))]
    ResourceLimit(String),
    /// A run produced a value the model cannot use: a state, flow or metric
    /// that is not finite (or a marked lab without revenue today, from an
    /// input table). Names the variable, the path and the step.
    #[error(
        "numerical failure on path {path} at step {step} (year {year:.2}): {} = {}: {}",
        printable(.variable),
        Num(*.value),
        printable(.reason)
    )]
    Numerical {
        /// The variable in the output grammar (`labs.openai.revenue`, `segments.consumer.quantity`, `gap`).
        variable: String,
        /// The path index.
        path: u64,
        /// The step `k` (state at `t_k`).
        step: usize,
        /// Calendar year of the step.
        year: f64,
        /// The value found.
        value: f64,
        /// Why it cannot be used.
        reason: String,
    },
    /// A results file written by a newer or unknown schema.
    #[error("results schema {found} is not supported (this build reads {supported})")]
    Schema {
        /// The file's `schema_version`.
        found: u32,
        /// The one version this build reads.
        supported: u32,
    },
    /// Run arguments that do not fit together (path range, merge of unrelated parts).
    #[error("invalid argument {}: {}", printable(.name), printable(.message))]
    Argument {
        /// The argument (`paths`, `path_range`, `threads`, `inputs`).
        name: String,
        /// What is wrong, with the value given.
        message: String,
    },
    /// An output directory that will not be replaced, because it holds
    /// files aibubble did not write or is not a directory at all (`found`
    /// says which: `holds files aibubble did not write (notes.txt)`,
    /// `is a regular file`).
    #[error("will not write results to {}: it {}", printable(.path), printable(.found))]
    OutputExists {
        /// The output directory asked for.
        path: String,
        /// What is there instead.
        found: String,
    },
    /// The run was cancelled through its token.
    #[error("cancelled after {done} of {total} paths")]
    Cancelled {
        /// Paths of the batches that finished before the cancellation.
        done: u64,
        /// Paths the run was asked for (its path range).
        total: u64,
    },
}

impl Error {
    /// A scenario error with a single problem.
    pub fn problem(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Scenario(Problems(vec![Problem::new(path, message)]))
    }

    /// A numerical failure of a run (see [`Error::Numerical`]).
    pub fn numerical(
        variable: impl Into<String>,
        path: u64,
        step: usize,
        year: f64,
        value: f64,
        reason: impl Into<String>,
    ) -> Self {
        Error::Numerical {
            variable: variable.into(),
            path,
            step,
            year,
            value,
            reason: reason.into(),
        }
    }

    /// An [`Error::Argument`]: argument `name` is wrong, as `message` says.
    pub fn argument(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Argument {
            name: name.into(),
            message: message.into(),
        }
    }

    /// The problems when this is a scenario error.
    pub fn problems(&self) -> Option<&[Problem]> {
        match self {
            Error::Scenario(p) => Some(&p.0),
            _ => None,
        }
    }
}

/// The crate's result type, with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A number as messages print it: the shortest form that reads back to the
/// same value, with an exponent when it is very large or very small
/// (`1e308`, `2.5e-7`, `0.12`, `830`), never hundreds of digits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        let a = x.abs();
        if x.is_finite() && x != 0.0 && !(1e-4..1e16).contains(&a) {
            write!(f, "{x:e}")
        } else {
            write!(f, "{x}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync() {
        fn assert<T: Send + Sync + 'static>() {}
        assert::<Error>();
    }

    #[test]
    fn numbers_print_short() {
        let show = |x: f64| Num(x).to_string();
        assert_eq!(show(1e308), "1e308");
        assert_eq!(show(-1e308), "-1e308");
        assert_eq!(show(2.5e-7), "2.5e-7");
        assert_eq!(show(0.12), "0.12");
        assert_eq!(show(830.0), "830");
        assert_eq!(show(0.0), "0");
        assert_eq!(show(f64::INFINITY), "inf");
        assert_eq!(show(f64::NAN), "NaN");
        assert_eq!(show(123456789012345.0), "123456789012345");
        assert_eq!(show(1.5e16), "1.5e16");
        for x in [1e308, 2.5e-7, 0.1 + 0.2, -3.25e-300, 5e-324] {
            assert_eq!(show(x).parse::<f64>().unwrap(), x);
        }
    }

    #[test]
    fn every_message_escapes_control_characters() {
        let bad = "x\u{1b}[2J\u{9b}\u{202e}\n\t";
        assert_eq!(printable(bad), "x\\u{1b}[2J\\u{9b}\\u{202e}\\n\\t");
        assert!(matches!(printable("plain ünïcode"), Cow::Borrowed(_)));
        let io = || std::io::Error::other(bad);
        for e in [
            Error::problem(bad, bad),
            Error::Parse {
                what: bad.into(),
                message: bad.into(),
            },
            Error::ResultsFile { message: bad.into() },
            Error::Io {
                path: bad.into(),
                source: io(),
            },
            Error::ResourceLimit(bad.into()),
            Error::numerical(bad, 1, 2, 2026.0, 1.0, bad),
            Error::argument(bad, bad),
            Error::OutputExists {
                path: bad.into(),
                found: bad.into(),
            },
        ] {
            let m = e.to_string();
            // The only raw newline is the one between the problems' header and list.
            let lines = m.split('\n').count();
            assert!(lines <= 2, "{m:?}");
            assert!(!m.chars().any(|c| c.is_control() && c != '\n'), "{m:?}");
            assert!(m.contains("\\u{1b}[2J"), "{m:?}");
        }
    }

    #[test]
    fn a_long_list_of_problems_is_cut_in_the_message_only() {
        let n = 500_000;
        let e = Error::Scenario(Problems(
            (0..n)
                .map(|i| Problem::new(format!("gap.k{i}"), "unknown field"))
                .collect(),
        ));
        let m = e.to_string();
        assert!(m.len() < 5_000, "{} bytes", m.len());
        assert!(m.starts_with("500000 problems in scenario:"), "{m}");
        assert!(m.contains("gap.k49: unknown field") && !m.contains("gap.k50:"), "{m}");
        assert!(
            m.ends_with("... and 499950 more (the first 50 of 500000 are shown)"),
            "{m}"
        );
        assert_eq!(e.problems().map(<[Problem]>::len), Some(n), "the list stays whole");
        // At the cap nothing is cut.
        let e = Error::Scenario(Problems(vec![Problem::new("a", "b"); MAX_PROBLEMS_SHOWN]));
        assert!(!e.to_string().contains("more"));
    }

    #[test]
    fn problems_list_every_path() {
        let e = Error::Scenario(Problems(vec![
            Problem::new("gap.half_life", "must be > 0, got 0"),
            Problem::new("labs.openai.mark", "must be > 0, got -1"),
        ]));
        let s = e.to_string();
        assert!(s.starts_with("2 problems"));
        assert!(s.contains("gap.half_life: must be > 0, got 0"));
        assert!(s.contains("labs.openai.mark: must be > 0, got -1"));
    }
}
