//! The round trip rubric → XLSForm → a CSV written as KoboToolbox or ODK
//! Central would export it → assessments, and broken CSVs.

use crate::util::{Book, example_rubric};
use calamine::Data;
use capacity::{Assessment, CompiledRubric};
use capacity_exchange::{ImportOptions, ImportResult, XlsFormOptions, import_kobo_csv, xlsform};
use std::collections::HashMap;

/// How the export tool writes headers and values.
#[derive(Clone, Copy)]
struct Style {
    /// Field separator.
    separator: char,
    /// Between a group and a question (`/` KoboToolbox, `-` ODK Central).
    group: char,
    /// Headers and values as French labels (KoboToolbox "labels" export).
    labels: bool,
    /// KoboToolbox's or ODK Central's metadata columns.
    odk_central: bool,
}

const KOBO: Style = Style {
    separator: ',',
    group: '/',
    labels: false,
    odk_central: false,
};

/// One submission: the values by field name; `time` is the server's
/// submission time.
struct Sub<'a> {
    time: &'a str,
    values: &'a [(&'a str, &'a str)],
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(t) => t.clone(),
        _ => String::new(),
    }
}

/// Writes the CSV an export tool would write for `subs`, from the form
/// read back from its XLSX.
fn kobo_csv(rubric: &CompiledRubric, style: Style, subs: &[Sub<'_>]) -> String {
    let mut book = Book::new(xlsform(rubric, &XlsFormOptions::default()).expect("form"));
    let survey = book.rows("survey");
    let choices = book.rows("choices");
    let label = |row: &[Data]| text(&row[2]);
    // Choice labels by (list, name).
    let choice_label: HashMap<(String, String), String> = choices
        .iter()
        .skip(1)
        .map(|r| ((text(&r[0]), text(&r[1])), label(r)))
        .collect();
    // (header, name, choice list) per question, in form order.
    let mut columns: Vec<(String, String, Option<String>)> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    for row in survey.iter().skip(1) {
        let (kind, name) = (text(&row[0]), text(&row[1]));
        let shown = if style.labels {
            label(row)
        } else {
            name.clone()
        };
        match kind.as_str() {
            "begin_group" => groups.push(shown),
            "end_group" => {
                groups.pop();
            }
            _ => {
                let mut header = String::new();
                for g in &groups {
                    header.push_str(g);
                    header.push(style.group);
                }
                header.push_str(&shown);
                let list = kind.strip_prefix("select_one ").map(str::to_owned);
                columns.push((header, name, list));
            }
        }
    }
    let meta: &[&str] = if style.odk_central {
        &[
            "meta-instanceID",
            "KEY",
            "SubmitterID",
            "SubmitterName",
            "AttachmentsPresent",
            "SubmissionDate",
            "ReviewState",
            "FormVersion",
        ]
    } else {
        &[
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_notes",
            "_status",
            "_submitted_by",
            "__version__",
            "_tags",
            "_index",
        ]
    };
    let mut out = csv::WriterBuilder::new()
        .delimiter(style.separator as u8)
        .from_writer(Vec::new());
    let header: Vec<&str> = columns
        .iter()
        .map(|(h, _, _)| h.as_str())
        .chain(meta.iter().copied())
        .collect();
    out.write_record(&header).expect("header");
    for (i, sub) in subs.iter().enumerate() {
        let values: HashMap<&str, &str> = sub.values.iter().copied().collect();
        let mut record: Vec<String> = columns
            .iter()
            .map(|(_, name, list)| {
                let v = match name.as_str() {
                    "start" => "2025-03-18T09:00:00.000+00:00",
                    "end" => "2025-03-18T09:30:00.000+00:00",
                    "rubric_id" => "exemple",
                    "rubric_version" => "1.0.0",
                    n => values.get(n).copied().unwrap_or(""),
                };
                match list {
                    Some(list) if style.labels && !v.is_empty() => choice_label
                        .get(&(list.clone(), v.to_owned()))
                        .cloned()
                        .unwrap_or_else(|| v.to_owned()),
                    _ => v.to_owned(),
                }
            })
            .collect();
        for m in meta {
            record.push(match *m {
                "_submission_time" | "SubmissionDate" => sub.time.to_owned(),
                "_id" | "_index" => (i + 1).to_string(),
                "KEY" | "meta-instanceID" | "_uuid" => format!("uuid:{i:08}"),
                _ => String::new(),
            });
        }
        out.write_record(&record).expect("record");
    }
    String::from_utf8(out.into_inner().expect("flushed")).expect("utf-8")
}

const SAN: [(&str, &str); 6] = [
    ("commune_id", "ml-segou-san"),
    ("commune_name", "San"),
    ("cercle", "San"),
    ("region", "Ségou"),
    ("round", "2025"),
    ("date", "2025-03-18"),
];

const DJENNE: [(&str, &str); 5] = [
    ("commune_id", "ml-mopti-djenne"),
    ("commune_name", "Djenné"),
    ("cercle", "Djenné"),
    ("region", "Mopti"),
    ("round", "2025"),
];

fn with<'a>(base: &[(&'a str, &'a str)], more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    base.iter().chain(more).copied().collect()
}

