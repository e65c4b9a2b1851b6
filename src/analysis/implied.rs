//! The reverse DCF, "what must you believe": the value of one input at
//! which a lab's fair value meets its mark, with everything else as the
//! scenario says.
//!
//! - **The root.** `target = mean`: the mean fair value equals the mean
//!   mark over the paths (`mean E - mean V0 = 0`); `target = median`: the
//!   median of `phi = E / V0` equals 1. Both are defined whether the mark
//!   is fixed or drawn.
//! - **How the input moves.** A fixed input is *set* to the value. An
//!   uncertain one keeps its shape: every draw is *shifted* by the same
//!   amount (its truncation bounds with it), or, where the field's domain is
//!   positive only (`> 0`, `>= 0`, `(0, hi]`), *scaled* by the same factor.
//!   The input is always named by its central value (the fixed value, or
//!   the median of the distribution), so a bracket and a root are in the
//!   input's own unit whichever way it moves.
//! - **Why an input table.** The shift and the scale are applied to the
//!   per-path draws of the unmodified scenario, given to the engine as an
//!   input table ([`Simulation::inputs`](crate::Simulation::inputs)). Each
//!   drawn input has its own random stream, so the table moves that input only: every other draw and
//!   every shock stays the same (common random numbers), and the statistic
//!   is a smooth function of the input that Brent's method can solve. The
//!   same transformation of the distribution's parameters would give the
//!   same draws for the location families (normal, triangular, PERT,
//!   uniform) but has no form for a shifted lognormal; the table works for
//!   every family. A shift or scale that would take the distribution's
//!   support out of the field's domain is refused, naming the field.
//! - **The method.** Brent's method (inverse quadratic interpolation with
//!   bisection as the fallback), implemented here: no maintained crate could
//!   be added from this build's registry.
//! - **Its Monte Carlo uncertainty**, by the delta method: the standard
//!   error of the statistic's gap at the root over the slope of the gap in
//!   the input (a central difference about the root on the same random
//!   numbers). The gap's standard error is `sd(E - V0) / sqrt(N)` for the
//!   mean; for the median, the order-statistic estimate
//!   `(x[(N + sqrt N) / 2] - x[(N - sqrt N) / 2]) / 2`.
//! - **The check**: a rerun at the root on an independent seed (the next
//!   seed), whose gap must be within three combined standard errors of 0.

use serde::Serialize;

use super::runs::{Remote, Runs, Watch};
use crate::dist::Support;
use crate::engine::{CancelToken, InputTable};
use crate::error::{Error, Num, Result};
use crate::results::{LabMetric, Results};
use crate::scenario::{Domain, Field, Scenario};
use crate::stats;

/// What the root equates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Mean fair value equals mean mark.
    #[default]
    Mean,
    /// Median phi equals 1.
    Median,
}

impl Target {
    /// Parse `mean` or `median`.
    ///
    /// # Errors
    /// [`Error::Argument`] for anything else.
    pub fn parse(text: &str) -> Result<Target> {
        match text {
            "mean" => Ok(Target::Mean),
            "median" => Ok(Target::Median),
            _ => Err(Error::argument(
                "target",
                format!("expected mean or median, got {text:?}"),
            )),
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Target::Mean => "mean",
            Target::Median => "median",
        }
    }
}

/// How the search moves the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// A fixed input, set to the value.
    Set,
    /// An uncertain input, every draw moved by the same amount.
    Shift,
    /// An uncertain input of a positive-only domain, every draw multiplied by the same factor.
    Scale,
}

impl How {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            How::Set => "set",
            How::Shift => "shift",
            How::Scale => "scale",
        }
    }
}

/// The settings of a search.
#[derive(Clone, Debug)]
pub struct Options {
    /// Paths per run.
    pub paths: u64,
    /// The seed of the runs (the check uses `seed + 1`).
    pub seed: u64,
    /// What the root equates.
    pub target: Target,
    /// The bracket, in the input's unit (its central value); default from
    /// the field's domain and distribution ([`default_bracket`]).
    pub bracket: Option<(f64, f64)>,
    /// Stops the runs when cancelled.
    pub cancel: Option<CancelToken>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// The memory limit of each run, bytes (None: the default).
    pub max_memory: Option<u64>,
    /// Told of each run's progress, named `<input> run <k>` (None: no one).
    pub observer: Option<Watch>,
    /// Runs the runs elsewhere, one at a time (None: here, on all cores).
    /// The search is the same (the same Brent iterates) if the executor's
    /// results are the engine's bit for bit.
    pub executor: Option<Remote>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            paths: 5_000,
            seed: 42,
            target: Target::Mean,
            bracket: None,
            cancel: None,
            threads: None,
            max_memory: None,
            observer: None,
            executor: None,
        }
    }
}

