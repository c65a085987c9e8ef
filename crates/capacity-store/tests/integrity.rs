//! Integrity under real use, on a database file in a temporary directory
//! (or a PostgreSQL database of the test's own, see `common`):
//! many raters saving at once (nothing fails for contention), many saves of
//! one rating at one version (exactly one wins, every other is refused with
//! the winner's value), tombstones of cleared ratings, the per-assessment
//! revision, the busy answer when the file stays locked, and durability
//! settings.

mod common;

use std::path::PathBuf;

use capacity::{Answer, Assessment, Commune, Consensus, Rater, Role};
use capacity_store::{Audit, Backend, RaterLink, RatingInput, Store, StoreError, StoredRating};

/// The actor of the tests' writes.
fn audit() -> Audit {
    Audit::system("test")
}

/// Concurrent tasks in the contention tests.
const TASKS: usize = 60;

fn rubric_text() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessments/rubrics");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("rubrics directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    std::fs::read_to_string(&files[0]).expect("readable rubric")
}

/// Stores the first rubric and an assessment of commune `commune` with
/// `raters` raters `r0`, `r1`…; returns its id.
async fn assessment(store: &Store, commune: &str, raters: usize) -> i64 {
    let text = rubric_text();
    let parsed = capacity::CompiledRubric::from_toml(&text).expect("rubric");
    store
        .put_rubric(parsed.rubric(), &text, &audit())
        .await
        .expect("rubric stored");
    let a = Assessment {
        format: 1,
        rubric: parsed.rubric().id.clone(),
        rubric_version: parsed.rubric().version.clone(),
        round: "2026".into(),
        date: "2026-12-06".into(),
        fictional: true,
        finalised: false,
        comment: None,
        commune: Commune {
            id: commune.into(),
            name: format!("Commune {commune}"),
            cercle: "Cercle".into(),
            region: "Région".into(),
            kind: Default::default(),
            population: Some(9000),
            setting: None,
            transferred: vec![],
        },
        raters: (0..raters)
            .map(|i| Rater {
                id: format!("r{i}"),
                name: format!("Rater {i}"),
                role: Role::Citizen,
            })
            .collect(),
        answers: vec![],
        plan: Default::default(),
    };
    store
        .insert_assessment(&a, &audit())
        .await
        .expect("inserted")
}

fn rating(level: &str, evidence: &str) -> RatingInput {
    RatingInput {
        level: level.into(),
        evidence: Some(evidence.into()),
        refs: vec![],
    }
}

async fn revision(store: &Store, id: i64) -> i64 {
    store
        .revision(id)
        .await
        .expect("revision")
        .expect("assessment exists")
}

