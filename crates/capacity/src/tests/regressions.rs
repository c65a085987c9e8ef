//! Regression tests, named after what they fix (failures found by property
//! tests and fuzzing land here).

use crate::{CompiledRubric, Rubric};

/// Found by `props::rubric_round_trips`: a scale without levels was written
/// without any `[[scale.level]]` and could not be read back.
#[test]
fn rubric_without_levels_round_trips() {
    let text = "format = 1\nid = \"\"\nversion = \"\"\ntitle.fr = \"\"\n[scale]\nbasic = \"\"\n";
    let rubric = Rubric::from_toml(text).expect("levels default to none");
    assert_eq!(Rubric::from_toml(&rubric.to_toml()), Ok(rubric));
    // Compiling still says what is wrong.
    let err = CompiledRubric::from_toml(text).expect_err("invalid");
    assert!(
        err.to_string().contains(
            "5:1: the scale has 0 level(s): it needs between 2 and 31 [[scale.level]] tables"
        ),
        "{err}"
    );
}
