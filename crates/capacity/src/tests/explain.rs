//! Explanations rebuilt on demand, on the example.

use crate::explain::{Computation, Consolidation, Exclusion};
use crate::{CompiledRubric, Explainer, Explanation, Lang, NodeRef, example, score};
use rust_decimal::Decimal;

fn with_explainer(f: impl FnOnce(&CompiledRubric, Explainer<'_>)) {
    let rubric = CompiledRubric::from_toml(example::RUBRIC).expect("example");
    let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT).expect("example");
    let scored = score(&rubric, &resolved).expect("same rubric");
    let why = Explainer::new(&rubric, &assessment, &scored).expect("same rubric");
    f(&rubric, why);
}

#[track_caller]
fn check_text(id: &str, lang: Lang, expected: &str) {
    with_explainer(|_, why| {
        let e = why.explain(id).expect("known id");
        assert_eq!(
            e.to_text(lang).replace(['\u{202F}', '\u{A0}'], " "),
            expected
        );
    });
}

#[test]
fn nodes_show_children_weights_and_method() {
    with_explainer(|rubric, why| {
        let Some(Explanation::Node(n)) = why.explain("etat-civil") else {
            panic!("a node")
        };
        assert_eq!(n.path, "administration/etat-civil");
        let first = rubric.indicator_ix("ADM-EC-01").expect("known");
        assert_eq!(
            n.computation,
            Computation::WeakestLink {
                minimum: NodeRef::Indicator(first),
                plus: true,
                table_fallback: false
            }
        );
        let half = Decimal::ONE / Decimal::TWO;
        assert!(n.children.iter().all(|c| c.effective_weight == Some(half)));

        let Some(Explanation::Node(n)) = why.explain("gouvernance") else {
            panic!("a node")
        };
        assert_eq!(
            n.computation,
            Computation::Table {
                table: "m2-illustratif".into(),
                inputs: vec!["B".into(), "D".into()],
                result: "C".into()
            }
        );
        let Some(Explanation::Node(n)) = why.explain("participation") else {
            panic!("a node")
        };
        assert_eq!(n.children[1].excluded, Some(Exclusion::NotApplicable));
        assert_eq!(n.children[0].effective_weight, Some(Decimal::ONE));

        let Some(Explanation::Node(n)) = why.explain("") else {
            panic!("the root")
        };
        let total: Decimal = n.children.iter().filter_map(|c| c.contribution).sum();
        assert_eq!(Some(total.round_dp(20)), n.score.map(|s| s.round_dp(20)));
    });
}

#[test]
fn indicators_show_raters_and_evidence() {
    with_explainer(|_, why| {
        let Some(Explanation::Indicator(i)) = why.explain("ADM-EC-01") else {
            panic!("an indicator")
        };
        assert_eq!(
            i.consolidation,
            Consolidation::LowerMedian {
                levels: vec!["C".into(), "C".into(), "B".into()],
                chosen: "C".into()
            }
        );
        assert_eq!(i.ratings[0].name, "Aminata Coulibaly");
        assert_eq!(
            i.ratings[0].evidence.as_deref(),
            Some("Registre 2023 vu en séance")
        );
        assert_eq!(i.ratings[0].refs, ["PV du 12/01/2024"]);
        assert_eq!(
            i.descriptor.map(|d| d.fr),
            Some("Registres tenus, retards fréquents".into())
        );

        let Some(Explanation::Indicator(i)) = why.explain("GOV-PA-02") else {
            panic!("an indicator")
        };
        assert!(
            matches!(i.consolidation, Consolidation::Rule { rule } if rule.max_population == Some(20000))
        );
        let Some(Explanation::Indicator(i)) = why.explain("GOV-SE-01") else {
            panic!("an indicator")
        };
        assert_eq!(i.consolidation, Consolidation::Unanswered);
        assert!(why.explain("nope").is_none());
    });
}

#[test]
fn plain_text() {
    check_text(
        "etat-civil",
        Lang::Fr,
        "administration/etat-civil — État civil : 33,3 (C+)\n\
         Méthode : maillon faible ; couverture 2/2\n\
         Signaux : disagreement\n  \
         - ADM-EC-01 Tenue des registres d'état civil : 33,3 (C) [50 %]\n  \
         - ADM-EC-02 Délai de délivrance des actes : 66,7 (B) [50 %]\n",
    );
    check_text(
        "ADM-EC-02",
        Lang::En,
        "administration/etat-civil/ADM-EC-02 — Délai de délivrance des actes: 66.7 (B)\n\
         Level: consensus B: Délai moyen de quatre jours constaté\n\
         Flags: disagreement, consensus\n  \
         - Aminata Coulibaly (r1): A\n  \
         - Moussa Traoré (r2): B\n  \
         - Fatoumata Diarra (r3): D\n",
    );
    check_text(
        "ADM-OR-02",
        Lang::Fr,
        "administration/organisation/ADM-OR-02 — Sessions du conseil tenues : 0,0 (NI)\n\
         Niveau : pas d'information (D*)\n\
         Signaux : no_information\n  \
         - Aminata Coulibaly (r1) : NI\n  \
         - Moussa Traoré (r2) : NI\n",
    );
}
