//! Snapshot, well-formedness, escaping and language tests of every chart.

mod fixtures;

use capacity::{CommuneResult, Group};
use capacity_charts::{
    Axes, ChartOptions, DistributionInput, GapBarsInput, HeatmapInput, Lang, ProgressInput,
    RadarInput,
};

/// Every chart of the fixtures, by name, in `lang`.
fn all_charts(lang: Lang) -> Vec<(&'static str, String)> {
    let rubric = fixtures::rubric();
    let opts = ChartOptions::new(lang);
    let (a23, s23) = fixtures::sample(&rubric, "ml-mopti-djenne-2023");
    let (a25, s25) = fixtures::sample(&rubric, "ml-mopti-djenne-2025");
    let radar = RadarInput::new(&rubric, &s25, Axes::Competencies)
        .expect("radar input")
        .series("2025")
        .with_second(&rubric, "2023", &s23)
        .expect("second series");
    let domains = RadarInput::new(&rubric, &s25, Axes::Domains).expect("radar input");
    let gaps = capacity::gaps(&rubric, &s25).expect("gaps");
    let gap_ind = GapBarsInput::indicators(&rubric, &s25, &gaps, 8).expect("gap input");
    let gap_comp = GapBarsInput::competencies(&rubric, &s25, &gaps, 6).expect("gap input");
    let progress = capacity::progress(
        &rubric,
        &CommuneResult::new(&a23, &s23),
        &CommuneResult::new(&a25, &s25),
    )
    .expect("progress");
    let dumbbell = ProgressInput::new(&rubric, &progress, Axes::Competencies)
        .expect("progress input")
        .commune(a25.commune.name.clone());
    let latest = fixtures::latest(&rubric);
    let communes: Vec<CommuneResult<'_>> = latest
        .iter()
        .map(|(a, s)| CommuneResult::new(a, s))
        .collect();
    let heat = HeatmapInput::competencies(&rubric, &communes).expect("heatmap input");
    let heat_ind =
        HeatmapInput::indicators(&rubric, &communes, Some("etat-civil")).expect("heatmap input");
    let cmp = capacity::compare(&rubric, &communes).expect("comparison");
    let dist = DistributionInput::competencies(&rubric, &cmp, &Group::National)
        .expect("distribution input");
    let dist_ind =
        DistributionInput::indicators(&rubric, &cmp, &Group::National, Some("etat-civil"))
            .expect("distribution input");
    vec![
        ("radar", capacity_charts::radar(&radar, &opts)),
        ("radar-domains", capacity_charts::radar(&domains, &opts)),
        (
            "gaps-indicators",
            capacity_charts::gap_bars(&gap_ind, &opts),
        ),
        (
            "gaps-competencies",
            capacity_charts::gap_bars(&gap_comp, &opts),
        ),
        (
            "progress",
            capacity_charts::progress_dumbbell(&dumbbell, &opts),
        ),
        ("heatmap", capacity_charts::heatmap(&heat, &opts)),
        (
            "heatmap-indicators",
            capacity_charts::heatmap(&heat_ind, &opts),
        ),
        ("distribution", capacity_charts::distribution(&dist, &opts)),
        (
            "distribution-indicators",
            capacity_charts::distribution(&dist_ind, &opts),
        ),
    ]
}

#[test]
fn dump_all() {
    for lang in [Lang::Fr, Lang::En] {
        for (name, svg) in all_charts(lang) {
            fixtures::dump(&format!("{name}-{lang:?}"), &svg);
        }
    }
}

#[test]
fn snapshots() {
    for (name, svg) in all_charts(Lang::Fr) {
        insta::assert_snapshot!(name, svg);
    }
    let english: Vec<(&str, String)> = all_charts(Lang::En)
        .into_iter()
        .filter(|(n, _)| matches!(*n, "radar-domains" | "distribution-indicators"))
        .collect();
    for (name, svg) in english {
        insta::assert_snapshot!(format!("{name}-en"), svg);
    }
}

