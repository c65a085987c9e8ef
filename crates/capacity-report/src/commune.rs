//! The report of one commune's assessment.
//!
//! Sections, in order: summary (commune, round, date, raters and roles,
//! overall score with the rule used, provisional flag and coverage,
//! minimum conditions); charts (radar of competencies against target, the
//! largest gaps); the score tree (domains → competencies → indicators,
//! each with level, score, method and flags, and a "why?" explanation down
//! to each rater's level and evidence); disagreements; gaps by priority;
//! the action plan with its totals in FCFA by domain, competency and
//! horizon; progress since the previous round when one is given.
//!
//! Everything shown comes from the core ([`capacity::score()`],
//! [`capacity::Explainer`], [`capacity::gaps()`], [`capacity::ActionPlan`],
//! [`capacity::progress()`]) and the charts from `capacity-charts`; this
//! module only lays them out.

use crate::Error;
use crate::html::Html;
use crate::labels::{self, colon, tr};
use crate::page;
use crate::tables;
use capacity::explain::{Computation, Consolidation, IndicatorExplanation, NodeExplanation};
use capacity::{
    ActionPlan, Assessment, CommuneResult, CompiledRubric, Condition, Explainer, Lang, NodeRef,
    ROOT, Scored, format,
};
use capacity_charts::{Axes, ChartOptions, GapBarsInput, ProgressInput, RadarInput};

/// One commune's assessment and, optionally, its previous round.
#[derive(Debug, Clone, Copy)]
pub struct CommuneReport<'a> {
    /// The rubric the assessment was scored with.
    pub rubric: &'a CompiledRubric,
    /// The assessment.
    pub assessment: &'a Assessment,
    /// Its results.
    pub scored: &'a Scored,
    /// An earlier round of the same commune, scored with the same rubric,
    /// to show progress.
    pub previous: Option<(&'a Assessment, &'a Scored)>,
    /// The plan as the council adjusted it (decisions, costs, its own
    /// actions); `None`: the rubric's unadjusted plan of the results.
    pub plan: Option<&'a ActionPlan>,
    /// The independent verification of this assessment, shown beside the
    /// self-assessment (which stays as it is).
    pub verification: Option<(&'a capacity::Verification, crate::Verifier<'a>)>,
}

impl<'a> CommuneReport<'a> {
    /// A report of `assessment`, scored as `scored` with `rubric`.
    pub fn new(rubric: &'a CompiledRubric, assessment: &'a Assessment, scored: &'a Scored) -> Self {
        Self {
            rubric,
            assessment,
            scored,
            previous: None,
            plan: None,
            verification: None,
        }
    }

    /// With the plan as the council adjusted it, so that the report prints
    /// the same actions and totals as the plan page and its downloads. It
    /// must be the plan of this assessment (same rubric and commune).
    pub fn with_plan(mut self, plan: &'a ActionPlan) -> Self {
        self.plan = Some(plan);
        self
    }

    /// With the independent verification of this assessment: a section
    /// with both scores side by side and every changed level with its
    /// reason, after the summary.
    pub fn with_verification(
        mut self,
        verification: &'a capacity::Verification,
        verifier: crate::Verifier<'a>,
    ) -> Self {
        self.verification = Some((verification, verifier));
        self
    }

    /// With an earlier round of the same commune.
    pub fn with_previous(mut self, assessment: &'a Assessment, scored: &'a Scored) -> Self {
        self.previous = Some((assessment, scored));
        self
    }

