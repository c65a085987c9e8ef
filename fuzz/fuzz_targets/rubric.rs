//! Any text given to the rubric parser and compiler: no panic; a rubric
//! that reads back must write and read again to an equal model; a valid one
//! must score an empty assessment.
#![no_main]

use capacity::{CompiledRubric, Rubric};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Rubric::from_toml(text) {
        Ok(rubric) => {
            let written = rubric.to_toml();
            let again = Rubric::from_toml(&written).expect("a written rubric reads back");
            assert_eq!(again, rubric, "round trip changed the rubric:\n{written}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    match CompiledRubric::from_toml(text) {
        Ok(compiled) => {
            let empty = capacity::Assessment {
                format: 1,
                rubric: compiled.rubric().id.clone(),
                rubric_version: compiled.rubric().version.clone(),
                round: "r".into(),
                date: "2024-01-01".into(),
                fictional: false,
                finalised: false,
                comment: None,
                commune: capacity::Commune {
                    id: "c".into(),
                    name: "C".into(),
                    cercle: "X".into(),
                    region: "Y".into(),
                    kind: Default::default(),
                    population: None,
                    setting: None,
                    transferred: Vec::new(),
                },
                raters: Vec::new(),
                answers: Vec::new(),
            };
            let resolved = compiled
                .resolve(&empty)
                .expect("an empty assessment resolves");
            let scored = capacity::score(&compiled, &resolved).expect("same rubric");
            assert!(scored.overall.is_none());
            let _ = capacity::gaps(&compiled, &scored).expect("same rubric");
        }
        Err(e) => {
            for d in &e {
                let _ = d.to_string();
            }
        }
    }
});
