//! # aibubble
//!
//! A Monte Carlo engine for one question: what happens to the valuations of
//! the closed AI labs if open-weight models keep getting almost as good for a
//! fraction of the price?
//!
//! The crate implements the model of `docs/equations.md` (explained in `docs/model.md`): a
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
//! - [`Scenario::freeze_competition`] and [`Results::net`]: a scenario against
//!   its frozen-competition counterfactual, net figures per lab ([`Net`]);
//! - [`merge`]: joins results of split runs, bit-identical to one run;
//! - [`Value`] (and the [`serde_json`] crate): the JSON values that overrides
//!   and field reads use, re-exported so a user's crate needs no `serde_json`.
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
#![warn(missing_docs)]

pub mod analysis;
#[cfg(feature = "cli")]
pub mod cli;
pub mod dist;
mod engine;
pub mod error;
mod linalg;
mod model;
pub mod net;
mod output;
#[cfg(feature = "python")]
mod python;
pub mod results;
mod rng;
pub mod scenario;
pub mod stats;
pub mod summary;
mod valuation;
#[cfg(feature = "xlsx")]
pub mod workbook;

pub use dist::{Dist, DistKind, Uncertain};
pub use engine::{BATCH, CancelToken, InputTable, MAX_PATHS, MemoryEstimate, NoObserver, Observer, Simulation};
pub use error::{Error, Problem, Result};
pub use net::Net;
pub use results::{Results, merge};
pub use scenario::{Override, Scenario};
pub use summary::Summary;

/// The JSON value type that the API takes and returns
/// ([`Scenario::with_overrides`], [`Scenario::get`], [`Scenario::to_value`]),
/// re-exported so that a crate using aibubble needs no `serde_json`
/// dependency of its own: `1.5.into()` or `Value::from("lognormal")` builds
/// one.
pub use serde_json::Value;

/// The `serde_json` crate that aibubble is built with, for the rest of its
/// API (`aibubble::serde_json::json!`, `aibubble::serde_json::Map`) without a
/// dependency of one's own whose version might differ.
pub use serde_json;

/// Implementation details that the command line, the fuzz target and the
/// tests reach: not part of the API, and free to change in any release.
pub mod internals {
    pub use crate::engine::{Bytes, LimitSource, MAX_MEMORY_ENV, parse_size};
    pub use crate::error::Num;

    /// Run directories of `aibubble run --out` (see `src/output.rs`).
    pub mod output {
        pub use crate::output::{
            FileWriter, MARKER, RUN_FILES, abandon_writes, check_target, write_dir_atomically, write_run,
        };
    }

    /// The relative sketch's bucket index, fast and as the formula writes it
    /// (see `src/stats/fastlog.rs`), for `benches/engine.rs`.
    pub mod sketch {
        pub use crate::stats::sketch::{exact_index, relative_index};
    }

    /// The seeding policy: one stream per (seed, path, component) (see `src/rng.rs`).
    pub mod rng {
        pub use crate::rng::{Stream, component_key, named_stream, splitmix64, stream};
    }
}

/// The README's Rust example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
