//! A validated scenario compiled for the engine: input slots and samplers,
//! stream keys, the time grid, plans per step, events and the list of
//! recorded time series. Built once per run; immutable while paths run.

use crate::dist::InputCopula;
use crate::dist::Sampler;
use crate::error::{Error, Result};
use crate::model::correlation::ProcessShocks;
use crate::model::demand;
use crate::model::events::{self, Effect, Target};
use crate::model::labs::{self, plan_at};
use crate::model::params::PathParams;
use crate::results::{Series, SeriesId};
use crate::rng::{component_key, stream};
use crate::scenario::{MarkBasis, MatureMultiple, Pressure, PriceEffect, PriceIndex, Scenario, SlotLayout, Terminal};

use super::InputTable;
use super::schedule::Decay;

/// An input drawn per path.
#[derive(Clone, Debug)]
pub struct DrawnInput {
    /// Its slot.
    pub field: usize,
    pub key: u64,
    pub sampler: Sampler,
}

/// How an event fires.
#[derive(Clone, Debug)]
pub enum Firing {
    /// Per-period probability from the path's hazard (an input).
    Hazard,
    /// Fires in this period (None: after the horizon).
    Dated(Option<usize>),
    /// Never fires and draws nothing: a competition turning point that the
    /// frozen-competition counterfactual removes (docs/equations.md §11).
    Removed,
}

#[derive(Clone, Debug)]
pub struct CompiledEvent {
    pub key: u64,
    pub firing: Firing,
    pub effects: Vec<Effect>,
}

/// The compiled model.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub scenario: Scenario,
    pub n: usize,
    pub steps: usize,
    pub dt: f64,
    pub sqrt_dt: f64,
    /// Steps between quarter ends, `n / 4`.
    pub stride: usize,
    /// Where each section's inputs sit among the slots.
    pub layout: SlotLayout,
    /// Every slot's value when nothing is drawn (NaN where drawn or absent).
    pub base_values: Vec<f64>,
    /// Every slot's field path.
    pub field_paths: Vec<String>,
    /// Every slot's domain (the discount rate's bound resolved).
    pub domains: Vec<crate::scenario::Domain>,
    pub drawn: Vec<DrawnInput>,
    /// Copula and, for each of its inputs, the position in `drawn`.
    pub copula: Option<(InputCopula, Vec<usize>)>,
    pub process: ProcessShocks,
    /// `Plan_i(start_year + t_k)`, `[k * labs + i]`.
    pub plans: Vec<f64>,
    /// Each lab's `exp(-t_k / tau_gm)` (`labs::margin_decay`), per step.
    pub margin_decay: Decay,
    /// Each segment's `exp(-t_k / tau)` (`demand::growth_decay`), per step.
    pub growth_decay: Decay,
    pub events: Vec<CompiledEvent>,
    pub lab_keys: Vec<u64>,
    pub gap_key: u64,
    pub prices_key: u64,
    pub demand_key: u64,
    /// Calendar year index of each period `k < K`.
    pub year_of_period: Vec<usize>,
    /// `(calendar year, fraction of the year covered)`.
    pub years: Vec<(i32, f64)>,
    pub series: Vec<SeriesId>,
    /// Labs with a mark, in lab order.
    pub marked: Vec<usize>,
    /// Each lab's mark basis (revenue for labs without a mark).
    pub mark_basis: Vec<MarkBasis>,
    /// Each lab's mature multiple: given (v2) or steady (v2.1).
    pub mature_multiple: Vec<MatureMultiple>,
    /// How total spend follows prices.
    pub price_index: PriceIndex,
    /// What the elasticity of spend acts on (with the CES index).
    pub price_effect: PriceEffect,
    /// How the price pressure follows the lead (docs/equations.md §2).
    pub pressure: Pressure,
    /// The terminal value's convention.
    pub terminal: Terminal,
    /// Input columns reported per path: drawn inputs, then table-only columns (slots).
    pub input_fields: Vec<usize>,
    /// For each table column, its slot.
    pub table_fields: Vec<usize>,
    /// Slots set to 0 on every path after the draws and the table lookup
    /// (the frozen-competition counterfactual, docs/equations.md §11).
    pub pinned: Vec<usize>,
}

