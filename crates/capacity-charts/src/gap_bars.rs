//! Gap bars: indicators or competencies in priority order, the current
//! score against the target.
//!
//! One row per item, the label on its own line above a 0–100 track (so
//! long French titles stay readable on a phone): a bar up to the current
//! score in the colour of its level, an outlined box from there to the
//! target (the gap), a black tick at the target, the values at the right.
//! Critical indicators (minimum conditions) carry a diamond, filled when
//! the condition fails; no information (D*) is drawn with its pattern. The
//! order is the core's priority ranking ([`capacity::Gaps::priorities`]):
//! failed minimum conditions first, then the largest impact on the overall
//! score; competencies follow the same rule on the sum of their
//! indicators' impacts.

use crate::frame::{self, Legend, Swatch, TitleBlock, Track};
use crate::input::{self, Items, LevelScale, Reading, check_scored, show};
use crate::style::{self, GREY, INK, MARGIN, Pattern, SMALL, STATE_INK};
use crate::svg::Doc;
use crate::{ChartOptions, Error, Lang, tr, typo};
use capacity::{CompiledRubric, Gaps, NodeRef, Scored, Text};
use plotters::prelude::{PathElement, Rectangle, Text as PText};
use plotters::style::text_anchor::{HPos, VPos};
use rust_decimal::Decimal;

/// One bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapItem {
    /// The indicator's or competency's id.
    pub id: String,
    /// Its title.
    pub label: Text,
    /// Where it stands now.
    pub reading: Reading,
    /// The level (or grade band) of the current score, for the colour.
    pub level: Option<usize>,
    /// The target on 0–100.
    pub target: Option<Decimal>,
    /// The target level, for an indicator: then levels are shown rather
    /// than scores (`D → B`).
    pub target_level: Option<usize>,
    /// A minimum condition (for a competency: it holds one).
    pub critical: bool,
    /// A failed minimum condition (for a competency: one of its own).
    pub failed: bool,
}

/// The input of [`gap_bars()`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapBarsInput {
    /// The scale.
    pub scale: LevelScale,
    /// Indicators or competencies.
    pub kind: Items,
    /// The bars, first priority first.
    pub items: Vec<GapItem>,
}

fn check_gaps(rubric: &CompiledRubric, scored: &Scored, gaps: &Gaps) -> Result<(), Error> {
    check_scored(rubric, scored)?;
    if gaps.indicators.len() != rubric.indicators().len()
        || gaps.nodes.len() != rubric.nodes().len()
    {
        return Err(Error::RubricMismatch {
            expected: rubric.key().to_owned(),
            found: format!("gaps of {} indicators", gaps.indicators.len()),
        });
    }
    Ok(())
}

impl GapBarsInput {
    /// The first `limit` priorities of `gaps` (indicators below target or
    /// failing a minimum condition, in the core's order).
    pub fn indicators(
        rubric: &CompiledRubric,
        scored: &Scored,
        gaps: &Gaps,
        limit: usize,
    ) -> Result<Self, Error> {
        check_gaps(rubric, scored, gaps)?;
        let items = gaps
            .priorities
            .iter()
            .take(limit)
            .filter_map(|p| {
                let r = scored.indicator(p.indicator)?;
                let c = rubric.indicator(p.indicator)?;
                Some(GapItem {
                    id: c.id.clone(),
                    label: input::title_of(rubric, NodeRef::Indicator(p.indicator)),
                    reading: Reading::of_indicator(r.status, r.score),
                    level: r.level().map(|l| l.index()),
                    target: Some(rubric.level_score(r.target)),
                    target_level: Some(r.target.index()),
                    critical: c.critical,
                    failed: p.failed_condition,
                })
            })
            .collect();
        Ok(Self {
            scale: LevelScale::of(rubric),
            kind: Items::Indicators,
            items,
        })
    }

