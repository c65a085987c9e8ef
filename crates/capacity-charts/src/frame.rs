//! Pieces every chart shares: the visible title, the legend, the 0–100
//! track with its level gridlines, and labels that keep their full text in
//! a tooltip when truncated.
//!
//! Layout is computed first (heights known before the document is opened),
//! then drawn; every coordinate is a whole pixel.

use crate::input::LevelScale;
use crate::style::{self, BODY, GREY, GRID, INK, MARGIN, PAPER, Pattern, SMALL, STATE_INK, TITLE};
use crate::svg::Doc;
use crate::{Lang, tr, typo};
use plotters::element::DashedPathElement;
use plotters::prelude::{Circle, PathElement, Polygon, RGBColor, Rectangle, Text};
use plotters::style::text_anchor::{HPos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Line height of the title.
const TITLE_LINE: i32 = 20;
/// Line height of legend rows.
const LEGEND_LINE: i32 = 20;

/// The visible title, wrapped to two lines.
pub(crate) struct TitleBlock {
    lines: Vec<String>,
}

impl TitleBlock {
    /// Lays `title` out in `width`.
    pub(crate) fn new(title: &str, width: u32) -> Self {
        let max = f64::from(width) - 2.0 * f64::from(MARGIN);
        let (lines, _) = typo::wrap(title, TITLE, max, 2);
        Self { lines }
    }

    /// Height taken, margin above and space below included.
    pub(crate) fn height(&self) -> i32 {
        MARGIN + TITLE_LINE * self.lines.len() as i32 + 8
    }

    /// Draws the white background and the title.
    pub(crate) fn draw(&self, doc: &mut Doc) {
        doc.draw(|a| {
            a.fill(&PAPER)?;
            for (i, line) in self.lines.iter().enumerate() {
                a.draw(&Text::new(
                    line.as_str(),
                    (MARGIN, MARGIN + TITLE_LINE * i as i32),
                    style::font(TITLE, INK, HPos::Left, VPos::Top, true),
                ))?;
            }
            Ok(())
        });
    }
}

/// Draws `text` at `pos` in `size`, truncated to `max` pixels; when
/// truncated (or when `tooltip` is given) the text is wrapped in a group
/// whose `<title>` is the full text (or the tooltip).
#[allow(clippy::too_many_arguments)]
pub(crate) fn label(
    doc: &mut Doc,
    text: &str,
    pos: (i32, i32),
    size: u32,
    max: f64,
    anchor: (HPos, VPos),
    bold: bool,
    tooltip: Option<&str>,
) {
    let (shown, cut) = typo::fit(text, size, max);
    let title = tooltip.or(cut.then_some(text));
    if let Some(t) = title {
        doc.open_group("label", Some(t));
    }
    doc.draw(|a| {
        a.draw(&Text::new(
            shown.as_str(),
            pos,
            style::font(size, INK, anchor.0, anchor.1, bold),
        ))
    });
    if title.is_some() {
        doc.close_group();
    }
}

/// A marker shape of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// A filled circle.
    Dot,
    /// A hollow circle.
    Ring,
    /// A filled square.
    Square,
}

/// Draws `marker` centred on `c`, radius `r`.
pub(crate) fn marker(
    a: &crate::svg::Area<'_>,
    m: Marker,
    c: (i32, i32),
    r: i32,
    colour: RGBColor,
) -> crate::svg::DrawResult {
    match m {
        Marker::Dot => a.draw(&Circle::new(c, r, style::fill(colour))),
        Marker::Ring => {
            a.draw(&Circle::new(c, r, style::fill(PAPER)))?;
            a.draw(&Circle::new(c, r, style::stroke(colour, 2)))
        }
        Marker::Square => a.draw(&Rectangle::new(
            [(c.0 - r, c.1 - r), (c.0 + r, c.1 + r)],
            style::fill(colour),
        )),
    }
}

/// Draws a diamond (the mark of a critical indicator) centred on `c`.
pub(crate) fn diamond(
    a: &crate::svg::Area<'_>,
    c: (i32, i32),
    r: i32,
    filled: bool,
) -> crate::svg::DrawResult {
    let pts = vec![
        (c.0, c.1 - r),
        (c.0 + r, c.1),
        (c.0, c.1 + r),
        (c.0 - r, c.1),
    ];
    if filled {
        a.draw(&Polygon::new(pts, style::fill(INK)))
    } else {
        let mut closed = pts.clone();
        closed.push((c.0, c.1 - r));
        a.draw(&Polygon::new(pts, style::fill(PAPER)))?;
        a.draw(&PathElement::new(closed, style::stroke(INK, 2)))
    }
}

