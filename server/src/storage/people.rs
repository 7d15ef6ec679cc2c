//! Storage of a street's own people data brought in from spreadsheets: what an import compares
//! with, and its write — households, residents and the audit entries naming who imported what —
//! in one transaction.

use async_trait::async_trait;
use std::sync::atomic::AtomicUsize;
use zhizhi_shared::import::residents::{Stored, Write};

/// Who imported what, for the audit entries the write appends.
#[derive(Clone, Debug)]
pub struct ImportAudit {
    pub actor: String,
    /// The import's own target (`import:<job id>`).
    pub target: String,
    /// The summary entry's detail (file name and counts).
    pub summary: String,
    /// Prefix of each updated record's entry (the file's name).
    pub file: String,
    /// The importer's name as histories show it (a grade change's 「调整人」).
    pub display: String,
    pub now: i64,
}

/// A search of residents.
#[derive(Clone, Debug, Default)]
pub struct ResidentSearch {
    /// A `LIKE` pattern (with `\` as its escape) over name, phone, identity number, address,
    /// building name and room number.
    pub pattern: String,
    /// A care tag's code, or empty.
    pub care: String,
    /// Born after `born_after`, on or before `born_up_to` (`YYYY-MM-DD`).
    pub born_after: String,
    pub born_up_to: String,
    /// Only these grids (comma-separated ids), or empty for every grid.
    pub grids: String,
    /// A household tenure's code (`none` for not recorded), or empty for any.
    pub tenure: String,
    pub limit: i64,
}

/// The people part of the [`Store`](super::Store).
#[async_trait]
pub trait PeopleStore {
    /// Residents matching a search, with their place, and the building they live in.
    async fn search_residents(&self, s: &ResidentSearch) -> super::Result<Vec<(super::ResidentPlace, i64)>>;

    /// Buildings whose name or address matches `pattern` in `grids` (comma-separated, empty for
    /// all), with their grid and how many households and residents they hold.
    async fn find_buildings(&self, pattern: &str, grids: &str, limit: i64) -> super::Result<Vec<zhizhi_shared::people::BuildingHit>>;

    /// The building a resident lives in, their household's floor and tenure's code.
    async fn resident_home(&self, id: i64) -> super::Result<Option<(i64, i32, String)>>;

    /// Every building, household and resident, as an import of residents compares with them.
    async fn people_snapshot(&self) -> super::Result<Stored>;

    /// Writes an import of residents in one transaction: the new households, the new and the
    /// updated residents, one audit entry per updated resident (which fields, from which file
    /// row) and one for the import. `written` counts the residents written so far.
    async fn write_residents(&self, write: &Write, audit: &ImportAudit, written: &AtomicUsize) -> super::Result<()>;

    /// Writes an import of households in one transaction: the new ones, the changed floors and
    /// tenures, one audit entry per changed household and one for the import.
    async fn write_households(&self, write: &zhizhi_shared::import::households::Write, audit: &ImportAudit, written: &AtomicUsize) -> super::Result<()>;

    /// Every post and member of staff, as an import of staff compares with them.
    async fn staff_snapshot(&self) -> super::Result<zhizhi_shared::import::staff::Stored>;

    /// Writes an import of staff in one transaction: the new posts (on their boards), the new
    /// and changed staff, one audit entry per changed person and one for the import.
    async fn write_staff(&self, write: &zhizhi_shared::import::staff::Write, audit: &ImportAudit, written: &AtomicUsize) -> super::Result<()>;

    /// Every building, enterprise and licence, as an import of enterprises compares with them.
    async fn enterprises_snapshot(&self) -> super::Result<zhizhi_shared::import::enterprises::Stored>;

    /// Writes an import of enterprises in one transaction: the new and updated businesses, their
    /// licences, a grade history entry for every grade given or changed, one audit entry per
    /// updated business and one for the import; the supervision screens' version moves on.
    async fn write_enterprises(&self, write: &zhizhi_shared::import::enterprises::Write, audit: &ImportAudit, written: &AtomicUsize) -> super::Result<()>;
}

