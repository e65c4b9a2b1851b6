//! `aibubble sweep` and `aibubble tornado`: the analysis layer's sweeps and
//! tornados, printed as tables or JSON.

use std::io::Write;

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use super::{Failure, SweepArgs, TornadoArgs, load, print_json};
use crate::analysis::Statistic;
use crate::analysis::sweep;
use crate::analysis::tornado::{self, Method};
use crate::error::printable;
use crate::{CancelToken, Error};

/// A number with four significant figures, `-` when missing.
fn num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let a = v.abs();
            if a == 0.0 {
                "0".into()
            } else if !(1e-3..1e7).contains(&a) {
                format!("{v:.3e}")
            } else {
                let digits = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
                format!("{v:.digits$}")
            }
        }
        _ => "-".into(),
    }
}

/// `x ± se`.
fn with_se(value: f64, se: Option<f64>) -> String {
    match se {
        _ if value.is_nan() => "undefined".into(),
        Some(se) => format!("{} ± {}", num(Some(value)), num(Some(se))),
        None => num(Some(value)),
    }
}

/// `a,b,c` as numbers.
fn numbers(flag: &str, text: &str) -> Result<Vec<f64>, Error> {
    text.split(',')
        .map(|v| {
            let v = v.trim();
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| Error::argument(flag, format!("{v:?} is not a finite number (in {text:?})")))
        })
        .collect()
}

pub(super) fn sweep(args: SweepArgs, cancel: &CancelToken, out: &mut impl Write) -> Result<(), Failure> {
    let scenario = load(&args.scenario)?;
    let values = match (&args.values, &args.range) {
        (Some(v), _) => numbers("--values", v)?,
        (None, Some(r)) => match numbers("--range", r)?.as_slice() {
            [lo, hi, n] if *n >= 2.0 && n.fract() == 0.0 => sweep::range_values(*lo, *hi, *n as usize)?,
            _ => return Err(Error::argument("--range", format!("expected LO,HI,N with N >= 2, got {r:?}")).into()),
        },
        (None, None) => unreachable!("clap requires one"),
    };
    // The statistics of the table, checked before any run.
    let shown: Vec<String> = if args.outputs.is_empty() {
        let mut v: Vec<String> = scenario
            .labs
            .iter()
            .filter(|l| l.mark.is_some())
            .flat_map(|l| [format!("labs.{}.fair_value.mean", l.id), format!("labs.{}.p_pop", l.id)])
            .collect();
        v.push("sector.phi.p50".into());
        v
    } else {
        args.outputs
            .iter()
            .map(|o| Statistic::parse(o, &scenario).map(|s| s.path()))
            .collect::<Result<_, _>>()?
    };
    let title = format!("sweep {}", args.scenario);
    let sw = args.run.observed(&title, cancel, |runs| {
        sweep::sweep(&scenario, &args.input, &values, &runs, args.net)
    })?;
    if args.run.run.json {
        print_json(out, &sw)?;
        return Ok(());
    }
    writeln!(
        out,
        "aibubble sweep: scenario {:?}, {} fixed at each value on every path, {} paths, seed {} (common random numbers)\n",
        printable(&sw.scenario),
        printable(&sw.input),
        sw.paths,
        sw.seed
    )?;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec![sw.input.clone()];
    for s in &shown {
        header.push(s.clone());
        if sw.net {
            header.push(format!("{s} net"));
        }
    }
    t.set_header(header);
    for v in &sw.values {
        let mut row = vec![Cell::new(num(Some(*v))).set_alignment(CellAlignment::Right)];
        for s in &shown {
            let r = sw
                .rows
                .iter()
                .find(|r| r.value.to_bits() == v.to_bits() && r.statistic == *s)
                .expect("every headline statistic at every value");
            row.push(Cell::new(with_se(r.estimate, r.se)).set_alignment(CellAlignment::Right));
            if sw.net {
                let n = r.net.map_or("-".into(), |value| with_se(value, r.net_se));
                row.push(Cell::new(n).set_alignment(CellAlignment::Right));
            }
        }
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

pub(super) fn tornado(args: TornadoArgs, cancel: &CancelToken, out: &mut impl Write) -> Result<(), Failure> {
    let scenario = load(&args.scenario)?;
    let method = Method::parse(&args.method)?;
    let title = format!("tornado {}", args.scenario);
    let tor = args.run.observed(&title, cancel, |runs| {
        tornado::tornado(&scenario, &args.output, method, &args.inputs, &runs)
    })?;
    if args.run.run.json {
        print_json(out, &tor)?;
        return Ok(());
    }
    let how = match method {
        Method::Single => "one run: the statistic over each input's lowest and highest decile of draws",
        Method::Runs => "paired runs with each input held at its p10 and p90, the others drawn",
    };
    writeln!(
        out,
        "aibubble tornado: {} of scenario {:?}, {} paths, seed {}; {how}\n{} in the run: {}\n",
        printable(&tor.output),
        printable(&tor.scenario),
        tor.paths,
        tor.seed,
        printable(&tor.output),
        with_se(tor.base.value, tor.base.se)
    )?;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["input", "input low", "input high", "at low", "at high", "swing"];
    if method == Method::Single {
        header.push("rank corr");
    }
    t.set_header(header);
    for row in tor.rows.iter().take(args.top) {
        let mut cells = vec![
            Cell::new(printable(&row.input)),
            Cell::new(num(Some(row.input_low))).set_alignment(CellAlignment::Right),
            Cell::new(num(Some(row.input_high))).set_alignment(CellAlignment::Right),
            Cell::new(num(Some(row.low))).set_alignment(CellAlignment::Right),
            Cell::new(num(Some(row.high))).set_alignment(CellAlignment::Right),
            Cell::new(with_se(row.swing, row.swing_se)).set_alignment(CellAlignment::Right),
        ];
        if method == Method::Single {
            cells.push(Cell::new(num(row.rank_correlation)).set_alignment(CellAlignment::Right));
        }
        t.add_row(cells);
    }
    writeln!(out, "{t}")?;
    if tor.rows.len() > args.top {
        writeln!(
            out,
            "({} more inputs with smaller swings: --top or --json)",
            tor.rows.len() - args.top
        )?;
    }
    Ok(())
}
