//! JSON Schemas of the two file formats, generated from the Rust types.
//!
//! `assessments/schema/rubric.schema.json` and
//! `assessments/schema/assessment.schema.json` are the normative reference
//! of the formats; a unit test fails when they differ from what the types
//! generate (run `UPDATE_SCHEMA=1 cargo test -p capacity` to rewrite them).
//! Compiled only with the `schema` feature (and in the crate's tests), so
//! that the wasm build does not carry `schemars`.
//!
//! The schemas say everything the core checks about one file on its own:
//! ids (`[A-Za-z0-9_.-]+`), `format = 1`, calendar dates, non-blank names
//! and rounds, reserved level codes, counts of levels, raters and table
//! inputs, costs in whole francs, integer bounds. What needs a second file
//! (an assessment's indicators and levels exist in its rubric) or a sum
//! over the file (weights, table coverage, unique ids) is the core's alone.
//! A test feeds every single-file invalid example to a standard validator
//! (`jsonschema`) and to the core and expects both to refuse it, and every
//! valid file to both and expects both to accept it.

/// The JSON Schema of a rubric file.
pub fn rubric() -> schemars::Schema {
    schemars::schema_for!(crate::Rubric)
}

/// The JSON Schema of an assessment file.
pub fn assessment() -> schemars::Schema {
    schemars::schema_for!(crate::Assessment)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[track_caller]
    fn check(file: &str, schema: schemars::Schema) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../assessments/schema")
            .join(file);
        let mut json = serde_json::to_string_pretty(&schema).expect("schemas serialise");
        json.push('\n');
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &json).expect("schema file writable");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == json,
            "{} is out of date with the Rust types: run `UPDATE_SCHEMA=1 cargo test -p capacity schema` and commit the result",
            path.display()
        );
    }

    #[test]
    fn rubric_schema_is_up_to_date() {
        check("rubric.schema.json", super::rubric());
    }

    #[test]
    fn assessment_schema_is_up_to_date() {
        check("assessment.schema.json", super::assessment());
    }

    /// A standard validator of `schema`, formats (dates) checked.
    fn validator(schema: schemars::Schema) -> jsonschema::Validator {
        let json = serde_json::to_value(&schema).expect("schemas serialise");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&json)
            .expect("a valid JSON Schema")
    }

    /// A TOML text as the JSON value the schemas describe.
    fn json_of(text: &str) -> serde_json::Value {
        let value: toml::Value = toml::from_str(text).expect("the example is TOML");
        serde_json::to_value(value).expect("TOML as JSON")
    }

    /// `text` with `from` replaced by `to` (which must be there).
    #[track_caller]
    fn edit(text: &str, from: &str, to: &str) -> String {
        assert!(text.contains(from), "{from:?} not in the example");
        text.replacen(from, to, 1)
    }

    fn rubric_examples() -> (Vec<String>, Vec<(&'static str, String)>) {
        let r = crate::example::RUBRIC;
        let valid = std::iter::once(r.to_owned())
            .chain(["ml-communes.toml", "ml-redeploiement.toml"].map(|f| {
                std::fs::read_to_string(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("../../assessments/rubrics")
                        .join(f),
                )
                .expect("shipped rubric")
            }))
            .collect();
        let invalid = vec![
            ("format 2", edit(r, "format = 1", "format = 2")),
            (
                "id with a space",
                edit(r, "id = \"exemple\"", "id = \"exem ple\""),
            ),
            (
                "id with a slash",
                edit(r, "id = \"administration\"", "id = \"admin/istration\""),
            ),
            (
                "blank version",
                edit(r, "version = \"1.0.0\"", "version = \" \""),
            ),
            (
                "reserved level code",
                edit(r, "code = \"D\"", "code = \"NA\""),
            ),
            (
                "level code with a space",
                edit(r, "code = \"D\"", "code = \"D D\""),
            ),
            (
                "span 0",
                edit(r, "disagreement_span = 2", "disagreement_span = 0"),
            ),
            (
                "cost not whole",
                edit(r, "cost = \"1250000\"", "cost = \"1250000.5\""),
            ),
            (
                "cost too large",
                edit(r, "cost = \"1250000\"", "cost = \"1000000000000001\""),
            ),
            (
                "cost negative",
                edit(r, "cost = \"1250000\"", "cost = \"-5\""),
            ),
            (
                "unknown key",
                edit(
                    r,
                    "version = \"1.0.0\"",
                    "version = \"1.0.0\"\ncolour = \"red\"",
                ),
            ),
            (
                "weight as a float",
                edit(r, "weight = \"2\"", "weight = 2.0"),
            ),
            ("weight 0", edit(r, "weight = \"2\"", "weight = \"0.0\"")),
            (
                "weight negative",
                edit(r, "weight = \"2\"", "weight = \"-1\""),
            ),
            (
                "weight too large",
                edit(r, "weight = \"2\"", "weight = \"1000000.5\""),
            ),
            (
                "level value too large",
                edit(r, "value = \"4\"", "value = \"1000000001\""),
            ),
            (
                "table score over 100",
                edit(r, "score = \"83.33\"", "score = \"100.5\""),
            ),
            (
                "decimal as a word",
                edit(r, "weight = \"2\"", "weight = \"two\""),
            ),
        ];
        (valid, invalid)
    }

    fn assessment_examples() -> (Vec<String>, Vec<(&'static str, String)>) {
        let a = crate::example::ASSESSMENT;
        let many_raters = {
            let mut t = a.to_owned();
            for i in 4..=1001 {
                t = t.replacen(
                    "\n[[answer]]",
                    &format!(
                        "\n[[rater]]\nid = \"x{i}\"\nname = \"X\"\nrole = \"staff\"\n\n[[answer]]"
                    ),
                    1,
                );
            }
            t
        };
        let invalid = vec![
            ("format 2", edit(a, "format = 1", "format = 2")),
            (
                "impossible date",
                edit(a, "date = \"2024-03-14\"", "date = \"2023-02-29\""),
            ),
            (
                "date in another form",
                edit(a, "date = \"2024-03-14\"", "date = \"14/03/2024\""),
            ),
            (
                "bare TOML date",
                edit(a, "date = \"2024-03-14\"", "date = 2024-03-14"),
            ),
            ("blank round", edit(a, "round = \"2024\"", "round = \"  \"")),
            (
                "commune id with separators",
                edit(a, "id = \"ml-exemple\"", "id = \"../ml exemple\""),
            ),
            (
                "blank commune name",
                edit(a, "name = \"Exemple\"", "name = \"\""),
            ),
            (
                "competence id with a space",
                edit(a, "\"education\", \"sante\"", "\"educ ation\""),
            ),
            (
                "rater id with a slash",
                edit(a, "id = \"r1\"", "id = \"r/1\""),
            ),
            (
                "blank rater name",
                edit(a, "name = \"Aminata Coulibaly\"", "name = \" \""),
            ),
            (
                "level code with a space",
                edit(a, "level = \"C\"", "level = \"C C\""),
            ),
            (
                "negative population",
                edit(a, "population = 65000", "population = -1"),
            ),
            (
                "unknown key",
                edit(a, "fictional = true", "fictional = true\ncolour = \"red\""),
            ),
            ("1001 raters", many_raters),
            (
                "plan decision key not INDICATOR/FROM/INDEX",
                format!("{a}\n[[plan.decision]]\naction = \"ADM-EC-01\"\n"),
            ),
            (
                "plan decision cost with cents",
                format!("{a}\n[[plan.decision]]\naction = \"ADM-EC-01/C/1\"\ncost = \"10.5\"\n"),
            ),
            (
                "council action with an impossible deadline",
                format!(
                    "{a}\n[[plan.council_action]]\nindicator = \"ADM-EC-01\"\ntitle = \"Archiver\"\ncost = \"1000\"\nhorizon = \"short\"\ndeadline = \"2024-02-30\"\n"
                ),
            ),
            (
                "council action with an unknown status",
                format!(
                    "{a}\n[[plan.council_action]]\nindicator = \"ADM-EC-01\"\ntitle = \"Archiver\"\ncost = \"1000\"\nhorizon = \"short\"\nstatus = \"maybe\"\n"
                ),
            ),
        ];
        let with_plan = format!(
            "{a}\n[[plan.decision]]\naction = \"ADM-EC-01/C/1\"\ndecision = \"dropped\"\n\n\
             [[plan.council_action]]\nindicator = \"ADM-EC-01\"\ntitle = \"Archiver\"\ncost = \"75000\"\nhorizon = \"short\"\ndeadline = \"2024-12-31\"\nstatus = \"done\"\n"
        );
        (vec![a.to_owned(), with_plan], invalid)
    }

    #[test]
    fn schemas_and_core_refuse_the_same_single_file_examples() {
        let rubric_schema = validator(super::rubric());
        let (valid, invalid) = rubric_examples();
        for text in &valid {
            let errors: Vec<String> = rubric_schema
                .iter_errors(&json_of(text))
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "the schema refuses a valid rubric: {errors:?}"
            );
            assert!(crate::CompiledRubric::from_toml(text).is_ok());
        }
        for (what, text) in &invalid {
            assert!(
                !rubric_schema.is_valid(&json_of(text)),
                "rubric, {what}: the schema accepts it"
            );
            assert!(
                crate::CompiledRubric::from_toml(text).is_err(),
                "rubric, {what}: the core accepts it"
            );
        }

        let schema = validator(super::assessment());
        let example =
            crate::CompiledRubric::from_toml(crate::example::RUBRIC).expect("example rubric");
        let (valid, invalid) = assessment_examples();
        for text in &valid {
            let errors: Vec<String> = schema
                .iter_errors(&json_of(text))
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "the schema refuses a valid assessment: {errors:?}"
            );
            assert!(example.resolve_toml(text).is_ok());
        }
        for (what, text) in &invalid {
            assert!(
                !schema.is_valid(&json_of(text)),
                "assessment, {what}: the schema accepts it"
            );
            assert!(
                example.resolve_toml(text).is_err(),
                "assessment, {what}: the core accepts it"
            );
        }
        // Beyond the integer range (2^64 and more), which the core's reader
        // refuses: the schema refuses it too.
        let mut big = json_of(crate::example::ASSESSMENT);
        big["commune"]["population"] = serde_json::json!(1e20);
        assert!(
            !schema.is_valid(&big),
            "population beyond the integer range"
        );
        big["commune"]["population"] = serde_json::json!(u64::MAX);
        assert!(schema.is_valid(&big), "the largest population");
        assert!(
            crate::Assessment::from_toml(&edit(
                crate::example::ASSESSMENT,
                "population = 65000",
                "population = 18446744073709551616"
            ))
            .is_err()
        );
    }

    #[test]
    fn every_sample_is_valid_for_the_schema() {
        let schema = validator(super::assessment());
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessments/samples");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).expect("samples").flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).expect("sample");
                let errors: Vec<String> = schema
                    .iter_errors(&json_of(&text))
                    .map(|e| e.to_string())
                    .collect();
                assert!(errors.is_empty(), "{}: {errors:?}", path.display());
                n += 1;
            }
        }
        assert!(n >= 20, "{n} samples");
    }
}
