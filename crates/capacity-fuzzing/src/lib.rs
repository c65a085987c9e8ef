//! The bodies of the fuzz targets in `fuzz/`, as plain functions, so that
//! the normal tests build them and run them on the seeds (`fuzz/seeds/`),
//! while `cargo fuzz` (nightly) runs them on generated inputs.
//!
//! Each function must never panic for any input; the `assert!`s are the
//! oracles (a failure is a bug in the core, the exchange crate, or these
//! harnesses):
//!
//! - [`rubric_text`]: any text to the rubric parser and compiler; a rubric
//!   that reads writes back to an equal model; a valid one scores an
//!   empty assessment.
//! - [`assessment_text`]: any text to the assessment parser, resolved
//!   against the rubric it names (the example rubric or a shipped one, so
//!   that the seeds of the shipped rubrics reach scoring); a valid one is
//!   scored, its gaps, explanations and action plan built.
//! - [`workshop`]: a structure-aware input ([`Workshop`], via `arbitrary`)
//!   that always builds a *valid* assessment of a shipped rubric (raters,
//!   levels, NA, NI, consensus, targets, commune attributes that switch
//!   `applies_when`), so that every input reaches scoring, gaps, explain
//!   and the plan; the assessment also survives a write and a re-read
//!   with the same results.
//! - [`kobo_csv`]: any text to the Kobo/ODK CSV import; every assessment it
//!   returns validates and scores.
//!
//! Depends on the core, the embedded rubrics (`capacity-data`) and the
//! import (`capacity-exchange`); no I/O.

use arbitrary::Arbitrary;
use capacity::{
    ActionPlan, Answer, Assessment, Commune, CommuneResult, CompiledRubric, Consensus, Explainer,
    Kind, Lang, Rater, Rating, ResolvedAssessment, Role, Scored, Setting,
};
use std::sync::OnceLock;

/// The rubrics the targets resolve against: the core's example rubric,
/// then the shipped ones (`assessments/rubrics/`), compiled once.
pub fn rubrics() -> &'static [CompiledRubric] {
    static RUBRICS: OnceLock<Vec<CompiledRubric>> = OnceLock::new();
    RUBRICS.get_or_init(|| {
        let mut v = Vec::new();
        if let Ok(r) = CompiledRubric::from_toml(capacity::example::RUBRIC) {
            v.push(r);
        }
        for file in capacity_data::embedded::rubrics() {
            if let Some(Ok(r)) = capacity_data::embedded::compile(file.stem()) {
                v.push(r);
            }
        }
        assert!(v.len() >= 3, "the example and shipped rubrics compile");
        v
    })
}

/// The rubric an assessment names (id and version), else the example.
fn rubric_for(id: &str, version: &str) -> &'static CompiledRubric {
    let all = rubrics();
    all.iter()
        .find(|r| r.rubric().id == id && r.rubric().version == version)
        .or_else(|| all.first())
        .unwrap_or_else(|| unreachable!("rubrics() holds at least three"))
}

/// Scores a resolved assessment and checks what every result promises:
/// scores within 0–100, gaps, an explanation of every node and indicator
/// in both languages, an action plan. Returns the scores.
fn check_scoring(
    rubric: &CompiledRubric,
    assessment: &Assessment,
    resolved: &ResolvedAssessment,
) -> Scored {
    let scored = capacity::score(rubric, resolved).expect("scored with its own rubric");
    let hundred = 100.into();
    for n in &scored.nodes {
        if let Some(s) = n.score {
            assert!(s >= 0.into() && s <= hundred, "node score {s}");
        }
    }
    if let Some(s) = scored.overall {
        assert!(s >= 0.into() && s <= hundred, "overall {s}");
    }
    let _ = capacity::gaps(rubric, &scored).expect("gaps with its own rubric");
    let why = Explainer::new(rubric, assessment, &scored).expect("same rubric");
    let ids = rubric
        .nodes()
        .iter()
        .map(|n| n.id.as_str())
        .chain(rubric.indicators().iter().map(|i| i.id.as_str()));
    for id in ids {
        let e = why.explain(id).expect("every id explains");
        let _ = (e.to_text(Lang::Fr), e.to_text(Lang::En));
    }
    let result = CommuneResult::new(assessment, &scored);
    let _ = ActionPlan::new(rubric, &result).expect("a plan of its own results");
    scored
}

