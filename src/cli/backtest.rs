//! `aibubble backtest`: dated observations against a scenario's distribution
//! (`crate::analysis::backtest`), as a table or JSON.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use super::options::{AnalysisOptions, paths};
use super::{Failure, load, print_json};
use crate::CancelToken;
use crate::analysis::backtest::{self, Observations};
use crate::error::printable;

#[derive(Args)]
#[command(mut_arg("paths", paths("10000", "Paths of the run")))]
pub(super) struct BacktestArgs {
    /// A preset name or a path to a .toml/.json scenario.
    scenario: String,
    /// The observations: a CSV file with columns date, output, lab, segment,
    /// value, unit, source, notes (docs/analysis.md, "Back-test").
    #[arg(long, value_name = "FILE.csv")]
    observations: PathBuf,
    #[command(flatten)]
    run: AnalysisOptions,
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
    let title = format!("backtest {}", args.scenario);
    let bt = args.run.observed(&title, cancel, |runs| {
        backtest::backtest(&scenario, &observations, &runs)
    })?;
    if args.run.run.json {
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
