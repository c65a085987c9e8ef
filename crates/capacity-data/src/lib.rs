//! `capacity-data`: the data that ships with commune-capacity, and data made
//! on demand.
//!
//! - [`embedded`]: the reference rubrics and the fictional sample
//!   assessments of `assessments/`, compiled in, so that the web app can
//!   seed its database on first start and the CLI can ship them;
//! - [`synth`]: a deterministic, seedable generator of a national synthetic
//!   dataset (703 communes over Mali's regions and cercles, several rounds,
//!   realistic levels and rater disagreement) for benchmarks, comparison
//!   views and load tests;
//! - [`files`]: reading a rubric file and writing a generated dataset to a
//!   directory (the `capacity-synth` binary is a thin shell over it).
//!
//! # Example
//!
//! ```
//! use capacity_data::{SynthConfig, embedded, generate};
//!
//! let rubric = embedded::reference_rubric()?;
//! let data = generate(&rubric, &SynthConfig { communes: 30, ..Default::default() })?;
//! let first = &data.assessments[0];
//! assert_eq!(first.commune.region, "Kayes");
//! let resolved = rubric.resolve(first)?;
//! let scored = capacity::score(&rubric, &resolved)?;
//! assert!(scored.overall.is_some());
//!
//! for sample in embedded::samples() {
//!     assert!(sample.text.contains("fictional = true"), "{}", sample.name);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Scope of this crate
//!
//! Data and its generation, no arithmetic of scores: parsing, validation
//! and scoring are the core's (`capacity`), on whose file model this crate
//! builds. [`embedded`] and [`synth`] are pure (no I/O, no clock, no
//! entropy from the system) and build for `wasm32-unknown-unknown`; only
//! [`files`] touches the file system. Nothing here knows about Leptos,
//! axum, SQL or plotting. The `cli` feature (default) builds the
//! `capacity-synth` binary with clap; depend on this crate with
//! `default-features = false` from libraries and wasm builds.

pub mod embedded;
mod error;
pub mod files;
pub mod synth;

pub use embedded::EmbeddedFile;
pub use error::Error;
pub use synth::{Dataset, DatasetFile, SynthCommune, SynthConfig, generate};
