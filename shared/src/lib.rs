//! Zhizhi's domain: the types every other crate speaks and the logic that needs no I/O.
//!
//! This crate is compiled both into the server and into the browser's wasm bundle, so it
//! knows nothing about databases, HTTP, async runtimes or the UI framework.

pub mod audit;
pub mod auth;
pub mod call;
pub mod case;
pub mod demo;
pub mod device;
pub mod enterprise;
pub mod flood;
pub mod geo;
pub mod import;
pub mod iot;
pub mod kpi;
pub mod map;
pub mod mask;
pub mod org;
pub mod overview;
pub mod people;
pub mod place;
pub mod plan;
pub mod problem;
pub mod summary;
pub mod time;

pub use summary::Summary;
