//! The analysis layer: the questions an investor asks after a distribution
//! (what today's price implies, which assumption drives the answer, where
//! the repricing comes from), answered from runs of the engine on common
//! random numbers. It sits above the engine, the summary, the results and
//! the net statistics, and below the front ends; one file per tool.
//!
//! - [`statistic`]: the one way a tool names a number of a run
//!   (`labs.openai.p_pop`, `sector.fair_value.mean`), its per-path values and
//!   its standard error, alone or paired between two runs.
//! - [`input_table`]: input tables read from CSV files (`run --inputs`).
//! - [`sweep`]: one input fixed at each of a list of values, the headline
//!   statistics at each (`aibubble sweep`), and [`Runs`], how an analysis runs.
//! - [`tornado`]: which uncertain input drives a statistic, from one run's
//!   rank correlations or from paired runs at each input's p10 and p90.
//! - [`implied`]: the reverse DCF, the value of one input at which a lab's
//!   fair value meets its mark (Brent's method on common random numbers).

pub mod implied;
pub mod input_table;
pub mod statistic;
pub mod sweep;
pub mod tornado;

pub use statistic::{Estimate, Measure, Scope, Statistic};
pub use sweep::{Runs, Sweep, SweepRow};
pub use tornado::{Method, Tornado, TornadoRow};
