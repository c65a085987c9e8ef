//! Every file under `assessments/rubrics/` and `assessments/samples/`,
//! read from the directories at test time: it parses, validates against its
//! rubric, scores, yields gaps and explanations; the embedded lists match
//! the directories; and the content holds what the project relies on.

use capacity::{
    Assessment, CompiledRubric, Explainer, Explanation, Flags, Lang, NodeRef, ROOT, Scored,
};
use capacity_data::embedded;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ASSESSMENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assessments");

/// The `*.toml` files of `assessments/<dir>`, sorted by name.
fn toml_files(dir: &str) -> Vec<(String, String)> {
    let dir = Path::new(ASSESSMENTS).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .expect("UTF-8 file name")
                .to_owned();
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, text)
        })
        .collect()
}

/// The rubrics, compiled, by `(id, version)`.
fn rubrics() -> BTreeMap<(String, String), (String, CompiledRubric)> {
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, text) in toml_files("rubrics") {
        match CompiledRubric::from_toml(&text) {
            Ok(rubric) => {
                let r = rubric.rubric();
                if name != format!("{}.toml", r.id) {
                    problems.push(format!(
                        "{name}: a rubric file is named after its id `{}`",
                        r.id
                    ));
                }
                out.insert((r.id.clone(), r.version.clone()), (name, rubric));
            }
            Err(e) => problems.push(format!("{name}:\n{e}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    out
}

/// A sample, checked: its rubric, its model and its score.
struct Checked {
    name: String,
    rubric: (String, String),
    assessment: Assessment,
    scored: Scored,
}

/// Every sample: validated against its rubric (by id and version), scored,
/// with gaps and explanations of every node and indicator in both
/// languages. All problems are reported together.
fn samples() -> Vec<Checked> {
    let rubrics = rubrics();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (name, text) in toml_files("samples") {
        let header = match Assessment::from_toml(&text) {
            Ok(a) => a,
            Err(e) => {
                problems.push(format!("{name}:\n{e}"));
                continue;
            }
        };
        let key = (header.rubric.clone(), header.rubric_version.clone());
        let Some((_, rubric)) = rubrics.get(&key) else {
            problems.push(format!(
                "{name}: no rubric {}@{} in assessments/rubrics",
                key.0, key.1
            ));
            continue;
        };
        match check_sample(rubric, &text) {
            Ok((assessment, scored)) => out.push(Checked {
                name,
                rubric: key,
                assessment,
                scored,
            }),
            Err(e) => problems.push(format!("{name}:\n{e}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    out
}

fn check_sample(rubric: &CompiledRubric, text: &str) -> Result<(Assessment, Scored), String> {
    let (assessment, resolved) = rubric.resolve_toml(text).map_err(|e| e.to_string())?;
    let scored = capacity::score(rubric, &resolved).map_err(|e| e.to_string())?;
    let gaps = capacity::gaps(rubric, &scored).map_err(|e| e.to_string())?;
    if gaps.priorities.is_empty() && scored.overall.is_some_and(|o| o < 100.into()) {
        return Err("below the top but no priority to improve".into());
    }
    let why = Explainer::new(rubric, &assessment, &scored).map_err(|e| e.to_string())?;
    let mut ids = vec![String::new()];
    ids.extend(rubric.nodes().iter().skip(1).map(|n| n.id.clone()));
    ids.extend(rubric.indicators().iter().map(|i| i.id.clone()));
    for id in &ids {
        let explanation = why
            .explain(id)
            .ok_or_else(|| format!("no explanation of `{id}`"))?;
        for lang in [Lang::Fr, Lang::En] {
            if explanation.to_text(lang).trim().is_empty() {
                return Err(format!("empty explanation of `{id}`"));
            }
        }
    }
    if !matches!(why.explain(""), Some(Explanation::Node(_))) {
        return Err("the overall explanation is not a node".into());
    }
    if scored.root().is_none() || scored.node(ROOT).is_none() {
        return Err("no overall result".into());
    }
    Ok((assessment, scored))
}

#[test]
fn every_rubric_and_sample_validates_scores_and_explains() {
    let rubrics = rubrics();
    assert!(rubrics.len() >= 2);
    let samples = samples();
    assert_eq!(samples.len(), toml_files("samples").len());
    // Every rubric has at least one sample.
    for (key, (name, _)) in &rubrics {
        assert!(
            samples.iter().any(|s| &s.rubric == key),
            "{name}: no sample assessment uses it"
        );
    }
}

#[test]
fn the_embedded_lists_match_the_directories() {
    #[track_caller]
    fn check(dir: &str, embedded: &[capacity_data::EmbeddedFile]) {
        let on_disk = toml_files(dir);
        let disk: BTreeSet<&str> = on_disk.iter().map(|(n, _)| n.as_str()).collect();
        let embedded_names: BTreeSet<&str> = embedded.iter().map(|f| f.name).collect();
        assert_eq!(
            embedded_names, disk,
            "crates/capacity-data/src/embedded.rs must list exactly the *.toml files of assessments/{dir}"
        );
        for (name, text) in &on_disk {
            let e = embedded.iter().find(|f| f.name == name).expect("listed");
            assert!(
                e.text == text,
                "{name}: embedded text differs from the file"
            );
        }
        let sorted: Vec<&str> = embedded.iter().map(|f| f.name).collect();
        assert!(
            sorted.is_sorted(),
            "assessments/{dir}: keep the list sorted"
        );
    }
    check("rubrics", embedded::rubrics());
    check("samples", embedded::samples());
    assert_eq!(
        embedded::reference_rubric_file().stem(),
        embedded::REFERENCE_RUBRIC
    );
    let reference = embedded::reference_rubric().expect("the reference rubric compiles");
    assert_eq!(reference.rubric().id, embedded::REFERENCE_RUBRIC);
    for f in embedded::rubrics() {
        assert_eq!(embedded::rubric(f.stem()), Some(f));
        let compiled = embedded::compile(f.stem())
            .expect("known")
            .expect("compiles");
        assert_eq!(compiled.rubric().id, f.stem());
    }
    assert_eq!(embedded::rubric("nope"), None);
}

#[test]
fn the_samples_readme_describes_every_sample() {
    let readme = std::fs::read_to_string(Path::new(ASSESSMENTS).join("samples/README.md"))
        .expect("assessments/samples/README.md");
    for (name, _) in toml_files("samples") {
        assert!(
            readme.contains(&format!("`{name}`")),
            "assessments/samples/README.md does not describe {name}"
        );
    }
}

#[test]
fn the_reference_rubric_is_complete() {
    let rubrics = rubrics();
    let (_, communes) = rubrics
        .iter()
        .find(|((id, _), _)| id == "ml-communes")
        .map(|(_, v)| v)
        .expect("ml-communes");
    let r = communes.rubric();
    assert_eq!(r.domains.len(), 3);
    assert!(
        r.competencies.len() >= 12,
        "{} competencies",
        r.competencies.len()
    );
    assert!(
        r.indicators.len() >= 40,
        "{} indicators",
        r.indicators.len()
    );
    assert_eq!(
        r.scale
            .levels
            .iter()
            .map(|l| l.code.as_str())
            .collect::<Vec<_>>(),
        ["D", "C", "B", "A"]
    );
    assert_eq!(r.scale.basic, "C");
    assert!(r.indicators.iter().filter(|i| i.critical).count() >= 5);
    let (_, redeploiement) = rubrics
        .iter()
        .find(|((id, _), _)| id == "ml-redeploiement")
        .map(|(_, v)| v)
        .expect("ml-redeploiement");
    assert_eq!(redeploiement.rubric().indicators.len(), 15);
    assert_eq!(redeploiement.levels().len(), 3);
}

#[test]
fn every_indicator_has_descriptors_actions_source_and_evidence() {
    let mut problems = Vec::new();
    for (name, rubric) in rubrics().values() {
        let r = rubric.rubric();
        let levels = &r.scale.levels;
        for ind in &r.indicators {
            let at = format!("{name}: {}", ind.id);
            for level in levels {
                if ind
                    .descriptor
                    .get(&level.code)
                    .is_none_or(|t| t.fr.trim().is_empty())
                {
                    problems.push(format!("{at}: no descriptor for level {}", level.code));
                }
            }
            for level in levels.iter().take(levels.len().saturating_sub(1)) {
                if !ind.actions.iter().any(|a| a.from == level.code) {
                    problems.push(format!("{at}: no action from level {}", level.code));
                }
            }
            if ind.source.trim().is_empty() {
                problems.push(format!("{at}: no source"));
            }
            if ind.evidence.fr.trim().is_empty() {
                problems.push(format!("{at}: no evidence expected"));
            }
            if ind.title.en.is_none() {
                problems.push(format!("{at}: no English title"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_samples_show_every_case_the_tools_must_handle() {
    let samples = samples();
    let named = |pred: &dyn Fn(&Checked) -> bool| -> Vec<&str> {
        samples
            .iter()
            .filter(|s| pred(s))
            .map(|s| s.name.as_str())
            .collect()
    };
    let not_fictional = named(&|s| !s.assessment.fictional);
    assert!(
        not_fictional.is_empty(),
        "not marked fictional = true: {not_fictional:?}"
    );

    #[track_caller]
    fn some(what: &str, names: Vec<&str>) {
        assert!(!names.is_empty(), "no sample is {what}");
    }
    some("provisional", named(&|s| s.scored.provisional));
    some(
        "complete but not finalised",
        named(&|s| !s.scored.provisional && !s.assessment.finalised),
    );
    some(
        "NA by a rater or a consensus",
        named(&|s| {
            s.assessment.answers.iter().any(|a| {
                a.ratings.iter().any(|r| r.level == "NA")
                    || a.consensus.as_ref().is_some_and(|c| c.level == "NA")
            })
        }),
    );
    some(
        "NA by a rubric rule",
        named(&|s| {
            s.scored
                .indicators
                .iter()
                .any(|i| i.flags.contains(Flags::NOT_APPLICABLE_BY_RULE))
        }),
    );
    some("NI (D*)", named(&|s| s.scored.coverage.no_information > 0));
    some(
        "left with an unresolved disagreement",
        named(&|s| {
            s.scored.indicators.iter().any(|i| {
                i.flags.contains(Flags::DISAGREEMENT) && !i.flags.contains(Flags::CONSENSUS)
            })
        }),
    );
    some(
        "settled by consensus after a disagreement",
        named(&|s| {
            s.scored.indicators.iter().any(|i| {
                i.flags.contains(Flags::DISAGREEMENT) && i.flags.contains(Flags::CONSENSUS)
            })
        }),
    );
    some(
        "of unknown applicability (setting or population missing)",
        named(&|s| s.scored.flags.contains(Flags::APPLICABILITY_UNKNOWN)),
    );
    some(
        "a cercle",
        named(&|s| s.assessment.commune.kind == capacity::Kind::Cercle),
    );
    some(
        "with a failed minimum condition",
        named(&|s| !s.scored.minimum_conditions.all_met()),
    );

    // Two rounds of the same commune on the same rubric.
    let mut rounds: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for s in &samples {
        rounds
            .entry((&s.assessment.commune.id, &s.assessment.rubric))
            .or_default()
            .insert(&s.assessment.round);
    }
    let followed: Vec<_> = rounds
        .iter()
        .filter(|(_, r)| r.len() >= 2)
        .map(|(k, _)| k.0)
        .collect();
    assert!(
        followed.len() >= 3,
        "communes with two rounds: {followed:?}"
    );

    // Distinct communes across the regions the programme targets.
    let regions = [
        "Ségou",
        "Mopti",
        "Tombouctou",
        "Gao",
        "Sikasso",
        "District de Bamako",
    ];
    let mut communes: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in &samples {
        let c = &s.assessment.commune;
        if c.kind == capacity::Kind::Commune {
            communes.entry(&c.region).or_default().insert(&c.id);
        }
    }
    for region in regions {
        assert!(
            communes.contains_key(region),
            "no sample commune in {region}"
        );
    }
    let total: usize = regions
        .iter()
        .filter_map(|r| communes.get(r))
        .map(BTreeSet::len)
        .sum();
    assert!(total >= 8, "{total} distinct communes: {communes:?}");
    assert!(
        communes.keys().all(|r| regions.contains(r)),
        "a sample region is misspelt: {:?}",
        communes.keys()
    );
}

#[test]
fn explanations_reach_the_raters() {
    // A sample's indicator explanation names the raters and their levels.
    let samples = samples();
    let rubrics = rubrics();
    let s = samples
        .iter()
        .find(|s| s.name == "ml-segou-san-2023.toml")
        .expect("the San 2023 sample");
    let (_, rubric) = rubrics.get(&s.rubric).expect("its rubric");
    let why = Explainer::new(rubric, &s.assessment, &s.scored).expect("explainer");
    let ix = rubric.indicator_ix("ADM-OI-01").expect("known");
    let Some(Explanation::Indicator(e)) = why.explain(rubric.id(NodeRef::Indicator(ix))) else {
        panic!("an indicator explanation");
    };
    let text = Explanation::Indicator(e).to_text(Lang::Fr);
    for rater in &s.assessment.raters {
        assert!(
            text.contains(&rater.name),
            "{} missing from:\n{text}",
            rater.name
        );
    }
}
