//! The analysis layer: the questions an investor asks after a distribution
//! (what today's price implies, which assumption drives the answer, where
//! the repricing comes from), answered from runs of the engine on common
//! random numbers. It sits above the engine, the summary, the results and
//! the net statistics, and below the front ends; one file per tool.
//!
//! - [`statistic`]: the one way a tool names a number of a run
//!   (`labs.openai.p_pop`, `sector.fair_value.mean`), its per-path values and
//!   its standard error, alone or paired between two runs.
//! - [`implied`]: the reverse DCF, the value of one input at which a lab's
//!   fair value meets its mark (Brent's method on common random numbers).

pub mod implied;
pub mod statistic;

pub use statistic::{Estimate, Measure, Scope, Statistic};
