//! Ingest: device messages in (HTTP and MQTT), rules applied, alarms out.
//!
//! One task, the engine, owns every device's state. Requests check their messages against
//! the registry (unknown device, malformed payload: refused one by one), then queue the good
//! ones with a reply channel. The engine takes everything queued (many requests at once),
//! stores it and what the rules made of it in one transaction, and only then answers: an
//! acknowledged message is durable, and a repeated `(device_id, msg_id)` is recognised by the
//! database and changes nothing. Timer rules (offline, a resident in care without a door
//! opening) run in the same task from a heap of due times rebuilt from the stored state at
//! start, so they survive a restart. Alarms that call for it open cases through the case
//! service after the commit; one that was raised but has no case yet (a crash in between) gets
//! it when the engine starts.

pub mod broker;
mod engine;
mod leader;
pub mod mqtt;
mod registry;

pub use leader::FORWARD_HEADER;
pub use registry::{Dev, Registry};

use crate::cases::Cases;
use crate::storage::iot::StoredMessage;
use crate::storage::Store;
use serde::Serialize;
use std::collections::BinaryHeap;
use std::sync::{Arc, RwLock};
use tokio::sync::{mpsc, oneshot, watch, Semaphore};
use zhizhi_shared::iot::{self, Parsed, WireMessage};

/// The most messages one request may carry.
pub const MAX_BATCH: usize = 5_000;

/// The most messages waiting to be stored; beyond this, senders are told to back off (503).
/// This bounds the memory ingest can take, whatever the load.
pub const MAX_QUEUED: usize = 100_000;

/// The most messages stored in one transaction (more are taken only as whole requests): small
/// enough that a transaction takes tens of milliseconds, so that an alarm waits little.
pub(super) const MAX_FLUSH: usize = 1_000;

/// How long a device's state may go unsaved when nothing the rules depend on changed (only
/// when it was last heard, its readings): such changes are saved at most this late, so that a
/// heartbeat costs one row, not two. After a crash, `last_heard` may be this much older than
/// it was; the engine adds it back when it loads, so an offline alarm is never early (at most
/// this late).
pub const STATE_LAG_MS: i64 = 30_000;

/// Who sends: an integration (an NB-IoT platform, the MQTT bridge) for any device, or one
/// device for itself.
#[derive(Clone, Debug, PartialEq)]
pub enum Sender {
    Integration,
    Device(String),
}

/// What happened to one message of a batch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub index: usize,
    /// `stored`, `duplicate` (stored before; acknowledged again) or `refused`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Why a batch could not be taken at all.
#[derive(Debug, thiserror::Error)]
pub enum Busy {
    #[error("接入队列已满（{0} 条待写入），请稍后重试")]
    Full(usize),
    #[error("存储失败：{0}")]
    Storage(String),
    #[error("接入服务未运行")]
    Stopped,
    #[error("接入服务正在切换处理节点，请稍后重试")]
    NoLeader,
    /// What the copy that runs the engine answered.
    #[error("{0}")]
    Leader(String),
}

pub(super) struct Queued {
    dev: usize,
    msg: StoredMessage,
    parsed: Parsed,
}

pub(super) enum Job {
    /// `urgent`: a message may raise a safety alarm; stored ahead of everyday traffic.
    Messages { msgs: Vec<Queued>, urgent: bool, reply: oneshot::Sender<Result<Vec<bool>, String>> },
    /// A device was registered or changed: re-read it (all, with `None`).
    Reload { id: Option<i64>, reply: oneshot::Sender<()> },
}

/// The ingest service.
pub struct Ingest {
    /// The engine's queue, while this copy runs it (always, over SQLite).
    jobs: RwLock<Option<mpsc::UnboundedSender<Job>>>,
    /// Whether this copy runs the engine, for those who wait for it to change.
    leading_tx: watch::Sender<bool>,
    permits: Arc<Semaphore>,
    ready: watch::Receiver<bool>,
    pub registry: Arc<RwLock<Registry>>,
    /// The broker's administration, when Zhizhi provisions device identities there.
    broker: std::sync::OnceLock<Arc<broker::BrokerAdmin>>,
    /// The other copies over the same database (PostgreSQL); `None` over SQLite.
    copies: Option<leader::Copies>,
}

pub(super) fn millis() -> i64 {
    crate::auth::now_ms()
}