#[tokio::test]
async fn a_file_database_is_in_wal_mode_with_full_sync() {
    let store = common::shared_store("durability").await;
    // SQLite: WAL with a sync at every commit. PostgreSQL: a commit
    // waits for its WAL to be flushed (the default the store relies on).
    let expected = match store.backend() {
        Backend::Sqlite => ("wal", "full"),
        _ => ("wal", "on"),
    };
    let (journal, sync) = store.durability().await.expect("settings");
    assert_eq!((journal.as_str(), sync.as_str()), expected);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_raters_saving_at_once_all_succeed() {
    let store = common::shared_store("many-raters").await;
    // A workshop holds at most MAX_RATERS raters: the TASKS raters sit in
    // workshops of that size, all saving at once on the same file.
    let per = capacity_store::MAX_RATERS;
    let mut ids = Vec::new();
    for w in 0..TASKS.div_ceil(per) {
        ids.push(assessment(&store, &format!("c-many-{w}"), per.min(TASKS - w * per)).await);
    }
    // A second handle on the same file competes for SQLite's write lock
    // as another process would; the first handle's saves queue on its
    // writer connection.
    let other = store.another_handle().await;
    let mut before = Vec::new();
    for id in &ids {
        before.push(revision(&store, *id).await);
    }
    let mut tasks = Vec::new();
    for i in 0..TASKS {
        let store = if i % 2 == 0 {
            store.clone()
        } else {
            other.clone()
        };
        let id = ids[i / per];
        tasks.push(tokio::spawn(async move {
            let rater = format!("r{}", i % per);
            let first = store
                .save_rating(
                    id,
                    "X-1",
                    &rater,
                    &rating("C", &format!("first {i}")),
                    0,
                    &audit(),
                )
                .await?;
            store
                .save_rating(
                    id,
                    "X-2",
                    &rater,
                    &rating("B", &format!("second {i}")),
                    0,
                    &audit(),
                )
                .await?;
            // And a change of the first one, at the version just saved.
            store
                .save_rating(
                    id,
                    "X-1",
                    &rater,
                    &rating("B", &format!("changed {i}")),
                    first.version,
                    &audit(),
                )
                .await
        }));
    }
    let mut failures = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.expect("task ran") {
            Ok(saved) => assert_eq!(saved.version, 2, "rater {i}"),
            Err(e) => failures.push(format!("rater {i}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {TASKS} raters had a save fail: {failures:#?}",
        failures.len()
    );
    for (w, id) in ids.iter().enumerate() {
        let raters = per.min(TASKS - w * per);
        let stored = store.assessment(*id).await.expect("load").expect("exists");
        for indicator in ["X-1", "X-2"] {
            let answer = stored
                .assessment
                .answers
                .iter()
                .find(|a| a.indicator == indicator)
                .expect("answered");
            assert_eq!(answer.ratings.len(), raters, "{indicator}: one rating each");
        }
        for i in 0..raters {
            assert_eq!(stored.versions.rating("X-1", &format!("r{i}")), 2);
        }
        assert_eq!(
            revision(&store, *id).await,
            before[w] + 3 * raters as i64,
            "every save moved the revision once"
        );
    }
    other.close().await;
    store.close().await;
}

/// Runs `TASKS` concurrent saves of rating (`X-1`, `r0`), each with its own
/// evidence, all naming `version`; checks that exactly one is saved and
/// that every other is refused with the winner's value. Returns the winner.
async fn race_one_rating(store: &Store, id: i64, version: i64, round: &str) -> StoredRating {
    let mut tasks = Vec::new();
    for i in 0..TASKS {
        let store = store.clone();
        let input = rating(["A", "B", "C", "D"][i % 4], &format!("{round}: device {i}"));
        tasks.push(tokio::spawn(async move {
            store
                .save_rating(id, "X-1", "r0", &input, version, &audit())
                .await
        }));
    }
    let mut winners = Vec::new();
    let mut refused = Vec::new();
    let mut other = Vec::new();
    for task in tasks {
        match task.await.expect("task ran") {
            Ok(saved) => winners.push(saved),
            Err(StoreError::StaleRating { expected, current }) => {
                assert_eq!(expected, version);
                refused.push(current);
            }
            Err(e) => other.push(e.to_string()),
        }
    }
    assert!(other.is_empty(), "{round}: other errors: {other:#?}");
    assert_eq!(winners.len(), 1, "{round}: exactly one save wins");
    assert_eq!(refused.len(), TASKS - 1, "{round}: every other is stale");
    let winner = winners.remove(0);
    assert_eq!(winner.version, version + 1);
    for current in refused {
        assert_eq!(
            current.as_deref(),
            Some(&winner),
            "{round}: a refusal carries the winner's value"
        );
    }
    let stored = store.assessment(id).await.expect("load").expect("exists");
    let kept = stored
        .assessment
        .answers
        .iter()
        .find(|a| a.indicator == "X-1")
        .and_then(|a| a.ratings.iter().find(|r| r.rater == "r0"))
        .expect("stored rating");
    assert_eq!(
        (kept.level.as_str(), kept.evidence.as_deref()),
        (
            winner.input.level.as_str(),
            winner.input.evidence.as_deref()
        ),
        "{round}: the stored value is the winner's"
    );
    assert_eq!(stored.versions.rating("X-1", "r0"), winner.version);
    winner
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_saves_of_one_rating_at_one_version_one_wins() {
    let store = common::shared_store("one-rating").await;
    let id = assessment(&store, "c-race", 1).await;
    let first = race_one_rating(&store, id, 0, "new rating").await;
    let second = race_one_rating(&store, id, first.version, "update").await;
    assert_eq!(second.version, 2);
    store.close().await;
}

#[tokio::test]
async fn a_cleared_rating_keeps_a_tombstone_and_refuses_stale_saves() {
    let store = common::shared_store("tombstone").await;
    let id = assessment(&store, "c-tomb", 2).await;
    let v1 = store
        .save_rating(id, "X-1", "r0", &rating("C", "PV 1"), 0, &audit())
        .await
        .expect("saved");
    let v2 = store
        .save_rating(id, "X-1", "r0", &rating("B", "PV 2"), v1.version, &audit())
        .await
        .expect("changed");
    assert_eq!(v2.version, 2);

    // A clear naming an old version is refused with the newer value.
    match store.clear_rating(id, "X-1", "r0", 1, &audit()).await {
        Err(StoreError::StaleRating {
            expected: 1,
            current: Some(current),
        }) => assert_eq!(*current, v2),
        other => panic!("stale clear: expected a refusal, got {other:?}"),
    }

    let cleared = store
        .clear_rating_returning_version(id, "X-1", "r0", 2, &audit())
        .await
        .expect("cleared");
    assert_eq!(cleared, 3, "the clear is a new version, not a deletion");
    let stored = store.assessment(id).await.expect("load").expect("exists");
    assert!(
        stored
            .assessment
            .answers
            .iter()
            .all(|a| a.ratings.iter().all(|r| r.rater != "r0")),
        "a tombstone is not a rating: {:?}",
        stored.assessment.answers
    );
    assert_eq!(
        stored.versions.rating("X-1", "r0"),
        3,
        "its version is known"
    );

    // A device that read version 2 (before the clear) is refused; what is
    // stored now is "not answered".
    for old in [1, 2] {
        match store
            .save_rating(id, "X-1", "r0", &rating("A", "late"), old, &audit())
            .await
        {
            Err(StoreError::StaleRating {
                expected,
                current: None,
            }) => assert_eq!(expected, old),
            other => panic!("save at version {old} after the clear: got {other:?}"),
        }
    }
    assert!(matches!(
        store.clear_rating(id, "X-1", "r0", 2, &audit()).await,
        Err(StoreError::StaleRating { current: None, .. })
    ));
    // Clearing what is cleared changes nothing.
    assert_eq!(
        store
            .clear_rating_returning_version(id, "X-1", "r0", 3, &audit())
            .await
            .expect("idempotent clear"),
        3
    );

    // A save naming the tombstone's version is accepted and continues the
    // version line.
    let again = store
        .save_rating(id, "X-1", "r0", &rating("A", "PV 4"), 3, &audit())
        .await
        .expect("saved over the tombstone");
    assert_eq!(again.version, 4);
    // A clear by a device that saw "not answered" at 0 is now stale.
    assert!(matches!(
        store.clear_rating(id, "X-1", "r0", 0, &audit()).await,
        Err(StoreError::StaleRating {
            current: Some(_),
            ..
        })
    ));

    // Clearing a rating that was never saved writes nothing.
    assert_eq!(
        store
            .clear_rating_returning_version(id, "X-1", "r1", 0, &audit())
            .await
            .expect("nothing to clear"),
        0
    );
    // A rating not answered now (cleared) may be saved at version 0: the
    // caller saw "not answered", and nothing is overwritten.
    let cleared = store
        .clear_rating_returning_version(id, "X-1", "r0", 4, &audit())
        .await
        .expect("cleared");
    assert_eq!(cleared, 5);
    let fresh = store
        .save_rating(id, "X-1", "r0", &rating("D", "new"), 0, &audit())
        .await
        .expect("saved at 0 over a tombstone");
    assert_eq!(fresh.version, 6);
    store.close().await;
}

#[tokio::test]
async fn the_revision_moves_only_for_the_assessment_written() {
    let store = common::shared_store("revision").await;
    let a = assessment(&store, "c-a", 2).await;
    let b = assessment(&store, "c-b", 2).await;
    let rev_b = revision(&store, b).await;

    let mut rev_a = revision(&store, a).await;
    let mut step = async |what: &str, store: &Store| {
        let now = revision(store, a).await;
        assert_eq!(now, rev_a + 1, "{what}: revision of the written assessment");
        assert_eq!(revision(store, b).await, rev_b, "{what}: the other one");
        rev_a = now;
    };

    let saved = store
        .save_rating(a, "X-1", "r0", &rating("C", "PV"), 0, &audit())
        .await
        .expect("rating");
    step("save a rating", &store).await;
    store
        .clear_rating(a, "X-1", "r0", saved.version, &audit())
        .await
        .expect("clear");
    step("clear a rating", &store).await;
    let answer = Answer {
        indicator: "X-1".into(),
        target: None,
        comment: Some("note".into()),
        consensus: Some(Consensus {
            level: "C".into(),
            justification: None,
        }),
        ratings: vec![],
    };
    store
        .save_answer(a, "X-1", &answer, 0, &audit())
        .await
        .expect("answer");
    step("save an answer", &store).await;
    store
        .add_rater(
            a,
            &Rater {
                id: "late".into(),
                name: "Late".into(),
                role: Role::Staff,
            },
            &audit(),
        )
        .await
        .expect("rater");
    step("add a rater", &store).await;
    store
        .save_plan_adjustment(a, "X-1/D/0", false, None, 0, &audit())
        .await
        .expect("plan");
    step("adjust the plan", &store).await;

    // Refused writes and reads do not move it.
    let before = revision(&store, a).await;
    let _ = store
        .save_rating(a, "X-1", "r0", &rating("A", "stale"), 1, &audit())
        .await
        .expect_err("stale");
    let _ = store
        .save_answer(a, "X-1", &answer, 0, &audit())
        .await
        .expect_err("stale");
    let loaded = store.assessment(a).await.expect("load").expect("exists");
    assert_eq!(loaded.header.revision, before, "the header carries it");
    assert_eq!(revision(&store, a).await, before);

    let header = loaded.header;
    store
        .finalise(a, header.version, &audit())
        .await
        .expect("finalise");
    step("finalise", &store).await;

    // A commune's new attributes show in its assessments' headers.
    let mut commune = loaded.assessment.commune.clone();
    commune.name = "Renamed".into();
    let g = store.generation().await.expect("generation");
    store
        .upsert_commune(&commune, &audit())
        .await
        .expect("rename");
    step("rename the commune", &store).await;
    store
        .upsert_commune(&commune, &audit())
        .await
        .expect("same again");
    assert_eq!(
        revision(&store, a).await,
        rev_a,
        "no change, no new revision"
    );
    assert!(
        store.generation().await.expect("generation") > g,
        "the generation still moves"
    );
    store.close().await;
}

#[tokio::test]
async fn a_write_that_stays_locked_out_is_answered_busy() {
    let store = common::shared_store("busy").await;
    let id = assessment(&store, "c-busy", 1).await;
    let rev = revision(&store, id).await;
    // Another process holds the write lock (SQLite) or a lock on the
    // ratings (PostgreSQL) and does not let go.
    let mut holder = store.plain_connection().await;
    let lock: &[&str] = match store.backend() {
        Backend::Sqlite => &["BEGIN IMMEDIATE"],
        _ => &["BEGIN", "LOCK TABLE rating IN ACCESS EXCLUSIVE MODE"],
    };
    for sql in lock {
        sqlx::query(sql)
            .execute(&mut holder)
            .await
            .expect("lock taken");
    }
    let err = store
        .save_rating(id, "X-1", "r0", &rating("C", "PV"), 0, &audit())
        .await
        .expect_err("cannot write while the lock is held");
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(1)));
    assert!(err.to_string().contains("try again"), "{err}");
    sqlx::query("ROLLBACK")
        .execute(&mut holder)
        .await
        .expect("lock released");
    sqlx::Connection::close(holder).await.expect("closed");
    // Nothing was written; the same save now goes through.
    assert_eq!(revision(&store, id).await, rev);
    let saved = store
        .save_rating(id, "X-1", "r0", &rating("C", "PV"), 0, &audit())
        .await
        .expect("saved once the lock is free");
    assert_eq!(saved.version, 1);
    store.close().await;
}

#[tokio::test]
async fn a_rating_write_checked_against_a_rater_link_is_refused_once_it_moved() {
    let store = common::shared_store("relinked").await;
    let id = assessment(&store, "c-relink", 2).await;
    let awa = store
        .create_account("awa.relink", "Awa", false, &[], &audit())
        .await
        .expect("account");
    let sidi = store
        .create_account("sidi.relink", "Sidi", false, &[], &audit())
        .await
        .expect("account");
    store
        .link_rater(id, "r0", Some(awa), &audit())
        .await
        .expect("linked");

    // The header and the link, in one read.
    let link = |rater: &'static str| {
        let store = &store;
        async move {
            store
                .header_with_rater(id, rater)
                .await
                .expect("read")
                .map(|(header, link)| (header.id, link))
        }
    };
    assert_eq!(link("r0").await, Some((id, Some(awa))));
    assert_eq!(link("r1").await, Some((id, None)), "a rater not linked");
    assert_eq!(link("ghost").await, Some((id, None)), "no such rater");
    assert_eq!(
        store
            .header_with_rater(id + 1000, "r0")
            .await
            .expect("read"),
        None
    );

    // Allowed on Awa's link, but r0 is Sidi's by the time of the write:
    // refused, nothing written.
    store
        .link_rater(id, "r0", Some(sidi), &audit())
        .await
        .expect("relinked");
    let expect_awa = RaterLink::Expect(Some(awa));
    match store
        .save_rating_checked(id, "X-1", "r0", &rating("C", "PV"), 0, expect_awa, &audit())
        .await
    {
        Err(StoreError::RaterRelinked { assessment, rater }) => {
            assert_eq!((assessment, rater.as_str()), (id, "r0"));
        }
        other => panic!("a write allowed on an old link: {other:?}"),
    }
    let stored = store.assessment(id).await.expect("read").expect("there");
    assert_eq!(stored.versions.rating("X-1", "r0"), 0, "nothing written");

    // On the link as it is, it goes through; an unlinked rater is
    // expected as `None`.
    let saved = store
        .save_rating_checked(
            id,
            "X-1",
            "r0",
            &rating("C", "PV"),
            0,
            RaterLink::Expect(Some(sidi)),
            &audit(),
        )
        .await
        .expect("saved on the current link");
    store
        .save_rating_checked(
            id,
            "X-1",
            "r1",
            &rating("B", "PV"),
            0,
            RaterLink::Expect(None),
            &audit(),
        )
        .await
        .expect("saved for a rater linked to nobody");

    // Clearing checks the same way.
    match store
        .clear_rating_checked(id, "X-1", "r0", saved.version, expect_awa, &audit())
        .await
    {
        Err(StoreError::RaterRelinked { .. }) => {}
        other => panic!("a clear allowed on an old link: {other:?}"),
    }
    let cleared = store
        .clear_rating_checked(
            id,
            "X-1",
            "r0",
            saved.version,
            RaterLink::Expect(Some(sidi)),
            &audit(),
        )
        .await
        .expect("cleared on the current link");
    assert_eq!(cleared, saved.version + 1);
    store.close().await;
}
