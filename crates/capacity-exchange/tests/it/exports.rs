//! The planners' exports: values computed by hand on the core's example,
//! XLSX read back (numbers are numbers, text is text, formats, sheet
//! names), CSV options, CSV injection, and a snapshot of a sample.

use crate::util::{Book, col, example_rubric, example_scored, num, s, scored};
use calamine::Data;
use capacity::{ActionPlan, CommuneResult, Lang, PlanAdjustment};
use capacity_exchange::{Cell, CsvOptions, Error, Export, export_csv, export_xlsx};

#[track_caller]
fn cell(export: &Export, table: &str, row: usize, header: &str) -> Cell {
    let t = export.table(table).expect("table");
    let c = t
        .column(header)
        .unwrap_or_else(|| panic!("no column {header}"));
    t.rows[row][c].clone()
}

#[track_caller]
fn rounded(c: &Cell, places: u32) -> String {
    match c {
        Cell::Number { value, .. } => value.round_dp(places).to_string(),
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn scores_of_the_example_match_a_hand_computation() {
    let rubric = example_rubric();
    let (a, sc) = example_scored(&rubric);
    let export = Export::scores(&rubric, &[CommuneResult::new(&a, &sc)], Lang::Fr).expect("export");
    let names: Vec<&str> = export.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Scores", "Légende"]);
    let t = &export.tables[0];
    assert_eq!(
        t.headers,
        [
            "Code commune",
            "Commune",
            "Région",
            "Cercle",
            "Tour",
            "Score global",
            "Niveau global",
            "Provisoire",
            "Couverture (%)",
            "Indicateurs NI (D*)",
            "Conditions minimales remplies",
            "Conditions minimales non remplies",
            "Conditions minimales en attente",
            "Conditions non remplies (indicateurs)",
            "administration",
            "gouvernance",
            "etat-civil",
            "organisation",
            "participation",
            "securite",
            "ADM-EC-01",
            "ADM-EC-02",
            "ADM-OR-01",
            "ADM-OR-02",
            "GOV-PA-01",
            "GOV-PA-02",
            "GOV-SE-01",
            "GOV-SE-02",
        ]
    );
    let get = |h: &str| cell(&export, "Scores", 0, h);
    // Levels: EC-01 lower median of C, B, C; EC-02 consensus B; OR-01 of
    // B, B, A; OR-02 NI by both raters; PA-01 lower median of C, D (NA
    // left out); PA-02 not applicable by rule (urban, 65 000 people);
    // SE-01 unanswered; SE-02 B.
    let levels: Vec<Cell> = [
        "ADM-EC-01",
        "ADM-EC-02",
        "ADM-OR-01",
        "ADM-OR-02",
        "GOV-PA-01",
        "GOV-PA-02",
        "GOV-SE-01",
        "GOV-SE-02",
    ]
    .iter()
    .map(|h| get(h))
    .collect();
    assert_eq!(
        levels,
        [
            Cell::text("C"),
            Cell::text("B"),
            Cell::text("B"),
            Cell::text("NI"),
            Cell::text("D"),
            Cell::text("NA"),
            Cell::Empty,
            Cell::text("B"),
        ]
    );
    // etat-civil, weakest link: min(C = 33.33, B = 66.67); organisation:
    // (2 × 66.67 + 1 × 0) / 3; administration: their mean; participation:
    // D = 0; securite: B; gouvernance: table row {B, D} = 33.33; overall:
    // (2 × 38.89 + 33.33) / 3.
    assert_eq!(rounded(&get("etat-civil"), 2), "33.33");
    assert_eq!(rounded(&get("organisation"), 2), "44.44");
    assert_eq!(rounded(&get("administration"), 2), "38.89");
    assert_eq!(rounded(&get("participation"), 2), "0");
    assert_eq!(rounded(&get("securite"), 2), "66.67");
    assert_eq!(rounded(&get("gouvernance"), 2), "33.33");
    assert_eq!(rounded(&get("Score global"), 2), "37.04");
    assert_eq!(get("Niveau global"), Cell::text("C"));
    assert_eq!(get("Provisoire"), Cell::text("oui"));
    // 6 answered (NI counts as answered) out of 7 applicable.
    assert_eq!(rounded(&get("Couverture (%)"), 1), "85.7");
    assert_eq!(get("Indicateurs NI (D*)"), Cell::Integer(1));
    // EC-01 (critical, minimum C) is met; SE-01 (critical) is unanswered.
    assert_eq!(get("Conditions minimales remplies"), Cell::Integer(1));
    assert_eq!(get("Conditions minimales non remplies"), Cell::Integer(0));
    assert_eq!(get("Conditions minimales en attente"), Cell::Integer(1));
    assert_eq!(get("Conditions non remplies (indicateurs)"), Cell::Empty);

    let legend = &export.tables[1];
    let meaning = |code: &str| {
        legend
            .rows
            .iter()
            .find(|r| r[0] == Cell::text(code))
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("no legend row {code}"))
    };
    assert!(matches!(meaning("NA"), Cell::Text(t) if t.starts_with("Non applicable")));
    assert!(matches!(meaning("NI"), Cell::Text(t) if t.starts_with("Pas d'information (D*)")));
    assert!(matches!(meaning("(cellule vide)"), Cell::Text(t) if t.starts_with("Non répondu")));
    assert_eq!(
        meaning("ADM-EC-01"),
        Cell::text(
            "Indicateur, niveau consolidé : Tenue des registres d'état civil (État civil) ; condition minimale"
        )
    );
    assert_eq!(
        meaning("etat-civil"),
        Cell::text("Compétence, score : État civil (Administration)")
    );
    // Every column of the scores table is explained.
    for h in &t.headers {
        assert!(
            legend.rows.iter().any(|r| r[0] == Cell::text(h)),
            "column {h} has no legend row"
        );
    }
}

#[test]
fn english_headers_with_lang_en() {
    let rubric = example_rubric();
    let (a, sc) = example_scored(&rubric);
    let export = Export::scores(&rubric, &[CommuneResult::new(&a, &sc)], Lang::En).expect("export");
    assert_eq!(
        export.tables[0].headers[..9],
        [
            "Commune id",
            "Commune",
            "Region",
            "Cercle",
            "Round",
            "Overall score",
            "Overall grade",
            "Provisional",
            "Coverage (%)",
        ]
    );
    assert_eq!(export.tables[1].name, "Legend");
    assert_eq!(cell(&export, "Scores", 0, "Provisional"), Cell::text("yes"));
}

#[test]
fn scores_xlsx_keeps_numbers_as_numbers_and_text_as_text() {
    let rubric = example_rubric();
    let (a, sc) = example_scored(&rubric);
    let export = Export::scores(&rubric, &[CommuneResult::new(&a, &sc)], Lang::Fr).expect("export");
    let mut book = Book::new(export_xlsx(&export).expect("xlsx"));
    assert_eq!(book.sheet_names(), ["Scores", "Légende"]);
    let rows = book.rows("Scores");
    let h = &rows[0];
    let r = &rows[1];
    assert_eq!(r[col(h, "Code commune")], s("ml-exemple"));
    assert_eq!(r[col(h, "Région")], s("Ségou"));
    // A round label stays text even though it looks like a number.
    assert_eq!(r[col(h, "Tour")], s("2024"));
    let overall = col(h, "Score global");
    assert!(
        (num(&r[overall]) - 37.0359).abs() < 1e-3,
        "{:?}",
        r[overall]
    );
    assert_eq!(num(&r[col(h, "Indicateurs NI (D*)")]), 1.0);
    assert_eq!(r[col(h, "GOV-PA-02")], s("NA"));
    assert_eq!(r[col(h, "ADM-OR-02")], s("NI"));
    assert_eq!(r[col(h, "GOV-SE-01")], Data::Empty);
    // The header is bold; scores show one decimal.
    assert!(book.style("Scores", 0, 0).0, "the header is bold");
    let (bold, format) = book.style("Scores", 1, overall as u32);
    assert!(!bold);
    assert_eq!(format.as_deref(), Some("0.0"));
    let legend = book.rows("Légende");
    assert_eq!(legend[0], [s("Code ou colonne"), s("Signification")]);
}

#[test]
fn csv_options() {
    let rubric = example_rubric();
    let (a, sc) = example_scored(&rubric);
    let export = Export::scores(&rubric, &[CommuneResult::new(&a, &sc)], Lang::Fr).expect("export");

    let fr = export_csv(&export, &CsvOptions::excel_fr()).expect("csv");
    assert!(fr.starts_with("\u{FEFF}Code commune;Commune;Région;Cercle;Tour;Score global;"));
    let mut lines = fr.split("\r\n");
    lines.next();
    let row = lines.next().expect("a data row");
    assert!(
        row.starts_with("ml-exemple;Exemple;Ségou;San;2024;37,0;C;oui;85,7;1;1;0;1;;38,9;33,3;33,3;44,4;0,0;66,7;C;B;B;NI;D;NA;;B"),
        "{row}"
    );
    // The legend follows after an empty line and a line with its name.
    assert_eq!(lines.next(), Some(""));
    assert_eq!(lines.next(), Some("Légende"));
    assert_eq!(lines.next(), Some("Code ou colonne;Signification"));

    let plain = export_csv(&export, &CsvOptions::plain()).expect("csv");
    assert!(plain.starts_with("Code commune,Commune,"));
    assert!(plain.contains("\r\nml-exemple,Exemple,Ségou,San,2024,37.0,C,oui,85.7,"));
    assert_eq!(plain.matches("\r\n").count(), 2, "the main table only");
    // Every record of the main table has as many fields as the header.
    let mut reader = csv::ReaderBuilder::new().from_reader(plain.as_bytes());
    let width = reader.headers().expect("headers").len();
    for record in reader.records() {
        assert_eq!(record.expect("record").len(), width);
    }

    let en = export_csv(&export, &CsvOptions::excel_en()).expect("csv");
    assert!(en.starts_with("\u{FEFF}Code commune,"));
    assert!(en.contains("\r\nLégende\r\n"));
}

#[test]
fn formula_like_names_stay_text_in_xlsx_and_are_defused_in_csv() {
    let rubric = example_rubric();
    let text = capacity::example::ASSESSMENT
        .replace(
            "name = \"Exemple\"",
            "name = \"=HYPERLINK(\\\"http://x.invalid\\\",\\\"clic\\\")\"",
        )
        .replace("cercle = \"San\"", "cercle = \"+San\"")
        .replace("region = \"Ségou\"", "region = \"@Ségou\"")
        .replace("id = \"ml-exemple\"", "id = \"-exemple\"");
    let (a, sc) = scored(&rubric, &text);
    let name = "=HYPERLINK(\"http://x.invalid\",\"clic\")";
    assert_eq!(a.commune.name, name);
    let export = Export::scores(&rubric, &[CommuneResult::new(&a, &sc)], Lang::Fr).expect("export");

    let csv = export_csv(&export, &CsvOptions::plain()).expect("csv");
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let record = reader.records().next().expect("a row").expect("a record");
    assert_eq!(&record[0], "'-exemple");
    assert_eq!(&record[1], format!("'{name}"));
    assert_eq!(&record[2], "'@Ségou");
    assert_eq!(&record[3], "'+San");
    // Numbers are not text: a score is never prefixed.
    assert_eq!(&record[5], "37.0");

    let mut book = Book::new(export_xlsx(&export).expect("xlsx"));
    let rows = book.rows("Scores");
    assert_eq!(rows[1][0], s("-exemple"));
    assert_eq!(rows[1][1], s(name));
    assert_eq!(rows[1][2], s("@Ségou"));
    assert_eq!(rows[1][3], s("+San"));
    let formulas = book.formulas("Scores");
    assert!(
        formulas.iter().flatten().all(String::is_empty),
        "no formula in the sheet: {formulas:?}"
    );
}

#[test]
fn every_export_defuses_formula_like_text_in_csv_and_xlsx() {
    // Hostile text in the rubric (an action, for the plan) and in the
    // assessment (the commune, for scores and gaps).
    let rubric = capacity::CompiledRubric::from_toml(&capacity::example::RUBRIC.replace(
        "Recruter un agent comptable",
        "=Recruter un agent comptable",
    ))
    .expect("rubric");
    let text = capacity::example::ASSESSMENT
        .replace("name = \"Exemple\"", "name = \"=cmd|' /C calc'!A0\"")
        .replace("cercle = \"San\"", "cercle = \"+San\"")
        .replace("region = \"Ségou\"", "region = \"\\tSégou\"")
        .replace("id = \"ml-exemple\"", "id = \"-exemple\"");
    let (a, sc) = scored(&rubric, &text);
    let result = CommuneResult::new(&a, &sc);
    let plan = capacity::ActionPlan::new(&rubric, &result).expect("plan");
    let exports = [
        (
            "scores",
            Export::scores(&rubric, std::slice::from_ref(&result), Lang::Fr).expect("scores"),
        ),
        (
            "gaps",
            Export::gaps(&rubric, std::slice::from_ref(&result), Lang::En).expect("gaps"),
        ),
        (
            "plan",
            Export::plan(&rubric, &plan, &a.commune, Lang::Fr).expect("plan"),
        ),
    ];
    for (what, export) in exports {
        for options in [
            CsvOptions::plain(),
            CsvOptions::excel_fr(),
            CsvOptions::excel_en(),
        ] {
            let csv = export_csv(&export, &options).expect("csv");
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(options.separator)
                .from_reader(csv.trim_start_matches('\u{FEFF}').as_bytes());
            let mut defused = 0;
            for record in reader.records() {
                for field in &record.expect("a record") {
                    let number = field.replace(',', ".").parse::<f64>().is_ok();
                    assert!(
                        number || !capacity::format::is_formula_like(field),
                        "{what}: {field:?}"
                    );
                    defused += usize::from(field.starts_with("'="));
                }
            }
            assert!(
                defused > 0,
                "{what}: the hostile text is there, defused:\n{csv}"
            );
        }
        let mut book = Book::new(export_xlsx(&export).expect("xlsx"));
        for sheet in book.sheet_names() {
            let formulas = book.formulas(&sheet);
            assert!(
                formulas.iter().flatten().all(String::is_empty),
                "{what}/{sheet}: no formula: {formulas:?}"
            );
        }
    }
}

#[test]
fn gaps_rank_priorities_as_computed_by_hand() {
    let rubric = example_rubric();
    let (a, sc) = example_scored(&rubric);
    let export = Export::gaps(&rubric, &[CommuneResult::new(&a, &sc)], Lang::Fr).expect("export");
    let names: Vec<&str> = export.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Priorités", "Écarts par nœud", "Légende"]);
    // Impacts (global weight × gap in points): PA-01 1/6 × 100; OR-01
    // 2/9 × 33.3 and OR-02 (NI) 1/9 × 66.7 tie, rubric order; EC-01
    // 1/6 × 33.3. ADM-EC-02 and GOV-SE-02 are at target.
    let p = &export.tables[0];
    let ids: Vec<&Cell> = p
        .rows
        .iter()
        .map(|r| &r[p.column("Indicateur").expect("col")])
        .collect();
    assert_eq!(
        ids,
        [
            &Cell::text("GOV-PA-01"),
            &Cell::text("ADM-OR-01"),
            &Cell::text("ADM-OR-02"),
            &Cell::text("ADM-EC-01")
        ]
    );
    let get = |row: usize, h: &str| cell(&export, "Priorités", row, h);
    assert_eq!(get(0, "Rang"), Cell::Integer(1));
    assert_eq!(get(0, "Cible"), Cell::text("A"));
    assert_eq!(get(0, "Écart (niveaux)"), Cell::Integer(3));
    assert_eq!(rounded(&get(0, "Impact (points)"), 2), "16.67");
    assert_eq!(rounded(&get(0, "Poids global (%)"), 2), "16.67");
    assert_eq!(get(2, "Niveau"), Cell::text("NI"));
    assert_eq!(rounded(&get(2, "Écart (points)"), 2), "66.67");
    assert_eq!(
        get(2, "Raisons"),
        Cell::text("sous la cible (D → B); pas d'information (D*) : niveau le plus bas supposé")
    );
    assert_eq!(get(3, "Minimum"), Cell::text("C"));
    assert_eq!(get(3, "Condition minimale non remplie"), Cell::text("non"));

    let nodes = &export.tables[1];
    assert_eq!(nodes.rows.len(), 7, "overall, 2 domains, 4 competencies");
    assert_eq!(
        cell(&export, "Écarts par nœud", 0, "Type"),
        Cell::text("global")
    );
    assert_eq!(
        cell(&export, "Écarts par nœud", 0, "Sous la cible"),
        Cell::Integer(4)
    );
    assert_eq!(
        cell(&export, "Écarts par nœud", 0, "À la cible"),
        Cell::Integer(2)
    );

    let mut book = Book::new(export_xlsx(&export).expect("xlsx"));
    assert_eq!(
        book.sheet_names(),
        ["Priorités", "Écarts par nœud", "Légende"]
    );
    let rows = book.rows("Priorités");
    let impact = col(&rows[0], "Impact (points)");
    assert!((num(&rows[1][impact]) - 100.0 / 6.0).abs() < 1e-9);
    assert_eq!(
        book.style("Priorités", 1, impact as u32).1.as_deref(),
        Some("0.00")
    );
}

#[test]
fn plan_tables_and_money_format() {
    let rubric = example_rubric();
    let (a, sc) = example_scored(&rubric);
    let mut plan = ActionPlan::new(&rubric, &CommuneResult::new(&a, &sc)).expect("plan");
    plan.adjust(&[
        PlanAdjustment::Accept {
            indicator: "ADM-OR-01".into(),
            action: 0,
        },
        PlanAdjustment::Cost {
            indicator: "ADM-EC-01".into(),
            action: 1,
            cost: Some(90_000.into()),
        },
    ])
    .expect("adjusted");
    let export = Export::plan(&rubric, &plan, &a.commune, Lang::Fr).expect("export");
    let names: Vec<&str> = export.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Actions", "Totaux", "Objectifs", "Légende"]);

    let actions = &export.tables[0];
    assert_eq!(actions.rows.len(), 2);
    assert_eq!(
        actions.rows[0],
        [
            Cell::Integer(2),
            Cell::text("ADM-OR-01"),
            Cell::text("Organigramme adopté et pourvu"),
            Cell::text("Administration"),
            Cell::text("Organisation interne"),
            Cell::text("B → A"),
            Cell::text("Recruter un agent comptable"),
            Cell::Money(1_250_000.into()),
            Cell::Money(1_250_000.into()),
            Cell::text("moyen terme (1 à 3 ans)"),
            Cell::text("Conseil communal"),
            Cell::text("acceptée"),
        ]
    );
    assert_eq!(actions.rows[1][7], Cell::Money(120_000.into()));
    assert_eq!(actions.rows[1][8], Cell::Money(90_000.into()));

    let totals = &export.tables[1];
    let line = |label: &str| {
        totals
            .rows
            .iter()
            .find(|r| r[2] == Cell::text(label))
            .unwrap_or_else(|| panic!("no totals line {label}"))
            .clone()
    };
    assert_eq!(
        line("Total (actions retenues)")[3..],
        [Cell::Integer(2), Cell::Money(1_340_000.into())]
    );
    assert_eq!(
        line("dont acceptées")[3..],
        [Cell::Integer(1), Cell::Money(1_250_000.into())]
    );
    // PA-01 D → A (3 steps) and OR-02 NI → B (2 steps) have no action.
    assert_eq!(
        line("Étapes sans action chiffrée (non comptées)")[3..],
        [Cell::Integer(5), Cell::Empty]
    );
    assert_eq!(
        line("court terme (< 1 an)")[3..],
        [Cell::Integer(1), Cell::Money(90_000.into())]
    );
    assert_eq!(
        line("long terme (> 3 ans)")[3..],
        [Cell::Integer(0), Cell::Money(0.into())]
    );
    assert_eq!(
        line("État civil")[..2],
        [Cell::text("Compétence"), Cell::text("etat-civil")]
    );

    let goals = &export.tables[2];
    let ni = goals
        .rows
        .iter()
        .find(|r| r[1] == Cell::text("ADM-OR-02"))
        .expect("OR-02");
    assert_eq!(
        ni[3..],
        [
            Cell::text("NI"),
            Cell::text("B"),
            Cell::text("B"),
            Cell::text("non"),
            Cell::text("D → C, C → B"),
        ]
    );

    let mut book = Book::new(export_xlsx(&export).expect("xlsx"));
    let rows = book.rows("Actions");
    let cost = col(&rows[0], "Coût retenu (FCFA)");
    assert_eq!(num(&rows[1][cost]), 1_250_000.0);
    assert_eq!(
        book.style("Actions", 1, cost as u32).1.as_deref(),
        Some("#,##0")
    );
    let legend = book.rows("Légende");
    assert_eq!(
        legend[1],
        [
            s("Commune"),
            s("Exemple (ml-exemple) — cercle de San, région de Ségou")
        ]
    );

    let other = capacity::Commune {
        id: "ml-autre".into(),
        ..a.commune.clone()
    };
    assert_eq!(
        Export::plan(&rubric, &plan, &other, Lang::Fr).map(|_| ()).map_err(|e| e.to_string()),
        Err("the plan is the plan of ml-exemple, not of ml-autre: pass the commune the plan was made for".to_owned())
    );
}

#[test]
fn results_of_another_rubric_are_refused() {
    let rubric = example_rubric();
    let (a, sc) = example_scored(&rubric);
    let other = capacity_data::embedded::reference_rubric().expect("reference rubric");
    let err =
        Export::scores(&other, &[CommuneResult::new(&a, &sc)], Lang::Fr).expect_err("refused");
    assert!(matches!(err, Error::RubricMismatch { .. }));
    assert_eq!(
        err.to_string(),
        "the result of ml-exemple, round 2024 was made with rubric exemple@1.0.0, not ml-communes@1.0.0: export it with the rubric it was scored with, or score it again with ml-communes@1.0.0"
    );
}

#[test]
fn same_export_same_bytes() {
    let rubric = example_rubric();
    let (a, sc) = example_scored(&rubric);
    let export = Export::scores(&rubric, &[CommuneResult::new(&a, &sc)], Lang::Fr).expect("export");
    assert_eq!(
        export_xlsx(&export).expect("xlsx"),
        export_xlsx(&export).expect("xlsx")
    );
}

#[test]
fn csv_snapshot_of_a_sample_assessment() {
    let rubric = capacity_data::embedded::reference_rubric().expect("reference rubric");
    let sample = capacity_data::embedded::samples()
        .iter()
        .find(|f| f.name == "ml-segou-san-2025.toml")
        .expect("sample");
    let (a, sc) = scored(&rubric, sample.text);
    let export = Export::scores(&rubric, &[CommuneResult::new(&a, &sc)], Lang::Fr).expect("export");
    let csv = export_csv(&export, &CsvOptions::excel_fr()).expect("csv");
    assert!(csv.starts_with('\u{FEFF}'));
    assert!(
        !csv.replace("\r\n", "").contains('\n'),
        "records end with CRLF"
    );
    // Snapshots are kept with plain line ends and without the BOM.
    let shown = csv.trim_start_matches('\u{FEFF}').replace("\r\n", "\n");
    insta::assert_snapshot!("scores_ml_segou_san_2025_fr", shown);
}

#[test]
fn control_characters_do_not_break_the_workbook() {
    let export = Export {
        tables: vec![capacity_exchange::Table {
            name: "T".into(),
            headers: vec!["a".into()],
            rows: vec![vec![Cell::text("x\u{1}y\u{1f}z\ttab\nline")]],
        }],
    };
    let mut book = Book::new(export_xlsx(&export).expect("xlsx"));
    assert_eq!(book.rows("T")[1][0], s("x\u{1}y\u{1f}z\ttab\nline"));
}
