//! Storage of the map: buildings with their footprints, one building's households and
//! residents, and the grid editor's changes to a grid's division into micro-grids. The SQL is
//! shared by both engines.

use async_trait::async_trait;
use zhizhi_shared::map::edit::Shape;
use zhizhi_shared::place::{Building, Household};

/// A grid's division as the editor loads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Division {
    pub grid_id: i64,
    pub code: String,
    pub name: String,
    pub boundary: zhizhi_shared::geo::Polygon,
    pub worker_id: Option<i64>,
    pub version: i64,
    pub micro_grids: Vec<zhizhi_shared::place::MicroGrid>,
}

/// What saving a division changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DivisionSaved {
    pub version: i64,
    /// Micro-grid ids after the save, in the order of the shapes given.
    pub ids: Vec<i64>,
    pub retired: Vec<i64>,
    /// Buildings and devices now in another micro-grid.
    pub buildings_moved: i64,
    pub devices_moved: i64,
}

#[async_trait]
pub trait MapStore {
    /// Every building.
    async fn buildings(&self) -> super::Result<Vec<Building>>;

    /// One building.
    async fn building(&self, id: i64) -> super::Result<Option<Building>>;

    /// The households of a building, by floor and door.
    async fn households_of(&self, building_id: i64) -> super::Result<Vec<Household>>;

    /// The residents of a building (unmasked: the caller masks them).
    async fn residents_of(&self, building_id: i64) -> super::Result<Vec<super::ResidentPlace>>;

    /// A grid and its current micro-grids.
    async fn division(&self, grid_id: i64) -> super::Result<Option<Division>>;

    /// Replaces a grid's micro-grids with `shapes` in one transaction, if the division is still
    /// at `version` (else [`super::Error::Stale`]): shapes with an id are updated, shapes
    /// without one inserted (code `<grid>-NN`), current micro-grids not among them retired.
    /// Buildings and devices of the grid move to the micro-grid their anchor now falls in;
    /// `Err(Invalid)` names a building no micro-grid covers, and nothing is changed.
    async fn save_division(&self, grid_id: i64, version: i64, shapes: &[Shape], now: i64) -> super::Result<DivisionSaved>;

    /// Imports buildings (each into the micro-grid given beside it) in one transaction: an
    /// existing address is updated (unless it has households above the new floor count:
    /// `Err(Invalid)`), a new one inserted. Returns (inserted, updated).
    async fn import_buildings(&self, rows: &[(zhizhi_shared::map::import::BuildingImport, i64)]) -> super::Result<(i64, i64)>;

    /// Staff on grid duty, as (id, name).
    async fn grid_worker_staff(&self) -> super::Result<Vec<(i64, String)>>;

    /// Makes `worker_id` the grid's worker.
    async fn set_grid_worker(&self, grid_id: i64, worker_id: Option<i64>) -> super::Result<()>;
}

/// Which shape (index) a point falls in.
pub(super) fn shape_at(shapes: &[Shape], p: zhizhi_shared::geo::LonLat) -> Option<usize> {
    shapes.iter().position(|s| s.boundary.contains(p))
}