/// Any bytes as a rubric (see the crate documentation).
pub fn rubric_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rubric) = capacity::Rubric::from_toml(text) {
        let written = rubric.to_toml();
        let again = capacity::Rubric::from_toml(&written).expect("a written rubric reads back");
        assert_eq!(again, rubric, "round trip changed the rubric:\n{written}");
    }
    match CompiledRubric::from_toml(text) {
        Ok(compiled) => {
            let empty = Assessment {
                format: 1,
                rubric: compiled.rubric().id.clone(),
                rubric_version: compiled.rubric().version.clone(),
                round: "r".into(),
                date: "2024-01-01".into(),
                fictional: false,
                finalised: false,
                comment: None,
                commune: commune(&Workshop::default(), &[]),
                raters: Vec::new(),
                answers: Vec::new(),
                plan: Default::default(),
            };
            let resolved = compiled
                .resolve(&empty)
                .expect("an empty assessment resolves");
            let scored = check_scoring(&compiled, &empty, &resolved);
            assert!(
                scored.overall.is_none(),
                "nothing answered, no overall score"
            );
        }
        Err(e) => {
            for d in &e {
                let _ = d.to_string();
            }
        }
    }
}

/// Any bytes as an assessment, resolved against the rubric it names (see
/// the crate documentation).
pub fn assessment_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (id, version) = match Assessment::from_toml(text) {
        Ok(a) => {
            let written = a.to_toml();
            let again = Assessment::from_toml(&written).expect("a written assessment reads back");
            assert_eq!(again, a, "round trip changed the assessment:\n{written}");
            (a.rubric, a.rubric_version)
        }
        Err(e) => {
            let _ = e.to_string();
            (String::new(), String::new())
        }
    };
    let rubric = rubric_for(&id, &version);
    match rubric.resolve_toml(text) {
        Ok((assessment, resolved)) => {
            check_scoring(rubric, &assessment, &resolved);
        }
        Err(e) => {
            for d in &e {
                assert!(
                    d.position.is_some() || d.key.0.is_empty(),
                    "{d} has no place"
                );
                let _ = d.to_string();
            }
        }
    }
}