/// Parses `svg` and checks the accessible frame every chart must have.
#[track_caller]
fn check_document(name: &str, svg: &str) {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{name}");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg"),
        "{name}"
    );
    assert_eq!(root.attribute("role"), Some("img"), "{name}");
    assert!(root.attribute("viewBox").is_some(), "{name}: no viewBox");
    let mut children = root.children().filter(|n| n.is_element());
    let title = children.next().expect("a first child");
    let desc = children.next().expect("a second child");
    assert_eq!(title.tag_name().name(), "title", "{name}: title first");
    assert_eq!(desc.tag_name().name(), "desc", "{name}: desc second");
    assert!(
        title.text().is_some_and(|t| !t.is_empty()),
        "{name}: empty title"
    );
    assert!(
        desc.text().is_some_and(|t| t.len() > 40),
        "{name}: desc too short"
    );
    let labelled = root.attribute("aria-labelledby").expect("aria-labelledby");
    let ids: Vec<&str> = labelled.split(' ').collect();
    assert_eq!(
        ids,
        [
            title.attribute("id").expect("id"),
            desc.attribute("id").expect("id")
        ]
    );
    // Every `url(#…)` points at a pattern defined in the document.
    for node in doc.descendants().filter(|n| n.has_attribute("fill")) {
        if let Some(target) = node
            .attribute("fill")
            .and_then(|f| f.strip_prefix("url(#"))
            .and_then(|f| f.strip_suffix(')'))
        {
            assert!(
                doc.descendants()
                    .any(|p| p.tag_name().name() == "pattern" && p.attribute("id") == Some(target)),
                "{name}: no pattern {target}"
            );
        }
    }
}

#[test]
fn every_chart_is_well_formed_and_accessible() {
    for lang in [Lang::Fr, Lang::En] {
        for (name, svg) in all_charts(lang) {
            check_document(name, &svg);
        }
    }
}

#[test]
fn output_is_deterministic_with_whole_numbers() {
    let a = all_charts(Lang::Fr);
    let b = all_charts(Lang::Fr);
    assert_eq!(a, b);
    for (name, svg) in &a {
        let doc = roxmltree::Document::parse(svg).expect("xml");
        for node in doc.descendants().filter(|n| n.is_element()) {
            for attr in node.attributes() {
                let v = attr.value();
                // No float noise such as 13.000000000000002 in any attribute.
                let long_fraction = v
                    .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .any(|t| t.split_once('.').is_some_and(|(_, f)| f.len() > 2));
                assert!(!long_fraction, "{name}: {}={v:?}", attr.name());
            }
        }
    }
}

#[test]
fn text_stays_legible_at_360_pixels() {
    for (name, svg) in all_charts(Lang::Fr) {
        let doc = roxmltree::Document::parse(&svg).expect("xml");
        let view_width: f64 = doc
            .root_element()
            .attribute("viewBox")
            .and_then(|v| v.split(' ').nth(2))
            .and_then(|w| w.parse().ok())
            .expect("viewBox width");
        let smallest = doc
            .descendants()
            .filter_map(|n| n.attribute("font-size"))
            .map(|s| s.parse::<f64>().expect("numeric font-size"))
            .fold(f64::MAX, f64::min);
        let shown = smallest * 360.0 / view_width;
        assert!(
            shown >= 10.0,
            "{name}: {smallest} px text is {shown:.1} px at 360 px"
        );
    }
}

#[test]
fn english_on_request() {
    let en = all_charts(Lang::En);
    let fr = all_charts(Lang::Fr);
    // The text a reader gets: every text node, unescaped.
    let find = |charts: &[(&str, String)], name: &str| {
        let svg = charts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.clone())
            .expect("chart");
        let doc = roxmltree::Document::parse(&svg).expect("xml");
        doc.descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect::<Vec<_>>()
            .join("\n")
    };
    #[track_caller]
    fn has(svg: &str, words: &[&str], absent: &[&str]) {
        for w in words {
            assert!(svg.contains(w), "missing {w:?}");
        }
        for w in absent {
            assert!(!svg.contains(w), "unexpected {w:?}");
        }
    }
    has(
        &find(&en, "radar"),
        &["Target", "Civil registry", "basic level"],
        &["Cible", "État civil"],
    );
    has(
        &find(&fr, "radar"),
        &["Cible", "État civil", "niveau de base"],
        &["Target"],
    );
    has(
        &find(&en, "gaps-indicators"),
        &["Gaps to target", "minimum condition failed"],
        &["Écarts", "condition minimale"],
    );
    has(
        &find(&fr, "gaps-indicators"),
        &["Écarts à la cible", "Échelle 0–100"],
        &[],
    );
    has(
        &find(&en, "heatmap"),
        &["not applicable", "unanswered", "no information"],
        &["sans réponse"],
    );
    has(
        &find(&fr, "heatmap"),
        &["non applicable", "sans réponse", "pas d'information"],
        &[],
    );
    has(
        &find(&en, "progress"),
        &["Change 2023 → 2025", "Overall score", "rise"],
        &["Évolution"],
    );
    has(
        &find(&en, "distribution"),
        &["Levels by competency", "all communes", "≥ C"],
        &["Niveaux"],
    );
    // French numbers: a decimal comma and a narrow no-break space before %.
    has(
        &find(&fr, "distribution-indicators"),
        &["84,6\u{202F}% ≥ C"],
        &[],
    );
    has(&find(&en, "distribution-indicators"), &["84.6% ≥ C"], &[]);
}

