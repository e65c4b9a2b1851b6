//! `aibubble sobol`: Sobol indices of a per-path output over the uncertain
//! inputs and the process noise (`crate::analysis::sobol`), as a table or JSON.

use std::io::Write;

use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use super::{Failure, load, parse_memory, print_json};
use crate::CancelToken;
use crate::analysis::Runs;
use crate::analysis::sobol::{self, Grouping};
use crate::error::printable;

#[derive(Args)]
pub(super) struct SobolArgs {
    /// A preset name or a path to a .toml/.json scenario.
    scenario: String,
    /// The per-path output: labs.<id>.fair_value, labs.<id>.phi,
    /// sector.fair_value, or a probability's indicator (labs.<id>.p_pop).
    #[arg(long)]
    output: String,
    /// Base rows N of each of the samples A and B: N(k+2) paths in all for k groups.
    #[arg(long, default_value_t = 2_000)]
    paths: u64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Bootstrap resamples of the base rows for the 95% intervals.
    #[arg(long, default_value_t = 200)]
    bootstrap: usize,
    /// Gather the uncertain inputs whose path starts with PREFIX into one
    /// group (repeatable: segments., labs.openai.).
    #[arg(long = "group", value_name = "PREFIX")]
    groups: Vec<String>,
    /// Make each block of rank-correlated inputs one group (so the design
    /// keeps their correlation and the indices stay valid).
    #[arg(long)]
    group_correlated: bool,
    /// Print only the N groups with the largest total index (--json has all).
    #[arg(long, default_value_t = 15)]
    top: usize,
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

/// An index with its interval: `0.312 [0.280, 0.344]`.
fn index(x: f64, lo: f64, hi: f64) -> String {
    format!("{x:.3} [{lo:.3}, {hi:.3}]")
}

pub(super) fn sobol(args: SobolArgs, cancel: &CancelToken, out: &mut impl Write) -> Result<(), Failure> {
    let scenario = load(&args.scenario)?;
    let runs = Runs {
        paths: args.paths,
        seed: args.seed,
        threads: args.threads,
        max_memory: args.max_memory,
        cancel: Some(cancel.clone()),
        executor: None,
    };
    let grouping = Grouping {
        prefixes: args.groups,
        correlated: args.group_correlated,
    };
    let r = sobol::sobol(&scenario, &args.output, &grouping, args.bootstrap, &runs)?;
    if r.correlated {
        eprintln!(
            "warning: the design breaks the rank correlation of {} (correlation.inputs): the indices \
             do not decompose the scenario's variance; --group-correlated keeps each block whole",
            printable(&r.correlated_inputs.join(", "))
        );
    }
    if args.json {
        print_json(out, &r)?;
        return Ok(());
    }
    writeln!(
        out,
        "aibubble sobol: {} of scenario {:?}, N = {} base rows, seed {}, {} evaluations; \
         mean {:.4}, variance {:.4}\nfirst-order (Saltelli 2010) and total (Jansen) indices, \
         95% bootstrap intervals over {} resamples; largest total index first\n",
        printable(&r.output),
        printable(&r.scenario),
        r.paths,
        r.seed,
        r.evaluations,
        r.mean,
        r.variance,
        r.bootstrap
    )?;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["group", "S1 [95%]", "ST [95%]"]);
    let mut rows: Vec<_> = r.rows.iter().collect();
    rows.sort_by(|a, b| b.st.total_cmp(&a.st));
    for row in rows.iter().take(args.top) {
        t.add_row(vec![
            Cell::new(printable(&row.group)),
            Cell::new(index(row.s1, row.s1_lo, row.s1_hi)).set_alignment(CellAlignment::Right),
            Cell::new(index(row.st, row.st_lo, row.st_hi)).set_alignment(CellAlignment::Right),
        ]);
    }
    writeln!(out, "{t}")?;
    if rows.len() > args.top {
        writeln!(
            out,
            "({} more groups with smaller total indices: --top or --json)",
            rows.len() - args.top
        )?;
    }
    Ok(())
}
