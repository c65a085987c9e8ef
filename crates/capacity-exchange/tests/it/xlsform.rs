//! The XLSForm read back with calamine: sheets, columns and a few rows.

use crate::util::{Book, col, example_rubric, s};
use calamine::Data;
use capacity::Commune;
use capacity_exchange::{XlsFormOptions, xlsform};

const SURVEY_HEADERS: [&str; 16] = [
    "type",
    "name",
    "label::Français (fr)",
    "label::English (en)",
    "hint::Français (fr)",
    "hint::English (en)",
    "required",
    "required_message::Français (fr)",
    "required_message::English (en)",
    "constraint",
    "constraint_message::Français (fr)",
    "constraint_message::English (en)",
    "relevant",
    "calculation",
    "appearance",
    "default",
];

fn text(cell: &Data) -> &str {
    match cell {
        Data::String(t) => t,
        Data::Empty => "",
        other => panic!("not text: {other:?}"),
    }
}

/// The survey's rows as `(type, name)`.
fn types_and_names(rows: &[Vec<Data>]) -> Vec<(String, String)> {
    rows.iter()
        .skip(1)
        .map(|r| (text(&r[0]).to_owned(), text(&r[1]).to_owned()))
        .collect()
}

#[test]
fn the_form_has_the_three_sheets_and_every_question() {
    let rubric = example_rubric();
    let options = XlsFormOptions {
        round: Some("2025".into()),
        ..Default::default()
    };
    let mut book = Book::new(xlsform(&rubric, &options).expect("form"));
    assert_eq!(book.sheet_names(), ["survey", "choices", "settings"]);

    let survey = book.rows("survey");
    let headers: Vec<Data> = SURVEY_HEADERS.iter().map(|h| s(h)).collect();
    assert_eq!(survey[0], headers);
    let rows = types_and_names(&survey);
    let pairs: Vec<(&str, &str)> = rows.iter().map(|(t, n)| (t.as_str(), n.as_str())).collect();
    assert_eq!(
        pairs[..16],
        [
            ("start", "start"),
            ("end", "end"),
            ("calculate", "rubric_id"),
            ("calculate", "rubric_version"),
            ("text", "commune_id"),
            ("text", "commune_name"),
            ("text", "cercle"),
            ("text", "region"),
            ("text", "round"),
            ("date", "date"),
            ("text", "rater_id"),
            ("text", "rater_name"),
            ("select_one role", "rater_role"),
            ("begin_group", "etat_civil"),
            ("select_one levels_exemple", "ADM_EC_01"),
            ("text", "ADM_EC_01_evidence"),
        ]
    );
    assert_eq!(pairs.iter().filter(|(t, _)| *t == "begin_group").count(), 4);
    assert_eq!(pairs.iter().filter(|(t, _)| *t == "end_group").count(), 4);
    assert_eq!(
        pairs
            .iter()
            .filter(|(t, _)| *t == "select_one levels_exemple")
            .count(),
        rubric.indicators().len()
    );
    let h = &survey[0];
    let row = |name: &str| {
        survey
            .iter()
            .find(|r| r[1] == s(name))
            .unwrap_or_else(|| panic!("no row {name}"))
            .clone()
    };
    let ec = row("ADM_EC_01");
    assert_eq!(
        ec[col(h, "label::Français (fr)")],
        s("ADM-EC-01 — Tenue des registres d'état civil")
    );
    assert_eq!(
        ec[col(h, "label::English (en)")],
        s("ADM-EC-01 — Civil registry books kept")
    );
    assert_eq!(ec[col(h, "required")], s("false"));
    assert_eq!(
        ec[col(h, "hint::Français (fr)")],
        s("Les registres d'état civil sont-ils tenus à jour ?\n\
           D : Registres incomplets ou absents\n\
           C : Registres tenus, retards fréquents\n\
           B : Registres à jour\n\
           A : Registres à jour et numérisés\n\
           NA : Non applicable · NI : Pas d'information (D*) · laisser vide si l'indicateur n'a pas été évalué\n\
           Preuves attendues : Registres, procès-verbaux de contrôle\n\
           Condition minimale : niveau exigé C")
    );
    let evidence = row("ADM_EC_01_evidence");
    assert_eq!(evidence[col(h, "relevant")], s("${ADM_EC_01} != ''"));
    assert_eq!(
        evidence[col(h, "label::Français (fr)")],
        s("ADM-EC-01 — Preuves vues et justification")
    );
    let group = row("etat_civil");
    assert_eq!(
        group[col(h, "label::Français (fr)")],
        s("État civil (Administration)")
    );
    assert_eq!(
        group[col(h, "label::English (en)")],
        s("Civil registry (Administration)")
    );
    let id = row("commune_id");
    assert_eq!(id[col(h, "required")], s("yes"));
    assert_eq!(id[col(h, "constraint")], s("regex(., '^[A-Za-z0-9_.-]+$')"));
    assert_eq!(row("round")[col(h, "default")], s("2025"));
    assert_eq!(row("rubric_version")[col(h, "calculation")], s("'1.0.0'"));
    assert_eq!(row("rater_id")[col(h, "required")], Data::Empty);

    let choices = book.rows("choices");
    assert_eq!(
        choices[0],
        [
            s("list_name"),
            s("name"),
            s("label::Français (fr)"),
            s("label::English (en)")
        ]
    );
    let levels: Vec<(&str, &str, &str)> = choices
        .iter()
        .filter(|r| r[0] == s("levels_exemple"))
        .map(|r| (text(&r[1]), text(&r[2]), text(&r[3])))
        .collect();
    assert_eq!(
        levels,
        [
            ("D", "D — En dessous du niveau de base", "D — Below basic"),
            ("C", "C — Niveau de base", "C — Basic"),
            ("B", "B — Bonne pratique", "B — Good practice"),
            ("A", "A — Pratique avancée", "A — Advanced practice"),
            ("NA", "NA — Non applicable", "NA — Not applicable"),
            (
                "NI",
                "NI — Pas d'information (D*)",
                "NI — No information (D*)"
            ),
        ]
    );
    let roles: Vec<&str> = choices
        .iter()
        .filter(|r| r[0] == s("role"))
        .map(|r| text(&r[1]))
        .collect();
    assert_eq!(roles, ["elected", "staff", "citizen", "facilitator"]);

    let settings = book.rows("settings");
    assert_eq!(
        settings,
        [
            [
                s("form_title"),
                s("form_id"),
                s("version"),
                s("default_language"),
                s("instance_name")
            ],
            [
                s("Référentiel d'exemple"),
                s("capacity_exemple_1_0_0"),
                s("1.0.0"),
                s("Français (fr)"),
                s("concat(${commune_id}, ' · ', ${round}, ' · ', ${rater_name})"),
            ],
        ]
    );
}

