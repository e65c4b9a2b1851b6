//! The per-lab table that `aibubble run` prints.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use crate::error::printable;
use crate::net::Net;
use crate::summary::{LabSummary, Summary};

fn money(x: Option<f64>) -> String {
    match x {
        // Beyond ten million billions a number is a warning, not an amount.
        Some(v) if v.is_finite() && v.abs() >= 1e7 => format!("{v:.2e}"),
        Some(v) if v.is_finite() => {
            if v.abs() >= 100.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        }
        _ => "-".into(),
    }
}

fn pct(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{:.1}%", 100.0 * v),
        _ => "-".into(),
    }
}

/// Whether a lab books no revenue on any path in any year.
fn books_no_revenue(l: &LabSummary) -> bool {
    l.revenue.iter().all(|y| y.mean == 0.0 && y.sd == 0.0)
}

pub(super) fn print_table(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    writeln!(
        out,
        "aibubble: scenario {:?}, {} paths, seed {}, valuation date {}",
        s.scenario, s.paths, s.seed, s.start_year
    )?;
    writeln!(
        out,
        "Fair values (FV) and marks in USD bn. P(FV=0): limited liability binds; P(phi<0.5): fair \
         value below half the mark;\nP(pop): a quarter-end market mark below half the latest mark; \
         P(crunch): a pop while cash is negative.\n"
    )?;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "lab",
        "class",
        "mark",
        "FV p5",
        "FV p50",
        "FV p95",
        "P(FV=0)",
        "P(phi<0.5)",
        "P(pop)",
        "P(crunch)",
        "P(cash<0)",
    ]);
    let row = |l: &LabSummary| {
        // A lab that books no revenue (capture 0: others serve its models)
        // has no fair value to speak of; say so rather than print zeros.
        let (p5, p50, p95) = if books_no_revenue(l) {
            ("-".to_string(), "no revenue".to_string(), "-".to_string())
        } else {
            (
                money(Some(l.fair_value.p5)),
                money(Some(l.fair_value.p50)),
                money(Some(l.fair_value.p95)),
            )
        };
        vec![
            Cell::new(printable(&l.name)),
            Cell::new(l.class.as_str()),
            Cell::new(money(l.mark)).set_alignment(CellAlignment::Right),
            Cell::new(p5).set_alignment(CellAlignment::Right),
            Cell::new(p50).set_alignment(CellAlignment::Right),
            Cell::new(p95).set_alignment(CellAlignment::Right),
            Cell::new(pct(Some(l.p_zero))).set_alignment(CellAlignment::Right),
            Cell::new(pct(l.phi.map(|p| p.p_below_half))).set_alignment(CellAlignment::Right),
            Cell::new(pct(l.p_pop)).set_alignment(CellAlignment::Right),
            Cell::new(pct(l.p_crunch)).set_alignment(CellAlignment::Right),
            Cell::new(pct(Some(l.p_cash_negative))).set_alignment(CellAlignment::Right),
        ]
    };
    for l in &s.labs {
        t.add_row(row(l));
    }
    let silent: Vec<_> = s
        .labs
        .iter()
        .filter(|l| books_no_revenue(l))
        .map(|l| printable(&l.name))
        .collect();
    let sec = &s.sector;
    t.add_row(vec![
        Cell::new(printable(&format!("Sector ({})", sec.labs.join(" + ")))),
        Cell::new("closed"),
        Cell::new(money(Some(sec.mark))).set_alignment(CellAlignment::Right),
        Cell::new(money(Some(sec.fair_value.p5))).set_alignment(CellAlignment::Right),
        Cell::new(money(Some(sec.fair_value.p50))).set_alignment(CellAlignment::Right),
        Cell::new(money(Some(sec.fair_value.p95))).set_alignment(CellAlignment::Right),
        Cell::new("-"),
        Cell::new(pct(Some(sec.phi.p_below_half))).set_alignment(CellAlignment::Right),
        Cell::new("-"),
        Cell::new("-"),
        Cell::new("-"),
    ]);
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "\nSector fair value / marks: median {:.2}, P(< 1) {}, P(< 0.5) {}",
        sec.phi.stats.p50,
        pct(Some(sec.phi.p_below_1)),
        pct(Some(sec.phi.p_below_half))
    )?;
    if !silent.is_empty() {
        writeln!(
            out,
            "{} book no revenue (capture 0: others serve their models, and that revenue is not modelled).",
            silent.join(", ")
        )?;
    }
    for e in &s.events {
        writeln!(
            out,
            "Event {:?} fires within the horizon on {} of paths",
            e.name,
            pct(Some(e.p_fired))
        )?;
    }
    Ok(())
}

/// A net difference in percentage points with its standard error: `+3.2 ± 0.4`.
fn points(x: Option<f64>, se: Option<f64>) -> String {
    match (x, se) {
        (Some(v), Some(e)) if v.is_finite() && e.is_finite() => format!("{:+.1} ± {:.1}", 100.0 * v, 100.0 * e),
        _ => "-".into(),
    }
}

/// A net fair value in USD bn with its standard error: `-12.3 ± 4.1`.
fn money_net(x: f64, se: f64) -> String {
    if x.is_finite() && se.is_finite() {
        let sign = if x < 0.0 { "-" } else { "+" };
        format!("{sign}{} ± {}", money(Some(x.abs())), money(Some(se)))
    } else {
        "-".into()
    }
}

