//! Accounts, their grants (roles over scopes), password links, logins and
//! settings. Every write runs as one `BEGIN IMMEDIATE` transaction
//! (`write_tx!`) and appends its audit events in it.
//!
//! Logins are stored lowercased: every method taking a login lowercases it
//! (after trimming), so logins compare case-insensitively on any database.
//! The store keeps password hashes and token hashes; it never sees a
//! password or a token, and never puts a hash in the audit trail.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::audit::{Event, append, utc_time};
use crate::rows::{AccountRow, Audit, GrantRow, NewGrant, ROLES, SCOPE_KINDS, TOKEN_PURPOSES};
use crate::{NOW, Store, StoreError, bit, flag, not_found, write_tx};

/// Longest login and display name accepted, in characters.
const MAX_NAME: usize = 100;

/// A login as stored: trimmed, lowercased; refused when empty, too long or
/// holding control characters.
fn login_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim().to_lowercase();
    if name.is_empty() {
        return Err(StoreError::Invalid(
            "an account needs a login name: fill it in".to_owned(),
        ));
    }
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "the login name `{name}` is not acceptable: use at most {MAX_NAME} printable characters"
        )));
    }
    Ok(name)
}

/// A display name as stored: trimmed, not empty.
fn display_name_of(display_name: &str) -> Result<String, StoreError> {
    let display_name = display_name.trim();
    if display_name.is_empty()
        || display_name.chars().count() > MAX_NAME
        || display_name.chars().any(char::is_control)
    {
        return Err(StoreError::Invalid(format!(
            "an account needs a display name of 1 to {MAX_NAME} printable characters: fill it in"
        )));
    }
    Ok(display_name.to_owned())
}

/// A grant as stored: a known role and scope kind, the scope trimmed,
/// empty exactly for `national`.
fn checked_grant(grant: &NewGrant) -> Result<NewGrant, StoreError> {
    let role = grant.role.trim();
    let scope_kind = grant.scope_kind.trim();
    let scope = grant.scope.trim();
    if !ROLES.contains(&role) {
        return Err(StoreError::Invalid(format!(
            "unknown role `{role}`: expected one of {}",
            ROLES.join(", ")
        )));
    }
    if !SCOPE_KINDS.contains(&scope_kind) {
        return Err(StoreError::Invalid(format!(
            "unknown scope kind `{scope_kind}`: expected one of {}",
            SCOPE_KINDS.join(", ")
        )));
    }
    if (scope_kind == "national") != scope.is_empty() {
        return Err(StoreError::Invalid(format!(
            "a {scope_kind} grant {}",
            if scope.is_empty() {
                "names its scope: give the region, cercle or commune"
            } else {
                "has no scope: leave it empty"
            }
        )));
    }
    Ok(NewGrant {
        role: role.to_owned(),
        scope_kind: scope_kind.to_owned(),
        scope: scope.to_owned(),
    })
}

/// The JSON of a grant in the audit trail.
fn grant_json(role: &str, scope_kind: &str, scope: &str) -> serde_json::Value {
    json!({ "role": role, "scope_kind": scope_kind, "scope": scope })
}

/// The columns [`account_row`] reads, of table `account` aliased `a`.
const ACCOUNT_COLUMNS: &str =
    "a.id, a.name, a.display_name, a.password_hash, a.active, a.demo, a.version, a.created_at";

fn account_row(r: &sqlx::any::AnyRow) -> AccountRow {
    AccountRow {
        id: r.get("id"),
        name: r.get("name"),
        display_name: r.get("display_name"),
        password_hash: r.get("password_hash"),
        active: r.get::<i64, _>("active") != 0,
        demo: r.get::<i64, _>("demo") != 0,
        version: r.get("version"),
        grants: Vec::new(),
        created_at: r.get("created_at"),
    }
}

/// A grant from its columns, its id in column `id`.
fn grant_row(r: &sqlx::any::AnyRow, id: &str) -> GrantRow {
    GrantRow {
        id: r.get(id),
        role: r.get("role"),
        scope_kind: r.get("scope_kind"),
        scope: r.get("scope"),
    }
}