#[test]
fn a_commune_list_makes_commune_a_searchable_choice() {
    let rubric = example_rubric();
    let commune = |id: &str, name: &str, cercle: &str, region: &str| Commune {
        id: id.into(),
        name: name.into(),
        cercle: cercle.into(),
        region: region.into(),
        kind: Default::default(),
        population: Some(80_000),
        setting: None,
        transferred: vec![],
    };
    let options = XlsFormOptions {
        communes: vec![
            commune("ml-segou-san", "San", "San", "Ségou"),
            commune("ml-mopti-djenne", "Djenné", "Djenné", "Mopti"),
        ],
        round: None,
    };
    let mut book = Book::new(xlsform(&rubric, &options).expect("form"));
    let survey = book.rows("survey");
    let h = survey[0].clone();
    let row = |name: &str| {
        survey
            .iter()
            .find(|r| r[1] == s(name))
            .expect("row")
            .clone()
    };
    let id = row("commune_id");
    assert_eq!(id[0], s("select_one communes"));
    assert_eq!(id[col(&h, "appearance")], s("minimal autocomplete"));
    let cercle = row("cercle");
    assert_eq!(cercle[0], s("calculate"));
    assert_eq!(
        cercle[col(&h, "calculation")],
        s("instance('communes')/root/item[name=${commune_id}]/cercle")
    );
    let choices = book.rows("choices");
    assert_eq!(
        choices[0],
        [
            s("list_name"),
            s("name"),
            s("label::Français (fr)"),
            s("label::English (en)"),
            s("commune_name"),
            s("cercle"),
            s("region"),
        ]
    );
    let djenne = choices
        .iter()
        .find(|r| r[1] == s("ml-mopti-djenne"))
        .expect("Djenné");
    assert_eq!(
        djenne[..],
        [
            s("communes"),
            s("ml-mopti-djenne"),
            s("Djenné (Djenné, Mopti)"),
            s("Djenné (Djenné, Mopti)"),
            s("Djenné"),
            s("Djenné"),
            s("Mopti"),
        ]
    );
}

#[test]
fn the_reference_rubric_makes_a_form_with_unique_names() {
    let rubric = capacity_data::embedded::reference_rubric().expect("reference rubric");
    let tables = capacity_exchange::xlsform_tables(&rubric, &XlsFormOptions::default());
    let survey = tables.table("survey").expect("survey");
    let mut names: Vec<&str> = survey.rows.iter().filter_map(|r| r[1].as_text()).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "names are unique");
    for name in names {
        assert!(
            name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{name} is a plain XML name"
        );
    }
    let settings = tables.table("settings").expect("settings");
    assert_eq!(
        settings.rows[0][1].as_text(),
        Some("capacity_ml_communes_1_0_0")
    );
}
