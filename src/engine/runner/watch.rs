//! The values a step watches for non-finite values, in causal order, the
//! path's row checked at the end, and where a non-finite value sits (the
//! variable's name, the path and the step) when the checked rerun finds it.

use crate::error::Error;
use crate::results::LabMetric;

use super::{PathError, PathRunner};

/// A watched value's name: run-wide, per segment or per lab.
#[derive(Clone, Copy, Debug)]
enum Site {
    Run(&'static str),
    Segment(usize, &'static str),
    Lab(usize, &'static str),
}

impl PathRunner<'_> {
    /// The values a step watches, in causal order: the state at `t_k`, then
    /// what step k computed from it.
    fn for_each_watched(&self, mut f: impl FnMut(Site, f64)) {
        let st = &self.state;
        f(Site::Run("gap"), st.gap);
        f(Site::Run("price_pressure"), st.price_pressure);
        f(Site::Run("closed_price"), self.run.closed_price);
        f(Site::Run("price_ratio"), self.run.ratio);
        f(Site::Run("open_price"), self.run.open_price);
        for s in 0..st.closed_share.len() {
            f(Site::Segment(s, "closed_share"), st.closed_share[s]);
            f(Site::Segment(s, "demand (ln A)"), st.ln_demand[s]);
        }
        for i in 0..st.attractiveness.len() {
            f(Site::Lab(i, "attractiveness"), st.attractiveness[i]);
        }
        for s in 0..self.seg.quantity.len() {
            f(Site::Segment(s, "spend"), self.seg.spend[s]);
            f(Site::Segment(s, "quantity"), self.seg.quantity[s]);
            f(Site::Segment(s, "closed_pool"), self.seg.closed_pool[s]);
            f(Site::Segment(s, "open_pool"), self.seg.open_pool[s]);
        }
        f(Site::Run("closed_spend_share"), self.run.closed_spend_share);
        f(Site::Run("savings"), self.run.savings);
        f(Site::Run("potential"), self.run.potential);
        let lab = &self.lab;
        for i in 0..lab.revenue.len() {
            f(Site::Lab(i, "revenue"), lab.revenue[i]);
            f(Site::Lab(i, "gross_margin"), lab.gross_margin[i]);
            f(Site::Lab(i, "market_value"), lab.market_value[i]);
            f(Site::Lab(i, "spending"), lab.spending[i]);
            f(Site::Lab(i, "pretax_cash_flow"), lab.pretax[i]);
            f(Site::Lab(i, "fcf"), lab.fcf[i]);
            f(Site::Lab(i, "cash"), st.cash[i]);
            f(Site::Lab(i, "loss_pool"), st.loss_pool[i]);
            f(Site::Lab(i, "pv"), self.tracks[i].pv);
        }
        f(Site::Run("pv_savings"), self.pv_savings);
    }

    /// Fold whether step k's values are finite into the path's flag, or, in
    /// checked mode, stop at the first that is not finite.
    pub(super) fn watch(&mut self, k: usize) -> std::result::Result<(), PathError> {
        if self.checked {
            let mut first = None;
            self.for_each_watched(|site, x| {
                if first.is_none() && !x.is_finite() {
                    first = Some((site, x));
                }
            });
            if let Some((site, x)) = first {
                return Err(self.non_finite(site, k, x));
            }
        } else {
            let mut finite = self.finite;
            self.for_each_watched(|_, x| finite &= x.is_finite());
            self.finite = finite;
        }
        Ok(())
    }

    fn non_finite(&self, site: Site, k: usize, x: f64) -> PathError {
        let s = &self.c.scenario;
        let variable = match site {
            Site::Run(v) => v.to_string(),
            Site::Segment(i, v) => format!("segments.{}.{v}", s.segments[i].id),
            Site::Lab(i, v) => format!("labs.{}.{v}", s.labs[i].id),
        };
        PathError::Model(Error::numerical(
            variable,
            self.path,
            k,
            s.start_year() + k as f64 * self.c.dt,
            x,
            "must be finite; the path's inputs take the model beyond floating point",
        ))
    }

    /// The path's metrics (docs/equations.md §8); +inf marks a time that never
    /// came, NaN what does not apply.
    pub(super) fn finish(&mut self) -> std::result::Result<(), PathError> {
        let l = self.layout;
        for (e, fired) in self.fired.iter().enumerate() {
            if !fired {
                self.row[l.event(e)] = f64::INFINITY;
            }
        }
        for (i, lab) in self.params.labs.iter().enumerate() {
            for (m, v) in self.tracks[i].metrics(lab) {
                self.row[l.lab_metric(i, m)] = v;
            }
        }
        self.row[l.pv_savings()] = self.pv_savings;
        self.watch_row()
    }

    /// The row's values that must be finite: every lab's fair value, PV,
    /// funding need and yearly sums; phi and drawdown of marked labs;
    /// tv_share where PV > 0; the PV of savings.
    fn watch_row(&mut self) -> std::result::Result<(), PathError> {
        let row = &self.row;
        let years = &self.years;
        const MUST: [LabMetric; 3] = [LabMetric::FairValue, LabMetric::Pv, LabMetric::FundingNeed];
        const MARKED: [LabMetric; 2] = [LabMetric::Phi, LabMetric::Drawdown];
        let l = self.layout;
        let k = self.c.steps;
        let mut bad: Option<(Site, f64)> = None;
        let mut check = |site: Site, x: f64, finite: &mut bool| {
            *finite &= x.is_finite();
            if bad.is_none() && !x.is_finite() {
                bad = Some((site, x));
            }
        };
        let mut finite = self.finite;
        for (i, lab) in self.params.labs.iter().enumerate() {
            for m in MUST {
                check(Site::Lab(i, m.name()), row[l.lab_metric(i, m)], &mut finite);
            }
            if lab.mark.is_some() {
                for m in MARKED {
                    check(Site::Lab(i, m.name()), row[l.lab_metric(i, m)], &mut finite);
                }
            }
            if self.tracks[i].pv > 0.0 {
                let m = LabMetric::TvShare;
                check(Site::Lab(i, m.name()), row[l.lab_metric(i, m)], &mut finite);
            }
            for y in i * years.years..(i + 1) * years.years {
                check(Site::Lab(i, "revenue (calendar year)"), years.revenue[y], &mut finite);
                check(Site::Lab(i, "fcf (calendar year)"), years.fcf[y], &mut finite);
            }
        }
        check(Site::Run("pv_savings"), row[l.pv_savings()], &mut finite);
        // The sector's per-path sums, in lab order as the summary adds them.
        let (mut fair_value, mut marks) = (0.0, 0.0);
        for (i, lab) in self.params.labs.iter().enumerate() {
            if let (true, Some(v0)) = (lab.closed, lab.mark) {
                fair_value += row[l.lab_metric(i, LabMetric::FairValue)];
                marks += v0;
            }
        }
        check(Site::Run("sector.fair_value"), fair_value, &mut finite);
        check(Site::Run("sector.mark"), marks, &mut finite);
        self.finite = finite;
        match bad {
            Some((site, x)) if self.checked => Err(self.non_finite(site, k, x)),
            _ => Ok(()),
        }
    }
}
