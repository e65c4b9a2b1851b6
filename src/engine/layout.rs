//! Where one path's outputs sit: its row of per-path values (drawn inputs,
//! per lab its metrics, event firing times, the PV of savings), and in the
//! per-path table, after the row's columns, the yearly revenue and FCF of
//! every lab (kept per path only on request).

use crate::results::LabMetric;

use super::compiled::Compiled;

/// Layout of one path's row of outputs, and of the per-path table.
#[derive(Clone, Copy, Debug)]
pub struct RowLayout {
    pub inputs: usize,
    pub labs: usize,
    pub years: usize,
    pub events: usize,
}

impl RowLayout {
    pub fn new(c: &Compiled) -> Self {
        RowLayout {
            inputs: c.input_fields.len(),
            labs: c.scenario.labs.len(),
            years: c.years.len(),
            events: c.events.len(),
        }
    }
    pub fn lab_metric(&self, lab: usize, m: LabMetric) -> usize {
        self.inputs + lab * LabMetric::COUNT + m.index()
    }
    pub fn event(&self, e: usize) -> usize {
        self.inputs + self.labs * LabMetric::COUNT + e
    }
    pub fn pv_savings(&self) -> usize {
        self.event(self.events)
    }
    /// Values in a path's row.
    pub fn width(&self) -> usize {
        self.pv_savings() + 1
    }
    /// Values per lab and kind of yearly flow.
    pub fn year_values(&self) -> usize {
        self.labs * self.years
    }
    /// The table column of lab `lab`'s revenue in year `year` (after the row's).
    pub fn revenue(&self, lab: usize, year: usize) -> usize {
        self.width() + lab * self.years + year
    }
    /// The table column of lab `lab`'s FCF in year `year`.
    pub fn fcf(&self, lab: usize, year: usize) -> usize {
        self.width() + self.year_values() + lab * self.years + year
    }
    /// Columns of the per-path table: the row's, and the yearly flows if kept.
    pub fn table_width(&self, keep_years: bool) -> usize {
        self.width() + if keep_years { 2 * self.year_values() } else { 0 }
    }
}