/// How an account is looked up.
enum AccountKey<'a> {
    Id(i64),
    Name(&'a str),
}

/// One account with its grants, read on `conn` (a read connection or the
/// connection of a write transaction) in one query: one snapshot, and one
/// round trip (every request of a logged-in person reads its account).
async fn load_account(
    conn: &mut AnyConnection,
    key: AccountKey<'_>,
) -> Result<Option<AccountRow>, StoreError> {
    let joined = format!(
        "SELECT {ACCOUNT_COLUMNS}, g.id AS grant_id, g.role, g.scope_kind, g.scope \
         FROM account a LEFT JOIN account_grant g ON g.account_id = a.id"
    );
    let rows = match key {
        AccountKey::Id(id) => {
            sqlx::query(&format!("{joined} WHERE a.id = $1 ORDER BY g.id"))
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
        }
        AccountKey::Name(name) => {
            sqlx::query(&format!("{joined} WHERE a.name = $1 ORDER BY g.id"))
                .bind(name)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut account = account_row(first);
    // Without grants, the one row's grant columns are NULL.
    account.grants = rows
        .iter()
        .filter(|r| r.get::<Option<i64>, _>("grant_id").is_some())
        .map(|r| grant_row(r, "grant_id"))
        .collect();
    Ok(Some(account))
}

/// The login of an account, inside a write transaction; not found is an
/// error.
async fn account_name(conn: &mut AnyConnection, account: i64) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT name FROM account WHERE id = $1")
        .bind(account)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| not_found(format!("account {account}")))
}

/// Moves an account's version (its sessions end).
async fn bump_account(conn: &mut AnyConnection, account: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "UPDATE account SET version = version + 1, updated_at = {NOW} WHERE id = $1 RETURNING version"
    ))
    .bind(account)
    .fetch_one(&mut *conn)
    .await?)
}

/// Inserts a grant unless the account holds it already, with its event
/// `role.granted`. Returns the grant's id and whether it is new.
async fn insert_grant(
    conn: &mut AnyConnection,
    account: i64,
    name: &str,
    grant: &NewGrant,
    audit: &Audit,
) -> Result<(i64, bool), StoreError> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO account_grant (account_id, role, scope_kind, scope) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, role, scope_kind, scope) DO NOTHING RETURNING id",
    )
    .bind(account)
    .bind(&grant.role)
    .bind(&grant.scope_kind)
    .bind(&grant.scope)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = inserted {
        append(
            conn,
            audit,
            Event::new("role.granted", name).after(grant_json(
                &grant.role,
                &grant.scope_kind,
                &grant.scope,
            )),
        )
        .await?;
        return Ok((id, true));
    }
    let id: i64 = sqlx::query_scalar(
        "SELECT id FROM account_grant WHERE account_id = $1 AND role = $2 AND scope_kind = $3 AND scope = $4",
    )
    .bind(account)
    .bind(&grant.role)
    .bind(&grant.scope_kind)
    .bind(&grant.scope)
    .fetch_one(&mut *conn)
    .await?;
    Ok((id, false))
}

/// A non-empty hash (the store cannot check more).
fn checked_hash<'a>(hash: &'a str, what: &str) -> Result<&'a str, StoreError> {
    if hash.trim().is_empty() {
        return Err(StoreError::Invalid(format!("{what} is empty")));
    }
    Ok(hash)
}

impl Store {
    // ------------------------------------------------------------ accounts

