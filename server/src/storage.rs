//! Storage: one trait, [`Store`], with one implementation per engine.
//!
//! SQLite is the embedded default (one file, nothing to install); PostgreSQL is the engine for
//! deployments that run several server copies. The engine is chosen by the URL scheme, each
//! engine has its own migrations under `server/migrations/<engine>/`, and the same test suite
//! (`server/tests/storage`) runs against both. SQL lives in this module and nowhere else.

pub mod accounts;
pub mod backup;
pub mod calls;
pub mod cases;
pub mod cluster;
pub mod flood;
pub mod follow;
pub mod iot;
pub mod kpi;
pub mod map;
pub mod people;
pub mod plans;
mod portable;
mod postgres;
mod sqlite;
pub mod supervision;

use async_trait::async_trait;
use std::sync::Arc;
use zhizhi_shared::demo::District;
use zhizhi_shared::geo::LonLat;
use zhizhi_shared::org::{Board, Post, Street};
use zhizhi_shared::people::Resident;
use zhizhi_shared::place::{Community, Grid, MicroGrid};
use zhizhi_shared::Summary;

pub use accounts::{AccountStore, AuditQuery, NewUser, UserRecord};
pub use cases::{CaseFilter, CaseScope, CaseStore, ClientKey, CaseUpdate, CaseWrite, CaseWriteKind, NewCaseRow, NewPhoto, NewStep, Photo, Routing};
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
    /// This copy's ingest engine wrote after another copy took the engine over; nothing was
    /// written.
    #[error("another server copy runs the ingest engine now")]
    Fenced,
}

impl Error {
    /// Whether the database could not be reached (stopped, restarting, the network gone, no
    /// connection free in time) rather than refusing this request: worth retrying shortly.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Connect { .. } => true,
            Error::Db(e) => match e {
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
                // Connection exceptions (08…) and the server shutting down or starting (57P…).
                sqlx::Error::Database(d) => d.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
                _ => false,
            },
            _ => false,
        }
    }
}

/// What the database tells a server copy about the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Events up to this id were committed (by any copy).
    Written(i64),
    /// Listening (again): anything may have been committed meanwhile; read the log.
    Listening,
}

/// Result of a storage operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A board with its posts, as the command centre lists them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BoardPosts {
    pub board: Board,
    pub posts: Vec<Post>,
}

/// A resident with the place they live, as the grid network lists them.
#[derive(Clone, Debug, PartialEq)]
pub struct ResidentPlace {
    pub resident: Resident,
    pub address: String,
    pub unit: String,
    pub grid_id: i64,
}

/// Progress of a long import: which table, rows written so far, rows in all.
pub type Progress<'a> = &'a (dyn Fn(&str, usize, usize) + Send + Sync);

/// Everything Zhizhi keeps, whatever the engine.
#[async_trait]
pub trait Store: AccountStore + calls::CallStore + CaseStore + flood::FloodStore + follow::FollowStore + iot::IotStore + kpi::KpiStore + map::MapStore + people::PeopleStore + plans::PlanStore + supervision::SupervisionStore + Send + Sync + 'static {
    /// `"sqlite"` or `"postgres"`.
    fn engine(&self) -> &'static str;

    /// Checks that the database answers (for `/healthz`).
    async fn ping(&self) -> Result<()>;

    /// Notices of events committed by any server copy over this database, where the engine can
    /// give them (PostgreSQL: LISTEN/NOTIFY; one task per call); `None` for SQLite, which one
    /// server process writes alone.
    fn event_notices(&self) -> Option<tokio::sync::mpsc::Receiver<Notice>>;

    /// Which copy runs the ingest engine, where several copies can share the database
    /// (PostgreSQL); `None` for SQLite, whose one process always does.
    fn cluster(&self) -> Option<Arc<dyn cluster::Cluster>>;

    /// The counts the command centre shows.
    async fn summary(&self) -> Result<Summary>;
    /// The counts of one street: its geography and what lies in it (boards, posts and staff
    /// are the deployment's).
    async fn street_summary(&self, street: i64) -> Result<Summary>;

    /// Writes a whole street's reference data in one transaction: either all of it is stored or
    /// none. Refuses with [`Error::NotEmpty`] if a street is already stored.
    async fn import_district(&self, district: &District, progress: Progress<'_>) -> Result<()>;

    /// The street this deployment serves, once one is stored.
    async fn street(&self) -> Result<Option<Street>>;
    /// Adds the district's other streets (their communities, grids and micro-grids) in one
    /// transaction, each unless its id is stored already: how many were added.
    async fn add_streets(&self, streets: &[zhizhi_shared::demo::streets::StreetCopy]) -> Result<usize>;
    /// The ids of the grids of `street` (retired ones too: old cases and residents keep them).
    async fn street_grids(&self, street: i64) -> Result<Vec<i64>>;
    /// Every street of the deployment, by id.
    async fn streets(&self) -> Result<Vec<Street>>;

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
