//! The application's state: every service, wired once over one store, and the background
//! work that runs beside the requests (the ingest engine, pruning old events and messages).
//!
//! Handlers take the whole [`AppState`] or, through `FromRef`, only the service they need.

use crate::accounts::Accounts;
use crate::auth::AuthConfig;
use crate::backend::StoreBackend;
use crate::cases::Cases;
use crate::devices::Devices;
use crate::directory::Directory;
use crate::ingest::Ingest;
use crate::kpis::Kpis;
use crate::live::{Hub, NodeHub};
use crate::map::MapService;
use crate::flood::Flood;
use crate::plans::Plans;
use crate::residents::Residents;
use crate::storage::Store;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::path::Path;
use std::sync::Arc;
use zhizhi_app::backend::Backend;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub store: Arc<dyn Store>,
    pub backend: Arc<dyn Backend>,
    pub auth: Arc<AuthConfig>,
    pub accounts: Arc<Accounts>,
    pub residents: Arc<Residents>,
    pub directory: Arc<Directory>,
    pub cases: Arc<Cases>,
    pub ingest: Arc<Ingest>,
    pub devices: Arc<Devices>,
    pub map: Arc<MapService>,
    pub plans: Arc<Plans>,
    pub flood: Arc<Flood>,
    pub kpis: Arc<Kpis>,
    pub supervision: Arc<crate::supervision::Supervision>,
    pub imports: Arc<crate::imports::Imports>,
    pub calls: Arc<crate::calls::Calls>,
    /// Set when the server is stopping: open live streams close (their clients reconnect to
    /// another copy and resume from `Last-Event-ID`), so that in-flight requests can finish.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
    /// Live streams open per user (or token), to bound them.
    pub streams: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
}

impl AppState {
    /// State over `store` with default authentication settings, serving the compiled site
    /// from `site_root`.
    pub fn new(store: Arc<dyn Store>, site_root: &Path, addr: std::net::SocketAddr) -> Self {
        Self::with_auth(store, site_root, addr, AuthConfig::default())
    }

    /// State over `store` with the given authentication settings; starts the ingest engine.
    pub fn with_auth(store: Arc<dyn Store>, site_root: &Path, addr: std::net::SocketAddr, auth: AuthConfig) -> Self {
        // The build's own folder, named by its content, when the site folder allows (see `site`).
        let pkg = crate::site::publish(site_root, "zhizhi").unwrap_or_else(|| "pkg".into());
        let leptos = LeptosOptions::builder()
            .output_name("zhizhi")
            .site_root(site_root.to_string_lossy().to_string())
            .site_pkg_dir(pkg)
            .site_addr(addr)
            .build();
        let auth = Arc::new(auth);
        let hub: Arc<dyn Hub> = NodeHub::start(store.clone(), 1024);
        let accounts = Arc::new(Accounts::new(store.clone(), auth.clone()));
        let residents = Arc::new(Residents { store: store.clone() });
        let directory = Arc::new(Directory { store: store.clone() });
        let cases = Arc::new(Cases { store: store.clone(), hub });
        let ingest = Ingest::start(store.clone(), cases.clone(), advertised(addr));
        let devices = Arc::new(Devices { store: store.clone(), ingest: ingest.clone() });
        let map = Arc::new(MapService { store: store.clone(), cases: cases.clone(), devices: devices.clone() });
        let plans = Arc::new(Plans { store: store.clone(), cases: (*cases).clone() });
        let kpis = Arc::new(Kpis::new(store.clone()));
        let flood = Arc::new(Flood::new(store.clone(), plans.clone()));
        flood.watch();
        let supervision = Arc::new(crate::supervision::Supervision::new(store.clone()));
        supervision.watch();
        let imports = crate::imports::Imports::new(store.clone());
        let calls = crate::calls::Calls::new(store.clone(), cases.clone());
        let backend: Arc<dyn Backend> = Arc::new(StoreBackend {
            accounts: accounts.clone(),
            residents: residents.clone(),
            directory: directory.clone(),
            cases: cases.clone(),
            devices: devices.clone(),
            map: map.clone(),
            plans: plans.clone(),
            kpis: kpis.clone(),
            flood: flood.clone(),
            supervision: supervision.clone(),
            imports: imports.clone(),
            calls: calls.clone(),
        });
        let stopping = Arc::new(tokio::sync::watch::channel(false).0);
        AppState { leptos, store, backend, auth, accounts, residents, directory, cases, ingest, devices, map, plans, flood, kpis, supervision, imports, calls, stopping, streams: Arc::default() }
    }

