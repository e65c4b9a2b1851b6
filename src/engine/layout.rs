//! Where one path's outputs sit in its row of per-path values: drawn inputs,
//! then per lab its metrics, yearly revenue and yearly FCF, then event
//! firing times and the PV of savings.

use crate::results::LabMetric;

use super::compiled::Compiled;

/// Layout of one path's row of outputs.
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
    pub fn revenue(&self, lab: usize, year: usize) -> usize {
        self.inputs + self.labs * LabMetric::COUNT + lab * self.years + year
    }
    pub fn fcf(&self, lab: usize, year: usize) -> usize {
        self.inputs + self.labs * (LabMetric::COUNT + self.years) + lab * self.years + year
    }
    pub fn event(&self, e: usize) -> usize {
        self.inputs + self.labs * (LabMetric::COUNT + 2 * self.years) + e
    }
    pub fn pv_savings(&self) -> usize {
        self.event(self.events)
    }
    pub fn width(&self) -> usize {
        self.pv_savings() + 1
    }
}
