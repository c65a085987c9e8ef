//! Campaigns: every assessment belongs to one; a declared campaign takes
//! only what fits it (rubric version, scope, window); an assessment that
//! comes without one joins its round's campaign; editing a campaign keeps
//! its assessments inside it; each write leaves its events.

mod common;

use std::path::PathBuf;

use capacity::{Assessment, Commune};
use capacity_store::{AssessmentFilter, Audit, AuditFilter, NewCampaign, StoreError};

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

fn planner() -> Audit {
    Audit {
        actor_id: Some(2),
        actor: "planificateur".into(),
        request_id: "req-p".into(),
        address: "10.0.0.2".into(),
    }
}

/// A store with the first rubric; its id and version.
async fn store() -> (common::TestStore, String, String) {
    let store = common::store().await;
    let text = rubric_text();
    let parsed = capacity::CompiledRubric::from_toml(&text).expect("rubric");
    store
        .put_rubric(parsed.rubric(), &text, &Audit::system("import"))
        .await
        .expect("stored");
    let (id, version) = (parsed.rubric().id.clone(), parsed.rubric().version.clone());
    (store, id, version)
}

fn assessment(rubric: &str, version: &str, commune: &str, round: &str, date: &str) -> Assessment {
    Assessment {
        format: 1,
        rubric: rubric.into(),
        rubric_version: version.into(),
        round: round.into(),
        date: date.into(),
        fictional: true,
        finalised: false,
        comment: None,
        commune: Commune {
            id: commune.into(),
            name: format!("Commune {commune}"),
            cercle: "Cercle".into(),
            region: "Région".into(),
            kind: Default::default(),
            population: None,
            setting: None,
            transferred: vec![],
        },
        raters: vec![],
        answers: vec![],
        plan: Default::default(),
    }
}

fn campaign(rubric: &str, version: &str, communes: &[&str]) -> NewCampaign {
    NewCampaign {
        id: "mopti-2026".into(),
        label: "2026".into(),
        rubric_id: rubric.into(),
        rubric_version: version.into(),
        starts: "2026-01-01".into(),
        ends: "2026-06-30".into(),
        verification_required: true,
        communes: communes.iter().map(|c| (*c).to_owned()).collect(),
    }
}

#[tokio::test]
async fn assessments_without_a_campaign_join_their_rounds_campaign() {
    let (store, rubric, version) = store().await;
    let a = store
        .insert_assessment(
            &assessment(&rubric, &version, "c1", "2025", "2025-03-04"),
            &Audit::system("seed"),
        )
        .await
        .expect("first");
    let b = store
        .insert_assessment(
            &assessment(&rubric, &version, "c2", "2025", "2026-01-10"),
            &Audit::system("seed"),
        )
        .await
        .expect("second");
    let ha = store.header(a).await.expect("read").expect("a");
    let hb = store.header(b).await.expect("read").expect("b");
    let expected_id = format!("{rubric}-2025");
    assert_eq!(ha.campaign_id, expected_id);
    assert_eq!(hb.campaign_id, expected_id);
    let k = store
        .campaign(&expected_id)
        .await
        .expect("read")
        .expect("campaign");
    assert!(k.implicit);
    assert_eq!(k.label, "2025");
    // The year, widened to the late workshop.
    assert_eq!(
        (k.starts.as_str(), k.ends.as_str()),
        ("2025-01-01", "2026-01-10")
    );
    assert_eq!((k.communes, k.assessments), (2, 2));
    assert_eq!(
        store.campaign_communes(&expected_id).await.expect("scope"),
        vec!["c1".to_owned(), "c2".to_owned()]
    );
    let filter = AssessmentFilter {
        campaign: Some(expected_id.clone()),
        ..Default::default()
    };
    assert_eq!(
        store.list_assessments(&filter).await.expect("list").len(),
        2
    );
    // The campaign list, whole and of one rubric.
    let ids = |rows: Vec<capacity_store::CampaignRow>| -> Vec<String> {
        rows.into_iter().map(|k| k.id).collect()
    };
    let all = store.campaigns(None).await.expect("all campaigns");
    assert_eq!(ids(all), vec![expected_id.clone()]);
    let of_rubric = store.campaigns(Some(&rubric)).await.expect("of the rubric");
    assert_eq!(ids(of_rubric), vec![expected_id.clone()]);
    let of_other = store
        .campaigns(Some("no-such-rubric"))
        .await
        .expect("of another");
    assert!(of_other.is_empty());
}