    /// The report as one self-contained HTML document in `lang`.
    ///
    /// ```
    /// use capacity::{CompiledRubric, Lang, example};
    /// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
    /// let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
    /// let scored = capacity::score(&rubric, &resolved)?;
    /// let html = capacity_report::CommuneReport::new(&rubric, &assessment, &scored).render(Lang::Fr)?;
    /// assert!(html.starts_with("<!DOCTYPE html>"));
    /// assert!(html.contains("id=\"plan\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn render(&self, lang: Lang) -> Result<String, Error> {
        let (rubric, a, scored) = (self.rubric, self.assessment, self.scored);
        let result = CommuneResult::new(a, scored);
        let gaps = capacity::gaps(rubric, scored)?;
        let unadjusted;
        let plan = match self.plan {
            Some(plan) => plan,
            None => {
                unadjusted = ActionPlan::new(rubric, &result)?;
                &unadjusted
            }
        };
        let why = Explainer::new(rubric, a, scored)?;
        let c = &a.commune;
        let title = match lang {
            Lang::Fr => format!("Auto-évaluation des capacités — {} ({})", c.name, a.round),
            Lang::En => format!("Capacity self-assessment — {} ({})", c.name, a.round),
        };
        let mut h = Html::new();
        page::open(&mut h, lang, &title);
        h.open("header", "").nl();
        h.elem("h1", "", &title).nl();
        h.elem(
            "p",
            "class=\"sub\"",
            &format!(
                "{}, {} · {} {} · {} {} · {} {} {}",
                c.cercle,
                c.region,
                tr(lang, "tour", "round"),
                a.round,
                tr(lang, "atelier du", "workshop of"),
                a.date,
                tr(lang, "référentiel", "rubric"),
                rubric.rubric().id,
                rubric.rubric().version
            ),
        )
        .nl();
        if a.fictional {
            h.elem(
                "p",
                "",
                &format!("⚠ {}", tr(lang, "Données fictives.", "Fictional data.")),
            );
        }
        h.close("header").nl();

        // Summary.
        page::section(&mut h, "summary", tr(lang, "Résumé", "Summary"), true);
        self.summary(&mut h, lang);
        tables::minimum_conditions(rubric, scored, lang).write_html(&mut h, lang);
        page::end_section(&mut h);

        if let Some((verification, verifier)) = &self.verification {
            page::section(
                &mut h,
                "verification",
                tr(
                    lang,
                    "Vérification indépendante",
                    "Independent verification",
                ),
                false,
            );
            crate::verification::write_section(
                &mut h,
                rubric,
                scored,
                verification,
                verifier,
                lang,
            );
            page::end_section(&mut h);
        }

        // Charts.
        page::section(&mut h, "charts", tr(lang, "Graphiques", "Charts"), true);
        h.open("div", "class=\"charts\"").nl();
        let mut radar =
            RadarInput::new(rubric, scored, Axes::Competencies)?.series(a.round.clone());
        if let Some((pa, ps)) = self.previous {
            radar = radar.with_second(rubric, pa.round.clone(), ps)?;
        }
        let opts = ChartOptions::new(lang).width(520);
        page::figure(
            &mut h,
            &capacity_charts::radar(&radar, &opts.clone().id("radar")),
            tr(
                lang,
                "Score de chaque compétence (0–100) et cible.",
                "Score of each competency (0–100) and target.",
            ),
        );
        let bars = GapBarsInput::indicators(rubric, scored, &gaps, 12)?;
        page::figure(
            &mut h,
            &capacity_charts::gap_bars(&bars, &opts.clone().id("gaps")),
            tr(
                lang,
                "Les douze premiers écarts à la cible, par priorité.",
                "The first twelve gaps to target, by priority.",
            ),
        );
        h.close("div").nl();
        page::end_section(&mut h);

        // Score tree with explanations.
        page::section(
            &mut h,
            "scores",
            tr(lang, "Scores et explications", "Scores and explanations"),
            false,
        );
        h.elem("p", "class=\"note\"", &labels::overall_rule(rubric, lang))
            .nl();
        h.elem("p", "class=\"note\"", labels::flag_legend(lang))
            .nl();
        if let Some(root) = why.node(ROOT) {
            self.node(&mut h, &why, &root, lang);
        }
        page::end_section(&mut h);

        // Disagreements.
        page::section(
            &mut h,
            "disagreements",
            tr(lang, "Désaccords", "Disagreements"),
            false,
        );
        let dis = tables::disagreements(rubric, a, scored, lang);
        if dis.rows.is_empty() {
            h.elem(
                "p",
                "",
                tr(
                    lang,
                    "Aucun désaccord entre évaluateurs.",
                    "No disagreement between raters.",
                ),
            )
            .nl();
        } else {
            dis.write_html(&mut h, lang);
        }
        page::end_section(&mut h);

