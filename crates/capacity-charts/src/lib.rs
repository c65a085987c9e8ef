//! `capacity-charts`: charts of commune-capacity results as SVG text.
//!
//! Five charts, each a pure function from an input (built from the core's
//! results) and [`ChartOptions`] to an SVG document in a `String`:
//!
//! - [`radar()`]: competency or domain scores against the target, with an
//!   optional second series (a baseline round, or one group of raters);
//! - [`gap_bars()`]: indicators or competencies in priority order, current
//!   score against target, critical ones marked;
//! - [`heatmap()`]: communes × competencies (or indicators) in ordinal
//!   colours;
//! - [`progress_dumbbell()`]: baseline against follow-up per competency;
//! - [`distribution()`]: stacked level shares per competency for a group
//!   of communes, the basic level marked.
//!
//! # Example
//!
//! ```
//! use capacity::{CompiledRubric, Lang, example};
//! use capacity_charts::{Axes, ChartOptions, RadarInput};
//!
//! let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
//! let (_, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
//! let scored = capacity::score(&rubric, &resolved)?;
//!
//! let input = RadarInput::new(&rubric, &scored, Axes::Competencies)?;
//! let svg = capacity_charts::radar(&input, &ChartOptions::new(Lang::Fr).width(480));
//! assert!(svg.starts_with("<svg "));
//! assert!(svg.contains("<title id="));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What every chart guarantees
//!
//! - **Accessible**: the root has `role="img"` and `aria-labelledby`
//!   pointing at a `<title>` and a `<desc>` (its first children) that name
//!   the chart and summarise its data in words; truncated labels keep
//!   their full text in a `<title>` of their group (a tooltip).
//! - **Safe**: every text is escaped (a commune named
//!   `<script>alert(1)</script>` shows as that text), and characters XML
//!   forbids are replaced.
//! - **Deterministic**: the same input gives the same bytes, natively and
//!   in wasm: coordinates are whole pixels, numbers are written with the
//!   core's [`capacity::format`] helpers (French decimal comma), ids are
//!   a hash of the document (or [`ChartOptions::id`]), and text is never
//!   measured by a font (widths are estimated, see below).
//! - **Readable**: a colour-blind-safe palette split at the basic level;
//!   *not applicable*, *no information (D\*)* and *unanswered* each have a
//!   pattern and a glyph, not only a colour; a legend in the chart's
//!   language; a `viewBox` so the SVG scales, with text sizes (12 px at
//!   least, on a default width of 400) that stay legible at 360 px.
//!
//! # How it is drawn
//!
//! With plotters' SVG backend only (no `ttf`, no font-kit, no bitmap
//! backend): shapes and text go through a plotters `DrawingArea`.
//! plotters has no radar, so the radar is built from its polygons, paths
//! and text. Three things plotters cannot express are written directly,
//! with escaping: the root's `<title>`/`<desc>` and ARIA attributes,
//! groups carrying a `<title>`, and rectangles filled with an SVG
//! `<pattern>` (the state hatches). plotters' chart builder is not used:
//! it measures text through a font backend (system fonts natively, the
//! DOM in wasm — absent in a Web Worker), which would make the output
//! machine-dependent; widths are estimated from character classes
//! instead, erring wide.
//!
//! # Inputs
//!
//! Each chart takes a small input struct with public fields and
//! constructors from the core's results: [`RadarInput::new`] (a
//! [`capacity::Scored`], plus [`RadarInput::with_second`] for a baseline
//! or the results of one group of raters, scored from the assessment
//! restricted to them), [`GapBarsInput::indicators`] and
//! [`GapBarsInput::competencies`] (with [`capacity::Gaps`]),
//! [`HeatmapInput::competencies`] and [`HeatmapInput::indicators`] (a
//! slice of [`capacity::CommuneResult`]), [`ProgressInput::new`] (a
//! [`capacity::Progress`]) and [`DistributionInput::competencies`] and
//! [`DistributionInput::indicators`] (a [`capacity::Comparison`] and one of
//! its groups). Constructors refuse results made with another rubric
//! ([`Error`]). The example `national` writes the charts of the synthetic
//! national dataset: `cargo run -p capacity-charts --example national --
//! DIR`.
//!
//! # Scope of this crate
//!
//! Presentation only: it reads the core's results (`capacity`) and never
//! scores. It must not depend on Leptos, axum, SQL or the file system;
//! it builds for `wasm32-unknown-unknown`.
//!
//! # Module map
//!
//! [`radar`](mod@radar) · [`gap_bars`](mod@gap_bars) ·
//! [`heatmap`](mod@heatmap) · [`progress`] · [`distribution`](mod@distribution)
//! the five charts and their inputs; `input` the shared inputs
//! ([`LevelScale`], [`Reading`], [`Axes`]); `style` palette, fonts and
//! patterns; `frame` the pieces charts share (title, legend, level axis);
//! `svg` document assembly and escaping; `typo` text width, wrapping and
//! truncation.