/// Two communes, two raters each; Aminata submits twice for San.
fn submissions() -> Vec<Vec<(&'static str, &'static str)>> {
    vec![
        // line 2: replaced by line 6
        with(
            &SAN,
            &[
                ("rater_id", "r1"),
                ("rater_name", "Aminata Coulibaly"),
                ("rater_role", "elected"),
                ("ADM_EC_01", "C"),
                ("ADM_EC_01_evidence", "Registre 2024 vu"),
                ("ADM_EC_02", "B"),
                ("ADM_OR_01", "B"),
                ("GOV_PA_02", "NA"),
                ("GOV_SE_01", "NI"),
            ],
        ),
        // line 3
        with(
            &SAN,
            &[
                ("rater_name", "Kadiatou Koné"),
                ("rater_role", "staff"),
                ("ADM_EC_01", "B"),
                ("ADM_OR_02", "D"),
                ("ADM_OR_02_evidence", "Pas de PV"),
                ("GOV_SE_02", "C"),
            ],
        ),
        // line 4
        with(
            &DJENNE,
            &[
                ("date", "2025-03-20"),
                ("rater_id", "r1"),
                ("rater_name", "Hamadoun Cissé"),
                ("rater_role", "citizen"),
                ("GOV_PA_01", "A"),
                ("GOV_SE_01", "B"),
            ],
        ),
        // line 5: another date
        with(
            &DJENNE,
            &[
                ("date", "2025-03-21"),
                ("rater_id", "r2"),
                ("rater_name", "Fatoumata Diarra"),
                ("rater_role", "facilitator"),
                ("GOV_PA_01", "C"),
            ],
        ),
        // line 6: Aminata again, later
        with(
            &SAN,
            &[
                ("rater_id", "r1"),
                ("rater_name", "Aminata Coulibaly"),
                ("rater_role", "elected"),
                ("ADM_EC_01", "D"),
                ("ADM_EC_01_evidence", "Registre incomplet"),
                ("ADM_EC_02", "B"),
            ],
        ),
    ]
}

const TIMES: [&str; 5] = [
    "2025-03-18T10:00:00",
    "2025-03-18T10:05:00",
    "2025-03-20T15:00:00",
    "2025-03-21T09:00:00",
    "2025-03-18T11:00:00",
];

const EXPECTED_DJENNE: &str = r#"
format = 1
rubric = "exemple"
rubric_version = "1.0.0"
round = "2025"
date = "2025-03-20"
comment = "Importé d'un export KoboToolbox/ODK (lignes 4, 5)"

[commune]
id = "ml-mopti-djenne"
name = "Djenné"
cercle = "Djenné"
region = "Mopti"
transferred = []

[[rater]]
id = "r1"
name = "Hamadoun Cissé"
role = "citizen"

[[rater]]
id = "r2"
name = "Fatoumata Diarra"
role = "facilitator"

[[answer]]
indicator = "GOV-PA-01"
[[answer.rating]]
rater = "r1"
level = "A"
[[answer.rating]]
rater = "r2"
level = "C"

[[answer]]
indicator = "GOV-SE-01"
[[answer.rating]]
rater = "r1"
level = "B"
"#;

const EXPECTED_SAN: &str = r#"
format = 1
rubric = "exemple"
rubric_version = "1.0.0"
round = "2025"
date = "2025-03-18"
comment = "Importé d'un export KoboToolbox/ODK (lignes 3, 6)"

[commune]
id = "ml-segou-san"
name = "San"
cercle = "San"
region = "Ségou"
transferred = []

