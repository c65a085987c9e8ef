//! The planners' table of scores: one row per commune and round.
//!
//! Columns, in order: commune id, name, region, cercle, round; overall
//! score and grade, provisional, coverage (%), indicators with no
//! information (NI); minimum conditions met, failed and pending, and the
//! ids of the failed ones; then one column per domain and competency
//! (their score, headed by their id, in rubric order) and one per
//! indicator (its consolidated level code, headed by its id). A score cell
//! is a number (one decimal), `NA` when nothing below applies, empty when
//! nothing below is answered; a level cell is the level's code, `NI`, `NA`
//! or empty when unanswered. The legend table explains every code and
//! every column. Reads the core's results only.

use crate::error::Error;
use crate::table::{Cell, Export, Table};
use crate::words::{
    colon, legend_codes, legend_headers, legend_name, node_score_cell, status_cell, tr, yes_no,
};
use capacity::{
    CommuneResult, CompiledRubric, Lang, NodeIx, NodeKind, NodeRef, NodeStatus, Scored,
};

/// Checks that `scored` was made with `rubric`.
pub(crate) fn check_scored(
    rubric: &CompiledRubric,
    scored: &Scored,
    commune: &str,
    round: &str,
) -> Result<(), Error> {
    if scored.rubric != rubric.key()
        || scored.nodes.len() != rubric.nodes().len()
        || scored.indicators.len() != rubric.indicators().len()
    {
        return Err(Error::RubricMismatch {
            what: format!("the result of {commune}, round {round}"),
            expected: rubric.key().to_owned(),
            found: scored.rubric.clone(),
        });
    }
    Ok(())
}

/// The five columns that name a commune and a round.
pub(crate) fn commune_headers(lang: Lang) -> Vec<String> {
    [
        tr(lang, "Code commune", "Commune id"),
        tr(lang, "Commune", "Commune"),
        tr(lang, "Région", "Region"),
        tr(lang, "Cercle", "Cercle"),
        tr(lang, "Tour", "Round"),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// The five cells that name a commune and a round.
pub(crate) fn commune_cells(result: &CommuneResult<'_>) -> Vec<Cell> {
    let c = result.commune;
    vec![
        Cell::text(&c.id),
        Cell::text(&c.name),
        Cell::text(&c.region),
        Cell::text(&c.cercle),
        Cell::text(result.round),
    ]
}

/// Legend rows for the five commune columns.
pub(crate) fn commune_legend(lang: Lang) -> Vec<Vec<Cell>> {
    let h = commune_headers(lang);
    let meanings = [
        tr(
            lang,
            "Identifiant de la commune dans les fichiers d'évaluation",
            "The commune's id in assessment files",
        ),
        tr(lang, "Nom de la commune", "The commune's name"),
        tr(lang, "Région", "Region"),
        tr(lang, "Cercle", "Cercle"),
        tr(lang, "Tour d'évaluation", "Assessment round"),
    ];
    h.into_iter()
        .zip(meanings)
        .map(|(h, m)| vec![Cell::Text(h), Cell::text(m)])
        .collect()
}

/// The domains and competencies, in rubric order (the root left out).
pub(crate) fn score_nodes(
    rubric: &CompiledRubric,
) -> impl Iterator<Item = (NodeIx, NodeKind)> + '_ {
    rubric
        .nodes()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind != NodeKind::Overall)
        // The core has no public constructor of a `NodeIx` from a
        // position; ids are unique, so the look-up by id gives it.
        .filter_map(|(i, n)| {
            let ix = rubric.node_ix(&n.id)?;
            (ix.index() == i).then_some((ix, n.kind))
        })
}

/// A node's title in `lang`.
pub(crate) fn node_title(rubric: &CompiledRubric, ix: NodeIx, lang: Lang) -> String {
    rubric
        .title(NodeRef::Node(ix))
        .map(|t| t.get(lang).to_owned())
        .unwrap_or_default()
}

