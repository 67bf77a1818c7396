//! The record model: what a fact-check repository holds, as types that cannot
//! hold an invalid value. Everything read from disk or the command line is parsed
//! into these once, at the edge.

mod ids;
mod quote;
mod records;
mod text;
mod time;

pub use ids::{ClaimId, CorrectionId, EpisodeId, IdError, MAX_ID_LEN};
pub use quote::{QuoteKey, quote_words};
pub use records::{
    Claim, ClaimError, ClaimFile, ClaimSummary, Correction, CorrectionFile, Episode, EpisodeFile,
    LifecycleError, Medium, Settings, Source, State, StateError, Status, Verdict, is_web_url,
};
pub use text::{LineError, OneLine, one_line_fault};
pub use time::{Date, Seconds, TimeError, Timestamp, format_point, parse_point};
