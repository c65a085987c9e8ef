//! Progress: a commune's baseline against its follow-up, per competency or
//! domain, as a dumbbell chart.
//!
//! One row per node (the overall score first), the label above a 0–100
//! track: a hollow ring at the baseline score, a filled dot at the
//! follow-up, joined by a thick line — blue when the score rose,
//! vermillion when it fell, grey when unchanged — and the change at the
//! right (`+12,5`, `−8,3`). When a round has no score (not applicable,
//! unanswered) the change is not comparable, as the core says
//! ([`capacity::Change::NotComparable`]); the round's state is drawn with
//! its pattern at the start of the track and written at the right
//! (`NA → 45,0`).

use crate::frame::{self, Legend, Marker, Swatch, TitleBlock, Track};
use crate::input::{self, Axes, LevelScale, Reading, show};
use crate::style::{self, BLUE, GREY, MARGIN, Pattern, SMALL, STATE_INK, VERMILLION};
use crate::svg::Doc;
use crate::{ChartOptions, Error, Lang, tr, typo};
use capacity::{CompiledRubric, NodeRef, NodeStatus, Progress, ROOT, Text};
use plotters::prelude::{PathElement, Text as PText};
use plotters::style::text_anchor::{HPos, VPos};
use rust_decimal::Decimal;

/// One row of a progress chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressItem {
    /// The node's id (empty for the overall score).
    pub id: String,
    /// Its title.
    pub label: Text,
    /// The baseline round.
    pub from: Reading,
    /// The follow-up round.
    pub to: Reading,
}

/// The input of [`progress_dumbbell()`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressInput {
    /// The scale.
    pub scale: LevelScale,
    /// Competencies or domains.
    pub kind: Axes,
    /// The commune (id or name), for the title.
    pub commune: String,
    /// The baseline round's label.
    pub from_round: String,
    /// The follow-up round's label.
    pub to_round: String,
    /// The rows, the overall score first.
    pub items: Vec<ProgressItem>,
}

fn reading(status: NodeStatus, score: Option<Decimal>) -> Reading {
    match (status, score) {
        (NodeStatus::Scored, Some(score)) => Reading::Scored {
            score,
            no_information: false,
            all_no_information: false,
        },
        (NodeStatus::NotApplicable, _) => Reading::NotApplicable,
        _ => Reading::Unanswered,
    }
}

impl ProgressInput {
    /// The overall score and every competency or domain of `progress`.
    pub fn new(rubric: &CompiledRubric, progress: &Progress, kind: Axes) -> Result<Self, Error> {
        if progress.rubric != rubric.key() || progress.nodes.len() != rubric.nodes().len() {
            return Err(Error::RubricMismatch {
                expected: rubric.key().to_owned(),
                found: progress.rubric.clone(),
            });
        }
        let overall = Text::new("Score global", Some("Overall score"));
        let items = std::iter::once(ROOT)
            .chain(input::nodes_of(rubric, kind))
            .filter_map(|ix| {
                let c = progress.nodes.get(ix.index())?;
                Some(ProgressItem {
                    id: if ix == ROOT {
                        String::new()
                    } else {
                        rubric.id(NodeRef::Node(ix)).to_owned()
                    },
                    label: if ix == ROOT {
                        overall.clone()
                    } else {
                        input::title_of(rubric, NodeRef::Node(ix))
                    },
                    from: reading(c.from, c.score.from),
                    to: reading(c.to, c.score.to),
                })
            })
            .collect();
        Ok(Self {
            scale: LevelScale::of(rubric),
            kind,
            commune: progress.commune.clone(),
            from_round: progress.from_round.clone(),
            to_round: progress.to_round.clone(),
            items,
        })
    }

    /// Names the commune in the title (default: its id).
    pub fn commune(mut self, name: impl Into<String>) -> Self {
        self.commune = name.into();
        self
    }
}

/// Height of the label line.
const HEADING: i32 = 20;
/// Height of the track line.
const LINE: i32 = 16;
/// Space below.
const GAP: i32 = 10;

/// The change as shown: `+12,5`, `−8,3`, `=`, or the two readings when
/// not comparable.
fn change_text(item: &ProgressItem, scale: &LevelScale, lang: Lang) -> String {
    match (item.from.score(), item.to.score()) {
        (Some(a), Some(b)) => {
            let d = b - a;
            let s = capacity::format::score(d.abs(), lang);
            if s == capacity::format::score(Decimal::ZERO, lang) {
                "=".to_owned()
            } else if d > Decimal::ZERO {
                format!("+{s}")
            } else {
                format!("\u{2212}{s}")
            }
        }
        _ => format!(
            "{} → {}",
            show(item.from, scale, lang),
            show(item.to, scale, lang)
        ),
    }
}

