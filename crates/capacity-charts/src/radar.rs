//! Radar: competency or domain scores against the target, with an optional
//! second series (a baseline round, or the scores of one group of raters).
//!
//! plotters has no radar: it is drawn with plotters paths, polygons and
//! text on a plain drawing area. Axes are numbered at their tips and listed
//! in a key under the plot with their values, because competency titles
//! are too long to sit around a circle on a phone. Rings are the levels of
//! the scale (the basic level's ring is thicker); the target is dashed; the
//! main series is a filled blue polygon with round markers, the second a
//! vermillion outline with square markers. Axes without a score (not
//! applicable, unanswered) are skipped by the polygon and say so in the
//! key (`NA`, `?`).

use crate::frame::{self, Legend, Marker, Swatch, TitleBlock};
use crate::input::{self, Axes, LevelScale, Reading, check_scored, show};
use crate::style::{self, BLUE, GREY, GRID, INK, MARGIN, SMALL, VERMILLION};
use crate::svg::Doc;
use crate::{ChartOptions, Error, Lang, tr, typo};
use capacity::{CompiledRubric, NodeRef, Scored, Text};
use plotters::element::DashedPathElement;
use plotters::prelude::{PathElement, Polygon, Text as PText};
use plotters::style::text_anchor::{HPos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// One axis of a radar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadarAxis {
    /// The node's id.
    pub id: String,
    /// Its title.
    pub label: Text,
    /// The main series' reading.
    pub reading: Reading,
    /// The target on 0–100 ([`crate::node_target`]), when any.
    pub target: Option<Decimal>,
    /// The second series' reading, when there is a second series.
    pub second: Option<Reading>,
}

/// The input of [`radar()`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadarInput {
    /// The scale (rings and their codes).
    pub scale: LevelScale,
    /// Competencies or domains.
    pub kind: Axes,
    /// The axes, clockwise from the top.
    pub axes: Vec<RadarAxis>,
    /// The main series' name (default: "Score").
    pub series: Option<String>,
    /// The second series' name, when there is one.
    pub second_series: Option<String>,
}

impl RadarInput {
    /// The competencies or domains of `scored`, against their targets.
    pub fn new(rubric: &CompiledRubric, scored: &Scored, kind: Axes) -> Result<Self, Error> {
        check_scored(rubric, scored)?;
        let axes = input::nodes_of(rubric, kind)
            .into_iter()
            .filter_map(|ix| {
                let r = scored.node(ix)?;
                Some(RadarAxis {
                    id: rubric.id(NodeRef::Node(ix)).to_owned(),
                    label: input::title_of(rubric, NodeRef::Node(ix)),
                    reading: Reading::of_node(r),
                    target: input::node_target(rubric, scored, NodeRef::Node(ix)),
                    second: None,
                })
            })
            .collect();
        Ok(Self {
            scale: LevelScale::of(rubric),
            kind,
            axes,
            series: None,
            second_series: None,
        })
    }

    /// Names the main series (e.g. the round, `"2025"`).
    pub fn series(mut self, name: impl Into<String>) -> Self {
        self.series = Some(name.into());
        self
    }

    /// Adds a second series named `name` from `scored` (a baseline round,
    /// or the results of one group of raters), on the same axes.
    pub fn with_second(
        mut self,
        rubric: &CompiledRubric,
        name: impl Into<String>,
        scored: &Scored,
    ) -> Result<Self, Error> {
        check_scored(rubric, scored)?;
        for axis in &mut self.axes {
            let r = rubric.node_ix(&axis.id).and_then(|ix| scored.node(ix));
            axis.second = Some(r.map_or(Reading::Unanswered, Reading::of_node));
        }
        self.second_series = Some(name.into());
        Ok(self)
    }
}

/// Row height of the key.
const KEY_LINE: i32 = 18;

