//! Distribution: for a group of communes, the share of communes at each
//! level, per competency (or indicator), as 100 % stacked bars.
//!
//! Ordinal data first, as PEFA and CLEAR ask: no mean, no rank. Each bar
//! adds up to the group's communes: no information (D\*), then the levels
//! lowest first, then not applicable and unanswered (patterned). A black
//! tick marks where the basic level starts, and the share of communes at
//! or above basic — the core's figure, out of the communes that answered —
//! is written at the right of the label. Counts are written in segments
//! wide enough for them; each row's tooltip gives every count.

use crate::frame::{self, Legend, Swatch, TitleBlock};
use crate::input::{self, Items, LevelScale};
use crate::style::{self, GREY, INK, MARGIN, Pattern, SMALL, STATE_INK};
use crate::svg::Doc;
use crate::{ChartOptions, Error, Lang, tr, typo};
use capacity::{Comparison, CompiledRubric, Group, GroupComparison, NodeRef, Share, Text};
use plotters::prelude::{PathElement, Rectangle, Text as PText};
use plotters::style::text_anchor::{HPos, VPos};

/// One bar: how many communes of the group stand where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionRow {
    /// The competency's or indicator's id.
    pub id: String,
    /// Its title.
    pub label: Text,
    /// Communes per level, lowest first.
    pub levels: Vec<u32>,
    /// No information (D*).
    pub no_information: u32,
    /// Not applicable (by rule or declared).
    pub not_applicable: u32,
    /// Not answered.
    pub unanswered: u32,
    /// At or above the basic level, out of those answered.
    pub at_or_above_basic: Share,
}

impl DistributionRow {
    /// Every commune counted.
    pub fn total(&self) -> u32 {
        self.levels.iter().sum::<u32>()
            + self.no_information
            + self.not_applicable
            + self.unanswered
    }
}

/// The input of [`distribution()`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionInput {
    /// The scale.
    pub scale: LevelScale,
    /// Competencies or indicators.
    pub kind: Items,
    /// The group of communes.
    pub group: Group,
    /// Communes in the group.
    pub communes: u32,
    /// The bars, in rubric order.
    pub rows: Vec<DistributionRow>,
}

fn find_group<'c>(
    rubric: &CompiledRubric,
    cmp: &'c Comparison,
    group: &Group,
) -> Result<&'c GroupComparison, Error> {
    if cmp.rubric != rubric.key() {
        return Err(Error::RubricMismatch {
            expected: rubric.key().to_owned(),
            found: cmp.rubric.clone(),
        });
    }
    std::iter::once(&cmp.national)
        .chain(&cmp.regions)
        .chain(&cmp.cercles)
        .find(|g| &g.group == group)
        .ok_or_else(|| Error::UnknownGroup {
            group: group_name(group, Lang::En),
        })
}

/// A group's name.
fn group_name(group: &Group, lang: Lang) -> String {
    match group {
        Group::National => tr(lang, "ensemble des communes", "all communes").to_owned(),
        Group::Region { region } => region.clone(),
        Group::Cercle { region, cercle } => match lang {
            Lang::Fr => format!("cercle de {cercle} ({region})"),
            Lang::En => format!("{cercle} cercle ({region})"),
        },
    }
}

impl DistributionInput {
    /// The competencies of `group` in `cmp` (e.g. [`Group::National`]).
    pub fn competencies(
        rubric: &CompiledRubric,
        cmp: &Comparison,
        group: &Group,
    ) -> Result<Self, Error> {
        let g = find_group(rubric, cmp, group)?;
        let rows = input::nodes_of(rubric, crate::Axes::Competencies)
            .into_iter()
            .filter_map(|ix| {
                let s = g.nodes.get(ix.index())?;
                Some(DistributionRow {
                    id: rubric.id(NodeRef::Node(ix)).to_owned(),
                    label: input::title_of(rubric, NodeRef::Node(ix)),
                    levels: s.grades.clone(),
                    no_information: 0,
                    not_applicable: s.not_applicable,
                    unanswered: s.unanswered,
                    at_or_above_basic: s.at_or_above_basic,
                })
            })
            .collect();
        Ok(Self {
            scale: LevelScale::of(rubric),
            kind: Items::Competencies,
            group: g.group.clone(),
            communes: g.communes,
            rows,
        })
    }

