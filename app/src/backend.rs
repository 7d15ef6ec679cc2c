//! The server's side of the server functions: what the UI needs from the rest of the server.
//!
//! The server crate implements [`Backend`] and provides it as context to every server
//! function and server-rendered page; this crate knows nothing of how it is done.

use crate::api::{GridMap, Overview};
use leptos::prelude::*;
use std::sync::Arc;

/// Operations the UI's server functions call.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The street's overview for the command centre. Errors are messages safe to show users.
    async fn overview(&self) -> Result<Overview, String>;

    /// Outlines of the communities, grids and micro-grids.
    async fn grid_map(&self) -> Result<GridMap, String>;
}

/// The backend provided by the server for the current request.
pub fn backend() -> Result<Arc<dyn Backend>, ServerFnError> {
    use_context::<Arc<dyn Backend>>().ok_or_else(|| ServerFnError::new("服务器未配置后端"))
}