/// A lab's median revenue in one calendar year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YearRevenue {
    /// The calendar year.
    pub year: i32,
    /// Median revenue that year at the root, USD bn.
    pub median: f64,
    /// Its percentile (0-100) among the unmodified scenario's revenues that year.
    pub percentile_today: f64,
}

/// The check: a rerun at the root on an independent seed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// Its seed.
    pub seed: u64,
    /// The statistic's gap there (0 at an exact root).
    pub gap: f64,
    /// The tolerance's unit: the combined standard error of the rerun's gap
    /// and of the root's own uncertainty.
    pub se: f64,
    /// Whether `|gap| <= 3 se`.
    pub ok: bool,
}

/// The answer for one input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Implied {
    /// The lab's id.
    pub lab: String,
    /// The input's field path.
    pub input: String,
    /// Its unit.
    pub unit: String,
    /// What the root equates.
    pub target: Target,
    /// How the input was moved.
    pub how: How,
    /// The statistic whose gap is solved (`mean E - mean V0`, or `median phi - 1`).
    pub statistic: String,
    /// The input's central value today (fixed value, or the distribution's median).
    pub today: f64,
    /// The input's central value at the root.
    pub root: f64,
    /// The move at the root: the shift (`root - today` for set and shift), or the scale factor.
    pub change: f64,
    /// The root's Monte Carlo standard error (delta method).
    pub se: f64,
    /// The gap's slope in the input at the root.
    pub slope: f64,
    /// The gap today (the unmodified scenario) and at the root.
    pub gap_today: f64,
    /// The gap at the root, on the search's seed.
    pub gap_at_root: f64,
    /// The bracket searched, in the input's unit.
    pub bracket: (f64, f64),
    /// Runs of the engine.
    pub runs: usize,
    /// Median revenue by calendar year at the root.
    pub revenue: Vec<YearRevenue>,
    /// The years whose percentile is reported (2030 and 2035, or the last year).
    pub percentile_years: Vec<i32>,
    /// The rerun at the root on an independent seed.
    pub check: Check,
}

/// A row of the investor's page: an answer or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PageRow {
    /// The answer.
    Root(Box<Implied>),
    /// No root in the default bracket, or an input that cannot be solved.
    Skipped {
        /// The input's field path.
        input: String,
        /// Why.
        note: String,
    },
}

/// The gap of a run and its standard error.
#[derive(Clone, Copy, Debug)]
struct Gap {
    value: f64,
    se: f64,
}

/// The input being solved for: its field, how it moves, and the draws of the unmodified scenario.
struct Mover<'a> {
    scenario: &'a Scenario,
    field: Field,
    how: How,
    today: f64,
    support: Option<Support>,
}