    /// Creates an account (no password yet: it is set through a link) with
    /// its grants. `name`, the login, is stored trimmed and lowercased; a
    /// login already taken, whatever its case, is a
    /// [`StoreError::Conflict`]. Events: `account.created` (after =
    /// `{name, display_name, demo}`), then one `role.granted` per grant
    /// (object = the login). Returns the account's id.
    pub async fn create_account(
        &self,
        name: &str,
        display_name: &str,
        demo: bool,
        grants: &[NewGrant],
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        let name = login_name(name)?;
        let display_name = display_name_of(display_name)?;
        let grants = grants
            .iter()
            .map(checked_grant)
            .collect::<Result<Vec<_>, _>>()?;
        write_tx!(self, |tx| {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM account WHERE name = $1")
                .bind(&name)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict {
                    what: format!("the account `{name}`"),
                    hint: "choose another login name".to_owned(),
                });
            }
            let id: i64 = sqlx::query_scalar(&format!(
                "INSERT INTO account (name, display_name, demo, created_at, updated_at)
                 VALUES ($1, $2, $3, {NOW}, {NOW}) RETURNING id"
            ))
            .bind(&name)
            .bind(&display_name)
            .bind(bit(demo))
            .fetch_one(&mut *tx)
            .await?;
            append(
                tx,
                audit,
                Event::new("account.created", name.as_str()).after(json!({
                    "name": name,
                    "display_name": display_name,
                    "demo": demo,
                })),
            )
            .await?;
            for grant in &grants {
                insert_grant(tx, id, &name, grant, audit).await?;
            }
            Ok(id)
        })
    }

    /// One account with its grants.
    pub async fn account(&self, id: i64) -> Result<Option<AccountRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_account(&mut conn, AccountKey::Id(id)).await
    }

    /// The account of a login, whatever its case (and surrounding spaces).
    pub async fn account_by_name(&self, name: &str) -> Result<Option<AccountRow>, StoreError> {
        let name = name.trim().to_lowercase();
        let mut conn = self.pool.acquire().await?;
        load_account(&mut conn, AccountKey::Name(&name)).await
    }

    /// Every account with its grants, by login.
    pub async fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        // One snapshot for both queries.
        let mut tx = self.read_tx().await?;
        let mut accounts: Vec<AccountRow> = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM account a ORDER BY a.name"
        ))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(account_row)
        .collect();
        let index: std::collections::HashMap<i64, usize> = accounts
            .iter()
            .enumerate()
            .map(|(ix, a)| (a.id, ix))
            .collect();
        let grants = sqlx::query(
            "SELECT account_id, id, role, scope_kind, scope FROM account_grant ORDER BY account_id, id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in &grants {
            let account: i64 = row.get("account_id");
            if let Some(&ix) = index.get(&account) {
                accounts[ix].grants.push(grant_row(row, "id"));
            }
        }
        tx.commit().await?;
        Ok(accounts)
    }

    /// Number of accounts (none: the installation needs its first admin).
    pub async fn count_accounts(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM account")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Changes an account's display name and whether it may sign in, if it
    /// is still at `expected_version` (else [`StoreError::Stale`]). Returns
    /// the version now: the next one, or the same when nothing changed
    /// (nothing is written then). Event `account.updated` (object = the
    /// login; before and after = `{display_name, active}`).
    pub async fn update_account(
        &self,
        id: i64,
        display_name: &str,
        active: bool,
        expected_version: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        let display_name = display_name_of(display_name)?;
        write_tx!(self, |tx| {
            let row = sqlx::query(
                "SELECT name, display_name, active, version FROM account WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| not_found(format!("account {id}")))?;
            let name: String = row.get("name");
            let old_display: String = row.get("display_name");
            let old_active = flag(&row, "active")?;
            let version: i64 = row.get("version");
            if version != expected_version {
                return Err(StoreError::Stale {
                    what: format!("the account `{name}`"),
                    expected: expected_version,
                    current: version,
                });
            }
            if old_display == display_name && old_active == active {
                return Ok(version);
            }
            let version: i64 = sqlx::query_scalar(&format!(
                "UPDATE account SET display_name = $1, active = $2, version = version + 1, updated_at = {NOW}
                 WHERE id = $3 RETURNING version"
            ))
            .bind(&display_name)
            .bind(bit(active))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            append(
                tx,
                audit,
                Event::new("account.updated", name)
                    .before(json!({ "display_name": old_display, "active": old_active }))
                    .after(json!({ "display_name": display_name, "active": active })),
            )
            .await?;
            Ok(version)
        })
    }

    /// Grants a role over a scope to an account; returns the grant's id.
    /// Granting a role the account holds already returns its id and writes
    /// nothing. A new grant moves the account's version and appends
    /// `role.granted` (object = the login; after = `{role, scope_kind,
    /// scope}`).
    pub async fn grant_role(
        &self,
        account: i64,
        grant: &NewGrant,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        let grant = checked_grant(grant)?;
        write_tx!(self, |tx| {
            let name = account_name(tx, account).await?;
            let (id, new) = insert_grant(tx, account, &name, &grant, audit).await?;
            if new {
                bump_account(tx, account).await?;
            }
            Ok(id)
        })
    }

    /// Revokes one grant of an account. A grant it does not hold (revoked
    /// already) writes nothing. Otherwise the account's version moves and
    /// `role.revoked` is appended (object = the login; before = `{role,
    /// scope_kind, scope}`).
    pub async fn revoke_role(
        &self,
        account: i64,
        grant_id: i64,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let name = account_name(tx, account).await?;
            let grant = sqlx::query(
                "SELECT id, role, scope_kind, scope FROM account_grant WHERE id = $1 AND account_id = $2",
            )
            .bind(grant_id)
            .bind(account)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(grant) = grant.as_ref().map(|g| grant_row(g, "id")) else {
                return Ok(());
            };
            sqlx::query("DELETE FROM account_grant WHERE id = $1")
                .bind(grant_id)
                .execute(&mut *tx)
                .await?;
            bump_account(tx, account).await?;
            append(
                tx,
                audit,
                Event::new("role.revoked", name).before(grant_json(
                    &grant.role,
                    &grant.scope_kind,
                    &grant.scope,
                )),
            )
            .await?;
            Ok(())
        })
    }

    // ------------------------------------------------------------ passwords

    /// Sets the password hash of an account (an administrator's reset, or
    /// a first admin created from the command line); moves its version.
    /// Event `password.set` (object = the login; after = `{"set": true}`,
    /// before = `{"set": true}` when a password was replaced, else none:
    /// the hash itself is never in the trail).
    pub async fn set_password_hash(
        &self,
        account: i64,
        hash: &str,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        let hash = checked_hash(hash, "the password hash")?;
        write_tx!(self, |tx| {
            set_hash(tx, account, hash, audit, None).await?;
            Ok(())
        })
    }

    /// Records a password link (`purpose`: `invite` or `reset`) valid until
    /// `expires_at` (RFC 3339; stored in UTC with milliseconds), by the
    /// hash of its token. Every earlier unused link of the account is
    /// marked used: only the newest link works. Event `password.link`
    /// (object = the login; after = `{purpose, expires_at}`).
    pub async fn create_password_token(
        &self,
        account: i64,
        token_hash: &str,
        purpose: &str,
        expires_at: &str,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        let token_hash = checked_hash(token_hash, "the token hash")?;
        if !TOKEN_PURPOSES.contains(&purpose) {
            return Err(StoreError::Invalid(format!(
                "unknown link purpose `{purpose}`: expected one of {}",
                TOKEN_PURPOSES.join(", ")
            )));
        }
        let expires_at = utc_time(expires_at, "the expiry of the link")?;
        write_tx!(self, |tx| {
            let name = account_name(tx, account).await?;
            let taken: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM password_token WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict {
                    what: "a password link with this token".to_owned(),
                    hint: "make a new random token".to_owned(),
                });
            }
            sqlx::query(&format!(
                "UPDATE password_token SET used_at = {NOW} WHERE account_id = $1 AND used_at IS NULL"
            ))
            .bind(account)
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!(
                "INSERT INTO password_token (token_hash, account_id, purpose, expires_at, created_at)
                 VALUES ($1, $2, $3, $4, {NOW})"
            ))
            .bind(token_hash)
            .bind(account)
            .bind(purpose)
            .bind(&expires_at)
            .execute(&mut *tx)
            .await?;
            append(
                tx,
                audit,
                Event::new("password.link", name)
                    .after(json!({ "purpose": purpose, "expires_at": expires_at })),
            )
            .await?;
            Ok(())
        })
    }

    /// Sets a password through a link: the token (by its hash) must be
    /// known, unused, not expired at `now` (RFC 3339; `expires_at <= now`
    /// is expired) and its account active, else
    /// [`StoreError::TokenInvalid`] and nothing is written. Marks the link
    /// used, sets the hash and moves the account's version; event
    /// `password.set` with the link's purpose as reason. Returns the
    /// account as it is now.
    pub async fn use_password_token(
        &self,
        token_hash: &str,
        new_password_hash: &str,
        now: &str,
        audit: &Audit,
    ) -> Result<AccountRow, StoreError> {
        let new_password_hash = checked_hash(new_password_hash, "the password hash")?;
        let now = utc_time(now, "the current time")?;
        write_tx!(self, |tx| {
            let (account, purpose) = valid_token(tx, token_hash, &now).await?;
            sqlx::query(&format!(
                "UPDATE password_token SET used_at = {NOW} WHERE token_hash = $1"
            ))
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
            set_hash(tx, account, new_password_hash, audit, Some(&purpose)).await?;
            load_account(tx, AccountKey::Id(account))
                .await?
                .ok_or_else(|| not_found(format!("account {account}")))
        })
    }

    /// The account a password link is for, while the link can be used
    /// (see [`Store::use_password_token`]); `None` otherwise.
    pub async fn token_account(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<AccountRow>, StoreError> {
        let now = utc_time(now, "the current time")?;
        let mut conn = self.pool.acquire().await?;
        match valid_token(&mut conn, token_hash, &now).await {
            Ok((account, _)) => load_account(&mut conn, AccountKey::Id(account)).await,
            Err(StoreError::TokenInvalid { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    // ------------------------------------------------------------ logins

    /// Records a sign-in attempt with the login typed (`name`, stored
    /// trimmed and lowercased as the event's object) and the client's
    /// address (from `audit`).
    ///
    /// - `ok`: event `login`, by `account` (which must exist) under its
    ///   display name, whatever `audit` names as actor (the client was
    ///   anonymous until now).
    /// - not `ok`: event `login.failed`, by `audit`'s actor (anonymous);
    ///   after = `{"account": id}` when the login named an account
    ///   (`account`), so that attempts on an account can be listed.
    pub async fn record_login(
        &self,
        account: Option<i64>,
        name: &str,
        ok: bool,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        let typed = name.trim().to_lowercase();
        if ok && account.is_none() {
            return Err(StoreError::Invalid(
                "a successful login names its account".to_owned(),
            ));
        }
        write_tx!(self, |tx| {
            if ok {
                let Some(id) = account else {
                    return Err(not_found("the account signing in"));
                };
                let actor = actor_of(tx, id, audit).await?;
                append(tx, &actor, Event::new("login", typed.as_str())).await?;
            } else {
                let after = account.map(|id| json!({ "account": id }));
                append(
                    tx,
                    audit,
                    Event::new("login.failed", typed.as_str()).after(after),
                )
                .await?;
            }
            Ok(())
        })
    }

    /// Records a sign-out of `account`: event `logout` by that account
    /// (object = its login).
    pub async fn record_logout(&self, account: i64, audit: &Audit) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let actor = actor_of(tx, account, audit).await?;
            let name = account_name(tx, account).await?;
            append(tx, &actor, Event::new("logout", name)).await?;
            Ok(())
        })
    }

    /// Failed logins (`login.failed` events) after `since` (RFC 3339,
    /// exclusive): `(for this login, from this client address)`, for
    /// throttling. The login is compared lowercased; an empty address
    /// counts 0 (an unknown address is not one client).
    pub async fn failed_logins_since(
        &self,
        name: &str,
        address: &str,
        since: &str,
    ) -> Result<(i64, i64), StoreError> {
        let since = utc_time(since, "the start of the window")?;
        let name = name.trim().to_lowercase();
        let by_name: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_event WHERE kind = 'login.failed' AND object = $1 AND at > $2",
        )
        .bind(&name)
        .bind(&since)
        .fetch_one(&self.pool)
        .await?;
        let by_address: i64 = if address.is_empty() {
            0
        } else {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_event WHERE kind = 'login.failed' AND address = $1 AND at > $2",
            )
            .bind(address)
            .bind(&since)
            .fetch_one(&self.pool)
            .await?
        };
        Ok((by_name, by_address))
    }

    // ------------------------------------------------------------ settings

    /// The value of a setting, `None` when never set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets a setting. Setting the value it has writes nothing. Event
    /// `setting.changed` (object = the key; before = `{"value": old}` or
    /// none, after = `{"value": new}`): settings are not secrets.
    pub async fn set_setting(
        &self,
        key: &str,
        value: &str,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        if key.trim().is_empty() {
            return Err(StoreError::Invalid("a setting needs a key".to_owned()));
        }
        write_tx!(self, |tx| {
            let old: Option<String> =
                sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
            if old.as_deref() == Some(value) {
                return Ok(());
            }
            sqlx::query(&format!(
                "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, {NOW})
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                   version = setting.version + 1, updated_at = excluded.updated_at"
            ))
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
            append(
                tx,
                audit,
                Event::new("setting.changed", key)
                    .before(old.map(|old| json!({ "value": old })))
                    .after(json!({ "value": value })),
            )
            .await?;
            Ok(())
        })
    }
}

