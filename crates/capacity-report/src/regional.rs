//! The report of many communes assessed on one rubric: for planners.
//!
//! Sections, in order: what was compared (communes, rounds, method);
//! levels first — per group (national, then each region or cercle) the
//! distribution of overall grades, the share at or above the basic level
//! and the quartiles; per domain and competency the same nationally, with
//! a distribution chart; per indicator the level counts; a heatmap of
//! communes × competencies; the ranking with the sentence that states its
//! method; reform needs (competencies most often below basic, transfers
//! not yet effective, costed gaps); progress between rounds when communes
//! have two.
//!
//! Which round of each commune is compared, and which rounds show
//! progress, follows [`crate::cohort`].

use crate::cohort::{self, Entry};
use crate::html::Html;
use crate::labels::tr;
use crate::{Error, page, tables};
use capacity::{CommuneResult, CompiledRubric, Group, Lang, ROOT, RankBy, ReformRules, format};
use capacity_charts::{ChartOptions, DistributionInput, HeatmapInput};
use std::collections::BTreeMap;

/// The groups shown next to the national figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum By {
    /// Regions.
    #[default]
    Region,
    /// Cercles.
    Cercle,
}

/// The most communes drawn in the heatmap; above it, the communes with
/// the lowest overall scores are drawn (the table has them all).
pub const HEATMAP_ROWS: usize = 60;

/// Many communes' assessments on one rubric.
#[derive(Debug, Clone)]
pub struct RegionalReport<'a> {
    /// The rubric every assessment was scored with.
    pub rubric: &'a CompiledRubric,
    /// Every assessment given (several rounds of a commune allowed).
    pub entries: Vec<Entry<'a>>,
    /// The round to compare (default: each commune's latest).
    pub round: Option<String>,
    /// The groups shown.
    pub by: By,
}

impl<'a> RegionalReport<'a> {
    /// A report of `entries`, all scored with `rubric`.
    pub fn new(rubric: &'a CompiledRubric, entries: Vec<Entry<'a>>) -> Self {
        Self {
            rubric,
            entries,
            round: None,
            by: By::Region,
        }
    }

