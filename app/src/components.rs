//! Pieces of the interface shared by several pages.

pub mod auth_gate;
pub mod call;
pub mod case_view;
pub mod clock;
pub mod district_map;
pub mod nav;
pub mod outbox;
pub mod top_bar;
pub mod user_menu;
