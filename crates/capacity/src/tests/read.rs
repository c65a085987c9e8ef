//! The fast assessment reader (`crate::read`) against the `toml` crate: the
//! same [`Assessment`] and the same validation outcome on every sample file,
//! on the synthetic national dataset and on generated and mangled texts;
//! a fall back to the `toml` crate, with its exact errors, on anything
//! outside the subset.

use super::props::any_assessment;
use crate::{
    Assessment, CompiledRubric, Diagnostics, ResolvedAssessment, diagnostic, example, read,
};
use proptest::prelude::*;

/// The reference reader: the `toml` crate and serde.
fn full(text: &str) -> Result<Assessment, Diagnostics> {
    diagnostic::from_toml(text)
}

/// Validation as `CompiledRubric::resolve_toml` does it, from an assessment
/// already read.
fn validate(
    rubric: &CompiledRubric,
    text: &str,
    assessment: &Assessment,
) -> Result<ResolvedAssessment, Diagnostics> {
    rubric.resolve(assessment).map_err(|d| d.locate(text))
}

/// The fast reader reads `text`, to the assessment the `toml` crate reads,
/// and validation against `rubric` has the same outcome, problems and
/// positions included.
#[track_caller]
fn check_same(rubric: &CompiledRubric, name: &str, text: &str) {
    let fast =
        read::assessment(text).unwrap_or_else(|| panic!("{name}: not read by the fast reader"));
    let reference = full(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(fast, reference, "{name}");
    assert_eq!(
        validate(rubric, text, &fast),
        validate(rubric, text, &reference),
        "{name}"
    );
    let (public, _) = rubric
        .resolve_toml(text)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(public, reference, "{name}");
}

fn rubrics() -> Vec<CompiledRubric> {
    capacity_data::embedded::rubrics()
        .iter()
        .map(|f| CompiledRubric::from_toml(f.text).unwrap_or_else(|e| panic!("{}: {e}", f.name)))
        .collect()
}

fn rubric_for<'r>(rubrics: &'r [CompiledRubric], a: &Assessment) -> &'r CompiledRubric {
    rubrics
        .iter()
        .find(|r| r.rubric().id == a.rubric)
        .unwrap_or_else(|| panic!("no rubric `{}`", a.rubric))
}

#[test]
fn every_sample_file_reads_the_same() {
    let rubrics = rubrics();
    let samples = capacity_data::embedded::samples();
    assert!(samples.len() >= 20, "{} samples", samples.len());
    for sample in samples {
        let a = full(sample.text).unwrap_or_else(|e| panic!("{}: {e}", sample.name));
        check_same(rubric_for(&rubrics, &a), sample.name, sample.text);
    }
    let example = CompiledRubric::from_toml(example::RUBRIC).expect("example rubric");
    check_same(&example, "example", example::ASSESSMENT);
}

#[test]
fn the_national_dataset_reads_the_same() {
    let lib_rubric = capacity_data::embedded::reference_rubric().expect("reference rubric");
    let config = capacity_data::SynthConfig {
        rounds: vec!["2024".to_owned()],
        ..Default::default()
    };
    let data = capacity_data::generate(&lib_rubric, &config).expect("dataset");
    let rubric = CompiledRubric::from_toml(capacity_data::embedded::reference_rubric_file().text)
        .expect("reference rubric");
    let mut files = 0;
    for file in data.files() {
        check_same(&rubric, &file.path, &file.text);
        files += 1;
    }
    assert_eq!(files, 703);
}

/// A problem found by validation keeps its `line:column` when the fast
/// reader read the file.
#[test]
fn validation_errors_keep_their_positions() {
    let rubric = CompiledRubric::from_toml(example::RUBRIC).expect("example rubric");
    let text = example::ASSESSMENT.replacen("level = \"B\"\n", "level = \"E\"\n", 1);
    assert!(read::assessment(&text).is_some());
    let err = rubric.resolve_toml(&text).expect_err("unknown level");
    let reference = validate(&rubric, &text, &full(&text).expect("reads")).expect_err("same");
    assert_eq!(err, reference);
    assert_eq!(
        err.to_string(),
        "43:9: administration/etat-civil/ADM-EC-01: unknown rating `E`: use one of D, C, B, A, NA (not applicable) or NI (no information)"
    );
}

/// Texts outside the subset: the fast reader declines and
/// `Assessment::from_toml` answers exactly as the `toml` crate does.
#[track_caller]
fn check_falls_back(text: &str) {
    assert_eq!(read::assessment(text), None, "{text}");
    assert_eq!(Assessment::from_toml(text), full(text), "{text}");
}

const HEAD: &str =
    "format = 1\nrubric = \"r\"\nrubric_version = \"1\"\nround = \"2024\"\ndate = \"2024-03-14\"\n";
const COMMUNE: &str =
    "[commune]\nid = \"c\"\nname = \"C\"\ncercle = \"C\"\nregion = \"R\"\ntransferred = []\n";

#[test]
fn the_subset_reads_what_toml_reads() {
    for text in [
        format!("{HEAD}{COMMUNE}"),
        format!("{HEAD}{COMMUNE}[[answer]] # no rater yet\nindicator = 'I1' # literal\n"),
        format!(
            "{HEAD}{COMMUNE}[[rater]]\r\nid = \"r1\"\r\nname = \"a\\\"b\\\\c\\u00e9\\U0001F600\\t\"\r\nrole = \"staff\"\r\n"
        ),
        format!(
            "{HEAD}{COMMUNE}[[answer]]\nindicator = \"I1\"\nconsensus = {{justification = \"j\",level=\"C\"}}\n  [[answer.rating]]\n  rater = \"r1\"\n  level = \"NI\"\n  refs = [ 'a' , \"b\" ]\n"
        ),
    ] {
        let fast = read::assessment(&text).unwrap_or_else(|| panic!("declined:\n{text}"));
        assert_eq!(Ok(fast), full(&text), "{text}");
    }
}

