//! Assessment validation against its rubric: every problem at once, with
//! `line:column`, the indicator's path and how to fix it.

use super::{BASE, assessment_header, compile};

#[track_caller]
fn check(text: &str, expected: &str) {
    let rubric = compile(BASE);
    match rubric.resolve_toml(text) {
        Ok(_) => panic!("expected problems:\n{expected}"),
        Err(e) => assert_eq!(e.to_string(), expected),
    }
}

#[test]
fn valid_assessment_resolves() {
    let rubric = compile(BASE);
    let text = format!(
        "{}[[answer]]\nindicator = \"i1\"\n[[answer.rating]]\nrater = \"r1\"\nlevel = \"C\"\n",
        assessment_header(2)
    );
    let (_, resolved) = rubric.resolve_toml(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resolved.rater_count(), 2);
    assert_eq!(resolved.marks(crate::IndicatorIx(0)).len(), 1);
}

#[test]
fn wrong_rubric_or_version() {
    check(
        &assessment_header(0).replace("rubric_version = \"1\"", "rubric_version = \"2\""),
        "3:18: this assessment is for version 2 of rubric `t`, but version 1 is loaded: load version 2 or migrate the assessment",
    );
    check(
        &assessment_header(0).replace("rubric = \"t\"", "rubric = \"u\""),
        "2:10: this assessment is for rubric `u`, not `t`: load rubric `u` or correct `rubric`",
    );
}

#[test]
fn raters_ratings_and_answers() {
    // Lines 1–20 are the header with raters r1 and r2.
    let text = format!(
        "{}[[rater]]\nid = \"r1\"\nname = \"\"\nrole = \"citizen\"\n\
         [[answer]]\nindicator = \"i1\"\ntarget = \"NA\"\nconsensus = {{ level = \"Z\" }}\n\
         [[answer.rating]]\nrater = \"r9\"\nlevel = \"B\"\n\
         [[answer.rating]]\nrater = \"r1\"\nlevel = \"X\"\n\
         [[answer.rating]]\nrater = \"r1\"\nlevel = \"C\"\n\
         [[answer]]\nindicator = \"i2\"\n\
         [[answer]]\nindicator = \"i1\"\n",
        assessment_header(2)
    );
    check(
        &text,
        "22:6: rater id `r1` is already used by a rater: give each one its own id\n\
         23:8: `rater[2].name` is empty: write it\n\
         27:10: d1/c1/i1: `answer[0].target` must be a level of the scale, not `NA`: use one of D, C, B\n\
         28:23: d1/c1/i1: unknown rating `Z`: use one of D, C, B, NA (not applicable) or NI (no information)\n\
         30:9: d1/c1/i1: rater `r9` is not declared: add a [[rater]] with id = \"r9\", or use one of r1, r2, r1\n\
         34:9: d1/c1/i1: unknown rating `X`: use one of D, C, B, NA (not applicable) or NI (no information)\n\
         36:9: d1/c1/i1: rater `r1` rates indicator `i1` twice: keep one rating\n\
         39:13: the rubric has no indicator `i2`: check the id against the rubric\n\
         41:13: d1/c1/i1: indicator `i1` is answered twice: merge the two [[answer]] tables",
    );
}

#[test]
fn a_rater_rating_twice_is_found_whatever_the_order() {
    // Lines 1–20 are the header with raters r1 and r2.
    let rating = |rater: &str, level: &str| {
        format!("[[answer.rating]]\nrater = \"{rater}\"\nlevel = \"{level}\"\n")
    };
    let text = format!(
        "{}[[answer]]\nindicator = \"i1\"\n{}{}{}{}{}",
        assessment_header(2),
        rating("r2", "C"),
        rating("r1", "B"),
        rating("r2", "D"),
        rating("r9", "C"),
        rating("r9", "B"),
    );
    check(
        &text,
        "30:9: d1/c1/i1: rater `r2` rates indicator `i1` twice: keep one rating\n\
         33:9: d1/c1/i1: rater `r9` is not declared: add a [[rater]] with id = \"r9\", or use one of r1, r2\n\
         36:9: d1/c1/i1: rater `r9` is not declared: add a [[rater]] with id = \"r9\", or use one of r1, r2\n\
         36:9: d1/c1/i1: rater `r9` rates indicator `i1` twice: keep one rating",
    );
}

#[test]
fn header_problems() {
    check(
        &assessment_header(0)
            .replace("format = 1", "format = 3")
            .replace("2024-03-14", "2024-02-30")
            .replace("round = \"2024\"", "round = \"\"")
            .replace("id = \"c\"", "id = \"ml/c\"")
            .replace("[\"sante\"]", "[\"santé publique\"]"),
        "1:10: file format 3 is not supported: write `format = 1`\n\
         4:9: `round` is empty: write it\n\
         5:8: date `2024-02-30` is not a valid ISO date: write YYYY-MM-DD, e.g. \"2024-03-14\"\n\
         7:6: commune id `ml/c` is not valid: use only ASCII letters, digits, `_`, `.` and `-`\n\
         12:16: competence id `santé publique` is not valid: use only ASCII letters, digits, `_`, `.` and `-`",
    );
}

#[test]
fn unknown_rater_messages_suggest_ten_raters_at_most() {
    let text = format!(
        "{}[[answer]]\nindicator = \"i1\"\n[[answer.rating]]\nrater = \"x\"\nlevel = \"C\"\n[[answer.rating]]\nrater = \"r1\"\nlevel = \"C\"\n[[answer.rating]]\nrater = \"r1\"\nlevel = \"B\"\n",
        assessment_header(15)
    );
    let e = compile(BASE).resolve_toml(&text).expect_err("problems");
    let shown: Vec<String> = e.iter().map(|d| d.error.to_string()).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown[0].ends_with("or use one of r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, … (5 more)"),
        "{}",
        shown[0]
    );
    assert!(
        shown[1].contains("r1"),
        "the duplicate rating: {}",
        shown[1]
    );
}
