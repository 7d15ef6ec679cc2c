//! The PostgreSQL engine: for deployments with several stateless server copies.

use super::{redact, Error, Notice, Result};
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::mpsc;

/// A PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    /// The secret this copy's engine leads with, once it took the lease (see [`PgStore::fence`]).
    fence: std::sync::Arc<std::sync::RwLock<Option<String>>>,
}

impl PgStore {
    /// The pool writing transactions use (the same as every other query).
    fn writer(&self) -> &PgPool {
        &self.pool
    }

    /// Connects to `url` and migrates the database. Gives up after five seconds if the server
    /// cannot be reached, so that a wrong URL is reported instead of hanging.
    pub async fn open(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|source| Error::Connect { url: redact(url), source })?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool, fence: Default::default() })
    }

    /// Listens on `zhizhi_events` (the event log's trigger notifies it at every commit); says
    /// [`Notice::Listening`] each time it listens again, since notices sent meanwhile are lost.
    fn notices(&self) -> Option<mpsc::Receiver<Notice>> {
        // The payload is a hint; a malformed one still means "read the log".
        Some(listen(&self.pool, EVENTS_CHANNEL, "events of other server copies", |p| p.and_then(|p| p.parse().ok()).map_or(Notice::Listening, Notice::Written)))
    }

    /// The ingest leadership among the copies over this database.
    fn cluster(&self) -> Option<std::sync::Arc<dyn super::cluster::Cluster>> {
        Some(std::sync::Arc::new(super::cluster::PgCluster { pool: self.pool.clone(), fence: self.fence.clone() }))
    }

    /// Refuses an ingest transaction of this copy's engine once another copy leads: the
    /// transaction reads the leader's row `FOR SHARE`, so a copy taking the lease over (which
    /// rewrites the row before it loads any device state) either waits for this transaction
    /// and then sees its writes, or has rewritten the row and this transaction sees another
    /// secret and writes nothing. Closes the seconds between a lease lost and its copy noticing.
    async fn fence(&self, tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<()> {
        let mine = self.fence.read().expect("fence lock").clone();
        let Some(mine) = mine else { return Ok(()) };
        let leader: Option<(String,)> = sqlx::query_as("SELECT secret FROM ingest_leader WHERE id = 1 FOR SHARE").fetch_optional(&mut **tx).await?;
        match leader {
            Some((secret,)) if secret == mine => Ok(()),
            _ => Err(Error::Fenced),
        }
    }
}

/// Listens on `channel` on a connection of its own, reconnecting every second while the server
/// is away, for as long as the receiver lives: `read` of each notice's payload, and `read(None)`
/// each time it listens (again), since notices sent meanwhile are lost.
pub(super) fn listen<T: Send + 'static>(pool: &PgPool, channel: &'static str, what: &'static str, read: fn(Option<&str>) -> T) -> mpsc::Receiver<T> {
    let (tx, rx) = mpsc::channel(1024);
    let pool = pool.clone();
    tokio::spawn(async move {
        while !tx.is_closed() {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for {what}; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(channel).await {
                tracing::warn!(error = %e, "cannot listen for {what}; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            if tx.send(read(None)).await.is_err() {
                return;
            }
            loop {
                // Ends with its receiver, even when no notice comes.
                let heard = tokio::select! {
                    heard = listener.try_recv() => heard,
                    _ = tx.closed() => return,
                };
                match heard {
                    Ok(Some(n)) => {
                        if tx.send(read(Some(n.payload()))).await.is_err() {
                            return;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "lost the connection listening for {what}; reconnecting");
                        break;
                    }
                }
            }
        }
    });
    rx
}

/// The channel the event log's trigger notifies (migration `..._event_notices.sql`).
const EVENTS_CHANNEL: &str = "zhizhi_events";

super::portable::portable_store!(PgStore, sqlx::Postgres, "postgres");

super::accounts::portable_accounts!(PgStore, sqlx::Postgres, "postgres", begin_audit = |pool| async {
    // One appender at a time across every server copy: the chain has one head.
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(141)").execute(&mut *tx).await?;
    Ok::<_, sqlx::Error>(tx)
});

super::cases::portable_cases!(PgStore, sqlx::Postgres, begin = |pool| async {
    // One case writer at a time across every server copy, so that event ids commit in order
    // and a live client never sees id 8 before id 7 is readable.
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(142)").execute(&mut *tx).await?;
    Ok::<_, sqlx::Error>(tx)
});

super::iot::portable_iot!(PgStore, sqlx::Postgres, begin = |pool| pool.begin());
super::map::portable_map!(PgStore, sqlx::Postgres, begin = |pool| pool.begin());
super::plans::portable_plans!(PgStore, sqlx::Postgres, begin = |pool| pool.begin());
super::kpi::portable_kpi!(PgStore, begin = |pool| pool.begin());
super::follow::portable_follow!(PgStore);
super::calls::portable_calls!(PgStore);
super::flood::portable_flood!(PgStore, begin = |pool| pool.begin());
super::supervision::portable_supervision!(PgStore, begin = |pool| pool.begin());

super::people::portable_people!(PgStore, sqlx::Postgres, begin = |pool| async {
    // The write appends to the audit chain: the same lock as every appender.
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(141)").execute(&mut *tx).await?;
    Ok::<_, sqlx::Error>(tx)
});
