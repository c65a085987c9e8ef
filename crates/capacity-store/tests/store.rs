//! The store against the real files under `assessments/`: seeding, round
//! trips, filters, versions, locks.

mod common;

use std::path::{Path, PathBuf};

use capacity::{Answer, Assessment, Consensus, Rater, Role};
use capacity_store::{AssessmentFilter, Audit, CommuneFilter, RatingInput, Store, StoreError};

/// The actor of the tests' writes.
fn audit() -> Audit {
    Audit::system("test")
}

fn assessments_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessments")
}

fn read_dir(sub: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(assessments_dir().join(sub))
        .expect("assessments directory")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read_to_string(&p).expect("readable file"))
        })
        .collect();
    files.sort();
    files
}

async fn seeded() -> (common::TestStore, Vec<(String, String)>) {
    let store = common::store().await;
    let rubrics = read_dir("rubrics");
    let samples = read_dir("samples");
    let report = store
        .seed(
            rubrics.iter().map(|(n, t)| (n.as_str(), t.as_str())),
            samples.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        )
        .await
        .expect("seed");
    assert_eq!(
        report.skipped,
        Vec::<(String, String)>::new(),
        "every sample file validates"
    );
    assert_eq!(report.rubrics, rubrics.len());
    assert_eq!(report.assessments, samples.len());
    (store, samples)
}

/// Ratings in rater order, as the store returns them.
fn normalised(mut a: Assessment) -> Assessment {
    let order: Vec<String> = a.raters.iter().map(|r| r.id.clone()).collect();
    for answer in &mut a.answers {
        answer.ratings.sort_by_key(|r| {
            order
                .iter()
                .position(|id| *id == r.rater)
                .unwrap_or(usize::MAX)
        });
    }
    a.answers.retain(|ans| {
        ans.consensus.is_some()
            || ans.target.is_some()
            || ans.comment.is_some()
            || !ans.ratings.is_empty()
    });
    a
}

#[tokio::test]
async fn every_sample_round_trips_through_the_store() {
    let (store, samples) = seeded().await;
    let all = store
        .load_assessments(&AssessmentFilter::default())
        .await
        .expect("load");
    assert_eq!(all.len(), samples.len());
    for (name, text) in &samples {
        let file = Assessment::from_toml(text).expect("parses");
        let stored = all
            .iter()
            .find(|s| {
                s.assessment.commune.id == file.commune.id
                    && s.assessment.round == file.round
                    && s.assessment.rubric == file.rubric
            })
            .unwrap_or_else(|| panic!("{name} not stored"));
        // Answers come back in file order only for those with an answer row;
        // compare as sets keyed by indicator.
        let mut want = normalised(file.clone());
        let mut got = normalised(stored.assessment.clone());
        want.answers.sort_by(|a, b| a.indicator.cmp(&b.indicator));
        got.answers.sort_by(|a, b| a.indicator.cmp(&b.indicator));
        assert_eq!(got, want, "{name} differs after a round trip");
        let one = store
            .assessment(stored.header.id)
            .await
            .expect("load one")
            .expect("exists");
        assert_eq!(&one, stored, "{name}: loading one differs from loading all");
    }
}

#[tokio::test]
async fn seeding_twice_stores_nothing_new() {
    let (store, samples) = seeded().await;
    let rubrics = read_dir("rubrics");
    let report = store
        .seed(
            rubrics.iter().map(|(n, t)| (n.as_str(), t.as_str())),
            samples.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        )
        .await
        .expect("seed again");
    assert_eq!((report.rubrics, report.assessments), (0, 0));
    assert_eq!(
        store.count_assessments().await.expect("count"),
        samples.len() as i64
    );
}

