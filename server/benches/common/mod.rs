//! What the benchmarks share: their settings from the environment, percentiles, and the
//! runtime they run on.

use std::time::Duration;

/// A number from the environment, or `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The `p` percentile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Runs a benchmark on a multi-threaded runtime.
pub fn run<F: std::future::Future<Output = ()>>(bench: F) {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(bench);
}
