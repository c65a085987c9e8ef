//! The finalise gate's provisional mark and the council's own actions:
//! each write leaves exactly its event, a refused one none.

mod common;

use std::path::PathBuf;

use capacity::{Assessment, Commune, Rater, Role};
use capacity_store::{Audit, AuditFilter, NewCouncilAction, Store, StoreError};
use serde_json::{Value, json};

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

fn facilitator() -> Audit {
    Audit {
        actor_id: Some(3),
        actor: "Mariam".into(),
        request_id: "req-f".into(),
        address: "192.168.1.10".into(),
    }
}

async fn one_assessment() -> (common::TestStore, i64) {
    let store = common::store().await;
    let text = rubric_text();
    let parsed = capacity::CompiledRubric::from_toml(&text).expect("rubric");
    let rubric = parsed.rubric();
    store
        .put_rubric(rubric, &text, &Audit::system("import"))
        .await
        .expect("stored");
    let assessment = Assessment {
        format: 1,
        rubric: rubric.id.clone(),
        rubric_version: rubric.version.clone(),
        round: "2026".into(),
        date: "2026-01-06".into(),
        fictional: true,
        finalised: false,
        comment: None,
        commune: Commune {
            id: "c-gate".into(),
            name: "Sangha".into(),
            cercle: "Bandiagara".into(),
            region: "Mopti".into(),
            kind: Default::default(),
            population: None,
            setting: None,
            transferred: vec![],
        },
        raters: vec![Rater {
            id: "r0".into(),
            name: "Awa".into(),
            role: Role::Elected,
        }],
        answers: vec![],
        plan: Default::default(),
    };
    let id = store
        .insert_assessment(&assessment, &facilitator())
        .await
        .expect("created");
    (store, id)
}

