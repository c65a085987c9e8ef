//! The commune register: add, edit at a version (a stale edit carries the
//! commune as stored now), deactivate, merge (assessments kept), a
//! commune's territory over time (headers show the territory of their
//! date), imports in one transaction, and the limit of raters.

mod common;

use std::path::PathBuf;

use capacity::{Assessment, Commune, Rater, Role};
use capacity_store::{
    AssessmentFilter, Audit, AuditFilter, MAX_RATERS, RegisterImport, Store, StoreError,
    TerritoryRow,
};

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

fn admin() -> Audit {
    Audit {
        actor_id: Some(1),
        actor: "admin".into(),
        request_id: "req-a".into(),
        address: "127.0.0.1".into(),
    }
}

fn commune(id: &str, name: &str) -> Commune {
    Commune {
        id: id.into(),
        name: name.into(),
        cercle: "Bandiagara".into(),
        region: "Mopti".into(),
        kind: Default::default(),
        population: Some(30_000),
        setting: None,
        transferred: vec![],
    }
}

/// A store with the rubric and an assessment of `c` dated `date` with
/// `raters` raters.
async fn assessment(
    store: &Store,
    c: &Commune,
    round: &str,
    date: &str,
    raters: usize,
) -> Result<i64, StoreError> {
    let text = rubric_text();
    let parsed = capacity::CompiledRubric::from_toml(&text).expect("rubric");
    let rubric = parsed.rubric();
    store
        .put_rubric(rubric, &text, &Audit::system("import"))
        .await?;
    let a = Assessment {
        format: 1,
        rubric: rubric.id.clone(),
        rubric_version: rubric.version.clone(),
        round: round.into(),
        date: date.into(),
        fictional: true,
        finalised: false,
        comment: None,
        commune: c.clone(),
        raters: (0..raters)
            .map(|i| Rater {
                id: format!("r{i}"),
                name: format!("Rater {i}"),
                role: Role::Elected,
            })
            .collect(),
        answers: vec![],
        plan: Default::default(),
    };
    store.insert_assessment(&a, &Audit::system("test")).await
}

async fn kinds(store: &Store) -> Vec<String> {
    store
        .audit_events(&AuditFilter::default())
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("commune."))
        .collect()
}

