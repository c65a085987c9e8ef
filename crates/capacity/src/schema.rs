//! JSON Schemas of the two file formats, generated from the Rust types.
//!
//! `assessments/schema/rubric.schema.json` and
//! `assessments/schema/assessment.schema.json` are the normative reference
//! of the formats; a unit test fails when they differ from what the types
//! generate (run `UPDATE_SCHEMA=1 cargo test -p capacity` to rewrite them).
//! Compiled only with the `schema` feature (and in the crate's tests), so
//! that the wasm build does not carry `schemars`.

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
}
