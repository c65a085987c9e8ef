//! The `capacity` executable, run for real: on every file under
//! `assessments/`, on deliberately broken files (`tests/fixtures/`), and
//! through every command, asserting messages and exit codes.
//!
//! One test binary with a small harness: [`capacity`] runs the binary from
//! the workspace root with colours off; [`Run`] holds what it printed;
//! checks compare text, not terminal art.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the binary runs there, so paths read as in the
/// README).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What a run printed and how it ended.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    fn stdout_has(&self, parts: &[&str]) -> &Self {
        for p in parts {
            assert!(
                self.stdout.contains(p),
                "stdout lacks {p:?}:\n{}",
                self.stdout
            );
        }
        self
    }

    #[track_caller]
    fn stderr_has(&self, parts: &[&str]) -> &Self {
        for p in parts {
            assert!(
                self.stderr.contains(p),
                "stderr lacks {p:?}:\n{}",
                self.stderr
            );
        }
        self
    }
}

/// Runs `capacity ARGS` in the workspace root, colours off, French.
fn capacity(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_capacity"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CAPACITY_LANG")
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh scratch directory outside the repository (so that no
/// `rubrics/` directory is found above it).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("capacity-cli-tests-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Every `*.toml` under `assessments/<sub>`, as paths from the root.
fn files(sub: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("assessments").join(sub))
        .expect("directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .map(|n| format!("assessments/{sub}/{n}"))
        .collect();
    v.sort();
    v
}

#[test]
fn help_documents_exit_codes() {
    for args in [&["--help"][..], &["-h"], &["help"]] {
        capacity(args).code(0).stdout_has(&[
            "Exit status:",
            "0  success",
            "1  problems in the input",
            "2  usage error",
            "3  input/output or other failure",
            "validate",
            "report",
        ]);
    }
    capacity(&["score", "--help"])
        .code(0)
        .stdout_has(&["--format", "Exit status:"]);
}

#[test]
fn usage_errors_exit_2() {
    capacity(&["frobnicate"])
        .code(2)
        .stderr_has(&["unrecognized subcommand"]);
    capacity(&["score"]).code(2).stderr_has(&["required"]);
    capacity(&["score", "x.toml", "--format", "yaml"]).code(2);
    capacity(&[
        "grants",
        "assessments/samples",
        "--pool",
        "beaucoup",
        "--threshold",
        "50",
    ])
    .code(2)
    .stderr_has(&["--pool `beaucoup` is not a whole number of francs"]);
    capacity(&[
        "grants",
        "assessments/samples",
        "--pool",
        "1000",
        "--threshold",
        "150",
    ])
    .code(2)
    .stderr_has(&["--threshold `150` is not a score between 0 and 100"]);
    capacity(&["score", "assessments/samples"])
        .code(2)
        .stderr_has(&["this command takes one file"]);
}

#[test]
fn missing_file_exits_3() {
    capacity(&["validate", "nowhere/nothing.toml"])
        .code(3)
        .stderr_has(&["error: nowhere/nothing.toml: no such file or directory"]);
}

#[test]
fn every_file_under_assessments_validates() {
    capacity(&["validate", "assessments"]).code(0).stderr_has(&[
        "23 file(s) checked (2 rubric(s), 21 assessment(s)): 21 assessment(s) valid",
    ]);
    for f in files("rubrics").iter().chain(&files("samples")) {
        capacity(&["validate", f]).code(0);
    }
}

#[test]
fn every_sample_scores_in_every_format() {
    for f in files("samples") {
        let json = capacity(&["score", &f, "--format", "json"]);
        json.code(0);
        let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
        assert!(v["overall"]["score"].is_string(), "{f}");
        assert!(
            v["indicators"].as_array().is_some_and(|a| !a.is_empty()),
            "{f}"
        );
        capacity(&["score", &f]).code(0).stdout_has(&[
            "Résumé",
            "Score global",
            "Conditions minimales",
        ]);
        let csv = capacity(&["score", &f, "--format", "csv"]);
        csv.code(0);
        assert!(
            csv.stdout
                .starts_with("id,title,level,score,target,method,coverage,flags,condition\n"),
            "{f}"
        );
        capacity(&["gaps", &f, "--format", "csv"]).code(0);
        capacity(&["plan", &f, "--format", "md"])
            .code(0)
            .stdout_has(&["## Plan de renforcement des capacités", "| Priorité |"]);
    }
}

/// Broken files: every problem as `FILE:LINE:COLUMN: message`, exit 1.
#[test]
fn broken_files_report_their_place() {
    let cases = [
        (
            "bad-toml.toml",
            "bad-toml.toml:4:14: invalid basic string, expected `\"`",
        ),
        (
            "wrong-level.toml",
            "wrong-level.toml:49:9: administration/organisation/ADM-OI-01: unknown rating `E`: use one of D, C, B, A, NA (not applicable) or NI (no information)",
        ),
        (
            "unknown-indicator.toml",
            "unknown-indicator.toml:69:13: the rubric has no indicator `ADM-XX-99`: check the id against the rubric",
        ),
        (
            "wrong-rubric-version.toml",
            "wrong-rubric-version.toml:3:18: this assessment is for version 9.9.9 of rubric `ml-communes`, but version 1.0.0 is loaded: load version 9.9.9 or migrate the assessment",
        ),
        (
            "unknown-rubric.toml",
            "unknown-rubric.toml:2:10: no rubric `ml-inconnu` is available",
        ),
        (
            "bad-rubric.toml",
            "bad-rubric.toml:61:10: administration: weight must be greater than 0, found \"0\": write a positive decimal such as \"1\"",
        ),
    ];
    for (file, expected) in cases {
        let path = format!("crates/capacity-cli/tests/fixtures/{file}");
        let line = format!("crates/capacity-cli/tests/fixtures/{expected}");
        capacity(&["validate", "--format", "short", &path])
            .code(1)
            .stderr_has(&[&line]);
        // The human form shows the place and the offending line.
        let (place, _) = line.split_at(line.find(": ").expect("a place"));
        capacity(&["validate", &path]).code(1).stderr_has(&[
            &format!("╭─[{place}]"),
            "╰── here",
            "error: ",
        ]);
    }
    // Both problems of the rubric, in document order.
    capacity(&[
        "validate",
        "--format",
        "short",
        "crates/capacity-cli/tests/fixtures/bad-rubric.toml",
    ])
    .code(1)
    .stderr_has(&[
        "bad-rubric.toml:142:10: administration/organisation/ADM-OR-01: unknown level `E`",
        "error: 2 problems found",
    ]);
    // The offending source line is shown.
    capacity(&[
        "validate",
        "crates/capacity-cli/tests/fixtures/wrong-level.toml",
    ])
    .code(1)
    .stderr_has(&["49 │ level = \"E\""]);
    // A directory: every problem of every file, the valid ones counted.
    let run = capacity(&[
        "validate",
        "--format",
        "json",
        "crates/capacity-cli/tests/fixtures",
    ]);
    run.code(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(7));
    assert!(
        v[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("fixtures/bad-rubric.toml"))
    );
    assert_eq!(
        (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
        (Some(61), Some(10))
    );
    // Commands that need valid input stop with the problems, exit 1.
    capacity(&[
        "score",
        "crates/capacity-cli/tests/fixtures/wrong-level.toml",
    ])
    .code(1)
    .stderr_has(&["unknown rating `E`", "error: 1 problem found"]);
}

#[test]
fn verbose_says_which_rubric_was_used() {
    capacity(&["-v", "score", "assessments/samples/ml-segou-san-2023.toml"])
        .code(0)
        .stderr_has(&["note: rubric ml-communes@1.0.0 from assessments/rubrics/ml-communes.toml (next to the assessment): 1 assessment(s)"]);
    capacity(&[
        "-v",
        "--rubric",
        "assessments/rubrics/ml-communes.toml",
        "score",
        "assessments/samples/ml-segou-san-2023.toml",
    ])
    .code(0)
    .stderr_has(&["from assessments/rubrics/ml-communes.toml (--rubric)"]);
    let dir = scratch("alone");
    let copy = dir.join("san.toml");
    std::fs::copy(
        root().join("assessments/samples/ml-segou-san-2023.toml"),
        &copy,
    )
    .expect("copy");
    capacity(&["-v", "score", s(&copy)])
        .code(0)
        .stderr_has(&["from built-in ml-communes.toml"]);
    // In a directory, README.md is not read and rubrics are recognised.
    capacity(&["-v", "validate", "assessments"])
        .code(0)
        .stderr_has(&[
            "from assessments/rubrics/ml-redeploiement.toml (among the inputs): 4 assessment(s)",
        ]);
}

#[test]
fn score_explain_gaps_plan() {
    let f = "assessments/samples/ml-mopti-bandiagara-2024.toml";
    capacity(&["score", f])
        .code(0)
        .stdout_has(&["Provisoire", "oui", "ADM-BF-01"]);
    capacity(&["--lang", "en", "score", f])
        .code(0)
        .stdout_has(&["Provisional", "yes", "Overall score"]);
    capacity(&["score", f, "--format", "md"])
        .code(0)
        .stdout_has(&["| Id | Intitulé |"]);
    capacity(&[
        "explain",
        "assessments/samples/ml-segou-san-2023.toml",
        "ADM-EC-01",
    ])
    .code(0)
    .stdout_has(&["ADM-EC-01", "Niveau :", "Ibrahim Dembélé"]);
    capacity(&["explain", f, "NOPE"])
        .code(2)
        .stderr_has(&["has no domain, competency or indicator `NOPE`"]);
    let gaps = capacity(&["gaps", f, "--limit", "3", "--format", "csv"]);
    gaps.code(0);
    assert_eq!(gaps.stdout.lines().count(), 4, "{}", gaps.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&capacity(&["gaps", f, "--format", "json"]).stdout).expect("JSON");
    assert!(v["priorities"][0]["indicator"].is_string());
    capacity(&["plan", f])
        .code(0)
        .stdout_has(&["Coût du plan d'action", "FCFA", "court terme"]);
    let plan = capacity(&["plan", f, "--format", "csv"]);
    plan.code(0);
    assert!(plan.stdout.starts_with(
        "priority,indicator,step,action,responsible,horizon,cost_fcfa,domain,competency,decision\n"
    ));
    let v: serde_json::Value =
        serde_json::from_str(&capacity(&["plan", f, "--format", "json"]).stdout).expect("JSON");
    assert!(v["plan"]["items"].as_array().is_some_and(|a| !a.is_empty()));
}

#[test]
fn compare_the_samples() {
    capacity(&["compare", "assessments/samples"])
        .code(0)
        .stdout_has(&[
            "ml-communes@1.0.0) — 13 communes, tour(s) 2024, 2025",
            "ml-redeploiement@1.0.0) — 4 communes",
            "Répartition et quartiles — score global",
            "Ensemble des communes",
            "Classement selon le score global",
            "Besoins de réforme",
            "Progrès entre les tours",
        ]);
    capacity(&[
        "compare",
        "assessments/samples",
        "--by",
        "cercle",
        "--lang",
        "en",
        "--indicators",
    ])
    .code(0)
    .stdout_has(&["Djenné cercle (Mopti)", "Indicators — All communes"]);
    capacity(&["compare", "assessments/samples", "--round", "2023"])
        .code(0)
        .stdout_has(&["4 communes, tour(s) 2023"]);
    let csv = capacity(&["compare", "assessments/samples", "--format", "csv"]);
    csv.code(0);
    assert!(csv.stdout.starts_with("table,group,communes,scored,provisional,at_or_above_basic,min,q1,median,q3,max,level_d,level_c,level_b,level_a,not_applicable,unanswered\n"));
    assert!(
        csv.stdout
            .contains("ml-communes@1.0.0:ranking,1,ml-bamako-commune-iv,")
    );
    let json = capacity(&["compare", "assessments/samples", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(v[0]["communes"], 13);
    assert_eq!(v[0]["progress"].as_array().map(Vec::len), Some(4));
}

#[test]
fn grants_add_up_to_the_pool() {
    // Two rubrics among the inputs: refused, each named, unless one is
    // chosen.
    capacity(&[
        "grants",
        "assessments/samples",
        "--pool",
        "1000",
        "--threshold",
        "20",
    ])
    .code(2)
    .stderr_has(&[
        "the assessments given are of 2 rubrics (ml-communes@1.0.0: 17 assessment(s)",
        "ml-redeploiement@1.0.0: 4 assessment(s)",
        "choose one with --only ID@VERSION",
    ]);
    capacity(&[
        "grants",
        "assessments/samples",
        "--pool",
        "1000",
        "--threshold",
        "20",
        "--only",
        "nope",
    ])
    .code(2)
    .stderr_has(&["--only nope: none of the 2 rubric(s) of the inputs is nope"]);
    let csv = capacity(&[
        "grants",
        "assessments/samples",
        "--only",
        "ml-communes",
        "--pool",
        "100 000 000",
        "--threshold",
        "20",
        "--format",
        "csv",
    ]);
    csv.code(0)
        .stderr_has(&["--only ml-communes@1.0.0: 4 assessment(s) of other rubrics not used"]);
    let mut lines = csv.stdout.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "amount_fcfa")
        .expect("amount column");
    let mut reader = csv_rows(&csv.stdout);
    let total: u64 = reader
        .iter_mut()
        .map(|r| r[col].parse::<u64>().expect("whole francs"))
        .sum();
    assert_eq!(total, 100_000_000);
    capacity(&[
        "grants",
        "assessments/samples",
        "--only",
        "ml-communes@1.0.0",
        "--pool",
        "100000000",
        "--threshold",
        "20%",
        "--by-population",
    ])
    .code(0)
    .stdout_has(&[
        "Total alloué\u{a0}: 100\u{202f}000\u{202f}000\u{a0}FCFA",
        "score × population",
    ]);
}

/// The data rows of a CSV text.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|x| x.expect("CSV row").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn charts_are_valid_svg() {
    let dir = scratch("charts");
    let san = [
        "assessments/samples/ml-segou-san-2023.toml",
        "assessments/samples/ml-segou-san-2025.toml",
    ];
    for (kind, inputs) in [
        ("radar", &san[..]),
        ("gaps", &san[..]),
        ("progress", &san[..]),
        (
            "heatmap",
            &["assessments/samples", "--only", "ml-communes"][..],
        ),
        (
            "distribution",
            &["assessments/samples", "--only", "ml-communes"][..],
        ),
    ] {
        let out = dir.join(format!("{kind}.svg"));
        let mut args = vec!["chart", kind];
        args.extend(inputs);
        args.extend(["-o", s(&out)]);
        capacity(&args).code(0);
        let svg = std::fs::read_to_string(&out).expect("written");
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{kind}");
    }
    capacity(&[
        "chart",
        "radar",
        "assessments/samples",
        "--only",
        "ml-communes",
        "-o",
        s(&dir.join("x.svg")),
    ])
    .code(2)
    .stderr_has(&["this chart shows one commune"]);
    capacity(&["chart", "progress", san[0], "-o", s(&dir.join("x.svg"))])
        .code(2)
        .stderr_has(&["needs two rounds"]);
}

#[test]
fn reports_have_their_sections_and_escape_hostile_text() {
    let dir = scratch("reports");
    let out = dir.join("san.html");
    capacity(&[
        "report",
        "assessments/samples/ml-segou-san-2023.toml",
        "assessments/samples/ml-segou-san-2025.toml",
        "-o",
        s(&out),
    ])
    .code(0);
    let html = std::fs::read_to_string(&out).expect("written");
    for part in [
        "<meta charset=\"utf-8\"/>",
        "<html lang=\"fr\">",
        "id=\"summary\"",
        "id=\"charts\"",
        "id=\"scores\"",
        "id=\"disagreements\"",
        "id=\"plan\"",
        "id=\"progress\"",
        "Pourquoi ?",
        "FCFA",
        "<svg",
    ] {
        assert!(html.contains(part), "report lacks {part}");
    }
    assert!(!html.contains("<script"));
    let en = dir.join("san-en.html");
    capacity(&[
        "--lang",
        "en",
        "report",
        "assessments/samples/ml-segou-san-2025.toml",
        "-o",
        s(&en),
    ])
    .code(0);
    let html = std::fs::read_to_string(&en).expect("written");
    assert!(
        html.contains("<html lang=\"en\">")
            && html.contains("Costed action plan")
            && html.contains("Why?")
    );

    let hostile = dir.join("hostile.html");
    capacity(&[
        "report",
        "crates/capacity-cli/tests/fixtures/hostile.toml",
        "-o",
        s(&hostile),
    ])
    .code(0);
    let html = std::fs::read_to_string(&hostile).expect("written");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("<script") && !html.contains("<img"));

    let regional = dir.join("regional.html");
    capacity(&[
        "report",
        "assessments/samples",
        "--only",
        "ml-communes",
        "-o",
        s(&regional),
    ])
    .code(0);
    let html = std::fs::read_to_string(&regional).expect("written");
    for part in [
        "id=\"distributions\"",
        "id=\"heatmap\"",
        "id=\"ranking\"",
        "id=\"reform\"",
        "id=\"progress\"",
        "Classement selon",
    ] {
        assert!(html.contains(part), "regional report lacks {part}");
    }
}

#[test]
fn synth_then_compare_report_and_grants() {
    let dir = scratch("synth");
    capacity(&["synth", "--seed", "7", "--communes", "20", "--out", s(&dir)])
        .code(0)
        .stderr_has(&["wrote 40 assessments (20 communes × 2 rounds"]);
    capacity(&["-v", "compare", s(&dir)])
        .code(0)
        .stdout_has(&["20 communes, tour(s) 2025", "Progrès entre les tours"])
        .stderr_has(&["synth.toml: skipped"]);
    capacity(&["compare", s(&dir), "--round", "2023", "--format", "json"]).code(0);
    let report = dir.join("report.html");
    capacity(&["report", s(&dir), "-o", s(&report)]).code(0);
    let csv = capacity(&[
        "grants",
        s(&dir),
        "--pool",
        "5000000",
        "--threshold",
        "0",
        "--accept-provisional",
        "--format",
        "csv",
    ]);
    csv.code(0);
    let total: u64 = csv_rows(&csv.stdout)
        .iter()
        .map(|r| r.last().expect("amount").parse::<u64>().expect("francs"))
        .sum();
    assert!(total == 5_000_000 || total == 0, "{}", csv.stdout);
    // A second run replaces the dataset; a foreign directory is refused.
    capacity(&["synth", "--seed", "7", "--communes", "20", "--out", s(&dir)]).code(0);
    let foreign = scratch("foreign");
    std::fs::write(foreign.join("notes.txt"), "mine").expect("write");
    capacity(&["synth", "--communes", "20", "--out", s(&foreign)])
        .code(3)
        .stderr_has(&["not empty"]);
}

#[test]
fn export_and_xlsform() {
    let dir = scratch("exchange");
    let xlsx = dir.join("scores.xlsx");
    capacity(&[
        "export",
        "assessments/samples",
        "--only",
        "ml-communes",
        "--format",
        "xlsx",
        "-o",
        s(&xlsx),
    ])
    .code(0);
    assert!(std::fs::read(&xlsx).expect("written").starts_with(b"PK"));
    let csv = dir.join("san.csv");
    capacity(&[
        "export",
        "assessments/samples/ml-segou-san-2025.toml",
        "--format",
        "csv",
        "-o",
        s(&csv),
    ])
    .code(0)
    .stderr_has(&["1 assessment(s) of 1 commune(s)"]);
    let text = std::fs::read_to_string(&csv).expect("written");
    assert!(
        text.starts_with("\u{feff}Code commune;Commune;"),
        "{}",
        &text[..80.min(text.len())]
    );
    let form = dir.join("form.xlsx");
    capacity(&[
        "xlsform",
        "assessments/rubrics/ml-communes.toml",
        "-o",
        s(&form),
    ])
    .code(0)
    .stderr_has(&["XLSForm of rubric ml-communes@1.0.0"]);
    assert!(std::fs::read(&form).expect("written").starts_with(b"PK"));
    capacity(&["xlsform", "ml-redeploiement", "-o", s(&dir.join("r.xlsx"))]).code(0);
    capacity(&["xlsform", "nothing-here", "-o", s(&dir.join("n.xlsx"))]).code(3);
}

#[test]
fn import_kobo() {
    let dir = scratch("kobo");
    // A CSV with missing columns: nothing imported, the header line shown.
    capacity(&[
        "--rubric",
        "ml-communes",
        "import",
        "kobo",
        "crates/capacity-cli/tests/fixtures/kobo-missing-columns.csv",
        "-o",
        s(&dir),
    ])
    .code(1)
    .stderr_has(&[
        "kobo-missing-columns.csv:1:1: line 1: missing columns \"commune_id\", \"round\", \"rater_role\"",
        "1 │ commune_name;cercle;region;date;rater_name;ADM_EC_01",
    ]);
    capacity(&[
        "import",
        "kobo",
        "crates/capacity-cli/tests/fixtures/kobo-missing-columns.csv",
        "-o",
        s(&dir),
    ])
    .code(2)
    .stderr_has(&["needs the rubric the form was made from"]);

    // A complete export of two raters: one assessment, which validates.
    let rubric = capacity::CompiledRubric::from_toml(
        &std::fs::read_to_string(root().join("assessments/rubrics/ml-communes.toml"))
            .expect("rubric"),
    )
    .expect("compiles");
    let ids: Vec<String> = rubric
        .indicators()
        .iter()
        .map(|i| capacity_exchange::xml_name(&i.id, "q_"))
        .collect();
    let mut text = format!(
        "commune_id,commune_name,cercle,region,round,date,rater_name,rater_role,{}\n",
        ids.join(",")
    );
    for (name, role, level) in [
        ("Awa Traoré", "elected", "C"),
        ("Moussa Diarra", "staff", "Z"),
    ] {
        let levels = vec![level; ids.len()].join(",");
        text.push_str(&format!(
            "ml-test,Test,San,Ségou,2025,2025-03-18,{name},{role},{levels}\n"
        ));
    }
    let export = dir.join("export.csv");
    std::fs::write(&export, text).expect("write");
    let out = dir.join("imported");
    let run = capacity(&[
        "--rubric",
        "ml-communes",
        "import",
        "kobo",
        s(&export),
        "-o",
        s(&out),
    ]);
    // The second rater's unknown level is reported at its line and column.
    run.code(1).stderr_has(&[
        "export.csv:3:",
        "unknown level `Z`",
        "imported 2 submission(s) into 1 assessment(s)",
    ]);
    capacity(&["validate", s(&out.join("ml-test-2025.toml"))]).code(0);
    // The file is not overwritten without --force.
    capacity(&[
        "--rubric",
        "ml-communes",
        "import",
        "kobo",
        s(&export),
        "-o",
        s(&out),
    ])
    .code(3)
    .stderr_has(&["the file exists"]);
}

/// A copy of sample `name` with its commune's id, name and cercle
/// replaced, written as `dir/file`.
fn sample_as(name: &str, dir: &Path, file: &str, id: &str, commune: &str, cercle: &str) {
    let text =
        std::fs::read_to_string(root().join("assessments/samples").join(name)).expect("sample");
    let mut a = capacity::Assessment::from_toml(&text).expect("sample parses");
    a.commune.id = id.to_owned();
    a.commune.name = commune.to_owned();
    a.commune.cercle = cercle.to_owned();
    std::fs::create_dir_all(dir).expect("directory");
    std::fs::write(dir.join(file), a.to_toml()).expect("write");
}

/// Every file under `dir`, relative to it, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("directory").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(
                    p.strip_prefix(base)
                        .expect("under base")
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn import_kobo_never_writes_outside_its_directory() {
    let dir = scratch("kobo-hostile");
    let rubric = capacity::CompiledRubric::from_toml(
        &std::fs::read_to_string(root().join("assessments/rubrics/ml-communes.toml"))
            .expect("rubric"),
    )
    .expect("compiles");
    let ids: Vec<String> = rubric
        .indicators()
        .iter()
        .map(|i| capacity_exchange::xml_name(&i.id, "q_"))
        .collect();
    let mut text = format!(
        "commune_id,commune_name,cercle,region,round,date,rater_name,rater_role,{}\n",
        ids.join(",")
    );
    let levels = vec!["C"; ids.len()].join(",");
    // `..`, absolute paths, separators of both kinds, drive letters and
    // names Windows reserves, in the two fields that reach a file name.
    let rows = [
        ("ml-a", "2024/../../../escaped"),
        ("ml-b", "/tmp/absolute"),
        ("ml-c", ".."),
        ("ml-d", "a\\..\\..\\b"),
        ("ml-e", "C:\\Windows"),
        ("ml-f", "NUL"),
        ("CON", ".."),
        ("..", "2024"),
        ("../ml-g", "2024"),
        ("/etc", "2024"),
        ("ml-h\\..", "2024"),
    ];
    for (commune, round) in rows {
        let round = if round.contains([',', '"']) {
            format!("\"{round}\"")
        } else {
            round.to_owned()
        };
        text.push_str(&format!(
            "{commune},Test,San,Ségou,{round},2025-03-18,Awa Traoré,elected,{levels}\n"
        ));
    }
    let export = dir.join("export.csv");
    std::fs::write(&export, text).expect("write");
    let out = dir.join("deep").join("out");
    let run = capacity(&[
        "--rubric",
        "ml-communes",
        "import",
        "kobo",
        s(&export),
        "-o",
        s(&out),
    ]);
    // The commune ids that are not ids are refused with their line; the
    // rounds, free labels, are kept in the files but never in a path (nor
    // is `..`, which the id rule allows).
    run.code(1).stderr_has(&[
        "`../ml-g` is not a commune id",
        "`/etc` is not a commune id",
        "`ml-h\\..` is not a commune id",
        "imported 8 submission(s) into 8 assessment(s)",
    ]);
    assert_eq!(
        tree(&dir),
        [
            "deep/out/2024.toml",
            "deep/out/_CON.toml",
            "deep/out/ml-a-2024-escaped.toml",
            "deep/out/ml-b-tmp-absolute.toml",
            "deep/out/ml-c.toml",
            "deep/out/ml-d-a-b.toml",
            "deep/out/ml-e-C-Windows.toml",
            "deep/out/ml-f-NUL.toml",
            "export.csv",
        ]
    );
    let a = capacity::Assessment::from_toml(
        &std::fs::read_to_string(out.join("ml-a-2024-escaped.toml")).expect("written"),
    )
    .expect("valid");
    assert_eq!(a.round, "2024/../../../escaped");
    assert!(!std::env::temp_dir().join("escaped.toml").exists());

    // Two rounds that differ only where a file name cannot follow: refused
    // before anything is written.
    let mut text = format!(
        "commune_id,commune_name,cercle,region,round,date,rater_name,rater_role,{}\n",
        ids.join(",")
    );
    for round in ["T1/2025", "T1 2025"] {
        text.push_str(&format!(
            "ml-a,Test,San,Ségou,{round},2025-03-18,Awa Traoré,elected,{levels}\n"
        ));
    }
    std::fs::write(&export, text).expect("write");
    let twice = dir.join("twice");
    capacity(&[
        "--rubric",
        "ml-communes",
        "import",
        "kobo",
        s(&export),
        "-o",
        s(&twice),
    ])
    .code(1)
    .stderr_has(&[
        "the assessments of ml-a round `T1 2025` and of ml-a round `T1/2025` would both be written to ml-a-T1-2025.toml",
    ]);
    assert!(!twice.exists(), "nothing written");
}

/// Whether a CSV field would be run by a spreadsheet: formula-like text
/// (a number such as `-2.5` is not).
fn runs_as_formula(field: &str) -> bool {
    field.starts_with(['=', '+', '-', '@', '\t', '\r']) && field.parse::<f64>().is_err()
}

#[test]
fn every_csv_and_markdown_output_defuses_hostile_text() {
    let dir = scratch("defuse");
    let hostile = [
        (
            "ml-x1",
            "=HYPERLINK(\"http://evil.invalid\",\"clic\")",
            "+cmd|' /C calc'!A0",
        ),
        ("ml-x2", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3"),
        ("ml-x3", "<script>alert(1)</script>", "\tTab"),
    ];
    for (i, (id, name, cercle)) in hostile.iter().enumerate() {
        let sample = if i == 0 {
            "ml-segou-san-2023.toml"
        } else {
            "ml-segou-san-2025.toml"
        };
        sample_as(sample, &dir, &format!("{id}.toml"), id, name, cercle);
    }
    let d = s(&dir);
    let one = dir.join("ml-x1.toml");
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("compare", vec!["compare", d, "--format", "csv"]),
        (
            "compare --by cercle",
            vec!["compare", d, "--by", "cercle", "--format", "csv"],
        ),
        (
            "grants",
            vec![
                "grants",
                d,
                "--pool",
                "1000000",
                "--threshold",
                "0",
                "--format",
                "csv",
            ],
        ),
        ("score", vec!["score", s(&one), "--format", "csv"]),
        ("gaps", vec!["gaps", s(&one), "--format", "csv"]),
        ("plan", vec!["plan", s(&one), "--format", "csv"]),
    ];
    for (what, args) in runs {
        let run = capacity(&args);
        run.code(0);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(run.stdout.as_bytes());
        for record in reader.records() {
            let record = record.expect("CSV record");
            for field in &record {
                assert!(
                    !runs_as_formula(field),
                    "{what}: {field:?} in\n{}",
                    run.stdout
                );
            }
        }
        if matches!(what, "compare" | "grants") {
            assert!(
                run.stdout
                    .contains("'=HYPERLINK(\"\"http://evil.invalid\"\""),
                "{what}: the name is kept, defused:\n{}",
                run.stdout
            );
        }
        if what == "compare --by cercle" {
            assert!(run.stdout.contains("'+cmd|"), "{}", run.stdout);
        }
    }
    // Markdown passes HTML through: it is escaped (tables and headings).
    let x3 = dir.join("ml-x3.toml");
    for args in [
        vec!["plan", s(&x3), "--format", "md"],
        vec!["score", s(&x3), "--format", "md"],
        vec!["compare", d, "--format", "md"],
        vec![
            "grants",
            d,
            "--pool",
            "1000000",
            "--threshold",
            "0",
            "--format",
            "md",
        ],
    ] {
        let run = capacity(&args);
        run.code(0)
            .stdout_has(&["&lt;script&gt;alert(1)&lt;/script&gt;"]);
        assert!(!run.stdout.contains("<script"), "{}", run.stdout);
    }
    // The spreadsheet export, CSV: defused too.
    let csv_file = dir.join("out").join("export.csv");
    capacity(&["export", d, "--format", "csv", "-o", s(&csv_file)]).code(0);
    let text = std::fs::read_to_string(&csv_file).expect("written");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for record in reader.records() {
        for field in &record.expect("CSV record") {
            assert!(!runs_as_formula(field), "export: {field:?}");
        }
    }
}

#[test]
fn one_rubric_from_a_file_and_the_built_in_copy_is_one_rubric() {
    let dir = scratch("identity");
    // a/ has its own copy of the rubric; b/ has none and takes the
    // built-in one: same id, version and content, so one rubric.
    let a = dir.join("a");
    std::fs::create_dir_all(a.join("rubrics")).expect("directory");
    let rubric_text = std::fs::read_to_string(root().join("assessments/rubrics/ml-communes.toml"))
        .expect("rubric");
    std::fs::write(a.join("rubrics/ml-communes.toml"), &rubric_text).expect("write");
    sample_as("ml-segou-san-2025.toml", &a, "x.toml", "ml-x", "X", "San");
    sample_as(
        "ml-segou-san-2025.toml",
        &dir.join("b"),
        "y.toml",
        "ml-y",
        "Y",
        "San",
    );
    let x = a.join("x.toml");
    let y = dir.join("b/y.toml");
    let html = dir.join("r.html");
    capacity(&["report", s(&x), s(&y), "-o", s(&html)])
        .code(0)
        .stderr_has(&["(2 commune(s)"]);
    let svg = dir.join("h.svg");
    capacity(&["chart", "heatmap", s(&x), s(&y), "-o", s(&svg)]).code(0);
    let json = capacity(&["compare", s(&x), s(&y), "--format", "json"]);
    json.code(0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(1), "one rubric");
    assert_eq!(v[0]["communes"], 2);

    // The same id and version with another content: an error naming both
    // sources, and no assessment of it is scored.
    std::fs::write(
        a.join("rubrics/ml-communes.toml"),
        rubric_text.replacen("title.fr = \"", "title.fr = \"Autre : ", 1),
    )
    .expect("write");
    assert_ne!(
        std::fs::read_to_string(a.join("rubrics/ml-communes.toml")).expect("read"),
        rubric_text
    );
    capacity(&["report", s(&x), s(&y), "-o", s(&html)])
        .code(1)
        .stderr_has(&[
            "rubric ml-communes@1.0.0 is defined differently in",
            "a/rubrics/ml-communes.toml (next to the assessment)",
            "built-in ml-communes",
            "give one of them another `version`",
        ]);
    capacity(&["validate", s(&x), s(&y)])
        .code(1)
        .stderr_has(&["is defined differently"]);
    // Given among the inputs, the file is the rubric of both, and the
    // built-in copy is not consulted.
    capacity(&["validate", s(&dir)]).code(0);
}

#[test]
fn other_encodings_are_problems_with_line_and_byte_offset() {
    let dir = scratch("encodings");
    let sample =
        std::fs::read(root().join("assessments/samples/ml-segou-san-2023.toml")).expect("sample");
    // A UTF-8 byte-order mark is accepted.
    let bom = dir.join("bom.toml");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(&sample);
    std::fs::write(&bom, with_bom).expect("write");
    capacity(&["validate", s(&bom)]).code(0);
    capacity(&["score", s(&bom), "--format", "json"]).code(0);
    // Latin-1: `é` as one byte.
    let text = String::from_utf8(sample.clone()).expect("UTF-8 sample");
    let latin1: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    let first = latin1.iter().position(|b| *b >= 0x80).expect("an accent");
    let line = 1 + latin1[..first].iter().filter(|b| **b == b'\n').count();
    let latin = dir.join("latin1.toml");
    std::fs::write(&latin, &latin1).expect("write");
    capacity(&["validate", s(&latin)]).code(1).stderr_has(&[
        "latin1.toml",
        &format!("line {line}, byte offset {first}: byte 0x"),
        "probably Windows-1252 or Latin-1",
        "save the file as UTF-8",
    ]);
    // UTF-16 with its byte-order mark.
    let utf16 = dir.join("utf16.toml");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, bytes).expect("write");
    capacity(&["validate", s(&utf16)])
        .code(1)
        .stderr_has(&["the file is in UTF-16 (little-endian), not UTF-8: save it as UTF-8"]);
    // A rubric given with --rubric, and a Kobo export, the same.
    capacity(&["--rubric", s(&latin), "validate", s(&bom)])
        .code(1)
        .stderr_has(&["save the file as UTF-8"]);
    let csv = dir.join("export.csv");
    std::fs::write(&csv, b"commune_id;round\nml-s\xE9gou;2025\n").expect("write");
    capacity(&[
        "--rubric",
        "ml-communes",
        "import",
        "kobo",
        s(&csv),
        "-o",
        s(&dir),
    ])
    .code(1)
    .stderr_has(&["line 2, byte offset 21: byte 0xE9 is not valid UTF-8"]);
}

