//! One path of the model, in the step order of docs/equations.md §0, composing
//! the pure step functions of [`crate::model`] and [`crate::valuation`].
//!
//! A [`PathRunner`] owns the state, scratch buffers and sub-streams of the
//! path it runs and is reused across the paths of a batch (no allocation per
//! step). Each step has its phases ([`phases`]): observe (prices, pools,
//! revenues, marks, series at `t_k`), flows (cash flows of period k, or the
//! terminal value), advance (shocks and the state at `t_{k+1}`) and events;
//! `finish` writes the path's metrics. The path writes its outputs to a
//! [`PathSink`].
//!
//! The files hold the runner's data: [`streams`] the path's sub-streams,
//! [`step`] the values of the current step, [`tracks`] what the path
//! carries across steps and its metrics, [`watch`] the watched values and
//! where a non-finite one sits, [`phases`] the step's phases.
//!
//! Non-finite values: every step folds whether the values it computed are
//! finite into one flag (a compare and an `and` per value, no branch). A
//! path with a non-finite value is run again in checked mode, which stops at
//! the first one and names it; the path's streams are deterministic, so the
//! rerun sees the same numbers.

mod phases;
mod step;
mod streams;
mod tracks;
mod watch;

use crate::error::Error;
use crate::model::params::PathParams;
use crate::model::state::State;

use self::step::{LabStep, RunStep, SegmentStep};
use self::streams::Streams;
use self::tracks::{LabTrack, YearFlows};
use super::CancelToken;
use super::compiled::Compiled;
use super::layout::RowLayout;
use super::shocks;
use super::sink::PathSink;

/// Runs paths of one compiled scenario; reused across the paths of a batch.
pub struct PathRunner<'c> {
    c: &'c Compiled,
    layout: RowLayout,
    seed: u64,
    /// Every field's value on this path, and the normal scores behind the draws.
    values: Vec<f64>,
    z: Vec<f64>,
    params: PathParams,
    state: State,
    streams: Streams,
    /// Prices and run-wide values of the current step.
    run: RunStep,
    seg: SegmentStep,
    lab: LabStep,
    /// Revenue of the last n steps, `[(k % n) * labs + i]`, for trailing growth.
    history: Vec<f64>,
    denominators: Vec<f64>,
    fired: Vec<bool>,
    /// Each hazard event's `(rate, 1 - exp(-rate dt))` of the last rate seen.
    hazard: Vec<(f64, f64)>,
    obs: Vec<f64>,
    tracks: Vec<LabTrack>,
    years: YearFlows,
    pv_savings: f64,
    /// The path's row of per-path values ([`RowLayout`]).
    row: Vec<f64>,
    /// Whether every watched value so far was finite.
    finite: bool,
    /// Stop at the first non-finite value and name it.
    checked: bool,
    /// `1 - exp(-kappa dt)` of this path's gap half-life.
    gap_pull: f64,
    /// `1 - exp(-theta_y dt)` of this path's adjustment speed.
    pressure_pull: f64,
    /// The lowest price pressure on this path (`-y_up`, or `-inf` one way).
    pressure_floor: f64,
    /// `G_ref`, the path's reference lead (docs/equations.md §2).
    gap_ref: f64,
    /// The gap at `t_k`, before the step's update (for hazards).
    gap_k: f64,
    /// This path's jump samplers (built once per path).
    gap_jumps: shocks::GapJumps,
    lab_jumps: shocks::LabJumps,
    path: u64,
    /// Checked at every step, so that a cancelled run stops within a step of
    /// each worker (a path of 100 years at daily steps takes seconds).
    cancel: CancelToken,
}

/// A failed path: a model error, or a non-finite value still to be located,
/// or a cancelled run.
pub enum PathError {
    Model(Error),
    NonFinite,
    Cancelled,
}

/// Why a path did not finish: an error, or the run's cancellation.
pub enum Stop {
    Failed(Error),
    Cancelled,
}

