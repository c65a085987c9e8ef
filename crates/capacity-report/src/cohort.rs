//! Many assessments of one rubric: which round of each commune to compare,
//! and which pairs of rounds show progress.
//!
//! The core's comparison takes one result per commune
//! ([`capacity::compare()`] refuses duplicates); a directory of assessments
//! usually holds several rounds of some communes. The rule, stated once
//! for the command line, the reports and the app: rounds of a commune are
//! ordered by workshop date, then by round label; the *latest* round of
//! each commune is compared (or the round asked for), and progress is
//! shown from each commune's previous round to its latest one.

use capacity::{Assessment, CommuneResult, Scored};
use std::collections::BTreeMap;

/// One scored assessment.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// The assessment.
    pub assessment: &'a Assessment,
    /// Its results.
    pub scored: &'a Scored,
}

impl<'a> Entry<'a> {
    /// The entry of `assessment`, scored as `scored`.
    pub fn new(assessment: &'a Assessment, scored: &'a Scored) -> Self {
        Self { assessment, scored }
    }

    /// The core's view of it.
    pub fn result(&self) -> CommuneResult<'a> {
        CommuneResult::new(self.assessment, self.scored)
    }

    fn key(&self) -> (&'a str, &'a str) {
        (
            self.assessment.date.as_str(),
            self.assessment.round.as_str(),
        )
    }
}

/// Per commune id, the positions of its entries, oldest first.
pub fn rounds_by_commune<'a>(entries: &[Entry<'a>]) -> BTreeMap<&'a str, Vec<usize>> {
    let mut by: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        by.entry(e.assessment.commune.id.as_str())
            .or_default()
            .push(i);
    }
    for v in by.values_mut() {
        v.sort_by(|a, b| {
            let ka = entries.get(*a).map(Entry::key);
            let kb = entries.get(*b).map(Entry::key);
            ka.cmp(&kb)
        });
    }
    by
}

/// The positions of the entries to compare: for each commune its round
/// `round` when given (communes without it are left out), else its latest
/// round; by commune id.
pub fn select(entries: &[Entry<'_>], round: Option<&str>) -> Vec<usize> {
    rounds_by_commune(entries)
        .into_values()
        .filter_map(|v| match round {
            Some(r) => v
                .iter()
                .rev()
                .copied()
                .find(|i| entries.get(*i).is_some_and(|e| e.assessment.round == r)),
            None => v.last().copied(),
        })
        .collect()
}

/// Pairs `(previous, selected)` of positions for progress: for each
/// selected entry, the commune's round just before it, when there is one.
pub fn progress_pairs(entries: &[Entry<'_>], selected: &[usize]) -> Vec<(usize, usize)> {
    let by = rounds_by_commune(entries);
    selected
        .iter()
        .filter_map(|s| {
            let e = entries.get(*s)?;
            let v = by.get(e.assessment.commune.id.as_str())?;
            let pos = v.iter().position(|i| i == s)?;
            let prev = *v.get(pos.checked_sub(1)?)?;
            Some((prev, *s))
        })
        .collect()
}

/// The distinct round labels of `positions`, sorted.
pub fn round_labels<'a>(entries: &[Entry<'a>], positions: &[usize]) -> Vec<&'a str> {
    let mut v: Vec<&'a str> = positions
        .iter()
        .filter_map(|i| entries.get(*i).map(|e| e.assessment.round.as_str()))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Which version of a rubric to compare when the assessments of an area
/// use several (the core compares one version at a time): the version most
/// of them use; on a tie, the greater version label. The others are listed
/// with their number of assessments, so that what is left out is said,
/// never dropped silently. `None` when there is no assessment.
pub fn version_to_compare<'a>(
    versions: impl IntoIterator<Item = &'a str>,
) -> Option<(String, Vec<(String, usize)>)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in versions {
        *counts.entry(v).or_default() += 1;
    }
    let chosen = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)))
        .map(|(v, _)| (*v).to_owned())?;
    let others = counts
        .into_iter()
        .filter(|(v, _)| *v != chosen)
        .map(|(v, n)| (v.to_owned(), n))
        .collect();
    Some((chosen, others))
}

#[cfg(test)]
mod version_tests {
    use super::version_to_compare;

    #[test]
    fn the_version_most_assessments_use_then_the_greater_label() {
        assert_eq!(version_to_compare([]), None);
        assert_eq!(
            version_to_compare(["1.0.0", "1.1.0", "1.0.0"]),
            Some(("1.0.0".to_owned(), vec![("1.1.0".to_owned(), 1)]))
        );
        assert_eq!(
            version_to_compare(["1.0.0", "1.1.0"]),
            Some(("1.1.0".to_owned(), vec![("1.0.0".to_owned(), 1)]))
        );
    }
}
