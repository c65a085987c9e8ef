//! Seeding an empty database from rubric and assessment files.

use std::collections::HashMap;

use capacity::{Assessment, CompiledRubric};

use crate::{Audit, Store, StoreError};

/// What a seeding did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Rubric versions stored.
    pub rubrics: usize,
    /// Assessments stored.
    pub assessments: usize,
    /// Files left out, with the reason (file name, message).
    pub skipped: Vec<(String, String)>,
}

impl Store {
    /// True when no rubric is stored yet (a new database).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rubric")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    /// Stores the given files, `(name, text)`: rubrics first, then the
    /// assessments, each checked against its rubric by the core. A file that
    /// does not parse or validate is skipped and reported, never half
    /// stored. Seeding twice stores nothing new the second time. The audit
    /// trail names the system as the actor (request `seed`).
    pub async fn seed<'a>(
        &self,
        rubrics: impl IntoIterator<Item = (&'a str, &'a str)>,
        assessments: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<SeedReport, StoreError> {
        let mut report = SeedReport::default();
        let audit = Audit::system("seed");
        let mut compiled: HashMap<(String, String), CompiledRubric> = HashMap::new();
        for (name, text) in rubrics {
            match CompiledRubric::from_toml(text) {
                Ok(rubric) => {
                    if self.put_rubric(rubric.rubric(), text, &audit).await? {
                        report.rubrics += 1;
                    }
                    let key = (rubric.rubric().id.clone(), rubric.rubric().version.clone());
                    compiled.insert(key, rubric);
                }
                Err(e) => report.skipped.push((name.to_owned(), e.to_string())),
            }
        }
        for (name, text) in assessments {
            let assessment = match Assessment::from_toml(text) {
                Ok(a) => a,
                Err(e) => {
                    report.skipped.push((name.to_owned(), e.to_string()));
                    continue;
                }
            };
            let key = (assessment.rubric.clone(), assessment.rubric_version.clone());
            let Some(rubric) = compiled.get(&key) else {
                report.skipped.push((
                    name.to_owned(),
                    format!(
                        "rubric {} version {} is not among the seeded rubrics",
                        key.0, key.1
                    ),
                ));
                continue;
            };
            if let Err(e) = rubric.resolve(&assessment) {
                report.skipped.push((name.to_owned(), e.to_string()));
                continue;
            }
            match self.insert_assessment(&assessment, &audit).await {
                Ok(_) => report.assessments += 1,
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }
}