/// Any bytes as a Kobo/ODK CSV export of the example rubric's form (see
/// the crate documentation).
pub fn kobo_csv(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rubric = rubric_for("", "");
    match capacity_exchange::import_kobo_csv(rubric, text, &Default::default()) {
        Ok(result) => {
            for p in &result.problems {
                let _ = p.to_string();
            }
            for a in &result.assessments {
                let resolved = rubric
                    .resolve(a)
                    .unwrap_or_else(|d| panic!("an imported assessment validates: {d}"));
                check_scoring(rubric, a, &resolved);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// A workshop, as `arbitrary` builds it from the fuzzer's bytes: every
/// field is mapped onto valid values of the chosen rubric, so that every
/// input is a valid assessment.
#[derive(Debug, Clone, Default, Arbitrary)]
pub struct Workshop {
    /// Which shipped rubric (modulo their number).
    pub rubric: u8,
    /// The commune's population, when known.
    pub population: Option<u32>,
    /// The commune's setting: urban, rural, or unknown.
    pub setting: Option<bool>,
    /// A cercle rather than a commune.
    pub cercle: bool,
    /// Which of the rubric's transferable competences are transferred (one
    /// bit each).
    pub transferred: u32,
    /// The raters' roles (at most 12 raters are kept).
    pub raters: Vec<u8>,
    /// The answers (one per indicator is kept).
    pub answers: Vec<AnswerIn>,
}

/// One answer of a [`Workshop`].
#[derive(Debug, Clone, Arbitrary)]
pub struct AnswerIn {
    /// Which indicator (modulo their number).
    pub indicator: u16,
    /// Ratings: (rater, mark); a mark is a level, NA or NI (modulo their
    /// number); one rating per rater is kept.
    pub ratings: Vec<(u8, u8)>,
    /// A consensus mark.
    pub consensus: Option<u8>,
    /// A target level overriding the rubric's.
    pub target: Option<u8>,
    /// Evidence given with the ratings.
    pub evidence: bool,
}

/// The competences the rubric's `applies_when` conditions name.
fn competences(rubric: &CompiledRubric) -> Vec<String> {
    let mut v: Vec<String> = rubric
        .rubric()
        .indicators
        .iter()
        .filter_map(|i| i.applies_when.as_ref()?.transferred.clone())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn commune(w: &Workshop, competences: &[String]) -> Commune {
    Commune {
        id: "ml-fuzz".into(),
        name: "Fuzz".into(),
        cercle: "Cercle".into(),
        region: "Région".into(),
        kind: if w.cercle {
            Kind::Cercle
        } else {
            Kind::Commune
        },
        population: w.population.map(u64::from),
        setting: w.setting.map(|urban| {
            if urban {
                Setting::Urban
            } else {
                Setting::Rural
            }
        }),
        transferred: competences
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 32 && w.transferred & (1 << i) != 0)
            .map(|(_, c)| c.clone())
            .collect(),
    }
}

/// The assessment a [`Workshop`] describes, for its rubric.
pub fn build(w: &Workshop) -> (&'static CompiledRubric, Assessment) {
    let all = rubrics();
    let rubric = all
        .get(usize::from(w.rubric) % all.len())
        .unwrap_or_else(|| unreachable!("modulo the length"));
    let levels: Vec<String> = rubric.levels().iter().map(|l| l.code.clone()).collect();
    let mark = |m: u8| -> String {
        let i = usize::from(m) % (levels.len() + 2);
        match levels.get(i) {
            Some(code) => code.clone(),
            None if i == levels.len() => capacity::NOT_APPLICABLE.to_owned(),
            None => capacity::NO_INFORMATION.to_owned(),
        }
    };
    const ROLES: [Role; 4] = [Role::Elected, Role::Staff, Role::Citizen, Role::Facilitator];
    let raters: Vec<Rater> = w
        .raters
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, role)| Rater {
            id: format!("r{}", i + 1),
            name: format!("Rater {}", i + 1),
            role: ROLES[usize::from(*role) % ROLES.len()],
        })
        .collect();
    let indicators = rubric.indicators();
    let mut answers: Vec<Answer> = Vec::new();
    for a in &w.answers {
        if indicators.is_empty() {
            break;
        }
        let Some(ind) = indicators.get(usize::from(a.indicator) % indicators.len()) else {
            continue;
        };
        if answers.iter().any(|x| x.indicator == ind.id) {
            continue;
        }
        let mut ratings: Vec<Rating> = Vec::new();
        if !raters.is_empty() {
            for (rater, m) in &a.ratings {
                let rater = &raters[usize::from(*rater) % raters.len()].id;
                if ratings.iter().any(|r| &r.rater == rater) {
                    continue;
                }
                ratings.push(Rating {
                    rater: rater.clone(),
                    level: mark(*m),
                    evidence: a.evidence.then(|| "vu en séance".to_owned()),
                    refs: Vec::new(),
                });
            }
        }
        answers.push(Answer {
            indicator: ind.id.clone(),
            target: a
                .target
                .and_then(|t| levels.get(usize::from(t) % levels.len()).cloned()),
            comment: None,
            consensus: a.consensus.map(|m| Consensus {
                level: mark(m),
                justification: None,
            }),
            ratings,
        });
    }
    let assessment = Assessment {
        format: 1,
        rubric: rubric.rubric().id.clone(),
        rubric_version: rubric.rubric().version.clone(),
        round: "2025".into(),
        date: "2025-03-18".into(),
        fictional: true,
        finalised: false,
        comment: None,
        commune: commune(w, &competences(rubric)),
        raters,
        answers,
        plan: Default::default(),
    };
    (rubric, assessment)
}

/// A structure-aware input (see the crate documentation).
pub fn workshop(w: &Workshop) {
    let (rubric, assessment) = build(w);
    let resolved = rubric
        .resolve(&assessment)
        .unwrap_or_else(|d| panic!("a built assessment is valid: {d}\n{}", assessment.to_toml()));
    let scored = check_scoring(rubric, &assessment, &resolved);
    // Written and read again: the same results.
    let text = assessment.to_toml();
    let (again, resolved_again) = rubric
        .resolve_toml(&text)
        .unwrap_or_else(|d| panic!("a written assessment resolves: {d}\n{text}"));
    assert_eq!(again, assessment, "round trip changed the assessment");
    let rescored = capacity::score(rubric, &resolved_again).expect("same rubric");
    assert_eq!(rescored, scored, "round trip changed the scores");
}

/// [`workshop`] on raw bytes, as the fuzz target receives them.
pub fn workshop_bytes(data: &[u8]) {
    let mut u = arbitrary::Unstructured::new(data);
    if let Ok(w) = Workshop::arbitrary(&mut u) {
        workshop(&w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The seeds of a target, from `fuzz/seeds/<target>/`.
    fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/seeds")
            .join(target);
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).expect("seed readable"),
                )
            })
            .collect();
        v.sort();
        assert!(!v.is_empty(), "no seed in {}", dir.display());
        v
    }

    #[test]
    fn rubric_seeds_compile_and_pass() {
        for (name, data) in seeds("rubric") {
            let text = std::str::from_utf8(&data).expect("UTF-8 seed");
            assert!(
                CompiledRubric::from_toml(text).is_ok(),
                "seed {name} is a valid rubric, so that fuzzing starts from the compiler's far end"
            );
            rubric_text(&data);
        }
    }

    #[test]
    fn assessment_seeds_reach_scoring_for_every_rubric() {
        let mut reached = std::collections::BTreeSet::new();
        for (name, data) in seeds("assessment") {
            let text = std::str::from_utf8(&data).expect("UTF-8 seed");
            let a = Assessment::from_toml(text).expect("seed parses");
            let rubric = rubric_for(&a.rubric, &a.rubric_version);
            assert_eq!(
                rubric.rubric().id,
                a.rubric,
                "seed {name} names a known rubric"
            );
            assert!(
                rubric.resolve_toml(text).is_ok(),
                "seed {name} resolves, so it reaches scoring"
            );
            reached.insert(a.rubric.clone());
            assessment_text(&data);
        }
        assert_eq!(
            reached.len(),
            rubrics().len(),
            "a seed for every rubric: {reached:?}"
        );
    }

    #[test]
    fn kobo_seeds_import_something() {
        for (name, data) in seeds("kobo") {
            let text = std::str::from_utf8(&data).expect("UTF-8 seed");
            let result =
                capacity_exchange::import_kobo_csv(rubric_for("", ""), text, &Default::default())
                    .unwrap_or_else(|e| panic!("seed {name}: {e}"));
            assert!(
                !result.assessments.is_empty(),
                "seed {name} imports an assessment"
            );
            kobo_csv(&data);
        }
    }

    #[test]
    fn workshops_from_bytes_are_valid_and_score() {
        // Deterministic byte strings of several lengths (xorshift), plus
        // the seeds of the target.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut inputs: Vec<Vec<u8>> = seeds("workshop").into_iter().map(|(_, d)| d).collect();
        for len in [0, 1, 8, 64, 256, 1024, 4096] {
            for _ in 0..8 {
                let bytes = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state.to_le_bytes()[0]
                    })
                    .collect();
                inputs.push(bytes);
            }
        }
        let mut answered = 0;
        for data in &inputs {
            let mut u = arbitrary::Unstructured::new(data);
            if let Ok(w) = Workshop::arbitrary(&mut u) {
                answered += build(&w).1.answers.len();
            }
            workshop_bytes(data);
        }
        assert!(answered > 0, "some inputs build answers");
    }

    #[test]
    fn every_mark_of_every_rubric_builds_a_valid_assessment() {
        for r in 0..rubrics().len() {
            let w = Workshop {
                rubric: u8::try_from(r).expect("few rubrics"),
                population: Some(12_000),
                setting: Some(true),
                cercle: false,
                transferred: u32::MAX,
                raters: vec![0, 1, 2, 3],
                answers: (0..40u16)
                    .map(|i| AnswerIn {
                        indicator: i,
                        ratings: vec![(0, u8::try_from(i).unwrap_or(0)), (1, 1), (2, 7), (3, 255)],
                        consensus: (i % 5 == 0).then_some(u8::try_from(i).unwrap_or(0)),
                        target: (i % 3 == 0).then_some(2),
                        evidence: i % 2 == 0,
                    })
                    .collect(),
            };
            workshop(&w);
        }
    }
}
