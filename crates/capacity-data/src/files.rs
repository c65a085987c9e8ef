//! The file system side of the crate: reading a rubric file for the
//! generator and writing a generated dataset to a directory.
//!
//! A dataset directory holds `synth.toml` (the manifest: generator version,
//! seed and configuration, so that anyone can regenerate it), the rubric
//! under `rubrics/<id>.toml` and one file per assessment under
//! `assessments/<round>/<commune id>.toml`. The writer refuses a non-empty
//! directory that has no manifest, and replaces the previous dataset in one
//! that has, so a second run never mixes two datasets nor deletes files it
//! did not write.
//!
//! The only module that does I/O (plain `std::fs`); everything it writes is
//! computed by the pure modules.

use crate::Error;
use crate::synth::Dataset;
use capacity::CompiledRubric;
use std::fs;
use std::path::{Path, PathBuf};

/// The manifest file of a dataset directory.
pub const MANIFEST: &str = "synth.toml";

/// What [`write_dataset`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The directory.
    pub dir: PathBuf,
    /// Assessment files written.
    pub assessments: usize,
    /// Total bytes written.
    pub bytes: u64,
}

/// Reads, validates and compiles a rubric file.
pub fn read_rubric(path: &Path) -> Result<CompiledRubric, Error> {
    let text = fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    CompiledRubric::from_toml(&text).map_err(|diagnostics| Error::Rubric {
        path: path.to_owned(),
        diagnostics,
    })
}

/// Writes `dataset` (generated on `rubric`) to `dir`, creating it if
/// needed (see the module docs for the layout).
pub fn write_dataset(
    dataset: &Dataset,
    rubric: &CompiledRubric,
    dir: &Path,
) -> Result<Written, Error> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io { path, source }
    };
    if dir.exists() {
        let mut entries = fs::read_dir(dir).map_err(io(dir))?;
        if entries.next().is_some() {
            if !dir.join(MANIFEST).is_file() {
                return Err(Error::NotEmpty {
                    path: dir.to_owned(),
                    marker: MANIFEST,
                });
            }
            for sub in ["assessments", "rubrics"] {
                let sub = dir.join(sub);
                if sub.exists() {
                    fs::remove_dir_all(&sub).map_err(io(&sub))?;
                }
            }
        }
    }
    let mut bytes = 0u64;
    let mut write = |path: PathBuf, text: &str| -> Result<(), Error> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        fs::write(&path, text).map_err(io(&path))?;
        bytes += text.len() as u64;
        Ok(())
    };
    let r = rubric.rubric();
    write(
        dir.join("rubrics").join(format!("{}.toml", r.id)),
        &r.to_toml(),
    )?;
    let mut assessments = 0;
    for file in dataset.files() {
        write(dir.join(&file.path), &file.text)?;
        assessments += 1;
    }
    write(dir.join(MANIFEST), &dataset.manifest())?;
    Ok(Written {
        dir: dir.to_owned(),
        assessments,
        bytes,
    })
}