/// Draws the progress of `input` as a dumbbell chart (see the module docs).
///
/// ```
/// use capacity::{CommuneResult, CompiledRubric, Lang, example};
/// use capacity_charts::{Axes, ChartOptions, ProgressInput};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let before = capacity::Assessment::from_toml(example::ASSESSMENT)?;
/// let mut after = before.clone();
/// after.round = "2025".into();
/// let s0 = capacity::score(&rubric, &rubric.resolve(&before)?)?;
/// let s1 = capacity::score(&rubric, &rubric.resolve(&after)?)?;
/// let p = capacity::progress(&rubric, &CommuneResult::new(&before, &s0), &CommuneResult::new(&after, &s1))?;
/// let input = ProgressInput::new(&rubric, &p, Axes::Domains)?;
/// let svg = capacity_charts::progress_dumbbell(&input, &ChartOptions::default());
/// assert!(svg.contains("Score global"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn progress_dumbbell(input: &ProgressInput, opts: &ChartOptions) -> String {
    let lang = opts.lang;
    let width = opts.layout_width();
    let w = width as i32;
    let scale = &input.scale;
    let title = opts.title.clone().unwrap_or_else(|| match lang {
        Lang::Fr => format!(
            "Évolution {} → {} : {}",
            input.from_round, input.to_round, input.commune
        ),
        Lang::En => format!(
            "Change {} → {}: {}",
            input.from_round, input.to_round, input.commune
        ),
    });
    let head = TitleBlock::new(&title, width);
    let mut entries = vec![
        (Swatch::Marker(Marker::Ring, GREY), input.from_round.clone()),
        (Swatch::Marker(Marker::Dot, GREY), input.to_round.clone()),
        (
            Swatch::Line {
                colour: BLUE,
                width: 4,
                dashed: false,
            },
            tr(lang, "hausse", "rise").to_owned(),
        ),
        (
            Swatch::Line {
                colour: VERMILLION,
                width: 4,
                dashed: false,
            },
            tr(lang, "baisse", "fall").to_owned(),
        ),
    ];
    let states = [
        (Pattern::NotApplicable, Reading::NotApplicable),
        (Pattern::Unanswered, Reading::Unanswered),
    ];
    for (p, r) in states {
        if input.items.iter().any(|i| i.from == r || i.to == r) {
            entries.push((Swatch::Pattern(p), frame::state_label(p, scale, lang)));
        }
    }
    let legend = Legend::new(entries, width);
    let note = tr(
        lang,
        "Variation du score (0–100) ; non comparable quand un tour n'a pas de score (NA : non applicable, ? : sans réponse).",
        "Change in score (0–100); not comparable when a round has no score (NA: not applicable, ?: unanswered).",
    );
    let (note_lines, _) = typo::wrap(note, SMALL, f64::from(w - 2 * MARGIN), 4);
    let legend_top = head.height();
    let axis_top = legend_top + legend.height();
    let rows_top = axis_top + Track::AXIS + 4;
    let row_h = HEADING + LINE + GAP;
    let notes_top = rows_top + row_h * input.items.len() as i32;
    let height = notes_top + 18 * note_lines.len() as i32 + MARGIN;
    let track = Track {
        x0: MARGIN + 8,
        x1: w - MARGIN - 8,
    };

    let desc = describe(input, &title, lang);
    let mut doc = Doc::new(
        "progress",
        opts.id.as_deref(),
        (width, height as u32),
        opts.height,
        (&title, &desc),
        &[(Pattern::NotApplicable, ""), (Pattern::Unanswered, "")],
    );
    head.draw(&mut doc);
    legend.draw(&mut doc, legend_top);
    track.draw_axis(&mut doc, scale, axis_top, lang);

    for (k, item) in input.items.iter().enumerate() {
        let top = rows_top + row_h * k as i32;
        let change = change_text(item, scale, lang);
        doc.open_group("row", None);
        frame::row_heading(
            &mut doc,
            item.label.get(lang),
            &item_summary(item, input, lang),
            &change,
            MARGIN,
            w - MARGIN,
            top + HEADING / 2,
            k == 0,
        );
        let cy = top + HEADING + LINE / 2;
        let from = item.from.score().map(|s| track.x(s));
        let to = item.to.score().map(|s| track.x(s));
        doc.draw(|a| {
            track.grid(a, scale, cy - LINE / 2, cy + LINE / 2)?;
            if let (Some(x0), Some(x1)) = (from, to) {
                let colour = if x1 > x0 {
                    BLUE
                } else if x1 < x0 {
                    VERMILLION
                } else {
                    GREY
                };
                if x0 != x1 {
                    a.draw(&PathElement::new(
                        vec![(x0, cy), (x1, cy)],
                        style::stroke(colour, 4),
                    ))?;
                }
                frame::marker(a, Marker::Ring, (x0, cy), 5, GREY)?;
                frame::marker(a, Marker::Dot, (x1, cy), 5, colour)?;
            } else {
                if let Some(x0) = from {
                    frame::marker(a, Marker::Ring, (x0, cy), 5, GREY)?;
                }
                if let Some(x1) = to {
                    frame::marker(a, Marker::Dot, (x1, cy), 5, GREY)?;
                }
            }
            Ok(())
        });
        // A round without a score: its pattern at the start of the track
        // (the baseline's above the follow-up's).
        for (r, dy) in [(item.from, -6), (item.to, 0)] {
            let pattern = match r {
                Reading::NotApplicable => Pattern::NotApplicable,
                Reading::Unanswered => Pattern::Unanswered,
                Reading::Scored { .. } => continue,
            };
            doc.pattern_rect(pattern, (track.x0 - 8, cy + dy), (14, 6), STATE_INK);
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

/// One row in words.
fn item_summary(item: &ProgressItem, input: &ProgressInput, lang: Lang) -> String {
    let scale = &input.scale;
    let colon = tr(lang, " : ", ": ");
    format!(
        "{}{colon}{} {} → {} {} ({})",
        item.label.get(lang),
        input.from_round,
        show(item.from, scale, lang),
        input.to_round,
        show(item.to, scale, lang),
        change_text(item, scale, lang)
    )
}

/// The chart in words, for `<desc>`.
fn describe(input: &ProgressInput, title: &str, lang: Lang) -> String {
    let parts: Vec<String> = input
        .items
        .iter()
        .map(|i| item_summary(i, input, lang))
        .collect();
    format!(
        "{title}{}{}.",
        tr(lang, ". Scores de 0 à 100 : ", ". Scores from 0 to 100: "),
        parts.join(tr(lang, " ; ", "; "))
    )
}
