//! A small, complete example rubric and a fictional assessment of it, as TOML
//! text, for documentation, tests and first runs of the front ends.
//!
//! The rubric has two domains, four competencies and eight indicators and
//! exercises every feature: weights, the three aggregation methods (its
//! table is illustrative, *not* the official PEFA M2 table), critical
//! indicators, an applicability rule, descriptors and costed actions. The
//! assessment has three raters, a consensus, a disagreement, NI, NA mixed
//! with levels, a rule-based NA, a target override and unanswered
//! indicators. Pure data: this module depends on nothing.

/// The example rubric (`exemple` version `1.0.0`).
pub const RUBRIC: &str = include_str!("example/rubric.toml");

/// A fictional assessment of [`RUBRIC`].
pub const ASSESSMENT: &str = include_str!("example/assessment.toml");
