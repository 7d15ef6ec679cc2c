//! The SQLite engine: the embedded default.

use super::{Error, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// A SQLite database file (or an in-memory database for tests).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// One connection for every writing transaction: SQLite has one writer at a time anyway;
    /// queueing here instead of in SQLite's busy handler (which sleeps) keeps waits short, and
    /// the writer's page cache stays valid from one transaction to the next.
    writer: SqlitePool,
}

impl SqliteStore {
    /// Opens `url` (`sqlite://path`, created if missing, or `sqlite::memory:`) and migrates it.
    ///
    /// The file runs in WAL mode, so readers never wait for the writer, with full fsync on
    /// commit: an answered write survives a crash of the server and a loss of power.
    pub async fn open(url: &str) -> Result<Self> {
        let connect = |source| Error::Connect { url: url.to_string(), source };
        let memory = url.contains(":memory:");
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect)?
            .create_if_missing(true)
            .journal_mode(if memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // The server checkpoints from a background task (see `ingest.rs`), so that no
            // commit waits for the WAL to be copied back; SQLite still checkpoints when the
            // last connection closes.
            .pragma("wal_autocheckpoint", if memory { "1000" } else { "0" })
            // 32 MB of page cache per connection (the default is 2 MB): the writer keeps the
            // message index's pages in memory instead of re-reading them for every batch.
            .pragma("cache_size", "-32768");
        // An in-memory database lives and dies with its connection: keep exactly one.
        let pool_options = if memory {
            SqlitePoolOptions::new().max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(8)
        };
        let pool = pool_options.connect_with(options.clone()).await.map_err(connect)?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = if memory {
            pool.clone()
        } else {
            SqlitePoolOptions::new().max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None).connect_with(options).await.map_err(connect)?
        };
        Ok(SqliteStore { pool, writer })
    }

    /// One process writes a SQLite file: it publishes its own events.
    fn notices(&self) -> Option<tokio::sync::mpsc::Receiver<super::Notice>> {
        None
    }

    /// One process: it always runs the ingest engine.
    fn cluster(&self) -> Option<std::sync::Arc<dyn super::cluster::Cluster>> {
        None
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// One process, one engine: nothing to fence.
    async fn fence(&self, _tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>) -> Result<()> {
        Ok(())
    }
}

super::portable::portable_store!(SqliteStore, sqlx::Sqlite, "sqlite");

super::accounts::portable_accounts!(SqliteStore, sqlx::Sqlite, "sqlite", begin_audit = |pool| pool.begin_with("BEGIN IMMEDIATE"));

super::cases::portable_cases!(SqliteStore, sqlx::Sqlite, begin = |pool| pool.begin_with("BEGIN IMMEDIATE"));

super::iot::portable_iot!(SqliteStore, sqlx::Sqlite, begin = |pool| pool.begin_with("BEGIN IMMEDIATE"));
super::map::portable_map!(SqliteStore, sqlx::Sqlite, begin = |pool| pool.begin_with("BEGIN IMMEDIATE"));
super::plans::portable_plans!(SqliteStore, sqlx::Sqlite, begin = |pool| pool.begin_with("BEGIN IMMEDIATE"));
super::kpi::portable_kpi!(SqliteStore, begin = |pool| pool.begin_with("BEGIN IMMEDIATE"));
super::follow::portable_follow!(SqliteStore);
super::calls::portable_calls!(SqliteStore);
super::flood::portable_flood!(SqliteStore, begin = |pool| pool.begin_with("BEGIN IMMEDIATE"));
super::supervision::portable_supervision!(SqliteStore, begin = |pool| pool.begin_with("BEGIN IMMEDIATE"));
super::people::portable_people!(SqliteStore, sqlx::Sqlite, begin = |pool| pool.begin_with("BEGIN IMMEDIATE"));
