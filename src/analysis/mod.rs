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
//!   statistics at each (`aibubble sweep`).
//! - [`tornado`]: which uncertain input drives a statistic, from one run's
//!   rank correlations or from paired runs at each input's p10 and p90.
//! - [`implied`]: the reverse DCF, the value of one input at which a lab's
//!   fair value meets its mark (Brent's method on common random numbers).
//! - [`runs`]: the settings every run of an analysis shares (paths, seed,
//!   threads, cancel token, an optional observer of their progress): common
//!   random numbers.
//! - [`calibrate`](mod@calibrate): the model's parameters fitted to a releases file
//!   (`data/models.csv`), each with its standard error (`aibubble calibrate`).
//! - [`compare`](mod@compare): scenarios side by side, each statistic beside a base (a
//!   scenario or the frozen-competition counterfactual) with the paired
//!   difference, and the inputs that differ.
//! - [`sobol`](mod@sobol): Sobol indices of a per-path output over the
//!   uncertain inputs and the process noise (Saltelli's design, SALib's
//!   estimators, bootstrap intervals).
//! - [`channels`](mod@channels): where a scenario's repricing comes from, an exact Shapley
//!   decomposition over the model's channels.
//! - [`backtest`](mod@backtest): dated observations placed in a run's distribution
//!   (percentiles, 90% and 99% bands, coverage and the PIT histogram).

pub mod backtest;
pub mod calibrate;
pub mod channels;
pub mod compare;
pub mod implied;
pub mod input_table;
pub mod runs;
pub mod sobol;
pub mod statistic;
pub mod sweep;
pub mod tornado;

pub use backtest::{Backtest, BacktestRow, Observations, backtest};
pub use channels::{Channel, ChannelBase, Channels, channels};
pub use compare::{Base, Comparison, compare};
pub use runs::{RunObserver, Runs, Watch};
pub use sobol::{Grouping, Sobol, SobolRow, sobol};
pub use statistic::{Estimate, Measure, Scope, Statistic};
pub use sweep::{Sweep, SweepRow};
pub use tornado::{Method, Tornado, TornadoRow};