const XSS: &str = "<script>alert(1)</script>";

/// Every text node and attribute value of `svg`, unescaped; panics when an
/// element other than the SVG vocabulary used here appears.
#[track_caller]
fn check_inert(name: &str, svg: &str) -> Vec<String> {
    assert!(!svg.contains("<script"), "{name}: raw markup leaked");
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
    let allowed = [
        "svg", "title", "desc", "defs", "pattern", "g", "rect", "line", "polyline", "polygon",
        "circle", "path", "text",
    ];
    let mut texts = Vec::new();
    for node in doc.descendants() {
        if node.is_element() {
            let tag = node.tag_name().name();
            assert!(allowed.contains(&tag), "{name}: unexpected element <{tag}>");
            for a in node.attributes() {
                assert!(
                    !a.name().starts_with("on"),
                    "{name}: event handler {}",
                    a.name()
                );
                texts.push(a.value().to_owned());
            }
        } else if let Some(t) = node.text() {
            texts.push(t.trim().to_owned());
        }
    }
    texts
}

#[test]
fn hostile_names_are_inert_text() {
    let rubric_text = fixtures::RUBRIC.replace(
        "title.fr = \"État civil\"",
        &format!("title.fr = \"{}\"", XSS.replace('"', "\\\"")),
    );
    let rubric = capacity::CompiledRubric::from_toml(&rubric_text).expect("rubric");
    let (mut a, _) = fixtures::sample(&rubric, "ml-mopti-djenne-2025");
    a.commune.name = XSS.to_owned();
    a.commune.cercle = "Djenné & \"Mopti\" 'x'".to_owned();
    let scored = capacity::score(&rubric, &rubric.resolve(&a).expect("resolve")).expect("score");
    let communes = [CommuneResult::new(&a, &scored)];
    let opts = ChartOptions::new(Lang::Fr).title(XSS).id("x\"><script>");
    let radar = RadarInput::new(&rubric, &scored, Axes::Competencies)
        .expect("radar")
        .series(XSS);
    let heat = HeatmapInput::competencies(&rubric, &communes).expect("heatmap");
    let cmp = capacity::compare(&rubric, &communes).expect("compare");
    let dist = DistributionInput::competencies(&rubric, &cmp, &Group::National).expect("dist");
    let gaps = capacity::gaps(&rubric, &scored).expect("gaps");
    let bars = GapBarsInput::competencies(&rubric, &scored, &gaps, 20).expect("bars");
    let progress = capacity::progress(&rubric, &communes[0], &communes[0]).expect("progress");
    let dumbbell = ProgressInput::new(&rubric, &progress, Axes::Competencies)
        .expect("progress input")
        .commune(XSS);
    let charts = [
        ("radar", capacity_charts::radar(&radar, &opts)),
        (
            "heatmap",
            capacity_charts::heatmap(&heat, &ChartOptions::default()),
        ),
        ("distribution", capacity_charts::distribution(&dist, &opts)),
        ("gaps", capacity_charts::gap_bars(&bars, &opts)),
        (
            "progress",
            capacity_charts::progress_dumbbell(&dumbbell, &ChartOptions::default()),
        ),
    ];
    for (name, svg) in &charts {
        let texts = check_inert(name, svg);
        assert!(
            texts.iter().any(|t| t.contains(XSS)),
            "{name}: the name is not shown as text"
        );
    }
    // The heatmap's row tooltip and the radar's key, drawn by plotters,
    // show the name whole.
    let heat_texts = check_inert("heatmap", &charts[1].1);
    assert!(
        heat_texts
            .iter()
            .any(|t| t == &format!("{XSS} — Djenné & \"Mopti\" 'x', Mopti (2025)"))
    );
    let radar_texts = check_inert("radar", &charts[0].1);
    assert!(radar_texts.iter().any(|t| t == XSS));
}

