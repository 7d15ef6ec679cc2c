//! The PostgreSQL engine: for deployments with several stateless server copies.

use super::{redact, Error, Result};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

/// A PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
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
        Ok(PgStore { pool })
    }
}

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
