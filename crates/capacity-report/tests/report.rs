//! Reports: snapshot of one commune's report, well-formedness of every
//! sample's report and of the regional report, escaping of hostile text,
//! and the sections each report must have.

use capacity::{Assessment, CompiledRubric, Lang, Scored};
use capacity_report::{CommuneReport, Entry, RegionalReport};

/// Every sample of `assessments/samples` scored with its embedded rubric.
fn samples() -> Vec<(CompiledRubric, Assessment, Scored)> {
    capacity_data::embedded::samples()
        .iter()
        .map(|f| {
            let a = Assessment::from_toml(f.text).expect("sample reads");
            let rubric = capacity_data::embedded::compile(&a.rubric)
                .expect("embedded rubric")
                .expect("rubric compiles");
            let resolved = rubric.resolve(&a).expect("sample resolves");
            let scored = capacity::score(&rubric, &resolved).expect("scores");
            (rubric, a, scored)
        })
        .collect()
}

/// Parses `html` as XML (the reports are polyglot) and returns the ids of
/// its sections.
#[track_caller]
fn well_formed(html: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report is not well-formed: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "html");
    doc.descendants()
        .filter(|n| n.has_tag_name("section"))
        .filter_map(|n| n.attribute("id").map(str::to_owned))
        .collect()
}

#[track_caller]
fn check_page(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.contains("<meta charset=\"utf-8\"/>"));
    assert!(!html.contains("<script"), "no script in a report");
    assert!(!html.contains("<link"), "no external resource");
    assert!(html.contains("@media print"));
}

#[test]
fn commune_report_of_the_example_is_stable() {
    let rubric = CompiledRubric::from_toml(capacity::example::RUBRIC).expect("example rubric");
    let (a, resolved) = rubric
        .resolve_toml(capacity::example::ASSESSMENT)
        .expect("example assessment");
    let scored = capacity::score(&rubric, &resolved).expect("scores");
    let html = CommuneReport::new(&rubric, &a, &scored)
        .render(Lang::Fr)
        .expect("report");
    check_page(&html);
    insta::assert_snapshot!("example_fr", html);
}

#[test]
fn every_sample_report_is_well_formed_and_complete() {
    for (rubric, a, scored) in samples() {
        for lang in [Lang::Fr, Lang::En] {
            let html = CommuneReport::new(&rubric, &a, &scored)
                .render(lang)
                .expect("report");
            check_page(&html);
            let sections = well_formed(&html);
            assert_eq!(
                sections,
                [
                    "summary",
                    "charts",
                    "scores",
                    "disagreements",
                    "gaps",
                    "plan"
                ],
                "{} ({lang:?})",
                a.commune.id
            );
            assert!(html.contains("FCFA"));
        }
    }
}

#[test]
fn progress_section_when_a_previous_round_is_given() {
    let all = samples();
    let find = |file_round: &str| {
        all.iter()
            .find(|(_, a, _)| a.commune.id == "ml-segou-san" && a.round == file_round)
            .expect("San sample")
    };
    let (rubric, a0, s0) = find("2023");
    let (_, a1, s1) = find("2025");
    let html = CommuneReport::new(rubric, a1, s1)
        .with_previous(a0, s0)
        .render(Lang::En)
        .expect("report");
    let sections = well_formed(&html);
    assert_eq!(sections.last().map(String::as_str), Some("progress"));
    assert!(html.contains("Progress since the previous round"));
}

#[test]
fn hostile_text_is_escaped() {
    let rubric = CompiledRubric::from_toml(capacity::example::RUBRIC).expect("example rubric");
    let mut a = Assessment::from_toml(capacity::example::ASSESSMENT).expect("example");
    a.commune.name = "<script>alert(1)</script>".into();
    a.raters[0].name = "Awa <b>Traoré</b> & fils".into();
    a.answers[0].ratings[0].evidence = Some("\"><img src=x onerror=alert(1)>".into());
    a.answers[0].comment = Some("'; DROP TABLE".into());
    let resolved = rubric.resolve(&a).expect("resolves");
    let scored = capacity::score(&rubric, &resolved).expect("scores");
    for lang in [Lang::Fr, Lang::En] {
        let html = CommuneReport::new(&rubric, &a, &scored)
            .render(lang)
            .expect("report");
        check_page(&html);
        well_formed(&html);
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("Awa &lt;b&gt;Traoré&lt;/b&gt; &amp; fils"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>"));
    }
}

#[test]
fn regional_report_of_the_samples() {
    let all = samples();
    let rubric = &all
        .iter()
        .find(|(r, _, _)| r.rubric().id == "ml-communes")
        .expect("ml-communes samples")
        .0;
    let entries: Vec<Entry<'_>> = all
        .iter()
        .filter(|(r, _, _)| r.key() == rubric.key())
        .map(|(_, a, s)| Entry::new(a, s))
        .collect();
    for lang in [Lang::Fr, Lang::En] {
        let html = RegionalReport::new(rubric, entries.clone())
            .render(lang)
            .expect("report");
        check_page(&html);
        let sections = well_formed(&html);
        assert_eq!(
            sections,
            [
                "summary",
                "distributions",
                "heatmap",
                "ranking",
                "reform",
                "progress"
            ]
        );
    }
    let html = RegionalReport::new(rubric, entries)
        .render(Lang::Fr)
        .expect("report");
    // The ranking states its method; the latest round of each commune is
    // compared (13 communes, 4 of them with two rounds).
    assert!(html.contains("Classement selon le score global"));
    assert!(html.contains("Comparaison de 13 communes"));
    assert!(html.contains("4 communes évaluées à deux tours"));
}

#[test]
fn an_empty_regional_report_is_an_error() {
    let rubric = CompiledRubric::from_toml(capacity::example::RUBRIC).expect("example rubric");
    let err = RegionalReport::new(&rubric, Vec::new())
        .render(Lang::Fr)
        .expect_err("nothing to report on");
    assert_eq!(
        err.to_string(),
        "no assessment to report on: give at least one valid assessment"
    );
}
