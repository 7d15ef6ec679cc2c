//! Pieces of the interface shared by several pages.

pub mod clock;
pub mod nav;
pub mod top_bar;
