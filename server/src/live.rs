//! Live updates: the hub that fans events out to open streams, and the stream of one client.
//!
//! Every event is first committed to the durable log (`events` table, in the same transaction
//! as the change it describes), then published to the hub. A client's stream replays the log
//! from where it left off and then follows the hub; whenever it falls behind (a slow client
//! whose buffer overflowed, or an event it did not get) it goes back to the log. So the hub may
//! drop messages without losing anything, and a slow client never slows the others.
//!
//! Each server copy has one hub ([`NodeHub`]) and one reader of the log behind it: the events
//! this copy writes are sent at once; the events other copies write over the same PostgreSQL
//! arrive as notices (LISTEN/NOTIFY, ids only), and the reader reads them from the log once for
//! every stream of this copy. No stream polls: a stream queries the log only to start, to
//! resume, or when it fell behind; the reader also reads it every [`SAFETY_READ`] (one query
//! per copy), for a notice lost or an event whose request was cancelled before it published.

use crate::storage::{Notice, Store};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc, Notify};
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::LiveEvent;

/// One event as the hub sends it, with the id of the event it sent before: a stream that has
/// that one knows it misses nothing in between (ids may skip where a write was rolled back).
#[derive(Clone, Debug)]
pub struct Sent {
    pub after: i64,
    pub event: Arc<Shared>,
}

/// An event as the streams send it: written as JSON once, however many streams send it.
#[derive(Debug)]
pub struct Shared {
    pub event: LiveEvent,
    case: std::sync::OnceLock<String>,
    activation: std::sync::OnceLock<Option<String>>,
}

impl Shared {
    pub fn new(event: LiveEvent) -> Shared {
        Shared { event, case: Default::default(), activation: Default::default() }
    }

    /// The case as JSON.
    pub fn case_json(&self) -> &str {
        self.case.get_or_init(|| serde_json::to_string(&self.event.case).expect("a case always serialises"))
    }

    /// The case's contingency plan activation as JSON, if it has one.
    pub fn activation_json(&self) -> Option<&str> {
        self.activation.get_or_init(|| self.event.case.activation.as_ref().map(|a| serde_json::to_string(a).expect("an activation always serialises"))).as_deref()
    }
}

impl PartialEq for Shared {
    fn eq(&self, other: &Shared) -> bool {
        self.event == other.event
    }
}

/// Fans events out to the open streams.
pub trait Hub: Send + Sync + 'static {
    /// Publishes an event already committed to the log. Never waits.
    fn publish(&self, event: LiveEvent);
    /// A receiver of events published from now on.
    fn subscribe(&self) -> broadcast::Receiver<Sent>;
    /// How many events this hub has sent (for `/metrics`).
    fn sent(&self) -> u64 {
        0
    }
}

/// The hub of one server copy: sends every committed event once, in id order, whichever copy
/// wrote it.
pub struct NodeHub {
    tx: broadcast::Sender<Sent>,
    /// The newest event sent (`None` until the reader has read where the log stands).
    last: Mutex<Option<i64>>,
    /// The oldest event published before the reader knew where the log stood: it reads from
    /// there.
    early: AtomicI64,
    /// Tells the reader to read the log (an event came out of order).
    wake: Arc<Notify>,
    sent: AtomicU64,
}

/// How often a copy reads the log even when nothing told it to: what a lost notice, or an
/// event committed by a request cancelled before it published, waits at most.
pub const SAFETY_READ: std::time::Duration = std::time::Duration::from_secs(10);

impl NodeHub {
    /// A hub keeping up to `capacity` events for slow receivers before they must catch up from
    /// the log, with its reader of `store`'s log (one task, ending after the hub).
    pub fn start(store: Arc<dyn Store>, capacity: usize) -> Arc<NodeHub> {
        let notices = store.event_notices();
        Self::start_with(store, capacity, notices, Some(SAFETY_READ))
    }

    /// [`NodeHub::start`] with the notices given, and the reader's own reads of the log every
    /// `safety` (none when `None`: for tests of the notices alone).
    pub fn start_with(store: Arc<dyn Store>, capacity: usize, notices: Option<mpsc::Receiver<Notice>>, safety: Option<std::time::Duration>) -> Arc<NodeHub> {
        let wake = Arc::new(Notify::new());
        let hub = Arc::new(NodeHub { tx: broadcast::channel(capacity).0, last: Mutex::new(None), early: AtomicI64::new(i64::MAX), wake: wake.clone(), sent: AtomicU64::new(0) });
        tokio::spawn(read_log(Arc::downgrade(&hub), wake, store, notices, safety));
        hub
    }

