//! Finding help by need: the language tools every part of search shares.
//!
//! [`analyzer`] turns text into the terms that are matched — folded (case and accents),
//! function words dropped, each word reduced to its Snowball stem in Italian or English —
//! so that an index and a query analysed the same way meet on `pasti` / `pasto` /
//! `Pasto caldo`, `bollette` / `bolletta`, `meals` / `meal`. [`needs`] is the vocabulary
//! of needs that maps citizens' words (`mangiare`, `luce e gas`, `help paying rent`) to
//! categories and target groups. [`text_index`] finds the services holding a query's
//! words, [`interpret`] reads a sentence into needs, place and conditions, and [`engine`]
//! turns a reading into services, best first.

pub mod analyzer;
pub mod engine;
pub mod interpret;
pub mod landmarks;
pub mod needs;
pub mod text_index;

pub use analyzer::{Analyzer, Term};
pub use needs::{NeedMatch, NeedsVocabulary, Vocabulary};