    /// The indicators of `group` in `cmp`, those of the competency
    /// `competency` when given, else all.
    pub fn indicators(
        rubric: &CompiledRubric,
        cmp: &Comparison,
        group: &Group,
        competency: Option<&str>,
    ) -> Result<Self, Error> {
        let g = find_group(rubric, cmp, group)?;
        let parent = match competency {
            Some(id) => Some(
                rubric
                    .node_ix(id)
                    .ok_or_else(|| Error::UnknownNode { id: id.to_owned() })?,
            ),
            None => None,
        };
        let rows = g
            .indicators
            .iter()
            .filter_map(|d| {
                let c = rubric.indicator(d.indicator)?;
                if parent.is_some_and(|p| p != c.parent) {
                    return None;
                }
                Some(DistributionRow {
                    id: c.id.clone(),
                    label: input::title_of(rubric, NodeRef::Indicator(d.indicator)),
                    levels: d.levels.clone(),
                    no_information: d.no_information,
                    not_applicable: d.not_applicable_by_rule + d.not_applicable,
                    unanswered: d.unanswered,
                    at_or_above_basic: d.at_or_above_basic,
                })
            })
            .collect();
        Ok(Self {
            scale: LevelScale::of(rubric),
            kind: Items::Indicators,
            group: g.group.clone(),
            communes: g.communes,
            rows,
        })
    }
}

/// Height of the label line.
const HEADING: i32 = 20;
/// Height of a bar.
const BAR: i32 = 16;
/// Space below a bar.
const GAP: i32 = 12;

/// One segment of a bar.
#[derive(Debug, Clone, Copy)]
enum Segment {
    Level(usize),
    State(Pattern),
}

/// The share at or above basic as shown: `62 % ≥ C`.
fn share_text(share: Share, scale: &LevelScale, lang: Lang) -> String {
    match share.ratio() {
        Some(r) => format!(
            "{} ≥ {}",
            capacity::format::percent(r, lang),
            scale.code(scale.basic)
        ),
        None => format!("– ≥ {}", scale.code(scale.basic)),
    }
}

