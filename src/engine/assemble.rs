//! Turning the per-path table the batches wrote into [`Results`]: named
//! columns, labs, events, series sketches. Columns are moved, not copied.

use crate::results::{Column, LabMetric, LabPaths, Results, SCHEMA_VERSION, SeriesSketches, Year};
use crate::stats::Sketch;

use super::compiled::Compiled;
use super::layout::RowLayout;

/// Which paths a run covered: what [`Results`] records about it.
pub struct Span {
    pub seed: u64,
    pub paths: u64,
    pub start: u64,
    pub end: u64,
    pub store_paths: u64,
}

/// What the batches wrote: the per-path table of [`RowLayout`] columns, the
/// stored paths and the series sketches.
pub struct Written {
    pub table: Vec<Vec<f64>>,
    pub stored: Vec<f64>,
    pub sketches: Vec<Sketch>,
}

/// Assemble the results of the paths of `span` from what the batches wrote.
pub fn results(c: &Compiled, span: Span, written: Written) -> Results {
    let Span {
        seed,
        paths,
        start,
        end,
        store_paths,
    } = span;
    let Written {
        mut table,
        stored,
        sketches,
    } = written;
    let layout = RowLayout::new(c);
    debug_assert_eq!(table.len(), layout.table_width(true));
    let mut take = |name: String, j: usize| Column {
        name,
        values: std::mem::take(&mut table[j]),
    };
    let s = &c.scenario;
    let inputs = c
        .input_fields
        .iter()
        .enumerate()
        .map(|(j, f)| take(c.field_paths[*f].clone(), j))
        .collect();
    let labs = s
        .labs
        .iter()
        .enumerate()
        .map(|(i, l)| LabPaths {
            id: l.id.clone(),
            name: l.name.clone(),
            class: l.class,
            metrics: LabMetric::ALL
                .iter()
                .map(|&m| take(m.name().to_string(), layout.lab_metric(i, m)))
                .collect(),
            revenue: c
                .years
                .iter()
                .enumerate()
                .map(|(y, (yr, _))| take(yr.to_string(), layout.revenue(i, y)))
                .collect(),
            fcf: c
                .years
                .iter()
                .enumerate()
                .map(|(y, (yr, _))| take(yr.to_string(), layout.fcf(i, y)))
                .collect(),
        })
        .collect();
    let events = s
        .events
        .iter()
        .enumerate()
        .map(|(e, ev)| take(ev.id.clone(), layout.event(e)))
        .collect();
    let pv_savings = take("pv_savings".into(), layout.pv_savings()).values;
    let nq = c.quarters();
    // Moved, not cloned: at long horizons the sketches rival the table.
    let mut sketches = sketches.into_iter();
    let series = c
        .series
        .iter()
        .map(|id| SeriesSketches {
            id: id.clone(),
            quarters: sketches.by_ref().take(nq).collect(),
        })
        .collect();
    Results {
        schema_version: SCHEMA_VERSION,
        scenario: s.clone(),
        seed,
        paths,
        start,
        end,
        store_paths,
        steps: c.steps,
        steps_per_year: c.n,
        years: c.years.iter().map(|(y, f)| Year { year: *y, fraction: *f }).collect(),
        quarter_times: (0..nq)
            .map(|q| s.start_year() + (q * c.stride) as f64 / c.n as f64)
            .collect(),
        inputs,
        labs,
        events,
        pv_savings,
        series,
        stored,
    }
}
