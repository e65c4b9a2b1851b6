//! `aibubble compare` and `aibubble channels`: the analysis layer's tools
//! (`crate::analysis`) on the command line.

use std::io::Write;

use clap::Args;

use super::{Failure, load, parse_memory, print_json};
use crate::analysis::Base;
use crate::analysis::Runs;
use crate::analysis::channels::{CHANNELS, ChannelBase};
use crate::error::printable;
use crate::{CancelToken, Error};

/// The settings every run of an analysis shares.
#[derive(Args)]
pub(super) struct RunOptions {
    /// Paths of every run (every run shares its random numbers: same seed, same paths).
    #[arg(long, default_value_t = 20_000)]
    paths: u64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Worker threads (default: all cores; at most the available cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Refuse a run that would need more memory than this (e.g. 8G, 512M).
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    max_memory: Option<u64>,
    /// Print the whole result as JSON.
    #[arg(long)]
    json: bool,
}

impl RunOptions {
    fn runs(&self, cancel: &CancelToken) -> Runs {
        Runs {
            paths: self.paths,
            seed: self.seed,
            threads: self.threads,
            max_memory: self.max_memory,
            cancel: Some(cancel.clone()),
            executor: None,
        }
    }
}

#[derive(Args)]
pub(super) struct CompareArgs {
    /// Presets or .toml/.json scenario files.
    #[arg(required = true, num_args = 1..)]
    scenarios: Vec<String>,
    /// What each scenario is compared with: one of the scenarios (default:
    /// the first), or `frozen`, each scenario's frozen-competition
    /// counterfactual.
    #[arg(long)]
    base: Option<String>,
    /// A statistic, labs.<id>.<measure> or sector.<measure> (repeatable;
    /// default: each lab's mean fair value, P(pop), P(FV=0) and P(phi<0.5),
    /// and the sector's).
    #[arg(long = "stat", value_name = "STATISTIC")]
    statistics: Vec<String>,
    #[command(flatten)]
    options: RunOptions,
}

#[derive(Args)]
pub(super) struct ChannelsArgs {
    /// A preset or a .toml/.json scenario file.
    scenario: String,
    /// `frozen` (default): each channel set against its own frozen-competition
    /// counterfactual; or a preset or file, with the same channels off.
    #[arg(long, default_value = "frozen")]
    base: String,
    /// A statistic (repeatable; default: each marked lab's mean fair value,
    /// P(pop) and P(FV=0), and the sector's mean fair value).
    #[arg(long = "stat", value_name = "STATISTIC")]
    statistics: Vec<String>,
    #[command(flatten)]
    options: RunOptions,
}

/// `aibubble compare`.
pub(super) fn compare(args: CompareArgs, cancel: &CancelToken, out: &mut impl Write) -> Result<(), Failure> {
    let scenarios = args
        .scenarios
        .iter()
        .map(|n| Ok((n.clone(), load(n)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let base = match args.base.as_deref() {
        None => Base::Scenario(0),
        Some("frozen") => Base::Frozen,
        Some(b) => Base::Scenario(args.scenarios.iter().position(|n| n == b).ok_or_else(|| {
            Error::argument(
                "--base",
                format!(
                    "{b:?} is neither `frozen` nor one of the scenarios compared ({})",
                    args.scenarios.join(", ")
                ),
            )
        })?),
    };
    let c = crate::analysis::compare(&scenarios, &args.statistics, &args.options.runs(cancel), base)?;
    if args.options.json {
        print_json(out, &c)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} paths, seed {} (common random numbers); against {}; values ± standard errors, money in USD bn\n",
        c.paths,
        c.seed,
        printable(&c.base)
    )?;
    write!(out, "{}", printable_lines(&c.table()))?;
    let lines = c.input_lines();
    if !lines.is_empty() {
        writeln!(out, "\nInputs that differ:")?;
        for l in lines {
            writeln!(out, "  {}", printable(&l))?;
        }
    }
    Ok(())
}

/// `aibubble channels`.
pub(super) fn channels(args: ChannelsArgs, cancel: &CancelToken, out: &mut impl Write) -> Result<(), Failure> {
    let scenario = load(&args.scenario)?;
    let base = if args.base == "frozen" {
        ChannelBase::Frozen
    } else {
        ChannelBase::Scenario(args.base.clone(), Box::new(load(&args.base)?))
    };
    let c = crate::analysis::channels(
        &args.scenario,
        &scenario,
        &base,
        &CHANNELS,
        &args.statistics,
        &args.options.runs(cancel),
    )?;
    if args.options.json {
        print_json(out, &c)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} against {}: Shapley values over {} channels, exact over all {} sets ({} runs of {} paths, seed {}); values ± standard errors, money in USD bn\n",
        printable(&c.scenario),
        printable(&c.base),
        c.channels.len(),
        1u64 << c.channels.len(),
        2u64 << c.channels.len(),
        c.paths,
        c.seed
    )?;
    write!(out, "{}", printable_lines(&c.table()))?;
    Ok(())
}

/// Every line made printable (names in the tables come from the command line).
fn printable_lines(text: &str) -> String {
    text.lines().map(|l| format!("{}\n", printable(l))).collect()
}