#[tokio::test]
async fn add_edit_stale_deactivate_and_merge() {
    let store = common::store().await;
    let row = store
        .create_commune(&commune("ml-a", "A"), &admin())
        .await
        .expect("created");
    assert_eq!((row.version, row.active), (1, true));
    let refused = store
        .create_commune(&commune("ml-a", "A bis"), &admin())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict { .. })),
        "{refused:?}"
    );

    let mut edited = commune("ml-a", "A-ville");
    edited.population = Some(31_000);
    let row = store
        .update_commune(&edited, 1, &admin())
        .await
        .expect("edited");
    assert_eq!(row.version, 2);
    assert_eq!(row.commune, edited);
    // A second edit at the version read before is refused with the newer data.
    match store
        .update_commune(&commune("ml-a", "Other"), 1, &admin())
        .await
    {
        Err(StoreError::StaleCommune { expected, current }) => {
            assert_eq!(expected, 1);
            assert_eq!(current.version, 2);
            assert_eq!(current.commune.name, "A-ville");
        }
        other => panic!("expected a stale refusal, got {other:?}"),
    }
    let a = assessment(&store, &edited, "2024", "2024-05-01", 2)
        .await
        .expect("assessment of A");
    let b = store
        .create_commune(&commune("ml-b", "B"), &admin())
        .await
        .expect("B");
    let row = store.commune("ml-a").await.expect("read").expect("A");
    let off = store
        .set_commune_active("ml-a", false, row.version, &admin())
        .await
        .expect("deactivated");
    assert!(!off.active);
    let active = store
        .communes(&capacity_store::CommuneFilter {
            active_only: true,
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(
        active
            .iter()
            .map(|r| r.commune.id.as_str())
            .collect::<Vec<_>>(),
        ["ml-b"]
    );
    // Merging: refused into itself and at a stale version; then A goes into B.
    assert!(matches!(
        store
            .merge_commune("ml-a", "ml-a", off.version, &admin())
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .merge_commune("ml-a", "ml-b", off.version - 1, &admin())
            .await,
        Err(StoreError::StaleCommune { .. })
    ));
    let merged = store
        .merge_commune("ml-a", "ml-b", off.version, &admin())
        .await
        .expect("merged");
    assert_eq!(merged.merged_into.as_deref(), Some("ml-b"));
    assert!(!merged.active);
    assert!(matches!(
        store
            .set_commune_active("ml-a", true, merged.version, &admin())
            .await,
        Err(StoreError::Invalid(_))
    ));
    let into_b = store.merged_into("ml-b").await.expect("merged list");
    assert_eq!(into_b.len(), 1);
    // A's assessment is still there, under A.
    let headers = store
        .list_assessments(&AssessmentFilter {
            commune: Some("ml-a".into()),
            ..Default::default()
        })
        .await
        .expect("headers");
    assert_eq!(headers.iter().map(|h| h.id).collect::<Vec<_>>(), [a]);
    assert_eq!(b.version, 1);
    assert_eq!(
        kinds(&store).await,
        [
            "commune.created",
            "commune.saved",
            "commune.created",
            "commune.deactivated",
            "commune.merged"
        ]
    );
}

#[tokio::test]
async fn assessments_are_filed_under_the_territory_of_their_date() {
    let store = common::store().await;
    let c = commune("ml-mopti-bandiagara", "Bandiagara");
    let old = assessment(&store, &c, "2022", "2022-11-02", 1)
        .await
        .expect("2022");
    let new = assessment(&store, &c, "2024", "2024-09-24", 1)
        .await
        .expect("2024");
    let period = TerritoryRow {
        commune_id: c.id.clone(),
        valid_from: "2023-03-13".into(),
        valid_to: None,
        region: "Bandiagara".into(),
        cercle: "Bandiagara".into(),
        source: "loi n°2023-007".into(),
    };
    let import = RegisterImport {
        communes: vec![],
        territories: vec![period.clone()],
    };
    assert_eq!(
        store
            .apply_register_import(&import, &admin())
            .await
            .expect("import"),
        (0, 1)
    );
    // The same file again changes nothing.
    assert_eq!(
        store
            .apply_register_import(&import, &admin())
            .await
            .expect("again"),
        (0, 0)
    );
    let headers = store
        .list_assessments(&AssessmentFilter::default())
        .await
        .expect("headers");
    let region = |id| {
        headers
            .iter()
            .find(|h| h.id == id)
            .map(|h| h.region.clone())
    };
    assert_eq!(region(old).as_deref(), Some("Mopti"));
    assert_eq!(region(new).as_deref(), Some("Bandiagara"));
    // Filters follow the same territory.
    let in_mopti = store
        .list_assessments(&AssessmentFilter {
            region: Some("Mopti".into()),
            ..Default::default()
        })
        .await
        .expect("filtered");
    assert_eq!(in_mopti.iter().map(|h| h.id).collect::<Vec<_>>(), [old]);
    // The register shows today's territory; both regions are offered.
    let row = store.commune(&c.id).await.expect("read").expect("row");
    assert_eq!(row.commune.region, "Bandiagara");
    let regions: Vec<String> = store
        .regions()
        .await
        .expect("regions")
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert!(regions.contains(&"Mopti".to_owned()) && regions.contains(&"Bandiagara".to_owned()));
    // An overlapping period is refused and nothing of its import is written.
    let bad = RegisterImport {
        communes: vec![(commune("ml-new", "New"), 0)],
        territories: vec![TerritoryRow {
            valid_from: "2024-01-01".into(),
            ..period
        }],
    };
    assert!(matches!(
        store.apply_register_import(&bad, &admin()).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.commune("ml-new").await.expect("read").is_none());
    // Editing the region while a period gives today's territory is refused.
    let mut moved = row.commune.clone();
    moved.region = "Ségou".into();
    assert!(matches!(
        store.update_commune(&moved, row.version, &admin()).await,
        Err(StoreError::Invalid(_))
    ));
}

#[tokio::test]
async fn no_assessment_holds_more_raters_than_a_workshop() {
    let store = common::store().await;
    let c = commune("ml-r", "R");
    assert!(matches!(
        assessment(&store, &c, "2025", "2025-01-01", MAX_RATERS + 1).await,
        Err(StoreError::Invalid(_))
    ));
    let id = assessment(&store, &c, "2025", "2025-01-01", MAX_RATERS)
        .await
        .expect("twelve raters");
    let extra = Rater {
        id: "extra".into(),
        name: "Extra".into(),
        role: Role::Citizen,
    };
    assert!(matches!(
        store.add_rater(id, &extra, &Audit::system("test")).await,
        Err(StoreError::Invalid(_))
    ));
}