/// Draws the level distribution of `input` (see the module docs).
///
/// ```
/// use capacity::{CommuneResult, CompiledRubric, Group, Lang, example};
/// use capacity_charts::{ChartOptions, DistributionInput};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (a, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let cmp = capacity::compare(&rubric, &[CommuneResult::new(&a, &scored)])?;
/// let input = DistributionInput::competencies(&rubric, &cmp, &Group::National)?;
/// let svg = capacity_charts::distribution(&input, &ChartOptions::default());
/// assert!(svg.contains("≥ C"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn distribution(input: &DistributionInput, opts: &ChartOptions) -> String {
    let lang = opts.lang;
    let width = opts.layout_width();
    let w = width as i32;
    let scale = &input.scale;
    let colours = style::level_colours(scale.levels.len(), scale.basic);
    let group = group_name(&input.group, lang);
    let title = opts.title.clone().unwrap_or_else(|| {
        let what = match (input.kind, lang) {
            (Items::Competencies, Lang::Fr) => "Niveaux par compétence",
            (Items::Indicators, Lang::Fr) => "Niveaux par indicateur",
            (Items::Competencies, Lang::En) => "Levels by competency",
            (Items::Indicators, Lang::En) => "Levels by indicator",
        };
        let colon = tr(lang, " : ", ": ");
        format!("{what}{colon}{group} ({} communes)", input.communes)
    });
    let head = TitleBlock::new(&title, width);
    let has = |f: fn(&DistributionRow) -> u32| input.rows.iter().any(|r| f(r) > 0);
    let mut states = Vec::new();
    if has(|r| r.no_information) {
        states.push(Pattern::NoInformation);
    }
    if has(|r| r.not_applicable) {
        states.push(Pattern::NotApplicable);
    }
    if has(|r| r.unanswered) {
        states.push(Pattern::Unanswered);
    }
    let mut entries = frame::level_entries(scale, &colours, &states, lang);
    entries.push((
        Swatch::Line {
            colour: INK,
            width: 2,
            dashed: false,
        },
        format!(
            "{} {}",
            tr(lang, "début du niveau de base", "start of the basic level"),
            scale.code(scale.basic)
        ),
    ));
    let legend = Legend::new(entries, width);
    let mut notes = vec![match lang {
        Lang::Fr => format!(
            "Part ≥ {b} : communes au niveau {b} ou plus, sur celles qui ont répondu (NA et sans réponse exclus ; {ni} compte en dessous).",
            b = scale.code(scale.basic),
            ni = scale.no_information_code()
        ),
        Lang::En => format!(
            "Share ≥ {b}: communes at level {b} or above, out of those that answered (NA and unanswered left out; {ni} counts below).",
            b = scale.code(scale.basic),
            ni = scale.no_information_code()
        ),
    }];
    if input.kind == Items::Competencies {
        notes.push(
            tr(
                lang,
                "Niveau d'une compétence : la tranche de niveau de son score.",
                "A competency's level: the level band of its score.",
            )
            .to_owned(),
        );
    }
    let note_lines: Vec<String> = notes
        .iter()
        .flat_map(|n| typo::wrap(n, SMALL, f64::from(w - 2 * MARGIN), 4).0)
        .collect();
    let legend_top = head.height();
    let rows_top = legend_top + legend.height() + 4;
    let row_h = HEADING + BAR + GAP;
    let notes_top = rows_top + row_h * input.rows.len() as i32;
    let height = notes_top + 18 * note_lines.len() as i32 + MARGIN;
    let (x0, x1) = (MARGIN, w - MARGIN);

    let desc = describe(input, &title, lang);
    let lowest = colours.first().copied().map(style::hex).unwrap_or_default();
    let defs: Vec<(Pattern, &str)> = states.iter().map(|p| (*p, lowest.as_str())).collect();
    let mut doc = Doc::new(
        "distribution",
        opts.id.as_deref(),
        (width, height as u32),
        opts.height,
        (&title, &desc),
        &defs,
    );
    head.draw(&mut doc);
    legend.draw(&mut doc, legend_top);

    let ni_code = scale.no_information_code();
    for (k, row) in input.rows.iter().enumerate() {
        let top = rows_top + row_h * k as i32;
        let bar_top = top + HEADING;
        doc.open_group("bar", Some(&row_summary(row, scale, lang)));
        frame::row_heading(
            &mut doc,
            row.label.get(lang),
            row.label.get(lang),
            &share_text(row.at_or_above_basic, scale, lang),
            MARGIN,
            w - MARGIN,
            top + HEADING / 2,
            false,
        );
        let mut segments: Vec<(Segment, u32)> =
            vec![(Segment::State(Pattern::NoInformation), row.no_information)];
        segments.extend(
            row.levels
                .iter()
                .enumerate()
                .map(|(l, n)| (Segment::Level(l), *n)),
        );
        segments.push((Segment::State(Pattern::NotApplicable), row.not_applicable));
        segments.push((Segment::State(Pattern::Unanswered), row.unanswered));
        let total = row.total().max(1);
        // Boundaries from cumulative counts, so that the segments tile the
        // bar exactly.
        let mut cum = 0u32;
        let mut placed: Vec<(Segment, u32, i32, i32)> = Vec::new();
        let mut basic_x = None;
        for (seg, n) in segments {
            let start = x0 + (i64::from(x1 - x0) * i64::from(cum) / i64::from(total)) as i32;
            if matches!(seg, Segment::Level(l) if l == scale.basic) {
                basic_x = Some(start);
            }
            cum += n;
            let end = x0 + (i64::from(x1 - x0) * i64::from(cum) / i64::from(total)) as i32;
            if n > 0 {
                placed.push((seg, n, start, end));
            }
        }
        doc.draw(|a| {
            if row.total() == 0 {
                a.draw(&Rectangle::new(
                    [(x0, bar_top), (x1, bar_top + BAR)],
                    style::stroke(GREY, 1),
                ))?;
            }
            for (seg, n, start, end) in &placed {
                if let Segment::Level(l) = seg {
                    let colour = colours.get(*l).copied().unwrap_or(GREY);
                    a.draw(&Rectangle::new(
                        [(*start, bar_top), (*end, bar_top + BAR)],
                        style::fill(colour),
                    ))?;
                    let text = n.to_string();
                    if typo::width(&text, SMALL) + 4.0 <= f64::from(end - start) {
                        a.draw(&PText::new(
                            text.as_str(),
                            ((start + end) / 2, bar_top + BAR / 2),
                            style::font(
                                SMALL,
                                style::ink_on(colour),
                                HPos::Center,
                                VPos::Center,
                                false,
                            ),
                        ))?;
                    }
                }
            }
            Ok(())
        });
        let mut glyphs: Vec<(String, i32)> = Vec::new();
        for (seg, n, start, end) in &placed {
            if let Segment::State(p) = seg {
                doc.pattern_rect(*p, (*start, bar_top), (end - start, BAR), STATE_INK);
                let text = match p {
                    Pattern::NoInformation => format!("{ni_code} {n}"),
                    Pattern::NotApplicable => format!("NA {n}"),
                    Pattern::Unanswered => format!("? {n}"),
                };
                if typo::width(&text, SMALL) + 6.0 <= f64::from(end - start) {
                    glyphs.push((text, (start + end) / 2));
                }
            }
        }
        doc.draw(|a| {
            for (text, x) in &glyphs {
                // On a white box, so the count reads over the hatching.
                let half = (typo::width(text, SMALL) / 2.0).ceil() as i32 + 2;
                a.draw(&Rectangle::new(
                    [(x - half, bar_top + 2), (x + half, bar_top + BAR - 2)],
                    style::fill(style::PAPER),
                ))?;
                a.draw(&PText::new(
                    text.as_str(),
                    (*x, bar_top + BAR / 2),
                    style::font(SMALL, INK, HPos::Center, VPos::Center, false),
                ))?;
            }
            if let Some(x) = basic_x {
                a.draw(&PathElement::new(
                    vec![(x, bar_top - 4), (x, bar_top + BAR + 4)],
                    style::stroke(INK, 2),
                ))?;
            }
            Ok(())
        });
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

/// One bar in words.
fn row_summary(row: &DistributionRow, scale: &LevelScale, lang: Lang) -> String {
    let colon = tr(lang, " : ", ": ");
    let mut parts: Vec<String> = Vec::new();
    if row.no_information > 0 {
        parts.push(format!(
            "{} {}",
            scale.no_information_code(),
            row.no_information
        ));
    }
    for (l, n) in scale.levels.iter().zip(&row.levels) {
        parts.push(format!("{} {n}", l.code));
    }
    parts.push(format!("NA {}", row.not_applicable));
    parts.push(format!("? {}", row.unanswered));
    format!(
        "{} ({}){colon}{}{}{}",
        row.label.get(lang),
        row.id,
        parts.join(", "),
        tr(lang, " ; ", "; "),
        share_text(row.at_or_above_basic, scale, lang)
    )
}

/// The chart in words, for `<desc>`.
fn describe(input: &DistributionInput, title: &str, lang: Lang) -> String {
    let parts: Vec<String> = input
        .rows
        .iter()
        .map(|r| row_summary(r, &input.scale, lang))
        .collect();
    format!(
        "{title}{}{}.",
        tr(
            lang,
            ". Nombre de communes par niveau (NA : non applicable, ? : sans réponse) et part au niveau de base ou plus : ",
            ". Communes per level (NA: not applicable, ?: unanswered) and share at or above the basic level: "
        ),
        parts.join(tr(lang, " ; ", "; "))
    )
}