#[test]
fn anything_else_falls_back_with_the_toml_errors() {
    for text in [
        // Problems the `toml` crate reports with their place.
        format!("{HEAD}format = 1\n{COMMUNE}"),
        format!("{HEAD}colour = \"red\"\n{COMMUNE}"),
        format!("{}{COMMUNE}", HEAD.replace("\"2024-03-14\"", "2024-03-14")),
        format!("{}{COMMUNE}", HEAD.replace("round = \"2024\"\n", "")),
        format!("{HEAD}{}", COMMUNE.replace("transferred = []\n", "")),
        format!("{HEAD}{COMMUNE}[[rater]]\nid = \"r1\"\nname = \"A\"\nrole = \"mayor\"\n"),
        format!("{HEAD}{COMMUNE}population = -5\n"),
        format!("{HEAD}{COMMUNE}population = 1_000\n"),
        format!("{HEAD}{COMMUNE}[[answer]]\nconsensus = {{ level = \"C\" }}\n"),
        format!("{HEAD}{COMMUNE}[[answer.rating]]\nrater = \"r1\"\nlevel = \"C\"\n"),
        format!("{HEAD}{COMMUNE}[commune]\n"),
        format!("{HEAD}comment = \"a\u{1}b\"\n{COMMUNE}"),
        format!("{HEAD}# bell \u{7}\n{COMMUNE}"),
        format!("{HEAD}comment = \"a\rb\"\n{COMMUNE}"),
        format!("{HEAD}{COMMUNE}\r"),
        format!("{HEAD}comment = \"\\q\"\n{COMMUNE}"),
        format!("{HEAD}comment = \"\\uD800\"\n{COMMUNE}"),
        format!("{HEAD}comment = \"open\n{COMMUNE}"),
        // Valid TOML outside the subset: read by the `toml` crate.
        format!("{HEAD}comment = \"\"\"two\nlines\"\"\"\n{COMMUNE}"),
        format!("{HEAD}comment = '''raw'''\n{COMMUNE}"),
        format!(
            "{HEAD}commune.id = \"c\"\n{}",
            COMMUNE.replace("id = \"c\"\n", "")
        ),
        format!("{HEAD}{}", COMMUNE.replace("[commune]", "[ commune ]")),
        format!(
            "{HEAD}{}",
            COMMUNE.replace("transferred = []", "transferred = [\n]")
        ),
        format!("{HEAD}\"comment\" = \"quoted key\"\n{COMMUNE}"),
        format!("{COMMUNE}[[rater]]\nid = \"r1\"\nname = \"A\"\nrole = \"staff\"\n{HEAD}"),
    ] {
        check_falls_back(&text);
    }
    // The errors keep their exact place.
    let text = format!("{HEAD}format = 1\n{COMMUNE}");
    let err = Assessment::from_toml(&text).expect_err("duplicate key");
    assert!(err.to_string().starts_with("6:1: "), "{err}");
}

/// Characters that matter to TOML, and a few that do not.
const MANGLE: &[&str] = &[
    "\"", "'", "\\", "=", "[", "]", "#", "\n", "\r", " ", "\t", "{", "}", ",", ".", "0", "9", "-",
    "a", "é", "\u{7f}", "\u{0}", "true", "\"\"\"", "u00", "[[", "]]",
];

/// A text with a few insertions, deletions or replacements of bytes.
fn mangle(text: &str, edits: &[(prop::sample::Index, u8, usize)]) -> String {
    let mut s = text.to_owned();
    for (at, op, piece) in edits {
        if s.is_empty() {
            break;
        }
        let mut i = at.index(s.len());
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        let piece = MANGLE.get(*piece).copied().unwrap_or("x");
        match op {
            0 => s.insert_str(i, piece),
            1 => {
                let end = s
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(i, |c| i + c.len_utf8());
                s.replace_range(i..end, "");
            }
            _ => {
                let end = s
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(i, |c| i + c.len_utf8());
                s.replace_range(i..end, piece);
            }
        }
    }
    s
}

fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, u8, usize)>> {
    prop::collection::vec(
        (any::<prop::sample::Index>(), 0u8..3, 0..MANGLE.len()),
        1..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// What the tools write is read by the fast reader (unless it holds a
    /// multi-line string or the council's plan decisions, which the `toml`
    /// crate reads) to the assessment written.
    #[test]
    fn written_files_read_the_same(a in any_assessment()) {
        let text = a.to_toml();
        let reference = full(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        match read::assessment(&text) {
            Some(fast) => {
                prop_assert_eq!(&fast, &reference);
                prop_assert_eq!(&fast, &a);
            }
            None => prop_assert!(
                text.contains("\"\"\"") || text.contains("'''") || !a.plan.is_empty(),
                "declined a one-line file without a plan:\n{}", text
            ),
        }
    }

    /// Whatever the fast reader accepts, the `toml` crate reads to the same
    /// assessment; what it declines, `from_toml` answers as the `toml`
    /// crate does.
    #[test]
    fn mangled_files_read_the_same_or_fall_back(
        a in any_assessment(),
        use_example in any::<bool>(),
        edits in edits(),
    ) {
        let base = if use_example { example::ASSESSMENT.to_owned() } else { a.to_toml() };
        let text = mangle(&base, &edits);
        let reference = full(&text);
        match read::assessment(&text) {
            Some(fast) => prop_assert_eq!(Ok(fast), reference, "{}", text),
            None => prop_assert_eq!(Assessment::from_toml(&text), reference, "{}", text),
        }
    }
}