/// What a legend entry shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Swatch {
    /// A colour, outlined in black when `basic`.
    Fill {
        /// The colour.
        colour: RGBColor,
        /// Whether it is the basic level.
        basic: bool,
    },
    /// A state pattern.
    Pattern(Pattern),
    /// A line.
    Line {
        /// Its colour.
        colour: RGBColor,
        /// Its width.
        width: u32,
        /// Whether dashed.
        dashed: bool,
    },
    /// A series marker.
    Marker(Marker, RGBColor),
    /// A critical-indicator diamond.
    Diamond {
        /// Filled (failed) or hollow.
        filled: bool,
    },
    /// A black corner triangle (some D* below).
    Corner,
    /// A hollow bar segment (the gap to target).
    Outline,
}

/// A legend: entries flowed into rows.
pub(crate) struct Legend {
    /// `(swatch, label shown, full label when truncated, x, row)`.
    items: Vec<(Swatch, String, Option<String>, i32, i32)>,
    rows: i32,
}

/// Width of a swatch plus the space after it.
const SWATCH: i32 = 18;

impl Legend {
    /// Lays `entries` out in `width`, left to right.
    pub(crate) fn new(entries: Vec<(Swatch, String)>, width: u32) -> Self {
        let right = width as i32 - MARGIN;
        let max_label = f64::from(right - MARGIN - SWATCH);
        let mut items = Vec::with_capacity(entries.len());
        let (mut x, mut row) = (MARGIN, 0);
        for (swatch, text) in entries {
            let (shown, cut) = typo::fit(&text, SMALL, max_label);
            let w = SWATCH + typo::width(&shown, SMALL).ceil() as i32;
            if x > MARGIN && x + w > right {
                x = MARGIN;
                row += 1;
            }
            items.push((swatch, shown, cut.then_some(text), x, row));
            x += w + 14;
        }
        let rows = if items.is_empty() { 0 } else { row + 1 };
        Self { items, rows }
    }

    /// Height taken, with space below.
    pub(crate) fn height(&self) -> i32 {
        if self.rows == 0 {
            0
        } else {
            self.rows * LEGEND_LINE + 6
        }
    }

    /// Draws the legend with its top at `top`.
    pub(crate) fn draw(&self, doc: &mut Doc, top: i32) {
        let centre = |row: i32| top + row * LEGEND_LINE + LEGEND_LINE / 2;
        doc.open_group("legend", None);
        doc.draw(|a| {
            for (swatch, shown, full, x, row) in &self.items {
                let cy = centre(*row);
                let (x0, x1) = (*x, *x + 12);
                match *swatch {
                    Swatch::Fill { colour, basic } => {
                        a.draw(&Rectangle::new(
                            [(x0, cy - 6), (x1, cy + 6)],
                            style::fill(colour),
                        ))?;
                        if basic {
                            a.draw(&Rectangle::new(
                                [(x0, cy - 6), (x1, cy + 6)],
                                style::stroke(INK, 1),
                            ))?;
                        }
                    }
                    Swatch::Pattern(_) => {}
                    Swatch::Line {
                        colour,
                        width,
                        dashed,
                    } => {
                        let pts = vec![(x0 - 2, cy), (x1 + 2, cy)];
                        if dashed {
                            a.draw(&DashedPathElement::new(
                                pts,
                                4,
                                3,
                                style::stroke(colour, width),
                            ))?;
                        } else {
                            a.draw(&PathElement::new(pts, style::stroke(colour, width)))?;
                        }
                    }
                    Swatch::Marker(m, colour) => marker(a, m, (x0 + 6, cy), 4, colour)?,
                    Swatch::Diamond { filled } => diamond(a, (x0 + 6, cy), 5, filled)?,
                    Swatch::Corner => {
                        a.draw(&Rectangle::new(
                            [(x0, cy - 6), (x1, cy + 6)],
                            style::stroke(GREY, 1),
                        ))?;
                        a.draw(&Polygon::new(
                            vec![(x1 - 6, cy - 6), (x1, cy - 6), (x1, cy)],
                            style::fill(INK),
                        ))?;
                    }
                    Swatch::Outline => {
                        a.draw(&Rectangle::new(
                            [(x0, cy - 5), (x1, cy + 5)],
                            style::stroke(GREY, 1),
                        ))?;
                    }
                }
                if full.is_none() {
                    a.draw(&Text::new(
                        shown.as_str(),
                        (x0 + SWATCH, cy),
                        style::font(SMALL, INK, HPos::Left, VPos::Center, false),
                    ))?;
                }
            }
            Ok(())
        });
        for (swatch, shown, full, x, row) in &self.items {
            let cy = centre(*row);
            if let Swatch::Pattern(p) = swatch {
                doc.pattern_rect(*p, (*x, cy - 6), (12, 12), STATE_INK);
            }
            if let Some(full) = full {
                label(
                    doc,
                    shown,
                    (*x + SWATCH, cy),
                    SMALL,
                    f64::MAX,
                    (HPos::Left, VPos::Center),
                    false,
                    Some(full),
                );
            }
        }
        doc.close_group();
    }
}