impl Ingest {
    /// Starts the engine over `store`; alarms open cases through `cases`. Where several copies
    /// share the database, only the one holding the lease runs it, and `addr` is where the
    /// others reach this copy (to forward device messages, when it leads).
    pub fn start(store: Arc<dyn Store>, cases: Arc<Cases>, addr: String) -> Arc<Ingest> {
        let (ready_tx, ready) = watch::channel(false);
        let ready_tx = Arc::new(ready_tx);
        let registry = Arc::new(RwLock::new(Registry::default()));
        let permits = Arc::new(Semaphore::new(MAX_QUEUED));
        if let Some(cluster) = store.cluster() {
            let copies = leader::Copies::new(cluster, store.clone(), addr);
            let ingest = Arc::new(Ingest { jobs: RwLock::new(None), leading_tx: watch::channel(false).0, permits, ready, registry, broker: std::sync::OnceLock::new(), copies: Some(copies) });
            tokio::spawn(leader::run(Arc::downgrade(&ingest), store, cases, ready_tx));
            return ingest;
        }
        let (jobs, rx) = mpsc::unbounded_channel();
        let engine = engine::Engine { store: store.clone(), cases, registry: registry.clone(), timers: BinaryHeap::new(), loaded: false };
        tokio::spawn(engine.run(rx, ready_tx));
        // Checkpoints off the write path (SQLite): commits never stop to copy the WAL back.
        let weak = jobs.downgrade();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                every.tick().await;
                if weak.upgrade().is_none() {
                    return;
                }
                if let Err(e) = store.checkpoint().await {
                    tracing::warn!(error = %e, "checkpoint failed");
                }
            }
        });
        Arc::new(Ingest { jobs: RwLock::new(Some(jobs)), leading_tx: watch::channel(true).0, permits, ready, registry, broker: std::sync::OnceLock::new(), copies: None })
    }

    /// Whether this copy runs the engine (always, over SQLite).
    pub fn leading(&self) -> bool {
        self.jobs.read().expect("jobs lock").is_some()
    }

    /// Follows whether this copy runs the engine.
    pub fn leadership(&self) -> watch::Receiver<bool> {
        self.leading_tx.subscribe()
    }

    /// Starts (`Some`) or stops (`None`) taking jobs for an engine.
    fn set_jobs(&self, jobs: Option<mpsc::UnboundedSender<Job>>) {
        let leading = jobs.is_some();
        *self.jobs.write().expect("jobs lock") = jobs;
        self.leading_tx.send_replace(leading);
    }

    /// Whether `secret` is the one other copies forward batches to this copy with, while it
    /// leads.
    pub fn forward_ok(&self, secret: &str) -> bool {
        self.copies.as_ref().is_some_and(|c| c.secret_ok(secret)) && self.leading()
    }

    fn job(&self, job: Job) -> Result<(), Busy> {
        let jobs = self.jobs.read().expect("jobs lock");
        jobs.as_ref().ok_or(Busy::NoLeader)?.send(job).map_err(|_| Busy::Stopped)
    }

    /// Provisions device identities in this broker from now on.
    pub fn set_broker(&self, admin: Arc<broker::BrokerAdmin>) {
        let _ = self.broker.set(admin);
    }

    /// The broker's administration, when device identities are provisioned there.
    pub fn broker(&self) -> Option<&Arc<broker::BrokerAdmin>> {
        self.broker.get()
    }

    /// A device's code, by its id.
    pub fn code_of(&self, id: i64) -> Option<String> {
        let reg = self.registry.read().ok()?;
        reg.by_id.get(&id).map(|&i| reg.devices[i].rec.code.clone())
    }

    /// Messages waiting to be stored.
    pub fn queued(&self) -> usize {
        MAX_QUEUED - self.permits.available_permits()
    }

    /// Whether the registry and device state are loaded.
    pub fn is_ready(&self) -> bool {
        *self.ready.borrow()
    }

    /// Waits until the registry and device state are loaded (just after start).
    pub async fn wait_ready(&self) -> Result<(), Busy> {
        let mut ready = self.ready.clone();
        ready.wait_for(|r| *r).await.map_err(|_| Busy::Stopped)?;
        Ok(())
    }

    /// Checks, stores and evaluates a batch. Returns one outcome per message, in order, once
    /// every accepted message is durably stored: here, or by the copy that runs the engine.
    pub async fn submit(&self, from: &Sender, batch: Vec<serde_json::Value>) -> Result<Vec<Outcome>, Busy> {
        let Some(copies) = &self.copies else { return self.submit_here(from, batch).await };
        // While copies hand the engine over, wait for the next leader rather than refuse.
        let deadline = tokio::time::Instant::now() + leader::TAKEOVER_WAIT;
        loop {
            if self.leading() {
                return self.submit_here(from, batch).await;
            }
            match leader::forward(copies, from, &batch).await {
                Err(Busy::NoLeader) if tokio::time::Instant::now() < deadline => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
                answer => return answer,
            }
        }
    }

    /// Like [`Ingest::submit`], on this copy only (a batch another copy forwarded): refused
    /// while this copy does not run the engine.
    pub async fn submit_here(&self, from: &Sender, batch: Vec<serde_json::Value>) -> Result<Vec<Outcome>, Busy> {
        if !self.leading() {
            return Err(Busy::NoLeader);
        }
        self.wait_ready().await?;
        let now = millis();
        let mut out: Vec<Outcome> = Vec::with_capacity(batch.len());
        let mut good: Vec<Queued> = Vec::with_capacity(batch.len());
        let mut good_index: Vec<usize> = Vec::with_capacity(batch.len());
        let mut urgent = false;
        {
            let reg = self.registry.read().expect("registry lock");
            for (index, value) in batch.into_iter().enumerate() {
                let refused = |device_id: Option<String>, msg_id: Option<String>, error: String| Outcome { index, status: "refused", device_id, msg_id, error: Some(error) };
                let m: WireMessage = match serde_json::from_value(value) {
                    Ok(m) => m,
                    Err(e) => {
                        out.push(refused(None, None, format!("消息格式错误：{e}")));
                        continue;
                    }
                };
                let (d, id) = (Some(m.device_id.clone()), Some(m.msg_id.clone()));
                if let Sender::Device(me) = from
                    && *me != m.device_id
                {
                    out.push(refused(d, id, format!("设备 {me} 不能代其他设备（{}）发送消息", m.device_id)));
                    continue;
                }
                if let Err(e) = iot::check_envelope(&m, now) {
                    out.push(refused(d, id, e));
                    continue;
                }
                let Some(&i) = reg.by_code.get(&m.device_id) else {
                    out.push(refused(d, id, format!("未登记的设备「{}」", m.device_id)));
                    continue;
                };
                let dev = &reg.devices[i].rec;
                if dev.retired {
                    out.push(refused(d, id, format!("设备「{}」已停用", m.device_id)));
                    continue;
                }
                let parsed = match iot::parse(dev.kind, &m.kind, &m.payload) {
                    Ok(p) => p,
                    Err(e) => {
                        out.push(refused(d, id, e));
                        continue;
                    }
                };
                urgent |= iot::may_alarm(&reg.devices[i].watch(), &parsed.reading);
                let payload = if m.payload.is_null() { "{}".to_string() } else { m.payload.to_string() };
                good_index.push(index);
                out.push(Outcome { index, status: "stored", device_id: d, msg_id: id, error: None });
                good.push(Queued { dev: i, msg: StoredMessage { device_id: dev.id, msg_id: m.msg_id, ts: m.ts, received_at: now, kind: m.kind, payload }, parsed });
            }
        }
        if good.is_empty() {
            return Ok(out);
        }
        let n = good.len();
        let permit = self.permits.clone().try_acquire_many_owned(n as u32).map_err(|_| Busy::Full(self.queued()))?;
        let (reply, answer) = oneshot::channel();
        self.job(Job::Messages { msgs: good, urgent, reply })?;
        let new = answer.await.map_err(|_| Busy::Stopped)?.map_err(Busy::Storage)?;
        drop(permit);
        crate::metrics::ingested(new.iter().filter(|n| **n).count() as u64);
        for (k, index) in good_index.into_iter().enumerate() {
            if !new[k] {
                out[index].status = "duplicate";
            }
        }
        Ok(out)
    }

    /// Re-reads a device (or all) after a registry change; tells the other copies.
    pub async fn reload(&self, id: Option<i64>) {
        if let Some(copies) = &self.copies {
            let change = id.map_or(crate::storage::cluster::DeviceChange::All, crate::storage::cluster::DeviceChange::One);
            if let Err(e) = copies.cluster.device_changed(change).await {
                tracing::warn!(error = %e, "cannot tell the other copies of a device change");
            }
            if !self.leading() {
                leader::reread(copies, &self.registry, id).await;
                return;
            }
        }
        let (reply, done) = oneshot::channel();
        if self.job(Job::Reload { id, reply }).is_ok() {
            let _ = done.await;
        }
    }
}