#[tokio::test]
async fn a_declared_campaign_takes_only_what_fits_it() {
    let (store, rubric, version) = store().await;
    // The communes must exist before a scope names them.
    store
        .insert_assessment(
            &assessment(&rubric, &version, "c1", "2025", "2025-03-04"),
            &Audit::system("seed"),
        )
        .await
        .expect("c1");
    store
        .insert_assessment(
            &assessment(&rubric, &version, "c2", "2025", "2025-03-04"),
            &Audit::system("seed"),
        )
        .await
        .expect("c2");
    store
        .create_campaign(&campaign(&rubric, &version, &["c1"]), &planner())
        .await
        .expect("declared");
    let k = store
        .campaign("mopti-2026")
        .await
        .expect("read")
        .expect("campaign");
    assert!(!k.implicit && k.verification_required);

    // Outside the window.
    let late = assessment(&rubric, &version, "c1", "x", "2026-07-01");
    let err = store
        .insert_assessment_in(&late, Some("mopti-2026"), &planner())
        .await;
    assert!(
        matches!(&err, Err(StoreError::Invalid(m)) if m.contains("outside campaign mopti-2026")),
        "{err:?}"
    );
    // Out of scope.
    let other = assessment(&rubric, &version, "c2", "x", "2026-02-01");
    let err = store
        .insert_assessment_in(&other, Some("mopti-2026"), &planner())
        .await;
    assert!(
        matches!(&err, Err(StoreError::Invalid(m)) if m.contains("not in the scope")),
        "{err:?}"
    );
    // Another rubric version.
    let wrong = assessment(&rubric, "0.0.1", "c1", "x", "2026-02-01");
    let err = store
        .insert_assessment_in(&wrong, Some("mopti-2026"), &planner())
        .await;
    assert!(
        matches!(&err, Err(StoreError::Invalid(m)) if m.contains("uses rubric")),
        "{err:?}"
    );
    // Unknown campaign.
    let err = store
        .insert_assessment_in(&other, Some("nope"), &planner())
        .await;
    assert!(matches!(err, Err(StoreError::NotFound { .. })), "{err:?}");

    // What fits: the round label is the campaign's label.
    let fits = assessment(&rubric, &version, "c1", "anything", "2026-02-01");
    let id = store
        .insert_assessment_in(&fits, Some("mopti-2026"), &planner())
        .await
        .expect("fits");
    let h = store.header(id).await.expect("read").expect("header");
    assert_eq!(
        (h.campaign_id.as_str(), h.round.as_str()),
        ("mopti-2026", "2026")
    );
    // Once per commune.
    let err = store
        .insert_assessment_in(&fits, Some("mopti-2026"), &planner())
        .await;
    assert!(matches!(err, Err(StoreError::Conflict { .. })), "{err:?}");
    // A file of round 2026 for c1 joins the declared campaign... and is
    // refused, since c1 has its assessment there already.
    let file = assessment(&rubric, &version, "c1", "2026", "2026-03-01");
    let err = store
        .insert_assessment(&file, &Audit::system("import"))
        .await;
    assert!(matches!(err, Err(StoreError::Conflict { .. })), "{err:?}");
}

