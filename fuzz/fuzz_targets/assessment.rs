//! Any text given to the assessment parser and resolved against the example
//! rubric: no panic; an assessment that reads back must write and read
//! again to an equal model; a valid one must score, give gaps and explain
//! every node and indicator.
#![no_main]

use capacity::{Assessment, CompiledRubric, Explainer, Lang, example};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn rubric() -> &'static CompiledRubric {
    static RUBRIC: OnceLock<CompiledRubric> = OnceLock::new();
    RUBRIC.get_or_init(|| CompiledRubric::from_toml(example::RUBRIC).expect("example rubric"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = Assessment::from_toml(text) {
        let written = a.to_toml();
        let again = Assessment::from_toml(&written).expect("a written assessment reads back");
        assert_eq!(again, a, "round trip changed the assessment:\n{written}");
    }
    let rubric = rubric();
    match rubric.resolve_toml(text) {
        Ok((assessment, resolved)) => {
            let scored = capacity::score(rubric, &resolved).expect("same rubric");
            for n in &scored.nodes {
                if let Some(s) = n.score {
                    assert!(s >= 0.into() && s <= 100.into(), "score {s}");
                }
            }
            let _ = capacity::gaps(rubric, &scored).expect("same rubric");
            let why = Explainer::new(rubric, &assessment, &scored).expect("same rubric");
            let ids = rubric
                .nodes()
                .iter()
                .map(|n| n.id.as_str())
                .chain(rubric.indicators().iter().map(|i| i.id.as_str()));
            for id in ids {
                let e = why.explain(id).expect("known id");
                let _ = (e.to_text(Lang::Fr), e.to_text(Lang::En));
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