#[test]
fn thousands_of_problems_are_capped_on_the_terminal_and_complete_in_json() {
    let dir = scratch("many-problems");
    let mut text =
        std::fs::read_to_string(root().join("assessments/samples/ml-segou-san-2023.toml"))
            .expect("sample");
    for _ in 0..300 {
        text.push_str("\n[[answer]]\nindicator = \"NOPE\"\n");
    }
    let file = dir.join("many.toml");
    std::fs::write(&file, text).expect("write");
    let run = capacity(&["validate", s(&file)]);
    run.code(1)
        .stderr_has(&["… and 250 more problem(s)", "300 problems found"]);
    assert_eq!(
        run.stderr
            .matches("the rubric has no indicator `NOPE`")
            .count(),
        50
    );
    let short = capacity(&["validate", s(&file), "--format", "short"]);
    short.code(1).stderr_has(&["… and 250 more problem(s)"]);
    let json = capacity(&["validate", s(&file), "--format", "json"]);
    json.code(1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(300));
}

#[test]
fn ten_thousand_unknown_kobo_columns_give_one_short_problem() {
    let dir = scratch("kobo-wide");
    let junk: Vec<String> = (0..10_000).map(|i| format!("junk_column_{i}")).collect();
    let mut text = format!(
        "commune_id,commune_name,cercle,region,round,date,rater_name,rater_role,ADM_OI_01,{}\n",
        junk.join(",")
    );
    text.push_str(&format!(
        "ml-x,X,San,Ségou,2025,2025-03-18,Awa,staff,C,{}\n",
        vec!["x"; junk.len()].join(",")
    ));
    let export = dir.join("wide.csv");
    std::fs::write(&export, text).expect("write");
    let run = capacity(&[
        "--rubric",
        "ml-communes",
        "import",
        "kobo",
        s(&export),
        "-o",
        s(&dir.join("out")),
    ]);
    run.code(1).stderr_has(&[
        "10000 unknown columns (junk_column_0, junk_column_1,",
        "… and 9990 more)",
    ]);
    assert_eq!(run.stderr.matches("unknown columns").count(), 1);
    // The 200 KB header line is not echoed.
    assert!(
        run.stderr.len() < 20_000,
        "{} bytes on stderr",
        run.stderr.len()
    );
}