    /// Sends `event` if it is newer than the last sent; `known_next` when nothing can come
    /// between the two (read from the log, which commits ids in order).
    fn send(&self, event: Arc<Shared>, known_next: bool) {
        let mut last = self.last.lock().expect("hub lock");
        match *last {
            Some(l) if event.event.id <= l => {}
            Some(l) if known_next || event.event.id == l + 1 => {
                *last = Some(event.event.id);
                self.sent.fetch_add(1, Ordering::Relaxed);
                crate::metrics::event_lag(crate::auth::now_ms() - event.event.case.updated_at);
                let _ = self.tx.send(Sent { after: l, event });
            }
            None => {
                self.early.fetch_min(event.event.id, Ordering::Relaxed);
                self.wake.notify_one();
            }
            // Something may come between: the log says.
            Some(_) => self.wake.notify_one(),
        }
    }

    /// The newest event sent, once the hub knows where the log stands.
    pub fn last(&self) -> Option<i64> {
        *self.last.lock().expect("hub lock")
    }
}

impl Hub for NodeHub {
    fn publish(&self, event: LiveEvent) {
        self.send(Arc::new(Shared::new(event)), false);
    }

    fn subscribe(&self) -> broadcast::Receiver<Sent> {
        self.tx.subscribe()
    }

    fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

/// A hub that tells nobody: for writes no screen should follow one by one (a year of demo
/// history; tests of a service alone).
pub struct Quiet;

impl Hub for Quiet {
    fn publish(&self, _: LiveEvent) {}

