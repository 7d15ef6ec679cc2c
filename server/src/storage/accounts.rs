//! Storage of accounts: users, sessions, login throttling, API tokens and the audit chain. The
//! SQL is shared by both engines (one macro, instantiated per engine).

use super::portable::{parse_code, split};
use async_trait::async_trait;
use zhizhi_shared::audit::{AuditEntry, ChainBreak};
use zhizhi_shared::auth::{Principal, Role};

/// A stored account.
#[derive(Clone, Debug, PartialEq)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub post_id: Option<i64>,
    pub grid_ids: Vec<i64>,
    /// The street the user works for; `None` for the whole district.
    pub street_id: Option<i64>,
    pub password_changed_at: i64,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

impl UserRecord {
    /// The principal a session of this user acts as.
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            roles: self.roles.clone(),
            post_id: self.post_id,
            grid_ids: self.grid_ids.clone(),
            street_id: self.street_id,
            street_grids: vec![],
            password_expired: false,
        }
    }
}

/// An account to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub post_id: Option<i64>,
    pub grid_ids: Vec<i64>,
    pub street_id: Option<i64>,
    pub now: i64,
}

/// Which audit entries to list, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub since_ms: Option<i64>,
    pub limit: i64,
}

/// An API token as administrators see it (the secret is never stored, only its hash).
pub use zhizhi_shared::auth::ApiToken as TokenRow;

/// The accounts part of [`Store`](super::Store).
#[async_trait]
pub trait AccountStore {
    /// Creates an account; [`Error::Conflict`] if the username is taken.
    async fn create_user(&self, user: &NewUser) -> super::Result<i64>;

    /// The account with this username.
    async fn user_by_username(&self, username: &str) -> super::Result<Option<UserRecord>>;

    /// The account with this id.
    async fn user_by_id(&self, id: i64) -> super::Result<Option<UserRecord>>;

    /// Replaces an account's password hash and ends all its sessions.
    async fn set_password(&self, user_id: i64, password_hash: &str, now: i64) -> super::Result<()>;

    /// Disables an account (ending its sessions) at `at`, or enables it again with `None`.
    async fn set_user_disabled(&self, user_id: i64, at: Option<i64>) -> super::Result<()>;

    /// Every account, by username.
    async fn users(&self) -> super::Result<Vec<UserRecord>>;

    /// Starts a session.
    async fn create_session(&self, token_hash: &str, user_id: i64, now: i64, address: &str) -> super::Result<()>;

    /// The user of a live session, which is kept alive by this use. A session idle for longer
    /// than `idle_ms`, or older than `lifetime_ms`, is ended instead and `None` returned.
    async fn use_session(&self, token_hash: &str, now: i64, idle_ms: i64, lifetime_ms: i64) -> super::Result<Option<i64>>;

    /// Whether a session is still alive at `now` (not ended, idle or too old), without
    /// counting this as its use.
    async fn session_alive(&self, token_hash: &str, now: i64, idle_ms: i64, lifetime_ms: i64) -> super::Result<bool>;

    /// Ends a session.
    async fn end_session(&self, token_hash: &str) -> super::Result<()>;

    /// Forgets the failures under `key` (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> super::Result<()>;

    /// Takes one of the `limit` slots under `key` within the window since `since`, at `now`,
    /// in one step: whether a slot was free (and is now taken). Parallel callers cannot take
    /// more than `limit` between them, on either engine and across server copies.
    async fn take_slot(&self, key: &str, since: i64, limit: i64, now: i64) -> super::Result<bool>;

    /// Gives back the slot taken under `key` at `at` (the attempt turned out not to count).
    async fn release_slot(&self, key: &str, at: i64) -> super::Result<()>;

    /// Forgets failures and slots older than `before`; how many.
    async fn prune_login_failures(&self, before: i64) -> super::Result<u64>;

    /// The scopes of a live API token.
    async fn api_token_scopes(&self, token_hash: &str, now: i64) -> super::Result<Option<(String, Vec<String>)>>;

    /// Creates an API token, valid until `expires_at` (`None`: until revoked).
    async fn create_api_token(&self, name: &str, token_hash: &str, scopes: &[String], now: i64, expires_at: Option<i64>) -> super::Result<i64>;

