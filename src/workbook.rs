//! Excel workbooks of a run (`aibubble run --xlsx FILE`), written with
//! rust_xlsxwriter; the same sheets as Python's `Result.to_excel`.
//!
//! - **Summary**: the run (scenario, description, paths, seed, version), the
//!   per-lab table, every summary statistic by lab, and native Excel charts
//!   of the first marked lab's revenue fan and phi histogram.
//! - **Inputs**: every input, its value or distribution, unit, domain and source.
//! - **Time series**: every series' quantiles at every quarter end.
//! - **Per path**: every per-path column, for every path up to a sheet's row
//!   limit and then an evenly spaced sample, as the sheet says.
//! - **Sources**: the scenario's sources, each marked as an assumption or not.
//!
//! Numbers are number cells, written exactly (the shortest decimal that
//! reads back as the same double); a value that does not apply (NaN) is an
//! empty cell, a time that never came (+inf) the text `never`. The file is
//! written beside its target under a temporary name and renamed into
//! place, so it is complete or absent.

use std::path::Path;

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

use crate::error::{Error, Result};
use crate::results::{Results, SERIES_QUANTILES};
use crate::summary::{LabSummary, Stats, Summary};

/// Rows of a worksheet (Excel 2007 and later), its header included.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// What to write.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The most paths on the per-path sheet; above it, an evenly spaced
    /// sample of this many (at most `EXCEL_MAX_ROWS - 2`: a note and a header).
    pub max_rows: u32,
    /// Replace `path` if it exists (otherwise an existing file is an error).
    pub force: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_rows: EXCEL_MAX_ROWS - 2,
            force: false,
        }
    }
}

/// Write `results` as a workbook at `path`.
///
/// # Errors
/// [`Error::Argument`] for `max_rows` out of range, or an existing `path`
/// without `force`; [`Error::Io`] naming the file when it cannot be written.
pub fn write(results: &Results, path: &Path, options: &Options) -> Result<()> {
    if options.max_rows == 0 || options.max_rows > EXCEL_MAX_ROWS - 2 {
        return Err(Error::argument(
            "max_rows",
            format!("must be in [1, {}], got {}", EXCEL_MAX_ROWS - 2, options.max_rows),
        ));
    }
    if !options.force && std::fs::symlink_metadata(path).is_ok() {
        return Err(Error::argument(
            "xlsx",
            format!("{} exists; --force replaces it", path.display()),
        ));
    }
    let io = |source: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    let mut wb = Workbook::new();
    build(&mut wb, results, options.max_rows).map_err(|e| xlsx_error(path, e))?;
    wb.save_to_writer(tmp.as_file()).map_err(|e| xlsx_error(path, e))?;
    tmp.as_file().sync_all().map_err(io)?;
    if options.force {
        tmp.persist(path).map_err(|e| io(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| io(e.error))?;
    }
    Ok(())
}

fn xlsx_error(path: &Path, e: XlsxError) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    }
}

type X<T> = std::result::Result<T, XlsxError>;

/// A typed cell: a number, empty for NaN, `never` for +inf.
fn number(ws: &mut Worksheet, row: u32, col: u16, x: f64) -> X<()> {
    if x.is_nan() {
        return Ok(());
    }
    if x.is_infinite() {
        ws.write_string(row, col, if x > 0.0 { "never" } else { "-inf" })?;
    } else {
        ws.write_number(row, col, x)?;
    }
    Ok(())
}

fn header(ws: &mut Worksheet, row: u32, names: &[&str], bold: &Format) -> X<()> {
    for (j, n) in names.iter().enumerate() {
        ws.write_string_with_format(row, j as u16, *n, bold)?;
    }
    Ok(())
}

fn build(wb: &mut Workbook, r: &Results, max_rows: u32) -> X<()> {
    let summary = r.summary();
    let bold = Format::new().set_bold();
    summary_sheet(wb, r, &summary, &series_rows(r), &bold)?;
    inputs_sheet(wb, r, &bold)?;
    time_series(wb, r, &bold)?;
    per_path_sheet(wb, r, max_rows, &bold)?;
    sources_sheet(wb, r, &bold)?;
    Ok(())
}