[[rater]]
id = "kadiatou-kone"
name = "Kadiatou Koné"
role = "staff"

[[rater]]
id = "r1"
name = "Aminata Coulibaly"
role = "elected"

[[answer]]
indicator = "ADM-EC-01"
[[answer.rating]]
rater = "kadiatou-kone"
level = "B"
[[answer.rating]]
rater = "r1"
level = "D"
evidence = "Registre incomplet"

[[answer]]
indicator = "ADM-EC-02"
[[answer.rating]]
rater = "r1"
level = "B"

[[answer]]
indicator = "ADM-OR-02"
[[answer.rating]]
rater = "kadiatou-kone"
level = "D"
evidence = "Pas de PV"

[[answer]]
indicator = "GOV-SE-02"
[[answer.rating]]
rater = "kadiatou-kone"
level = "C"
"#;

fn expected_problems(basis: &str) -> Vec<String> {
    vec![
        format!(
            "line 2: rater `r1` (`Aminata Coulibaly`) submitted twice for ml-segou-san, round 2025 (lines 2 and 6): line 6, the latest by {basis}, is kept and line 2 left out; delete the submission you do not want, or give each rater their own rater id"
        ),
        "line 4: the submissions for ml-mopti-djenne, round 2025, give different values of date: `2025-03-20`, `2025-03-21`: `2025-03-20` is used; correct the assessment file if needed".to_owned(),
    ]
}

#[track_caller]
fn check_round_trip(style: Style, basis: &str) {
    let rubric = example_rubric();
    let subs = submissions();
    let subs: Vec<Sub<'_>> = subs
        .iter()
        .zip(TIMES)
        .map(|(values, time)| Sub { time, values })
        .collect();
    let csv = kobo_csv(&rubric, style, &subs);
    let result = import_kobo_csv(&rubric, &csv, &ImportOptions::default()).expect("imported");
    let problems: Vec<String> = result.problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems, expected_problems(basis), "\n{csv}");
    assert_eq!(result.separator, style.separator as u8);
    assert_eq!(result.submissions, 4);
    let expected = [EXPECTED_DJENNE, EXPECTED_SAN]
        .map(|t| Assessment::from_toml(t).expect("expected assessment"));
    assert_eq!(result.assessments, expected);
    for a in &result.assessments {
        rubric
            .resolve(a)
            .expect("the imported assessment validates");
        // And it survives the file format.
        assert_eq!(
            &Assessment::from_toml(&a.to_toml()).expect("written back"),
            a
        );
    }
}

#[test]
fn round_trip_kobo_group_prefixed_headers() {
    check_round_trip(KOBO, "_submission_time");
}

#[test]
fn round_trip_semicolon_and_odk_central_headers() {
    check_round_trip(
        Style {
            separator: ';',
            group: '-',
            labels: false,
            odk_central: true,
        },
        "SubmissionDate",
    );
}

#[test]
fn round_trip_kobo_labels_export() {
    check_round_trip(
        Style {
            separator: ';',
            group: '/',
            labels: true,
            odk_central: false,
        },
        "_submission_time",
    );
}

const HEADER: &str = "commune_id,commune_name,cercle,region,round,date,rater_id,rater_name,rater_role,ADM_EC_01,ADM_EC_01_evidence,ADM_EC_02";

#[track_caller]
fn check(csv: &str, expected: &[&str]) -> ImportResult {
    let rubric = example_rubric();
    let result = import_kobo_csv(&rubric, csv, &ImportOptions::default()).expect("imported");
    let problems: Vec<String> = result.problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems, expected);
    for a in &result.assessments {
        rubric.resolve(a).expect("validates");
    }
    result
}

#[track_caller]
fn check_error(csv: &str, expected: &str) {
    let rubric = example_rubric();
    let err = import_kobo_csv(&rubric, csv, &ImportOptions::default()).expect_err("refused");
    assert_eq!(err.to_string(), expected);
}

const MISSING: &str = "6 questions of exemple@1.0.0 have no column (ADM-OR-01, ADM-OR-02, GOV-PA-01, GOV-PA-02, GOV-SE-01, GOV-SE-02): they stay unanswered; export every question of the form (not a selection of fields)";

