//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database created on
//! the server named by `ZHIZHI_TEST_PG` (default: the local server, trust authentication).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use zhizhi_server::storage::{self, Store};

/// A store on a database that exists only for one test.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Another handle on a database someone else removes.
    Nothing,
    File(std::path::PathBuf),
    PgDatabase { admin_url: String, name: String },
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), nanos)
}

impl TestDb {
    /// A new SQLite file in the temporary directory.
    pub async fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("zhizhi_test_{}.db", unique()));
        let url = format!("sqlite://{}", path.display());
        let store = storage::open(&url).await.expect("open sqlite");
        TestDb { store, url, cleanup: Cleanup::File(path) }
    }

    /// A new database on the test PostgreSQL server.
    pub async fn postgres() -> TestDb {
        use sqlx::Connection;
        let admin_url = std::env::var("ZHIZHI_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("zhizhi_test_{}", unique());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL for the storage tests is not reachable at {admin_url} ({e}); start it or set ZHIZHI_TEST_PG"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.expect("create database");
        let (base, _) = admin_url.rsplit_once('/').expect("URL with a database");
        let url = format!("{base}/{name}");
        let store = storage::open(&url).await.expect("open postgres");
        TestDb { store, url, cleanup: Cleanup::PgDatabase { admin_url, name } }
    }

    /// Another handle on the same database, which only the original removes.
    pub fn alias(db: &TestDb) -> TestDb {
        TestDb { store: db.store.clone(), url: db.url.clone(), cleanup: Cleanup::Nothing }
    }

    /// Runs one SQL statement on the database behind the store's back, as an intruder with
    /// database access would.
    pub async fn tamper(&self, sql: &'static str) {
        use sqlx::Connection;
        if self.url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        } else {
            let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }

    /// Closes the store and removes its database.
    pub async fn remove(self) {
        drop(self.store);
        match self.cleanup {
            Cleanup::Nothing => {}
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PgDatabase { admin_url, name } => {
                use sqlx::Connection;
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&mut admin).await;
                }
            }
        }
    }
}

/// Runs each named test body (an `async fn(&TestDb)`) once on SQLite and once on PostgreSQL.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::harness::TestDb::sqlite().await;
                    super::$name(&db).await;
                    db.remove().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::harness::TestDb::postgres().await;
                    super::$name(&db).await;
                    db.remove().await;
                }
            )*
        }
    };
}
pub(crate) use on_both_engines;