#[tokio::test]
async fn broken_files_are_skipped_and_reported() {
    let store = common::store().await;
    let rubrics = read_dir("rubrics");
    let report = store
        .seed(
            rubrics.iter().map(|(n, t)| (n.as_str(), t.as_str())),
            [
                ("bad.toml", "format = 1\nrubric = "),
                ("other.toml", "format = 1\nrubric = \"nope\"\nrubric_version = \"1\"\nround = \"1\"\ndate = \"2024-01-01\"\n[commune]\nid = \"x\"\nname = \"X\"\ncercle = \"C\"\nregion = \"R\"\ntransferred = []\n"),
            ],
        )
        .await
        .expect("seed");
    assert_eq!(report.assessments, 0);
    let names: Vec<&str> = report.skipped.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["bad.toml", "other.toml"]);
    assert!(
        report.skipped[1].1.contains("rubric nope version 1"),
        "{}",
        report.skipped[1].1
    );
}

#[tokio::test]
async fn communes_filter_by_region_cercle_and_search() {
    let (store, _) = seeded().await;
    let all = store
        .communes(&CommuneFilter::default())
        .await
        .expect("communes");
    assert!(all.len() >= 8);
    let gao = store
        .communes(&CommuneFilter {
            region: Some("Gao".into()),
            ..Default::default()
        })
        .await
        .expect("by region");
    assert!(!gao.is_empty());
    assert!(gao.iter().all(|c| c.commune.region == "Gao"));
    let san = store
        .communes(&CommuneFilter {
            search: Some("sAn".into()),
            ..Default::default()
        })
        .await
        .expect("search");
    assert!(
        san.iter().any(|c| c.commune.name == "San"),
        "search is case-insensitive"
    );
    let regions = store.regions().await.expect("regions");
    assert!(
        regions
            .iter()
            .any(|(r, cercles)| r == "Ségou" && cercles.contains(&"San".to_owned()))
    );
}

async fn fresh_assessment(store: &Store) -> i64 {
    let rubric = &read_dir("rubrics")[0].1;
    let parsed = capacity::CompiledRubric::from_toml(rubric).expect("rubric");
    store
        .put_rubric(parsed.rubric(), rubric, &audit())
        .await
        .expect("rubric stored");
    let indicator_rubric = parsed.rubric();
    let a = Assessment {
        format: 1,
        rubric: indicator_rubric.id.clone(),
        rubric_version: indicator_rubric.version.clone(),
        round: "2026".into(),
        date: "2026-11-29".into(),
        fictional: true,
        finalised: false,
        comment: None,
        commune: capacity::Commune {
            id: "test-commune".into(),
            name: "Commune d'essai <b>".into(),
            cercle: "Cercle".into(),
            region: "Région".into(),
            kind: Default::default(),
            population: Some(12000),
            setting: None,
            transferred: vec![],
        },
        raters: vec![Rater {
            id: "r1".into(),
            name: "Awa".into(),
            role: Role::Elected,
        }],
        answers: vec![],
        plan: Default::default(),
    };
    store
        .insert_assessment(&a, &audit())
        .await
        .expect("inserted")
}

fn rating(level: &str) -> RatingInput {
    RatingInput {
        level: level.into(),
        evidence: Some("PV".into()),
        refs: vec![],
    }
}

#[tokio::test]
async fn a_stale_rating_is_refused_with_the_newer_value() {
    let store = common::store().await;
    let id = fresh_assessment(&store).await;
    let first = store
        .save_rating(id, "X-1", "r1", &rating("C"), 0, &audit())
        .await
        .expect("new rating");
    assert_eq!(first.version, 1);
    // A second device that also thought there was no rating.
    match store
        .save_rating(id, "X-1", "r1", &rating("A"), 0, &audit())
        .await
    {
        Err(StoreError::StaleRating {
            expected: 0,
            current: Some(current),
        }) => {
            assert_eq!(current.input.level, "C");
            assert_eq!(current.version, 1);
        }
        other => panic!("expected a stale refusal, got {other:?}"),
    }
    let second = store
        .save_rating(id, "X-1", "r1", &rating("B"), 1, &audit())
        .await
        .expect("update");
    assert_eq!((second.version, second.input.level.as_str()), (2, "B"));
    let err = store
        .save_rating(id, "X-1", "r1", &rating("D"), 1, &audit())
        .await
        .expect_err("stale");
    assert!(
        err.to_string()
            .contains("changed by someone else (now version 2, you had version 1)"),
        "{err}"
    );
    let stored = store.assessment(id).await.expect("load").expect("exists");
    assert_eq!(
        stored.assessment.answers[0].ratings[0].level, "B",
        "the refused save wrote nothing"
    );
    assert_eq!(stored.versions.rating("X-1", "r1"), 2);
}