        // Gaps and plan.
        page::section(
            &mut h,
            "gaps",
            tr(lang, "Écarts à la cible", "Gaps to target"),
            false,
        );
        tables::gaps(rubric, scored, &gaps, lang).write_html(&mut h, lang);
        page::end_section(&mut h);
        page::section(
            &mut h,
            "plan",
            tr(lang, "Plan d'action chiffré", "Costed action plan"),
            false,
        );
        // The exact total in whole francs, for whoever checks the report
        // against the plan page and the spreadsheets.
        let total_attr = format!(
            "data-plan-total=\"{}\"",
            plan.totals.included.cost.normalize()
        );
        h.elem(
            "p",
            &total_attr,
            &match lang {
                Lang::Fr => format!(
                    "{} actions, coût indicatif total {} (à reprendre dans le PDESC).",
                    plan.totals.included.actions,
                    format::fcfa(plan.totals.included.cost, lang)
                ),
                Lang::En => format!(
                    "{} actions, indicative total cost {} (to feed the PDESC).",
                    plan.totals.included.actions,
                    format::fcfa(plan.totals.included.cost, lang)
                ),
            },
        )
        .nl();
        tables::plan_totals(rubric, plan, lang).write_html(&mut h, lang);
        tables::plan_items(rubric, plan, lang).write_html(&mut h, lang);
        if !plan.council.is_empty() {
            tables::council_actions(rubric, plan, lang).write_html(&mut h, lang);
        }
        page::end_section(&mut h);

