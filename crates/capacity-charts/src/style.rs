//! The visual vocabulary shared by every chart: the colour-blind-safe
//! palettes, font sizes, and the three patterns that keep *not
//! applicable*, *no information (D\*)* and *unanswered* apart without
//! relying on colour.
//!
//! - **Levels** (ordinal): a diverging scheme split at the basic level, from
//!   ColorBrewer's PuOr (colour-blind safe): levels below basic in oranges,
//!   the basic level and above in purples that darken upward. The hue
//!   changes exactly at the basic level, so "at or above basic" reads at a
//!   glance; the level code is also written on the mark when it fits.
//! - **Series** (categorical): Okabe–Ito blue, vermillion and black, told
//!   apart also by line style and marker shape.
//! - **States**: not applicable is a diagonal hatch on light grey, no
//!   information is a cross-hatch over the lowest level's colour (D\*
//!   aggregates like D), unanswered is a dotted white; each also has a
//!   glyph (`NA`, `D*`, `?`) where there is room.
//!
//! This module knows nothing about the core's types.

use plotters::prelude::{
    FontDesc, FontFamily, FontStyle, FontTransform, RGBAColor, RGBColor, ShapeStyle, TextStyle,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::fmt::Write as _;

/// Title font size, pixels.
pub(crate) const TITLE: u32 = 16;
/// Body font size (labels), pixels.
pub(crate) const BODY: u32 = 14;
/// Small font size (ticks, legend, values), pixels: the smallest text; at
/// the default width of 400 it stays above 10 px on a 360 px screen.
pub(crate) const SMALL: u32 = 12;
/// Outer margin, pixels.
pub(crate) const MARGIN: i32 = 12;

/// Text, near black.
pub(crate) const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
/// Secondary text and marks.
pub(crate) const GREY: RGBColor = RGBColor(0x5F, 0x5F, 0x5F);
/// Gridlines.
pub(crate) const GRID: RGBColor = RGBColor(0xD0, 0xD0, 0xD0);
/// Background.
pub(crate) const PAPER: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
/// Main series (Okabe–Ito blue).
pub(crate) const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Second series, declines (Okabe–Ito vermillion).
pub(crate) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Not-applicable background.
pub(crate) const NA_FILL: &str = "#EEEEEE";
/// Pattern strokes and state outlines.
pub(crate) const STATE_INK: &str = "#5F5F5F";

/// PuOr oranges, darkest first, for levels below basic.
const WARM: [(u8, u8, u8); 3] = [(0xB3, 0x58, 0x06), (0xE0, 0x82, 0x14), (0xFD, 0xB8, 0x63)];
/// PuOr purples, lightest first, for the basic level and above.
const COOL: [(u8, u8, u8); 4] = [
    (0xD8, 0xDA, 0xEB),
    (0xB2, 0xAB, 0xD2),
    (0x80, 0x73, 0xAC),
    (0x54, 0x27, 0x88),
];

/// Picks `n` colours from `ramp` (spread over it), or interpolates when
/// `n` exceeds its length.
fn pick(ramp: &[(u8, u8, u8)], n: usize, preferred: &[&[usize]]) -> Vec<RGBColor> {
    if let Some(ix) = preferred.get(n.saturating_sub(1)).filter(|_| n > 0) {
        return ix
            .iter()
            .filter_map(|i| ramp.get(*i))
            .map(|&(r, g, b)| RGBColor(r, g, b))
            .collect();
    }
    let (Some(first), Some(last)) = (ramp.first(), ramp.last()) else {
        return Vec::new();
    };
    let lerp =
        |a: u8, b: u8, t: f64| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    (0..n)
        .map(|i| {
            let t = if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.0
            };
            RGBColor(
                lerp(first.0, last.0, t),
                lerp(first.1, last.1, t),
                lerp(first.2, last.2, t),
            )
        })
        .collect()
}

/// The colours of a scale of `count` levels whose basic level is `basic`,
/// lowest first.
pub(crate) fn level_colours(count: usize, basic: usize) -> Vec<RGBColor> {
    let below = basic.min(count);
    let above = count - below;
    // Below basic: darkest lowest. One level: the middle orange.
    let mut warm = pick(&WARM, below, &[&[1], &[0, 2], &[0, 1, 2]]);
    let cool = pick(&COOL, above, &[&[2], &[1, 3], &[1, 2, 3], &[0, 1, 2, 3]]);
    warm.extend(cool);
    warm
}

/// Black or white, whichever reads better on `c`.
pub(crate) fn ink_on(c: RGBColor) -> RGBColor {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2);
    if l < 0.22 { PAPER } else { INK }
}

