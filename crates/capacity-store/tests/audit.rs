//! The audit trail of an assessment's whole path: creation, raters, two
//! raters saving, clearing and saving again, the consensus, the plan, the
//! finalisation, an unlock with its reason and a second finalisation. Each
//! write leaves exactly its event, with the values before and after; a
//! refused write leaves none; the trail filters by assessment, indicator
//! and kind.

mod common;

use std::path::PathBuf;

use capacity::{Answer, Assessment, Commune, Consensus, Rater, Role};
use capacity_store::{Audit, AuditEvent, AuditFilter, RatingInput, Store, StoreError};
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

/// A facilitator with an account.
fn facilitator() -> Audit {
    Audit {
        actor_id: Some(3),
        actor: "Mariam (facilitatrice)".into(),
        request_id: "req-f".into(),
        address: "192.168.1.10".into(),
    }
}

/// A rater with an account.
fn rater_audit(id: i64, name: &str) -> Audit {
    Audit {
        actor_id: Some(id),
        actor: name.into(),
        request_id: format!("req-{id}"),
        address: "192.168.1.20".into(),
    }
}

fn commune() -> Commune {
    Commune {
        id: "c-audit".into(),
        name: "Sangha".into(),
        cercle: "Bandiagara".into(),
        region: "Mopti".into(),
        kind: Default::default(),
        population: Some(12000),
        setting: None,
        transferred: vec![],
    }
}

fn rating(level: &str, evidence: &str) -> RatingInput {
    RatingInput {
        level: level.into(),
        evidence: Some(evidence.into()),
        refs: vec!["PV 12".into()],
    }
}

fn json_of(text: &Option<String>) -> Option<Value> {
    text.as_deref()
        .map(|t| serde_json::from_str(t).expect("JSON object"))
}

/// What is compared of an event.
#[derive(Debug, PartialEq)]
struct Seen {
    kind: String,
    object: String,
    indicator: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
    reason: Option<String>,
}

fn seen(events: &[AuditEvent]) -> Vec<Seen> {
    events
        .iter()
        .map(|e| Seen {
            kind: e.kind.clone(),
            object: e.object.clone(),
            indicator: e.indicator.clone(),
            before: json_of(&e.before),
            after: json_of(&e.after),
            reason: e.reason.clone(),
        })
        .collect()
}

fn event(kind: &str, object: &str, before: Option<Value>, after: Option<Value>) -> Seen {
    Seen {
        kind: kind.into(),
        object: object.into(),
        indicator: None,
        before,
        after,
        reason: None,
    }
}

fn on(indicator: &str, mut seen: Seen) -> Seen {
    seen.indicator = Some(indicator.into());
    seen
}

fn with_reason(reason: &str, mut seen: Seen) -> Seen {
    seen.reason = Some(reason.into());
    seen
}

async fn all_events(store: &Store) -> Vec<AuditEvent> {
    store
        .audit_events(&AuditFilter::default())
        .await
        .expect("events")
}

async fn count(store: &Store) -> usize {
    all_events(store).await.len()
}