impl Export {
    /// The scores of many assessments, one row per commune and round, and
    /// a legend (see the module documentation). Fails when a result was
    /// scored with another rubric.
    ///
    /// ```
    /// use capacity::{CommuneResult, CompiledRubric, Lang, example};
    /// use capacity_exchange::{CsvOptions, Export, export_csv};
    /// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
    /// let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
    /// let scored = capacity::score(&rubric, &resolved)?;
    /// let export = Export::scores(&rubric, &[CommuneResult::new(&assessment, &scored)], Lang::En)?;
    /// let csv = export_csv(&export, &CsvOptions::plain())?;
    /// assert!(csv.starts_with("Commune id,Commune,Region,Cercle,Round,Overall score,"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scores(
        rubric: &CompiledRubric,
        results: &[CommuneResult<'_>],
        lang: Lang,
    ) -> Result<Export, Error> {
        let nodes: Vec<(NodeIx, NodeKind)> = score_nodes(rubric).collect();
        let fixed = fixed_columns(lang);
        let mut headers = commune_headers(lang);
        headers.extend(fixed.iter().map(|(h, _)| (*h).to_owned()));
        headers.extend(nodes.iter().map(|(ix, _)| rubric.node_path_id(*ix)));
        headers.extend(rubric.indicators().iter().map(|i| i.id.clone()));
        let mut table = Table::new(tr(lang, "Scores", "Scores"), headers);
        table.rows.reserve(results.len());
        for result in results {
            let scored = result.scored;
            check_scored(rubric, scored, &result.commune.id, result.round)?;
            let mut row = commune_cells(result);
            row.reserve(table.headers.len() - row.len());
            let root = scored.root();
            row.push(node_score_cell(root));
            row.push(match root {
                Some(r) if r.status == NodeStatus::Scored => {
                    r.grade.map_or(Cell::Empty, |g| Cell::Text(g.label(rubric)))
                }
                _ => Cell::Empty,
            });
            row.push(yes_no(lang, scored.provisional));
            row.push(match scored.coverage.ratio() {
                Some(ratio) => Cell::score(ratio * rust_decimal::Decimal::ONE_HUNDRED),
                None => Cell::text(capacity::NOT_APPLICABLE),
            });
            row.push(Cell::int(scored.coverage.no_information));
            let mc = &scored.minimum_conditions;
            row.push(Cell::count(mc.met.len()));
            row.push(Cell::count(mc.failed.len()));
            row.push(Cell::count(mc.pending.len()));
            let failed: Vec<&str> = mc
                .failed
                .iter()
                .filter_map(|ix| rubric.indicator(*ix).map(|i| i.id.as_str()))
                .collect();
            row.push(if failed.is_empty() {
                Cell::Empty
            } else {
                Cell::text(failed.join(", "))
            });
            for (ix, _) in &nodes {
                row.push(node_score_cell(scored.node(*ix)));
            }
            for r in &scored.indicators {
                row.push(status_cell(rubric, r.status));
            }
            table.rows.push(row);
        }

        let mut legend = Table::new(legend_name(lang), legend_headers(lang));
        legend.rows = legend_codes(rubric, lang);
        legend.rows.extend(commune_legend(lang));
        for (h, meaning) in fixed {
            legend.rows.push(vec![Cell::text(h), Cell::text(meaning)]);
        }
        for (ix, kind) in &nodes {
            let title = node_title(rubric, *ix, lang);
            let text = match kind {
                NodeKind::Domain => {
                    format!(
                        "{}{}{title}",
                        tr(lang, "Domaine, score", "Domain, score"),
                        colon(lang)
                    )
                }
                _ => {
                    let parent = rubric
                        .node(*ix)
                        .and_then(|n| n.parent)
                        .map(|p| node_title(rubric, p, lang))
                        .unwrap_or_default();
                    format!(
                        "{}{}{title} ({parent})",
                        tr(lang, "Compétence, score", "Competency, score"),
                        colon(lang)
                    )
                }
            };
            legend
                .rows
                .push(vec![Cell::text(rubric.node_path_id(*ix)), Cell::text(text)]);
        }
        for (i, ind) in rubric.indicators().iter().enumerate() {
            let title = rubric
                .indicator_source_at(i)
                .map(|s| s.title.get(lang).to_owned())
                .unwrap_or_default();
            let competency = node_title(rubric, ind.parent, lang);
            let critical = if ind.critical {
                tr(lang, " ; condition minimale", "; a minimum condition")
            } else {
                ""
            };
            legend.rows.push(vec![
                Cell::text(&ind.id),
                Cell::text(format!(
                    "{} : {title} ({competency}){critical}",
                    tr(
                        lang,
                        "Indicateur, niveau consolidé",
                        "Indicator, consolidated level"
                    )
                )),
            ]);
        }
        Ok(Export {
            tables: vec![table, legend],
        })
    }
}