#[test]
fn wrong_level_codes_are_reported_with_row_column_and_valid_codes() {
    let csv = format!(
        "{HEADER}\n\
         ml-san,San,San,Ségou,2025,2025-03-18,r1,Awa,staff,E,vu,b\n\
         ml-san,San,San,Ségou,2025,2025-03-18,r2,Ali,staff,C,,B\n"
    );
    let result = check(
        &csv,
        &[
            &format!("line 1: {MISSING}"),
            "line 2, column \"ADM_EC_01\": unknown level `E` for ADM-EC-01: the rating is left out; use one of D, C, B, A, NA (not applicable), NI (no information), or leave it empty",
            "line 2, column \"ADM_EC_02\": unknown level `b` for ADM-EC-02: the rating is left out; use one of D, C, B, A, NA (not applicable), NI (no information), or leave it empty",
        ],
    );
    // The rest of the row is kept: rater r1 is there, with no rating.
    let a = &result.assessments[0];
    assert_eq!(a.raters.len(), 2);
    assert_eq!(a.answers.len(), 2);
    assert_eq!(a.answers[0].ratings.len(), 1);
}

#[test]
fn unknown_columns_are_reported_once() {
    let csv = format!(
        "{HEADER},etat_civil/ADM_EC_99,_id,meta/instanceID,__version__,Remarques\n\
         ml-san,San,San,Ségou,2025,2025-03-18,r1,Awa,staff,C,,B,A,1,uuid:1,v1,x\n\
         ml-san,San,San,Ségou,2025,2025-03-18,r2,Ali,staff,C,,B,A,2,uuid:2,v1,y\n"
    );
    check(
        &csv,
        &[
            "line 1, column \"etat_civil/ADM_EC_99\": 2 unknown columns (etat_civil/ADM_EC_99, Remarques): no field of the form of exemple@1.0.0 has these names or labels: they are ignored; import the export with the rubric its form was made from, or remove the columns",
            &format!("line 1: {MISSING}"),
        ],
    );
}

#[test]
fn ten_thousand_unknown_columns_give_one_short_problem() {
    let extra: Vec<String> = (0..10_000).map(|i| format!("junk_{i}")).collect();
    let values = vec!["x"; extra.len()].join(",");
    let csv = format!(
        "{HEADER},{}\nml-san,San,San,Ségou,2025,2025-03-18,r1,Awa,staff,C,,B,{values}\n",
        extra.join(",")
    );
    let result = check(
        &csv,
        &[
            "line 1, column \"junk_0\": 10000 unknown columns (junk_0, junk_1, junk_2, junk_3, junk_4, junk_5, junk_6, junk_7, junk_8, junk_9, … and 9990 more): no field of the form of exemple@1.0.0 has these names or labels: they are ignored; import the export with the rubric its form was made from, or remove the columns",
            &format!("line 1: {MISSING}"),
        ],
    );
    assert_eq!(result.assessments.len(), 1);
}

#[test]
fn broken_rows_are_skipped_and_reported() {
    let csv = format!(
        "{HEADER},rubric_version,etat_civil/ADM_EC_01\n\
         ml-san,San,San,Ségou,2025,18/03/2025,r1,Awa,staff,C,,B,1.0.0,\n\
         ml-san,San,San,Ségou,2025,2025-03-18,r2,Ali,chef,C,,B,1.0.0,\n\
         ml-san,San,San,Ségou,2025,2025-03-18,r3,Ada,staff,C,,B,0.9.0,\n\
         ml san,San,San,Ségou,,2025-03-18,r 4,Ousmane Théra,staff,,preuve,B,,\n\
         ml-san,San,San,Ségou,2025,2025-03-18,r5,Ina,staff,C\n\
         ml-san,San,San,Ségou,2025,2025-03-18,r6,Sira,staff,B,,,,\n"
    );
    let result = check(
        &csv,
        &[
            "line 1, column \"etat_civil/ADM_EC_01\": a second column for the same field as column \"ADM_EC_01\": it is ignored; remove one of the two columns",
            &format!("line 1: {MISSING}"),
            "line 2, column \"date\": `18/03/2025` is not a date: the row is skipped; write it as YYYY-MM-DD (e.g. 2025-03-18)",
            "line 3, column \"rater_role\": unknown rater role `chef`: the row is skipped; use one of elected, staff, citizen, facilitator",
            "line 4, column \"rubric_version\": the submission was made with the form of another rubric (rubric_version `0.9.0`, not `1.0.0`): the row is skipped; import it with the rubric its form was made from",
            "line 5, column \"round\": no round: the row is skipped; fill in `round` and import again",
            "line 5, column \"commune_id\": `ml san` is not a commune id: the row is skipped; write letters, digits, `-`, `_` or `.` only (e.g. ml-segou-san), or, if the export shows labels, pass the commune list the form was made with",
            "line 5, column \"rater_id\": `r 4` is not a rater id: `ousmane-thera` is used instead; write letters, digits, `-`, `_` or `.` only (e.g. r1)",
            "line 5, column \"ADM_EC_01_evidence\": evidence given for ADM-EC-01 without a level: it is left out; choose a level, NA or NI for the indicator, or copy the evidence into the assessment file",
            "line 6: the row has 10 fields, the header 14: the row is skipped; export the data again, or check the separator and the quotes of this row",
        ],
    );
    assert_eq!(result.submissions, 1);
    assert_eq!(result.assessments[0].raters[0].id, "r6");
}

