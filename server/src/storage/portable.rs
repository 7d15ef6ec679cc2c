//! The SQL of the street itself (its organisation, places and people) and the helpers every
//! part-trait's SQL macro shares; written once for both engines.
//!
//! SQLite and PostgreSQL accept the same `$1` placeholders and the same plain SQL for
//! everything in this file, but sqlx types every query by its engine, so the code is written
//! once in [`portable_store!`] and instantiated for each engine's pool. What differs between
//! the engines (connection options, migrations, later LISTEN/NOTIFY) stays in their own files.

/// Rows per multi-row INSERT: 1,000 rows of at most 12 columns stays below SQLite's limit of
/// 32,766 bound parameters and PostgreSQL's 65,535.
pub(super) const CHUNK: usize = 1000;

/// Serialises a polygon to the JSON stored in the database.
pub(super) fn polygon_json(p: &zhizhi_shared::geo::Polygon) -> String {
    serde_json::to_string(&p.0).expect("a polygon of floats always serialises")
}

/// Reads a stored polygon.
pub(super) fn parse_polygon(table: &'static str, id: i64, json: &str) -> super::Result<zhizhi_shared::geo::Polygon> {
    serde_json::from_str(json)
        .map(zhizhi_shared::geo::Polygon)
        .map_err(|e| super::Error::Corrupt { table, id, detail: format!("polygon: {e}") })
}

/// Reads a stored code into its enum.
pub(super) fn parse_code<T>(table: &'static str, id: i64, code: &str, parse: impl Fn(&str) -> Option<T>) -> super::Result<T> {
    parse(code).ok_or_else(|| super::Error::Corrupt { table, id, detail: format!("unknown code {code:?}") })
}

/// Joins codes or ids into the comma-separated form stored in one column.
pub(super) fn join<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")
}

/// Splits a comma-separated column.
pub(super) fn split(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').filter(|x| !x.is_empty())
}

/// The columns selected for a resident with their place, as [`resident_from_row`] reads them.
pub(super) const RESIDENT_SELECT: &str = "SELECT r.id, r.household_id, r.name, r.sex, r.birth_date, r.id_number, r.phone, r.care_tags,
            b.address, h.unit, m.grid_id
     FROM residents r JOIN households h ON h.id = r.household_id
     JOIN buildings b ON b.id = h.building_id JOIN micro_grids m ON m.id = b.micro_grid_id";

/// A resident row as selected by [`RESIDENT_SELECT`].
pub(super) type ResidentRow = (i64, i64, String, String, String, String, String, String, String, String, i64);

/// Reads a resident row.
pub(super) fn resident_from_row(r: ResidentRow) -> super::Result<super::ResidentPlace> {
    use zhizhi_shared::people::{CareTag, Resident, Sex};
    let id = r.0;
    let sex = parse_code("residents", id, &r.3, |c| match c {
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        _ => None,
    })?;
    let care_tags = split(&r.7).map(|c| parse_code("residents", id, c, CareTag::from_code)).collect::<super::Result<Vec<_>>>()?;
    Ok(super::ResidentPlace {
        resident: Resident { id, household_id: r.1, name: r.2, sex, birth_date: r.4, id_number: r.5, phone: r.6, care_tags },
        address: r.8,
        unit: r.9,
        grid_id: r.10,
    })
}

/// Turns a unique-key violation into [`Error::Conflict`](super::Error::Conflict).
pub(super) fn conflict(e: sqlx::Error, what: impl FnOnce() -> String) -> super::Error {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => super::Error::Conflict { what: what() },
        _ => super::Error::Db(e),
    }
}

/// The counts of a summary query, in the order of [`zhizhi_shared::Summary`]'s fields.
pub(super) type Counts = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// A summary from its counts.
pub(super) fn summary_of(r: Counts) -> zhizhi_shared::Summary {
    zhizhi_shared::Summary {
        communities: r.0,
        grids: r.1,
        micro_grids: r.2,
        buildings: r.3,
        households: r.4,
        residents: r.5,
        enterprises: r.6,
        devices: r.7,
        boards: r.8,
        posts: r.9,
        staff: r.10,
    }
}