    /// The report as one self-contained HTML document in `lang`.
    pub fn render(&self, lang: Lang) -> Result<String, Error> {
        let rubric = self.rubric;
        let selected = cohort::select(&self.entries, self.round.as_deref());
        if selected.is_empty() {
            return Err(Error::Empty);
        }
        let results: Vec<CommuneResult<'a>> = selected
            .iter()
            .filter_map(|i| self.entries.get(*i).map(Entry::result))
            .collect();
        let names: BTreeMap<&str, &str> = results
            .iter()
            .map(|r| (r.commune.id.as_str(), r.commune.name.as_str()))
            .collect();
        let name = |id: &str| {
            names
                .get(id)
                .map_or_else(|| id.to_owned(), |n| (*n).to_owned())
        };
        let cmp = capacity::compare(rubric, &results)?;
        let needs = capacity::reform_needs(rubric, &results, &ReformRules::default())?;
        let rounds = cohort::round_labels(&self.entries, &selected);
        let fictional = selected
            .iter()
            .filter_map(|i| self.entries.get(*i))
            .all(|e| e.assessment.fictional);

        let title = match lang {
            Lang::Fr => format!(
                "Comparaison de {} communes — {}",
                results.len(),
                rubric.rubric().title.get(lang)
            ),
            Lang::En => format!(
                "Comparison of {} communes — {}",
                results.len(),
                rubric.rubric().title.get(lang)
            ),
        };
        let mut h = Html::new();
        page::open(&mut h, lang, &title);
        h.open("header", "").elem("h1", "", &title).nl();
        h.elem(
            "p",
            "class=\"sub\"",
            &format!(
                "{} {} {} · {} {}",
                tr(lang, "référentiel", "rubric"),
                rubric.rubric().id,
                rubric.rubric().version,
                tr(lang, "tour(s)", "round(s)"),
                rounds.join(", ")
            ),
        );
        h.close("header").nl();

        page::section(
            &mut h,
            "summary",
            tr(lang, "Vue d'ensemble", "Overview"),
            true,
        );
        h.elem(
            "p",
            "",
            &match lang {
                Lang::Fr => format!(
                    "{} communes comparées, chacune à son tour le plus récent{}. Les niveaux ordinaux sont présentés d'abord (répartitions, part au niveau de base ou au-dessus) ; moyennes et rangs ensuite, avec leur méthode.",
                    results.len(),
                    self.round.as_deref().map(|r| format!(" (tour {r})")).unwrap_or_default()
                ),
                Lang::En => format!(
                    "{} communes compared, each at its latest round{}. Ordinal levels come first (distributions, share at or above the basic level); means and ranks after, with their method.",
                    results.len(),
                    self.round.as_deref().map(|r| format!(" (round {r})")).unwrap_or_default()
                ),
            },
        );
        let mut groups = vec![&cmp.national];
        match self.by {
            By::Region => groups.extend(cmp.regions.iter()),
            By::Cercle => groups.extend(cmp.cercles.iter()),
        }
        tables::groups(rubric, &groups, ROOT, lang).write_html(&mut h, lang);
        page::end_section(&mut h);

        page::section(
            &mut h,
            "distributions",
            tr(lang, "Répartition par niveau", "Distribution by level"),
            false,
        );
        let dist = DistributionInput::competencies(rubric, &cmp, &Group::National)?;
        page::figure(
            &mut h,
            &capacity_charts::distribution(
                &dist,
                &ChartOptions::new(lang).width(720).id("distribution"),
            ),
            tr(
                lang,
                "Part des communes à chaque niveau, par compétence ; le niveau de base est marqué.",
                "Share of communes at each level, per competency; the basic level is marked.",
            ),
        );
        tables::nodes(rubric, &cmp.national, lang).write_html(&mut h, lang);
        tables::indicators(rubric, &cmp.national, lang).write_html(&mut h, lang);
        page::end_section(&mut h);

        page::section(
            &mut h,
            "heatmap",
            tr(lang, "Carte de chaleur", "Heatmap"),
            false,
        );
        let mut order: Vec<&CommuneResult<'a>> = results.iter().collect();
        order.sort_by(|a, b| {
            a.scored
                .overall
                .cmp(&b.scored.overall)
                .then_with(|| a.commune.id.cmp(&b.commune.id))
        });
        let shown: Vec<CommuneResult<'a>> = order.iter().take(HEATMAP_ROWS).map(|r| **r).collect();
        let heat = HeatmapInput::competencies(rubric, &shown)?;
        page::figure(
            &mut h,
            &capacity_charts::heatmap(&heat, &ChartOptions::new(lang).width(960).id("heatmap")),
            &if results.len() > HEATMAP_ROWS {
                match lang {
                    Lang::Fr => format!(
                        "Niveau de chaque compétence pour les {HEATMAP_ROWS} communes au score global le plus bas (sur {}).",
                        results.len()
                    ),
                    Lang::En => format!(
                        "Level of each competency for the {HEATMAP_ROWS} communes with the lowest overall score (of {}).",
                        results.len()
                    ),
                }
            } else {
                tr(
                    lang,
                    "Niveau de chaque compétence, commune par commune (score global croissant).",
                    "Level of each competency, commune by commune (overall score, lowest first).",
                )
                .to_owned()
            },
        );
        page::end_section(&mut h);

        page::section(&mut h, "ranking", tr(lang, "Classement", "Ranking"), false);
        let ranking = capacity::rank(rubric, &results, RankBy::Overall)?;
        tables::ranking(rubric, &ranking, &name, lang).write_html(&mut h, lang);
        page::end_section(&mut h);

        page::section(
            &mut h,
            "reform",
            tr(lang, "Besoins de réforme", "Reform needs"),
            false,
        );
        let flagged: Vec<String> = needs
            .national
            .transfers_not_effective
            .iter()
            .map(|n| tables::title(rubric, capacity::NodeRef::Node(*n), lang))
            .collect();
        h.elem(
            "p",
            "",
            &match lang {
                Lang::Fr => format!(
                    "Coût total des écarts (actions du référentiel vers les cibles) : {}. Transferts non effectifs : {}.",
                    format::fcfa(needs.national.costed_gap, lang),
                    if flagged.is_empty() { "aucun".to_owned() } else { flagged.join(", ") }
                ),
                Lang::En => format!(
                    "Total costed gap (the rubric's actions toward targets): {}. Transfers not yet effective: {}.",
                    format::fcfa(needs.national.costed_gap, lang),
                    if flagged.is_empty() { "none".to_owned() } else { flagged.join(", ") }
                ),
            },
        );
        tables::reform(rubric, &needs.national, lang).write_html(&mut h, lang);
        if !needs.national.transfers.is_empty() {
            tables::transfers(&needs.national, lang).write_html(&mut h, lang);
        }
        for g in &needs.regions {
            tables::reform(rubric, g, lang).write_html(&mut h, lang);
        }
        page::end_section(&mut h);

        let pairs = cohort::progress_pairs(&self.entries, &selected);
        if !pairs.is_empty() {
            page::section(
                &mut h,
                "progress",
                tr(lang, "Progrès entre les tours", "Progress between rounds"),
                false,
            );
            let mut list = Vec::with_capacity(pairs.len());
            for (from, to) in &pairs {
                let (Some(f), Some(t)) = (self.entries.get(*from), self.entries.get(*to)) else {
                    continue;
                };
                list.push(capacity::progress(rubric, &f.result(), &t.result())?);
            }
            let improved = list
                .iter()
                .filter(|p| {
                    p.overall
                        .delta
                        .is_some_and(|d| d > rust_decimal::Decimal::ZERO)
                })
                .count();
            h.elem(
                "p",
                "",
                &match lang {
                    Lang::Fr => format!("{} communes évaluées à deux tours ; score global en hausse pour {improved}.", list.len()),
                    Lang::En => format!("{} communes assessed in two rounds; overall score up for {improved}.", list.len()),
                },
            );
            tables::progress_many(&list, &name, lang).write_html(&mut h, lang);
            page::end_section(&mut h);
        }
        page::close(&mut h, lang, fictional, &rubric.rubric().sources);
        Ok(h.finish())
    }
}
