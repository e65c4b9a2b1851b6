//! The equations of docs/equations.md, one file per part, each a set of small pure
//! functions of (state, parameters, shocks); the engine composes them.

pub mod correlation;
pub mod demand;
pub mod events;
pub mod gap;
pub mod labs;
pub mod params;
pub mod prices;
pub mod state;