impl Compiled {
    pub fn new(scenario: &Scenario, table: Option<&InputTable>) -> Result<Compiled> {
        scenario.validate()?;
        let s = scenario.clone();
        let n = s.steps_per_year as usize;
        let steps = s.steps();
        let dt = 1.0 / n as f64;
        let (slots, layout) = s.slots();
        let field_paths: Vec<String> = slots.iter().map(|f| f.path.clone()).collect();
        let base_values: Vec<f64> = slots.iter().map(|f| f.base_value()).collect();
        let mut domains: Vec<_> = slots.iter().map(|f| f.spec.domain).collect();
        let fields = s.fields();
        let mut drawn = Vec::new();
        for f in &fields {
            domains[f.slot] = f.domain;
            if let crate::dist::Uncertain::Dist(d) = &f.value
                && f.value.fixed_value().is_none()
            {
                let sampler = d.sampler().map_err(|m| Error::problem(&f.path, m))?;
                drawn.push(DrawnInput {
                    field: f.slot,
                    key: component_key(&stream_name(&f.path)),
                    sampler,
                });
            }
        }
        let copula = if s.correlation.inputs.is_empty() {
            None
        } else {
            let c = InputCopula::new(&s.correlation.inputs).map_err(|m| Error::problem("correlation.inputs", m))?;
            let pos = c
                .paths
                .iter()
                .map(|p| {
                    drawn
                        .iter()
                        .position(|d| field_paths[d.field] == *p)
                        .expect("validated: correlated inputs are drawn")
                })
                .collect();
            Some((c, pos))
        };
        let process =
            ProcessShocks::new(s.correlation.process.as_ref()).map_err(|m| Error::problem("correlation.process", m))?;
        let mut plans = Vec::with_capacity((steps + 1) * s.labs.len());
        for k in 0..=steps {
            let year = s.start_year() + k as f64 * dt;
            plans.extend(s.labs.iter().map(|l| plan_at(&l.plan, year)));
        }
        // The decays at the scenario's values (NaN where drawn).
        let mut base = PathParams::for_scenario(&s);
        base.fill(&layout, &base_values);
        let margin_decay = Decay::new(
            base.labs.iter().map(|l| l.margin_tau).collect(),
            steps,
            dt,
            labs::margin_decay,
        );
        let growth_decay = Decay::new(
            base.segments.iter().map(|g| g.growth_tau).collect(),
            steps,
            dt,
            demand::growth_decay,
        );
        let removed = s.removed_events();
        let events = s
            .events
            .iter()
            .map(|e| {
                let firing = match (&e.hazard, e.date) {
                    _ if removed.contains(&e.id.as_str()) => Firing::Removed,
                    (Some(_), _) => Firing::Hazard,
                    (None, Some(y)) => Firing::Dated(events::dated_period(y, s.start_year(), n, steps)),
                    (None, None) => unreachable!("validated"),
                };
                let effects = e
                    .effects
                    .iter()
                    .map(|eff| Effect {
                        target: Target::parse(&eff.0, &s).expect("validated"),
                        op: eff.1,
                        value: eff.2,
                    })
                    .collect();
                CompiledEvent {
                    key: component_key(&format!("event:{}", e.id)),
                    firing,
                    effects,
                }
            })
            .collect();
        let (year_of_period, years) = calendar_years(s.start_year(), n, steps);
        let marked: Vec<usize> = (0..s.labs.len()).filter(|i| s.labs[*i].mark.is_some()).collect();
        let series = Series::ids(&s);
        // The inputs of removed events are still drawn (so that a copula
        // holding one moves no other draw) but leave the reported table.
        let removed_prefixes: Vec<String> = removed.iter().map(|id| format!("events.{id}.")).collect();
        let reported = |slot: &usize| {
            !removed_prefixes
                .iter()
                .any(|p| field_paths[*slot].starts_with(p.as_str()))
        };
        let pinned: Vec<usize> = s
            .frozen_fields()
            .iter()
            .filter_map(|p| field_paths.iter().position(|f| f == p))
            .collect();
        let mut input_fields: Vec<usize> = drawn.iter().map(|d| d.field).filter(reported).collect();
        let mut table_fields = Vec::new();
        if let Some(t) = table {
            for c in &t.columns {
                let f = fields.iter().find(|f| f.path == *c && f.uncertain).ok_or_else(|| {
                    Error::problem(c.clone(), "input table column is not an input that may be uncertain")
                })?;
                if table_fields.contains(&f.slot) {
                    return Err(Error::problem(c.clone(), "input table names this column twice"));
                }
                table_fields.push(f.slot);
                if reported(&f.slot) && !input_fields.contains(&f.slot) {
                    input_fields.push(f.slot);
                }
            }
        }
        Ok(Compiled {
            mark_basis: s
                .labs
                .iter()
                .map(|l| l.mark_basis.unwrap_or(MarkBasis::Revenue))
                .collect(),
            mature_multiple: s.labs.iter().map(|l| l.mature_multiple).collect(),
            price_index: s.demand.price_index,
            price_effect: s.demand.price_effect,
            pressure: s.prices.pressure,
            terminal: s
                .valuation
                .terminal
                .expect("validated: the terminal convention is given"),
            layout,
            n,
            steps,
            dt,
            sqrt_dt: dt.sqrt(),
            stride: n / 4,
            base_values,
            field_paths,
            domains,
            drawn,
            copula,
            process,
            plans,
            margin_decay,
            growth_decay,
            events,
            lab_keys: s.labs.iter().map(|l| component_key(&format!("lab:{}", l.id))).collect(),
            gap_key: component_key("gap"),
            prices_key: component_key("prices"),
            demand_key: component_key("demand"),
            year_of_period,
            years,
            series,
            marked,
            input_fields,
            table_fields,
            pinned,
            scenario: s,
        })
    }