        // Progress.
        if let Some((pa, ps)) = self.previous {
            let p = capacity::progress(rubric, &CommuneResult::new(pa, ps), &result)?;
            page::section(
                &mut h,
                "progress",
                tr(
                    lang,
                    "Progrès depuis le tour précédent",
                    "Progress since the previous round",
                ),
                false,
            );
            let input = ProgressInput::new(rubric, &p, Axes::Competencies)?.commune(c.name.clone());
            page::figure(
                &mut h,
                &capacity_charts::progress_dumbbell(
                    &input,
                    &ChartOptions::new(lang).width(640).id("progress"),
                ),
                tr(
                    lang,
                    "Score de chaque compétence aux deux tours.",
                    "Score of each competency in both rounds.",
                ),
            );
            tables::progress(rubric, &p, lang).write_html(&mut h, lang);
            page::end_section(&mut h);
        }
        page::close(&mut h, lang, a.fictional, &rubric.rubric().sources);
        Ok(h.finish())
    }

    fn summary(&self, h: &mut Html, lang: Lang) {
        let (rubric, a, scored) = (self.rubric, self.assessment, self.scored);
        let grade = scored.root().and_then(|r| r.grade).map(|g| g.label(rubric));
        h.open("p", "")
            .text(tr(lang, "Score global", "Overall score"))
            .text(colon(lang));
        h.elem(
            "strong",
            "",
            &scored
                .overall
                .map_or_else(|| "—".to_owned(), |s| format::score(s, lang)),
        );
        if let Some(g) = grade {
            h.text(" ").elem("span", "class=\"badge\"", &g);
        }
        if scored.provisional {
            h.text(" ").elem(
                "span",
                "class=\"badge warn\"",
                tr(lang, "provisoire", "provisional"),
            );
        }
        let m = &scored.minimum_conditions;
        if m.failed.is_empty() && m.pending.is_empty() {
            h.text(" ").elem(
                "span",
                "class=\"badge ok\"",
                tr(
                    lang,
                    "conditions minimales remplies",
                    "minimum conditions met",
                ),
            );
        } else if !m.failed.is_empty() {
            h.text(" ").elem(
                "span",
                "class=\"badge bad\"",
                &match lang {
                    Lang::Fr => {
                        format!("{} condition(s) minimale(s) non remplie(s)", m.failed.len())
                    }
                    Lang::En => format!("{} minimum condition(s) failed", m.failed.len()),
                },
            );
        }
        h.close("p").nl();
        let summary = tables::summary(rubric, a, scored, lang);
        h.open("dl", "class=\"kv\"").nl();
        for row in &summary.rows {
            if let [k, v] = row.as_slice() {
                h.elem("dt", "", &k.display(lang))
                    .elem("dd", "", &v.display(lang))
                    .nl();
            }
        }
        h.close("dl").nl();
        if let Some(note) = &summary.note {
            h.elem("p", "class=\"note\"", note).nl();
        }
        h.open("table", "")
            .elem("caption", "", tr(lang, "Évaluateurs", "Raters"));
        h.raw("<thead><tr>")
            .elem("th", "scope=\"col\"", "Id")
            .elem("th", "scope=\"col\"", tr(lang, "Nom", "Name"))
            .elem("th", "scope=\"col\"", tr(lang, "Rôle", "Role"))
            .raw("</tr></thead><tbody>");
        for r in &a.raters {
            h.open("tr", "")
                .elem("td", "", &r.id)
                .elem("td", "", &r.name)
                .elem("td", "", labels::role(r.role, lang))
                .close("tr");
        }
        h.raw("</tbody></table>\n");
    }

    /// A node: heading, how its score was computed, then its children.
    fn node(&self, h: &mut Html, why: &Explainer<'_>, e: &NodeExplanation, lang: Lang) {
        let rubric = self.rubric;
        let heading = if e.path.is_empty() {
            tr(lang, "Score global", "Overall score").to_owned()
        } else {
            format!("{} — {}", e.id, e.title.get(lang))
        };
        let tag = match e.kind {
            capacity::NodeKind::Overall => "h3",
            capacity::NodeKind::Domain => "h3",
            capacity::NodeKind::Competency => "h4",
        };
        let anchor = format!("id=\"n-{}\"", crate::html::escape(&e.id));
        h.open(tag, &anchor).text(&heading).text(colon(lang));
        h.text(&tables::score_text(e.score, lang));
        if let Some(g) = &e.grade {
            h.text(" ").elem("span", "class=\"badge\"", g);
        }
        let marks = labels::flag_marks(e.flags);
        if !marks.is_empty() {
            h.text(" ").elem("span", "class=\"badge\"", &marks);
        }
        h.close(tag).nl();
        h.elem("p", "class=\"note\"", &node_sentence(rubric, e, lang))
            .nl();
        if !e.children.is_empty() && e.kind != capacity::NodeKind::Competency {
            // Children's contributions as a compact table.
            let mut t = crate::table::Table::new(
                "",
                &[
                    ("id", "Id"),
                    ("title", tr(lang, "Intitulé", "Title")),
                    ("grade", tr(lang, "Niveau", "Level")),
                    ("score", "Score"),
                    ("weight", tr(lang, "Poids effectif", "Effective weight")),
                ],
            );
            for c in &e.children {
                t.push(vec![
                    crate::table::Cell::Text(c.id.clone()),
                    crate::table::Cell::Text(c.title.get(lang).to_owned()),
                    crate::table::Cell::Text(
                        c.grade
                            .clone()
                            .unwrap_or_else(|| exclusion(c.excluded, lang)),
                    ),
                    crate::table::Cell::Score(c.score),
                    crate::table::Cell::Text(
                        c.effective_weight
                            .map(|w| format::percent(w, lang))
                            .unwrap_or_default(),
                    ),
                ]);
            }
            t.write_html(h, lang);
        }
        for c in &e.children {
            match c.child {
                NodeRef::Node(ix) => {
                    if let Some(ce) = why.node(ix) {
                        self.node(h, why, &ce, lang);
                    }
                }
                NodeRef::Indicator(ix) => {
                    if let Some(ie) = why.indicator(ix) {
                        self.indicator(h, &ie, c.effective_weight, lang);
                    }
                }
            }
        }
    }

    /// An indicator: level, score, target, flags, and why.
    fn indicator(
        &self,
        h: &mut Html,
        e: &IndicatorExplanation,
        weight: Option<rust_decimal::Decimal>,
        lang: Lang,
    ) {
        let rubric = self.rubric;
        let failed = e.condition == Some(Condition::Failed);
        let anchor = format!(
            "class=\"ind{}\" id=\"i-{}\"",
            if failed { " fail" } else { "" },
            crate::html::escape(&e.id)
        );
        h.open("div", &anchor).nl().open("header", "");
        h.text(&format!("{} — {}", e.id, e.title.get(lang)))
            .text(colon(lang));
        let level = e
            .level
            .clone()
            .unwrap_or_else(|| tr(lang, "non répondu", "unanswered").to_owned());
        let level = if e.status == capacity::Status::NoInformation {
            format!("{}*", rubric.level_code(rubric.lowest()))
        } else {
            level
        };
        h.elem("span", "class=\"badge\"", &level);
        h.text(&format!(
            " {} · {} {}",
            tables::score_text(e.score, lang),
            tr(lang, "cible", "target"),
            e.target
        ));
        if let Some(w) = weight {
            h.text(&format!(
                " · {} {}",
                tr(lang, "poids", "weight"),
                format::percent(w, lang)
            ));
        }
        if let Some(c) = e.condition {
            let class = match c {
                Condition::Met => "badge ok",
                Condition::Failed => "badge bad",
                _ => "badge warn",
            };
            h.text(" ").elem(
                "span",
                &format!("class=\"{class}\""),
                &format!(
                    "{}{}{}",
                    tr(lang, "condition minimale", "minimum condition"),
                    colon(lang),
                    labels::condition(c, lang)
                ),
            );
        }
        let words = labels::flags(e.flags, lang);
        if !words.is_empty() {
            h.text(" ").elem("span", "class=\"badge\"", &words);
        }
        h.close("header").nl();
        h.open("details", "open=\"open\"")
            .elem("summary", "", tr(lang, "Pourquoi ?", "Why?"));
        h.elem("p", "", &consolidation_sentence(e, lang));
        if let Some(d) = &e.descriptor {
            h.open("p", "").elem(
                "em",
                "",
                tr(lang, "Descripteur du niveau", "Level descriptor"),
            );
            h.text(colon(lang)).text(d.get(lang)).close("p");
        }
        if !e.ratings.is_empty() {
            h.open("table", "").raw("<thead><tr>");
            for col in [
                tr(lang, "Évaluateur", "Rater"),
                tr(lang, "Rôle", "Role"),
                tr(lang, "Niveau", "Level"),
                tr(lang, "Preuve", "Evidence"),
                tr(lang, "Références", "References"),
            ] {
                h.elem("th", "scope=\"col\"", col);
            }
            h.raw("</tr></thead><tbody>");
            for r in &e.ratings {
                h.open("tr", "")
                    .elem("td", "", &r.name)
                    .elem("td", "", r.role.map_or("", |role| labels::role(role, lang)))
                    .elem("td", "", &r.level)
                    .elem("td", "", r.evidence.as_deref().unwrap_or(""))
                    .elem("td", "", &r.refs.join("; "))
                    .close("tr");
            }
            h.raw("</tbody></table>");
        }
        if let Some(c) = &e.comment {
            h.open("p", "")
                .elem("em", "", tr(lang, "Commentaire", "Comment"));
            h.text(colon(lang)).text(c).close("p");
        }
        h.open("p", "class=\"note\"")
            .text(tr(lang, "Preuves attendues", "Evidence expected"));
        h.text(colon(lang))
            .text(e.evidence_expected.get(lang))
            .close("p");
        h.close("details").nl().close("div").nl();
    }
}

