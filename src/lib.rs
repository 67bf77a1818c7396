//! errata: a fact-check and correction tracker whose records live in git.
//!
//! The library owns every concern and never prints; the `errata` binary is a thin
//! layer of commands over it.

pub mod diagnostic;
pub mod diff;
pub mod git;
pub mod merge;
pub mod model;
pub mod ops;
pub mod publish;
pub mod queue;
pub mod render;
pub mod report;
pub mod review;
pub mod serve;
pub mod store;
pub mod suggest;
pub mod transcript;
pub mod validate;
