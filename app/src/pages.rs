//! One module per screen.

pub mod admin;
pub mod command;
pub mod login;
pub mod my_grid;
pub mod not_found;
pub mod password;
