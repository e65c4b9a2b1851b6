//! The gap process (docs/equations.md §1) in model v2.1's one unit, the
//! vertical gap in months of frontier progress, `G(t) = 12 (C(t) - O(t)) / s`:
//! the frontier's pace `s`, today's gap, the horizontal lag at each open
//! record, the closed releases as jumps (rate and sizes) and the catch-up
//! half-life `h` and long-run gap `G_inf` fitted to the month-end gaps.

use super::catch_up::{fit_catch_up, simulate};
use super::data::Release;
use super::ols::{self, Cov};
use super::{Curve, Parameter, Window};

/// A class's records: `(time, score)` of each release that beats every earlier one.
pub fn records(releases: &[Release], open: bool) -> Vec<(f64, f64)> {
    let mut rows: Vec<(f64, f64)> = releases
        .iter()
        .filter(|r| r.open == open)
        .filter_map(|r| Some((r.t, r.score?)))
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut best = f64::NEG_INFINITY;
    rows.into_iter()
        .filter(|&(_, s)| {
            let new = s > best;
            best = best.max(s);
            new
        })
        .collect()
}

/// The best score released by `t` (`None` before the first record).
pub fn level(recs: &[(f64, f64)], t: f64) -> Option<f64> {
    recs.iter().take_while(|(rt, _)| *rt <= t + 1e-12).last().map(|r| r.1)
}

/// Month ends `a + k/12` in `(a, b]`.
pub fn month_ends(a: f64, b: f64) -> Vec<f64> {
    (1..)
        .map(|k| a + f64::from(k) / 12.0)
        .take_while(|t| *t <= b + 1e-9)
        .collect()
}

/// What the other fits take from the gap fit.
#[derive(Debug, Clone)]
pub struct GapState {
    /// Closed and open records.
    pub closed: Vec<(f64, f64)>,
    /// Open records.
    pub open: Vec<(f64, f64)>,
    /// The pace `s`, ECI points a year (`None` when not identified).
    pub pace: Option<f64>,
}