impl<'a> Mover<'a> {
    fn new(scenario: &'a Scenario, input: &str) -> Result<Mover<'a>> {
        let fields = scenario.fields();
        let field = fields.into_iter().find(|f| f.path == input).ok_or_else(|| {
            Error::argument(
                "input",
                format!("{input:?} is not an input of the scenario (see `aibubble show --expanded`)"),
            )
        })?;
        if !field.uncertain {
            return Err(Error::argument(
                "input",
                format!("{input:?} is a fixed setting, not an input that may be uncertain"),
            ));
        }
        let (how, support) = match &field.value {
            crate::dist::Uncertain::Dist(d) if field.value.fixed_value().is_none() => {
                let sampler = d.sampler().map_err(|m| Error::problem(input, m))?;
                let how = if positive_only(field.domain) {
                    How::Scale
                } else {
                    How::Shift
                };
                (how, Some(sampler.support()))
            }
            _ => (How::Set, None),
        };
        let today = field.value.central();
        if how == How::Scale && today <= 0.0 {
            return Err(Error::argument(
                "input",
                format!("{input}: its median is {}, so it cannot be scaled", Num(today)),
            ));
        }
        Ok(Mover {
            scenario,
            field,
            how,
            today,
            support,
        })
    }

    /// The move that puts the central value at `x`.
    fn change(&self, x: f64) -> f64 {
        match self.how {
            How::Set | How::Shift => x - self.today,
            How::Scale => x / self.today,
        }
    }

    /// Whether the input may take central value `x`; if not, why.
    fn admits(&self, x: f64) -> std::result::Result<(), String> {
        let path = &self.field.path;
        let d = self.field.domain;
        match (self.how, self.support) {
            (How::Set, _) => {
                if d.contains(x) {
                    Ok(())
                } else {
                    Err(format!("{path} {}, got {}", d.describe(), short(x)))
                }
            }
            (how, Some(s)) => {
                let c = self.change(x);
                let moved = match how {
                    How::Shift => Support {
                        lo: s.lo + c,
                        hi: s.hi + c,
                        open: s.open,
                    },
                    _ => Support {
                        lo: s.lo * c,
                        hi: s.hi * c,
                        open: s.open,
                    },
                };
                if c.is_finite() && (how == How::Shift || c > 0.0) && d.contains_support(moved) {
                    Ok(())
                } else {
                    Err(format!(
                        "{path}: a {} by {} takes its draws out of its domain ({}): they would span [{}, {}]",
                        how.name(),
                        short(c),
                        d.describe(),
                        short(moved.lo),
                        short(moved.hi)
                    ))
                }
            }
            _ => unreachable!("an uncertain input has a support"),
        }
    }
}

/// A number to seven significant figures, for messages.
fn short(x: f64) -> Num {
    Num(format!("{x:.6e}").parse().unwrap_or(x))
}

/// A domain of positive values only: `> 0`, `>= 0`, or `(0, hi]`.
fn positive_only(d: Domain) -> bool {
    matches!(
        d,
        Domain::Positive
            | Domain::NonNegative
            | Domain::Interval {
                lo: 0.0,
                lo_open: true,
                ..
            }
    )
}

/// The runs of one search: the base draws per seed, the lab, the target.
struct Search<'a> {
    mover: Mover<'a>,
    lab: String,
    options: &'a Options,
    runs: usize,
}

impl Search<'_> {
    /// The options' runs on `seed`.
    fn on(&self, seed: u64) -> Runs {
        let o = self.options;
        Runs {
            paths: o.paths,
            seed,
            threads: o.threads,
            max_memory: o.max_memory,
            cancel: o.cancel.clone(),
            observer: o.observer.clone(),
            executor: o.executor.clone(),
            // The page places the root's median revenue of a year among
            // the base run's per-path values of that year.
            keep_years: true,
        }
    }

    /// Run `scenario` on `seed`, its inputs from `table` where given.
    fn run(&self, scenario: &Scenario, seed: u64, table: Option<&InputTable>) -> Result<Results> {
        let what = format_args!("{} run {}", self.mover.field.path, self.runs);
        self.on(seed).run_as(scenario, table, what)
    }

    /// The unmodified scenario's run on `seed`.
    fn base(&mut self, seed: u64) -> Result<Results> {
        self.runs += 1;
        self.run(self.mover.scenario, seed, None)
    }

    /// The run with the input at central value `x`, on the seed of `base`
    /// (whose draws are moved for an uncertain input).
    fn at(&mut self, x: f64, base: &Results) -> Result<Results> {
        self.mover.admits(x).map_err(|m| Error::argument("bracket", m))?;
        self.runs += 1;
        let m = &self.mover;
        match m.how {
            How::Set => {
                let s = m.scenario.with(&m.field.path, x)?;
                self.run(&s, base.seed, None)
            }
            how => {
                let drawn = &base
                    .inputs
                    .iter()
                    .find(|c| c.name == m.field.path)
                    .expect("a drawn input has its column")
                    .values;
                let c = m.change(x);
                let values = drawn
                    .iter()
                    .map(|v| if how == How::Shift { v + c } else { v * c })
                    .collect();
                let table = InputTable::new(vec![m.field.path.clone()], values)?;
                self.run(m.scenario, base.seed, Some(&table))
            }
        }
    }

    fn gap(&self, r: &Results) -> Result<Gap> {
        gap_of(r, &self.lab, self.options.target)
    }

    /// The gap of the run with the input at `x`.
    fn gap_at(&mut self, x: f64, base: &Results) -> Result<Gap> {
        let r = self.at(x, base)?;
        self.gap(&r)
    }
}

