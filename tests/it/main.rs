//! errata's integration tests, in one test binary: each module used to be a
//! binary of its own, linking errata and libgit2 again. Cargo finds this one as
//! `tests/it/main.rs` (the test target `it`); run one module with
//! `cargo test --test it cli::`.
//!
//! Snapshots (insta) are under `tests/it/snapshots/`, named after the module
//! path: `it__cli__list_chinese_claims.snap`.

mod common;

mod cli;
mod collab;
mod corrections;
mod feeds;
mod fuzz;
mod history;
mod history_index;
mod hostile_cache;
mod hostile_graph;
mod hostile_pack;
mod hostile_site;
mod http_server;
mod limits;
mod merge;
mod merge_props;
mod no_panic;
mod queues;
mod readme;
mod records;
mod refusals;
mod serve;
mod serve_browser;
mod shipped;
mod site;
mod sources;
mod store_cache;
mod suggest;
mod symlinks;
mod sync;
mod transcripts;
mod webvtt_conformance;
