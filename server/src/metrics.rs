//! What a server copy counts for its operators, in Prometheus's text format at `GET /metrics`:
//! requests by status class, device messages taken in and waiting, open live streams, how long
//! events take from their write to this copy's hub, and the device timers' backlog. Counters are
//! per process (a scraper adds the copies up); nothing here names a person or a case.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

/// Requests answered, by status class (1xx … 5xx).
static REQUESTS: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];
/// Device messages stored (new, not duplicates).
static INGESTED: AtomicU64 = AtomicU64::new(0);
/// Upper bounds (ms) of the event lag histogram's buckets.
const LAG_BUCKETS: [i64; 8] = [10, 50, 100, 250, 500, 1_000, 2_500, 5_000];
static LAG_COUNTS: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];
static LAG_SUM_MS: AtomicU64 = AtomicU64::new(0);
static LAG_COUNT: AtomicU64 = AtomicU64::new(0);
/// Device timers scheduled, and how late (ms) the earliest due one is (0 when none is due).
static TIMERS: AtomicI64 = AtomicI64::new(0);
static TIMER_LATE_MS: AtomicI64 = AtomicI64::new(0);
/// Device messages this copy forwarded to the copy that runs the engine.
static FORWARDED: AtomicU64 = AtomicU64::new(0);

/// A request was answered with `status`.
pub fn request(status: u16) {
    if let Some(c) = REQUESTS.get(usize::from(status / 100).wrapping_sub(1)) {
        c.fetch_add(1, Relaxed);
    }
}

/// `n` new device messages were stored.
pub fn ingested(n: u64) {
    INGESTED.fetch_add(n, Relaxed);
}

/// The hub sent an event `lag_ms` after it was written (counted in the histogram only; the hub
/// counts its own events).
pub fn event_lag(lag_ms: i64) {
    LAG_COUNT.fetch_add(1, Relaxed);
    let lag = lag_ms.max(0);
    LAG_SUM_MS.fetch_add(lag as u64, Relaxed);
    for (b, c) in LAG_BUCKETS.iter().zip(&LAG_COUNTS) {
        if lag <= *b {
            c.fetch_add(1, Relaxed);
        }
    }
}

/// The engine's timers: how many are scheduled and how late the earliest is.
pub fn timers(scheduled: usize, late_ms: i64) {
    TIMERS.store(scheduled as i64, Relaxed);
    TIMER_LATE_MS.store(late_ms.max(0), Relaxed);
}

/// `n` device messages were forwarded to the copy that runs the engine.
pub fn forwarded(n: u64) {
    FORWARDED.fetch_add(n, Relaxed);
}

/// Everything, in Prometheus's text exposition format.
pub fn render(open_streams: usize, ingest_queue: usize, events_sent: u64, leading: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# HELP zhizhi_http_requests_total HTTP requests answered, by status class.\n# TYPE zhizhi_http_requests_total counter");
    for (i, c) in REQUESTS.iter().enumerate() {
        let _ = writeln!(o, "zhizhi_http_requests_total{{class=\"{}xx\"}} {}", i + 1, c.load(Relaxed));
    }
    let mut one = |name: &str, kind: &str, help: &str, v: String| {
        let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
    };
    one("zhizhi_ingest_messages_total", "counter", "Device messages stored (duplicates not counted).", INGESTED.load(Relaxed).to_string());
    one("zhizhi_ingest_queue", "gauge", "Device messages received and not yet stored.", ingest_queue.to_string());
    one("zhizhi_ingest_leader", "gauge", "1 while this copy runs the ingest engine (device state, rules, timers).", u8::from(leading).to_string());
    one("zhizhi_ingest_forwarded_total", "counter", "Device messages forwarded to the copy that runs the ingest engine.", FORWARDED.load(Relaxed).to_string());
    one("zhizhi_live_streams", "gauge", "Live streams open on this server copy.", open_streams.to_string());
    one("zhizhi_live_events_total", "counter", "Events sent to this copy's live streams.", events_sent.to_string());
    one("zhizhi_device_timers", "gauge", "Device timer checks scheduled on this copy.", TIMERS.load(Relaxed).to_string());
    one("zhizhi_device_timer_backlog_seconds", "gauge", "How late the earliest due device timer check is.", secs(TIMER_LATE_MS.load(Relaxed)));
    let _ = writeln!(o, "# HELP zhizhi_live_event_lag_seconds From an event's write to this copy's hub sending it.\n# TYPE zhizhi_live_event_lag_seconds histogram");
    for (b, c) in LAG_BUCKETS.iter().zip(&LAG_COUNTS) {
        let _ = writeln!(o, "zhizhi_live_event_lag_seconds_bucket{{le=\"{}\"}} {}", secs(*b), c.load(Relaxed));
    }
    let total = LAG_COUNT.load(Relaxed);
    let _ = writeln!(o, "zhizhi_live_event_lag_seconds_bucket{{le=\"+Inf\"}} {total}");
    let _ = writeln!(o, "zhizhi_live_event_lag_seconds_sum {}", secs(LAG_SUM_MS.load(Relaxed) as i64));
    let _ = writeln!(o, "zhizhi_live_event_lag_seconds_count {total}");
    o
}

fn secs(ms: i64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

#[cfg(test)]
#[test]
fn the_text_format_has_a_type_for_every_metric_and_cumulative_buckets() {
    request(200);
    request(503);
    event_lag(120);
    let text = render(3, 0, 7, true);
    assert!(text.contains("zhizhi_live_events_total 7"), "{text}");
    assert!(text.contains("zhizhi_live_streams 3"), "{text}");
    assert!(text.contains("# TYPE zhizhi_http_requests_total counter"), "{text}");
    let bucket = |le: &str| -> u64 {
        let line = text.lines().find(|l| l.starts_with(&format!("zhizhi_live_event_lag_seconds_bucket{{le=\"{le}\"}}"))).unwrap();
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert!(bucket("0.250") >= 1 && bucket("0.250") <= bucket("+Inf"), "{text}");
    assert!(bucket("0.100") <= bucket("0.250"), "buckets are cumulative");
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let name = l.split(['{', ' ']).next().unwrap();
        let base = name.trim_end_matches("_bucket").trim_end_matches("_sum").trim_end_matches("_count");
        assert!(text.contains(&format!("# TYPE {base} ")), "{name} has a type");
    }
}