/// `(kind, object, before, after, reason)` of the events of `kind`s.
async fn events(store: &Store, id: i64) -> Vec<(String, String, Value, Value, Option<String>)> {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .map_or(Value::Null, |t| serde_json::from_str(t).expect("JSON"))
    };
    store
        .audit_events(&AuditFilter {
            assessment: Some(id),
            ..AuditFilter::default()
        })
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind != "assessment.created" && e.kind != "rater.added")
        .map(|e| {
            (
                e.kind,
                e.object,
                parse(&e.before),
                parse(&e.after),
                e.reason,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_provisional_finalisation_keeps_its_reason_until_unlocked() {
    let (store, id) = one_assessment().await;
    let v = store
        .header(id)
        .await
        .expect("read")
        .expect("exists")
        .version;
    let refused = store
        .finalise_provisional(id, v, "  ", &facilitator())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert!(
        events(&store, id).await.is_empty(),
        "a refused write leaves no event"
    );

    let v = store
        .finalise_provisional(id, v, "deux indicateurs sans information", &facilitator())
        .await
        .expect("finalised");
    let h = store.header(id).await.expect("read").expect("exists");
    assert!(h.finalised);
    assert_eq!(
        h.provisional_reason.as_deref(),
        Some("deux indicateurs sans information")
    );
    let v = store
        .unlock(id, v, "compléter", &facilitator())
        .await
        .expect("unlocked");
    assert_eq!(
        store
            .header(id)
            .await
            .expect("read")
            .expect("exists")
            .provisional_reason,
        None
    );
    store
        .finalise(id, v, &facilitator())
        .await
        .expect("finalised complete");
    assert_eq!(
        store
            .header(id)
            .await
            .expect("read")
            .expect("exists")
            .provisional_reason,
        None
    );

    let got = events(&store, id).await;
    assert_eq!(got.len(), 3, "{got:#?}");
    assert_eq!(got[0].0, "assessment.finalised");
    assert_eq!(
        got[0].3,
        json!({"finalised": true, "reopened": false, "provisional": true})
    );
    assert_eq!(
        got[0].4.as_deref(),
        Some("deux indicateurs sans information")
    );
    assert_eq!(got[1].0, "assessment.unlocked");
    assert_eq!(got[2].0, "assessment.finalised");
}

#[tokio::test]
async fn council_actions_are_versioned_and_audited() {
    let (store, id) = one_assessment().await;
    let before = store
        .header(id)
        .await
        .expect("read")
        .expect("exists")
        .revision;
    let new = NewCouncilAction {
        indicator: "X-1".into(),
        title: "Classer les registres".into(),
        cost: "75000".into(),
        horizon: "short".into(),
        responsible: "Awa Traoré".into(),
        deadline: Some("2026-06-30".into()),
        status: "not_started".into(),
    };
    let action = store
        .add_council_action(id, &new, &facilitator())
        .await
        .expect("added");
    let rows = store.council_actions(id).await.expect("listed");
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].id, rows[0].version), (action, 1));
    assert_eq!(rows[0].title, "Classer les registres");
    assert!(
        store
            .header(id)
            .await
            .expect("read")
            .expect("exists")
            .revision
            > before
    );

    let stale = store
        .set_council_action_status(id, action, "done", 7, &facilitator())
        .await;
    assert!(
        matches!(stale, Err(StoreError::Stale { current: 1, .. })),
        "{stale:?}"
    );
    let other = store
        .set_council_action_status(id + 1, action, "done", 1, &facilitator())
        .await;
    assert!(
        matches!(other, Err(StoreError::NotFound { .. })),
        "{other:?}"
    );
    let v = store
        .set_council_action_status(id, action, "in_progress", 1, &facilitator())
        .await
        .expect("updated");
    assert_eq!(v, 2);
    assert_eq!(
        store.council_actions(id).await.expect("listed")[0].status,
        "in_progress"
    );

    let got = events(&store, id).await;
    assert_eq!(
        got,
        vec![
            (
                "plan.action_added".to_owned(),
                "X-1".to_owned(),
                Value::Null,
                json!({
                    "id": action,
                    "title": "Classer les registres",
                    "cost": "75000",
                    "horizon": "short",
                    "responsible": "Awa Traoré",
                    "deadline": "2026-06-30",
                    "status": "not_started",
                }),
                None,
            ),
            (
                "plan.action_updated".to_owned(),
                "X-1".to_owned(),
                json!({"id": action, "status": "not_started"}),
                json!({"id": action, "status": "in_progress"}),
                None,
            ),
        ]
    );
}

#[tokio::test]
async fn council_actions_are_edited_and_deleted_at_their_version_with_their_events() {
    let (store, id) = one_assessment().await;
    let new = NewCouncilAction {
        indicator: "X-1".into(),
        title: "Classer les registres".into(),
        cost: "75000".into(),
        horizon: "short".into(),
        responsible: "Awa Traoré".into(),
        deadline: None,
        status: "not_started".into(),
    };
    let action = store
        .add_council_action(id, &new, &facilitator())
        .await
        .expect("added");
    let v = store
        .set_council_action_status(id, action, "in_progress", 1, &facilitator())
        .await
        .expect("status");
    let changed = NewCouncilAction {
        cost: "60000".into(),
        responsible: "Moussa Diarra".into(),
        // The status has its own form: an edit keeps the stored one.
        status: "done".into(),
        ..new.clone()
    };
    let stale = store
        .update_council_action(id, action, &changed, 1, &facilitator())
        .await;
    assert!(
        matches!(stale, Err(StoreError::Stale { current: 2, .. })),
        "{stale:?}"
    );
    let v = store
        .update_council_action(id, action, &changed, v, &facilitator())
        .await
        .expect("edited");
    let rows = store.council_actions(id).await.expect("listed");
    assert_eq!(
        (
            rows[0].cost.as_str(),
            rows[0].status.as_str(),
            rows[0].version
        ),
        ("60000", "in_progress", v)
    );
    let stale = store
        .delete_council_action(id, action, v - 1, &facilitator())
        .await;
    assert!(matches!(stale, Err(StoreError::Stale { .. })), "{stale:?}");
    store
        .delete_council_action(id, action, v, &facilitator())
        .await
        .expect("deleted");
    assert!(store.council_actions(id).await.expect("listed").is_empty());
    let got: Vec<(String, Value, Value)> = events(&store, id)
        .await
        .into_iter()
        .skip(2)
        .map(|(kind, _, before, after, _)| (kind, before, after))
        .collect();
    let was = json!({
        "id": action, "title": "Classer les registres", "cost": "75000", "horizon": "short",
        "responsible": "Awa Traoré", "deadline": null, "status": "in_progress",
    });
    let now = json!({
        "id": action, "title": "Classer les registres", "cost": "60000", "horizon": "short",
        "responsible": "Moussa Diarra", "deadline": null, "status": "in_progress",
    });
    assert_eq!(
        got,
        vec![
            ("plan.action_updated".to_owned(), was, now.clone()),
            ("plan.action_deleted".to_owned(), now, Value::Null),
        ]
    );
}

