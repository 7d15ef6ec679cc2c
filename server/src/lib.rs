//! Zhizhi's server: storage, the HTTP API, and the host of the Leptos app.
//!
//! `main.rs` only parses the command line; everything else lives here so that integration
//! tests drive the same router the binary serves.

// The app's view types are deep (the map's panels, the grid editor); laying out their futures
// needs more than the default query depth in optimised builds.
#![recursion_limit = "256"]

pub mod accounts;
pub mod api;
pub mod auth;
pub mod backend;
pub mod calls;
pub mod cases;
pub mod cli;
pub mod demo;
pub mod devices;
pub mod directory;
pub mod error;
pub mod flood;
pub mod http;
pub mod http_client;
pub mod ingest;
pub mod imports;
pub mod kpis;
pub mod live;
pub mod map;
pub mod metrics;
pub mod open311;
pub mod plans;
pub mod residents;
pub mod simulate;
pub mod site;
pub mod state;
pub mod supervision;
pub mod storage;
pub mod xlsx;