/// The table of `aibubble run --net`: each figure of `S` beside its value
/// under frozen competition and the paired net difference.
pub(super) fn print_net_table(out: &mut impl Write, s: &Summary, net: &Net) -> io::Result<()> {
    writeln!(
        out,
        "aibubble: scenario {:?} against frozen competition, {} paths each, seed {}, valuation date {}",
        s.scenario, s.paths, s.seed, s.start_year
    )?;
    writeln!(
        out,
        "S: the scenario; frozen: the same scenario and draws with competition frozen at today's ratio, \
         usage and premium, and no\ncompetition turning points. net: S minus frozen over paired paths, in \
         percentage points (FV in USD bn, mean), ± one standard error.\n"
    )?;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "lab",
        "P(pop) S",
        "frozen",
        "net",
        "P(FV=0) S",
        "frozen",
        "net",
        "P(crunch) S",
        "frozen",
        "net",
        "FV net",
    ]);
    let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
    for l in &net.labs {
        t.add_row(vec![
            Cell::new(printable(&l.name)),
            right(pct(l.p_pop)),
            right(pct(l.p_pop_frozen)),
            right(points(l.p_pop_net, l.p_pop_net_se)),
            right(pct(Some(l.p_zero))),
            right(pct(Some(l.p_zero_frozen))),
            right(points(Some(l.p_zero_net), Some(l.p_zero_net_se))),
            right(pct(l.p_crunch)),
            right(pct(l.p_crunch_frozen)),
            right(points(l.p_crunch_net, l.p_crunch_net_se)),
            right(money_net(l.fair_value_net, l.fair_value_net_se)),
        ]);
    }
    writeln!(out, "{t}")?;
    for l in net.labs.iter().filter(|l| l.p_pop.is_some()) {
        writeln!(
            out,
            "{}: pops only with competition moving {}, only with it frozen {}",
            printable(&l.name),
            pct(l.p_pop_only_competition),
            pct(l.p_pop_only_counterfactual)
        )?;
    }
    Ok(())
}

/// A number to four significant figures.
fn sig(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.digits$}")
}

/// `aibubble implied`: one row per input (its root, the move, its standard
/// error, the check and the revenue it implies), notes for the inputs skipped.
pub(super) fn print_implied(
    out: &mut impl Write,
    scenario: &crate::Scenario,
    lab: &str,
    options: &crate::analysis::implied::Options,
    rows: &[crate::analysis::implied::PageRow],
) -> io::Result<()> {
    use crate::analysis::implied::{How, PageRow, Target};
    let what = match options.target {
        Target::Mean => "mean fair value = mean mark",
        Target::Median => "median fair value / mark = 1",
    };
    writeln!(
        out,
        "What must you believe: {} ({}), {what}; {} paths, seed {}",
        printable(lab),
        printable(&scenario.name),
        options.paths,
        options.seed
    )?;
    let years: Vec<i32> = rows
        .iter()
        .find_map(|r| match r {
            PageRow::Root(r) => Some(r.percentile_years.clone()),
            PageRow::Skipped { .. } => None,
        })
        .unwrap_or_default();
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec![
        "input".to_string(),
        "unit".into(),
        "today".into(),
        "implied".into(),
        "how".into(),
        "move".into(),
        "se".into(),
        "check gap (se)".into(),
    ];
    header.extend(years.iter().map(|y| format!("revenue {y} (pct today)")));
    t.set_header(header);
    let mut notes = Vec::new();
    for row in rows {
        match row {
            PageRow::Root(r) => {
                let change = match r.how {
                    How::Scale => format!("x{}", sig(r.change)),
                    _ => format!("{}{}", if r.change >= 0.0 { "+" } else { "" }, sig(r.change)),
                };
                let mut cells = vec![
                    Cell::new(printable(&r.input)),
                    Cell::new(r.unit.as_str()),
                    Cell::new(sig(r.today)).set_alignment(CellAlignment::Right),
                    Cell::new(sig(r.root)).set_alignment(CellAlignment::Right),
                    Cell::new(r.how.name()),
                    Cell::new(change).set_alignment(CellAlignment::Right),
                    Cell::new(sig(r.se)).set_alignment(CellAlignment::Right),
                    Cell::new(format!(
                        "{} ({}){}",
                        sig(r.check.gap),
                        sig(r.check.se),
                        if r.check.ok { "" } else { " !" }
                    ))
                    .set_alignment(CellAlignment::Right),
                ];
                for y in &years {
                    let cell = r.revenue.iter().find(|v| v.year == *y).map_or("-".into(), |v| {
                        format!("{} ({:.0}%)", money(Some(v.median)), v.percentile_today)
                    });
                    cells.push(Cell::new(cell).set_alignment(CellAlignment::Right));
                }
                t.add_row(cells);
            }
            PageRow::Skipped { input, note } => {
                notes.push(format!("skipped {}: {}", printable(input), printable(note)))
            }
        }
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "implied: the input's central value (fixed value or median) at the root; se: its Monte Carlo standard error (delta method); check: the gap on seed {} at the root, within 3 se unless marked !; revenue: median at the root, USD bn, and its percentile under the scenario as it stands.",
        options.seed.wrapping_add(1)
    )?;
    for n in notes {
        writeln!(out, "{n}")?;
    }
    if let [PageRow::Root(r)] = rows {
        let path: Vec<String> = r
            .revenue
            .iter()
            .map(|y| format!("{} {}", y.year, money(Some(y.median))))
            .collect();
        writeln!(out, "Implied revenue path (median, USD bn): {}", path.join(", "))?;
    }
    Ok(())
}