    /// The first `limit` competencies with an indicator below target or a
    /// failed minimum condition: those with failed conditions first, then
    /// by the sum of their indicators' impacts (global weight × gap in
    /// points), ties in rubric order.
    pub fn competencies(
        rubric: &CompiledRubric,
        scored: &Scored,
        gaps: &Gaps,
        limit: usize,
    ) -> Result<Self, Error> {
        check_gaps(rubric, scored, gaps)?;
        let mut ranked: Vec<(bool, Decimal, usize, GapItem)> = Vec::new();
        for (order, ix) in input::nodes_of(rubric, crate::Axes::Competencies)
            .into_iter()
            .enumerate()
        {
            let (Some(r), Some(g)) = (scored.node(ix), gaps.node(ix)) else {
                continue;
            };
            if g.below_target == 0 && g.failed_conditions == 0 {
                continue;
            }
            let mut impact = Decimal::ZERO;
            let mut critical = false;
            for child in rubric.children(ix) {
                if let NodeRef::Indicator(i) = child {
                    impact += gaps.indicator(i).map_or(Decimal::ZERO, |g| g.impact);
                    critical |= rubric.indicator(i).is_some_and(|c| c.critical);
                }
            }
            let failed = g.failed_conditions > 0;
            let item = GapItem {
                id: rubric.id(NodeRef::Node(ix)).to_owned(),
                label: input::title_of(rubric, NodeRef::Node(ix)),
                reading: Reading::of_node(r),
                level: r.score.map(|s| rubric.grade_of_score(s).index()),
                target: input::node_target(rubric, scored, NodeRef::Node(ix)),
                target_level: None,
                critical,
                failed,
            };
            ranked.push((failed, impact, order, item));
        }
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        Ok(Self {
            scale: LevelScale::of(rubric),
            kind: Items::Competencies,
            items: ranked
                .into_iter()
                .take(limit)
                .map(|(_, _, _, i)| i)
                .collect(),
        })
    }
}

/// Height of the label line above a bar.
const HEADING: i32 = 20;
/// Height of a bar.
const BAR: i32 = 14;
/// Space below a bar.
const GAP: i32 = 12;