/// The plan of a file that carries its council's decisions is the adjusted
/// plan, in every command that prints one: `plan` (terminal, CSV, JSON),
/// `export` and `report` agree to the franc.
#[test]
fn the_plan_follows_the_councils_decisions_in_the_file() {
    let dir = scratch("plan-decisions");
    let sample = root().join("assessments/samples/ml-segou-san-2023.toml");
    let f = s(&sample);
    let v: serde_json::Value =
        serde_json::from_str(&capacity(&["plan", f, "--format", "json"]).stdout).expect("JSON");
    let cost = |v: &serde_json::Value| -> i64 {
        v["plan"]["totals"]["included"]["cost"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .expect("a cost")
    };
    let before = cost(&v);
    let first = v["action_keys"][0].as_str().expect("a key").to_owned();
    let first_cost: i64 = v["plan"]["items"][0]["rubric_cost"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .expect("a cost");
    let second = v["action_keys"][1].as_str().expect("a key").to_owned();
    let second_cost: i64 = v["plan"]["items"][1]["rubric_cost"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .expect("a cost");
    let text = std::fs::read_to_string(&sample).expect("sample");
    let decided = dir.join("san-decided.toml");
    std::fs::write(
        &decided,
        format!(
            "{text}\n[[plan.decision]]\naction = \"{first}\"\ndecision = \"dropped\"\n\n\
             [[plan.decision]]\naction = \"{second}\"\ndecision = \"accepted\"\ncost = \"1000\"\n\n\
             [[plan.council_action]]\nindicator = \"ADM-EC-01\"\ntitle = \"Archiver les registres\"\n\
             cost = \"75000\"\nhorizon = \"short\"\nstatus = \"in_progress\"\n"
        ),
    )
    .expect("write");
    let expected = before - first_cost - second_cost + 1_000 + 75_000;
    let v: serde_json::Value = serde_json::from_str(
        &capacity(&["plan", s(&decided), "--format", "json"])
            .code(0)
            .stdout,
    )
    .expect("JSON");
    assert_eq!(cost(&v), expected);
    assert_eq!(v["plan"]["council"][0]["title"], "Archiver les registres");
    // The same figure, printed in French, in the terminal table, the
    // spreadsheet export's totals and the printable report.
    let figure = capacity::format::fcfa(expected.into(), capacity::Lang::Fr);
    capacity(&["plan", s(&decided)])
        .code(0)
        .stdout_has(&[&figure]);
    let out = dir.join("san.csv");
    capacity(&[
        "export",
        s(&decided),
        "--format",
        "csv",
        "--output",
        s(&out),
    ])
    .code(0);
    let exported = std::fs::read_to_string(&out).expect("export written");
    assert!(
        exported
            .lines()
            .any(|l| l.starts_with("Total;;Total (actions retenues);")
                && l.ends_with(&format!(";{expected}"))),
        "{exported}"
    );
    assert!(exported.contains("Total;;dont actions du conseil;1;75000"));
    let html = dir.join("san.html");
    capacity(&["report", s(&decided), "--output", s(&html)]).code(0);
    let report = std::fs::read_to_string(&html).expect("report written");
    assert!(report.contains(&figure), "{figure} not in the report");
    // A decision about an action the rubric does not have is refused at
    // its line, with the fix.
    let bad = dir.join("san-bad.toml");
    std::fs::write(
        &bad,
        format!("{text}\n[[plan.decision]]\naction = \"ADM-EC-01/Z/9\"\n"),
    )
    .expect("write");
    capacity(&["plan", s(&bad)])
        .code(1)
        .stderr_has(&["the rubric has no action 9 from level `Z`"]);
}
