//! `aibubble calibrate`: the model's parameters fitted to a releases file,
//! printed as a table or JSON.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use super::{Failure, print_json};
use crate::analysis::calibrate;
use crate::error::printable;

#[derive(Args)]
pub(super) struct CalibrateArgs {
    /// The releases file (data/models.csv).
    file: PathBuf,
    /// Use only the rows dated before this date (YYYY-MM-DD); the fits'
    /// window ends there.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Print the whole calibration (parameters and curves) as JSON.
    #[arg(long)]
    json: bool,
}

/// `x` with four significant figures, `-` when missing.
fn num(x: Option<f64>) -> String {
    match x {
        Some(0.0) => "0".into(),
        Some(v) => {
            let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
            format!("{v:.digits$}")
        }
        None => "-".into(),
    }
}

pub(super) fn calibrate(args: CalibrateArgs, out: &mut impl Write) -> Result<(), Failure> {
    let c = calibrate::calibrate(&args.file, args.as_of.as_deref())?;
    if args.json {
        print_json(out, &c)?;
        return Ok(());
    }
    writeln!(
        out,
        "aibubble calibrate: {}, {} of {} rows used (last {}), window {} to {}\n",
        printable(&c.source),
        c.rows_used,
        c.rows_read,
        c.last_date.as_deref().unwrap_or("-"),
        c.window.0,
        c.window.1
    )?;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(["parameter", "value", "se", "unit", "n", "fit", "method / note"]);
    for p in &c.parameters {
        let fit = p
            .statistic_value
            .map_or(String::new(), |v| format!("{} {}", p.statistic, num(Some(v))));
        let how = if p.note.is_empty() { &p.method } else { &p.note };
        t.add_row([
            Cell::new(format!("{} ({})", p.parameter, p.symbol)),
            Cell::new(num(p.value)).set_alignment(CellAlignment::Right),
            Cell::new(num(p.se)).set_alignment(CellAlignment::Right),
            Cell::new(&p.unit),
            Cell::new(p.n).set_alignment(CellAlignment::Right),
            Cell::new(fit),
            Cell::new(how),
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}
