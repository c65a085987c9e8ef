//! The crate's unit tests, by area: data-driven checks with one
//! `#[track_caller] fn check(…)` per area (expected values computed by hand
//! in the test, error tests comparing the displayed message), and property
//! tests.

mod assessment_validation;
mod explain;
mod gaps;
mod parse;
mod props;
mod read;
mod regressions;
mod rubric_validation;
mod scoring;

use crate::{Assessment, CompiledRubric, ResolvedAssessment};

/// A small rubric whose lines are numbered in the validation tests:
/// scale D, C, B (values 1, 2, 3), one domain `d1`, one competency `c1`,
/// one indicator `i1` ending on line 33.
pub(crate) const BASE: &str = r#"format = 1
id = "t"
version = "1"
title.fr = "T"
[scale]
basic = "C"
[[scale.level]]
code = "D"
value = "1"
label.fr = "d"
[[scale.level]]
code = "C"
value = "2"
label.fr = "c"
[[scale.level]]
code = "B"
value = "3"
label.fr = "b"
[[domain]]
id = "d1"
title.fr = "D1"
[[competency]]
id = "c1"
domain = "d1"
title.fr = "C1"
[[indicator]]
id = "i1"
competency = "c1"
title.fr = "I1"
target = "B"
source = "s"
evidence.fr = "e"
descriptor = { D.fr = "d", C.fr = "c", B.fr = "b" }
"#;

/// An `[[indicator]]` block of 8 lines for the scale of [`BASE`].
pub(crate) fn indicator(id: &str, competency: &str, extra: &str) -> String {
    format!(
        "[[indicator]]\nid = \"{id}\"\ncompetency = \"{competency}\"\ntitle.fr = \"{id}\"\ntarget = \"B\"\nsource = \"s\"\nevidence.fr = \"e\"\ndescriptor = {{ D.fr = \"d\", C.fr = \"c\", B.fr = \"b\" }}\n{extra}"
    )
}

/// Compiles a rubric that must be valid.
#[track_caller]
pub(crate) fn compile(text: &str) -> CompiledRubric {
    CompiledRubric::from_toml(text).unwrap_or_else(|e| panic!("rubric should be valid:\n{e}"))
}

/// Resolves an assessment that must be valid.
#[track_caller]
pub(crate) fn resolve(rubric: &CompiledRubric, assessment: &Assessment) -> ResolvedAssessment {
    rubric
        .resolve(assessment)
        .unwrap_or_else(|e| panic!("assessment should be valid:\n{e}"))
}

/// An assessment header for rubric `t` version `1` with raters r1..r`raters`.
pub(crate) fn assessment_header(raters: usize) -> String {
    let mut s = String::from(
        "format = 1\nrubric = \"t\"\nrubric_version = \"1\"\nround = \"2024\"\ndate = \"2024-03-14\"\n[commune]\nid = \"c\"\nname = \"C\"\ncercle = \"X\"\nregion = \"Y\"\npopulation = 12000\ntransferred = [\"sante\"]\n",
    );
    for r in 1..=raters {
        s.push_str(&format!(
            "[[rater]]\nid = \"r{r}\"\nname = \"R{r}\"\nrole = \"staff\"\n"
        ));
    }
    s
}

/// An assessment in code: per indicator, the raters' marks in rater order
/// (`""` for no rating) and an optional consensus.
pub(crate) fn assessment(answers: &[(&str, &[&str], Option<&str>)]) -> Assessment {
    let raters = answers.iter().map(|a| a.1.len()).max().unwrap_or(0);
    let mut a = Assessment::from_toml(&assessment_header(raters)).expect("header parses");
    for (indicator, marks, consensus) in answers {
        a.answers.push(crate::Answer {
            indicator: (*indicator).to_owned(),
            target: None,
            comment: None,
            consensus: consensus.map(|c| crate::Consensus {
                level: c.to_owned(),
                justification: None,
            }),
            ratings: marks
                .iter()
                .enumerate()
                .filter(|(_, m)| !m.is_empty())
                .map(|(r, m)| crate::Rating {
                    rater: format!("r{}", r + 1),
                    level: (*m).to_owned(),
                    evidence: None,
                    refs: Vec::new(),
                })
                .collect(),
        });
    }
    a
}