/// The statistic's gap in a run: `mean(E - V0)` or `median(phi) - 1`, with its standard error.
fn gap_of(r: &Results, lab: &str, target: Target) -> Result<Gap> {
    let paths = r
        .lab(lab)
        .ok_or_else(|| Error::argument("lab", format!("the run has no lab {lab:?}")))?;
    let fv = paths.values(LabMetric::FairValue);
    match target {
        Target::Mean => {
            let d: Vec<f64> = fv
                .iter()
                .zip(r.lab_marks(paths))
                .map(|(e, v)| e - v)
                .filter(|x| !x.is_nan())
                .collect();
            let m = stats::moments(&d);
            Ok(Gap {
                value: m.mean,
                se: m.se,
            })
        }
        Target::Median => {
            let phi = stats::sorted(paths.values(LabMetric::Phi));
            let n = phi.len() as f64;
            let h = 0.5 / n.sqrt();
            let se = (stats::quantile_sorted(&phi, 0.5 + h) - stats::quantile_sorted(&phi, 0.5 - h)) / 2.0;
            Ok(Gap {
                value: stats::quantile_sorted(&phi, 0.5) - 1.0,
                se,
            })
        }
    }
}

/// Brent's method for a root of `f` in `[a, b]` where `f(a)` and `f(b)`
/// differ in sign (given as `fa`, `fb`): stops when the bracket is narrower
/// than `xtol` or `|f| <= ftol`. Returns the root, `f` there and the
/// number of evaluations.
///
/// # Errors
/// Those of `f`. After 100 steps the best point is returned as it stands
/// (bisection takes over whenever interpolation does not shrink the
/// bracket, so 100 steps are not reached in practice).
pub fn brent<F>(
    mut f: F,
    mut a: f64,
    mut b: f64,
    mut fa: f64,
    mut fb: f64,
    xtol: f64,
    ftol: f64,
) -> Result<(f64, f64, usize)>
where
    F: FnMut(f64) -> Result<f64>,
{
    const MAX_ITER: usize = 100;
    if fa == 0.0 {
        return Ok((a, fa, 0));
    }
    if fb == 0.0 {
        return Ok((b, fb, 0));
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    let mut evals = 0;
    for _ in 0..MAX_ITER {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol || fb.abs() <= ftol || fb == 0.0 {
            return Ok((b, fb, evals));
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q) = if a == c {
                (2.0 * xm * s, 1.0 - s)
            } else {
                let (q0, r) = (fa / fc, fb / fc);
                (
                    s * (2.0 * xm * q0 * (q0 - r) - (b - a) * (r - 1.0)),
                    (q0 - 1.0) * (r - 1.0) * (s - 1.0),
                )
            };
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            let min1 = 3.0 * xm * q - (tol * q).abs();
            let min2 = (e * q).abs();
            if 2.0 * p < min1.min(min2) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(xm) };
        fb = f(b)?;
        evals += 1;
    }
    Ok((b, fb, evals))
}

/// The default bracket of an input, in its unit: about the central value
/// `v` (a tenth to ten times `v` for a positive-only domain; `v` plus or
/// minus the larger of `|v|` and three times the distribution's 5-95%
/// range otherwise), cut to the values the input may take (its domain for
/// a set; for a shift or scale, the moves that keep the distribution's
/// support in the domain).
///
/// # Errors
/// [`Error::Argument`] for an input the scenario does not have.
pub fn default_bracket(scenario: &Scenario, input: &str) -> Result<(f64, f64)> {
    let m = Mover::new(scenario, input)?;
    Ok(bracket_of(&m))
}

fn bracket_of(m: &Mover<'_>) -> (f64, f64) {
    let v = m.today;
    let d = m.field.domain;
    let (mut lo, mut hi) = if positive_only(d) && v > 0.0 {
        (v / 10.0, v * 10.0)
    } else {
        let spread = match &m.field.value {
            crate::dist::Uncertain::Dist(dist) => dist
                .sampler()
                .map(|s| 3.0 * (s.quantile(0.95) - s.quantile(0.05)))
                .unwrap_or(0.0),
            crate::dist::Uncertain::Fixed(_) => 0.0,
        };
        let w = v.abs().max(spread).max(0.1);
        (v - w, v + w)
    };
    // An end the input cannot take is pulled towards today's value (which
    // it can take) by bisection, to the furthest value it can.
    for end in [&mut lo, &mut hi] {
        if m.admits(*end).is_err() {
            let (mut ok, mut bad) = (v, *end);
            for _ in 0..60 {
                let mid = 0.5 * (ok + bad);
                if m.admits(mid).is_ok() {
                    ok = mid;
                } else {
                    bad = mid;
                }
            }
            *end = ok;
        }
    }
    (lo, hi)
}

/// How an analysis moves one input (as the reverse DCF does): set, shifted
/// or scaled, named by its central value `today`, with the default range
/// of central values it may take ([`default_bracket`]).
#[derive(Clone, Debug, Serialize)]
pub struct Movement {
    /// The field path.
    pub input: String,
    /// Set, shift or scale.
    pub how: How,
    /// The central value today: the fixed value, or the distribution's median.
    pub today: f64,
    /// The default range of central values, inside what the input can take.
    pub bracket: (f64, f64),
    /// The field's unit.
    pub unit: String,
}