/// Draws a radar of `input` (see the module docs).
///
/// ```
/// use capacity::{CompiledRubric, Lang, example};
/// use capacity_charts::{Axes, ChartOptions, RadarInput};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (_, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let input = RadarInput::new(&rubric, &scored, Axes::Domains)?
///     .series("2024")
///     .with_second(&rubric, "2022", &scored)?;
/// let svg = capacity_charts::radar(&input, &ChartOptions::new(Lang::En));
/// assert!(svg.contains("Target"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn radar(input: &RadarInput, opts: &ChartOptions) -> String {
    let lang = opts.lang;
    let width = opts.layout_width();
    let w = width as i32;
    let scale = &input.scale;
    let series = input
        .series
        .clone()
        .unwrap_or_else(|| tr(lang, "Score", "Score").to_owned());
    let title = opts.title.clone().unwrap_or_else(|| {
        match input.kind {
            Axes::Competencies => tr(
                lang,
                "Scores par compétence et cible",
                "Scores by competency against target",
            ),
            Axes::Domains => tr(
                lang,
                "Scores par domaine et cible",
                "Scores by domain against target",
            ),
        }
        .to_owned()
    });
    let target_word = tr(lang, "Cible", "Target");

    // Layout.
    let head = TitleBlock::new(&title, width);
    let mut entries = vec![(Swatch::Marker(Marker::Dot, BLUE), series.clone())];
    if let Some(second) = &input.second_series {
        entries.push((Swatch::Marker(Marker::Square, VERMILLION), second.clone()));
    }
    entries.push((
        Swatch::Line {
            colour: INK,
            width: 2,
            dashed: true,
        },
        target_word.to_owned(),
    ));
    if let Some(basic) = scale.levels.get(scale.basic) {
        entries.push((
            Swatch::Line {
                colour: GREY,
                width: 2,
                dashed: false,
            },
            format!(
                "{} {}",
                basic.code,
                tr(lang, "niveau de base", "basic level")
            ),
        ));
    }
    let legend = Legend::new(entries, width);
    let legend_top = head.height();
    let plot_top = legend_top + legend.height();
    let radius = ((w - 2 * MARGIN) / 2 - 24).clamp(60, 260);
    let (cx, cy) = (w / 2, plot_top + 24 + radius);
    // With few axes the polygon does not reach the bottom of the circle:
    // the key starts below its lowest point (at least the centre) and the
    // axis numbers there.
    let n_axes = input.axes.len().max(1);
    let lowest = (0..n_axes)
        .map(|i| {
            (std::f64::consts::TAU * i as f64 / n_axes as f64 - std::f64::consts::FRAC_PI_2).sin()
        })
        .fold(0.0_f64, f64::max);
    let key_top = cy + (f64::from(radius) * lowest).round() as i32 + 34;

    // Key columns: values right-aligned, then the label.
    let mut columns: Vec<String> = vec![series.clone()];
    if let Some(second) = &input.second_series {
        columns.push(second.clone());
    }
    columns.push(target_word.to_owned());
    let col_w: Vec<i32> = columns
        .iter()
        .map(|c| {
            let head_w = typo::width(c, SMALL).min(72.0);
            head_w.max(typo::width("100,0*", SMALL)).ceil() as i32 + 10
        })
        .collect();
    let values_w: i32 = col_w.iter().sum();
    // The right edge of each value column, left to right.
    let col_right: Vec<i32> = col_w
        .iter()
        .scan(w - MARGIN - values_w, |x, cw| {
            *x += cw;
            Some(*x)
        })
        .collect();
    let number_w = 24;
    let label_max = f64::from(w - 2 * MARGIN - number_w - values_w);
    let any_partial_ni = input.axes.iter().any(|a| {
        [Some(a.reading), a.second].into_iter().flatten().any(|r| {
            matches!(
                r,
                Reading::Scored {
                    no_information: true,
                    all_no_information: false,
                    ..
                }
            )
        })
    });
    let mut notes = vec![tr(
        lang,
        "Cible : moyenne pondérée des scores des niveaux cibles des indicateurs applicables (le plus faible pour un maillon faible).",
        "Target: weighted mean of the target level scores of the applicable indicators (the lowest for a weakest link).",
    )
    .to_owned()];
    if any_partial_ni {
        notes.push(
            tr(
                lang,
                "* inclut des indicateurs sans information (D*), comptés au niveau le plus bas.",
                "* includes indicators with no information (D*), counted at the lowest level.",
            )
            .to_owned(),
        );
    }
    let note_lines: Vec<String> = notes
        .iter()
        .flat_map(|n| typo::wrap(n, SMALL, f64::from(w - 2 * MARGIN), 3).0)
        .collect();
    let rows_top = key_top + KEY_LINE;
    let notes_top = rows_top + KEY_LINE * input.axes.len() as i32 + 8;
    let height = notes_top + KEY_LINE * note_lines.len() as i32 + MARGIN;

    let desc = describe(input, &series, lang);
    let mut doc = Doc::new(
        "radar",
        opts.id.as_deref(),
        (width, height as u32),
        opts.height,
        (&title, &desc),
        &[],
    );
    head.draw(&mut doc);
    legend.draw(&mut doc, legend_top);

    // Geometry.
    let n = input.axes.len().max(1);
    let point = |i: usize, score: Decimal| -> (i32, i32) {
        let v = score.to_f64().unwrap_or(0.0).clamp(0.0, 100.0) / 100.0;
        let angle = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
        (
            cx + (f64::from(radius) * v * angle.cos()).round() as i32,
            cy + (f64::from(radius) * v * angle.sin()).round() as i32,
        )
    };
    let tip = |i: usize, extra: i32| -> (i32, i32) {
        let angle = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
        let r = f64::from(radius + extra);
        (
            cx + (r * angle.cos()).round() as i32,
            cy + (r * angle.sin()).round() as i32,
        )
    };
    let hundred = Decimal::ONE_HUNDRED;
    doc.open_group("grid", None);
    doc.draw(|a| {
        for i in 0..input.axes.len() {
            a.draw(&PathElement::new(
                vec![(cx, cy), point(i, hundred)],
                style::stroke(GRID, 1),
            ))?;
        }
        for (li, level) in scale.levels.iter().enumerate() {
            if level.score <= Decimal::ZERO {
                continue;
            }
            let mut ring: Vec<(i32, i32)> = (0..input.axes.len())
                .map(|i| point(i, level.score))
                .collect();
            if let Some(first) = ring.first().copied() {
                ring.push(first);
            }
            let basic = li == scale.basic;
            let s = if basic {
                style::stroke(GREY, 2)
            } else {
                style::stroke(GRID, 1)
            };
            a.draw(&PathElement::new(ring, s))?;
            let (_, y) = point(0, level.score);
            // Inside the ring, left of the top spoke: clear of the axis
            // number above the outer ring.
            a.draw(&PText::new(
                level.code.as_str(),
                (cx - 8, y + 2),
                style::font(SMALL, GREY, HPos::Right, VPos::Top, basic),
            ))?;
        }
        Ok(())
    });
    doc.close_group();

    // Series: target, second, main (drawn last, on top).
    let closed = |pts: Vec<(i32, i32)>| {
        let mut p = pts;
        if let Some(first) = p.first().copied() {
            p.push(first);
        }
        p
    };
    let target_pts: Vec<(i32, i32)> = input
        .axes
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.target.map(|t| point(i, t)))
        .collect();
    let second_pts: Vec<(i32, i32)> = input
        .axes
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.second.and_then(Reading::score).map(|s| point(i, s)))
        .collect();
    let main_pts: Vec<(i32, i32)> = input
        .axes
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.reading.score().map(|s| point(i, s)))
        .collect();
    doc.open_group("series target", None);
    doc.draw(|a| {
        if target_pts.len() > 1 {
            a.draw(&DashedPathElement::new(
                closed(target_pts.clone()),
                6,
                4,
                style::stroke(INK, 2),
            ))?;
        }
        Ok(())
    });
    doc.close_group();
    if input.second_series.is_some() {
        doc.open_group("series second", None);
        doc.draw(|a| {
            if second_pts.len() > 1 {
                a.draw(&PathElement::new(
                    closed(second_pts.clone()),
                    style::stroke(VERMILLION, 2),
                ))?;
            }
            for p in &second_pts {
                frame::marker(a, Marker::Square, *p, 3, VERMILLION)?;
            }
            Ok(())
        });
        doc.close_group();
    }
    doc.open_group("series main", None);
    doc.draw(|a| {
        if main_pts.len() > 2 {
            a.draw(&Polygon::new(main_pts.clone(), style::tint(BLUE, 0.2)))?;
        }
        if main_pts.len() > 1 {
            a.draw(&PathElement::new(
                closed(main_pts.clone()),
                style::stroke(BLUE, 2),
            ))?;
        }
        for p in &main_pts {
            frame::marker(a, Marker::Dot, *p, 4, BLUE)?;
        }
        Ok(())
    });
    doc.close_group();

    // Axis numbers, with the axis in a tooltip.
    for (i, axis) in input.axes.iter().enumerate() {
        let (x, y) = tip(i, 14);
        let tooltip = axis_summary(axis, i, &series, input, lang);
        doc.open_group("axis-number", Some(&tooltip));
        let number = (i + 1).to_string();
        let missing = axis.reading.score().is_none();
        doc.draw(|a| {
            a.draw(&PText::new(
                number.as_str(),
                (x, y),
                style::font(
                    SMALL,
                    if missing { GREY } else { INK },
                    HPos::Center,
                    VPos::Center,
                    true,
                ),
            ))
        });
        doc.close_group();
    }

    // Key.
    let right = w - MARGIN;
    doc.open_group("key", None);
    doc.draw(|a| {
        for ((c, cw), x) in columns.iter().zip(&col_w).zip(&col_right) {
            let (shown, _) = typo::fit(c, SMALL, f64::from(cw - 10));
            a.draw(&PText::new(
                shown.as_str(),
                (*x, key_top + KEY_LINE / 2),
                style::font(SMALL, GREY, HPos::Right, VPos::Center, true),
            ))?;
        }
        a.draw(&PathElement::new(
            vec![(MARGIN, key_top + KEY_LINE), (right, key_top + KEY_LINE)],
            style::stroke(GRID, 1),
        ))?;
        for (i, axis) in input.axes.iter().enumerate() {
            let y = rows_top + KEY_LINE * i as i32 + KEY_LINE / 2;
            let number = (i + 1).to_string();
            a.draw(&PText::new(
                number.as_str(),
                (MARGIN, y),
                style::font(SMALL, INK, HPos::Left, VPos::Center, true),
            ))?;
            let mut values = vec![show(axis.reading, scale, lang)];
            if input.second_series.is_some() {
                values.push(show(
                    axis.second.unwrap_or(Reading::Unanswered),
                    scale,
                    lang,
                ));
            }
            values.push(
                axis.target
                    .map_or_else(|| "–".to_owned(), |t| capacity::format::score(t, lang)),
            );
            for (v, x) in values.iter().zip(&col_right) {
                a.draw(&PText::new(
                    v.as_str(),
                    (*x, y),
                    style::font(SMALL, INK, HPos::Right, VPos::Center, false),
                ))?;
            }
        }
        Ok(())
    });
    for (i, axis) in input.axes.iter().enumerate() {
        let y = rows_top + KEY_LINE * i as i32 + KEY_LINE / 2;
        frame::label(
            &mut doc,
            axis.label.get(lang),
            (MARGIN + number_w, y),
            SMALL,
            label_max,
            (HPos::Left, VPos::Center),
            false,
            None,
        );
    }
    doc.draw(|a| {
        for (i, line) in note_lines.iter().enumerate() {
            a.draw(&PText::new(
                line.as_str(),
                (MARGIN, notes_top + KEY_LINE * i as i32 + KEY_LINE / 2),
                style::font(SMALL, GREY, HPos::Left, VPos::Center, false),
            ))?;
        }
        Ok(())
    });
    doc.close_group();
    doc.finish()
}