/// Implements [`Store`](super::Store) (the street, its places and people) for `$store`, a
/// struct with a `pool: sqlx::Pool<$db>`.
macro_rules! portable_store {
    ($store:ty, $db:ty, $engine:literal) => {
        #[async_trait::async_trait]
        impl $crate::storage::Store for $store {
            fn engine(&self) -> &'static str {
                $engine
            }

            fn event_notices(&self) -> Option<tokio::sync::mpsc::Receiver<$crate::storage::Notice>> {
                <$store>::notices(self)
            }

            fn cluster(&self) -> Option<std::sync::Arc<dyn $crate::storage::cluster::Cluster>> {
                <$store>::cluster(self)
            }

            async fn ping(&self) -> $crate::storage::Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(engine = $engine))]
            async fn summary(&self) -> $crate::storage::Result<zhizhi_shared::Summary> {
                let r: $crate::storage::portable::Counts = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM communities), (SELECT COUNT(*) FROM grids),
                            (SELECT COUNT(*) FROM micro_grids WHERE retired_at IS NULL), (SELECT COUNT(*) FROM buildings),
                            (SELECT COUNT(*) FROM households), (SELECT COUNT(*) FROM residents),
                            (SELECT COUNT(*) FROM enterprises), (SELECT COUNT(*) FROM devices),
                            (SELECT COUNT(*) FROM boards), (SELECT COUNT(*) FROM posts),
                            (SELECT COUNT(*) FROM staff)",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::storage::portable::summary_of(r))
            }

            async fn street_summary(&self, street: i64) -> $crate::storage::Result<zhizhi_shared::Summary> {
                let r: $crate::storage::portable::Counts = sqlx::query_as(
                    "WITH g AS (SELECT g.id FROM grids g JOIN communities c ON c.id = g.community_id WHERE c.street_id = $1),
                          m AS (SELECT id, retired_at FROM micro_grids WHERE grid_id IN (SELECT id FROM g)),
                          b AS (SELECT id FROM buildings WHERE micro_grid_id IN (SELECT id FROM m)),
                          h AS (SELECT id FROM households WHERE building_id IN (SELECT id FROM b))
                     SELECT (SELECT COUNT(*) FROM communities WHERE street_id = $1), (SELECT COUNT(*) FROM g),
                            (SELECT COUNT(*) FROM m WHERE retired_at IS NULL), (SELECT COUNT(*) FROM b),
                            (SELECT COUNT(*) FROM h), (SELECT COUNT(*) FROM residents WHERE household_id IN (SELECT id FROM h)),
                            (SELECT COUNT(*) FROM enterprises WHERE building_id IN (SELECT id FROM b)),
                            (SELECT COUNT(*) FROM devices WHERE micro_grid_id IN (SELECT id FROM m)),
                            (SELECT COUNT(*) FROM boards), (SELECT COUNT(*) FROM posts), (SELECT COUNT(*) FROM staff)",
                )
                .bind(street)
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::storage::portable::summary_of(r))
            }

            #[tracing::instrument(skip_all, fields(engine = $engine))]
            async fn import_district(
                &self,
                d: &zhizhi_shared::demo::District,
                progress: $crate::storage::Progress<'_>,
            ) -> $crate::storage::Result<()> {
                use $crate::storage::portable::{polygon_json, CHUNK};
                use sqlx::QueryBuilder;
                let mut tx = self.pool.begin().await?;
                let (streets,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM streets").fetch_one(&mut *tx).await?;
                if streets > 0 {
                    return Err($crate::storage::Error::NotEmpty);
                }

                /// Inserts `$rows` in chunks, binding each row's values with `$bind`.
                macro_rules! bulk {
                    ($label:literal, $head:literal, $rows:expr, |$b:ident, $x:ident| $bind:block) => {{
                        let rows = &$rows;
                        let mut done = 0;
                        for chunk in rows.chunks(CHUNK) {
                            let mut qb = QueryBuilder::<$db>::new($head);
                            qb.push_values(chunk, |mut $b, $x| $bind);
                            qb.build().execute(&mut *tx).await?;
                            done += chunk.len();
                            progress($label, done, rows.len());
                        }
                    }};
                }

                let street: Vec<_> = d.street.iter().collect();
                bulk!("街道", "INSERT INTO streets (id, name, district, center_lon, center_lat) ", street, |b, s| {
                    b.push_bind(s.id).push_bind(s.name.clone()).push_bind(s.district.clone())
                        .push_bind(s.center[0]).push_bind(s.center[1]);
                });
                bulk!("板块", "INSERT INTO boards (id, kind, name) ", d.boards, |b, x| {
                    b.push_bind(x.id).push_bind(x.kind.code()).push_bind(x.name.clone());
                });
                bulk!("岗位", "INSERT INTO posts (id, board_id, name, origin) ", d.posts, |b, x| {
                    b.push_bind(x.id).push_bind(x.board_id).push_bind(x.name.clone()).push_bind(x.origin.code());
                });
                bulk!("工作人员", "INSERT INTO staff (id, name, post_id, phone, duty) ", d.staff, |b, x| {
                    b.push_bind(x.id).push_bind(x.name.clone()).push_bind(x.post_id)
                        .push_bind(x.phone.clone()).push_bind(x.duty.code());
                });
                let street_id = d.street.as_ref().map(|s| s.id);
                bulk!("社区", "INSERT INTO communities (id, name, boundary, street_id) ", d.communities, |b, x| {
                    b.push_bind(x.id).push_bind(x.name.clone()).push_bind(polygon_json(&x.boundary)).push_bind(x.street_id.or(street_id));
                });
                bulk!("网格", "INSERT INTO grids (id, community_id, code, name, boundary, worker_id) ", d.grids, |b, x| {
                    b.push_bind(x.id).push_bind(x.community_id).push_bind(x.code.clone()).push_bind(x.name.clone())
                        .push_bind(polygon_json(&x.boundary)).push_bind(x.worker_id);
                });
                bulk!("微网格", "INSERT INTO micro_grids (id, grid_id, code, name, boundary, min_lon, min_lat, max_lon, max_lat) ", d.micro_grids, |b, x| {
                    let (sw, ne) = x.boundary.bbox();
                    b.push_bind(x.id).push_bind(x.grid_id).push_bind(x.code.clone()).push_bind(x.name.clone())
                        .push_bind(polygon_json(&x.boundary))
                        .push_bind(sw[0]).push_bind(sw[1]).push_bind(ne[0]).push_bind(ne[1]);
                });
                bulk!("楼栋", "INSERT INTO buildings (id, micro_grid_id, name, address, footprint, floors, floor_height_m, usage) ", d.buildings, |b, x| {
                    b.push_bind(x.id).push_bind(x.micro_grid_id).push_bind(x.name.clone()).push_bind(x.address.clone())
                        .push_bind(polygon_json(&x.footprint)).push_bind(x.floors).push_bind(x.floor_height_m)
                        .push_bind(x.usage.code());
                });
                bulk!("房屋", "INSERT INTO households (id, building_id, floor, unit, tenure) ", d.households, |b, x| {
                    b.push_bind(x.id).push_bind(x.building_id).push_bind(x.floor).push_bind(x.unit.clone()).push_bind(x.tenure.code());
                });
                bulk!("居民", "INSERT INTO residents (id, household_id, name, sex, birth_date, id_number, phone, care_tags) ", d.residents, |b, x| {
                    let tags: Vec<&str> = x.care_tags.iter().map(|t| t.code()).collect();
                    let sex = match x.sex { zhizhi_shared::people::Sex::Male => "male", zhizhi_shared::people::Sex::Female => "female" };
                    b.push_bind(x.id).push_bind(x.household_id).push_bind(x.name.clone()).push_bind(sex)
                        .push_bind(x.birth_date.clone()).push_bind(x.id_number.clone()).push_bind(x.phone.clone())
                        .push_bind(tags.join(","));
                });
                bulk!("企业商户", "INSERT INTO enterprises (id, name, industry, building_id, licence_no, credit, contact_name, contact_phone) ", d.enterprises, |b, x| {
                    b.push_bind(x.id).push_bind(x.name.clone()).push_bind(x.industry.clone()).push_bind(x.building_id)
                        .push_bind(x.licence_no.clone()).push_bind(x.credit.letter()).push_bind(x.contact_name.clone())
                        .push_bind(x.contact_phone.clone());
                });
                bulk!("物联设备", "INSERT INTO devices (id, code, kind, model, micro_grid_id, building_id, floor, household_id, resident_id, lon, lat) ", d.devices, |b, x| {
                    b.push_bind(x.id).push_bind(x.code.clone()).push_bind(x.kind.code()).push_bind(x.model.clone())
                        .push_bind(x.micro_grid_id).push_bind(x.building_id).push_bind(x.floor).push_bind(x.household_id)
                        .push_bind(x.resident_id).push_bind(x.position[0]).push_bind(x.position[1]);
                });
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(engine = $engine))]
            async fn add_streets(&self, streets: &[zhizhi_shared::demo::streets::StreetCopy]) -> $crate::storage::Result<usize> {
                use $crate::storage::portable::polygon_json;
                let mut tx = self.pool.begin().await?;
                let mut added = 0;
                for c in streets {
                    let (there,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM streets WHERE id = $1").bind(c.street.id).fetch_one(&mut *tx).await?;
                    if there > 0 {
                        continue;
                    }
                    sqlx::query("INSERT INTO streets (id, name, district, center_lon, center_lat) VALUES ($1, $2, $3, $4, $5)")
                        .bind(c.street.id).bind(&c.street.name).bind(&c.street.district).bind(c.street.center[0]).bind(c.street.center[1])
                        .execute(&mut *tx).await?;
                    for x in &c.communities {
                        sqlx::query("INSERT INTO communities (id, name, boundary, street_id) VALUES ($1, $2, $3, $4)")
                            .bind(x.id).bind(&x.name).bind(polygon_json(&x.boundary)).bind(x.street_id.unwrap_or(c.street.id)).execute(&mut *tx).await?;
                    }
                    for x in &c.grids {
                        sqlx::query("INSERT INTO grids (id, community_id, code, name, boundary) VALUES ($1, $2, $3, $4, $5)")
                            .bind(x.id).bind(x.community_id).bind(&x.code).bind(&x.name).bind(polygon_json(&x.boundary)).execute(&mut *tx).await?;
                    }
                    for x in &c.micro_grids {
                        let (sw, ne) = x.boundary.bbox();
                        sqlx::query("INSERT INTO micro_grids (id, grid_id, code, name, boundary, min_lon, min_lat, max_lon, max_lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                            .bind(x.id).bind(x.grid_id).bind(&x.code).bind(&x.name).bind(polygon_json(&x.boundary))
                            .bind(sw[0]).bind(sw[1]).bind(ne[0]).bind(ne[1]).execute(&mut *tx).await?;
                    }
                    added += 1;
                }
                tx.commit().await?;
                Ok(added)
            }

            async fn street(&self) -> $crate::storage::Result<Option<zhizhi_shared::org::Street>> {
                let row: Option<(i64, String, String, f64, f64)> =
                    sqlx::query_as("SELECT id, name, district, center_lon, center_lat FROM streets ORDER BY id LIMIT 1")
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(|(id, name, district, lon, lat)| zhizhi_shared::org::Street { id, name, district, center: [lon, lat] }))
            }

            async fn street_grids(&self, street: i64) -> $crate::storage::Result<Vec<i64>> {
                let rows: Vec<(i64,)> = sqlx::query_as("SELECT g.id FROM grids g JOIN communities c ON c.id = g.community_id WHERE c.street_id = $1 ORDER BY g.id")
                    .bind(street).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|r| r.0).collect())
            }

            async fn streets(&self) -> $crate::storage::Result<Vec<zhizhi_shared::org::Street>> {
                let rows: Vec<(i64, String, String, f64, f64)> =
                    sqlx::query_as("SELECT id, name, district, center_lon, center_lat FROM streets ORDER BY id").fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|(id, name, district, lon, lat)| zhizhi_shared::org::Street { id, name, district, center: [lon, lat] }).collect())
            }

            async fn boards(&self) -> $crate::storage::Result<Vec<$crate::storage::BoardPosts>> {
                use $crate::storage::portable::parse_code;
                use zhizhi_shared::org::{Board, BoardKind, Post, PostOrigin};
                let boards: Vec<(i64, String, String)> =
                    sqlx::query_as("SELECT id, kind, name FROM boards ORDER BY id").fetch_all(&self.pool).await?;
                let posts: Vec<(i64, i64, String, String)> =
                    sqlx::query_as("SELECT id, board_id, name, origin FROM posts ORDER BY id").fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(boards.len());
                for (id, kind, name) in boards {
                    let kind = parse_code("boards", id, &kind, BoardKind::from_code)?;
                    let mut mine = Vec::new();
                    for (pid, board_id, pname, origin) in posts.iter().filter(|p| p.1 == id) {
                        let origin = parse_code("posts", *pid, origin, PostOrigin::from_code)?;
                        mine.push(Post { id: *pid, board_id: *board_id, name: pname.clone(), origin });
                    }
                    out.push($crate::storage::BoardPosts { board: Board { id, kind, name }, posts: mine });
                }
                Ok(out)
            }

            async fn communities(&self) -> $crate::storage::Result<Vec<zhizhi_shared::place::Community>> {
                use $crate::storage::portable::parse_polygon;
                let rows: Vec<(i64, String, String, Option<i64>)> =
                    sqlx::query_as("SELECT id, name, boundary, street_id FROM communities ORDER BY id").fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, name, boundary, street_id)| {
                        Ok(zhizhi_shared::place::Community { id, name, boundary: parse_polygon("communities", id, &boundary)?, street_id })
                    })
                    .collect()
            }

            async fn micro_grids(&self) -> $crate::storage::Result<Vec<zhizhi_shared::place::MicroGrid>> {
                use $crate::storage::portable::parse_polygon;
                let rows: Vec<(i64, i64, String, String, String)> =
                    sqlx::query_as("SELECT id, grid_id, code, name, boundary FROM micro_grids WHERE retired_at IS NULL ORDER BY code")
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(id, grid_id, code, name, boundary)| {
                        let boundary = parse_polygon("micro_grids", id, &boundary)?;
                        Ok(zhizhi_shared::place::MicroGrid { id, grid_id, code, name, boundary })
                    })
                    .collect()
            }

            async fn grids(&self) -> $crate::storage::Result<Vec<zhizhi_shared::place::Grid>> {
                use $crate::storage::portable::parse_polygon;
                let rows: Vec<(i64, i64, String, String, String, Option<i64>)> = sqlx::query_as(
                    "SELECT id, community_id, code, name, boundary, worker_id FROM grids ORDER BY code",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, community_id, code, name, boundary, worker_id)| {
                        Ok(zhizhi_shared::place::Grid {
                            id,
                            community_id,
                            code,
                            name,
                            boundary: parse_polygon("grids", id, &boundary)?,
                            worker_id,
                        })
                    })
                    .collect()
            }

            async fn micro_grid_at(
                &self,
                at: zhizhi_shared::geo::LonLat,
            ) -> $crate::storage::Result<Option<zhizhi_shared::place::MicroGrid>> {
                use $crate::storage::portable::parse_polygon;
                // The bounding boxes narrow the search; the polygons decide.
                let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
                    "SELECT id, grid_id, code, name, boundary FROM micro_grids
                     WHERE min_lon <= $1 AND max_lon >= $1 AND min_lat <= $2 AND max_lat >= $2 AND retired_at IS NULL ORDER BY id",
                )
                .bind(at[0])
                .bind(at[1])
                .fetch_all(&self.pool)
                .await?;
                for (id, grid_id, code, name, boundary) in rows {
                    let boundary = parse_polygon("micro_grids", id, &boundary)?;
                    if boundary.contains(at) {
                        return Ok(Some(zhizhi_shared::place::MicroGrid { id, grid_id, code, name, boundary }));
                    }
                }
                Ok(None)
            }

            async fn residents_in_grid(&self, grid_id: i64, limit: i64, offset: i64) -> $crate::storage::Result<Vec<$crate::storage::ResidentPlace>> {
                use $crate::storage::portable::{resident_from_row, ResidentRow, RESIDENT_SELECT};
                let sql = format!("{RESIDENT_SELECT} WHERE m.grid_id = $1 ORDER BY b.address, h.unit, r.id LIMIT $2 OFFSET $3");
                let rows: Vec<ResidentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(grid_id).bind(limit).bind(offset).fetch_all(&self.pool).await?;
                rows.into_iter().map(resident_from_row).collect()
            }

            async fn resident(&self, id: i64) -> $crate::storage::Result<Option<$crate::storage::ResidentPlace>> {
                use $crate::storage::portable::{resident_from_row, ResidentRow, RESIDENT_SELECT};
                let sql = format!("{RESIDENT_SELECT} WHERE r.id = $1");
                let row: Option<ResidentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?;
                row.map(resident_from_row).transpose()
            }
        }
    };
}

pub(super) use portable_store;