/// The token of a usable link: `(account, purpose)`, or why not.
async fn valid_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: &str,
) -> Result<(i64, String), StoreError> {
    let row = sqlx::query(
        "SELECT t.account_id, t.purpose, t.expires_at, t.used_at, a.active
         FROM password_token t JOIN account a ON a.id = t.account_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(StoreError::TokenInvalid { why: "unknown" });
    };
    let used_at: Option<String> = row.get("used_at");
    let expires_at: String = row.get("expires_at");
    let active = flag(&row, "active")?;
    if used_at.is_some() {
        return Err(StoreError::TokenInvalid { why: "used" });
    }
    if expires_at.as_str() <= now {
        return Err(StoreError::TokenInvalid { why: "expired" });
    }
    if !active {
        return Err(StoreError::TokenInvalid { why: "inactive" });
    }
    Ok((row.get("account_id"), row.get("purpose")))
}

/// Sets a password hash and moves the account's version, with its event.
async fn set_hash(
    conn: &mut AnyConnection,
    account: i64,
    hash: &str,
    audit: &Audit,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let row =
        sqlx::query("SELECT name, password_hash IS NOT NULL AS had FROM account WHERE id = $1")
            .bind(account)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| not_found(format!("account {account}")))?;
    let name: String = row.get("name");
    let had = flag(&row, "had")?;
    sqlx::query(&format!(
        "UPDATE account SET password_hash = $1, version = version + 1, updated_at = {NOW} WHERE id = $2"
    ))
    .bind(hash)
    .bind(account)
    .execute(&mut *conn)
    .await?;
    let mut event = Event::new("password.set", name)
        .before(had.then(|| json!({ "set": true })))
        .after(json!({ "set": true }));
    if let Some(reason) = reason {
        event = event.reason(reason);
    }
    append(conn, audit, event).await?;
    Ok(())
}

/// `audit` acting as `account`: its id and display name (a login, a
/// logout), the request id and address kept.
async fn actor_of(
    conn: &mut AnyConnection,
    account: i64,
    audit: &Audit,
) -> Result<Audit, StoreError> {
    let display: String = sqlx::query_scalar("SELECT display_name FROM account WHERE id = $1")
        .bind(account)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| not_found(format!("account {account}")))?;
    Ok(Audit {
        actor_id: Some(account),
        actor: display,
        request_id: audit.request_id.clone(),
        address: audit.address.clone(),
    })
}