/// Appends `$entries` (`(action, target, detail)`) to the audit chain inside the transaction
/// `$tx`, after the chain's head, in the importer's name. The caller holds the audit lock.
macro_rules! chain_audit {
    ($db:ty, $tx:ident, $audit:expr, $entries:expr) => {{
        use zhizhi_shared::audit::{bounded, entry_hash, GENESIS};
        let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *$tx).await?;
        let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
        let actor = bounded(&$audit.actor, 64).into_owned();
        let mut chained: Vec<(String, String, String, String, String)> = Vec::with_capacity($entries.len());
        for (action, target, detail) in $entries {
            let detail = bounded(&detail, 1000).into_owned();
            seq += 1;
            let hash = entry_hash(&prev, seq, $audit.now, &actor, &action, &target, &detail);
            chained.push((action, target, detail, std::mem::replace(&mut prev, hash.clone()), hash));
        }
        let first_seq = seq - chained.len() as i64 + 1;
        for (n, chunk) in chained.chunks($crate::storage::portable::CHUNK).enumerate() {
            let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO audit_log (seq, at_ms, actor, action, target, detail, prev_hash, hash) ");
            qb.push_values(chunk.iter().enumerate(), |mut b, (i, e)| {
                b.push_bind(first_seq + (n * $crate::storage::portable::CHUNK + i) as i64).push_bind($audit.now).push_bind(&actor)
                    .push_bind(&e.0).push_bind(&e.1).push_bind(&e.2).push_bind(&e.3).push_bind(&e.4);
            });
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(super) use chain_audit;

/// Implements [`PeopleStore`] for `$store`. `$begin` must keep every other audit appender out
/// until it commits (the audit chain has one head).
macro_rules! portable_people {
    ($store:ty, $db:ty, begin = |$pool:ident| $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::people::PeopleStore for $store {
            async fn search_residents(&self, s: &$crate::storage::people::ResidentSearch) -> $crate::storage::Result<Vec<($crate::storage::ResidentPlace, i64)>> {
                type Row = (i64, i64, String, String, String, String, String, String, String, String, i64, i64);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT r.id, r.household_id, r.name, r.sex, r.birth_date, r.id_number, r.phone, r.care_tags, b.address, h.unit, m.grid_id, b.id
                     FROM residents r JOIN households h ON h.id = r.household_id
                     JOIN buildings b ON b.id = h.building_id JOIN micro_grids m ON m.id = b.micro_grid_id
                     WHERE (r.name LIKE $1 ESCAPE '\\' OR r.phone LIKE $1 ESCAPE '\\' OR r.id_number LIKE $1 ESCAPE '\\'
                            OR b.address LIKE $1 ESCAPE '\\' OR b.name LIKE $1 ESCAPE '\\' OR h.unit LIKE $1 ESCAPE '\\')
                       AND ($2 = '' OR (',' || r.care_tags || ',') LIKE ('%,' || $2 || ',%'))
                       AND r.birth_date > $3 AND r.birth_date <= $4
                       AND ($5 = '' OR (',' || $5 || ',') LIKE ('%,' || CAST(m.grid_id AS TEXT) || ',%'))
                       AND ($7 = '' OR h.tenure = $7 OR ($7 = 'none' AND h.tenure = ''))
                     ORDER BY b.address, h.unit, r.id LIMIT $6",
                )
                .bind(&s.pattern).bind(&s.care).bind(&s.born_after).bind(&s.born_up_to).bind(&s.grids).bind(s.limit).bind(&s.tenure)
                .fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|r| {
                        let building = r.11;
                        $crate::storage::portable::resident_from_row((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10)).map(|p| (p, building))
                    })
                    .collect()
            }

            async fn find_buildings(&self, pattern: &str, grids: &str, limit: i64) -> $crate::storage::Result<Vec<zhizhi_shared::people::BuildingHit>> {
                let rows: Vec<(i64, String, String, String, i64, i64)> = sqlx::query_as(
                    "SELECT b.id, b.name, b.address, g.name,
                            (SELECT COUNT(*) FROM households h WHERE h.building_id = b.id),
                            (SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id WHERE h.building_id = b.id)
                     FROM buildings b JOIN micro_grids m ON m.id = b.micro_grid_id JOIN grids g ON g.id = m.grid_id
                     WHERE (b.name LIKE $1 ESCAPE '\\' OR b.address LIKE $1 ESCAPE '\\')
                       AND ($2 = '' OR (',' || $2 || ',') LIKE ('%,' || CAST(m.grid_id AS TEXT) || ',%'))
                     ORDER BY b.address, b.id LIMIT $3",
                )
                .bind(pattern).bind(grids).bind(limit)
                .fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|(id, name, address, grid, households, residents)| zhizhi_shared::people::BuildingHit { id, name, address, grid, households, residents }).collect())
            }

            async fn resident_home(&self, id: i64) -> $crate::storage::Result<Option<(i64, i32, String)>> {
                Ok(sqlx::query_as("SELECT h.building_id, h.floor, h.tenure FROM residents r JOIN households h ON h.id = r.household_id WHERE r.id = $1")
                    .bind(id).fetch_optional(&self.pool).await?)
            }

            async fn people_snapshot(&self) -> $crate::storage::Result<zhizhi_shared::import::residents::Stored> {
                use zhizhi_shared::import::residents::{Stored, StoredBuilding, StoredHousehold};
                let buildings: Vec<(i64, String, String, i32)> =
                    sqlx::query_as("SELECT id, name, address, floors FROM buildings").fetch_all(&self.pool).await?;
                let households: Vec<(i64, i64, String, i32, String)> =
                    sqlx::query_as("SELECT id, building_id, unit, floor, tenure FROM households").fetch_all(&self.pool).await?;
                let rows: Vec<$crate::storage::portable::ResidentRow> =
                    sqlx::query_as($crate::storage::portable::RESIDENT_SELECT).fetch_all(&self.pool).await?;
                Ok(Stored {
                    buildings: buildings.into_iter().map(|(id, name, address, floors)| StoredBuilding { id, name, address, floors: floors.into() }).collect(),
                    households: households
                        .into_iter()
                        .map(|(id, building_id, unit, floor, tenure)| StoredHousehold {
                            id,
                            building_id,
                            unit,
                            floor: floor.into(),
                            tenure: zhizhi_shared::place::Tenure::from_code(&tenure).unwrap_or_default(),
                        })
                        .collect(),
                    residents: rows
                        .into_iter()
                        .map(|r| $crate::storage::portable::resident_from_row(r).map(|p| p.resident))
                        .collect::<$crate::storage::Result<Vec<_>>>()?,
                })
            }

            async fn write_residents(
                &self,
                write: &zhizhi_shared::import::residents::Write,
                audit: &$crate::storage::people::ImportAudit,
                written: &std::sync::atomic::AtomicUsize,
            ) -> $crate::storage::Result<()> {
                use sqlx::QueryBuilder;
                use std::collections::HashMap;
                use std::sync::atomic::Ordering;
                use zhizhi_shared::import::residents::Home;
                use $crate::storage::portable::{join, CHUNK};
                let sex = |s: zhizhi_shared::people::Sex| if s == zhizhi_shared::people::Sex::Male { "male" } else { "female" };
                let $pool = self.writer();
                let mut tx = $begin.await?;
                // The reference tables take their ids from the writer (the street's own data
                // comes with them): the next ones after the largest, inside this transaction.
                let (mut next_household,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM households").fetch_one(&mut *tx).await?;
                for chunk in write.new_households.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO households (id, building_id, floor, unit) ");
                    qb.push_values(chunk, |mut b, h| {
                        b.push_bind(next_household).push_bind(h.building_id).push_bind(h.floor as i32).push_bind(&h.unit);
                        next_household += 1;
                    });
                    qb.push(" ON CONFLICT (building_id, unit) DO NOTHING");
                    qb.build().execute(&mut *tx).await?;
                }
                let homes: HashMap<(i64, String), i64> = if write.new_households.is_empty() {
                    HashMap::new()
                } else {
                    let all: Vec<(i64, i64, String)> = sqlx::query_as("SELECT id, building_id, unit FROM households").fetch_all(&mut *tx).await?;
                    all.into_iter().map(|(id, b, u)| ((b, u), id)).collect()
                };
                let home = |h: Home| -> $crate::storage::Result<i64> {
                    match h {
                        Home::Stored(id) => Ok(id),
                        Home::New(i) => {
                            let n = &write.new_households[i];
                            homes.get(&(n.building_id, n.unit.clone())).copied().ok_or_else(|| $crate::storage::Error::Corrupt {
                                table: "households",
                                id: n.building_id,
                                detail: format!("household {} not found after its insert", n.unit),
                            })
                        }
                    }
                };
                let (mut next_resident,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM residents").fetch_one(&mut *tx).await?;
                for chunk in write.inserts.chunks(CHUNK) {
                    let ids = chunk.iter().map(|r| home(r.home)).collect::<$crate::storage::Result<Vec<i64>>>()?;
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO residents (id, household_id, name, sex, birth_date, id_number, phone, care_tags) ");
                    qb.push_values(chunk.iter().zip(ids), |mut b, (r, household)| {
                        b.push_bind(next_resident).push_bind(household).push_bind(&r.name).push_bind(sex(r.sex)).push_bind(&r.birth_date)
                            .push_bind(&r.id_number).push_bind(&r.phone).push_bind(join(r.care_tags.iter().map(|t| t.code())));
                        next_resident += 1;
                    });
                    qb.build().execute(&mut *tx).await?;
                    written.fetch_add(chunk.len(), Ordering::Relaxed);
                }
                for (id, r, _) in &write.updates {
                    sqlx::query(
                        "UPDATE residents SET household_id = $1, name = $2, sex = $3, birth_date = $4, phone = $5, care_tags = $6 WHERE id = $7",
                    )
                    .bind(home(r.home)?).bind(&r.name).bind(sex(r.sex)).bind(&r.birth_date).bind(&r.phone)
                    .bind(join(r.care_tags.iter().map(|t| t.code()))).bind(id)
                    .execute(&mut *tx).await?;
                    written.fetch_add(1, Ordering::Relaxed);
                }
                let mut entries: Vec<(String, String, String)> = Vec::with_capacity(write.updates.len() + 1);
                for (id, r, fields) in &write.updates {
                    entries.push(("import_update".into(), format!("resident:{id}"), format!("{} 第 {} 行：{}", audit.file, r.line, fields.join("、"))));
                }
                entries.push(("import_residents".into(), audit.target.clone(), audit.summary.clone()));
                $crate::storage::people::chain_audit!($db, tx, audit, entries);
                tx.commit().await?;
                Ok(())
            }

            async fn write_households(
                &self,
                write: &zhizhi_shared::import::households::Write,
                audit: &$crate::storage::people::ImportAudit,
                written: &std::sync::atomic::AtomicUsize,
            ) -> $crate::storage::Result<()> {
                use sqlx::QueryBuilder;
                use std::sync::atomic::Ordering;
                use $crate::storage::portable::CHUNK;
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let (mut next,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM households").fetch_one(&mut *tx).await?;
                for chunk in write.inserts.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO households (id, building_id, floor, unit, tenure) ");
                    qb.push_values(chunk, |mut b, h| {
                        b.push_bind(next).push_bind(h.building_id).push_bind(h.floor as i32).push_bind(&h.unit).push_bind(h.tenure.code());
                        next += 1;
                    });
                    qb.build().execute(&mut *tx).await?;
                    written.fetch_add(chunk.len(), Ordering::Relaxed);
                }
                let mut entries: Vec<(String, String, String)> = Vec::with_capacity(write.updates.len() + 1);
                for u in &write.updates {
                    sqlx::query("UPDATE households SET floor = $1, tenure = $2 WHERE id = $3")
                        .bind(u.floor as i32).bind(u.tenure.code()).bind(u.id).execute(&mut *tx).await?;
                    entries.push(("import_update".into(), format!("household:{}", u.id), format!("{} 第 {} 行：{}", audit.file, u.line, u.fields.join("、"))));
                    written.fetch_add(1, Ordering::Relaxed);
                }
                entries.push(("import_households".into(), audit.target.clone(), audit.summary.clone()));
                $crate::storage::people::chain_audit!($db, tx, audit, entries);
                tx.commit().await?;
                Ok(())
            }

            async fn staff_snapshot(&self) -> $crate::storage::Result<zhizhi_shared::import::staff::Stored> {
                use zhizhi_shared::import::staff::{Stored, StoredPost};
                let posts: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM posts").fetch_all(&self.pool).await?;
                let staff: Vec<(i64, String, Option<i64>, String, String)> =
                    sqlx::query_as("SELECT id, name, post_id, phone, duty FROM staff").fetch_all(&self.pool).await?;
                Ok(Stored {
                    posts: posts.into_iter().map(|(id, name)| StoredPost { id, name }).collect(),
                    staff: staff
                        .into_iter()
                        .map(|(id, name, post_id, phone, duty)| {
                            let duty = $crate::storage::portable::parse_code("staff", id, &duty, zhizhi_shared::org::Duty::from_code)?;
                            Ok(zhizhi_shared::org::Staff { id, name, post_id, phone, duty })
                        })
                        .collect::<$crate::storage::Result<Vec<_>>>()?,
                })
            }

            async fn write_staff(
                &self,
                write: &zhizhi_shared::import::staff::Write,
                audit: &$crate::storage::people::ImportAudit,
                written: &std::sync::atomic::AtomicUsize,
            ) -> $crate::storage::Result<()> {
                use std::sync::atomic::Ordering;
                use zhizhi_shared::import::staff::PostRef;
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let (mut next_post,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM posts").fetch_one(&mut *tx).await?;
                let mut post_ids = Vec::with_capacity(write.new_posts.len());
                for p in &write.new_posts {
                    let (board,): (i64,) = sqlx::query_as("SELECT id FROM boards WHERE kind = $1").bind(p.board.code()).fetch_optional(&mut *tx).await?
                        .ok_or_else(|| $crate::storage::Error::Corrupt { table: "boards", id: 0, detail: format!("no board {}", p.board.code()) })?;
                    sqlx::query("INSERT INTO posts (id, board_id, name, origin) VALUES ($1, $2, $3, $4)")
                        .bind(next_post).bind(board).bind(&p.name).bind(p.origin.code()).execute(&mut *tx).await?;
                    post_ids.push(next_post);
                    next_post += 1;
                }
                let post = |r: PostRef| match r {
                    PostRef::None => None,
                    PostRef::Stored(id) => Some(id),
                    PostRef::New(i) => post_ids.get(i).copied(),
                };
                let (mut next,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM staff").fetch_one(&mut *tx).await?;
                for r in &write.inserts {
                    sqlx::query("INSERT INTO staff (id, name, post_id, phone, duty) VALUES ($1, $2, $3, $4, $5)")
                        .bind(next).bind(&r.name).bind(post(r.post)).bind(&r.phone).bind(r.duty.code()).execute(&mut *tx).await?;
                    next += 1;
                    written.fetch_add(1, Ordering::Relaxed);
                }
                let mut entries: Vec<(String, String, String)> = Vec::with_capacity(write.updates.len() + 1);
                for (id, r, fields) in &write.updates {
                    sqlx::query("UPDATE staff SET name = $1, post_id = $2, duty = $3 WHERE id = $4")
                        .bind(&r.name).bind(post(r.post)).bind(r.duty.code()).bind(id).execute(&mut *tx).await?;
                    entries.push(("import_update".into(), format!("staff:{id}"), format!("{} 第 {} 行：{}", audit.file, r.line, fields.join("、"))));
                    written.fetch_add(1, Ordering::Relaxed);
                }
                entries.push(("import_staff".into(), audit.target.clone(), audit.summary.clone()));
                $crate::storage::people::chain_audit!($db, tx, audit, entries);
                tx.commit().await?;
                Ok(())
            }

            async fn enterprises_snapshot(&self) -> $crate::storage::Result<zhizhi_shared::import::enterprises::Stored> {
                use zhizhi_shared::import::enterprises::{Licence, Stored, StoredBuilding};
                let buildings: Vec<(i64, String, String, i32)> =
                    sqlx::query_as("SELECT id, name, address, floors FROM buildings").fetch_all(&self.pool).await?;
                type Row = (i64, String, String, i64, String, String, String, String);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, name, industry, building_id, licence_no, credit, contact_name, contact_phone FROM enterprises",
                )
                .fetch_all(&self.pool).await?;
                let licences: Vec<(i64, String, String, Option<i64>)> =
                    sqlx::query_as("SELECT enterprise_id, kind, number, expires_at FROM enterprise_licences").fetch_all(&self.pool).await?;
                Ok(Stored {
                    buildings: buildings.into_iter().map(|(id, name, address, floors)| StoredBuilding { id, name, address, floors: floors.into() }).collect(),
                    enterprises: rows
                        .into_iter()
                        .map(|(id, name, industry, building_id, licence_no, credit, contact_name, contact_phone)| {
                            Ok(zhizhi_shared::people::Enterprise {
                                credit: $crate::storage::supervision::grade_letter("enterprises", id, &credit)?,
                                id, name, industry, building_id, licence_no, contact_name, contact_phone,
                            })
                        })
                        .collect::<$crate::storage::Result<Vec<_>>>()?,
                    licences: licences.into_iter().map(|(e, kind, number, expires_at)| (e, Licence { kind, number, expires_at })).collect(),
                })
            }

            async fn write_enterprises(
                &self,
                write: &zhizhi_shared::import::enterprises::Write,
                audit: &$crate::storage::people::ImportAudit,
                written: &std::sync::atomic::AtomicUsize,
            ) -> $crate::storage::Result<()> {
                use sqlx::QueryBuilder;
                use std::sync::atomic::Ordering;
                use $crate::storage::portable::CHUNK;
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let (mut next,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM enterprises").fetch_one(&mut *tx).await?;
                // (enterprise, from, to, reason) for the grade history; (enterprise, licence).
                let mut grades: Vec<(i64, Option<&'static str>, &'static str, String)> = Vec::new();
                let mut licences = Vec::new();
                for chunk in write.inserts.chunks(CHUNK) {
                    let first = next;
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO enterprises (id, name, industry, building_id, licence_no, credit, contact_name, contact_phone) ");
                    qb.push_values(chunk, |mut b, e| {
                        b.push_bind(next).push_bind(&e.name).push_bind(&e.sector).push_bind(e.building_id).push_bind(&e.credit_code)
                            .push_bind(e.grade.letter()).push_bind(&e.contact_name).push_bind(&e.contact_phone);
                        next += 1;
                    });
                    qb.build().execute(&mut *tx).await?;
                    for (i, e) in chunk.iter().enumerate() {
                        let id = first + i as i64;
                        grades.push((id, None, e.grade.letter(), format!("导入时的等级（{} 第 {} 行）", audit.file, e.line)));
                        licences.extend(e.licence.as_ref().map(|l| (id, l)));
                    }
                    written.fetch_add(chunk.len(), Ordering::Relaxed);
                }
                let mut entries: Vec<(String, String, String)> = Vec::with_capacity(write.updates.len() + 1);
                for u in &write.updates {
                    let e = &u.record;
                    sqlx::query(
                        "UPDATE enterprises SET name = $1, industry = $2, building_id = $3, credit = $4, contact_name = $5, contact_phone = $6 WHERE id = $7",
                    )
                    .bind(&e.name).bind(&e.sector).bind(e.building_id).bind(e.grade.letter()).bind(&e.contact_name).bind(&e.contact_phone).bind(u.id)
                    .execute(&mut *tx).await?;
                    if u.was != e.grade {
                        grades.push((u.id, Some(u.was.letter()), e.grade.letter(), format!("按 {} 第 {} 行导入调整", audit.file, e.line)));
                    }
                    licences.extend(e.licence.as_ref().map(|l| (u.id, l)));
                    entries.push(("import_update".into(), format!("enterprise:{}", u.id), format!("{} 第 {} 行：{}", audit.file, e.line, u.fields.join("、"))));
                    written.fetch_add(1, Ordering::Relaxed);
                }
                for chunk in grades.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO enterprise_grades (enterprise_id, from_grade, to_grade, reason, evidence, by_name, at) ");
                    qb.push_values(chunk, |mut b, g| {
                        b.push_bind(g.0).push_bind(g.1).push_bind(g.2).push_bind(&g.3).push_bind(&audit.file).push_bind(&audit.display).push_bind(audit.now);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                for (id, l) in licences {
                    sqlx::query(
                        "INSERT INTO enterprise_licences (enterprise_id, kind, number, expires_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (enterprise_id, kind) DO UPDATE SET number = excluded.number, expires_at = excluded.expires_at",
                    )
                    .bind(id).bind(&l.kind).bind(&l.number).bind(l.expires_at).execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                entries.push(("import_enterprises".into(), audit.target.clone(), audit.summary.clone()));
                $crate::storage::people::chain_audit!($db, tx, audit, entries);
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(super) use portable_people;

