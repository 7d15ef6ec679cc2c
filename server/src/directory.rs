//! The directory service: the street as the screens name it — its overview (counts, boards,
//! grid outlines), its posts, and finding a building by address.

use crate::error::{ServiceError, ServiceResult};
use crate::storage::Store;
use std::sync::Arc;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::{BuildingRef, PostRef};
use zhizhi_shared::org::StreetLoad;
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

    /// The command centre's overview: of the user's street, or of the whole district for its
    /// staff (named 「全区 · N 个街道」 when there are several).
    pub async fn overview(&self, me: &Principal) -> ServiceResult<Overview> {
        let summary = match me.street_id {
            Some(street) => self.store.street_summary(street).await?,
            None => self.store.summary().await?,
        };
        let boards = self.store.boards().await?;
        let streets = self.store.streets().await?;
        let street = match me.street_id {
            Some(id) => streets.iter().find(|s| s.id == id).map(|s| StreetName { street: s.name.clone(), district: s.district.clone() }),
            None if streets.len() > 1 => Some(StreetName { street: format!("全区 · {} 个街道", streets.len()), district: streets[0].district.clone() }),
            None => streets.first().map(|s| StreetName { street: s.name.clone(), district: s.district.clone() }),
        };
        let (communities, grids, micro_grids) = zhizhi_shared::place::of_street(
            me.street_id,
            self.store.communities().await?,
            self.store.grids().await?,
            self.store.micro_grids().await?,
        );
        let grid_map = GridMap {
            communities: communities.into_iter().map(|c| MapArea { name: c.name, ring: c.boundary.0 }).collect(),
            grids: grids.into_iter().map(|g| MapArea { name: g.name, ring: g.boundary.0 }).collect(),
            micro_grids: micro_grids.into_iter().map(|m| m.boundary.0).collect(),
        };
        let streets = if me.street_id.is_none() && streets.len() > 1 { self.streets(me, crate::auth::now_ms()).await? } else { vec![] };
        Ok(Overview {
            grid_map,
            streets,
            street,
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

    /// The streets the user covers (every street for the district's staff, their own for a
    /// street's), each with its open and overdue cases at `now`.
    pub async fn streets(&self, me: &Principal, now: i64) -> ServiceResult<Vec<StreetLoad>> {
        if me.roles.is_empty() {
            return Err(ServiceError::Forbidden);
        }
        let counts = self.store.open_by_street(now).await?;
        Ok(self
            .store
            .streets()
            .await?
            .into_iter()
            .filter(|s| me.covers_street(Some(s.id)))
            .map(|s| {
                let (open, overdue) = counts.iter().find(|c| c.0 == Some(s.id)).map_or((0, 0), |c| (c.1, c.2));
                StreetLoad { id: s.id, name: s.name, district: s.district, center: s.center, open, overdue }
            })
            .collect())
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
