//! The reference rubrics and the fictional sample assessments of
//! `assessments/`, compiled into the binary.
//!
//! The web app seeds its database from these on first start, the CLI ships
//! them, and tests read them without touching the disk. The lists are
//! written out by hand (one `include_str!` per file) so that adding a file
//! is a visible change; the crate's tests read the directories and fail
//! when a `*.toml` file there is missing from these lists, or the other way
//! round.
//!
//! Pure data and lookups: no file I/O, so this module builds for
//! `wasm32-unknown-unknown`. It depends on the core only to compile the
//! reference rubric.

use capacity::{CompiledRubric, Diagnostics};

/// A file of `assessments/`, embedded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// The file name, e.g. `ml-communes.toml`.
    pub name: &'static str,
    /// The file's text, exactly as in the repository.
    pub text: &'static str,
}

impl EmbeddedFile {
    /// The file name without `.toml`; for a rubric, its id.
    pub fn stem(&self) -> &'static str {
        self.name.strip_suffix(".toml").unwrap_or(self.name)
    }
}

/// The id of the reference rubric: the commune capacity rubric.
pub const REFERENCE_RUBRIC: &str = "ml-communes";

macro_rules! embed {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(EmbeddedFile {
            name: $name,
            text: include_str!(concat!("../../../assessments/", $dir, "/", $name)),
        }),*]
    };
}

const RUBRICS: &[EmbeddedFile] = embed!("rubrics":
    "ml-communes.toml",
    "ml-redeploiement.toml",
);

/// The reference rubric's file (checked at compile time to exist, and by
/// the tests to be [`REFERENCE_RUBRIC`]).
const REFERENCE: EmbeddedFile = RUBRICS[0];

const SAMPLES: &[EmbeddedFile] = embed!("samples":
    "ml-bamako-commune-iv-2023.toml",
    "ml-bamako-commune-iv-2025.toml",
    "ml-gao-ansongo-2024.toml",
    "ml-gao-gao-2023.toml",
    "ml-gao-gao-2025.toml",
    "ml-mopti-bandiagara-2024.toml",
    "ml-mopti-djenne-2023.toml",
    "ml-mopti-djenne-2025.toml",
    "ml-redeploiement-gao-ansongo-2024.toml",
    "ml-redeploiement-mopti-bandiagara-cercle-2024.toml",
    "ml-redeploiement-tombouctou-ber-2024.toml",
    "ml-redeploiement-tombouctou-goundam-cercle-2024.toml",
    "ml-segou-san-2023.toml",
    "ml-segou-san-2025.toml",
    "ml-segou-segou-2024.toml",
    "ml-sikasso-bougouni-2024.toml",
    "ml-sikasso-koutiala-2024.toml",
    "ml-sikasso-sikasso-2024.toml",
    "ml-tombouctou-ber-2024.toml",
    "ml-tombouctou-dire-2024.toml",
    "ml-tombouctou-tombouctou-2024.toml",
);

/// The reference rubrics (`assessments/rubrics/*.toml`), sorted by file
/// name; each file is named after its rubric id.
///
/// ```
/// let names: Vec<_> = capacity_data::embedded::rubrics().iter().map(|f| f.stem()).collect();
/// assert!(names.contains(&"ml-communes"));
/// ```
pub fn rubrics() -> &'static [EmbeddedFile] {
    RUBRICS
}

/// The fictional sample assessments (`assessments/samples/*.toml`), sorted
/// by file name. Each names its rubric by id and version.
pub fn samples() -> &'static [EmbeddedFile] {
    SAMPLES
}

/// An embedded rubric by id (its file name without `.toml`).
pub fn rubric(id: &str) -> Option<&'static EmbeddedFile> {
    RUBRICS.iter().find(|f| f.stem() == id)
}

/// The reference rubric ([`REFERENCE_RUBRIC`]), validated and compiled.
///
/// ```
/// let rubric = capacity_data::embedded::reference_rubric()?;
/// assert_eq!(rubric.rubric().id, "ml-communes");
/// # Ok::<(), capacity::Diagnostics>(())
/// ```
pub fn reference_rubric() -> Result<CompiledRubric, Diagnostics> {
    CompiledRubric::from_toml(REFERENCE.text)
}

/// The reference rubric's file.
pub fn reference_rubric_file() -> &'static EmbeddedFile {
    &REFERENCE
}

/// An embedded rubric by id, validated and compiled; `None` when no
/// embedded rubric has that id.
pub fn compile(id: &str) -> Option<Result<CompiledRubric, Diagnostics>> {
    rubric(id).map(|f| CompiledRubric::from_toml(f.text))
}