macro_rules! portable_map {
    ($store:ty, $db:ty, begin = |$pool:ident| $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::map::MapStore for $store {
            async fn buildings(&self) -> $crate::storage::Result<Vec<zhizhi_shared::place::Building>> {
                self.buildings_where(None).await
            }

            async fn building(&self, id: i64) -> $crate::storage::Result<Option<zhizhi_shared::place::Building>> {
                Ok(self.buildings_where(Some(id)).await?.pop())
            }

            async fn households_of(&self, building_id: i64) -> $crate::storage::Result<Vec<zhizhi_shared::place::Household>> {
                let rows: Vec<(i64, i64, String, String)> =
                    sqlx::query_as("SELECT id, CAST(floor AS BIGINT), unit, tenure FROM households WHERE building_id = $1 ORDER BY floor, unit")
                        .bind(building_id).fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, floor, unit, tenure)| zhizhi_shared::place::Household {
                        id,
                        building_id,
                        floor: floor as i32,
                        unit,
                        tenure: zhizhi_shared::place::Tenure::from_code(&tenure).unwrap_or_default(),
                    })
                    .collect())
            }

            async fn residents_of(&self, building_id: i64) -> $crate::storage::Result<Vec<$crate::storage::ResidentPlace>> {
                use $crate::storage::portable::{resident_from_row, ResidentRow, RESIDENT_SELECT};
                let sql = format!("{RESIDENT_SELECT} WHERE b.id = $1 ORDER BY h.floor, h.unit, r.id");
                let rows: Vec<ResidentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(building_id).fetch_all(&self.pool).await?;
                rows.into_iter().map(resident_from_row).collect()
            }

            async fn division(&self, grid_id: i64) -> $crate::storage::Result<Option<$crate::storage::map::Division>> {
                use $crate::storage::portable::parse_polygon;
                let grid: Option<(String, String, String, Option<i64>, i64)> =
                    sqlx::query_as("SELECT code, name, boundary, worker_id, CAST(division_version AS BIGINT) FROM grids WHERE id = $1")
                        .bind(grid_id).fetch_optional(&self.pool).await?;
                let Some((code, name, boundary, worker_id, version)) = grid else { return Ok(None) };
                let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                    "SELECT id, code, name, boundary FROM micro_grids WHERE grid_id = $1 AND retired_at IS NULL ORDER BY code",
                )
                .bind(grid_id).fetch_all(&self.pool).await?;
                let micro_grids = rows
                    .into_iter()
                    .map(|(id, code, name, b)| {
                        Ok(zhizhi_shared::place::MicroGrid { id, grid_id, code, name, boundary: parse_polygon("micro_grids", id, &b)? })
                    })
                    .collect::<$crate::storage::Result<Vec<_>>>()?;
                Ok(Some($crate::storage::map::Division {
                    grid_id, code, name, boundary: parse_polygon("grids", grid_id, &boundary)?, worker_id, version, micro_grids,
                }))
            }

            async fn save_division(
                &self,
                grid_id: i64,
                version: i64,
                shapes: &[zhizhi_shared::map::edit::Shape],
                now: i64,
            ) -> $crate::storage::Result<$crate::storage::map::DivisionSaved> {
                use $crate::storage::map::shape_at;
                use $crate::storage::portable::parse_polygon;
                use $crate::storage::Error;
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let bumped = sqlx::query("UPDATE grids SET division_version = division_version + 1 WHERE id = $1 AND division_version = $2")
                    .bind(grid_id).bind(version).execute(&mut *tx).await?.rows_affected();
                if bumped == 0 {
                    return Err(Error::Stale);
                }
                let (grid_code,): (String,) = sqlx::query_as("SELECT code FROM grids WHERE id = $1").bind(grid_id).fetch_one(&mut *tx).await?;
                let current: Vec<(i64,)> = sqlx::query_as("SELECT id FROM micro_grids WHERE grid_id = $1 AND retired_at IS NULL")
                    .bind(grid_id).fetch_all(&mut *tx).await?;
                let mut saved = $crate::storage::map::DivisionSaved { version: version + 1, ..Default::default() };
                for s in shapes {
                    let json = serde_json::to_string(&s.boundary.0).map_err(|e| Error::Invalid(e.to_string()))?;
                    let (sw, ne) = s.boundary.bbox();
                    let id = match s.id {
                        Some(id) => {
                            if !current.iter().any(|c| c.0 == id) {
                                return Err(Error::Invalid(format!("微网格 {id} 不属于该网格")));
                            }
                            sqlx::query("UPDATE micro_grids SET name = $1, boundary = $2, min_lon = $3, min_lat = $4, max_lon = $5, max_lat = $6 WHERE id = $7")
                                .bind(s.name.trim()).bind(&json).bind(sw[0]).bind(sw[1]).bind(ne[0]).bind(ne[1]).bind(id)
                                .execute(&mut *tx).await?;
                            id
                        }
                        None => {
                            let (next_id, n): (i64, i64) = sqlx::query_as(
                                "SELECT COALESCE(MAX(id), 0) + 1, (SELECT COUNT(*) FROM micro_grids WHERE grid_id = $1) + 1 FROM micro_grids",
                            )
                            .bind(grid_id).fetch_one(&mut *tx).await?;
                            let mut k = n;
                            let code = loop {
                                let code = format!("{grid_code}-{k:02}");
                                let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM micro_grids WHERE code = $1").bind(&code).fetch_optional(&mut *tx).await?;
                                if taken.is_none() {
                                    break code;
                                }
                                k += 1;
                            };
                            sqlx::query("INSERT INTO micro_grids (id, grid_id, code, name, boundary, min_lon, min_lat, max_lon, max_lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                                .bind(next_id).bind(grid_id).bind(code).bind(s.name.trim()).bind(&json)
                                .bind(sw[0]).bind(sw[1]).bind(ne[0]).bind(ne[1]).execute(&mut *tx).await?;
                            next_id
                        }
                    };
                    saved.ids.push(id);
                }
                for (id,) in current {
                    if !saved.ids.contains(&id) {
                        sqlx::query("UPDATE micro_grids SET retired_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *tx).await?;
                        saved.retired.push(id);
                    }
                }
                // Buildings and devices follow their anchor.
                let buildings: Vec<(i64, i64, String, String)> = sqlx::query_as(
                    "SELECT b.id, b.micro_grid_id, b.address, b.footprint FROM buildings b JOIN micro_grids m ON m.id = b.micro_grid_id WHERE m.grid_id = $1",
                )
                .bind(grid_id).fetch_all(&mut *tx).await?;
                for (id, micro, address, footprint) in buildings {
                    let at = parse_polygon("buildings", id, &footprint)?.centroid();
                    let Some(k) = shape_at(shapes, at) else {
                        return Err(Error::Invalid(format!("楼栋 {address} 不在任何微网格内：请让微网格覆盖它")));
                    };
                    if saved.ids[k] != micro {
                        sqlx::query("UPDATE buildings SET micro_grid_id = $1 WHERE id = $2").bind(saved.ids[k]).bind(id).execute(&mut *tx).await?;
                        saved.buildings_moved += 1;
                    }
                }
                let devices: Vec<(i64, i64, String, f64, f64)> = sqlx::query_as(
                    "SELECT d.id, d.micro_grid_id, d.code, d.lon, d.lat FROM devices d JOIN micro_grids m ON m.id = d.micro_grid_id WHERE m.grid_id = $1",
                )
                .bind(grid_id).fetch_all(&mut *tx).await?;
                for (id, micro, code, lon, lat) in devices {
                    let Some(k) = shape_at(shapes, [lon, lat]) else {
                        return Err(Error::Invalid(format!("设备 {code} 不在任何微网格内：请让微网格覆盖它")));
                    };
                    if saved.ids[k] != micro {
                        sqlx::query("UPDATE devices SET micro_grid_id = $1 WHERE id = $2").bind(saved.ids[k]).bind(id).execute(&mut *tx).await?;
                        saved.devices_moved += 1;
                    }
                }
                tx.commit().await?;
                Ok(saved)
            }

            async fn import_buildings(&self, rows: &[(zhizhi_shared::map::import::BuildingImport, i64)]) -> $crate::storage::Result<(i64, i64)> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let (mut inserted, mut updated) = (0, 0);
                for (b, micro) in rows {
                    let footprint = serde_json::to_string(&b.footprint.0).map_err(|e| $crate::storage::Error::Invalid(e.to_string()))?;
                    let existing: Option<(i64, Option<i64>)> = sqlx::query_as(
                        "SELECT b.id, (SELECT CAST(MAX(h.floor) AS BIGINT) FROM households h WHERE h.building_id = b.id) FROM buildings b WHERE b.address = $1",
                    )
                    .bind(&b.address).fetch_optional(&mut *tx).await?;
                    match existing {
                        Some((_, Some(top))) if top > b.floors as i64 => {
                            return Err($crate::storage::Error::Invalid(format!("楼栋 {} 已有第 {top} 层的住户，层数不能改为 {}", b.address, b.floors)));
                        }
                        Some((id, _)) => {
                            sqlx::query("UPDATE buildings SET micro_grid_id = $1, name = $2, footprint = $3, floors = $4, floor_height_m = $5, usage = $6 WHERE id = $7")
                                .bind(micro).bind(&b.name).bind(&footprint).bind(b.floors).bind(b.floor_height_m).bind(b.usage.code()).bind(id)
                                .execute(&mut *tx).await?;
                            updated += 1;
                        }
                        None => {
                            let (id,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM buildings").fetch_one(&mut *tx).await?;
                            sqlx::query("INSERT INTO buildings (id, micro_grid_id, name, address, footprint, floors, floor_height_m, usage) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                                .bind(id).bind(micro).bind(&b.name).bind(&b.address).bind(&footprint).bind(b.floors).bind(b.floor_height_m).bind(b.usage.code())
                                .execute(&mut *tx).await?;
                            inserted += 1;
                        }
                    }
                }
                tx.commit().await?;
                Ok((inserted, updated))
            }

            async fn grid_worker_staff(&self) -> $crate::storage::Result<Vec<(i64, String)>> {
                Ok(sqlx::query_as("SELECT id, name FROM staff WHERE duty = 'grid_worker' ORDER BY id").fetch_all(&self.pool).await?)
            }

            async fn set_grid_worker(&self, grid_id: i64, worker_id: Option<i64>) -> $crate::storage::Result<()> {
                sqlx::query("UPDATE grids SET worker_id = $1 WHERE id = $2").bind(worker_id).bind(grid_id).execute(self.writer()).await?;
                Ok(())
            }
        }

        impl $store {
            async fn buildings_where(&self, id: Option<i64>) -> $crate::storage::Result<Vec<zhizhi_shared::place::Building>> {
                use $crate::storage::portable::{parse_code, parse_polygon};
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id, micro_grid_id, name, address, footprint, CAST(floors AS BIGINT), floor_height_m, usage FROM buildings",
                );
                if let Some(id) = id {
                    qb.push(" WHERE id = ").push_bind(id);
                }
                qb.push(" ORDER BY id");
                let rows: Vec<(i64, i64, String, String, String, i64, f64, String)> = qb.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, micro_grid_id, name, address, footprint, floors, floor_height_m, usage)| {
                        Ok(zhizhi_shared::place::Building {
                            id,
                            micro_grid_id,
                            name,
                            address,
                            footprint: parse_polygon("buildings", id, &footprint)?,
                            floors: floors as i32,
                            floor_height_m,
                            usage: parse_code("buildings", id, &usage, zhizhi_shared::place::BuildingUse::from_code)?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use portable_map;