#[tokio::test]
async fn answers_are_versioned_and_finalising_locks() {
    let store = common::store().await;
    let id = fresh_assessment(&store).await;
    let answer = Answer {
        indicator: "X-1".into(),
        target: Some("A".into()),
        comment: None,
        consensus: Some(Consensus {
            level: "C".into(),
            justification: Some("accord".into()),
        }),
        ratings: vec![],
    };
    assert_eq!(
        store
            .save_answer(id, "X-1", &answer, 0, &audit())
            .await
            .expect("new"),
        1
    );
    assert!(matches!(
        store.save_answer(id, "X-1", &answer, 0, &audit()).await,
        Err(StoreError::Stale {
            expected: 0,
            current: 1,
            ..
        })
    ));
    assert_eq!(
        store
            .save_answer(id, "X-1", &answer, 1, &audit())
            .await
            .expect("update"),
        2
    );

    let header = store
        .assessment(id)
        .await
        .expect("load")
        .expect("exists")
        .header;
    assert!(matches!(
        store.finalise(id, header.version + 5, &audit()).await,
        Err(StoreError::Stale { .. })
    ));
    store
        .finalise(id, header.version, &audit())
        .await
        .expect("finalise");
    let locked = store
        .save_rating(id, "X-1", "r1", &rating("B"), 0, &audit())
        .await
        .expect_err("locked");
    assert!(matches!(locked, StoreError::Locked { .. }), "{locked:?}");
    assert!(matches!(
        store.save_answer(id, "X-1", &answer, 2, &audit()).await,
        Err(StoreError::Locked { .. })
    ));
    assert!(
        store
            .assessment(id)
            .await
            .expect("load")
            .expect("exists")
            .header
            .finalised
    );
}

#[tokio::test]
async fn structural_errors_name_the_object() {
    let store = common::store().await;
    let id = fresh_assessment(&store).await;
    let err = store
        .save_rating(id, "X-1", "ghost", &rating("C"), 0, &audit())
        .await
        .expect_err("unknown rater");
    assert_eq!(
        err.to_string(),
        format!("rater `ghost` in assessment {id} not found")
    );
    let err = store
        .save_rating(id + 100, "X-1", "r1", &rating("C"), 0, &audit())
        .await
        .expect_err("no assessment");
    assert_eq!(
        err.to_string(),
        format!("assessment {} not found", id + 100)
    );
    let dup = store
        .add_rater(
            id,
            &Rater {
                id: "r1".into(),
                name: "Other".into(),
                role: Role::Staff,
            },
            &audit(),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict { .. })), "{dup:?}");
    let existing = store
        .assessment(id)
        .await
        .expect("load")
        .expect("exists")
        .assessment;
    let again = store
        .insert_assessment(&existing, &audit())
        .await
        .expect_err("same round twice");
    assert!(again.to_string().contains("already exists"), "{again}");
}

#[tokio::test]
async fn plan_adjustments_are_versioned() {
    let store = common::store().await;
    let id = fresh_assessment(&store).await;
    assert_eq!(
        store
            .save_plan_adjustment(id, "X-1/D/0", false, None, 0, &audit())
            .await
            .expect("new"),
        1
    );
    assert_eq!(
        store
            .save_plan_adjustment(id, "X-1/D/0", true, Some("125000"), 1, &audit())
            .await
            .expect("update"),
        2
    );
    assert!(matches!(
        store
            .save_plan_adjustment(id, "X-1/D/0", false, None, 1, &audit())
            .await,
        Err(StoreError::Stale { current: 2, .. })
    ));
    let rows = store.plan_adjustments(id).await.expect("rows");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].accepted);
    assert_eq!(rows[0].cost_override.as_deref(), Some("125000"));
}

