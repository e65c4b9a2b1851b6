//! The run options every simulating command shares (`--paths`, `--seed`,
//! `--threads`, `--max-memory`, `--json`), declared once and flattened into
//! each command's arguments; a command gives `--paths` its own default and
//! help with [`paths`].

use clap::{Arg, Args};

use super::parse_memory;
use super::progress::Progress;
use crate::analysis::Runs;
use crate::{CancelToken, Error};

/// Seed, threads, memory limit and `--json`: every command that simulates.
#[derive(Args)]
pub(super) struct RunOptions {
    #[arg(long, default_value_t = 42)]
    pub(super) seed: u64,
    /// Worker threads (default: all cores; at most the available cores).
    #[arg(long)]
    pub(super) threads: Option<usize>,
    /// Refuse a run that would need more memory than this (e.g. 8G, 512M).
    /// Default: AIBUBBLE_MAX_MEMORY if set; the memory available on the
    /// machine always limits the run.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub(super) max_memory: Option<u64>,
    /// Print the whole result as JSON.
    #[arg(long)]
    pub(super) json: bool,
}

/// [`RunOptions`] with `--paths`: every analysis command. Its default and
/// help are the command's (`#[command(mut_arg("paths", paths(...)))]`).
#[derive(Args)]
pub(super) struct AnalysisOptions {
    #[arg(long)]
    pub(super) paths: u64,
    #[command(flatten)]
    pub(super) run: RunOptions,
}

/// `--paths` with a command's default and help.
pub(super) fn paths(default: &'static str, help: &'static str) -> impl FnOnce(Arg) -> Arg {
    move |a| a.required(false).default_value(default).help(help)
}

impl AnalysisOptions {
    /// `analysis` on the runs of these options, cancelled by `cancel`, with
    /// a progress line titled `title` (`sweep ft_bubble`) on a terminal,
    /// cleared before the result is printed.
    pub(super) fn observed<T>(
        &self,
        title: &str,
        cancel: &CancelToken,
        analysis: impl FnOnce(Runs) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let progress = Progress::for_stderr(self.run.json, title);
        let runs = Runs {
            paths: self.paths,
            seed: self.run.seed,
            threads: self.run.threads,
            max_memory: self.run.max_memory,
            cancel: Some(cancel.clone()),
            observer: progress.as_ref().map(Progress::watch),
            executor: None,
            keep_years: false,
        };
        analysis(runs)
    }
}
