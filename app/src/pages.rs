//! One module per screen.

pub mod command;
pub mod not_found;
