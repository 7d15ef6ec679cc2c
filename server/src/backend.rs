//! The server's implementation of the UI's [`Backend`].

use crate::storage::Store;
use std::sync::Arc;
use zhizhi_app::api::{BoardView, GridMap, MapArea, Overview, StreetName};
use zhizhi_app::backend::Backend;

/// Serves the UI's server functions from the store.
pub struct StoreBackend {
    pub store: Arc<dyn Store>,
    pub auth: Arc<crate::auth::AuthConfig>,
}

/// Logs a storage error in full and gives the user a short Chinese message.
fn internal(e: crate::storage::Error) -> String {
    tracing::error!(error = %e, "storage error in a server function");
    "数据库暂时无法访问，请稍后重试".to_string()
}

#[async_trait::async_trait]
impl Backend for StoreBackend {
    async fn overview(&self) -> Result<Overview, String> {
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

    async fn grid_map(&self) -> Result<GridMap, String> {
        let communities = self.store.communities().await.map_err(internal)?;
        let grids = self.store.grids().await.map_err(internal)?;
        let micro_grids = self.store.micro_grids().await.map_err(internal)?;
        Ok(GridMap {
            communities: communities.into_iter().map(|c| MapArea { name: c.name, ring: c.boundary.0 }).collect(),
            grids: grids.into_iter().map(|g| MapArea { name: g.name, ring: g.boundary.0 }).collect(),
            micro_grids: micro_grids.into_iter().map(|m| m.boundary.0).collect(),
        })
    }
}
