//! One module per screen.

pub mod admin;
pub mod board;
pub mod case_page;
pub mod iot;
pub mod command;
pub mod incident;
pub mod kpis;
pub mod login;
pub mod my_grid;
pub mod not_found;
pub mod password;
pub mod people;
pub mod phone_tasks;
pub mod plan_edit;
pub mod plans;
pub mod enterprises;
pub mod flood;
pub mod follow;
pub mod public_report;
pub mod report;