/// The council's plan rows come back with the assessment as the core reads
/// them (`Assessment::plan`), in every read that hands out assessments; a
/// council action whose stored cost does not read is left aside, not
/// priced at zero.
#[tokio::test]
async fn plan_decisions_come_with_the_assessment() {
    let (store, id) = one_assessment().await;
    let audit = facilitator();
    store
        .save_plan_adjustment(id, "ADM-EC-01/C/1", false, None, 0, &audit)
        .await
        .expect("dropped");
    store
        .save_plan_adjustment(id, "ADM-OI-01/D/0", true, Some("90000"), 0, &audit)
        .await
        .expect("cost kept");
    let action = |title: &str, cost: &str| NewCouncilAction {
        indicator: "ADM-EC-01".into(),
        title: title.into(),
        cost: cost.into(),
        horizon: "medium".into(),
        responsible: "Awa".into(),
        deadline: Some("2026-12-31".into()),
        status: "in_progress".into(),
    };
    let kept = store
        .add_council_action(id, &action("Archiver", "75000"), &audit)
        .await
        .expect("added");
    // The store checks structure, not meaning: another program may have
    // written a cost that does not read.
    store
        .add_council_action(id, &action("Illisible", "beaucoup"), &audit)
        .await
        .expect("added");
    let expected = capacity::PlanDecisions {
        decisions: vec![
            capacity::ActionDecision {
                action: "ADM-EC-01/C/1".into(),
                decision: capacity::Decision::Dropped,
                cost: None,
            },
            capacity::ActionDecision {
                action: "ADM-OI-01/D/0".into(),
                decision: capacity::Decision::Accepted,
                cost: Some(90_000.into()),
            },
        ],
        council: vec![capacity::CouncilActionInput {
            key: kept.to_string(),
            indicator: "ADM-EC-01".into(),
            title: "Archiver".into(),
            cost: 75_000.into(),
            horizon: capacity::Horizon::Medium,
            responsible: "Awa".into(),
            deadline: Some("2026-12-31".into()),
            status: capacity::ActionStatus::InProgress,
        }],
    };
    let one = store.assessment(id).await.expect("read").expect("exists");
    assert_eq!(one.assessment.plan, expected);
    let all = store
        .load_assessments(&Default::default())
        .await
        .expect("read");
    assert_eq!(all[0].assessment.plan, expected);
    let with_results = store
        .assessments_with_results(&Default::default(), "any")
        .await
        .expect("read");
    assert_eq!(with_results[0].plan, expected);
    // Written to a file and read back: the same decisions.
    let text = one.assessment.to_toml();
    assert_eq!(
        capacity::Assessment::from_toml(&text)
            .expect("reads back")
            .plan,
        expected
    );
}