    /// Starts the housekeeping that runs for as long as the server does: forgetting live
    /// events beyond the newest [`EVENTS_KEPT`], device messages older than
    /// `keep_messages_days`, and throttling records older than a day; checkpoints the audit
    /// chain's head every ten minutes; and ends the calls nobody answered or whose party went
    /// silent (every 3 s).
    pub fn start_housekeeping(&self, keep_messages_days: u32) {
        self.calls.start_sweeper();
        tokio::spawn(prune_event_log(self.store.clone()));
        tokio::spawn(prune_messages(self.store.clone(), keep_messages_days));
        tokio::spawn(prune_login_failures(self.store.clone()));
        tokio::spawn(checkpoint_audit(self.store.clone()));
    }
}

/// Where other copies reach this one: its address, with 127.0.0.1 for an unspecified one
/// (copies on other hosts are given `--advertise-addr`).
fn advertised(addr: std::net::SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], addr.port())).to_string()
    } else {
        addr.to_string()
    }
}

/// Events kept for reconnecting clients: far more than a day of a busy street.
pub const EVENTS_KEPT: i64 = 200_000;

/// How long the id of a phone's write is remembered (a resend after that makes it again).
pub const CLIENT_IDS_KEPT_MS: i64 = 30 * 86_400_000;

/// Forgets old events every ten minutes (a client asking for them gets a `reset`), and the ids
/// of phones' writes older than [`CLIENT_IDS_KEPT_MS`].
async fn prune_event_log(store: Arc<dyn Store>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        match store.prune_events(EVENTS_KEPT).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, "old live events forgotten"),
            Err(e) => tracing::warn!(error = %e, "cannot prune the event log"),
        }
        match store.prune_client_writes(crate::auth::now_ms() - CLIENT_IDS_KEPT_MS).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, "old client ids forgotten"),
            Err(e) => tracing::warn!(error = %e, "cannot prune the client ids"),
        }
    }
}

/// Forgets device messages older than `days` once an hour (alarms, cases and device state
/// stay).
async fn prune_messages(store: Arc<dyn Store>, days: u32) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        let before = crate::auth::now_ms() - i64::from(days) * 86_400_000;
        match store.prune_messages(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, days, "old device messages forgotten"),
            Err(e) => tracing::warn!(error = %e, "cannot prune device messages"),
        }
    }
}

/// Forgets throttling records older than a day every ten minutes (the longest window is an
/// hour): a flood of bad logins leaves no lasting trace but its audit entries.
async fn prune_login_failures(store: Arc<dyn Store>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        match store.prune_login_failures(crate::auth::now_ms() - 86_400_000).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, "old login failures forgotten"),
            Err(e) => tracing::warn!(error = %e, "cannot prune login failures"),
        }
    }
}

/// Writes a checkpoint of the audit chain's head every ten minutes (when it moved).
async fn checkpoint_audit(store: Arc<dyn Store>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        match store.checkpoint_audit(crate::auth::now_ms()).await {
            Ok(None) => {}
            Ok(Some((seq, _))) => tracing::debug!(seq, "audit checkpoint written"),
            Err(e) => tracing::warn!(error = %e, "cannot write an audit checkpoint"),
        }
    }
}