#[tokio::test]
async fn data_survive_reopening_the_database() {
    let first = common::shared_store("reopen").await;
    assert!(first.is_empty().await.expect("empty"));
    fresh_assessment(&first).await;
    first.close().await;
    let store = first.another_handle().await;
    assert!(!store.is_empty().await.expect("not empty"));
    assert_eq!(store.count_assessments().await.expect("count"), 1);
    store.close().await;
}

#[tokio::test]
async fn the_generation_moves_on_every_committed_write_and_only_then() {
    let store = common::store().await;
    let id = fresh_assessment(&store).await;
    let clone = store.clone();
    let generation = |s: &Store| {
        let s = s.clone();
        async move { s.generation().await.expect("generation") }
    };
    let g0 = generation(&store).await;
    store.assessment(id).await.expect("read");
    store
        .list_assessments(&AssessmentFilter::default())
        .await
        .expect("list");
    assert_eq!(
        generation(&store).await,
        g0,
        "reads do not move the generation"
    );
    clone
        .save_rating(id, "X-1", "r1", &rating("C"), 0, &audit())
        .await
        .expect("saved");
    let g1 = generation(&store).await;
    assert!(g1 > g0, "a write through a clone moves it for every handle");
    // A refused write is rolled back: nothing changed, nor does the
    // generation.
    let stale = store
        .save_rating(id, "X-1", "r1", &rating("A"), 0, &audit())
        .await;
    assert!(
        matches!(stale, Err(StoreError::StaleRating { .. })),
        "{stale:?}"
    );
    assert_eq!(generation(&store).await, g1);
    // Flash values are not data.
    store
        .keep_flash("t", "k", "1", std::time::Duration::from_secs(60), 4)
        .await
        .expect("flash");
    assert_eq!(generation(&store).await, g1);
}

#[tokio::test]
async fn two_handles_on_one_file_see_each_others_writes_and_generation() {
    let dir = std::env::temp_dir().join(format!("capacity-store-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let one = Store::open(&dir).await.expect("first server");
    let two = Store::open(&dir).await.expect("second server");
    let id = fresh_assessment(&one).await;
    let g = two.generation().await.expect("generation");
    let before = two.revision(id).await.expect("revision");
    one.save_rating(id, "X-1", "r1", &rating("C"), 0, &audit())
        .await
        .expect("saved through the first");
    assert!(two.generation().await.expect("generation") > g);
    assert!(two.revision(id).await.expect("revision") > before);
    // A stale save through the second is refused.
    let stale = two
        .save_rating(id, "X-1", "r1", &rating("A"), 0, &audit())
        .await;
    assert!(
        matches!(stale, Err(StoreError::StaleRating { .. })),
        "{stale:?}"
    );
    one.close().await;
    two.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The round a results page compares with, found by one query, is the one
/// the header lists give: the latest earlier round (by date, then id) of
/// the same commune and rubric version; for every sample.
#[tokio::test]
async fn the_previous_round_of_every_sample_is_the_latest_earlier_one() {
    let (store, _) = seeded().await;
    let all = store
        .list_assessments(&AssessmentFilter::default())
        .await
        .expect("list");
    let mut with_previous = 0;
    for h in &all {
        let expected = all
            .iter()
            .filter(|p| {
                p.commune_id == h.commune_id
                    && p.rubric == h.rubric
                    && p.rubric_version == h.rubric_version
                    && (p.date.as_str(), p.id) < (h.date.as_str(), h.id)
            })
            .max_by(|x, y| (x.date.as_str(), x.id).cmp(&(y.date.as_str(), y.id)))
            .map(|p| (p.id, p.revision));
        with_previous += usize::from(expected.is_some());
        let found = store.revisions_with_previous(h.id).await.expect("query");
        assert_eq!(found, Some((h.revision, expected)), "assessment {}", h.id);
    }
    assert!(
        with_previous > 0,
        "the samples have communes with two rounds"
    );
    assert_eq!(
        store.revisions_with_previous(-1).await.expect("query"),
        None
    );
}
