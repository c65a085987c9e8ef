//! Accounts, grants, password links, logins, settings, rater links and the
//! session store: each write leaves exactly its audit events (with the
//! values before and after), a refused write leaves none, and the trail
//! itself cannot be changed.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use capacity::{Assessment, Commune, Rater, Role};
use capacity_store::{Audit, AuditEvent, AuditFilter, NewGrant, Store, StoreError};
use serde_json::{Value, json};

fn admin() -> Audit {
    Audit {
        actor_id: Some(1),
        actor: "Awa Admin".into(),
        request_id: "req-1".into(),
        address: "10.0.0.1".into(),
    }
}

fn anonymous(address: &str) -> Audit {
    Audit {
        actor_id: None,
        actor: "anonymous".into(),
        request_id: "req-login".into(),
        address: address.into(),
    }
}

fn grant(role: &str, scope_kind: &str, scope: &str) -> NewGrant {
    NewGrant {
        role: role.into(),
        scope_kind: scope_kind.into(),
        scope: scope.into(),
    }
}

/// Every event of the trail.
async fn events(store: &Store) -> Vec<AuditEvent> {
    store
        .audit_events(&AuditFilter::default())
        .await
        .expect("events")
}

/// Events after `after` (an id; 0 for all).
async fn events_after(store: &Store, after: i64) -> Vec<AuditEvent> {
    store
        .audit_events(&AuditFilter {
            after_id: Some(after),
            ..AuditFilter::default()
        })
        .await
        .expect("events")
}

async fn account_of(store: &Store, id: i64) -> capacity_store::AccountRow {
    store.account(id).await.expect("read").expect("exists")
}

async fn last_id(store: &Store) -> i64 {
    events(store).await.last().map_or(0, |e| e.id)
}

fn json_of(text: &Option<String>) -> Option<Value> {
    text.as_deref()
        .map(|t| serde_json::from_str(t).expect("JSON object"))
}

/// `(kind, object, before, after)` of events, for comparisons.
fn summary(events: &[AuditEvent]) -> Vec<(String, String, Option<Value>, Option<Value>)> {
    events
        .iter()
        .map(|e| {
            (
                e.kind.clone(),
                e.object.clone(),
                json_of(&e.before),
                json_of(&e.after),
            )
        })
        .collect()
}

