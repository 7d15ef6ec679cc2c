//! Storage: one trait, [`Store`], with one implementation per engine.
//!
//! SQLite is the embedded default (one file, nothing to install); PostgreSQL is the engine for
//! deployments that run several server copies. The engine is chosen by the URL scheme, each
//! engine has its own migrations under `server/migrations/<engine>/`, and the same test suite
//! (`server/tests/storage`) runs against both. SQL lives in this module and nowhere else.

pub mod cases;
pub mod iot;
pub mod map;
mod portable;
mod postgres;
mod sqlite;

use async_trait::async_trait;
use std::sync::Arc;
use zhizhi_shared::demo::District;
use zhizhi_shared::geo::LonLat;
use zhizhi_shared::audit::{AuditEntry, ChainBreak};
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::org::{Board, Post, Street};
use zhizhi_shared::people::Resident;
use zhizhi_shared::place::{Community, Grid, MicroGrid};
use zhizhi_shared::Summary;

pub use cases::{CaseFilter, CaseScope, CaseStore, CaseUpdate, CaseWrite, CaseWriteKind, NewCaseRow, NewPhoto, NewStep, Photo, Routing};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unsupported database URL \"{0}\": use sqlite://FILE (or sqlite::memory:) or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl(String),
    #[error("cannot open database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored {table} row {id} is unreadable: {detail}")]
    Corrupt { table: &'static str, id: i64, detail: String },
    #[error("the database already holds a street; the demo district is only loaded into an empty database")]
    NotEmpty,
    #[error("{what} already exists")]
    Conflict { what: String },
    /// The row changed since it was read (optimistic concurrency); nothing was written.
    #[error("the record changed since it was read")]
    Stale,
    /// The change would break a rule the data must keep (said in words for the user).
    #[error("{0}")]
    Invalid(String),
}

/// Result of a storage operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A board with its posts, as the command centre lists them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BoardPosts {
    pub board: Board,
    pub posts: Vec<Post>,
}

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
    pub now: i64,
}

/// A resident with the place they live, as the grid network lists them.
#[derive(Clone, Debug, PartialEq)]
pub struct ResidentPlace {
    pub resident: Resident,
    pub address: String,
    pub unit: String,
    pub grid_id: i64,
}

/// Which audit entries to list, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub since_ms: Option<i64>,
    pub limit: i64,
}

/// Progress of a long import: which table, rows written so far, rows in all.
pub type Progress<'a> = &'a (dyn Fn(&str, usize, usize) + Send + Sync);

/// Everything Zhizhi keeps, whatever the engine.
#[async_trait]
pub trait Store: CaseStore + iot::IotStore + map::MapStore + Send + Sync + 'static {
    /// `"sqlite"` or `"postgres"`.
    fn engine(&self) -> &'static str;

    /// Checks that the database answers (for `/healthz`).
    async fn ping(&self) -> Result<()>;

    /// The counts the command centre shows.
    async fn summary(&self) -> Result<Summary>;

    /// Writes a whole street's reference data in one transaction: either all of it is stored or
    /// none. Refuses with [`Error::NotEmpty`] if a street is already stored.
    async fn import_district(&self, district: &District, progress: Progress<'_>) -> Result<()>;

    /// The street this deployment serves, once one is stored.
    async fn street(&self) -> Result<Option<Street>>;

    /// The four boards with their posts, in order.
    async fn boards(&self) -> Result<Vec<BoardPosts>>;

    /// Every community, in id order.
    async fn communities(&self) -> Result<Vec<Community>>;

    /// Every grid, in code order.
    async fn grids(&self) -> Result<Vec<Grid>>;

    /// Every micro-grid, in code order.
    async fn micro_grids(&self) -> Result<Vec<MicroGrid>>;

    /// The micro-grid a location falls in, if any.
    async fn micro_grid_at(&self, at: LonLat) -> Result<Option<MicroGrid>>;

    /// Residents of one grid, ordered by address, a page at a time.
    async fn residents_in_grid(&self, grid_id: i64, limit: i64, offset: i64) -> Result<Vec<ResidentPlace>>;

    /// One resident with their place.
    async fn resident(&self, id: i64) -> Result<Option<ResidentPlace>>;

    /// Creates an account; [`Error::Conflict`] if the username is taken.
    async fn create_user(&self, user: &NewUser) -> Result<i64>;

    /// The account with this username.
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>>;

    /// The account with this id.
    async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>>;

    /// Replaces an account's password hash and ends all its sessions.
    async fn set_password(&self, user_id: i64, password_hash: &str, now: i64) -> Result<()>;

    /// Disables an account (ending its sessions) at `at`, or enables it again with `None`.
    async fn set_user_disabled(&self, user_id: i64, at: Option<i64>) -> Result<()>;

    /// Every account, by username.
    async fn users(&self) -> Result<Vec<UserRecord>>;

    /// Starts a session.
    async fn create_session(&self, token_hash: &str, user_id: i64, now: i64, address: &str) -> Result<()>;

    /// The user of a live session, which is kept alive by this use. A session idle for longer
    /// than `idle_ms`, or older than `lifetime_ms`, is ended instead and `None` returned.
    async fn use_session(&self, token_hash: &str, now: i64, idle_ms: i64, lifetime_ms: i64) -> Result<Option<i64>>;

    /// Ends a session.
    async fn end_session(&self, token_hash: &str) -> Result<()>;

    /// Records a failed login under `key` (an account or an address).
    async fn record_login_failure(&self, key: &str, now: i64) -> Result<()>;

    /// Failed logins under `key` since `since`.
    async fn login_failures_since(&self, key: &str, since: i64) -> Result<i64>;

    /// Forgets the failures under `key` (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> Result<()>;

    /// The scopes of a live API token.
    async fn api_token_scopes(&self, token_hash: &str) -> Result<Option<(String, Vec<String>)>>;

    /// Creates an API token.
    async fn create_api_token(&self, name: &str, token_hash: &str, scopes: &[String], now: i64) -> Result<i64>;

    /// Appends an entry to the audit chain, computing its sequence number and hashes.
    async fn append_audit(&self, now: i64, actor: &str, action: &str, target: &str, detail: &str) -> Result<AuditEntry>;

    /// Audit entries matching `query`, newest first.
    async fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>>;

    /// Verifies the whole audit chain: the number of entries, or where it breaks.
    async fn verify_audit(&self) -> Result<Result<i64, ChainBreak>>;
}

/// Opens (creating if needed) the database at `url` and brings its schema up to date.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(url).await?))
    } else {
        Err(Error::UnsupportedUrl(redact(url)))
    }
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, _password)) = userinfo.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(super::redact("postgres://zz:s3cret@db:5432/zz"), "postgres://zz:***@db:5432/zz");
        assert_eq!(super::redact("postgres://zz@db/zz"), "postgres://zz@db/zz");
        assert_eq!(super::redact("sqlite://zhizhi.db"), "sqlite://zhizhi.db");
    }
}