    /// Every API token (never its secret): id, name, scopes, created, revoked.
    async fn api_tokens(&self) -> super::Result<Vec<TokenRow>>;

    /// Revokes a live token; whether there was one.
    async fn revoke_api_token(&self, id: i64, now: i64) -> super::Result<bool>;

    /// Appends an entry to the audit chain, computing its sequence number and hashes.
    async fn append_audit(&self, now: i64, actor: &str, action: &str, target: &str, detail: &str) -> super::Result<AuditEntry>;

    /// Audit entries matching `query`, newest first.
    async fn audit_entries(&self, query: &AuditQuery) -> super::Result<Vec<AuditEntry>>;

    /// Verifies the whole audit chain: the number of entries, or where it breaks.
    async fn verify_audit(&self) -> super::Result<Result<i64, ChainBreak>>;

    /// Records the chain's head as a checkpoint at `now`, unless it is recorded already: the
    /// checkpoint written, if any, as `(seq, hash)`.
    async fn checkpoint_audit(&self, now: i64) -> super::Result<Option<(i64, String)>>;

    /// Every checkpoint, oldest first: `(seq, hash, at_ms)`.
    async fn audit_checkpoints(&self) -> super::Result<Vec<(i64, String, i64)>>;

    /// Up to `limit` entries written before `before`, after entry `after`, oldest first: what
    /// an archive takes.
    async fn audit_to_archive(&self, before: i64, after: i64, limit: i64) -> super::Result<Vec<AuditEntry>>;

    /// Deletes the entries up to `up_to` (archived to `file`, the last with `hash`) and records
    /// where the chain now starts, in one transaction: the number deleted.
    async fn drop_archived_audit(&self, up_to: i64, hash: &str, file: &str, now: i64) -> super::Result<u64>;
}

/// The columns of `users`, in the order [`user_from_row`] reads them.
pub(super) const USER_COLUMNS: &str =
    "id, username, display_name, password_hash, roles, post_id, grid_ids, password_changed_at, created_at, disabled_at, street_id";

/// A `users` row as selected with [`USER_COLUMNS`].
pub(super) type UserRow = (i64, String, String, String, String, Option<i64>, String, i64, i64, Option<i64>, Option<i64>);

/// Reads a `users` row.
pub(super) fn user_from_row(r: UserRow) -> super::Result<UserRecord> {
    let id = r.0;
    let roles = split(&r.4)
        .map(|c| parse_code("users", id, c, zhizhi_shared::auth::Role::from_code))
        .collect::<super::Result<Vec<_>>>()?;
    let grid_ids = split(&r.6)
        .map(|g| g.parse().map_err(|_| super::Error::Corrupt { table: "users", id, detail: format!("grid id {g:?}") }))
        .collect::<super::Result<Vec<i64>>>()?;
    Ok(UserRecord {
        id,
        username: r.1,
        display_name: r.2,
        password_hash: r.3,
        roles,
        post_id: r.5,
        grid_ids,
        password_changed_at: r.7,
        created_at: r.8,
        disabled_at: r.9,
        street_id: r.10,
    })
}