/// How `input` moves when its central value is put elsewhere.
///
/// # Errors
/// [`Error::Argument`] naming `input` when it is not an input that may be
/// uncertain, or an uncertain one of median <= 0 on a positive-only domain.
pub fn movement(scenario: &Scenario, input: &str) -> Result<Movement> {
    let m = Mover::new(scenario, input)?;
    Ok(Movement {
        input: input.to_string(),
        how: m.how,
        today: m.today,
        bracket: bracket_of(&m),
        unit: m.field.unit.to_string(),
    })
}

/// `input`'s value with its central value at `x`: the fixed value `x`, or
/// the distribution shifted or scaled as [`movement`] says, as a scenario
/// file writes it; the move changes each draw exactly as the input table
/// of an analysis does (up to rounding).
///
/// # Errors
/// [`Error::Argument`] as [`movement`], or naming `input` and `x` when the
/// input cannot take `x` (its draws would leave the domain), or when the
/// family has no form for the move (a shifted lognormal).
pub fn moved(scenario: &Scenario, input: &str, x: f64) -> Result<crate::dist::Uncertain> {
    let m = Mover::new(scenario, input)?;
    m.admits(x).map_err(|e| Error::argument(input, e))?;
    let c = m.change(x);
    match (&m.field.value, m.how) {
        (_, How::Set) => Ok(crate::dist::Uncertain::Fixed(x)),
        (crate::dist::Uncertain::Dist(d), how) => {
            let out = if how == How::Shift { d.shifted(c) } else { d.scaled(c) };
            out.map(crate::dist::Uncertain::Dist).ok_or_else(|| {
                Error::argument(
                    input,
                    format!(
                        "a {} {} by {} has no form as a distribution",
                        d.family(),
                        how.name(),
                        short(c)
                    ),
                )
            })
        }
        (crate::dist::Uncertain::Fixed(_), _) => unreachable!("a fixed input is set"),
    }
}

/// Solve for the value of `input` at which `lab`'s fair value meets its mark.
///
/// # Errors
/// [`Error::Argument`] for a lab without a mark, an unknown input, a
/// bracket the input cannot take (naming the field), or a bracket whose ends
/// give gaps of the same sign (stating both); the errors of the runs.
pub fn implied(scenario: &Scenario, lab: &str, input: &str, options: &Options) -> Result<Implied> {
    let l = scenario.lab(lab).ok_or_else(|| {
        let ids: Vec<&str> = scenario.labs.iter().map(|l| l.id.as_str()).collect();
        Error::argument(
            "lab",
            format!("no lab {lab:?}; the scenario's labs are {}", ids.join(", ")),
        )
    })?;
    if l.mark.is_none() {
        return Err(Error::argument(
            "lab",
            format!("lab {lab:?} has no mark: the reverse DCF solves for the mark's value"),
        ));
    }
    let mover = Mover::new(scenario, input)?;
    let (lo, hi) = match options.bracket {
        Some((a, b)) if a.is_finite() && b.is_finite() && a < b => (a, b),
        Some((a, b)) => {
            return Err(Error::argument(
                "bracket",
                format!("needs two finite values LO < HI, got {}, {}", Num(a), Num(b)),
            ));
        }
        None => bracket_of(&mover),
    };
    for x in [lo, hi] {
        mover.admits(x).map_err(|m| Error::argument("bracket", m))?;
    }
    let mut search = Search {
        mover,
        lab: lab.to_string(),
        options,
        runs: 0,
    };
    let base = search.base(options.seed)?;
    let gap_today = search.gap(&base)?;
    let (ga, gb) = (search.gap_at(lo, &base)?, search.gap_at(hi, &base)?);
    let statistic = match options.target {
        Target::Mean => format!("labs.{lab}.fair_value.mean - mean mark"),
        Target::Median => format!("labs.{lab}.phi.p50 - 1"),
    };
    if !ga.value.is_finite() || !gb.value.is_finite() || (ga.value > 0.0) == (gb.value > 0.0) {
        return Err(Error::argument(
            "bracket",
            format!(
                "no root for {input} in [{}, {}]: {statistic} is {} at {} and {} at {} (the same sign); widen the bracket or choose another input",
                short(lo),
                short(hi),
                short(ga.value),
                short(lo),
                short(gb.value),
                short(hi)
            ),
        ));
    }
    let ftol = 0.01 * ga.se.min(gb.se);
    let xtol = 1e-4 * (hi - lo);
    let (root, gap_at_root, _) = brent(
        |x| Ok(search.gap_at(x, &base)?.value),
        lo,
        hi,
        ga.value,
        gb.value,
        xtol,
        ftol,
    )?;
    // The slope, by a central difference about the root inside the bracket.
    let h = 0.01 * (hi - lo);
    let (x0, x1) = ((root - h).max(lo), (root + h).min(hi));
    let slope = (search.gap_at(x1, &base)?.value - search.gap_at(x0, &base)?.value) / (x1 - x0);
    let at_root = search.at(root, &base)?;
    let g_root = search.gap(&at_root)?;
    let se = g_root.se / slope.abs();
    // The check, on an independent seed.
    let check_seed = options.seed.wrapping_add(1);
    let rerun = if search.mover.how == How::Set {
        search.runs += 1;
        let s = scenario.with(input, root)?;
        search.run(&s, check_seed, None)?
    } else {
        let other = search.base(check_seed)?;
        search.at(root, &other)?
    };
    let g_check = search.gap(&rerun)?;
    let check_se = (g_check.se.powi(2) + (slope * se).powi(2)).sqrt();
    let check = Check {
        seed: check_seed,
        gap: g_check.value,
        se: check_se,
        ok: g_check.value.abs() <= 3.0 * check_se,
    };
    let (revenue, percentile_years) = revenue_path(&at_root, &base, lab);
    let m = &search.mover;
    Ok(Implied {
        lab: lab.into(),
        input: input.into(),
        unit: m.field.unit.into(),
        target: options.target,
        how: m.how,
        statistic,
        today: m.today,
        root,
        change: m.change(root),
        se,
        slope,
        gap_today: gap_today.value,
        gap_at_root,
        bracket: (lo, hi),
        runs: search.runs,
        revenue,
        percentile_years,
        check,
    })
}

