//! Heatmap: communes × competencies (or indicators), one cell per
//! commune and column in the colour of its level.
//!
//! A competency's cell is its grade (the level band of its score, as the
//! core's comparison reads it); a black corner marks a cell whose score
//! includes indicators with no information (D*). Not applicable, no
//! information throughout (D*) and unanswered cells are filled with their
//! patterns, and carry their glyph when the cell is wide enough for text
//! (as level cells carry their code). Rows keep the order given (sort
//! the communes first: by region, by rank…); each row is a group whose
//! tooltip names the commune, its cercle and region. Column titles are
//! written upward and truncated, with the full title in a tooltip.
//!
//! Rows are at least 16 pixels tall so that every commune's name stays
//! readable: a chart of 703 communes is long, by design.

use crate::frame::{self, Legend, Swatch, TitleBlock};
use crate::input::{self, Items, LevelScale, check_scored};
use crate::style::{self, GREY, INK, MARGIN, PAPER, Pattern, SMALL, STATE_INK};
use crate::svg::Doc;
use crate::{ChartOptions, Error, Lang, tr, typo};
use capacity::{CommuneResult, CompiledRubric, NodeRef, NodeStatus, Status, Text};
use plotters::prelude::{Polygon, RGBColor, Rectangle, Text as PText};
use plotters::style::text_anchor::{HPos, VPos};

/// One cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cell {
    /// A level (index in the scale, lowest first).
    Level {
        /// The level.
        level: usize,
        /// Whether some indicator with no information (D*) went into it.
        no_information: bool,
    },
    /// No information (D*) throughout.
    NoInformation,
    /// Not applicable.
    NotApplicable,
    /// Not answered yet.
    Unanswered,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatmapColumn {
    /// The competency's or indicator's id.
    pub id: String,
    /// Its title.
    pub label: Text,
}

/// One row: a commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatmapRow {
    /// The commune's name.
    pub label: String,
    /// More about it, for the tooltip (cercle, region, round).
    pub detail: String,
    /// One cell per column.
    pub cells: Vec<Cell>,
}

/// The input of [`heatmap()`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatmapInput {
    /// The scale.
    pub scale: LevelScale,
    /// Competencies or indicators.
    pub kind: Items,
    /// The columns.
    pub columns: Vec<HeatmapColumn>,
    /// The rows, in display order.
    pub rows: Vec<HeatmapRow>,
}

fn row_of(c: &CommuneResult<'_>, cells: Vec<Cell>) -> HeatmapRow {
    HeatmapRow {
        label: c.commune.name.clone(),
        detail: format!("{}, {} ({})", c.commune.cercle, c.commune.region, c.round),
        cells,
    }
}