impl From<Error> for PathError {
    fn from(e: Error) -> Self {
        PathError::Model(e)
    }
}

impl<'c> PathRunner<'c> {
    pub fn new(c: &'c Compiled, seed: u64, cancel: CancelToken) -> Self {
        let nl = c.scenario.labs.len();
        let layout = RowLayout::new(c);
        PathRunner {
            c,
            layout,
            seed,
            values: Vec::new(),
            z: Vec::new(),
            params: PathParams::for_scenario(&c.scenario),
            state: State::default(),
            streams: Streams::new(c, seed),
            run: RunStep::default(),
            seg: SegmentStep::new(c.scenario.segments.len()),
            lab: LabStep::new(nl),
            history: vec![0.0; c.n * nl],
            denominators: Vec::new(),
            fired: vec![false; c.events.len()],
            hazard: vec![(f64::NAN, f64::NAN); c.events.len()],
            obs: vec![0.0; c.series.len()],
            tracks: vec![LabTrack::start(); nl],
            years: YearFlows::new(nl, layout.years),
            pv_savings: 0.0,
            row: vec![0.0; layout.width()],
            finite: true,
            checked: false,
            gap_pull: 0.0,
            pressure_pull: 0.0,
            pressure_floor: 0.0,
            gap_ref: 0.0,
            gap_k: 0.0,
            gap_jumps: shocks::GapJumps::new(&Default::default(), 0.0),
            lab_jumps: shocks::LabJumps::new(0.0, 0.0, 0.0),
            path: 0,
            cancel,
        }
    }

    /// Run path `p`, its process noise drawn as path `noise`'s (`p` but
    /// in a design that shares noise between rows), writing its outputs to
    /// `sink`. A non-finite value anywhere is located by a checked rerun and
    /// returned as [`Error::Numerical`]; a cancelled token stops the path at
    /// the next step (the sink then has part of the path's observations and
    /// no row).
    pub fn run<S: PathSink>(
        &mut self,
        p: u64,
        noise: u64,
        table_row: Option<&[f64]>,
        sink: &mut S,
    ) -> std::result::Result<(), Stop> {
        match self.run_mode(p, noise, table_row, sink, false) {
            Ok(()) => Ok(()),
            Err(PathError::Model(e)) => Err(Stop::Failed(e)),
            Err(PathError::Cancelled) => Err(Stop::Cancelled),
            Err(PathError::NonFinite) => match self.run_mode(p, noise, table_row, sink, true) {
                Err(PathError::Model(e)) => Err(Stop::Failed(e)),
                Err(PathError::Cancelled) => Err(Stop::Cancelled),
                // Unreachable if the checks agree; report the path rather than panic.
                _ => Err(Stop::Failed(Error::numerical(
                    "(unlocated)",
                    p,
                    0,
                    self.c.scenario.start_year(),
                    f64::NAN,
                    "a non-finite value that the checked rerun did not find",
                ))),
            },
        }
    }

    fn run_mode<S: PathSink>(
        &mut self,
        p: u64,
        noise: u64,
        table_row: Option<&[f64]>,
        sink: &mut S,
        checked: bool,
    ) -> std::result::Result<(), PathError> {
        self.checked = checked;
        self.begin(p, noise, table_row);
        let steps = self.c.steps;
        for k in 0..=steps {
            // A relaxed load per step: nothing next to a step's work.
            if self.cancel.is_cancelled() {
                return Err(PathError::Cancelled);
            }
            self.observe(k, sink)?;
            self.flows(k);
            self.watch(k)?;
            if k == steps {
                break;
            }
            self.advance(k)?;
            self.fire_events(k);
        }
        self.finish()?;
        if !self.finite {
            return Err(PathError::NonFinite);
        }
        sink.years(&self.years.revenue, &self.years.fcf);
        sink.row(&self.row);
        Ok(())
    }
}