#[test]
fn states_have_their_own_patterns_and_glyphs() {
    use capacity_charts::{Cell, HeatmapColumn, HeatmapRow, Items, LevelScale};
    let rubric = fixtures::rubric();
    let cells = vec![
        Cell::Level {
            level: 1,
            no_information: false,
        },
        Cell::Level {
            level: 2,
            no_information: true,
        },
        Cell::NoInformation,
        Cell::NotApplicable,
        Cell::Unanswered,
    ];
    let input = HeatmapInput {
        scale: LevelScale::of(&rubric),
        kind: Items::Competencies,
        columns: (1..=5)
            .map(|i| HeatmapColumn {
                id: format!("c{i}"),
                label: capacity::Text::fr(format!("Colonne {i}")),
            })
            .collect(),
        rows: vec![HeatmapRow {
            label: "Kayes".into(),
            detail: "Kayes, Kayes (2024)".into(),
            cells,
        }],
    };
    let svg = capacity_charts::heatmap(&input, &ChartOptions::default().id("t"));
    fixtures::dump("states", &svg);
    check_document("states", &svg);
    let doc = roxmltree::Document::parse(&svg).expect("xml");
    let rows: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("row"))
        .collect();
    assert_eq!(rows.len(), 1);
    let row = rows[0];
    let states: Vec<(&str, &str)> = row
        .descendants()
        .filter_map(|n| Some((n.attribute("data-state")?, n.attribute("fill")?)))
        .collect();
    assert_eq!(
        states,
        [
            ("ni", "url(#t-ni)"),
            ("na", "url(#t-na)"),
            ("unanswered", "url(#t-unanswered)")
        ]
    );
    let glyphs: Vec<&str> = row
        .descendants()
        .filter(|n| n.tag_name().name() == "text")
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    assert_eq!(glyphs, ["Kayes", "C", "B", "D*", "NA", "?"]);
    // Three distinct pattern definitions, each explained in the legend.
    let patterns: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "pattern")
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(patterns, ["t-ni", "t-na", "t-unanswered"]);
    for words in [
        "D* pas d'information",
        "NA non applicable",
        "? sans réponse",
        "inclut des D*",
    ] {
        assert!(
            doc.descendants()
                .any(|n| n.text().is_some_and(|t| t.trim().starts_with(words))),
            "legend lacks {words:?}"
        );
    }
    // The partial D* corner: a black triangle in the B cell.
    assert!(row.descendants().any(|n| n.tag_name().name() == "polygon"));
}

#[test]
fn ids_differ_between_charts_and_are_sanitised() {
    let rubric = fixtures::rubric();
    let (_, s1) = fixtures::sample(&rubric, "ml-mopti-djenne-2023");
    let (_, s2) = fixtures::sample(&rubric, "ml-mopti-djenne-2025");
    let id_of = |svg: &str| {
        let doc = roxmltree::Document::parse(svg).expect("xml");
        doc.root_element()
            .attribute("aria-labelledby")
            .expect("labelled")
            .to_owned()
    };
    let r1 = RadarInput::new(&rubric, &s1, Axes::Domains).expect("radar");
    let r2 = RadarInput::new(&rubric, &s2, Axes::Domains).expect("radar");
    let opts = ChartOptions::default();
    assert_ne!(
        id_of(&capacity_charts::radar(&r1, &opts)),
        id_of(&capacity_charts::radar(&r2, &opts))
    );
    let named = capacity_charts::radar(&r1, &opts.clone().id("mon graphique"));
    assert_eq!(id_of(&named), "mon-graphique-title mon-graphique-desc");
}

#[test]
fn results_of_another_rubric_are_refused() {
    let rubric = fixtures::rubric();
    let other = capacity::CompiledRubric::from_toml(capacity::example::RUBRIC).expect("example");
    let (_, scored) = fixtures::sample(&rubric, "ml-mopti-djenne-2025");
    let err = RadarInput::new(&other, &scored, Axes::Domains).expect_err("mismatch");
    assert_eq!(
        err.to_string(),
        format!(
            "results were made with rubric `ml-communes@1.0.0`, not `{}`: chart them with the rubric they were scored with",
            other.key()
        )
    );
}

#[test]
fn size_is_configurable() {
    let rubric = fixtures::rubric();
    let (_, scored) = fixtures::sample(&rubric, "ml-mopti-djenne-2025");
    let input = RadarInput::new(&rubric, &scored, Axes::Competencies).expect("radar");
    let wide = capacity_charts::radar(&input, &ChartOptions::default().width(720).height(600));
    let doc = roxmltree::Document::parse(&wide).expect("xml");
    let root = doc.root_element();
    assert_eq!(root.attribute("width"), Some("720"));
    assert_eq!(root.attribute("height"), Some("600"));
    assert!(
        root.attribute("viewBox")
            .is_some_and(|v| v.starts_with("0 0 720 "))
    );
    let narrow = capacity_charts::radar(&input, &ChartOptions::default().width(100));
    assert!(narrow.contains(&format!("width=\"{}\"", capacity_charts::MIN_WIDTH)));
}