impl HeatmapInput {
    /// One column per competency of `rubric`, one row per commune in the
    /// order given.
    pub fn competencies(
        rubric: &CompiledRubric,
        communes: &[CommuneResult<'_>],
    ) -> Result<Self, Error> {
        for c in communes {
            check_scored(rubric, c.scored)?;
        }
        let nodes = input::nodes_of(rubric, crate::Axes::Competencies);
        let columns = nodes
            .iter()
            .map(|ix| HeatmapColumn {
                id: rubric.id(NodeRef::Node(*ix)).to_owned(),
                label: input::title_of(rubric, NodeRef::Node(*ix)),
            })
            .collect();
        let rows = communes
            .iter()
            .map(|c| {
                let cells = nodes
                    .iter()
                    .map(|ix| match c.scored.node(*ix) {
                        Some(r) => match (r.status, r.score) {
                            (NodeStatus::Scored, Some(s)) => {
                                let ni = r.coverage.no_information;
                                if ni > 0 && ni >= r.coverage.answered {
                                    Cell::NoInformation
                                } else {
                                    Cell::Level {
                                        level: rubric.grade_of_score(s).index(),
                                        no_information: ni > 0,
                                    }
                                }
                            }
                            (NodeStatus::NotApplicable, _) => Cell::NotApplicable,
                            _ => Cell::Unanswered,
                        },
                        None => Cell::Unanswered,
                    })
                    .collect();
                row_of(c, cells)
            })
            .collect();
        Ok(Self {
            scale: LevelScale::of(rubric),
            kind: Items::Competencies,
            columns,
            rows,
        })
    }

    /// One column per indicator (of the competency `competency` when
    /// given, else of the whole rubric), one row per commune in the order
    /// given.
    pub fn indicators(
        rubric: &CompiledRubric,
        communes: &[CommuneResult<'_>],
        competency: Option<&str>,
    ) -> Result<Self, Error> {
        for c in communes {
            check_scored(rubric, c.scored)?;
        }
        let indicators: Vec<capacity::IndicatorIx> = match competency {
            Some(id) => {
                let ix = rubric
                    .node_ix(id)
                    .ok_or_else(|| Error::UnknownNode { id: id.to_owned() })?;
                rubric
                    .children(ix)
                    .filter_map(|r| match r {
                        NodeRef::Indicator(i) => Some(i),
                        NodeRef::Node(_) => None,
                    })
                    .collect()
            }
            None => rubric
                .indicators()
                .iter()
                .filter_map(|i| rubric.indicator_ix(&i.id))
                .collect(),
        };
        let columns = indicators
            .iter()
            .map(|ix| HeatmapColumn {
                id: rubric.id(NodeRef::Indicator(*ix)).to_owned(),
                label: input::title_of(rubric, NodeRef::Indicator(*ix)),
            })
            .collect();
        let rows = communes
            .iter()
            .map(|c| {
                let cells = indicators
                    .iter()
                    .map(|ix| match c.scored.indicator(*ix).map(|r| r.status) {
                        Some(Status::Level(l)) => Cell::Level {
                            level: l.index(),
                            no_information: false,
                        },
                        Some(Status::NoInformation) => Cell::NoInformation,
                        Some(Status::NotApplicable(_)) => Cell::NotApplicable,
                        Some(Status::Unanswered) | None => Cell::Unanswered,
                    })
                    .collect();
                row_of(c, cells)
            })
            .collect();
        Ok(Self {
            scale: LevelScale::of(rubric),
            kind: Items::Indicators,
            columns,
            rows,
        })
    }
}

/// Row height, pixels: a readable label.
const ROW: i32 = 16;
/// The narrowest cell, pixels.
const MIN_CELL: i32 = 8;
/// The longest column title written upward, pixels.
const MAX_HEADER: f64 = 150.0;
/// Line height of column titles written across.
const HEADER_LINE: i32 = 15;

/// Draws the heatmap of `input` (see the module docs). When the columns do
/// not fit the width at 8 pixels each, the chart is wider than asked.
///
/// ```
/// use capacity::{CommuneResult, CompiledRubric, Lang, example};
/// use capacity_charts::{ChartOptions, HeatmapInput};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (a, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let input = HeatmapInput::competencies(&rubric, &[CommuneResult::new(&a, &scored)])?;
/// let svg = capacity_charts::heatmap(&input, &ChartOptions::new(Lang::En));
/// assert!(svg.contains("data-state=\"unanswered\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn heatmap(input: &HeatmapInput, opts: &ChartOptions) -> String {
    let lang = opts.lang;
    let scale = &input.scale;
    let colours = style::level_colours(scale.levels.len(), scale.basic);
    let title = opts.title.clone().unwrap_or_else(|| {
        match input.kind {
            Items::Competencies => tr(
                lang,
                "Niveaux par commune et compétence",
                "Levels by commune and competency",
            ),
            Items::Indicators => tr(
                lang,
                "Niveaux par commune et indicateur",
                "Levels by commune and indicator",
            ),
        }
        .to_owned()
    });
    let ncols = input.columns.len().max(1) as i32;
    let asked = opts.layout_width() as i32;
    let label_w = (asked * 32 / 100).clamp(90, 200);
    let cell_w = ((asked - 2 * MARGIN - label_w) / ncols).max(MIN_CELL);
    let w = 2 * MARGIN + label_w + cell_w * ncols;
    let width = w as u32;
    let text_in_cells = cell_w >= 16;

    let head = TitleBlock::new(&title, width);
    let any_corner = input.rows.iter().flat_map(|r| &r.cells).any(|c| {
        matches!(
            c,
            Cell::Level {
                no_information: true,
                ..
            }
        )
    });
    let mut entries = frame::level_entries(scale, &colours, &Pattern::ALL, lang);
    if any_corner {
        entries.push((
            Swatch::Corner,
            tr(lang, "inclut des D*", "includes D*").to_owned(),
        ));
    }
    let legend = Legend::new(entries, width);
    // Column titles: upward when columns are narrow, else across on up
    // to three lines.
    let across = cell_w >= 64;
    let headers: Vec<Vec<String>> = input
        .columns
        .iter()
        .map(|c| {
            if across {
                typo::wrap(c.label.get(lang), SMALL, f64::from(cell_w - 6), 3).0
            } else {
                vec![typo::fit(c.label.get(lang), SMALL, MAX_HEADER).0]
            }
        })
        .collect();
    let header_h = if across {
        headers.iter().map(Vec::len).max().unwrap_or(0) as i32 * HEADER_LINE + 6
    } else {
        headers
            .iter()
            .flatten()
            .map(|s| typo::width(s, SMALL).ceil() as i32)
            .max()
            .unwrap_or(0)
            + 10
    };
    let legend_top = head.height();
    let header_top = legend_top + legend.height();
    let rows_top = header_top + header_h;
    let cells_x = MARGIN + label_w;
    let height = rows_top + ROW * input.rows.len() as i32 + MARGIN;

    let desc = describe(input, &title, lang);
    let lowest = colours.first().copied().map(style::hex).unwrap_or_default();
    let defs: Vec<(Pattern, &str)> = Pattern::ALL.iter().map(|p| (*p, lowest.as_str())).collect();
    let mut doc = Doc::new(
        "heatmap",
        opts.id.as_deref(),
        (width, height as u32),
        opts.height,
        (&title, &desc),
        &defs,
    );
    head.draw(&mut doc);
    legend.draw(&mut doc, legend_top);

    // Column titles, bottom-aligned on the first row.
    for (k, (col, lines)) in input.columns.iter().zip(&headers).enumerate() {
        let x = cells_x + cell_w * k as i32 + cell_w / 2;
        let tooltip = format!("{} ({})", col.label.get(lang), col.id);
        doc.open_group("column", Some(&tooltip));
        doc.draw(|a| {
            if across {
                let first = rows_top - 4 - HEADER_LINE * lines.len() as i32;
                for (i, line) in lines.iter().enumerate() {
                    a.draw(&PText::new(
                        line.as_str(),
                        (x, first + HEADER_LINE * i as i32 + HEADER_LINE / 2),
                        style::font(SMALL, INK, HPos::Center, VPos::Center, false),
                    ))?;
                }
                Ok(())
            } else {
                let line = lines.first().map_or("", String::as_str);
                a.draw(&PText::new(
                    line,
                    (x, rows_top - 5),
                    style::font_up(SMALL, INK, HPos::Left),
                ))
            }
        });
        doc.close_group();
    }

    let ni_code = scale.no_information_code();
    let glyph_fits = |g: &str| text_in_cells && typo::width(g, SMALL) <= f64::from(cell_w - 2);
    for (r, row) in input.rows.iter().enumerate() {
        let top = rows_top + ROW * r as i32;
        let tooltip = format!("{} — {}", row.label, row.detail);
        doc.open_group("row", Some(&tooltip));
        let (shown, _) = typo::fit(&row.label, SMALL, f64::from(label_w - 6));
        doc.draw(|a| {
            a.draw(&PText::new(
                shown.as_str(),
                (MARGIN, top + ROW / 2),
                style::font(SMALL, INK, HPos::Left, VPos::Center, false),
            ))?;
            for (k, cell) in row.cells.iter().enumerate() {
                let x = cells_x + cell_w * k as i32;
                if let Cell::Level {
                    level,
                    no_information,
                } = *cell
                {
                    let colour: RGBColor = colours.get(level).copied().unwrap_or(GREY);
                    a.draw(&Rectangle::new(
                        [(x, top), (x + cell_w - 1, top + ROW - 1)],
                        style::fill(colour),
                    ))?;
                    if no_information {
                        let r = x + cell_w - 1;
                        a.draw(&Polygon::new(
                            vec![(r - 6, top), (r, top), (r, top + 6)],
                            style::fill(if style::ink_on(colour) == PAPER {
                                PAPER
                            } else {
                                INK
                            }),
                        ))?;
                    }
                    let code = scale.code(level);
                    if glyph_fits(code) {
                        a.draw(&PText::new(
                            code,
                            (x + (cell_w - 1) / 2, top + ROW / 2),
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
        let mut glyphs: Vec<(i32, &str)> = Vec::new();
        for (k, cell) in row.cells.iter().enumerate() {
            let x = cells_x + cell_w * k as i32;
            let (pattern, glyph) = match cell {
                Cell::Level { .. } => continue,
                Cell::NoInformation => (Pattern::NoInformation, ni_code.as_str()),
                Cell::NotApplicable => (Pattern::NotApplicable, "NA"),
                Cell::Unanswered => (Pattern::Unanswered, "?"),
            };
            doc.pattern_rect(pattern, (x, top), (cell_w - 1, ROW - 1), STATE_INK);
            if glyph_fits(glyph) {
                glyphs.push((x + (cell_w - 1) / 2, glyph));
            }
        }
        if !glyphs.is_empty() {
            doc.draw(|a| {
                for (x, glyph) in &glyphs {
                    a.draw(&PText::new(
                        *glyph,
                        (*x, top + ROW / 2),
                        style::font(SMALL, INK, HPos::Center, VPos::Center, true),
                    ))?;
                }
                Ok(())
            });
        }
        doc.close_group();
    }
    doc.finish()
}

/// The chart in words, for `<desc>`: its shape and the count of cells by
/// level and state.
fn describe(input: &HeatmapInput, title: &str, lang: Lang) -> String {
    let scale = &input.scale;
    let mut levels = vec![0usize; scale.levels.len()];
    let (mut ni, mut na, mut unanswered, mut some_ni) = (0, 0, 0, 0);
    for cell in input.rows.iter().flat_map(|r| &r.cells) {
        match *cell {
            Cell::Level {
                level,
                no_information,
            } => {
                if let Some(n) = levels.get_mut(level) {
                    *n += 1;
                }
                some_ni += usize::from(no_information);
            }
            Cell::NoInformation => ni += 1,
            Cell::NotApplicable => na += 1,
            Cell::Unanswered => unanswered += 1,
        }
    }
    let counts: Vec<String> = scale
        .levels
        .iter()
        .zip(&levels)
        .map(|(l, n)| format!("{} {n}", l.code))
        .collect();
    match lang {
        Lang::Fr => format!(
            "{title} : {} communes × {} colonnes, une cellule par commune et colonne, colorée selon son niveau (niveau de base {}). Cellules : {} ; {} {ni} ; NA (non applicable) {na} ; sans réponse {unanswered} ; {some_ni} cellules incluent des D*.",
            input.rows.len(),
            input.columns.len(),
            scale.code(scale.basic),
            counts.join(", "),
            scale.no_information_code(),
        ),
        Lang::En => format!(
            "{title}: {} communes × {} columns, one cell per commune and column, coloured by level (basic level {}). Cells: {}; {} {ni}; NA (not applicable) {na}; unanswered {unanswered}; {some_ni} cells include D*.",
            input.rows.len(),
            input.columns.len(),
            scale.code(scale.basic),
            counts.join(", "),
            scale.no_information_code(),
        ),
    }
}
