//! Rubric validation: every problem at once, each with `line:column`, node
//! path and a message that says how to fix it.

use super::{BASE, indicator};
use crate::CompiledRubric;

#[track_caller]
fn check(text: &str, expected: &str) {
    match CompiledRubric::from_toml(text) {
        Ok(_) => panic!("expected problems:\n{expected}"),
        Err(e) => assert_eq!(e.to_string(), expected),
    }
}

#[test]
fn base_is_valid() {
    let r = super::compile(BASE);
    assert_eq!(r.indicators().len(), 1);
    assert_eq!(r.nodes().len(), 3);
}

#[test]
fn duplicate_ids_across_the_tree() {
    // Lines 34–41: a second indicator `d1`, which is a domain's id.
    check(
        &format!("{BASE}{}", indicator("d1", "c1", "")),
        "35:6: d1/c1/d1: indicator id `d1` is already used by a domain: give each one its own id",
    );
    check(
        &format!("{BASE}{}", indicator("i1", "c1", "")),
        "35:6: d1/c1/i1: indicator id `i1` is already used by a indicator: give each one its own id",
    );
}

#[test]
fn unknown_parents_and_bad_ids() {
    check(
        &format!("{BASE}{}", indicator("i 2", "c9", "")),
        "35:6: c9/i 2: indicator id `i 2` is not valid: use only ASCII letters, digits, `_`, `.` and `-`\n\
         36:14: c9/i 2: indicator `i 2` belongs to competency `c9`, which does not exist: use the id of a [[competency]]",
    );
    check(
        &format!("{BASE}[[competency]]\nid = \"c2\"\ndomain = \"d9\"\ntitle.fr = \"C2\"\n"),
        "36:10: d9/c2: competency `c2` belongs to domain `d9`, which does not exist: use the id of a [[domain]]",
    );
}

#[test]
fn empty_nodes() {
    check(
        &format!(
            "{BASE}[[domain]]\nid = \"d2\"\ntitle.fr = \"D2\"\n[[competency]]\nid = \"c2\"\ndomain = \"d1\"\ntitle.fr = \"C2\"\n"
        ),
        "35:6: d2: domain `d2` has no competency: add a [[competency]] with `domain = \"d2\"`, or remove the domain\n\
         38:6: d1/c2: competency `c2` has no indicator: add a [[indicator]] with `competency = \"c2\"`, or remove the competency",
    );
    check(
        "format = 1\nid = \"t\"\nversion = \"1\"\ntitle.fr = \" \"\n[scale]\nbasic = \"C\"\nlevel = []\n",
        "1:1: the rubric has no domain: add a [[domain]] with its competencies and indicators\n\
         4:12: `title.fr` is empty: write it\n\
         5:1: the scale has 0 level(s): it needs between 2 and 31 [[scale.level]] tables",
    );
}

#[test]
fn weights() {
    check(
        &BASE.replace(
            "evidence.fr = \"e\"\n",
            "evidence.fr = \"e\"\nweight = \"0\"\n",
        ),
        "33:10: d1/c1/i1: weight must be greater than 0, found \"0\": write a positive decimal such as \"1\"",
    );
    check(
        &BASE.replace(
            "title.fr = \"D1\"\n",
            "title.fr = \"D1\"\nweight = \"-1.5\"\n",
        ),
        "22:10: d1: weight must be greater than 0, found \"-1.5\": write a positive decimal such as \"1\"",
    );
    check(
        &BASE.replace(
            "title.fr = \"C1\"\n",
            "title.fr = \"C1\"\nweight = \"1000000.1\"\n",
        ),
        "26:10: d1/c1: weight \"1000000.1\" is too large: weights must not exceed \"1000000\"",
    );
}

#[test]
fn scale_problems() {
    check(
        &BASE.replace("value = \"3\"", "value = \"2\""),
        "17:9: level `B` has value \"2\", not greater than \"2\" of level `C` before it: list levels lowest first with strictly increasing values",
    );
    check(
        &BASE
            .replace("code = \"B\"", "code = \"NA\"")
            .replace("B.fr", "NA.fr"),
        "16:8: level code `NA` is reserved (NA: not applicable, NI: no information): choose another code\n\
         30:10: d1/c1/i1: unknown level `B`: use one of D, C, NA",
    );
    check(
        &BASE.replace("code = \"B\"", "code = \"C\""),
        "16:8: level code `C` appears twice in the scale: give each level its own code\n\
         30:10: d1/c1/i1: unknown level `B`: use one of D, C, C\n\
         33:40: d1/c1/i1: unknown level `B`: use one of D, C, C",
    );
    check(
        &BASE.replace("basic = \"C\"", "basic = \"X\"\ndisagreement_span = 0"),
        "6:9: unknown level `X`: use one of D, C, B\n\
         7:21: disagreement_span must be at least 1, found 0: write the number of steps apart that counts as disagreement (default 2)",
    );
}

