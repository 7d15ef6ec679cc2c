//! Integration tests of the server: the storage suite on both engines, and the HTTP router.

mod access;
mod broker;
mod calls;
mod cases;
mod client;
mod crash;
mod flood;
mod follow;
mod hardening;
mod cli;
mod harness;
mod hostile;
mod http;
mod imports;
mod iot;
mod kpis;
mod layers;
mod map;
mod offline;
mod open311;
mod people;
mod plans;
mod public_report;
mod server_fns;
mod storage;
mod supervision;