/// One axis in words, for its tooltip.
fn axis_summary(
    axis: &RadarAxis,
    i: usize,
    series: &str,
    input: &RadarInput,
    lang: Lang,
) -> String {
    let scale = &input.scale;
    let colon = tr(lang, " : ", ": ");
    let mut s = format!(
        "{}. {} — {series}{colon}{}",
        i + 1,
        axis.label.get(lang),
        show(axis.reading, scale, lang)
    );
    if let Some(t) = axis.target {
        s.push_str(&format!(
            "{}{}",
            tr(lang, " ; cible ", "; target "),
            capacity::format::score(t, lang)
        ));
    }
    if let (Some(name), Some(r)) = (&input.second_series, axis.second) {
        s.push_str(&format!(
            "{}{name}{colon}{}",
            tr(lang, " ; ", "; "),
            show(r, scale, lang)
        ));
    }
    s
}

/// The chart in words, for `<desc>`.
fn describe(input: &RadarInput, series: &str, lang: Lang) -> String {
    let scale = &input.scale;
    let levels: Vec<String> = scale
        .levels
        .iter()
        .map(|l| format!("{} = {}", l.code, capacity::format::score(l.score, lang)))
        .collect();
    let mut s = match lang {
        Lang::Fr => format!(
            "Radar de {} axes, scores de 0 à 100 ({}) ; niveau de base {}. ",
            input.axes.len(),
            levels.join(", "),
            scale.code(scale.basic)
        ),
        Lang::En => format!(
            "Radar of {} axes, scores from 0 to 100 ({}); basic level {}. ",
            input.axes.len(),
            levels.join(", "),
            scale.code(scale.basic)
        ),
    };
    let parts: Vec<String> = input
        .axes
        .iter()
        .enumerate()
        .map(|(i, a)| axis_summary(a, i, series, input, lang))
        .collect();
    s.push_str(&parts.join(tr(lang, " ; ", "; ")));
    s.push('.');
    s
}