/// The headline columns: (heading, value of a lab's summary).
type Headline = (&'static str, fn(&LabSummary) -> f64);

const HEADLINE: [Headline; 11] = [
    ("latest mark", |l| l.mark.unwrap_or(f64::NAN)),
    ("fair value, mean", |l| l.fair_value.mean),
    ("fair value, p5", |l| l.fair_value.p5),
    ("fair value, p50", |l| l.fair_value.p50),
    ("fair value, p95", |l| l.fair_value.p95),
    ("phi, p50", |l| l.phi.as_ref().map_or(f64::NAN, |p| p.stats.p50)),
    ("P(phi < 1)", |l| l.phi.as_ref().map_or(f64::NAN, |p| p.p_below_1)),
    ("P(phi < 1/2)", |l| l.phi.as_ref().map_or(f64::NAN, |p| p.p_below_half)),
    ("P(pop)", |l| l.p_pop.unwrap_or(f64::NAN)),
    ("P(crunch)", |l| l.p_crunch.unwrap_or(f64::NAN)),
    ("P(fair value 0)", |l| l.p_zero),
];

/// A lab's statistics by name, as Python's `Result.summary()` columns.
fn lab_statistics(l: &LabSummary) -> Vec<(String, f64)> {
    let mut out = vec![("mark".to_string(), l.mark.unwrap_or(f64::NAN))];
    push_stats(&mut out, "mark_distribution", l.mark_distribution.as_ref());
    push_stats(&mut out, "fair_value", Some(&l.fair_value));
    push_stats(&mut out, "phi", l.phi.as_ref().map(|p| &p.stats));
    let phi = l.phi.as_ref();
    let probabilities = [
        ("phi_p_below_1", phi.map(|p| p.p_below_1)),
        ("phi_p_below_1_se", phi.map(|p| p.p_below_1_se)),
        ("phi_p_below_half", phi.map(|p| p.p_below_half)),
        ("phi_p_below_half_se", phi.map(|p| p.p_below_half_se)),
        ("phi_cvar5", phi.map(|p| p.cvar5)),
        ("p_pop", l.p_pop),
        ("p_pop_se", l.p_pop_se),
        ("p_zero", Some(l.p_zero)),
        ("p_zero_se", Some(l.p_zero_se)),
        ("p_crunch", l.p_crunch),
        ("p_crunch_se", l.p_crunch_se),
        ("p_cash_negative", Some(l.p_cash_negative)),
        ("p_cash_negative_se", Some(l.p_cash_negative_se)),
    ];
    out.extend(probabilities.map(|(k, v)| (k.to_string(), v.unwrap_or(f64::NAN))));
    push_stats(&mut out, "drawdown", l.drawdown.as_ref());
    push_stats(&mut out, "funding_need", Some(&l.funding_need));
    push_stats(&mut out, "pv", Some(&l.pv));
    push_stats(&mut out, "tv_share", Some(&l.tv_share));
    out
}

/// A statistic's name and how to read it.
type StatField = (&'static str, fn(&Stats) -> f64);

/// `name_n`, `name_mean`, ... `name_p95`; NaN where `s` is absent.
fn push_stats(out: &mut Vec<(String, f64)>, name: &str, s: Option<&Stats>) {
    let fields: [StatField; 9] = [
        ("n", |s| s.n as f64),
        ("mean", |s| s.mean),
        ("sd", |s| s.sd),
        ("se", |s| s.se),
        ("p5", |s| s.p5),
        ("p25", |s| s.p25),
        ("p50", |s| s.p50),
        ("p75", |s| s.p75),
        ("p95", |s| s.p95),
    ];
    for (k, f) in fields {
        // As Python's summary: a statistic over no path has n = 0, the rest NaN.
        let absent = if k == "n" { 0.0 } else { f64::NAN };
        out.push((format!("{name}_{k}"), s.map_or(absent, f)));
    }
}

fn summary_sheet(wb: &mut Workbook, r: &Results, s: &Summary, series_rows: &SeriesRows, bold: &Format) -> X<()> {
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let ws = wb.add_worksheet();
    ws.set_name("Summary")?;
    ws.write_string_with_format(
        0,
        0,
        "aibubble: fair values of the AI labs under open-model competition",
        &title,
    )?;
    let mut row = 2;
    let info: [(&str, Info); 6] = [
        ("scenario", Info::Text(r.scenario.name.clone())),
        ("description", Info::Text(r.scenario.description.clone())),
        ("paths", Info::Number(r.len() as f64)),
        ("seed", Info::Number(r.seed as f64)),
        ("start year", Info::Number(r.scenario.start_year())),
        ("aibubble version", Info::Text(env!("CARGO_PKG_VERSION").to_string())),
    ];
    for (k, v) in info {
        ws.write_string_with_format(row, 0, k, bold)?;
        match v {
            Info::Text(t) if k == "description" => {
                ws.write_string_with_format(row, 1, t, &wrap)?;
            }
            Info::Text(t) => {
                ws.write_string(row, 1, t)?;
            }
            Info::Number(x) => number(ws, row, 1, x)?,
        }
        row += 1;
    }
    ws.set_column_width(0, 26)?;
    for c in 1..=14 {
        ws.set_column_width(c, 14)?;
    }
    row += 1;
    ws.write_string_with_format(
        row,
        0,
        "Per lab (USD bn; probabilities over the paths; empty: no mark)",
        bold,
    )?;
    let table_top = row + 1;
    let mut names = vec!["id", "name", "class"];
    names.extend(HEADLINE.iter().map(|(h, _)| *h));
    header(ws, table_top, &names, bold)?;
    row = table_top + 1;
    for l in &s.labs {
        ws.write_string(row, 0, &l.id)?;
        ws.write_string(row, 1, &l.name)?;
        ws.write_string(row, 2, l.class.as_str())?;
        for (j, (_, f)) in HEADLINE.iter().enumerate() {
            number(ws, row, 3 + j as u16, f(l))?;
        }
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Every summary statistic, by lab", bold)?;
    row += 1;
    ws.write_string_with_format(row, 0, "statistic", bold)?;
    for (j, l) in s.labs.iter().enumerate() {
        ws.write_string_with_format(row, 1 + j as u16, &l.id, bold)?;
    }
    let per_lab: Vec<Vec<(String, f64)>> = s.labs.iter().map(lab_statistics).collect();
    if let Some(first) = per_lab.first() {
        for (i, (name, _)) in first.iter().enumerate() {
            row += 1;
            ws.write_string(row, 0, name)?;
            for (j, stats) in per_lab.iter().enumerate() {
                number(ws, row, 1 + j as u16, stats[i].1)?;
            }
        }
    }
    row += 2;
    let Some(lab) = r.labs.iter().find(|l| l.has_mark()) else {
        return Ok(());
    };
    let chart_col = names.len() as u16 + 1;
    if let Some(&(first, last)) = series_rows
        .revenue
        .iter()
        .find(|(id, _)| id == &lab.id)
        .map(|(_, rows)| rows)
    {
        let mut chart = Chart::new(ChartType::Line);
        for (q, p) in SERIES_QUANTILES.iter().enumerate() {
            let col = 4 + q as u16;
            chart
                .add_series()
                .set_name(format!("revenue p{}", (p * 100.0).round()).as_str())
                .set_categories(("Time series", first, 3, last, 3))
                .set_values(("Time series", first, col, last, col));
        }
        chart
            .title()
            .set_name(&format!("{}: revenue fan (USD bn/year), p5 to p95", lab.id));
        chart.x_axis().set_name("year");
        chart.y_axis().set_name("USD bn/year");
        chart.set_width(640).set_height(340);
        ws.insert_chart(table_top, chart_col, &chart)?;
    }
    // The phi histogram: 40 equal bins from 0 to the 99th percentile, the last open above.
    let phi = lab.values(crate::results::LabMetric::Phi);
    let finite: Vec<f64> = phi.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.is_empty() {
        return Ok(());
    }
    let sorted = crate::stats::sorted(&finite);
    let lo = sorted[0].min(0.0);
    let mut hi = crate::stats::quantile_sorted(&sorted, 0.99);
    if hi <= lo {
        hi = lo + 1.0;
    }
    const BINS: usize = 40;
    let mut counts = [0u64; BINS];
    let width = (hi - lo) / BINS as f64;
    for x in &finite {
        let b = (((x.clamp(lo, hi) - lo) / width) as usize).min(BINS - 1);
        counts[b] += 1;
    }
    ws.write_string_with_format(
        row,
        0,
        format!(
            "{}: histogram of phi (fair value / latest mark); the last bin is open above",
            lab.id
        ),
        bold,
    )?;
    row += 1;
    header(ws, row, &["from", "to", "count"], bold)?;
    let top = row + 1;
    for (b, c) in counts.iter().enumerate() {
        let r0 = top + b as u32;
        number(ws, r0, 0, lo + width * b as f64)?;
        number(ws, r0, 1, lo + width * (b + 1) as f64)?;
        number(ws, r0, 2, *c as f64)?;
    }
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name(format!("{}: paths", lab.id).as_str())
        .set_categories(("Summary", top, 0, top + BINS as u32 - 1, 0))
        .set_values(("Summary", top, 2, top + BINS as u32 - 1, 2))
        .set_gap(10);
    chart
        .title()
        .set_name(&format!("{}: phi = fair value / latest mark", lab.id));
    chart.x_axis().set_name("phi (bin from)").set_num_format("0.00");
    chart.y_axis().set_name("paths");
    chart.legend().set_hidden();
    chart.set_width(640).set_height(340);
    ws.insert_chart(table_top + 18, chart_col, &chart)?;
    Ok(())
}

enum Info {
    Text(String),
    Number(f64),
}

/// Where each lab's revenue rows are on the Time series sheet.
struct SeriesRows {
    revenue: Vec<(String, (u32, u32))>,
}

/// The rows [`time_series`] writes each lab's revenue to: one row per
/// series and quarter end, in recording order, after the header.
fn series_rows(r: &Results) -> SeriesRows {
    let mut row = 1u32;
    let mut revenue = Vec::new();
    for s in &r.series {
        let n = s.quarters.len() as u32;
        if s.id.variable == "revenue" && n > 0 {
            revenue.push((s.id.lab.clone().unwrap_or_default(), (row, row + n - 1)));
        }
        row += n;
    }
    SeriesRows { revenue }
}

fn time_series(wb: &mut Workbook, r: &Results, bold: &Format) -> X<()> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Time series")?;
    header(
        ws,
        0,
        &["series", "of", "unit", "time", "p5", "p25", "p50", "p75", "p95"],
        bold,
    )?;
    let mut row = 1;
    let units = crate::results::Series::ALL;
    for s in &r.series {
        let unit = units
            .iter()
            .find(|x| x.name() == s.id.variable)
            .map_or("", |x| x.unit());
        let of = s.id.lab.as_deref().or(s.id.segment.as_deref()).unwrap_or("");
        for (q, sk) in s.quarters.iter().enumerate() {
            ws.write_string(row, 0, &s.id.variable)?;
            ws.write_string(row, 1, of)?;
            ws.write_string(row, 2, unit)?;
            number(ws, row, 3, r.quarter_times[q])?;
            for (j, p) in SERIES_QUANTILES.iter().enumerate() {
                number(ws, row, 4 + j as u16, sk.quantile(*p))?;
            }
            row += 1;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn inputs_sheet(wb: &mut Workbook, r: &Results, bold: &Format) -> X<()> {
    let ws = wb.add_worksheet();
    ws.set_name("Inputs")?;
    header(
        ws,
        0,
        &["path", "value", "distribution", "drawn", "unit", "domain", "source"],
        bold,
    )?;
    for (i, f) in r.scenario.fields().iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, &f.path)?;
        // As Python's describe(): a plain number is a value, anything else a distribution.
        match &f.value {
            crate::dist::Uncertain::Fixed(v) => number(ws, row, 1, *v)?,
            other => {
                ws.write_string(row, 2, describe_value(other))?;
            }
        }
        ws.write_boolean(row, 3, f.value.fixed_value().is_none())?;
        ws.write_string(row, 4, f.unit)?;
        ws.write_string(row, 5, f.domain.describe())?;
        if let Some(src) = r.scenario.sources.get(&f.path) {
            ws.write_string(row, 6, src)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// `triangular(lo=0.09, mode=0.12, hi=0.2) truncated to [0.0, inf]`, as
/// Python's `Scenario.describe()` writes a distribution.
fn describe_value(v: &crate::dist::Uncertain) -> String {
    let json = serde_json::to_value(v).unwrap_or_default();
    let Some(map) = json.as_object() else {
        return json.to_string();
    };
    let family = map.get("dist").and_then(|d| d.as_str()).unwrap_or("");
    let params: Vec<String> = map
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "dist" | "min" | "max"))
        .map(|(k, v)| format!("{k}={}", number_text(v)))
        .collect();
    let mut text = format!("{family}({})", params.join(", "));
    if map.contains_key("min") || map.contains_key("max") {
        let bound = |k: &str, d: &str| map.get(k).map_or(d.to_string(), number_text);
        text += &format!(" truncated to [{}, {}]", bound("min", "-inf"), bound("max", "inf"));
    }
    text
}

/// A JSON number as Python prints the float (`8.0`, `0.09`), a list as a list.
fn number_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if x.fract() == 0.0 && x.abs() < 1e16 {
                format!("{x:.1}")
            } else {
                format!("{x}")
            }
        }
        serde_json::Value::Array(a) => format!("[{}]", a.iter().map(number_text).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

fn per_path_sheet(wb: &mut Workbook, r: &Results, max_rows: u32, bold: &Format) -> X<()> {
    let note = Format::new().set_italic().set_font_color("#555555");
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Per path")?;
    let n = r.len() as u64;
    let limit = u64::from(max_rows);
    let take: Box<dyn Iterator<Item = u64>> = if n > limit {
        ws.write_string_with_format(
            0,
            0,
            format!(
                "{limit} of {n} paths: an evenly spaced sample (every path i = floor(j * {n} / {limit}), j = 0, 1, ...), \
                 the row limit of a sheet; the path column numbers them. Empty: does not apply (NaN); never: the time \
                 never came (inf)."
            ),
            &note,
        )?;
        Box::new((0..limit).map(move |j| j * n / limit))
    } else {
        ws.write_string_with_format(
            0,
            0,
            format!("All {n} paths. Empty: does not apply (NaN); never: the time never came (inf)."),
            &note,
        )?;
        Box::new(0..n)
    };
    let columns = r.per_path_columns();
    ws.write_string_with_format(1, 0, "path", bold)?;
    for (j, (name, _)) in columns.iter().enumerate() {
        ws.write_string_with_format(1, 1 + j as u16, name, bold)?;
    }
    for (row, i) in take.enumerate() {
        let row = 2 + row as u32;
        number(ws, row, 0, (r.start + i) as f64)?;
        for (j, (_, values)) in columns.iter().enumerate() {
            number(ws, row, 1 + j as u16, values[i as usize])?;
        }
    }
    ws.set_freeze_panes(2, 1)?;
    Ok(())
}

fn sources_sheet(wb: &mut Workbook, r: &Results, bold: &Format) -> X<()> {
    let ws = wb.add_worksheet();
    ws.set_name("Sources")?;
    header(ws, 0, &["path", "assumption", "source"], bold)?;
    for (i, (path, text)) in r.scenario.sources.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, path)?;
        ws.write_boolean(row, 1, text.trim_start().to_lowercase().starts_with("assumption"))?;
        ws.write_string(row, 2, text)?;
    }
    Ok(())
}