    fn subscribe(&self) -> broadcast::Receiver<Sent> {
        broadcast::channel(1).1
    }
}

/// Events read from the log per query when catching up.
const PAGE: i64 = 500;

/// The hub's reader: learns where the log stands, then reads it whenever an event came out of
/// order, another copy wrote one, or `safety` passed, and sends what it read. Ends once the hub
/// is gone.
async fn read_log(hub: std::sync::Weak<NodeHub>, wake: Arc<Notify>, store: Arc<dyn Store>, mut notices: Option<mpsc::Receiver<Notice>>, safety: Option<std::time::Duration>) {
    loop {
        match store.event_range().await {
            Ok((_, newest)) => {
                let Some(h) = hub.upgrade() else { return };
                let mut last = h.last.lock().expect("hub lock");
                // Events published before now were not sent: read them again from the log.
                let early = h.early.load(Ordering::Relaxed);
                *last = Some(if early == i64::MAX { newest } else { newest.min(early - 1) });
                break;
            }
            Err(e) => {
                tracing::warn!(error = %e, "the live hub cannot read the event log; retrying in 1 s");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
    wake.notify_one();
    loop {
        let notice = async {
            match notices.as_mut() {
                Some(n) => n.recv().await,
                None => std::future::pending().await,
            }
        };
        let pause = async {
            match safety {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        let newer_than = tokio::select! {
            () = wake.notified() => None,
            () = pause => None,
            n = notice => match n {
                Some(Notice::Written(id)) => Some(id),
                Some(Notice::Listening) => None,
                None => {
                    tracing::error!("the live hub no longer hears of other server copies' events; it reads the log every {safety:?}");
                    notices = None;
                    continue;
                }
            },
        };
        let Some(h) = hub.upgrade() else { return };
        if newer_than.is_some_and(|id| h.last().is_some_and(|l| id <= l)) {
            // Sent already (this copy wrote it).
            continue;
        }
        loop {
            let Some(from) = h.last() else { break };
            match store.events_after(from, PAGE).await {
                Ok(page) => {
                    let full = page.len() as i64 == PAGE;
                    for e in page {
                        h.send(Arc::new(Shared::new(e)), true);
                    }
                    if !full {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the live hub cannot read the event log; retrying in 1 s");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    wake.notify_one();
                    break;
                }
            }
        }
    }
}

/// Who a stream is for.
#[derive(Clone, Debug)]
pub enum Viewer {
    /// A signed-in user: sees what their role and scope allow.
    User(Principal),
    /// An API token with the `read` scope: sees everything.
    Machine,
}

impl Viewer {
    fn sees(&self, e: &LiveEvent) -> bool {
        match self {
            Viewer::User(p) => p.may_see_case(&e.case.visibility()),
            Viewer::Machine => true,
        }
    }
}

/// What a stream sends; the API turns each into a server-sent event (`api/cases.rs`).
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// The stream follows from `cursor`.
    Ready { cursor: i64 },
    /// The events asked for are no longer kept: the client reloads; the stream follows from
    /// `newest`.
    Reset { newest: i64 },
    /// A case changed: the event (its id and the case as it now stands), shared by every
    /// stream that sends it.
    Case(Arc<Shared>),
}

/// Runs one client's stream: replays the log after `last` (or starts from now when `None`),
/// then follows the hub, sending frames into `out` until the client goes away.
pub async fn pump(store: Arc<dyn Store>, mut live: broadcast::Receiver<Sent>, viewer: Viewer, last: Option<i64>, out: mpsc::Sender<Frame>) {
    if let Err(e) = run(store, &mut live, viewer, last, &out).await {
        match e {
            Stop::Gone => {}
            Stop::Storage(e) => {
                tracing::warn!(error = %e, "live stream ended by a storage error");
            }
        }
    }
}

enum Stop {
    Gone,
    Storage(crate::storage::Error),
}

impl From<crate::storage::Error> for Stop {
    fn from(e: crate::storage::Error) -> Self {
        Stop::Storage(e)
    }
}

async fn send(out: &mpsc::Sender<Frame>, e: Frame) -> Result<(), Stop> {
    out.send(e).await.map_err(|_| Stop::Gone)
}

async fn run(store: Arc<dyn Store>, live: &mut broadcast::Receiver<Sent>, viewer: Viewer, last: Option<i64>, out: &mpsc::Sender<Frame>) -> Result<(), Stop> {
    let (oldest, newest) = store.event_range().await?;
    let mut cursor = match start_from(last, oldest, newest) {
        Start::At(c) => c,
        Start::Reset => {
            send(out, Frame::Reset { newest }).await?;
            newest
        }
    };
    send(out, Frame::Ready { cursor }).await?;
    catch_up(&store, &viewer, &mut cursor, out).await?;
    loop {
        match live.recv().await {
            Ok(s) if s.event.event.id <= cursor => {}
            Ok(s) if s.after == cursor => {
                if viewer.sees(&s.event.event) {
                    send(out, Frame::Case(s.event.clone())).await?;
                }
                cursor = s.event.event.id;
            }
            // Events this stream did not get (it started or resumed between two, or fell
            // behind and the hub dropped some for it): the log has everything, in order.
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => catch_up(&store, &viewer, &mut cursor, out).await?,
            Err(broadcast::error::RecvError::Closed) => return Ok(()),
        }
    }
}

/// The most events a reconnecting client is sent again; further behind, it reloads.
pub const MAX_REPLAY: i64 = 5_000;

/// Where a stream starts.
#[derive(Debug, PartialEq)]
pub enum Start {
    /// After this event.
    At(i64),
    /// From now, after telling the client to reload (`reset`).
    Reset,
}

/// Where a stream asked to resume after `last` starts, with the log holding events
/// `oldest..=newest`: a reload instead of a replay when the events are no longer kept, are
/// from another database, or are more than [`MAX_REPLAY`] behind (`?after=0` replays nothing).
pub fn start_from(last: Option<i64>, oldest: Option<i64>, newest: i64) -> Start {
    match last {
        None => Start::At(newest),
        Some(l) if l > newest || oldest.map_or(l < newest, |o| l + 1 < o) || newest - l > MAX_REPLAY => Start::Reset,
        Some(l) => Start::At(l),
    }
}

#[cfg(test)]
#[test]
fn a_stream_resumes_only_what_is_kept_and_not_too_far_behind() {
    assert_eq!(start_from(None, Some(1), 900), Start::At(900));
    assert_eq!(start_from(Some(850), Some(1), 900), Start::At(850));
    assert_eq!(start_from(Some(900), Some(1), 900), Start::At(900));
    assert_eq!(start_from(Some(901), Some(1), 900), Start::Reset, "another database");
    assert_eq!(start_from(Some(10), Some(100), 900), Start::Reset, "pruned");
    assert_eq!(start_from(Some(0), Some(1), 900), Start::At(0), "everything kept and near");
    assert_eq!(start_from(Some(0), Some(1), MAX_REPLAY + 1), Start::Reset, "too far behind");
    assert_eq!(start_from(Some(1), Some(1), MAX_REPLAY + 1), Start::At(1));
}

async fn catch_up(store: &Arc<dyn Store>, viewer: &Viewer, cursor: &mut i64, out: &mpsc::Sender<Frame>) -> Result<(), Stop> {
    loop {
        let page = store.events_after(*cursor, PAGE).await?;
        let full = page.len() as i64 == PAGE;
        for e in page {
            *cursor = e.id;
            if viewer.sees(&e) {
                send(out, Frame::Case(Arc::new(Shared::new(e)))).await?;
            }
        }
        if !full {
            return Ok(());
        }
    }
}

/// Reads `read` every `every` and tells the receivers of `tx` when the value moved (where things
/// stand at start is not a change): how a screen following a version number learns of the writes
/// of other server copies. One task per call.
pub fn poll<T, F, Fut>(tx: Arc<tokio::sync::watch::Sender<T>>, every: std::time::Duration, read: F)
where
    T: PartialEq + Send + Sync + 'static,
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Option<T>> + Send,
{
    tokio::spawn(async move {
        if let Some(c) = read().await {
            tx.send_if_modified(|v| {
                *v = c;
                false
            });
        }
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Some(c) = read().await {
                moved(&tx, c);
            }
        }
    });
}

/// Sets `tx`'s value, telling its receivers if it moved.
pub fn moved<T: PartialEq>(tx: &tokio::sync::watch::Sender<T>, c: T) {
    tx.send_if_modified(|v| {
        let moved = *v != c;
        *v = c;
        moved
    });
}
