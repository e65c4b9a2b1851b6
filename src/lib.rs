//! # aibubble
//!
//! A Monte Carlo engine for one question: what happens to the valuations of
//! the closed AI labs if open-weight models keep getting almost as good for a
//! fraction of the price?
//!
//! The crate implements the reference model (see `docs/model.md`): a
//! performance gap between open and closed models, price curves, demand
//! segments whose closed share moves toward a logit target, labs with
//! revenues, committed spending and cash, a DCF with terminal value, market
//! marks whose multiples compress as growth fades, and turning-point events.
//!
//! ## Tour
//! - [`Scenario`]: the inputs, read from TOML or JSON, presets, field-path overrides;
//! - [`Simulation`]: runs paths in fixed batches over rayon, any path range,
//!   with progress and cancellation; returns [`Results`];
//! - [`Results::summary`]: per-lab statistics ([`Summary`], the CLI's JSON);
//! - [`merge`]: joins results of split runs, bit-identical to one run.
//!
//! ```
//! use aibubble::{Scenario, Simulation};
//!
//! let scenario = Scenario::preset("baseline")?
//!     .with_overrides([("segments.enterprise.switching", 0.8.into())])?;
//! let results = Simulation::new(&scenario)?.paths(2_000).seed(7).run()?;
//! let summary = results.summary();
//! for lab in &summary.labs {
//!     println!("{}: median fair value {:.1} bn", lab.name, lab.fair_value.p50);
//! }
//! # Ok::<(), aibubble::Error>(())
//! ```

// NaN-aware comparisons (`!(x > 0.0)`) are deliberate: they reject NaN too.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod dist;
pub mod engine;
pub mod error;
pub mod linalg;
pub mod model;
pub mod output;
#[cfg(feature = "python")]
mod python;
pub mod results;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod summary;
pub mod valuation;

pub use dist::{Dist, DistKind, Uncertain};
pub use engine::{CancelToken, InputTable, NoObserver, Observer, Simulation};
pub use error::{Error, Problem, Result};
pub use results::{Results, merge};
pub use scenario::Scenario;
pub use summary::Summary;

/// The README's Rust example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