/// The legend entries of a level scale: one colour per level (the basic
/// level outlined and named), then the states asked for.
pub(crate) fn level_entries(
    scale: &LevelScale,
    colours: &[RGBColor],
    states: &[Pattern],
    lang: Lang,
) -> Vec<(Swatch, String)> {
    let mut out: Vec<(Swatch, String)> = scale
        .levels
        .iter()
        .zip(colours)
        .enumerate()
        .map(|(i, (l, c))| {
            let basic = i == scale.basic;
            let mut text = format!("{} {}", l.code, l.label.get(lang));
            if basic {
                text.push_str(tr(lang, " (niveau de base)", " (basic level)"));
            }
            (Swatch::Fill { colour: *c, basic }, text)
        })
        .collect();
    for p in states {
        out.push((Swatch::Pattern(*p), state_label(*p, scale, lang)));
    }
    out
}

/// A state's legend text, with its glyph.
pub(crate) fn state_label(p: Pattern, scale: &LevelScale, lang: Lang) -> String {
    match p {
        Pattern::NoInformation => format!(
            "{} {}",
            scale.no_information_code(),
            tr(
                lang,
                "pas d'information (compte comme le plus bas)",
                "no information (counts as the lowest)"
            )
        ),
        Pattern::NotApplicable => format!("NA {}", tr(lang, "non applicable", "not applicable")),
        Pattern::Unanswered => format!("? {}", tr(lang, "sans réponse", "unanswered")),
    }
}

/// A horizontal 0–100 track from `x0` to `x1`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Track {
    pub(crate) x0: i32,
    pub(crate) x1: i32,
}

impl Track {
    /// The x of `score` (clamped to 0–100).
    pub(crate) fn x(&self, score: Decimal) -> i32 {
        let v = score.to_f64().unwrap_or(0.0).clamp(0.0, 100.0);
        self.x0 + (f64::from(self.x1 - self.x0) * v / 100.0).round() as i32
    }

    /// Height of the axis header drawn by [`Track::draw_axis`].
    pub(crate) const AXIS: i32 = 20;

    /// Draws the level codes above the track, top at `top` (the basic
    /// level's in bold), with the scale in a tooltip.
    pub(crate) fn draw_axis(&self, doc: &mut Doc, scale: &LevelScale, top: i32, lang: Lang) {
        let mut title = String::from(tr(
            lang,
            "Échelle 0–100 ; niveaux : ",
            "Scale 0–100; levels: ",
        ));
        for (i, l) in scale.levels.iter().enumerate() {
            if i > 0 {
                title.push_str(", ");
            }
            title.push_str(&format!(
                "{} = {}",
                l.code,
                capacity::format::score(l.score, lang)
            ));
        }
        doc.open_group("axis", Some(&title));
        doc.draw(|a| {
            for (i, l) in scale.levels.iter().enumerate() {
                a.draw(&Text::new(
                    l.code.as_str(),
                    (self.x(l.score), top + Self::AXIS / 2),
                    style::font(SMALL, INK, HPos::Center, VPos::Center, i == scale.basic),
                ))?;
            }
            Ok(())
        });
        doc.close_group();
    }

    /// Draws the level gridlines from `y0` to `y1` (the basic level's
    /// darker), behind one row's marks.
    pub(crate) fn grid(
        &self,
        a: &crate::svg::Area<'_>,
        scale: &LevelScale,
        y0: i32,
        y1: i32,
    ) -> crate::svg::DrawResult {
        for (i, l) in scale.levels.iter().enumerate() {
            let x = self.x(l.score);
            let s = if i == scale.basic {
                style::stroke(GREY, 2)
            } else {
                style::stroke(GRID, 1)
            };
            a.draw(&PathElement::new(vec![(x, y0), (x, y1)], s))?;
        }
        Ok(())
    }
}

/// The row label above a track: `text` truncated to the width left of
/// `right`, with `value` right-aligned at `right`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn row_heading(
    doc: &mut Doc,
    text: &str,
    tooltip: &str,
    value: &str,
    left: i32,
    right: i32,
    y: i32,
    bold: bool,
) {
    let value_w = typo::width(value, SMALL).ceil() as i32;
    let max = f64::from(right - left - value_w - 8);
    let (shown, cut) = typo::fit(text, BODY, max);
    let tip = if cut || tooltip != text {
        Some(tooltip)
    } else {
        None
    };
    if let Some(t) = tip {
        doc.open_group("row-label", Some(t));
    }
    doc.draw(|a| {
        a.draw(&Text::new(
            shown.as_str(),
            (left, y),
            style::font(BODY, INK, HPos::Left, VPos::Center, bold),
        ))?;
        if !value.is_empty() {
            a.draw(&Text::new(
                value,
                (right, y),
                style::font(SMALL, INK, HPos::Right, VPos::Center, false),
            ))?;
        }
        Ok(())
    });
    if tip.is_some() {
        doc.close_group();
    }
}
