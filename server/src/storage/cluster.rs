//! Several server copies over one database: which copy runs the ingest engine.
//!
//! The engine owns every device's state and its timers, so exactly one copy may run it. On
//! PostgreSQL that copy holds a session advisory lock on a connection of its own: when the copy
//! dies (even by SIGKILL) the connection closes, the database releases the lock, and another
//! copy takes it within a second. The leader announces its address and a secret in
//! `ingest_leader`; the other copies forward device messages there. A device registered or
//! changed on any copy is announced on `zhizhi_devices`, so the leader re-reads it. SQLite has
//! no cluster: its one process always leads.

use super::Result;
use async_trait::async_trait;
use sqlx::{Connection, PgPool};
use tokio::sync::mpsc;

/// The advisory lock the ingest leader holds (any number no other lock uses; 141 and 142 are
/// the audit chain's and the case writers').
const LEADER_LOCK: i64 = 143;

/// The channel device changes are announced on.
const DEVICES_CHANNEL: &str = "zhizhi_devices";

/// A device changed on some copy: re-read it, or (`All`) every device, since notices sent
/// while nobody listened are lost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DeviceChange {
    One(i64),
    All,
}

/// The ingest leadership among the copies over one database.
#[async_trait]
pub trait Cluster: Send + Sync {
    /// Tries to become the leader, announcing `addr` and `secret`; `None` while another copy
    /// leads. The lease lasts as long as the returned value and its connection.
    async fn lead(&self, addr: &str, secret: &str) -> Result<Option<Box<dyn Lease>>>;

    /// The address and secret the leader announced (possibly of a copy that just died).
    async fn leader(&self) -> Result<Option<(String, String)>>;

    /// Announces that a device (or every device) changed.
    async fn device_changed(&self, change: DeviceChange) -> Result<()>;

    /// Device changes announced by any copy, for the leader; `All` each time it listens
    /// (again). One connection, for as long as the receiver lives.
    fn device_changes(&self) -> mpsc::Receiver<DeviceChange>;
}

/// A held leadership.
#[async_trait]
pub trait Lease: Send {
    /// Whether it is still held: the connection that holds the lock answers.
    async fn held(&mut self) -> bool;
}

/// The PostgreSQL cluster.
pub(super) struct PgCluster {
    pub(super) pool: PgPool,
    /// The store's fence: set to the secret once this copy leads.
    pub(super) fence: std::sync::Arc<std::sync::RwLock<Option<String>>>,
}

struct PgLease(sqlx::PgConnection);

#[async_trait]
impl Lease for PgLease {
    async fn held(&mut self) -> bool {
        // A broken or closed connection has lost the lock with it.
        tokio::time::timeout(std::time::Duration::from_secs(3), self.0.ping()).await.is_ok_and(|r| r.is_ok())
    }
}

#[async_trait]
impl Cluster for PgCluster {
    async fn lead(&self, addr: &str, secret: &str) -> Result<Option<Box<dyn Lease>>> {
        let mut pooled = self.pool.acquire().await?;
        let (locked,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)").bind(LEADER_LOCK).fetch_one(&mut *pooled).await?;
        if !locked {
            return Ok(None);
        }
        // Out of the pool from now on: it closes (and the lock goes) when the lease is dropped.
        // The server finds a copy that vanished from the network in seconds, not the two hours
        // of TCP's default keep-alive, and lets the lock go.
        let mut conn = pooled.detach();
        for setting in ["SET tcp_keepalives_idle = 5", "SET tcp_keepalives_interval = 2", "SET tcp_keepalives_count = 3", "SET tcp_user_timeout = 10000"] {
            sqlx::query(setting).execute(&mut conn).await?;
        }
        sqlx::query(
            "INSERT INTO ingest_leader (id, addr, secret, since) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET addr = EXCLUDED.addr, secret = EXCLUDED.secret, since = EXCLUDED.since",
        )
        .bind(addr)
        .bind(secret)
        .bind(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64))
        .execute(&mut conn)
        .await?;
        *self.fence.write().expect("fence lock") = Some(secret.to_string());
        Ok(Some(Box::new(PgLease(conn))))
    }

    async fn leader(&self) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT addr, secret FROM ingest_leader WHERE id = 1").fetch_optional(&self.pool).await?)
    }

    async fn device_changed(&self, change: DeviceChange) -> Result<()> {
        let payload = match change {
            DeviceChange::One(id) => id.to_string(),
            DeviceChange::All => "all".to_string(),
        };
        sqlx::query("SELECT pg_notify($1, $2)").bind(DEVICES_CHANNEL).bind(payload).execute(&self.pool).await?;
        Ok(())
    }

    fn device_changes(&self) -> mpsc::Receiver<DeviceChange> {
        super::postgres::listen(&self.pool, DEVICES_CHANNEL, "device changes", |p| p.and_then(|p| p.parse().ok()).map_or(DeviceChange::All, DeviceChange::One))
    }
}