impl GapState {
    /// The vertical gap at `t`, months.
    pub fn gap(&self, t: f64) -> Option<f64> {
        Some(12.0 * (level(&self.closed, t)? - level(&self.open, t)?) / self.pace?)
    }
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    (m, (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
}

/// Every gap parameter and curve.
pub fn fit(releases: &[Release], w: &Window, out: &mut Vec<Parameter>, curves: &mut Vec<Curve>) -> GapState {
    let closed = records(releases, false);
    let open = records(releases, true);
    let (a0, b) = (w.start, w.end);
    // 1. Horizontal lag at each open record in the window (Epoch's measure; no pace needed).
    let lags: Vec<f64> = open
        .iter()
        .filter(|(t, _)| a0 <= *t && *t < b)
        .map(|&(t, sc)| {
            let reach = closed.iter().find(|r| r.1 >= sc).map(|r| r.0);
            let lag = reach.filter(|r| *r <= t).map_or(0.0, |r| 12.0 * (t - r));
            curves.push(Curve::new("gap.horizontal_lag", t, lag, "data"));
            lag
        })
        .collect();
    if lags.len() >= 2 {
        let (m, sd) = mean_sd(&lags);
        out.push(Parameter::new(
            "horizontal_lag",
            "L",
            m,
            Some(sd / (lags.len() as f64).sqrt()),
            "months",
            "mean at open records",
            lags.len(),
            "",
            f64::NAN,
            &w.text(0.0),
        ));
    } else {
        out.push(Parameter::none(
            "horizontal_lag",
            "L",
            "months",
            "mean at open records",
            lags.len(),
            &w.text(0.0),
            "not identified: fewer than 2 open records in the window",
        ));
    }
    // 2. The pace: least squares of the closed records on their dates, the window and the year before.
    let cw: Vec<_> = closed.iter().filter(|(t, _)| a0 - 1.0 <= *t && *t < b).collect();
    let x: Vec<_> = cw.iter().map(|(t, _)| vec![1.0, *t]).collect();
    let y: Vec<_> = cw.iter().map(|r| r.1).collect();
    let pace_fit = ols::fit(&x, &y, Cov::Classical).filter(|f| cw.len() >= 3 && f.beta[1] > 0.0);
    let pw = w.text(-1.0);
    let Some(pf) = pace_fit else {
        out.push(Parameter::none(
            "pace",
            "s",
            "ECI points/year",
            "OLS",
            cw.len(),
            &pw,
            "not identified: fewer than 3 closed records (or no rise) in the window",
        ));
        for (p, s) in [
            ("gap.initial", "G_0"),
            ("gap.release_rate", "lambda_R"),
            ("gap.jump_mean", "J_mean"),
            ("gap.jump_sd", "J_sd"),
            ("gap.half_life", "h"),
            ("gap.long_run", "G_inf"),
        ] {
            out.push(Parameter::none(
                p,
                s,
                "",
                "",
                0,
                &w.text(0.0),
                "not identified: no frontier pace",
            ));
        }
        return GapState {
            closed,
            open,
            pace: None,
        };
    };
    let s = pf.beta[1];
    out.push(Parameter::new(
        "pace",
        "s",
        s,
        Some(pf.se(1)),
        "ECI points/year",
        "OLS of closed records on date",
        cw.len(),
        "R2",
        pf.r2,
        &pw,
    ));
    let state = GapState {
        closed: closed.clone(),
        open: open.clone(),
        pace: Some(s),
    };
    // The fit starts where both classes have a record.
    let first = |r: &[(f64, f64)]| r.first().map_or(f64::INFINITY, |x| x.0);
    let a = a0.max(first(&closed)).max(first(&open));
    let grid = month_ends(a, b);
    let gw = w.text_from(a);
    // 3. Today's gap, with the pace's SE by the delta method.
    match state.gap(b) {
        Some(g0) => out.push(Parameter::new(
            "gap.initial",
            "G_0",
            g0,
            Some(g0 * pf.se(1) / s),
            "months",
            "gap at the window end; SE from the pace (delta method)",
            cw.len(),
            "",
            f64::NAN,
            &gw,
        )),
        None => out.push(Parameter::none(
            "gap.initial",
            "G_0",
            "months",
            "",
            0,
            &gw,
            "not identified: no open or closed record",
        )),
    }
    let vert: Vec<f64> = grid.iter().filter_map(|&t| state.gap(t)).collect();
    for (&t, &v) in grid.iter().zip(&vert) {
        curves.push(Curve::new("gap.vertical", t, v, "data"));
        curves.push(Curve::new(
            "eci.closed_frontier",
            t,
            level(&closed, t).unwrap_or(f64::NAN),
            "data",
        ));
        curves.push(Curve::new(
            "eci.open_best",
            t,
            level(&open, t).unwrap_or(f64::NAN),
            "data",
        ));
    }
    // 4. Closed frontier records as jumps of the gap.
    let mut jumps = Vec::new();
    for pair in closed.windows(2) {
        if a <= pair[1].0 && pair[1].0 < b {
            jumps.push((pair[1].0, 12.0 * (pair[1].1 - pair[0].1) / s));
        }
    }
    let span = b - a;
    let nj = jumps.len();
    let lam = nj as f64 / span;
    let loglik = if nj > 0 { nj as f64 * lam.ln() - lam * span } else { 0.0 };
    let rate_se = (nj > 0).then(|| (nj as f64).sqrt() / span);
    out.push(Parameter::new(
        "gap.release_rate",
        "lambda_R",
        lam,
        rate_se,
        "1/year",
        "ML (Poisson)",
        nj,
        "log-likelihood",
        loglik,
        &gw,
    ));
    let sizes: Vec<f64> = jumps.iter().map(|j| j.1).collect();
    if nj >= 2 {
        let (m, sd) = mean_sd(&sizes);
        out.push(Parameter::new(
            "gap.jump_mean",
            "J_mean",
            m,
            Some(sd / (nj as f64).sqrt()),
            "months",
            "mean of closed record jumps",
            nj,
            "",
            f64::NAN,
            &gw,
        ));
        out.push(Parameter::new(
            "gap.jump_sd",
            "J_sd",
            sd,
            Some(sd / (2.0 * (nj as f64 - 1.0)).sqrt()),
            "months",
            "sd of closed record jumps",
            nj,
            "",
            f64::NAN,
            &gw,
        ));
    } else {
        for (p, sy) in [("gap.jump_mean", "J_mean"), ("gap.jump_sd", "J_sd")] {
            out.push(Parameter::none(
                p,
                sy,
                "months",
                "",
                nj,
                &gw,
                "not identified: fewer than 2 closed jumps in the window",
            ));
        }
    }
    // 5. h and G_inf, least squares of the recursion against the month-end gaps.
    let g_start = state.gap(a);
    match g_start.filter(|_| vert.len() >= 4) {
        Some(g0) => {
            let c = fit_catch_up(&grid, &vert, &jumps, g0, a);
            let (se_h, se_g) = c.se.unzip();
            let edge = if c.h <= 0.05 || c.h >= 3.0 || c.g_inf <= -3.0 || c.g_inf >= 6.0 {
                " (at the search grid's edge)"
            } else {
                ""
            };
            let m = format!("least squares of the section-1 recursion{edge}");
            out.push(Parameter::new(
                "gap.half_life",
                "h",
                c.h,
                se_h,
                "years",
                &m,
                vert.len(),
                "RMSE",
                c.rmse,
                &gw,
            ));
            out.push(Parameter::new(
                "gap.long_run",
                "G_inf",
                c.g_inf,
                se_g,
                "months",
                &m,
                vert.len(),
                "RMSE",
                c.rmse,
                &gw,
            ));
            for (&t, v) in grid.iter().zip(simulate(c.h, c.g_inf, g0, a, &jumps, &grid)) {
                curves.push(Curve::new("gap.vertical", t, v, "fit"));
            }
        }
        None => {
            for (p, sy, u) in [("gap.half_life", "h", "years"), ("gap.long_run", "G_inf", "months")] {
                out.push(Parameter::none(
                    p,
                    sy,
                    u,
                    "least squares",
                    vert.len(),
                    &gw,
                    "not identified: fewer than 4 month ends with both classes",
                ));
            }
        }
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_levels() {
        let r = |t: f64, s: f64, open: bool| Release {
            line: 0,
            date: String::new(),
            t,
            model: String::new(),
            lab: String::new(),
            open,
            score: Some(s),
            input_price: None,
            output_price: None,
        };
        let rel = [
            r(1.0, 10.0, false),
            r(2.0, 9.0, false),
            r(3.0, 12.0, false),
            r(1.5, 5.0, true),
        ];
        let c = records(&rel, false);
        assert_eq!(c, vec![(1.0, 10.0), (3.0, 12.0)]);
        assert_eq!(
            (level(&c, 0.5), level(&c, 2.0), level(&c, 3.0)),
            (None, Some(10.0), Some(12.0))
        );
        assert_eq!(month_ends(0.0, 0.25).len(), 3);
    }
}
