//! Where the runner writes a path's outputs: a [`PathSink`].
//!
//! A path hands its sink four things: its quarter-end observations of every
//! recorded series (as the path runs), every step's observations when the
//! sink keeps full paths, and, once the path has finished, its flows per
//! calendar year and its row of per-path values ([`RowLayout`]). A failed
//! path hands over no row and no flows.
//!
//! The sinks: [`TableSink`] is the assembly of [`Results`](crate::results::Results)
//! (the per-path table, with the yearly flows when the run keeps them, the
//! quarter buffer that feeds the sketches, the stored paths);
//! [`YearMomentsSink`] sums each year's flows exactly over the paths (the
//! per-year means and sds of every run). A pair of sinks is a sink that
//! hands each output to both. An analysis statistic that needs only a
//! running summary of each path could be a third, fed as the paths finish
//! without a table.
//!
//! The runner is generic over its sink, so the calls are monomorphised and
//! inlined: no dynamic dispatch in the step loop.

use crate::stats::MomentsAccumulator;

use super::layout::RowLayout;

/// Receives the outputs of one path.
pub trait PathSink {
    /// The observations of every recorded series (in the order of the
    /// compiled series) at quarter end `q`.
    fn quarter(&mut self, q: usize, obs: &[f64]);
    /// Whether [`PathSink::step`] wants every step's observations.
    fn keeps_steps(&self) -> bool {
        false
    }
    /// The observations of every recorded series at step `k`.
    fn step(&mut self, k: usize, obs: &[f64]) {
        let _ = (k, obs);
    }
    /// The path's revenue and FCF per lab and calendar year,
    /// `[lab * years + year]`.
    fn years(&mut self, revenue: &[f64], fcf: &[f64]);
    /// The path's row of per-path values ([`RowLayout`]).
    fn row(&mut self, row: &[f64]);
}

/// Path `j` of a batch, written into the batch's part of the per-path
/// table, quarter buffer and stored paths.
pub struct TableSink<'a, 't> {
    pub layout: RowLayout,
    /// The batch's part of each table column ([`RowLayout::table_width`]):
    /// the row's columns, then the yearly flows' when they are kept.
    pub columns: &'a mut [&'t mut [f64]],
    /// Quarter-end observations of the batch: for path `j` of a batch of
    /// `paths`, `buf[(series * quarters + q) * paths + j]`. The batch then
    /// feeds each sketch its values in one pass, one sketch in cache at a time.
    pub quarters: &'a mut [f64],
    pub n_quarters: usize,
    pub paths: usize,
    pub j: usize,
    /// Every series at every step (`[series][k]`), for stored paths.
    pub stored: Option<&'a mut [f64]>,
    /// Steps per stored series (`K + 1`).
    pub per: usize,
}

impl PathSink for TableSink<'_, '_> {
    #[inline]
    fn quarter(&mut self, q: usize, obs: &[f64]) {
        for (si, x) in obs.iter().enumerate() {
            self.quarters[(si * self.n_quarters + q) * self.paths + self.j] = *x;
        }
    }
    #[inline]
    fn keeps_steps(&self) -> bool {
        self.stored.is_some()
    }
    #[inline]
    fn step(&mut self, k: usize, obs: &[f64]) {
        if let Some(buf) = self.stored.as_deref_mut() {
            for (si, x) in obs.iter().enumerate() {
                buf[si * self.per + k] = *x;
            }
        }
    }
    fn years(&mut self, revenue: &[f64], fcf: &[f64]) {
        let base = self.layout.width();
        let Some(cols) = self.columns.get_mut(base..) else {
            return;
        };
        if cols.is_empty() {
            return;
        }
        let (rev_cols, fcf_cols) = cols.split_at_mut(revenue.len());
        for (col, x) in rev_cols.iter_mut().zip(revenue) {
            col[self.j] = *x;
        }
        for (col, x) in fcf_cols.iter_mut().zip(fcf) {
            col[self.j] = *x;
        }
    }
    fn row(&mut self, row: &[f64]) {
        for (col, x) in self.columns.iter_mut().zip(row) {
            col[self.j] = *x;
        }
    }
}

/// Each year's revenue and FCF summed exactly over the paths:
/// `moments[lab * years + y]` for revenue, then the same for FCF.
pub struct YearMomentsSink<'a> {
    pub moments: &'a mut [MomentsAccumulator],
}

impl PathSink for YearMomentsSink<'_> {
    #[inline]
    fn quarter(&mut self, _q: usize, _obs: &[f64]) {}
    fn years(&mut self, revenue: &[f64], fcf: &[f64]) {
        for (m, x) in self.moments.iter_mut().zip(revenue.iter().chain(fcf)) {
            m.add(*x);
        }
    }
    #[inline]
    fn row(&mut self, _row: &[f64]) {}
}

/// Both sinks, each output to the first then the second.
impl<A: PathSink, B: PathSink> PathSink for (A, B) {
    #[inline]
    fn quarter(&mut self, q: usize, obs: &[f64]) {
        self.0.quarter(q, obs);
        self.1.quarter(q, obs);
    }
    #[inline]
    fn keeps_steps(&self) -> bool {
        self.0.keeps_steps() || self.1.keeps_steps()
    }
    #[inline]
    fn step(&mut self, k: usize, obs: &[f64]) {
        self.0.step(k, obs);
        self.1.step(k, obs);
    }
    fn years(&mut self, revenue: &[f64], fcf: &[f64]) {
        self.0.years(revenue, fcf);
        self.1.years(revenue, fcf);
    }
    fn row(&mut self, row: &[f64]) {
        self.0.row(row);
        self.1.row(row);
    }
}