fn ev(
    kind: &str,
    object: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> (String, String, Option<Value>, Option<Value>) {
    (kind.into(), object.into(), before, after)
}

#[tokio::test]
async fn accounts_are_created_once_and_found_whatever_the_case() {
    let store = common::store().await;
    assert_eq!(store.count_accounts().await.expect("count"), 0);
    let id = store
        .create_account(
            "  Awa.Traore ",
            "Awa Traoré",
            false,
            &[
                grant("admin", "national", ""),
                grant("rater", "commune", "c-1"),
            ],
            &admin(),
        )
        .await
        .expect("created");
    let account = store.account(id).await.expect("read").expect("exists");
    assert_eq!(account.name, "awa.traore");
    assert_eq!(account.display_name, "Awa Traoré");
    assert_eq!(account.password_hash, None);
    assert!(account.active);
    assert!(!account.demo);
    assert_eq!(account.version, 1);
    assert_eq!(
        account
            .grants
            .iter()
            .map(|g| (g.role.as_str(), g.scope_kind.as_str(), g.scope.as_str()))
            .collect::<Vec<_>>(),
        vec![("admin", "national", ""), ("rater", "commune", "c-1")]
    );
    assert!(account.created_at.ends_with('Z'));
    for name in ["AWA.TRAORE", "awa.traore", " Awa.Traore"] {
        assert_eq!(
            store
                .account_by_name(name)
                .await
                .expect("read")
                .map(|a| a.id),
            Some(id),
            "{name}"
        );
    }
    assert_eq!(store.account_by_name("awa").await.expect("read"), None);

    // The events, with the actor of the write.
    let trail = events(&store).await;
    assert_eq!(
        summary(&trail),
        vec![
            ev(
                "account.created",
                "awa.traore",
                None,
                Some(json!({"name": "awa.traore", "display_name": "Awa Traoré", "demo": false}))
            ),
            ev(
                "role.granted",
                "awa.traore",
                None,
                Some(json!({"role": "admin", "scope_kind": "national", "scope": ""}))
            ),
            ev(
                "role.granted",
                "awa.traore",
                None,
                Some(json!({"role": "rater", "scope_kind": "commune", "scope": "c-1"}))
            ),
        ]
    );
    for e in &trail {
        assert_eq!(e.actor_id, Some(1));
        assert_eq!(e.actor, "Awa Admin");
        assert_eq!(e.request_id, "req-1");
        assert_eq!(e.assessment_id, None);
    }

    // A duplicate, whatever its case: refused, and no event.
    let before = last_id(&store).await;
    match store
        .create_account("AWA.traore", "Other", false, &[], &admin())
        .await
    {
        Err(StoreError::Conflict { what, .. }) => assert!(what.contains("awa.traore"), "{what}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Invalid input: refused before anything is written.
    for (name, display, grants) in [
        ("", "X", vec![]),
        ("x", "  ", vec![]),
        ("x", "X", vec![grant("king", "national", "")]),
        ("x", "X", vec![grant("rater", "planet", "")]),
        ("x", "X", vec![grant("rater", "national", "Mopti")]),
        ("x", "X", vec![grant("rater", "region", "")]),
    ] {
        assert!(
            matches!(
                store
                    .create_account(name, display, false, &grants, &admin())
                    .await,
                Err(StoreError::Invalid(_))
            ),
            "{name} / {display} / {grants:?}"
        );
    }
    assert!(events_after(&store, before).await.is_empty());

    let demo = store
        .create_account("bakary", "Bakary Demo", true, &[], &Audit::system("seed"))
        .await
        .expect("demo account");
    let all = store.accounts().await.expect("accounts");
    assert_eq!(
        all.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["awa.traore", "bakary"]
    );
    assert_eq!(all[0].grants.len(), 2);
    assert!(all[1].demo && all[1].grants.is_empty());
    assert_eq!(store.count_accounts().await.expect("count"), 2);
    let created = events_after(&store, before).await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].actor, "system");
    assert_eq!(created[0].actor_id, None);
    assert_eq!(created[0].request_id, "seed");
    assert_eq!(created[0].object, "bakary");
    let _ = demo;
}

#[tokio::test]
async fn grants_and_revocations_are_idempotent_and_move_the_version() {
    let store = common::store().await;
    let id = store
        .create_account("moussa", "Moussa", false, &[], &admin())
        .await
        .expect("created");
    let start = last_id(&store).await;

    let planner = grant("planner", "region", "Mopti");
    let g = store
        .grant_role(id, &planner, &admin())
        .await
        .expect("granted");
    assert_eq!(account_of(&store, id).await.version, 2);
    // Again: the same grant, nothing written.
    assert_eq!(
        store
            .grant_role(id, &planner, &admin())
            .await
            .expect("again"),
        g
    );
    assert_eq!(account_of(&store, id).await.version, 2);
    let other = store
        .grant_role(id, &grant("observer", "national", ""), &admin())
        .await
        .expect("granted");
    assert_ne!(other, g);
    assert_eq!(account_of(&store, id).await.version, 3);

    store.revoke_role(id, g, &admin()).await.expect("revoked");
    let account = account_of(&store, id).await;
    assert_eq!(account.version, 4);
    assert_eq!(account.grants.len(), 1);
    assert_eq!(account.grants[0].role, "observer");
    // Again: nothing to revoke, nothing written.
    store.revoke_role(id, g, &admin()).await.expect("again");
    assert_eq!(account_of(&store, id).await.version, 4);
    // Another account's grant is not this account's to revoke.
    let other_account = store
        .create_account("fatou", "Fatou", false, &[], &admin())
        .await
        .expect("created");
    let before_foreign = last_id(&store).await;
    store
        .revoke_role(other_account, other, &admin())
        .await
        .expect("nothing");
    assert_eq!(account_of(&store, id).await.grants.len(), 1);
    assert!(events_after(&store, before_foreign).await.is_empty());
    // Unknown account.
    assert!(matches!(
        store.grant_role(999, &planner, &admin()).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.revoke_role(999, other, &admin()).await,
        Err(StoreError::NotFound { .. })
    ));

    let trail: Vec<_> = events_after(&store, start)
        .await
        .into_iter()
        .filter(|e| e.object == "moussa")
        .collect();
    assert_eq!(
        summary(&trail),
        vec![
            ev(
                "role.granted",
                "moussa",
                None,
                Some(json!({"role": "planner", "scope_kind": "region", "scope": "Mopti"}))
            ),
            ev(
                "role.granted",
                "moussa",
                None,
                Some(json!({"role": "observer", "scope_kind": "national", "scope": ""}))
            ),
            ev(
                "role.revoked",
                "moussa",
                Some(json!({"role": "planner", "scope_kind": "region", "scope": "Mopti"})),
                None
            ),
        ]
    );
}

#[tokio::test]
async fn account_updates_are_versioned() {
    let store = common::store().await;
    let id = store
        .create_account("ibrahim", "Ibrahim", false, &[], &admin())
        .await
        .expect("created");
    let start = last_id(&store).await;
    let v2 = store
        .update_account(id, "Ibrahim Keïta", true, 1, &admin())
        .await
        .expect("renamed");
    assert_eq!(v2, 2);
    // Stale: refused with the version now, nothing written.
    match store
        .update_account(id, "Someone", false, 1, &admin())
        .await
    {
        Err(StoreError::Stale {
            expected, current, ..
        }) => assert_eq!((expected, current), (1, 2)),
        other => panic!("expected stale, got {other:?}"),
    }
    // Nothing changed: the same version, nothing written.
    assert_eq!(
        store
            .update_account(id, " Ibrahim Keïta ", true, 2, &admin())
            .await
            .expect("same"),
        2
    );
    let v3 = store
        .update_account(id, "Ibrahim Keïta", false, 2, &admin())
        .await
        .expect("deactivated");
    assert_eq!(v3, 3);
    let account = account_of(&store, id).await;
    assert!(!account.active);
    assert_eq!(account.display_name, "Ibrahim Keïta");
    assert!(matches!(
        store.update_account(999, "X", true, 1, &admin()).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        summary(&events_after(&store, start).await),
        vec![
            ev(
                "account.updated",
                "ibrahim",
                Some(json!({"display_name": "Ibrahim", "active": true})),
                Some(json!({"display_name": "Ibrahim Keïta", "active": true}))
            ),
            ev(
                "account.updated",
                "ibrahim",
                Some(json!({"display_name": "Ibrahim Keïta", "active": true})),
                Some(json!({"display_name": "Ibrahim Keïta", "active": false}))
            ),
        ]
    );
}

#[tokio::test]
async fn password_links_are_single_use_expire_and_supersede() {
    let store = common::store().await;
    let id = store
        .create_account("kadia", "Kadia", false, &[], &admin())
        .await
        .expect("created");
    let start = last_id(&store).await;
    let now = "2026-06-01T10:00:00Z";
    let later = "2026-06-04T10:00:00.000Z";

    // An invitation, then a newer one: the first no longer works.
    store
        .create_password_token(id, "hash-1", "invite", later, &admin())
        .await
        .expect("link 1");
    assert_eq!(
        store
            .token_account("hash-1", now)
            .await
            .expect("read")
            .map(|a| a.id),
        Some(id)
    );
    store
        .create_password_token(
            id,
            "hash-2",
            "invite",
            "2026-06-04T12:00:00+02:00",
            &admin(),
        )
        .await
        .expect("link 2");
    assert_eq!(
        store.token_account("hash-1", now).await.expect("read"),
        None
    );
    let before_refusals = last_id(&store).await;
    match store
        .use_password_token("hash-1", "argon-1", now, &anonymous("10.0.0.9"))
        .await
    {
        Err(StoreError::TokenInvalid { why }) => assert_eq!(why, "used"),
        other => panic!("expected a superseded link, got {other:?}"),
    }
    match store
        .use_password_token("nope", "argon-1", now, &anonymous("10.0.0.9"))
        .await
    {
        Err(StoreError::TokenInvalid { why }) => assert_eq!(why, "unknown"),
        other => panic!("expected an unknown link, got {other:?}"),
    }
    // Expired at its expiry (10:00 UTC, given as 12:00+02:00) and after.
    for at in ["2026-06-04T10:00:00Z", "2026-06-05T00:00:00Z"] {
        match store
            .use_password_token("hash-2", "argon-1", at, &anonymous("10.0.0.9"))
            .await
        {
            Err(StoreError::TokenInvalid { why }) => assert_eq!(why, "expired", "{at}"),
            other => panic!("expected an expired link at {at}, got {other:?}"),
        }
        assert_eq!(store.token_account("hash-2", at).await.expect("read"), None);
    }
    // A duplicate token hash and a bad time are refused.
    assert!(matches!(
        store
            .create_password_token(id, "hash-2", "reset", later, &admin())
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .create_password_token(id, "hash-9", "reset", "tomorrow", &admin())
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .create_password_token(id, "hash-9", "gift", later, &admin())
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(events_after(&store, before_refusals).await.is_empty());

    // Used once, before it expires.
    let account = store
        .use_password_token(
            "hash-2",
            "argon-2",
            "2026-06-04T09:59:59.999Z",
            &anonymous("10.0.0.9"),
        )
        .await
        .expect("password set");
    assert_eq!(account.password_hash.as_deref(), Some("argon-2"));
    assert_eq!(account.version, 2);
    match store
        .use_password_token("hash-2", "argon-3", now, &anonymous("10.0.0.9"))
        .await
    {
        Err(StoreError::TokenInvalid { why }) => assert_eq!(why, "used"),
        other => panic!("expected a used link, got {other:?}"),
    }
    assert_eq!(
        store.token_account("hash-2", now).await.expect("read"),
        None
    );

    // An administrator's reset of the hash.
    store
        .set_password_hash(id, "argon-4", &admin())
        .await
        .expect("set");
    let account = account_of(&store, id).await;
    assert_eq!(account.password_hash.as_deref(), Some("argon-4"));
    assert_eq!(account.version, 3);

    // A link of a deactivated account cannot be used.
    store
        .create_password_token(id, "hash-3", "reset", later, &admin())
        .await
        .expect("link 3");
    store
        .update_account(id, "Kadia", false, 3, &admin())
        .await
        .expect("deactivated");
    assert!(matches!(
        store
            .use_password_token("hash-3", "argon-5", now, &anonymous("10.0.0.9"))
            .await,
        Err(StoreError::TokenInvalid { why: "inactive" })
    ));

    let trail = events_after(&store, start).await;
    assert_eq!(
        summary(&trail),
        vec![
            ev(
                "password.link",
                "kadia",
                None,
                Some(json!({"purpose": "invite", "expires_at": "2026-06-04T10:00:00.000Z"}))
            ),
            ev(
                "password.link",
                "kadia",
                None,
                Some(json!({"purpose": "invite", "expires_at": "2026-06-04T10:00:00.000Z"}))
            ),
            ev("password.set", "kadia", None, Some(json!({"set": true}))),
            ev(
                "password.set",
                "kadia",
                Some(json!({"set": true})),
                Some(json!({"set": true}))
            ),
            ev(
                "password.link",
                "kadia",
                None,
                Some(json!({"purpose": "reset", "expires_at": "2026-06-04T10:00:00.000Z"}))
            ),
            ev(
                "account.updated",
                "kadia",
                Some(json!({"display_name": "Kadia", "active": true})),
                Some(json!({"display_name": "Kadia", "active": false}))
            ),
        ]
    );
    // The link's purpose is the reason of the password set through it, by
    // the anonymous client; no hash is ever in the trail.
    assert_eq!(trail[2].reason.as_deref(), Some("invite"));
    assert_eq!(trail[2].address, "10.0.0.9");
    assert_eq!(trail[3].reason, None);
    for e in &trail {
        for text in [&e.before, &e.after].into_iter().flatten() {
            assert!(!text.contains("argon") && !text.contains("hash-"), "{text}");
        }
    }
}

#[tokio::test]
async fn failed_logins_are_counted_by_name_and_by_address_in_a_window() {
    let store = common::store().await;
    let id = store
        .create_account("oumar", "Oumar Diallo", false, &[], &admin())
        .await
        .expect("created");
    let since = store.now_offset(-60).await.expect("a minute ago");
    let start = last_id(&store).await;
    store
        .record_login(Some(id), "OUMAR", false, &anonymous("10.0.0.5"))
        .await
        .expect("failed 1");
    store
        .record_login(Some(id), "oumar ", false, &anonymous("10.0.0.6"))
        .await
        .expect("failed 2");
    store
        .record_login(None, "ghost", false, &anonymous("10.0.0.5"))
        .await
        .expect("failed 3");
    store
        .record_login(Some(id), "Oumar", true, &anonymous("10.0.0.5"))
        .await
        .expect("login");
    store
        .record_logout(id, &anonymous("10.0.0.5"))
        .await
        .expect("logout");

    assert_eq!(
        store
            .failed_logins_since("Oumar", "10.0.0.5", &since)
            .await
            .expect("count"),
        (2, 2)
    );
    assert_eq!(
        store
            .failed_logins_since("ghost", "10.0.0.6", &since)
            .await
            .expect("count"),
        (1, 1)
    );
    assert_eq!(
        store
            .failed_logins_since("nobody", "", &since)
            .await
            .expect("count"),
        (0, 0)
    );
    // A window starting now counts nothing.
    let later = store.now_offset(1).await.expect("a second ahead");
    assert_eq!(
        store
            .failed_logins_since("oumar", "10.0.0.5", &later)
            .await
            .expect("count"),
        (0, 0)
    );

    let trail = events_after(&store, start).await;
    assert_eq!(
        summary(&trail),
        vec![
            ev("login.failed", "oumar", None, Some(json!({"account": id}))),
            ev("login.failed", "oumar", None, Some(json!({"account": id}))),
            ev("login.failed", "ghost", None, None),
            ev("login", "oumar", None, None),
            ev("logout", "oumar", None, None),
        ]
    );
    assert_eq!(trail[0].actor_id, None);
    assert_eq!(trail[0].actor, "anonymous");
    assert_eq!(trail[0].address, "10.0.0.5");
    assert_eq!(trail[1].address, "10.0.0.6");
    // A login and a logout are by the account, under its display name.
    for e in &trail[3..] {
        assert_eq!(e.actor_id, Some(id));
        assert_eq!(e.actor, "Oumar Diallo");
        assert_eq!(e.address, "10.0.0.5");
    }
    assert!(matches!(
        store
            .record_login(None, "oumar", true, &anonymous("10.0.0.5"))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .record_login(Some(999), "oumar", true, &anonymous("10.0.0.5"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn the_clock_is_utc_with_milliseconds() {
    let store = common::store().await;
    let now = store.now().await.expect("now");
    // 2026-06-01T10:00:00.000Z
    assert_eq!(now.len(), 24, "{now}");
    assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T' && now.as_bytes()[19] == b'.');
    let hour = store.now_offset(3600).await.expect("in an hour");
    let ago = store.now_offset(-3600).await.expect("an hour ago");
    assert!(ago < now && now < hour, "{ago} {now} {hour}");
    // Events carry the same clock.
    store
        .set_setting("site.name", "Mopti", &admin())
        .await
        .expect("set");
    let at = &events(&store).await[0].at;
    assert_eq!(at.len(), 24, "{at}");
    assert!(ago < *at && *at < hour, "{at}");
}

#[tokio::test]
async fn settings_are_kept_with_their_history() {
    let store = common::store().await;
    assert_eq!(store.setting("welcome").await.expect("read"), None);
    store
        .set_setting("welcome", "Bienvenue", &admin())
        .await
        .expect("set");
    store
        .set_setting("welcome", "Bienvenue", &admin())
        .await
        .expect("same");
    store
        .set_setting("welcome", "I ni ce", &admin())
        .await
        .expect("changed");
    assert_eq!(
        store.setting("welcome").await.expect("read").as_deref(),
        Some("I ni ce")
    );
    assert!(matches!(
        store.set_setting(" ", "x", &admin()).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        summary(&events(&store).await),
        vec![
            ev(
                "setting.changed",
                "welcome",
                None,
                Some(json!({"value": "Bienvenue"}))
            ),
            ev(
                "setting.changed",
                "welcome",
                Some(json!({"value": "Bienvenue"})),
                Some(json!({"value": "I ni ce"}))
            ),
        ]
    );
}

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

/// Stores the first rubric and an assessment with raters `r0` and `r1`.
async fn assessment(store: &Store) -> i64 {
    let text = rubric_text();
    let parsed = capacity::CompiledRubric::from_toml(&text).expect("rubric");
    store
        .put_rubric(parsed.rubric(), &text, &Audit::system("test"))
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
            id: "c-1".into(),
            name: "Commune 1".into(),
            cercle: "Cercle".into(),
            region: "Région".into(),
            kind: Default::default(),
            population: Some(9000),
            setting: None,
            transferred: vec![],
        },
        raters: (0..2)
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
        .insert_assessment(&a, &Audit::system("test"))
        .await
        .expect("inserted")
}

#[tokio::test]
async fn raters_are_linked_to_accounts() {
    let store = common::store().await;
    let a = assessment(&store).await;
    let awa = store
        .create_account(
            "awa",
            "Awa",
            false,
            &[grant("rater", "commune", "c-1")],
            &admin(),
        )
        .await
        .expect("created");
    let sidi = store
        .create_account("sidi", "Sidi", false, &[], &admin())
        .await
        .expect("created");
    let start = last_id(&store).await;
    let revision = store.revision(a).await.expect("revision").expect("exists");

    store
        .link_rater(a, "r0", Some(awa), &admin())
        .await
        .expect("linked");
    assert_eq!(
        store.revision(a).await.expect("revision"),
        Some(revision + 1)
    );
    let stored = store.assessment(a).await.expect("read").expect("exists");
    assert_eq!(
        stored.rater_accounts.into_iter().collect::<Vec<_>>(),
        [("r0".to_owned(), awa)]
    );
    // The same link again writes nothing.
    store
        .link_rater(a, "r0", Some(awa), &admin())
        .await
        .expect("same");
    assert_eq!(
        store.revision(a).await.expect("revision"),
        Some(revision + 1)
    );
    // An account is one rater of an assessment; unknown objects are named.
    let refused = last_id(&store).await;
    assert!(matches!(
        store.link_rater(a, "r1", Some(awa), &admin()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store.link_rater(a, "r9", Some(awa), &admin()).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.link_rater(a, "r1", Some(999), &admin()).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(events_after(&store, refused).await.is_empty());
    // Moved to another account, then unlinked.
    store
        .link_rater(a, "r0", Some(sidi), &admin())
        .await
        .expect("relinked");
    store
        .link_rater(a, "r0", None, &admin())
        .await
        .expect("unlinked");
    assert!(
        store
            .assessment(a)
            .await
            .expect("read")
            .expect("exists")
            .rater_accounts
            .is_empty()
    );

    let trail = events_after(&store, start).await;
    assert_eq!(
        summary(&trail),
        vec![
            ev("rater.linked", "r0", None, Some(json!({"account": awa}))),
            ev(
                "rater.linked",
                "r0",
                Some(json!({"account": awa})),
                Some(json!({"account": sidi}))
            ),
            ev("rater.linked", "r0", Some(json!({"account": sidi})), None),
        ]
    );
    assert!(trail.iter().all(|e| e.assessment_id == Some(a)));
    // The trail of one assessment (since its creation).
    let of_assessment = store
        .audit_events(&AuditFilter {
            assessment: Some(a),
            after_id: Some(start),
            ..AuditFilter::default()
        })
        .await
        .expect("events");
    assert_eq!(of_assessment, trail);
}

#[tokio::test]
async fn the_audit_trail_refuses_updates_and_deletes() {
    let store = common::shared_store("append-only").await;
    store
        .create_account("awa", "Awa", false, &[], &admin())
        .await
        .expect("created");
    let trail = events(&store).await;
    assert_eq!(trail.len(), 1);

    let mut conn = store.plain_connection().await;
    for sql in [
        "UPDATE audit_event SET actor = 'someone else'",
        "UPDATE audit_event SET after = NULL WHERE id = 1",
        "DELETE FROM audit_event",
        "DELETE FROM audit_event WHERE id = 1",
    ] {
        match sqlx::query(sql).execute(&mut conn).await {
            Err(sqlx::Error::Database(e)) => {
                assert!(e.message().contains("append-only"), "{sql}: {e}")
            }
            other => panic!("{sql}: expected a refusal, got {other:?}"),
        }
    }
    // Appending still works, and nothing changed.
    sqlx::query(
        "INSERT INTO audit_event (at, actor, kind) VALUES ('2026-01-01T00:00:00.000Z', 'test', 'test')",
    )
    .execute(&mut conn)
    .await
    .expect("append");
    sqlx::Connection::close(conn).await.expect("close");
    let after = events(&store).await;
    assert_eq!(after.len(), 2);
    assert_eq!(after[0], trail[0]);
    store.close().await;
}

#[tokio::test]
async fn sessions_round_trip_through_the_session_store() {
    use tower_sessions_core::SessionStore as _;
    use tower_sessions_core::session::{Id, Record};

    for shared in [false, true] {
        let store = if shared {
            common::shared_store("sessions").await
        } else {
            common::store().await
        };
        let sessions = store.session_store();
        let mut record = Record {
            id: Id::default(),
            data: HashMap::from([
                ("account".to_owned(), json!(7)),
                ("version".to_owned(), json!(3)),
            ]),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        sessions.create(&mut record).await.expect("created");
        let loaded = sessions.load(&record.id).await.expect("load");
        assert_eq!(loaded.as_ref(), Some(&record));

        record.data.insert("csrf".to_owned(), json!("abc"));
        sessions.save(&record).await.expect("saved");
        let loaded = sessions.load(&record.id).await.expect("load");
        assert_eq!(loaded.as_ref().map(|r| r.data.len()), Some(3));

        // An expired session is not loaded.
        let mut expired = Record {
            id: Id::default(),
            data: HashMap::new(),
            expiry_date: time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
        };
        sessions.create(&mut expired).await.expect("created");
        assert_eq!(sessions.load(&expired.id).await.expect("load"), None);

        sessions.delete(&record.id).await.expect("deleted");
        assert_eq!(sessions.load(&record.id).await.expect("load"), None);
        // Session writes are not audited.
        assert!(events(&store).await.is_empty());
        store.close().await;
    }
}
