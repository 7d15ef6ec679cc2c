//! Several server copies over one PostgreSQL: exactly one runs the engine (device state, the
//! alarm rules, the timers). Each copy tries to lead every second; the one holding the lease
//! (see [`crate::storage::cluster`]) runs the engine and re-reads devices changed on other
//! copies. The others forward every batch, as it came, to the leader with the leader's secret
//! and answer with its answer, so a message is acknowledged only once the leader has stored it;
//! they re-read the registry every few seconds for their own device pages. A leader that loses
//! its lease (its connection) stops its engine at once; a copy that takes over loads the state
//! from the database like a restart, so every timer fires there once.

use super::engine::Engine;
use super::registry::Registry;
use super::{Busy, Ingest, Job, Outcome, Sender};
use crate::cases::Cases;
use crate::http_client::HttpClient;
use crate::storage::cluster::{Cluster, DeviceChange};
use crate::storage::Store;
use serde::Deserialize;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};

/// How long a request waits for a leader (one taking over after another died) before it is
/// answered 503.
pub(super) const TAKEOVER_WAIT: Duration = Duration::from_secs(5);

/// How long a forwarded batch may take at the leader (stored and evaluated there).
const FORWARD_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a copy that lost its lease waits before it tries again (the others try every
/// second).
const STEP_BACK: Duration = Duration::from_secs(3);

/// How often a follower re-reads the device registry (state included) for its own pages.
const REFRESH: Duration = Duration::from_secs(5);

/// The header a forwarded batch carries the leader's secret in.
pub const FORWARD_HEADER: &str = "x-zhizhi-forward";

/// What a copy knows of the others.
pub(super) struct Copies {
    pub(super) cluster: Arc<dyn Cluster>,
    pub(super) store: Arc<dyn Store>,
    /// Where the other copies reach this one.
    pub(super) addr: String,
    /// What a batch forwarded to this copy must carry while it leads.
    secret: String,
    /// Kept-alive connections to the leader, with the secret they were opened with.
    idle: Mutex<Vec<(String, String, HttpClient)>>,
    /// The leader's address and secret as last read.
    known: Mutex<Option<(String, String)>>,
}

impl Copies {
    pub(super) fn new(cluster: Arc<dyn Cluster>, store: Arc<dyn Store>, addr: String) -> Self {
        Copies { cluster, store, addr, secret: crate::auth::new_token(), idle: Mutex::default(), known: Mutex::default() }
    }

    /// Whether `secret` is this copy's (compared as digests, so the time taken says nothing of
    /// the secret).
    pub(super) fn secret_ok(&self, secret: &str) -> bool {
        crate::auth::token_hash(secret) == crate::auth::token_hash(&self.secret)
    }
}

/// Tries to lead for as long as `ingest` lives; runs the engine while it does, and keeps the
/// registry fresh while it does not.
pub(super) async fn run(ingest: Weak<Ingest>, store: Arc<dyn Store>, cases: Arc<Cases>, ready: Arc<watch::Sender<bool>>) {
    let mut refreshed: Option<tokio::time::Instant> = None;
    loop {
        let Some(me) = ingest.upgrade() else { return };
        let copies = me.copies.as_ref().expect("a copy among several");
        let (cluster, registry, addr) = (copies.cluster.clone(), me.registry.clone(), copies.addr.clone());
        let lead = cluster.lead(&addr, &copies.secret).await;
        match lead {
            Ok(Some(mut lease)) => {
                tracing::info!(%addr, "this copy runs the ingest engine now");
                // The registry stays readable (device pages, device secrets) while the engine
                // loads every device's stored state into it; batches wait for `ready`.
                let _ = ready.send(false);
                let (jobs, rx) = mpsc::unbounded_channel();
                let engine = Engine { store: store.clone(), cases: cases.clone(), registry, timers: BinaryHeap::new(), loaded: false };
                let mut task = tokio::spawn(engine.run(rx, ready.clone()));
                me.set_jobs(Some(jobs.clone()));
                drop(me);
                let mut changes = cluster.device_changes();
                let mut every = tokio::time::interval(Duration::from_secs(1));
                let lost = loop {
                    tokio::select! {
                        Some(change) = changes.recv() => {
                            let id = match change { DeviceChange::One(id) => Some(id), DeviceChange::All => None };
                            let (reply, _) = oneshot::channel();
                            let _ = jobs.send(Job::Reload { id, reply });
                        }
                        _ = every.tick() => {
                            if ingest.strong_count() == 0 {
                                break false;
                            }
                            // An engine that ended (it panicked) is started again, after the
                            // others had their chance, as after a lost lease.
                            if task.is_finished() || !lease.held().await {
                                break true;
                            }
                        }
                    }
                };
                if let Some(me) = ingest.upgrade() {
                    me.set_jobs(None);
                }
                // Stopped before anything else: a transaction it had begun is rolled back.
                task.abort();
                let _ = (&mut task).await;
                if !lost {
                    return;
                }
                tracing::error!("lost the ingest lease (its database connection): this copy stopped its engine; another copy takes over");
                refreshed = None;
                // Whatever cut this copy's connection may cut it again: the others go first.
                tokio::time::sleep(STEP_BACK).await;
                continue;
            }
            Ok(None) => {
                if refreshed.is_none_or(|t| t.elapsed() >= REFRESH) {
                    match refresh(store.as_ref(), &me.registry).await {
                        Ok(()) => {
                            refreshed = Some(tokio::time::Instant::now());
                            let _ = ready.send(true);
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot read the device registry"),
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot ask for the ingest lease; retrying in 1 s"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Reads every device (with its state, as the leader last saved it) into `registry`.
async fn refresh(store: &dyn Store, registry: &std::sync::RwLock<Registry>) -> crate::storage::Result<()> {
    let mut fresh = Registry::default();
    for rec in store.device_records(None).await? {
        fresh.put(rec);
    }
    *registry.write().expect("registry lock") = fresh;
    Ok(())
}

/// Re-reads one device (or all) into a follower's registry.
pub(super) async fn reread(copies: &Copies, registry: &std::sync::RwLock<Registry>, id: Option<i64>) {
    match copies.store.device_records(id).await {
        Ok(records) => {
            let mut reg = registry.write().expect("registry lock");
            for rec in records {
                reg.put(rec);
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot re-read a device"),
    }
}

#[derive(Deserialize)]
struct Answer {
    results: Vec<WireOutcome>,
}

#[derive(Deserialize)]
struct WireOutcome {
    index: usize,
    status: String,
    device_id: Option<String>,
    msg_id: Option<String>,
    error: Option<String>,
}

/// Sends a batch, as it came, to the leader; its outcomes once it has stored them.
pub(super) async fn forward(copies: &Copies, from: &Sender, batch: &[serde_json::Value]) -> Result<Vec<Outcome>, Busy> {
    let answer = forward_to_known(copies, from, batch).await;
    if matches!(answer, Err(Busy::NoLeader)) {
        // Ask the database again next time: the leader may have changed.
        *copies.known.lock().expect("known lock") = None;
    }
    answer
}

async fn forward_to_known(copies: &Copies, from: &Sender, batch: &[serde_json::Value]) -> Result<Vec<Outcome>, Busy> {
    let known = copies.known.lock().expect("known lock").clone();
    let (addr, secret) = match known {
        Some(k) => k,
        None => {
            let k = copies.cluster.leader().await.map_err(|e| Busy::Storage(e.to_string()))?.ok_or(Busy::NoLeader)?;
            *copies.known.lock().expect("known lock") = Some(k.clone());
            k
        }
    };
    if addr == copies.addr {
        // The row still names this copy, which no longer leads: the next leader replaces it.
        return Err(Busy::NoLeader);
    }
    let device = match from {
        Sender::Integration => serde_json::Value::Null,
        Sender::Device(code) => code.clone().into(),
    };
    let n = batch.len() as u64;
    let body = serde_json::json!({ "messages": batch, "device": device }).to_string();
    let kept = {
        let mut idle = copies.idle.lock().expect("idle lock");
        idle.retain(|(a, s, _)| *a == addr && *s == secret);
        idle.pop()
    };
    // A kept connection the leader closed meanwhile is tried once more on a new one (a batch
    // sent twice is stored once: its ids are known).
    let (status, text, client) = match kept {
        Some((_, _, mut c)) => match tokio::time::timeout(FORWARD_TIMEOUT, c.request("POST", "/api/v1/ingest", &body)).await {
            Ok(Ok((status, _, text))) => (status, text, c),
            _ => send_new(&addr, &secret, &body).await?,
        },
        None => send_new(&addr, &secret, &body).await?,
    };
    copies.idle.lock().expect("idle lock").push((addr, secret, client));
    match status {
        200 => {
            let answer: Answer = serde_json::from_str(&text).map_err(|e| Busy::Leader(format!("处理节点的答复无法解读：{e}")))?;
            crate::metrics::forwarded(n);
            Ok(answer.results.into_iter().map(outcome).collect())
        }
        // The secret changed: another copy took over since the row was read.
        401 => Err(Busy::NoLeader),
        _ => {
            let error = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v["error"].as_str().map(str::to_string));
            Err(Busy::Leader(error.unwrap_or_else(|| format!("处理节点答复 {status}"))))
        }
    }
}

async fn send_new(addr: &str, secret: &str, body: &str) -> Result<(u16, String, HttpClient), Busy> {
    let send = async {
        let mut c = HttpClient::connect(addr, &format!("X-Zhizhi-Forward: {secret}\r\n")).await?;
        let (status, _, text) = c.request("POST", "/api/v1/ingest", body).await?;
        Ok::<_, std::io::Error>((status, text, c))
    };
    // A leader that hangs (or a network that drops everything) is not waited for forever.
    tokio::time::timeout(FORWARD_TIMEOUT, send).await.map_err(|_| Busy::NoLeader)?.map_err(|_| Busy::NoLeader)
}

fn outcome(w: WireOutcome) -> Outcome {
    let status = match w.status.as_str() {
        "stored" => "stored",
        "duplicate" => "duplicate",
        _ => "refused",
    };
    Outcome { index: w.index, status, device_id: w.device_id, msg_id: w.msg_id, error: w.error }
}