/// What an excluded child shows instead of a level: `NA`, or “unanswered”.
pub fn exclusion(e: Option<capacity::explain::Exclusion>, lang: Lang) -> String {
    match e {
        Some(capacity::explain::Exclusion::NotApplicable) => "NA".to_owned(),
        Some(capacity::explain::Exclusion::Unanswered) => {
            tr(lang, "non répondu", "unanswered").to_owned()
        }
        None => String::new(),
    }
}

/// How a node's score was computed, in one sentence (also used by the web app).
pub fn node_sentence(rubric: &CompiledRubric, e: &NodeExplanation, lang: Lang) -> String {
    let id_of = |r: NodeRef| rubric.id(r).to_owned();
    let method = match &e.computation {
        Computation::WeightedMean {
            sum_of_weights,
            weighted_sum,
        } => match lang {
            Lang::Fr => format!(
                "Moyenne pondérée des éléments répondus et applicables : {} / {} = {}.",
                format::decimal(*weighted_sum, 2, lang),
                format::decimal(*sum_of_weights, 2, lang),
                tables::score_text(e.score, lang)
            ),
            Lang::En => format!(
                "Weighted mean of the answered, applicable children: {} / {} = {}.",
                format::decimal(*weighted_sum, 2, lang),
                format::decimal(*sum_of_weights, 2, lang),
                tables::score_text(e.score, lang)
            ),
        },
        Computation::WeakestLink {
            minimum,
            plus,
            table_fallback,
        } => {
            let mut s = match lang {
                Lang::Fr => format!(
                    "Maillon faible : le plus bas des éléments, {}",
                    id_of(*minimum)
                ),
                Lang::En => format!("Weakest link: the lowest child, {}", id_of(*minimum)),
            };
            if *plus {
                s.push_str(tr(
                    lang,
                    " ; « + » car un autre élément est plus haut",
                    "; \"+\" since another child is higher",
                ));
            }
            if *table_fallback {
                s.push_str(tr(
                    lang,
                    " (la table n'a pas de ligne pour ce nombre d'éléments)",
                    " (the table has no rows for this many children)",
                ));
            }
            s.push('.');
            s
        }
        Computation::Table {
            table,
            inputs,
            result,
        } => match lang {
            Lang::Fr => format!(
                "Table {table} : niveaux [{}] → {result}.",
                inputs.join(", ")
            ),
            Lang::En => format!("Table {table}: levels [{}] → {result}.", inputs.join(", ")),
        },
        Computation::SingleChild { child } => match lang {
            Lang::Fr => format!(
                "Un seul élément retenu ({}) : son score est repris.",
                id_of(*child)
            ),
            Lang::En => format!(
                "A single child counted ({}): its score is taken.",
                id_of(*child)
            ),
        },
        _ => tr(
            lang,
            "Non calculé : aucun élément répondu et applicable.",
            "Not computed: no answered, applicable child.",
        )
        .to_owned(),
    };
    match lang {
        Lang::Fr => format!(
            "{method} Couverture : {}/{} indicateurs applicables répondus.",
            e.coverage.answered, e.coverage.applicable
        ),
        Lang::En => format!(
            "{method} Coverage: {}/{} applicable indicators answered.",
            e.coverage.answered, e.coverage.applicable
        ),
    }
}