/// `#RRGGBB`.
pub(crate) fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// A filled shape style.
pub(crate) fn fill(c: RGBColor) -> ShapeStyle {
    ShapeStyle {
        color: RGBAColor(c.0, c.1, c.2, 1.0),
        filled: true,
        stroke_width: 1,
    }
}

/// A translucent fill (`alpha` a short decimal such as 0.25, printed as
/// is).
pub(crate) fn tint(c: RGBColor, alpha: f64) -> ShapeStyle {
    ShapeStyle {
        color: RGBAColor(c.0, c.1, c.2, alpha),
        filled: true,
        stroke_width: 1,
    }
}

/// A stroke of `width` pixels.
pub(crate) fn stroke(c: RGBColor, width: u32) -> ShapeStyle {
    ShapeStyle {
        color: RGBAColor(c.0, c.1, c.2, 1.0),
        filled: false,
        stroke_width: width,
    }
}

/// A text style: `size` pixels, anchored at (`h`, `v`).
///
/// plotters writes `font-size` as the size given divided by 1.24; the
/// sizes used here (11, 12, 14, 16) survive the round trip exactly, so the
/// SVG says `font-size="12"` rather than a long float (tested).
pub(crate) fn font(
    size: u32,
    colour: RGBColor,
    h: HPos,
    v: VPos,
    bold: bool,
) -> TextStyle<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FontFamily::SansSerif, f64::from(size) * 1.24, style)
        .color(&colour)
        .pos(Pos::new(h, v))
}

/// [`font`] turned a quarter anticlockwise (reading upward).
pub(crate) fn font_up(size: u32, colour: RGBColor, h: HPos) -> TextStyle<'static> {
    FontDesc::new(
        FontFamily::SansSerif,
        f64::from(size) * 1.24,
        FontStyle::Normal,
    )
    .transform(FontTransform::Rotate270)
    .color(&colour)
    .pos(Pos::new(h, VPos::Center))
}

/// A state drawn with a pattern, so that it does not rely on colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Pattern {
    /// Not applicable: diagonal hatch on light grey.
    NotApplicable,
    /// No information (D*): cross-hatch over the lowest level's colour.
    NoInformation,
    /// Not answered yet: dots on white.
    Unanswered,
}

impl Pattern {
    /// The three patterns, in legend order.
    pub(crate) const ALL: [Pattern; 3] = [
        Pattern::NoInformation,
        Pattern::NotApplicable,
        Pattern::Unanswered,
    ];

    /// The id suffix and `data-state` value.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Pattern::NotApplicable => "na",
            Pattern::NoInformation => "ni",
            Pattern::Unanswered => "unanswered",
        }
    }

    /// Writes the `<pattern>` definition; `base` is the lowest level's
    /// colour (used by no information).
    pub(crate) fn write_def(self, out: &mut String, id: &str, base: &str) {
        let slug = self.slug();
        let _ = match self {
            Pattern::NotApplicable => writeln!(
                out,
                "<pattern id=\"{id}-{slug}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
                 patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"{NA_FILL}\"/>\
                 <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{STATE_INK}\" stroke-width=\"2\"/></pattern>"
            ),
            Pattern::NoInformation => writeln!(
                out,
                "<pattern id=\"{id}-{slug}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
                 <rect width=\"6\" height=\"6\" fill=\"{base}\"/>\
                 <path d=\"M0 0L6 6M6 0L0 6\" stroke=\"#FFFFFF\" stroke-width=\"1.2\"/></pattern>"
            ),
            Pattern::Unanswered => writeln!(
                out,
                "<pattern id=\"{id}-{slug}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
                 <rect width=\"6\" height=\"6\" fill=\"#FFFFFF\"/>\
                 <circle cx=\"3\" cy=\"3\" r=\"1.1\" fill=\"{STATE_INK}\"/></pattern>"
            ),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_level_palette_splits_at_basic() {
        let c: Vec<String> = level_colours(4, 1).into_iter().map(hex).collect();
        assert_eq!(c, ["#E08214", "#B2ABD2", "#8073AC", "#542788"]);
        assert_eq!(level_colours(7, 3).len(), 7);
        assert_eq!(level_colours(2, 0).len(), 2);
    }

    #[test]
    fn font_sizes_survive_plotters_division() {
        for size in [11u32, 12, 14, 16] {
            let printed = format!("{}", f64::from(size) * 1.24 / 1.24);
            assert_eq!(printed, size.to_string());
        }
    }

    #[test]
    fn ink_contrasts() {
        assert_eq!(ink_on(RGBColor(0x54, 0x27, 0x88)), PAPER);
        assert_eq!(ink_on(RGBColor(0xE0, 0x82, 0x14)), INK);
    }
}