/// Median revenue by calendar year at the root, each with its percentile
/// among the unmodified scenario's; and the years the page reports (2030
/// and 2035, each the last year if the horizon ends earlier).
fn revenue_path(at_root: &Results, base: &Results, lab: &str) -> (Vec<YearRevenue>, Vec<i32>) {
    let (Some(a), Some(b)) = (at_root.lab(lab), base.lab(lab)) else {
        return (Vec::new(), Vec::new());
    };
    let revenue: Vec<YearRevenue> = a
        .revenue
        .iter()
        .zip(&b.revenue)
        .filter_map(|(ca, cb)| {
            let year = ca.name.parse::<i32>().ok()?;
            let median = stats::quantile_sorted(&stats::sorted(&ca.values), 0.5);
            let below = cb.values.iter().filter(|x| **x <= median).count();
            let n = cb.values.iter().filter(|x| !x.is_nan()).count().max(1);
            Some(YearRevenue {
                year,
                median,
                percentile_today: 100.0 * below as f64 / n as f64,
            })
        })
        .collect();
    let last = revenue.last().map_or(0, |y| y.year);
    let mut years: Vec<i32> = [2030, 2035].iter().map(|y| (*y).min(last)).collect();
    years.dedup();
    (revenue, years)
}

/// The inputs of the investor's page for a lab: each segment the lab sells
/// in (a positive weight today) by its growth fade and its initial growth,
/// then the lab's long-run gross margin and committed share, the discount
/// rate and the premium's sensitivity to the lead.
pub fn standard_inputs(scenario: &Scenario, lab: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(l) = scenario.lab(lab) {
        for s in &scenario.segments {
            if l.weights.get(&s.id).is_some_and(|w| w.central() > 0.0) {
                out.push(format!("segments.{}.growth_tau", s.id));
                out.push(format!("segments.{}.growth_0", s.id));
            }
        }
    }
    for p in [
        format!("labs.{lab}.gross_margin_inf"),
        format!("labs.{lab}.committed"),
        "valuation.discount_rate".into(),
        "prices.premium_sensitivity".into(),
    ] {
        out.push(p);
    }
    let fields = scenario.fields();
    out.retain(|p| fields.iter().any(|f| f.path == *p));
    out
}