#[tokio::test]
async fn editing_a_campaign_keeps_its_assessments_inside() {
    let (store, rubric, version) = store().await;
    store
        .insert_assessment(
            &assessment(&rubric, &version, "c1", "2025", "2025-03-04"),
            &Audit::system("seed"),
        )
        .await
        .expect("c1");
    store
        .insert_assessment(
            &assessment(&rubric, &version, "c2", "2025", "2025-03-04"),
            &Audit::system("seed"),
        )
        .await
        .expect("c2");
    store
        .create_campaign(&campaign(&rubric, &version, &["c1", "c2"]), &planner())
        .await
        .expect("declared");
    store
        .insert_assessment_in(
            &assessment(&rubric, &version, "c1", "", "2026-03-10"),
            Some("mopti-2026"),
            &planner(),
        )
        .await
        .expect("in");
    let mut edit = campaign(&rubric, &version, &["c1"]);
    edit.ends = "2026-03-01".into();
    let err = store.update_campaign(&edit, 1, &planner()).await;
    assert!(
        matches!(&err, Err(StoreError::Invalid(m)) if m.contains("c1 (2026-03-10)")),
        "{err:?}"
    );
    edit.ends = "2026-12-31".into();
    edit.communes = vec!["c2".into()];
    let err = store.update_campaign(&edit, 1, &planner()).await;
    assert!(
        matches!(&err, Err(StoreError::Invalid(m)) if m.contains("must stay in its scope: c1")),
        "{err:?}"
    );
    edit.communes = vec!["c1".into()];
    edit.label = "2026 (Mopti)".into();
    let version_now = store
        .update_campaign(&edit, 1, &planner())
        .await
        .expect("edited");
    assert_eq!(version_now, 2);
    let stale = store.update_campaign(&edit, 1, &planner()).await;
    assert!(
        matches!(stale, Err(StoreError::Stale { current: 2, .. })),
        "{stale:?}"
    );
    let headers = store
        .list_assessments(&AssessmentFilter {
            campaign: Some("mopti-2026".into()),
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(headers.len(), 1);
    assert_eq!(headers[0].round, "2026 (Mopti)");

    let events = store
        .audit_events(&AuditFilter::default())
        .await
        .expect("trail");
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e.kind.starts_with("campaign."))
        .map(|e| (e.kind.as_str(), e.object.as_str()))
        .collect();
    let implicit = format!("{rubric}-2025");
    assert_eq!(
        kinds,
        vec![
            ("campaign.created", implicit.as_str()),
            ("campaign.created", "mopti-2026"),
            ("campaign.updated", "mopti-2026"),
        ]
    );
    let updated = events
        .iter()
        .find(|e| e.kind == "campaign.updated")
        .expect("updated event");
    assert_eq!(updated.actor, "planificateur");
    assert!(
        updated
            .before
            .as_deref()
            .is_some_and(|b| b.contains("\"ends\":\"2026-06-30\""))
    );
    assert!(
        updated
            .after
            .as_deref()
            .is_some_and(|a| a.contains("2026 (Mopti)"))
    );
}

#[tokio::test]
async fn rows_older_than_campaigns_are_attached_on_open() {
    let first = common::shared_store("campaigns").await;
    {
        let store = &first;
        let text = rubric_text();
        let parsed = capacity::CompiledRubric::from_toml(&text).expect("rubric");
        store
            .put_rubric(parsed.rubric(), &text, &Audit::system("import"))
            .await
            .expect("stored");
        let r = parsed.rubric();
        store
            .insert_assessment(
                &assessment(&r.id, &r.version, "c1", "2024", "2024-05-05"),
                &Audit::system("seed"),
            )
            .await
            .expect("in");
        store.close().await;
    }
    // As a database of the previous schema holds it: no campaign.
    {
        let mut conn = first.plain_connection().await;
        sqlx::query("UPDATE assessment SET campaign_id = NULL")
            .execute(&mut conn)
            .await
            .expect("detached");
        sqlx::query("DELETE FROM campaign_commune")
            .execute(&mut conn)
            .await
            .expect("scope");
        sqlx::query("DELETE FROM campaign")
            .execute(&mut conn)
            .await
            .expect("campaigns");
    }
    let store = first.another_handle().await;
    let headers = store
        .list_assessments(&AssessmentFilter::default())
        .await
        .expect("list");
    assert_eq!(headers.len(), 1);
    assert!(
        headers[0].campaign_id.ends_with("-2024"),
        "{:?}",
        headers[0].campaign_id
    );
    let events = store
        .audit_events(&AuditFilter::default())
        .await
        .expect("trail");
    assert!(events.iter().any(|e| e.kind == "assessment.campaign_set"));
    store.close().await;
}