/// Draws the gap bars of `input` (see the module docs).
///
/// ```
/// use capacity::{CompiledRubric, Lang, example};
/// use capacity_charts::{ChartOptions, GapBarsInput};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (_, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let gaps = capacity::gaps(&rubric, &scored)?;
/// let input = GapBarsInput::indicators(&rubric, &scored, &gaps, 10)?;
/// let svg = capacity_charts::gap_bars(&input, &ChartOptions::default());
/// assert!(svg.contains("Écarts à la cible"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn gap_bars(input: &GapBarsInput, opts: &ChartOptions) -> String {
    let lang = opts.lang;
    let width = opts.layout_width();
    let w = width as i32;
    let scale = &input.scale;
    let colours = style::level_colours(scale.levels.len(), scale.basic);
    let title = opts.title.clone().unwrap_or_else(|| {
        match input.kind {
            Items::Indicators => tr(
                lang,
                "Écarts à la cible : indicateurs prioritaires",
                "Gaps to target: priority indicators",
            ),
            Items::Competencies => tr(
                lang,
                "Écarts à la cible : compétences prioritaires",
                "Gaps to target: priority competencies",
            ),
        }
        .to_owned()
    });

    let head = TitleBlock::new(&title, width);
    let mut entries: Vec<(Swatch, String)> = scale
        .levels
        .iter()
        .zip(&colours)
        .enumerate()
        .map(|(i, (l, c))| {
            let basic = i == scale.basic;
            let text = if basic {
                format!("{} {}", l.code, tr(lang, "(base)", "(basic)"))
            } else {
                l.code.clone()
            };
            (Swatch::Fill { colour: *c, basic }, text)
        })
        .collect();
    entries.push((
        Swatch::Line {
            colour: INK,
            width: 2,
            dashed: false,
        },
        tr(lang, "cible", "target").to_owned(),
    ));
    entries.push((
        Swatch::Outline,
        tr(lang, "écart à la cible", "gap to target").to_owned(),
    ));
    let any_critical = input.items.iter().any(|i| i.critical);
    if input.items.iter().any(|i| i.failed) {
        entries.push((
            Swatch::Diamond { filled: true },
            tr(
                lang,
                "condition minimale non remplie",
                "minimum condition failed",
            )
            .to_owned(),
        ));
    }
    if input.items.iter().any(|i| i.critical && !i.failed) {
        entries.push((
            Swatch::Diamond { filled: false },
            tr(lang, "condition minimale", "minimum condition").to_owned(),
        ));
    }
    if input.items.iter().any(|i| {
        matches!(
            i.reading,
            Reading::Scored {
                no_information: true,
                ..
            }
        )
    }) {
        entries.push((
            Swatch::Pattern(Pattern::NoInformation),
            frame::state_label(Pattern::NoInformation, scale, lang),
        ));
    }
    let legend = Legend::new(entries, width);
    let note = match input.kind {
        Items::Indicators => tr(
            lang,
            "Ordre : conditions minimales non remplies d'abord, puis écart à la cible pondéré par le poids de l'indicateur dans le score global.",
            "Order: failed minimum conditions first, then the gap to target weighted by the indicator's weight in the overall score.",
        ),
        Items::Competencies => tr(
            lang,
            "Ordre : compétences avec une condition minimale non remplie d'abord, puis somme des écarts pondérés de leurs indicateurs. Cible : moyenne pondérée des niveaux cibles.",
            "Order: competencies with a failed minimum condition first, then the sum of their indicators' weighted gaps. Target: weighted mean of the target levels.",
        ),
    };
    let (note_lines, _) = typo::wrap(note, SMALL, f64::from(w - 2 * MARGIN), 4);

    let legend_top = head.height();
    let axis_top = legend_top + legend.height();
    let rows_top = axis_top + Track::AXIS + 4;
    let row_h = HEADING + BAR + GAP;
    let n = input.items.len() as i32;
    let empty_h = if n == 0 { 24 } else { 0 };
    let notes_top = rows_top + row_h * n + empty_h;
    let height = notes_top + 18 * note_lines.len() as i32 + MARGIN;
    let track = Track {
        x0: MARGIN + 6,
        x1: w - MARGIN - 6,
    };
    let indent = if any_critical { 18 } else { 0 };

    let desc = describe(input, &title, lang);
    let lowest = colours.first().copied().map(style::hex).unwrap_or_default();
    let mut doc = Doc::new(
        "gaps",
        opts.id.as_deref(),
        (width, height as u32),
        opts.height,
        (&title, &desc),
        &[(Pattern::NoInformation, lowest.as_str())],
    );
    head.draw(&mut doc);
    legend.draw(&mut doc, legend_top);
    track.draw_axis(&mut doc, scale, axis_top, lang);

    if input.items.is_empty() {
        let text = tr(lang, "Aucun écart à la cible.", "No gap to target.");
        doc.draw(|a| {
            a.draw(&PText::new(
                text,
                (MARGIN, rows_top + 12),
                style::font(SMALL, GREY, HPos::Left, VPos::Center, false),
            ))
        });
    }
    for (k, item) in input.items.iter().enumerate() {
        let top = rows_top + row_h * k as i32;
        let label = item.label.get(lang);
        let value = value_text(item, scale, lang);
        doc.open_group("bar", None);
        frame::row_heading(
            &mut doc,
            label,
            &item_summary(item, k, scale, lang),
            &value,
            MARGIN + indent,
            w - MARGIN,
            top + HEADING / 2,
            false,
        );
        let bar_top = top + HEADING;
        let current = item.reading.score();
        let x_cur = current.map(|s| track.x(s));
        let x_target = item.target.map(|t| track.x(t));
        let colour = item
            .level
            .and_then(|l| colours.get(l))
            .copied()
            .unwrap_or(GREY);
        let all_ni = matches!(
            item.reading,
            Reading::Scored {
                all_no_information: true,
                ..
            }
        );
        doc.draw(|a| {
            track.grid(a, scale, bar_top - 4, bar_top + BAR + 4)?;
            if item.critical {
                frame::diamond(a, (MARGIN + 6, top + HEADING / 2), 6, item.failed)?;
            }
            if let (Some(xc), Some(xt)) = (x_cur, x_target)
                && xt > xc
            {
                a.draw(&Rectangle::new(
                    [(xc, bar_top), (xt, bar_top + BAR)],
                    style::stroke(GREY, 1),
                ))?;
            }
            if let Some(xc) = x_cur
                && !all_ni
            {
                // The lowest level scores 0: a short stub still shows its
                // colour.
                a.draw(&Rectangle::new(
                    [(track.x0, bar_top), (xc.max(track.x0 + 4), bar_top + BAR)],
                    style::fill(colour),
                ))?;
            }
            if let Some(xt) = x_target {
                a.draw(&PathElement::new(
                    vec![(xt, bar_top - 3), (xt, bar_top + BAR + 3)],
                    style::stroke(INK, 2),
                ))?;
            }
            Ok(())
        });
        match item.reading {
            Reading::Scored {
                all_no_information: true,
                ..
            } => {
                // D* scores as the lowest level: a pattern block at the start
                // of the track marks it.
                let x1 = x_cur.unwrap_or(track.x0).max(track.x0 + 14);
                doc.pattern_rect(
                    Pattern::NoInformation,
                    (track.x0, bar_top),
                    (x1 - track.x0, BAR),
                    STATE_INK,
                );
            }
            Reading::NotApplicable => doc.pattern_rect(
                Pattern::NotApplicable,
                (track.x0, bar_top),
                (14, BAR),
                STATE_INK,
            ),
            Reading::Unanswered => doc.pattern_rect(
                Pattern::Unanswered,
                (track.x0, bar_top),
                (14, BAR),
                STATE_INK,
            ),
            Reading::Scored { .. } => {}
        }
        doc.close_group();
    }
    doc.draw(|a| {
        for (i, line) in note_lines.iter().enumerate() {
            a.draw(&PText::new(
                line.as_str(),
                (MARGIN, notes_top + 18 * i as i32 + 9),
                style::font(SMALL, GREY, HPos::Left, VPos::Center, false),
            ))?;
        }
        Ok(())
    });
    doc.finish()
}