#[test]
fn indicator_problems() {
    check(
        &BASE
            .replace("target = \"B\"", "target = \"NI\"\nminimum = \"C\"")
            .replace("B.fr = \"b\" }", "E.fr = \"e\" }"),
        "30:10: d1/c1/i1: `indicator[0].target` must be a level of the scale, not `NI`: use one of D, C, B\n\
         31:11: d1/c1/i1: `minimum` is only read for critical indicators: add `critical = true` or remove `minimum`\n\
         34:14: d1/c1/i1: no descriptor for level `B`: add `B.fr = \"…\"` under [indicator.descriptor]\n\
         34:40: d1/c1/i1: unknown level `E`: use one of D, C, B",
    );
    check(
        &format!(
            "{BASE}[[indicator.action]]\nfrom = \"B\"\ntext.fr = \"t\"\ncost = \"12.5\"\nhorizon = \"short\"\nresponsible.fr = \"\"\n"
        ),
        "35:8: d1/c1/i1: an action from the highest level `B` leads nowhere: actions lead from a level to the next one\n\
         37:8: d1/c1/i1: cost must be a whole number of francs between \"0\" and \"1000000000000000\", found \"12.5\"\n\
         39:18: d1/c1/i1: `indicator[0].action[0].responsible.fr` is empty: write it",
    );
    check(
        &format!(
            "{BASE}[indicator.applies_when]\nmin_population = 5000\nmax_population = 100\nkinds = []\ntransferred = \"santé\"\n"
        ),
        "34:1: d1/c1/i1: min_population (5000) is greater than max_population (100): no commune could match\n\
         37:9: d1/c1/i1: `kinds` is empty: list at least one of commune, cercle, or remove it\n\
         38:15: d1/c1/i1: competence id `santé` is not valid: use only ASCII letters, digits, `_`, `.` and `-`",
    );
}

#[test]
fn aggregation_and_tables() {
    check(
        &BASE.replace(
            "title.fr = \"C1\"\n",
            "title.fr = \"C1\"\naggregation = { method = \"table\" }\n",
        ),
        "26:26: d1/c1: method = \"table\" needs `table = \"…\"` naming a [[table]]",
    );
    check(
        &BASE.replace(
            "title.fr = \"D1\"\n",
            "title.fr = \"D1\"\naggregation = { method = \"weakest_link\", table = \"m2\" }\n",
        ),
        "22:50: d1: `table` is only read with method = \"table\": remove it or set method = \"table\"",
    );
    check(
        &BASE.replace(
            "title.fr = \"D1\"\n",
            "title.fr = \"D1\"\naggregation = { method = \"table\", table = \"m2\" }\n",
        ),
        "22:43: d1: unknown table `m2`: declare a [[table]] with id = \"m2\"",
    );
    // A table over D, C, B for two inputs needs 6 rows; this one has two
    // valid ones (B B, B C), then B C again, a row with an unknown level and
    // a score above 100, and an empty row (lines 38–42).
    let table = "[[table]]\nid = \"m2\"\nrow = [\n\
        { inputs = [\"B\", \"B\"], result = \"B\", score = \"100\" },\n\
        { inputs = [\"C\", \"B\"], result = \"C+\", score = \"75\" },\n\
        { inputs = [\"B\", \"C\"], result = \"C+\", score = \"75\" },\n\
        { inputs = [\"D\", \"E\"], result = \"D\", score = \"101\" },\n\
        { inputs = [], result = \"\", score = \"0\" },\n]\n";
    let text = format!(
        "{}{table}{}",
        BASE.replace(
            "title.fr = \"C1\"\n",
            "title.fr = \"C1\"\naggregation = { method = \"table\", table = \"m2\" }\n"
        ),
        indicator("i2", "c1", "") + &indicator("i3", "c1", "")
    );
    check(
        &text,
        "26:15: d1/c1: competency `c1` combines 3 children with table `m2`, which has no rows for 3 inputs: add them to the table\n\
         36:6: table `m2` lacks 4 row(s) for 2 inputs, e.g. [B, D]: list every combination of levels for each number of inputs the table covers\n\
         40:12: row [B, C] appears twice in table `m2`: keep one\n\
         41:18: unknown level `E`: use one of D, C, B\n\
         41:46: score \"101\" is outside 0–100: write a score between \"0\" and \"100\"\n\
         42:12: a table row needs at least one input level in `inputs`\n\
         42:25: `table[0].row[4].result` is empty: write it",
    );
}

#[test]
fn format_and_ids_of_the_rubric() {
    check(
        &BASE
            .replace("format = 1", "format = 2")
            .replace("id = \"t\"", "id = \"\""),
        "1:10: file format 2 is not supported: write `format = 1`\n\
         2:6: rubric id `` is not valid: use only ASCII letters, digits, `_`, `.` and `-`",
    );
}
