//! The server's implementation of the UI's [`Backend`].

use crate::storage::Store;
use std::sync::Arc;
use zhizhi_app::api::{BoardView, Overview, StreetName};
use zhizhi_app::backend::Backend;

/// Serves the UI's server functions from the store.
pub struct StoreBackend {
    pub store: Arc<dyn Store>,
}

#[async_trait::async_trait]
impl Backend for StoreBackend {
    async fn overview(&self) -> Result<Overview, String> {
        let internal = |e: crate::storage::Error| {
            tracing::error!(error = %e, "overview failed");
            "数据库暂时无法访问".to_string()
        };
        let summary = self.store.summary().await.map_err(internal)?;
        let boards = self.store.boards().await.map_err(internal)?;
        let street = self.store.street().await.map_err(internal)?;
        Ok(Overview {
            street: street.map(|s| StreetName { street: s.name, district: s.district }),
            summary,
            boards: boards
                .into_iter()
                .map(|b| BoardView { code: b.board.kind.code().into(), name: b.board.name, posts: b.posts.into_iter().map(|p| p.name).collect() })
                .collect(),
        })
    }
}