    pub fn quarters(&self) -> usize {
        self.steps / self.stride + 1
    }

    /// Draw (or look up) the inputs of path `p`, writing every field's
    /// value into `values` (docs/equations.md §0: one normal per drawn input from
    /// its own sub-stream, correlated by the copula, then the inverse CDF);
    /// then the pinned slots are set to 0 (docs/equations.md §11).
    pub fn path_inputs(&self, seed: u64, p: u64, table_row: Option<&[f64]>, values: &mut Vec<f64>, z: &mut Vec<f64>) {
        values.clear();
        values.extend_from_slice(&self.base_values);
        z.clear();
        z.extend(
            self.drawn
                .iter()
                .map(|d| super::shocks::normal(&mut stream(seed, p, d.key))),
        );
        if let Some((copula, pos)) = &self.copula {
            let mut zc: Vec<f64> = pos.iter().map(|i| z[*i]).collect();
            copula.correlate(&mut zc);
            for (i, v) in pos.iter().zip(zc) {
                z[*i] = v;
            }
        }
        for (d, zj) in self.drawn.iter().zip(z.iter()) {
            values[d.field] = d.sampler.from_normal(*zj);
        }
        if let Some(row) = table_row {
            for (f, v) in self.table_fields.iter().zip(row) {
                values[*f] = *v;
            }
        }
        for f in &self.pinned {
            values[*f] = 0.0;
        }
    }

    /// Per column of an input table: how many of its values leave the
    /// field's domain, and the first such value.
    pub fn table_domain_failures<'r>(&self, rows: impl Iterator<Item = &'r [f64]>) -> Vec<(u64, f64)> {
        let mut out = vec![(0u64, f64::NAN); self.table_fields.len()];
        for row in rows {
            for ((f, v), (count, first)) in self.table_fields.iter().zip(row).zip(out.iter_mut()) {
                if !self.domains[*f].contains(*v) {
                    if *count == 0 {
                        *first = *v;
                    }
                    *count += 1;
                }
            }
        }
        out
    }
}

/// Period k belongs to year `floor(start_year + t_k + 1e-9)`.
fn calendar_years(start_year: f64, n: usize, steps: usize) -> (Vec<usize>, Vec<(i32, f64)>) {
    let mut of_period = Vec::with_capacity(steps);
    let mut years: Vec<(i32, f64)> = Vec::new();
    for k in 0..steps {
        let y = (start_year + k as f64 / n as f64 + 1e-9).floor() as i32;
        if years.last().map(|l| l.0) != Some(y) {
            years.push((y, 0.0));
        }
        years.last_mut().expect("pushed").1 += 1.0 / n as f64;
        of_period.push(years.len() - 1);
    }
    for y in &mut years {
        y.1 = (y.1 * n as f64).round() / n as f64;
    }
    (of_period, years)
}

/// The name an input's stream is keyed by: its field path, except that a
/// segment's `substitution` keeps the key of v1's `beta_price` (the same
/// parameter, renamed), so that a v1 file renamed draws v1's numbers.
fn stream_name(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_suffix(".substitution") {
        Some(prefix) if path.starts_with("segments.") => format!("{prefix}.beta_price").into(),
        _ => path.into(),
    }
}