/// Implements [`AccountStore`] for `$store`, a struct with a `pool: sqlx::Pool<$db>`.
/// `$begin_audit` starts the transaction that appends to the audit chain; it must keep any
/// other appender (in this process or another server copy) out until it commits.
macro_rules! portable_accounts {
    ($store:ty, $db:ty, $engine:literal, begin_audit = |$pool:ident| $begin_audit:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::AccountStore for $store {
            async fn create_user(&self, u: &$crate::storage::NewUser) -> $crate::storage::Result<i64> {
                use $crate::storage::portable::{conflict, join};
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO users (username, display_name, password_hash, roles, post_id, grid_ids, password_changed_at, created_at, street_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id",
                )
                .bind(&u.username).bind(&u.display_name).bind(&u.password_hash)
                .bind(join(u.roles.iter().map(|r| r.code()))).bind(u.post_id).bind(join(&u.grid_ids)).bind(u.now).bind(u.street_id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| conflict(e, || format!("用户名 {}", u.username)))?;
                Ok(id)
            }

            async fn user_by_username(&self, username: &str) -> $crate::storage::Result<Option<$crate::storage::UserRecord>> {
                use $crate::storage::accounts::{user_from_row, UserRow, USER_COLUMNS};
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
                let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(&self.pool).await?;
                row.map(user_from_row).transpose()
            }

            async fn user_by_id(&self, id: i64) -> $crate::storage::Result<Option<$crate::storage::UserRecord>> {
                use $crate::storage::accounts::{user_from_row, UserRow, USER_COLUMNS};
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
                let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?;
                row.map(user_from_row).transpose()
            }

            async fn users(&self) -> $crate::storage::Result<Vec<$crate::storage::UserRecord>> {
                use $crate::storage::accounts::{user_from_row, UserRow, USER_COLUMNS};
                let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
                let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                rows.into_iter().map(user_from_row).collect()
            }

            async fn set_password(&self, user_id: i64, password_hash: &str, now: i64) -> $crate::storage::Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1")
                    .bind(user_id).bind(password_hash).bind(now).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_user_disabled(&self, user_id: i64, at: Option<i64>) -> $crate::storage::Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1").bind(user_id).bind(at).execute(&mut *tx).await?;
                if at.is_some() {
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn create_session(&self, token_hash: &str, user_id: i64, now: i64, address: &str) -> $crate::storage::Result<()> {
                sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, address) VALUES ($1, $2, $3, $3, $4)")
                    .bind(token_hash).bind(user_id).bind(now).bind(address)
                    .execute(&self.pool).await?;
                Ok(())
            }

            async fn use_session(&self, token_hash: &str, now: i64, idle_ms: i64, lifetime_ms: i64) -> $crate::storage::Result<Option<i64>> {
                // A token of no session costs a read, never a write (junk cookies).
                let known: Option<(i64,)> = sqlx::query_as("SELECT user_id FROM sessions WHERE token_hash = $1")
                    .bind(token_hash).fetch_optional(&self.pool).await?;
                if known.is_none() {
                    return Ok(None);
                }
                // One statement both checks and extends the session, so two requests racing
                // on an expiring session cannot revive it.
                let row: Option<(i64,)> = sqlx::query_as(
                    "UPDATE sessions SET last_seen_at = $2
                     WHERE token_hash = $1 AND last_seen_at > $2 - $3 AND created_at > $2 - $4
                     RETURNING user_id",
                )
                .bind(token_hash).bind(now).bind(idle_ms).bind(lifetime_ms)
                .fetch_optional(&self.pool).await?;
                if row.is_none() {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
                }
                Ok(row.map(|r| r.0))
            }

            async fn session_alive(&self, token_hash: &str, now: i64, idle_ms: i64, lifetime_ms: i64) -> $crate::storage::Result<bool> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT user_id FROM sessions WHERE token_hash = $1 AND last_seen_at > $2 - $3 AND created_at > $2 - $4",
                )
                .bind(token_hash).bind(now).bind(idle_ms).bind(lifetime_ms)
                .fetch_optional(&self.pool).await?;
                Ok(row.is_some())
            }

            async fn end_session(&self, token_hash: &str) -> $crate::storage::Result<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn clear_login_failures(&self, key: &str) -> $crate::storage::Result<()> {
                sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key).execute(&self.pool).await?;
                Ok(())
            }

            async fn take_slot(&self, key: &str, since: i64, limit: i64, now: i64) -> $crate::storage::Result<bool> {
                // A refusal is read without the writer: a flood of throttled attempts writes nothing.
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
                    .bind(key).bind(since).fetch_one(&self.pool).await?;
                if n >= limit {
                    return Ok(false);
                }
                // Counted and taken under the one writer's lock (SQLite: BEGIN IMMEDIATE;
                // PostgreSQL: the advisory lock every server copy takes).
                let $pool = self.writer();
                let mut tx = $begin_audit.await?;
                let taken = sqlx::query(
                    "INSERT INTO login_failures (key, at) SELECT $1, $2
                     WHERE (SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $3) < $4",
                )
                .bind(key).bind(now).bind(since).bind(limit)
                .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(taken.rows_affected() == 1)
            }

            async fn release_slot(&self, key: &str, at: i64) -> $crate::storage::Result<()> {
                sqlx::query("DELETE FROM login_failures WHERE key = $1 AND at = $2").bind(key).bind(at).execute(self.writer()).await?;
                Ok(())
            }

            async fn prune_login_failures(&self, before: i64) -> $crate::storage::Result<u64> {
                Ok(sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(before).execute(self.writer()).await?.rows_affected())
            }

            async fn api_token_scopes(&self, token_hash: &str, now: i64) -> $crate::storage::Result<Option<(String, Vec<String>)>> {
                let row: Option<(String, String)> = sqlx::query_as(
                    "SELECT name, scopes FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
                )
                .bind(token_hash).bind(now).fetch_optional(&self.pool).await?;
                Ok(row.map(|(name, scopes)| (name, $crate::storage::portable::split(&scopes).map(str::to_owned).collect())))
            }

            async fn api_tokens(&self) -> $crate::storage::Result<Vec<$crate::storage::accounts::TokenRow>> {
                let rows: Vec<(i64, String, String, i64, Option<i64>, Option<i64>)> =
                    sqlx::query_as("SELECT id, name, scopes, created_at, revoked_at, expires_at FROM api_tokens ORDER BY id").fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, scopes, created_at, revoked_at, expires_at)| $crate::storage::accounts::TokenRow {
                        id,
                        name,
                        scopes: $crate::storage::portable::split(&scopes).map(str::to_owned).collect(),
                        created_at,
                        revoked_at,
                        expires_at,
                    })
                    .collect())
            }

            async fn revoke_api_token(&self, id: i64, now: i64) -> $crate::storage::Result<bool> {
                let done = sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                    .bind(id).bind(now).execute(&self.pool).await?;
                Ok(done.rows_affected() > 0)
            }

            async fn create_api_token(&self, name: &str, token_hash: &str, scopes: &[String], now: i64, expires_at: Option<i64>) -> $crate::storage::Result<i64> {
                let (id,): (i64,) = sqlx::query_as("INSERT INTO api_tokens (name, token_hash, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                    .bind(name).bind(token_hash).bind(scopes.join(",")).bind(now).bind(expires_at)
                    .fetch_one(&self.pool).await?;
                Ok(id)
            }

            #[tracing::instrument(skip_all, fields(engine = $engine, action))]
            async fn append_audit(&self, now: i64, actor: &str, action: &str, target: &str, detail: &str) -> $crate::storage::Result<zhizhi_shared::audit::AuditEntry> {
                use zhizhi_shared::audit::{bounded, entry_hash, AuditEntry, GENESIS};
                // Every field is bounded: nothing a caller sends can make an entry large.
                let (actor, action, target, detail) = (bounded(actor, 64), bounded(action, 64), bounded(target, 128), bounded(detail, 1000));
                let (actor, action, target, detail) = (actor.as_ref(), action.as_ref(), target.as_ref(), detail.as_ref());
                let $pool = self.writer();
                let mut tx = $begin_audit.await?;
                let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *tx).await?;
                let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS.to_string()));
                let seq = prev_seq + 1;
                let hash = entry_hash(&prev_hash, seq, now, actor, action, target, detail);
                sqlx::query("INSERT INTO audit_log (seq, at_ms, actor, action, target, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(seq).bind(now).bind(actor).bind(action).bind(target).bind(detail).bind(&prev_hash).bind(&hash)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(AuditEntry { seq, at_ms: now, actor: actor.into(), action: action.into(), target: target.into(), detail: detail.into(), prev_hash, hash })
            }

            async fn audit_entries(&self, q: &$crate::storage::AuditQuery) -> $crate::storage::Result<Vec<zhizhi_shared::audit::AuditEntry>> {
                type Row = (i64, i64, String, String, String, String, String, String);
                // Empty filters match everything, so one prepared statement serves every query.
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT seq, at_ms, actor, action, target, detail, prev_hash, hash FROM audit_log
                     WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) AND at_ms >= $3
                     ORDER BY seq DESC LIMIT $4",
                )
                .bind(q.actor.clone().unwrap_or_default()).bind(q.action.clone().unwrap_or_default())
                .bind(q.since_ms.unwrap_or(0)).bind(q.limit)
                .fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|r| zhizhi_shared::audit::AuditEntry {
                    seq: r.0, at_ms: r.1, actor: r.2, action: r.3, target: r.4, detail: r.5, prev_hash: r.6, hash: r.7,
                }).collect())
            }

            async fn verify_audit(&self) -> $crate::storage::Result<Result<i64, zhizhi_shared::audit::ChainBreak>> {
                use zhizhi_shared::audit::{verify, AuditEntry, GENESIS};
                type Row = (i64, i64, String, String, String, String, String, String);
                // Page through the chain so that memory stays flat however long it grows; it starts
                // after the newest archive, if entries were archived.
                let anchor: Option<(i64, String)> =
                    sqlx::query_as("SELECT up_to_seq, hash FROM audit_archives ORDER BY up_to_seq DESC LIMIT 1").fetch_optional(&self.pool).await?;
                let (mut seq, mut hash) = anchor.unwrap_or((0, GENESIS.to_string()));
                let start = seq;
                loop {
                    let rows: Vec<Row> = sqlx::query_as(
                        "SELECT seq, at_ms, actor, action, target, detail, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000",
                    )
                    .bind(seq).fetch_all(&self.pool).await?;
                    if rows.is_empty() {
                        break;
                    }
                    let page: Vec<AuditEntry> = rows.into_iter().map(|r| AuditEntry {
                        seq: r.0, at_ms: r.1, actor: r.2, action: r.3, target: r.4, detail: r.5, prev_hash: r.6, hash: r.7,
                    }).collect();
                    match verify(&page, hash, seq) {
                        Ok((h, s)) => (hash, seq) = (h, s),
                        Err(e) => return Ok(Err(e)),
                    }
                }
                // The chain links; it must also pass through every checkpoint.
                let checkpoints: Vec<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_checkpoints ORDER BY seq").fetch_all(&self.pool).await?;
                for (at, expected) in checkpoints.into_iter().filter(|c| c.0 > start) {
                    if at > seq {
                        return Ok(Err(zhizhi_shared::audit::ChainBreak { seq: seq + 1, reason: "检查点之后的审计记录缺失（末尾的记录被删除）" }));
                    }
                    let (stored,): (String,) = sqlx::query_as("SELECT hash FROM audit_log WHERE seq = $1").bind(at).fetch_one(&self.pool).await?;
                    if stored != expected {
                        return Ok(Err(zhizhi_shared::audit::ChainBreak { seq: at, reason: "与检查点不符：记录被改写并重新计算了哈希" }));
                    }
                }
                Ok(Ok(seq))
            }

            async fn checkpoint_audit(&self, now: i64) -> $crate::storage::Result<Option<(i64, String)>> {
                let $pool = self.writer();
                let mut tx = $begin_audit.await?;
                let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *tx).await?;
                let Some((seq, hash)) = head else { return Ok(None) };
                let written = sqlx::query("INSERT INTO audit_checkpoints (seq, hash, at_ms) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING")
                    .bind(seq).bind(&hash).bind(now).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok((written.rows_affected() == 1).then_some((seq, hash)))
            }

            async fn audit_checkpoints(&self) -> $crate::storage::Result<Vec<(i64, String, i64)>> {
                Ok(sqlx::query_as("SELECT seq, hash, at_ms FROM audit_checkpoints ORDER BY seq").fetch_all(&self.pool).await?)
            }

            async fn audit_to_archive(&self, before: i64, after: i64, limit: i64) -> $crate::storage::Result<Vec<zhizhi_shared::audit::AuditEntry>> {
                type Row = (i64, i64, String, String, String, String, String, String);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT seq, at_ms, actor, action, target, detail, prev_hash, hash FROM audit_log WHERE at_ms < $1 AND seq > $2 ORDER BY seq LIMIT $3",
                )
                .bind(before).bind(after).bind(limit).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|r| zhizhi_shared::audit::AuditEntry {
                    seq: r.0, at_ms: r.1, actor: r.2, action: r.3, target: r.4, detail: r.5, prev_hash: r.6, hash: r.7,
                }).collect())
            }

            async fn drop_archived_audit(&self, up_to: i64, hash: &str, file: &str, now: i64) -> $crate::storage::Result<u64> {
                let $pool = self.writer();
                let mut tx = $begin_audit.await?;
                let dropped = sqlx::query("DELETE FROM audit_log WHERE seq <= $1").bind(up_to).execute(&mut *tx).await?.rows_affected();
                sqlx::query("INSERT INTO audit_archives (up_to_seq, hash, file, at_ms) VALUES ($1, $2, $3, $4)")
                    .bind(up_to).bind(hash).bind(file).bind(now).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(dropped)
            }
        }
    };
}

pub(super) use portable_accounts;