/// How an indicator's level was obtained, in one sentence (also used by the web app).
pub fn consolidation_sentence(e: &IndicatorExplanation, lang: Lang) -> String {
    match (&e.consolidation, lang) {
        (Consolidation::Rule { .. }, _) => tr(
            lang,
            "Non applicable selon la règle du référentiel (compétence non transférée, taille ou milieu de la commune).",
            "Not applicable by the rubric's rule (competence not transferred, size or setting of the commune).",
        )
        .to_owned(),
        (Consolidation::Consensus { level, justification }, Lang::Fr) => format!(
            "Niveau retenu par consensus de l'atelier : {level}{}.",
            justification.as_deref().map(|j| format!(" — « {} »", j.trim_end_matches('.'))).unwrap_or_default()
        ),
        (Consolidation::Consensus { level, justification }, Lang::En) => format!(
            "Level set by the workshop's consensus: {level}{}.",
            justification.as_deref().map(|j| format!(" — “{}”", j.trim_end_matches('.'))).unwrap_or_default()
        ),
        (Consolidation::LowerMedian { levels, chosen }, Lang::Fr) => format!(
            "Pas de consensus enregistré : médiane inférieure des niveaux donnés [{}] = {chosen}.",
            levels.join(", ")
        ),
        (Consolidation::LowerMedian { levels, chosen }, Lang::En) => format!(
            "No recorded consensus: lower median of the levels given [{}] = {chosen}.",
            levels.join(", ")
        ),
        (Consolidation::NoInformation, _) => tr(
            lang,
            "Les évaluateurs n'avaient pas d'information (D*) : compté comme le niveau le plus bas.",
            "The raters had no information (D*): counted as the lowest level.",
        )
        .to_owned(),
        (Consolidation::NotApplicable, _) => tr(
            lang,
            "Déclaré non applicable par les évaluateurs : exclu du calcul.",
            "Declared not applicable by the raters: left out.",
        )
        .to_owned(),
        (Consolidation::Unanswered, _) => tr(
            lang,
            "Pas encore évalué : exclu du calcul, le résultat est provisoire.",
            "Not yet rated: left out, the result is provisional.",
        )
        .to_owned(),
        _ => String::new(),
    }
}
