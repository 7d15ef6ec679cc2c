//! Live updates: the hub that fans events out to open streams, and the stream of one client.
//!
//! Every event is first committed to the durable log (`events` table, in the same transaction
//! as the change it describes), then published to the hub. A client's stream replays the log
//! from where it left off and then follows the hub; whenever it falls behind (a slow client
//! whose buffer overflowed, or an id gap) it goes back to the log. So the hub may drop
//! messages without losing anything, and a slow client never slows the others.
//!
//! The hub is a trait so that several server copies over PostgreSQL can share events without
//! delay later (LISTEN/NOTIFY carrying event ids); this process's implementation is
//! [`LocalHub`]. Until then every stream also reads the log every few seconds, so the writes of
//! other copies arrive within that time.

use crate::storage::Store;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc};
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::{CaseSummary, LiveEvent};

/// Fans events out to the open streams.
pub trait Hub: Send + Sync + 'static {
    /// Publishes an event already committed to the log. Never waits.
    fn publish(&self, event: Arc<LiveEvent>);
    /// A receiver of events published from now on.
    fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>>;
}

/// The hub of one server process.
pub struct LocalHub {
    tx: broadcast::Sender<Arc<LiveEvent>>,
}

impl LocalHub {
    /// A hub keeping up to `capacity` events for slow receivers before they must catch up
    /// from the log.
    pub fn new(capacity: usize) -> Self {
        LocalHub { tx: broadcast::channel(capacity).0 }
    }
}

impl Hub for LocalHub {
    fn publish(&self, event: Arc<LiveEvent>) {
        // No receivers is not an error: nobody is watching.
        let _ = self.tx.send(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.tx.subscribe()
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
    /// A case changed: the event's id and the case as it now stands.
    Case { id: i64, case: CaseSummary },
}

/// How often an open stream reads the log even when the hub is quiet.
const LOG_POLL: std::time::Duration = std::time::Duration::from_secs(3);

/// Events read from the log per query when catching up.
const PAGE: i64 = 500;

/// Runs one client's stream: replays the log after `last` (or starts from now when `None`),
/// then follows the hub, sending frames into `out` until the client goes away.
pub async fn pump(store: Arc<dyn Store>, mut live: broadcast::Receiver<Arc<LiveEvent>>, viewer: Viewer, last: Option<i64>, out: mpsc::Sender<Frame>) {
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

fn case_event(e: &LiveEvent) -> Frame {
    Frame::Case { id: e.id, case: e.case.clone() }
}

async fn run(store: Arc<dyn Store>, live: &mut broadcast::Receiver<Arc<LiveEvent>>, viewer: Viewer, last: Option<i64>, out: &mpsc::Sender<Frame>) -> Result<(), Stop> {
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
    // Events written by other server copies over the same PostgreSQL reach this process's hub
    // only as gaps; the log is also read every few seconds so that they arrive regardless.
    let mut poll = tokio::time::interval(LOG_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    poll.tick().await;
    loop {
        let received = tokio::select! {
            r = live.recv() => r,
            _ = poll.tick() => {
                catch_up(&store, &viewer, &mut cursor, out).await?;
                continue;
            }
        };
        match received {
            Ok(e) if e.id <= cursor => {}
            Ok(e) if e.id == cursor + 1 => {
                if viewer.sees(&e) {
                    send(out, case_event(&e)).await?;
                }
                cursor = e.id;
            }
            // A gap (an event committed by another request, published later) or a lag: the
            // log has everything, in order.
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
        for e in &page {
            if viewer.sees(e) {
                send(out, case_event(e)).await?;
            }
            *cursor = e.id;
        }
        if (page.len() as i64) < PAGE {
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
