//! The directory service: the street as the screens name it — its overview (counts, boards,
//! grid outlines), its posts, and finding a building by address.

use crate::error::{ServiceError, ServiceResult};
use crate::storage::Store;
use std::sync::Arc;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::{BuildingRef, PostRef};
use zhizhi_shared::overview::{BoardView, GridMap, MapArea, Overview, StreetName};
use zhizhi_shared::Summary;

/// Addresses the public form answers at most: enough to pick one's own, not to list the street.
pub const PUBLIC_SEARCH_LIMIT: i64 = 10;

/// The street's directory over a store.
pub struct Directory {
    pub store: Arc<dyn Store>,
}

impl Directory {
    /// The street's counts.
    pub async fn summary(&self) -> ServiceResult<Summary> {
        Ok(self.store.summary().await?)
    }

    /// The command centre's overview.
    pub async fn overview(&self) -> ServiceResult<Overview> {
        let summary = self.store.summary().await?;
        let boards = self.store.boards().await?;
        let street = self.store.street().await?;
        let communities = self.store.communities().await?;
        let grids = self.store.grids().await?;
        let micro_grids = self.store.micro_grids().await?;
        let grid_map = GridMap {
            communities: communities.into_iter().map(|c| MapArea { name: c.name, ring: c.boundary.0 }).collect(),
            grids: grids.into_iter().map(|g| MapArea { name: g.name, ring: g.boundary.0 }).collect(),
            micro_grids: micro_grids.into_iter().map(|m| m.boundary.0).collect(),
        };
        Ok(Overview {
            grid_map,
            street: street.map(|s| StreetName { street: s.name, district: s.district }),
            summary,
            boards: boards
                .into_iter()
                .map(|b| BoardView {
                    code: b.board.kind.code().into(),
                    name: b.board.name,
                    posts: b.posts.into_iter().map(|p| p.name).collect(),
                })
                .collect(),
        })
    }

    /// Every post with its board, for the dispatch dialog.
    pub async fn posts(&self) -> ServiceResult<Vec<PostRef>> {
        let boards = self.store.boards().await?;
        Ok(boards
            .into_iter()
            .flat_map(|b| {
                let (board, code) = (b.board.name.clone(), b.board.kind.code().to_string());
                b.posts.into_iter().map(move |p| PostRef { id: p.id, name: p.name, board: board.clone(), board_code: code.clone() })
            })
            .collect())
    }

    /// Buildings whose address contains `query`, for any signed-in user; with `mine`, only in
    /// the user's own grids (none for a user without grids). At most `limit` (1–300).
    pub async fn buildings(&self, me: &Principal, query: &str, mine: bool, limit: i64) -> ServiceResult<Vec<BuildingRef>> {
        if !(1..=300).contains(&limit) {
            return Err(ServiceError::invalid("limit", "每次 1–300 条"));
        }
        if mine && me.grid_ids.is_empty() {
            return Ok(vec![]);
        }
        let grids = if mine { me.grid_ids.as_slice() } else { &[] };
        Ok(self.store.search_buildings(query.trim(), grids, limit).await?)
    }

    /// Addresses for the public form: nothing for fewer than two characters, at most
    /// [`PUBLIC_SEARCH_LIMIT`].
    pub async fn public_buildings(&self, query: &str) -> ServiceResult<Vec<BuildingRef>> {
        let q = query.trim();
        if q.chars().count() < 2 {
            return Ok(vec![]);
        }
        Ok(self.store.search_buildings(q, &[], PUBLIC_SEARCH_LIMIT).await?)
    }
}