/// The values at the right of a bar: levels for an indicator (`D → B`),
/// scores for a competency (`33,3 → 66,7`).
fn value_text(item: &GapItem, scale: &LevelScale, lang: Lang) -> String {
    match item.target_level {
        Some(t) => {
            let now = match (item.reading, item.level) {
                (
                    Reading::Scored {
                        all_no_information: true,
                        ..
                    },
                    _,
                ) => scale.no_information_code(),
                (Reading::Scored { .. }, Some(l)) => scale.code(l).to_owned(),
                (r, _) => show(r, scale, lang),
            };
            format!("{now} → {}", scale.code(t))
        }
        None => format!(
            "{} → {}",
            show(item.reading, scale, lang),
            item.target
                .map_or_else(|| "–".to_owned(), |t| capacity::format::score(t, lang))
        ),
    }
}

/// One bar in words.
fn item_summary(item: &GapItem, k: usize, scale: &LevelScale, lang: Lang) -> String {
    let colon = tr(lang, " : ", ": ");
    let mut s = format!(
        "{}. {} ({}){colon}{}",
        k + 1,
        item.label.get(lang),
        item.id,
        value_text(item, scale, lang)
    );
    if item.failed {
        s.push_str(tr(
            lang,
            ", condition minimale non remplie",
            ", minimum condition failed",
        ));
    } else if item.critical {
        s.push_str(tr(lang, ", condition minimale", ", minimum condition"));
    }
    s
}

/// The chart in words, for `<desc>`.
fn describe(input: &GapBarsInput, title: &str, lang: Lang) -> String {
    if input.items.is_empty() {
        return format!(
            "{title}{}",
            tr(lang, " : aucun écart à la cible.", ": no gap to target.")
        );
    }
    let parts: Vec<String> = input
        .items
        .iter()
        .enumerate()
        .map(|(k, i)| item_summary(i, k, &input.scale, lang))
        .collect();
    format!(
        "{title}{}{}.",
        tr(
            lang,
            ", par ordre de priorité, actuel → cible (niveaux pour un indicateur, scores 0–100 pour une compétence) : ",
            ", in priority order, current → target (levels for an indicator, scores 0–100 for a competency): "
        ),
        parts.join(tr(lang, " ; ", "; "))
    )
}