pub mod distribution;
mod frame;
pub mod gap_bars;
pub mod heatmap;
mod input;
pub mod progress;
pub mod radar;
mod style;
mod svg;
mod typo;

pub use capacity::Lang;
pub use distribution::{DistributionInput, DistributionRow, distribution};
pub use gap_bars::{GapBarsInput, GapItem, gap_bars};
pub use heatmap::{Cell, HeatmapColumn, HeatmapInput, HeatmapRow, heatmap};
pub use input::{Axes, Items, LevelScale, Reading, ScaleLevel, node_target};
pub use progress::{ProgressInput, ProgressItem, progress_dumbbell};
pub use radar::{RadarAxis, RadarInput, radar};

/// The narrowest layout width accepted, pixels.
pub const MIN_WIDTH: u32 = 280;
/// The widest layout width accepted, pixels.
pub const MAX_WIDTH: u32 = 4000;

/// How to draw a chart: size, language, title.
///
/// ```
/// use capacity_charts::{ChartOptions, Lang};
/// let opts = ChartOptions::new(Lang::En).width(600).title("Djenné, 2025");
/// assert_eq!(opts.width, 600);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChartOptions {
    /// Layout width in pixels (clamped to [`MIN_WIDTH`]–[`MAX_WIDTH`]):
    /// labels wrap and truncate to it. Default 400, which keeps every text
    /// at least 10 px tall when the chart is shown 360 px wide.
    pub width: u32,
    /// Displayed height in pixels. `None` (the default): the chart's
    /// natural height for its content. Given: the `height` attribute of
    /// the SVG; the drawing keeps its proportions inside it, centred
    /// horizontally (lists of communes or competencies are best left at
    /// their natural height).
    pub height: Option<u32>,
    /// The language of the chart's own words; rubric texts fall back to
    /// French when they have no English.
    pub lang: Lang,
    /// A title replacing the default one.
    pub title: Option<String>,
    /// A prefix for the ids inside the SVG (sanitised). Default: the
    /// chart's kind and a hash of its content, so that several charts
    /// inlined in one page do not share ids.
    pub id: Option<String>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        Self {
            width: 400,
            height: None,
            lang: Lang::Fr,
            title: None,
            id: None,
        }
    }
}

impl ChartOptions {
    /// Default options in `lang`.
    pub fn new(lang: Lang) -> Self {
        Self {
            lang,
            ..Self::default()
        }
    }

    /// With a layout width.
    pub fn width(mut self, width: u32) -> Self {
        self.width = width;
        self
    }

    /// With a displayed height.
    pub fn height(mut self, height: u32) -> Self {
        self.height = Some(height);
        self
    }

    /// With a title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// With an id prefix.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The width actually used.
    pub(crate) fn layout_width(&self) -> u32 {
        self.width.clamp(MIN_WIDTH, MAX_WIDTH)
    }
}

/// A problem with the inputs of a chart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Results made with another rubric (or version) than the one given.
    #[error(
        "results were made with rubric `{found}`, not `{expected}`: chart them with the rubric they were scored with"
    )]
    RubricMismatch {
        /// The rubric given (`id@version`).
        expected: String,
        /// The rubric of the results.
        found: String,
    },
    /// A node id the rubric does not have.
    #[error("the rubric has no domain or competency `{id}`: use an id from the rubric")]
    UnknownNode {
        /// The id given.
        id: String,
    },
    /// A group the comparison does not have.
    #[error(
        "the comparison has no group `{group}`: use the national group, a region or a cercle it lists"
    )]
    UnknownGroup {
        /// The group, as written in messages.
        group: String,
    },
}

/// `fr` or `en`, by `lang`.
pub(crate) fn tr(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}