#[test]
fn missing_columns_are_named() {
    check_error(
        "commune_name,round,date,rater_name,rater_role,ADM_EC_01\nSan,2025,2025-03-18,Awa,staff,C\n",
        "line 1: missing column \"commune_id\": export the submissions of the form made by `capacity xlsform` for this rubric, with XML names or labels as headers",
    );
    check_error(
        "commune_id,ADM_EC_01\nml-san,C\n",
        "line 1: missing columns \"round\", \"date\", \"rater_name or rater_id\", \"rater_role\": export the submissions of the form made by `capacity xlsform` for this rubric, with XML names or labels as headers",
    );
    check_error(
        "commune_id,round,date,rater_name,rater_role,_id\nml-san,2025,2025-03-18,Awa,staff,1\n",
        "line 1: no column is a question of rubric exemple@1.0.0: import the export with the rubric its form was made from, or export the questions (not only the metadata)",
    );
}

#[test]
fn empty_files_are_refused() {
    let empty = "the csv file is empty: export the submissions again from KoboToolbox or ODK, as csv with a header row";
    check_error("", empty);
    check_error("\u{FEFF}", empty);
    check_error("\n\n", empty);
    check_error(";;\n", empty);
}

#[test]
fn a_header_only_export_gives_no_assessment() {
    let result = check(
        &format!("\u{FEFF}{HEADER}\r\n"),
        &[&format!("line 1: {MISSING}")],
    );
    assert!(result.assessments.is_empty());
}

#[test]
fn a_commune_list_fills_in_what_the_form_does_not_ask() {
    let rubric = example_rubric();
    let san = capacity::Commune {
        id: "ml-segou-san".into(),
        name: "San".into(),
        cercle: "San".into(),
        region: "Ségou".into(),
        kind: Default::default(),
        population: Some(80_000),
        setting: Some(capacity::Setting::Urban),
        transferred: vec!["sante".into()],
    };
    let options = ImportOptions {
        communes: vec![san.clone()],
        ..Default::default()
    };
    // A "labels" export: the commune is given by its choice label.
    let csv = "commune_id,round,date,rater_name,rater_role,ADM_EC_01\n\
               \"San (San, Ségou)\",2025,2025-03-18,Awa,\"Personnel communal (secrétaire général, services techniques)\",C — Niveau de base\n\
               ml-x,2025,2025-03-18,Ali,staff,B\n";
    let result = import_kobo_csv(&rubric, csv, &options).expect("imported");
    let problems: Vec<String> = result.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "line 1: 7 questions of exemple@1.0.0 have no column (ADM-EC-02, ADM-OR-01, ADM-OR-02, GOV-PA-01, GOV-PA-02, GOV-SE-01, GOV-SE-02): they stay unanswered; export every question of the form (not a selection of fields)",
            "line 3: commune `ml-x` is not in the commune list: its name, cercle and region are taken from the submissions, with no population, setting or transferred competences; add it to the list or correct `commune_id`",
            "line 3: no commune name for ml-x: the id is used as the name; fill in `commune_name`, or pass the commune list",
        ]
    );
    assert_eq!(result.assessments.len(), 2);
    let a = &result.assessments[0];
    assert_eq!(a.commune, san);
    assert_eq!(a.raters[0].role, capacity::Role::Staff);
    assert_eq!(a.answers[0].ratings[0].level, "C");
}
