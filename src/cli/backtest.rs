//! `aibubble backtest`: dated observations against a scenario's distribution
//! (`crate::analysis::backtest`), as a table or JSON.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use super::{Failure, load, parse_memory, print_json};
use crate::CancelToken;
use crate::analysis::Runs;
use crate::analysis::backtest::{self, Observations};
use crate::error::printable;

#[derive(Args)]
pub(super) struct BacktestArgs {
    /// A preset name or a path to a .toml/.json scenario.
    scenario: String,
    /// The observations: a CSV file with columns date, output, lab, segment,
    /// value, unit, source, notes (docs/analysis.md, "Back-test").
    #[arg(long, value_name = "FILE.csv")]
    observations: PathBuf,
    /// Paths of the run.
    #[arg(long, default_value_t = 10_000)]
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

/// A number with three significant figures.
fn num(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e6).contains(&a) {
        format!("{x:.2e}")
    } else {
        let digits = (2 - a.log10().floor() as i32).clamp(0, 4) as usize;
        format!("{x:.digits$}")
    }
}

pub(super) fn backtest(args: BacktestArgs, cancel: &CancelToken, out: &mut impl Write) -> Result<(), Failure> {
    let scenario = load(&args.scenario)?;
    let observations = Observations::read(&args.observations)?;
    let runs = Runs {
        paths: args.paths,
        seed: args.seed,
        threads: args.threads,
        max_memory: args.max_memory,
        cancel: Some(cancel.clone()),
        executor: None,
    };
    let bt = backtest::backtest(&scenario, &observations, &runs)?;
    if args.json {
        print_json(out, &bt)?;
        return Ok(());
    }
    writeln!(
        out,
        "aibubble backtest: scenario {:?}, observations {}, {} paths, seed {}\n",
        printable(&bt.scenario),
        printable(&bt.observations),
        bt.paths,
        bt.seed
    )?;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header([
        "date",
        "series",
        "observed",
        "percentile",
        "p5",
        "p50",
        "p95",
        "90%",
        "99%",
    ]);
    for r in &bt.rows {
        let o = &r.observation;
        let who = o
            .lab
            .as_deref()
            .or(o.segment.as_deref())
            .map(|w| format!(" {w}"))
            .unwrap_or_default();
        let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
        let mark = |b: bool| if b { "in" } else { "OUT" };
        t.add_row(vec![
            Cell::new(printable(&o.date)),
            Cell::new(printable(&format!("{}{who}", o.output))),
            right(num(o.value)),
            right(format!("{:.3} ± {:.3}", r.percentile, r.percentile_se)),
            right(num(r.p5)),
            right(num(r.p50)),
            right(num(r.p95)),
            Cell::new(mark(r.in_90)),
            Cell::new(mark(r.in_99)),
        ]);
    }
    writeln!(out, "{t}")?;
    let s = &bt.summary;
    writeln!(
        out,
        "\n{} observations: {:.2} ± {:.2} inside the 90% band, {:.2} ± {:.2} inside the 99% band (a calibrated model: 0.90, 0.99)",
        s.n, s.in_90.share, s.in_90.se, s.in_99.share, s.in_99.se
    )?;
    let bins: Vec<String> = s.pit.iter().map(usize::to_string).collect();
    writeln!(
        out,
        "PIT histogram (percentiles in tenths 0-0.1 ... 0.9-1): {}",
        bins.join(" ")
    )?;
    Ok(())
}