/// The columns after the commune's, before the nodes', with their meaning.
fn fixed_columns(lang: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            tr(lang, "Score global", "Overall score"),
            tr(
                lang,
                "Indice global de 0 à 100 (NA : rien d'applicable ; vide : rien de répondu)",
                "Overall index from 0 to 100 (NA: nothing applies; empty: nothing answered)",
            ),
        ),
        (
            tr(lang, "Niveau global", "Overall grade"),
            tr(
                lang,
                "Niveau correspondant au score global",
                "The level the overall score falls in",
            ),
        ),
        (
            tr(lang, "Provisoire", "Provisional"),
            tr(
                lang,
                "oui : au moins un indicateur applicable n'est pas répondu",
                "yes: at least one applicable indicator is not answered",
            ),
        ),
        (
            tr(lang, "Couverture (%)", "Coverage (%)"),
            tr(
                lang,
                "Indicateurs répondus sur indicateurs applicables, en %",
                "Answered indicators out of applicable ones, in %",
            ),
        ),
        (
            tr(lang, "Indicateurs NI (D*)", "NI indicators (D*)"),
            tr(
                lang,
                "Nombre d'indicateurs sans information, comptés au niveau le plus bas",
                "Indicators with no information, counted at the lowest level",
            ),
        ),
        (
            tr(
                lang,
                "Conditions minimales remplies",
                "Minimum conditions met",
            ),
            tr(
                lang,
                "Indicateurs critiques au niveau minimum ou au-dessus",
                "Critical indicators at or above their minimum",
            ),
        ),
        (
            tr(
                lang,
                "Conditions minimales non remplies",
                "Minimum conditions failed",
            ),
            tr(
                lang,
                "Indicateurs critiques sous le minimum ou sans information (NI)",
                "Critical indicators below their minimum, or with no information (NI)",
            ),
        ),
        (
            tr(
                lang,
                "Conditions minimales en attente",
                "Minimum conditions pending",
            ),
            tr(
                lang,
                "Indicateurs critiques pas encore répondus",
                "Critical indicators not answered yet",
            ),
        ),
        (
            tr(
                lang,
                "Conditions non remplies (indicateurs)",
                "Failed conditions (indicators)",
            ),
            tr(
                lang,
                "Identifiants des indicateurs critiques non remplis",
                "Ids of the critical indicators that fail",
            ),
        ),
    ]
}

/// Small look-ups the core does not offer by index.
pub(crate) trait RubricExt {
    /// A node's id (the header of its score column).
    fn node_path_id(&self, ix: NodeIx) -> String;
    /// The file model of the `i`-th indicator in rubric order.
    fn indicator_source_at(&self, i: usize) -> Option<&capacity::Indicator>;
}

impl RubricExt for CompiledRubric {
    fn node_path_id(&self, ix: NodeIx) -> String {
        self.node(ix).map(|n| n.id.clone()).unwrap_or_default()
    }

    fn indicator_source_at(&self, i: usize) -> Option<&capacity::Indicator> {
        self.indicators()
            .get(i)
            .and_then(|ind| self.rubric().indicators.get(ind.source))
    }
}