/// The investor's page: [`implied`] for each of [`standard_inputs`] in its
/// default bracket, an input without a root there skipped with a note.
///
/// # Errors
/// A lab without a mark, and the errors of the runs (cancellation, limits);
/// an input's own failure to solve is a [`PageRow::Skipped`].
pub fn investor_page(scenario: &Scenario, lab: &str, options: &Options) -> Result<Vec<PageRow>> {
    match scenario.lab(lab) {
        Some(l) if l.mark.is_some() => {}
        _ => {
            // The lab's own error, as for one input.
            let first = standard_inputs(scenario, lab).into_iter().next().unwrap_or_default();
            implied(scenario, lab, &first, options)?;
        }
    }
    let mut rows = Vec::new();
    let options = Options {
        bracket: None,
        ..options.clone()
    };
    for input in standard_inputs(scenario, lab) {
        match implied(scenario, lab, &input, &options) {
            Ok(r) => rows.push(PageRow::Root(Box::new(r))),
            Err(Error::Argument { message, .. }) => rows.push(PageRow::Skipped { input, note: message }),
            Err(e) => return Err(e),
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Simulation;

    fn options(paths: u64, bracket: Option<(f64, f64)>) -> Options {
        Options {
            paths,
            seed: 7,
            bracket,
            ..Options::default()
        }
    }

    #[test]
    fn brent_finds_known_roots() {
        // Brent's own example: x^3 - 2x - 5 = 0 at 2.0945514815423265.
        let f = |x: f64| x * x * x - 2.0 * x - 5.0;
        let (x, _, n) = brent(|x| Ok(f(x)), 2.0, 3.0, f(2.0), f(3.0), 1e-12, 0.0).unwrap();
        assert!((x - 2.094_551_481_542_326_5).abs() < 1e-10, "{x}");
        assert!(n < 15, "{n} evaluations");
        // cos x = x, bracketed the other way round and with a flat end.
        let g = |x: f64| x.cos() - x;
        let (x, _, _) = brent(|x| Ok(g(x)), 1.0, 0.0, g(1.0), g(0.0), 1e-12, 0.0).unwrap();
        assert!((x - 0.739_085_133_215_160_6).abs() < 1e-10, "{x}");
        // A step (no smoothness): bisection still closes in.
        let h = |x: f64| if x < 0.3 { -1.0 } else { 1.0 };
        let (x, _, _) = brent(|x| Ok(h(x)), 0.0, 1.0, -1.0, 1.0, 1e-9, 0.0).unwrap();
        assert!((x - 0.3).abs() < 1e-8, "{x}");
    }

    #[test]
    fn the_root_is_confirmed_by_a_rerun() {
        let s = Scenario::preset("baseline").unwrap();
        let r = implied(&s, "anthropic", "labs.anthropic.gross_margin_inf", &options(600, None)).unwrap();
        assert_eq!(r.how, How::Set);
        assert!(r.se.is_finite() && r.se > 0.0, "{r:?}");
        // On the search's seed the gap at the root is ~0 within its se.
        let g = gap_of(
            &Simulation::new(&s.with("labs.anthropic.gross_margin_inf", r.root).unwrap())
                .unwrap()
                .paths(600)
                .seed(7)
                .run()
                .unwrap(),
            "anthropic",
            Target::Mean,
        )
        .unwrap();
        assert!(g.value.abs() <= 0.05 * g.se, "{g:?}");
        // On an independent seed within three combined standard errors.
        assert!(r.check.ok, "{:?}", r.check);
        assert!(!r.revenue.is_empty() && r.percentile_years == vec![2030, 2035]);
    }

    #[test]
    fn a_shifted_mark_has_an_analytic_root() {
        // The fair value hardly depends on the mark (by 0.02% over this
        // bracket), and the mark's domain is positive, so it is scaled:
        // mean E = c mean V0 at c = mean E / mean V0 of the unmodified run.
        let s = Scenario::preset("baseline").unwrap();
        let base = Simulation::new(&s).unwrap().paths(400).seed(7).run().unwrap();
        let lab = base.lab("anthropic").unwrap();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let c = mean(lab.values(LabMetric::FairValue)) / mean(&base.lab_marks(lab));
        let today = s.lab("anthropic").unwrap().mark.as_ref().unwrap().central();
        let r = implied(
            &s,
            "anthropic",
            "labs.anthropic.mark",
            &options(400, Some((0.05 * today, 5.0 * today))),
        )
        .unwrap();
        assert_eq!(r.how, How::Scale);
        assert!((r.change - c).abs() < 2e-3 * c, "{} against {c}", r.change);
    }

    #[test]
    fn a_bracket_without_a_root_states_both_ends() {
        let s = Scenario::preset("baseline").unwrap();
        let e = implied(
            &s,
            "openai",
            "labs.openai.gross_margin_inf",
            &options(300, Some((0.1, 0.2))),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("no root for labs.openai.gross_margin_inf in [0.1, 0.2]"),
            "{e}"
        );
        assert!(
            e.contains(" at 0.1 and ") && e.contains(" at 0.2 (the same sign)"),
            "{e}"
        );
    }

    #[test]
    fn a_moved_input_has_its_central_value_and_its_shape() {
        use crate::dist::Uncertain;
        let s = Scenario::preset("baseline").unwrap();
        // A fixed input is set.
        let m = movement(&s, "labs.openai.mark").unwrap();
        assert_eq!(m.how, How::Set);
        assert_eq!(moved(&s, "labs.openai.mark", 300.0).unwrap(), Uncertain::Fixed(300.0));
        // A shifted distribution: every quantile moves by the same amount.
        for (input, x) in [
            ("gap.long_run", 4.0),
            ("valuation.discount_rate", 0.2),
            ("gap.half_life", 0.4),
        ] {
            let m = movement(&s, input).unwrap();
            assert!(m.bracket.0 < m.today && m.today < m.bracket.1, "{input}: {m:?}");
            let field = s.fields().into_iter().find(|f| f.path == input).unwrap();
            let Uncertain::Dist(before) = field.value else {
                panic!("{input} is drawn in baseline")
            };
            let Uncertain::Dist(after) = moved(&s, input, x).unwrap() else {
                panic!("{input} stays a distribution")
            };
            let (a, b) = (before.sampler().unwrap(), after.sampler().unwrap());
            assert!(
                (b.quantile(0.5) - x).abs() <= 1e-12 * x.abs().max(1.0),
                "{input}: median {}",
                b.quantile(0.5)
            );
            for u in [0.01, 0.2, 0.5, 0.9, 0.99] {
                let want = match m.how {
                    How::Shift => a.quantile(u) + (x - m.today),
                    _ => a.quantile(u) * (x / m.today),
                };
                assert!(
                    (b.quantile(u) - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "{input} at {u}"
                );
            }
        }
        let e = moved(&s, "labs.anthropic.committed", 1.2).unwrap_err().to_string();
        assert!(
            e.contains("labs.anthropic.committed") && e.contains("out of its domain"),
            "{e}"
        );
        let e = movement(&s, "no.such.input").unwrap_err().to_string();
        assert!(e.contains("no.such.input"), "{e}");
    }

    #[test]
    fn a_shift_out_of_the_domain_names_the_field() {
        let s = Scenario::preset("baseline").unwrap();
        // committed is triangular on [0.8, 1] within [0, 1]: a median of 1.2 is out.
        let e = implied(
            &s,
            "anthropic",
            "labs.anthropic.committed",
            &options(300, Some((0.5, 1.2))),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("labs.anthropic.committed: a shift by"), "{e}");
        assert!(
            e.contains("takes its draws out of its domain (must be in [0, 1])"),
            "{e}"
        );
        // The default bracket stays inside.
        let (lo, hi) = default_bracket(&s, "labs.anthropic.committed").unwrap();
        assert!(lo < hi && hi <= 0.9 + 1e-9, "{lo} {hi}");
        let (lo, hi) = default_bracket(&s, "prices.premium_sensitivity").unwrap();
        assert!(lo > 0.0 && hi > lo);
    }

    #[test]
    fn the_standard_inputs_apply_to_the_lab() {
        let s = Scenario::preset("baseline").unwrap();
        let inputs = standard_inputs(&s, "openai");
        assert!(inputs.contains(&"segments.consumer.growth_tau".to_string()));
        assert!(inputs.contains(&"labs.openai.committed".to_string()));
        assert!(inputs.contains(&"valuation.discount_rate".to_string()));
        assert!(implied(&s, "google", "valuation.discount_rate", &Options::default()).is_err());
    }

    #[test]
    fn the_page_has_a_row_for_every_standard_input() {
        let s = Scenario::preset("baseline").unwrap();
        let rows = investor_page(&s, "openai", &options(200, None)).unwrap();
        let inputs: Vec<String> = rows
            .iter()
            .map(|r| match r {
                PageRow::Root(r) => r.input.clone(),
                PageRow::Skipped { input, note } => {
                    assert!(note.contains("no root"), "{note}");
                    input.clone()
                }
            })
            .collect();
        assert_eq!(inputs, standard_inputs(&s, "openai"));
        assert!(rows.iter().any(|r| matches!(r, PageRow::Root(_))));
        let e = investor_page(&s, "google", &options(200, None))
            .unwrap_err()
            .to_string();
        assert!(e.contains("has no mark"), "{e}");
    }
}