#[tokio::test]
async fn the_whole_path_of_an_assessment_leaves_its_events_in_order() {
    let store = common::store().await;
    let system = Audit::system("import");
    let awa = rater_audit(11, "Awa");
    let sidi = rater_audit(12, "Sidi");

    // Rubric, commune and assessment.
    let text = rubric_text();
    let parsed = capacity::CompiledRubric::from_toml(&text).expect("rubric");
    let rubric = parsed.rubric();
    assert!(
        store
            .put_rubric(rubric, &text, &system)
            .await
            .expect("stored")
    );
    // The same text again stores nothing.
    assert!(
        !store
            .put_rubric(rubric, &text, &system)
            .await
            .expect("same")
    );
    let assessment = Assessment {
        format: 1,
        rubric: rubric.id.clone(),
        rubric_version: rubric.version.clone(),
        round: "2026".into(),
        date: "2026-12-06".into(),
        fictional: true,
        finalised: false,
        comment: None,
        commune: commune(),
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
    store
        .add_rater(
            id,
            &Rater {
                id: "r1".into(),
                name: "Sidi".into(),
                role: Role::Citizen,
            },
            &facilitator(),
        )
        .await
        .expect("rater added");

    // Two raters save, change, clear and save again.
    let a1 = store
        .save_rating(id, "X-1", "r0", &rating("C", "budget voté"), 0, &awa)
        .await
        .expect("r0 first");
    let b1 = store
        .save_rating(id, "X-1", "r1", &rating("B", "affiché"), 0, &sidi)
        .await
        .expect("r1 first");
    let a2 = store
        .save_rating(id, "X-1", "r0", &rating("D", "revu"), a1.version, &awa)
        .await
        .expect("r0 changed");
    let cleared = store
        .clear_rating_returning_version(id, "X-1", "r1", b1.version, &sidi)
        .await
        .expect("r1 cleared");
    store
        .save_rating(id, "X-1", "r1", &rating("A", "après débat"), cleared, &sidi)
        .await
        .expect("r1 again");
    store
        .save_rating(id, "X-2", "r0", &rating("B", "registre"), 0, &awa)
        .await
        .expect("r0 on X-2");

    // Refused writes leave nothing: stale, unknown rater or assessment,
    // clearing nothing.
    let before_refusals = count(&store).await;
    assert!(matches!(
        store
            .save_rating(id, "X-1", "r0", &rating("A", "late"), a1.version, &awa)
            .await,
        Err(StoreError::StaleRating { .. })
    ));
    assert!(matches!(
        store
            .save_rating(id, "X-1", "r9", &rating("A", "ghost"), 0, &awa)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store
            .save_rating(id + 1000, "X-1", "r0", &rating("A", "nowhere"), 0, &awa)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store
            .clear_rating_returning_version(id + 1000, "X-1", "r0", 0, &awa)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store
            .clear_rating_returning_version(id, "X-3", "r0", 0, &awa)
            .await
            .expect("nothing to clear"),
        0
    );
    assert_eq!(count(&store).await, before_refusals);

    // The consensus, then a change of it; a stale one is refused.
    let mut answer = Answer {
        indicator: "X-1".into(),
        target: None,
        comment: None,
        consensus: Some(Consensus {
            level: "C".into(),
            justification: Some("accord".into()),
        }),
        ratings: vec![],
    };
    let v = store
        .save_answer(id, "X-1", &answer, 0, &facilitator())
        .await
        .expect("consensus");
    answer.target = Some("B".into());
    answer.comment = Some("à suivre".into());
    store
        .save_answer(id, "X-1", &answer, v, &facilitator())
        .await
        .expect("consensus changed");
    assert!(matches!(
        store
            .save_answer(id, "X-1", &answer, v, &facilitator())
            .await,
        Err(StoreError::Stale { .. })
    ));

    // The plan.
    let p = store
        .save_plan_adjustment(id, "X-1/C/0", false, None, 0, &facilitator())
        .await
        .expect("dropped");
    store
        .save_plan_adjustment(id, "X-1/C/0", true, Some("125000"), p, &facilitator())
        .await
        .expect("kept with a cost");
    assert!(matches!(
        store
            .save_plan_adjustment(id, "X-1/C/0", true, None, p, &facilitator())
            .await,
        Err(StoreError::Stale { .. })
    ));

    // Finalised, then a save is refused (locked) and leaves nothing.
    let header = store.header(id).await.expect("read").expect("exists");
    assert!(!header.reopened);
    assert!(matches!(
        store
            .unlock(id, header.version, "typo", &facilitator())
            .await,
        Err(StoreError::NotFinalised { .. })
    ));
    let v_final = store
        .finalise(id, header.version, &facilitator())
        .await
        .expect("finalised");
    let before_locked = count(&store).await;
    assert!(matches!(
        store
            .save_rating(id, "X-1", "r0", &rating("A", "late"), a2.version, &awa)
            .await,
        Err(StoreError::Locked { .. })
    ));
    assert!(matches!(
        store.finalise(id, v_final, &facilitator()).await,
        Err(StoreError::Locked { .. })
    ));
    // Unlocking needs a reason and the current version.
    assert!(matches!(
        store.unlock(id, v_final, "  ", &facilitator()).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .unlock(id, v_final - 1, "erreur de saisie", &facilitator())
            .await,
        Err(StoreError::Stale { .. })
    ));
    assert!(matches!(
        store
            .unlock(id + 100, v_final, "erreur de saisie", &facilitator())
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(count(&store).await, before_locked);

    let revision = store.revision(id).await.expect("read").expect("exists");
    let v_open = store
        .unlock(id, v_final, " erreur de saisie sur X-1 ", &facilitator())
        .await
        .expect("unlocked");
    assert_eq!(v_open, v_final + 1);
    let header = store.header(id).await.expect("read").expect("exists");
    assert!(!header.finalised && header.reopened);
    assert_eq!(header.version, v_open);
    assert_eq!(header.revision, revision + 1);
    let listed = store
        .list_assessments(&Default::default())
        .await
        .expect("list");
    assert!(listed[0].reopened);
    // Editable again.
    store
        .save_rating(id, "X-1", "r0", &rating("C", "corrigé"), a2.version, &awa)
        .await
        .expect("corrected");
    let v_final2 = store
        .finalise(id, v_open, &facilitator())
        .await
        .expect("finalised again");
    let header = store.header(id).await.expect("read").expect("exists");
    assert!(header.finalised && !header.reopened);
    assert_eq!(header.version, v_final2);
    // A plan stays adjustable when finalised.
    store
        .save_plan_adjustment(id, "X-2/B/0", false, None, 0, &facilitator())
        .await
        .expect("plan after finalisation");

    // The commune: the same attributes write nothing, a change is an event.
    let mut c = commune();
    store.upsert_commune(&c, &system).await.expect("same");
    c.population = Some(12500);
    store.upsert_commune(&c, &system).await.expect("changed");

    let events = all_events(&store).await;
    let commune_json = |population: u64| {
        let mut c = commune();
        c.population = Some(population);
        serde_json::to_value(c).expect("commune JSON")
    };
    let r = |level: &str, evidence: &str| {
        Some(json!({"level": level, "evidence": evidence, "refs": ["PV 12"]}))
    };
    let lock = |finalised: bool, reopened: bool| {
        Some(json!({"finalised": finalised, "reopened": reopened}))
    };
    let expected = vec![
        event(
            "rubric.stored",
            &format!("{} {}", rubric.id, rubric.version),
            None,
            Some(json!({"id": rubric.id, "version": rubric.version, "title_fr": rubric.title.fr})),
        ),
        event("commune.saved", "c-audit", None, Some(commune_json(12000))),
        // The assessment came without a campaign: it makes its round's.
        event(
            "campaign.created",
            &format!("{}-2026", rubric.id),
            None,
            Some(json!({
                "label": "2026",
                "rubric": rubric.id,
                "rubric_version": rubric.version,
                "starts": "2026-01-01",
                "ends": "2026-12-31",
                "implicit": true,
            })),
        ),
        event(
            "assessment.created",
            "c-audit / 2026",
            None,
            Some(json!({
                "commune": "c-audit",
                "rubric": rubric.id,
                "rubric_version": rubric.version,
                "round": "2026",
                "campaign": format!("{}-2026", rubric.id),
                "date": "2026-12-06",
                "fictional": true,
                "finalised": false,
                "raters": [{"id": "r0", "name": "Awa", "role": "elected"}],
                "answers": 0,
                "ratings": 0,
            })),
        ),
        event(
            "rater.added",
            "r1",
            None,
            Some(json!({"id": "r1", "name": "Sidi", "role": "citizen"})),
        ),
        on(
            "X-1",
            event("rating.saved", "X-1 / r0", None, r("C", "budget voté")),
        ),
        on(
            "X-1",
            event("rating.saved", "X-1 / r1", None, r("B", "affiché")),
        ),
        on(
            "X-1",
            event(
                "rating.saved",
                "X-1 / r0",
                r("C", "budget voté"),
                r("D", "revu"),
            ),
        ),
        on(
            "X-1",
            event("rating.cleared", "X-1 / r1", r("B", "affiché"), None),
        ),
        on(
            "X-1",
            event("rating.saved", "X-1 / r1", None, r("A", "après débat")),
        ),
        on(
            "X-2",
            event("rating.saved", "X-2 / r0", None, r("B", "registre")),
        ),
        on(
            "X-1",
            event(
                "consensus.saved",
                "X-1",
                None,
                Some(json!({
                    "consensus_level": "C",
                    "justification": "accord",
                    "target": null,
                    "comment": null,
                })),
            ),
        ),
        on(
            "X-1",
            event(
                "consensus.saved",
                "X-1",
                Some(json!({
                    "consensus_level": "C",
                    "justification": "accord",
                    "target": null,
                    "comment": null,
                })),
                Some(json!({
                    "consensus_level": "C",
                    "justification": "accord",
                    "target": "B",
                    "comment": "à suivre",
                })),
            ),
        ),
        event(
            "plan.adjusted",
            "X-1/C/0",
            None,
            Some(json!({"accepted": false, "cost_override": null})),
        ),
        event(
            "plan.adjusted",
            "X-1/C/0",
            Some(json!({"accepted": false, "cost_override": null})),
            Some(json!({"accepted": true, "cost_override": "125000"})),
        ),
        event(
            "assessment.finalised",
            "c-audit / 2026",
            lock(false, false),
            lock(true, false),
        ),
        with_reason(
            "erreur de saisie sur X-1",
            event(
                "assessment.unlocked",
                "c-audit / 2026",
                lock(true, false),
                lock(false, true),
            ),
        ),
        on(
            "X-1",
            event(
                "rating.saved",
                "X-1 / r0",
                r("D", "revu"),
                r("C", "corrigé"),
            ),
        ),
        event(
            "assessment.finalised",
            "c-audit / 2026",
            lock(false, true),
            lock(true, false),
        ),
        event(
            "plan.adjusted",
            "X-2/B/0",
            None,
            Some(json!({"accepted": false, "cost_override": null})),
        ),
        event(
            "commune.saved",
            "c-audit",
            Some(commune_json(12000)),
            Some(commune_json(12500)),
        ),
    ];
    let got = seen(&events);
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (i, (got, expected)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(got, expected, "event {i}");
    }

    // Who and where.
    for e in &events {
        let assessment_event = !matches!(
            e.kind.as_str(),
            "rubric.stored" | "commune.saved" | "campaign.created"
        );
        assert_eq!(
            e.assessment_id,
            assessment_event.then_some(id),
            "{}",
            e.kind
        );
        assert!(e.at.ends_with('Z') && e.at.len() == 24, "{}", e.at);
    }
    assert_eq!(events[0].actor, "system");
    assert_eq!(events[0].request_id, "import");
    assert_eq!(events[5].actor_id, Some(11));
    assert_eq!(events[5].actor, "Awa");
    assert_eq!(events[6].actor_id, Some(12));
    assert_eq!(events[6].address, "192.168.1.20");
    // The campaign made for the assessment is the creator's act too.
    assert_eq!(events[2].actor, "Mariam (facilitatrice)");
    assert_eq!(events[3].actor, "Mariam (facilitatrice)");
    // Ascending ids.
    assert!(events.windows(2).all(|w| w[0].id < w[1].id));

    // Filters: one assessment, one indicator, one kind, one actor, paging.
    let of = |filter: AuditFilter| {
        let store = store.clone();
        async move { store.audit_events(&filter).await.expect("events") }
    };
    let x1 = of(AuditFilter {
        assessment: Some(id),
        indicator: Some("X-1".into()),
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(
        x1.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        [
            "rating.saved",
            "rating.saved",
            "rating.saved",
            "rating.cleared",
            "rating.saved",
            "consensus.saved",
            "consensus.saved",
            "rating.saved",
        ]
    );
    assert!(
        of(AuditFilter {
            assessment: Some(id + 1),
            ..AuditFilter::default()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        of(AuditFilter {
            assessment: Some(id),
            ..AuditFilter::default()
        })
        .await
        .len(),
        // All but the rubric, the commune and the campaign.
        events.len() - 4
    );
    let by_sidi = of(AuditFilter {
        actor_id: Some(12),
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(by_sidi.len(), 3);
    let unlocks = of(AuditFilter {
        kind: Some("assessment.unlocked".into()),
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(unlocks.len(), 1);
    let page = of(AuditFilter {
        assessment: Some(id),
        after_id: Some(events[4].id),
        limit: Some(2),
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        [events[5].id, events[6].id]
    );
}

#[tokio::test]
async fn a_stale_or_locked_write_leaves_no_event() {
    let store = common::store().await;
    let text = rubric_text();
    let parsed = capacity::CompiledRubric::from_toml(&text).expect("rubric");
    store
        .put_rubric(parsed.rubric(), &text, &Audit::system("test"))
        .await
        .expect("rubric");
    let assessment = Assessment {
        format: 1,
        rubric: parsed.rubric().id.clone(),
        rubric_version: parsed.rubric().version.clone(),
        round: "2026".into(),
        date: "2026-12-06".into(),
        fictional: true,
        finalised: false,
        comment: None,
        commune: commune(),
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
    let n = count(&store).await;
    // The same assessment again: a conflict, and neither the commune nor
    // the assessment has a new event.
    assert!(matches!(
        store.insert_assessment(&assessment, &facilitator()).await,
        Err(StoreError::Conflict { .. })
    ));
    // A rater added twice.
    assert!(matches!(
        store
            .add_rater(
                id,
                &Rater {
                    id: "r0".into(),
                    name: "Awa".into(),
                    role: Role::Elected,
                },
                &facilitator()
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    // A stale finalisation.
    assert!(matches!(
        store.finalise(id, 99, &facilitator()).await,
        Err(StoreError::Stale { .. })
    ));
    // A changed commune with a conflicting assessment: the whole write is
    // rolled back, the commune's event with it.
    let mut moved = assessment.clone();
    moved.commune.population = Some(1);
    assert!(matches!(
        store.insert_assessment(&moved, &facilitator()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        store
            .commune("c-audit")
            .await
            .expect("read")
            .expect("exists")
            .commune
            .population,
        Some(12000)
    );
    assert_eq!(count(&store).await, n);
}
