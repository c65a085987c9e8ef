//! Reading and writing the two formats: round trips and the reader's errors
//! with their positions.

use super::{BASE, assessment_header};
use crate::{Assessment, Rubric, example};

#[track_caller]
fn check_rubric_error(text: &str, expected: &str) {
    match Rubric::from_toml(text) {
        Ok(_) => panic!("expected an error"),
        Err(e) => assert_eq!(e.to_string(), expected),
    }
}

#[track_caller]
fn check_assessment_error(text: &str, expected: &str) {
    match Assessment::from_toml(text) {
        Ok(_) => panic!("expected an error"),
        Err(e) => assert_eq!(e.to_string(), expected),
    }
}

#[test]
fn examples_round_trip() {
    let rubric = Rubric::from_toml(example::RUBRIC).expect("example rubric");
    let text = rubric.to_toml();
    assert_eq!(Rubric::from_toml(&text).expect("written rubric"), rubric);
    // Writing is stable: a second round writes the same text.
    assert_eq!(Rubric::from_toml(&text).expect("again").to_toml(), text);

    let assessment = Assessment::from_toml(example::ASSESSMENT).expect("example assessment");
    let text = assessment.to_toml();
    assert_eq!(Assessment::from_toml(&text).expect("written"), assessment);
}

#[test]
fn written_rubric_looks_like_the_docs() {
    let rubric = Rubric::from_toml(BASE).expect("base");
    let text = rubric.to_toml();
    assert!(text.starts_with("format = 1\nid = \"t\"\nversion = \"1\"\ntitle.fr = \"T\"\n\n[scale]\nbasic = \"C\"\n\n[[scale.level]]\ncode = \"D\"\nvalue = \"1\"\nlabel.fr = \"d\"\n"), "{text}");
    assert!(text.ends_with("[[indicator]]\nid = \"i1\"\ncompetency = \"c1\"\ntitle.fr = \"I1\"\ntarget = \"B\"\nsource = \"s\"\nevidence.fr = \"e\"\n\n[indicator.descriptor]\nD.fr = \"d\"\nC.fr = \"c\"\nB.fr = \"b\"\n"), "{text}");
}

#[test]
fn reader_errors_have_positions_and_paths() {
    check_rubric_error(
        "format = 1\nid = 3\n",
        "2:6: invalid type: integer `3`, expected a string",
    );
    check_rubric_error(
        "format = 1\nid = \"x\n",
        "2:8: invalid basic string, expected `\"`",
    );
    // An unknown key inside an indicator names the indicator's path.
    check_rubric_error(
        &format!("{BASE}weigth = \"2\"\n"),
        "34:1: d1/c1/i1: unknown field `weigth`, expected one of `id`, `competency`, `title`, `question`, `weight`, `target`, `critical`, `minimum`, `source`, `evidence`, `applies_when`, `descriptor`, `action`",
    );
    check_rubric_error(
        &BASE.replace("value = \"2\"", "value = 2"),
        "13:9: decimals are written as strings: write \"2\" instead of 2",
    );
    check_rubric_error(
        &BASE.replace("value = \"2\"", "value = \"2,5\""),
        "13:9: `2,5` is not a decimal: write it with a point, e.g. \"2.5\"",
    );
    check_rubric_error(
        &BASE.replace("title.fr = \"I1\"\n", ""),
        "26:1: d1/c1/i1: missing field `title`",
    );
    check_assessment_error(
        &format!(
            "{}[[answer]]\nindicator = \"i1\"\n[[answer.rating]]\nrater = \"r1\"\nlevel = \"C\"\nproof = \"x\"\n",
            assessment_header(1)
        ),
        "22:1: i1: unknown field `proof`, expected one of `rater`, `level`, `evidence`, `refs`",
    );
    check_assessment_error(
        &assessment_header(1).replace("role = \"staff\"", "role = \"mayor\""),
        "16:8: unknown variant `mayor`, expected one of `elected`, `staff`, `citizen`, `facilitator`",
    );
    check_assessment_error(
        &assessment_header(0).replace("date = \"2024-03-14\"", "date = 2024-03-14"),
        "5:8: write the date as a string: `date = \"2024-03-14\"`",
    );
}
