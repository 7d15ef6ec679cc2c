//! What the indicators read: a period's cases with their timelines and tasks (straight from
//! the append-only steps, so that every figure can be recomputed), and the names of posts and
//! grids. Drills are left out here already.

use async_trait::async_trait;
use zhizhi_shared::kpi::{CaseFacts, DeviceInService, GradeChangeRow, Names, OfflineSpell};

/// The indicators' reads, as every engine answers them.
#[async_trait]
pub trait KpiStore {
    /// The cases reported in `[from, to)` (drills left out), in id order, each with its tasks
    /// and the steps of its timeline the indicators judge
    /// ([`STEPS_JUDGED_SQL`](zhizhi_shared::kpi::STEPS_JUDGED_SQL)), in order.
    async fn kpi_facts(&self, from: i64, to: i64) -> super::Result<Vec<CaseFacts>>;

    /// Posts with their boards, grids with their communities.
    async fn kpi_names(&self) -> super::Result<Names>;

    /// Where the cases reported in `[from, to)` were (drills and cases without a place left
    /// out): `(category, lon, lat)`, for the hot-spot map.
    async fn kpi_points(&self, from: i64, to: i64) -> super::Result<Vec<(String, f64, f64)>>;

    /// Devices in service at some moment of `[from, to)` that have been heard at least once,
    /// and the offline alarms overlapping the period: what 设备在线率 reads.
    async fn kpi_devices(&self, from: i64, to: i64) -> super::Result<(Vec<DeviceInService>, Vec<OfflineSpell>)>;

    /// The enterprises' gradings recorded in `[from, to)`.
    async fn kpi_gradings(&self, from: i64, to: i64) -> super::Result<Vec<GradeChangeRow>>;

    /// The weights an administrator set: `(indicator code, weight)`.
    async fn kpi_weights(&self) -> super::Result<Vec<(String, i64)>>;

    /// Replaces the weights set, in one transaction.
    async fn save_kpi_weights(&self, weights: &[(String, i64)], by: &str, now: i64) -> super::Result<()>;
}

/// Implements [`KpiStore`] for `$store`.
macro_rules! portable_kpi {
    ($store:ty, begin = |$pool:ident| $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::kpi::KpiStore for $store {
            async fn kpi_facts(&self, from: i64, to: i64) -> $crate::storage::Result<Vec<zhizhi_shared::kpi::CaseFacts>> {
                use $crate::storage::portable::parse_code;
                use zhizhi_shared::case::{CaseState, Holder, Source};
                use zhizhi_shared::kpi::{CaseFacts, TaskFact};
                type CaseRow = (i64, String, String, Option<i64>, i64, String);
                let rows: Vec<CaseRow> = sqlx::query_as(
                    "SELECT id, category, source, grid_id, created_at, state FROM cases
                     WHERE created_at >= $1 AND created_at < $2 AND drill = 0 ORDER BY id",
                )
                .bind(from).bind(to).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for (id, category, source, grid_id, created_at, state) in rows {
                    out.push(CaseFacts {
                        id,
                        category,
                        source: parse_code("cases", id, &source, Source::from_code)?,
                        grid_id,
                        drill: false,
                        created_at,
                        state: parse_code("cases", id, &state, CaseState::from_code)?,
                        steps: Vec::new(),
                        tasks: Vec::new(),
                        rating: None,
                    });
                }
                // Cases are in id order: a case's place is found by binary search.
                let at = |out: &[CaseFacts], id: i64| out.binary_search_by_key(&id, |c| c.id).ok();
                let (Some(first), Some(last)) = (out.first().map(|c| c.id), out.last().map(|c| c.id)) else { return Ok(out) };
                // The steps of the cases' id range (read along the (case_id, seq) index; a case
                // of the range outside the period is skipped below), only the kinds the
                // indicators judge, one row per case: the engine joins a case's steps into one
                // text ("at,kind,from,to,task;…" in order), which is read many times faster
                // than a row per step and parsed here.
                let steps: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT case_id, string_agg(CAST(at AS TEXT) || ',' || kind || ',' || from_state || ',' || to_state || ','
                                               || COALESCE(CAST(task_id AS TEXT), ''), ';' ORDER BY seq)
                     FROM case_steps WHERE case_id >= $1 AND case_id <= $2 AND ({}) GROUP BY case_id",
                    zhizhi_shared::kpi::STEPS_JUDGED_SQL
                )))
                .bind(first).bind(last).fetch_all(&self.pool).await?;
                for (case_id, joined) in steps {
                    let Some(i) = at(&out, case_id) else { continue };
                    out[i].steps = zhizhi_shared::kpi::parse_steps(&joined).map_err(|detail| $crate::storage::Error::Corrupt {
                        table: "case_steps",
                        id: case_id,
                        detail,
                    })?;
                }
                let ratings: Vec<(i64, i64)> = sqlx::query_as("SELECT case_id, score FROM case_ratings WHERE case_id >= $1 AND case_id <= $2")
                    .bind(first).bind(last).fetch_all(&self.pool).await?;
                for (case_id, score) in ratings {
                    if let Some(i) = at(&out, case_id) {
                        out[i].rating = u8::try_from(score).ok();
                    }
                }
                type TaskRow = (i64, i64, Option<i64>, Option<i64>, i64, i64);
                let tasks: Vec<TaskRow> = sqlx::query_as(
                    "SELECT id, case_id, post_id, grid_id, district, deadline FROM case_tasks
                     WHERE case_id >= $1 AND case_id <= $2 ORDER BY case_id, id",
                )
                .bind(first).bind(last).fetch_all(&self.pool).await?;
                for (id, case_id, post, grid, district, deadline) in tasks {
                    let Some(i) = at(&out, case_id) else { continue };
                    let holder = match (post, grid) {
                        (Some(p), _) => Holder::Post(p),
                        (None, Some(g)) => Holder::Grid(g),
                        (None, None) if district != 0 => Holder::District,
                        (None, None) => return Err($crate::storage::Error::Corrupt { table: "case_tasks", id, detail: "no holder".into() }),
                    };
                    out[i].tasks.push(TaskFact { id, holder, deadline });
                }
                Ok(out)
            }

            async fn kpi_names(&self) -> $crate::storage::Result<zhizhi_shared::kpi::Names> {
                let posts: Vec<(i64, String, String)> =
                    sqlx::query_as("SELECT p.id, p.name, b.name FROM posts p JOIN boards b ON b.id = p.board_id ORDER BY p.id")
                        .fetch_all(&self.pool).await?;
                let grids: Vec<(i64, String, String)> =
                    sqlx::query_as("SELECT g.id, g.name, c.name FROM grids g JOIN communities c ON c.id = g.community_id ORDER BY g.id")
                        .fetch_all(&self.pool).await?;
                Ok(zhizhi_shared::kpi::Names { posts, grids })
            }

            async fn kpi_points(&self, from: i64, to: i64) -> $crate::storage::Result<Vec<(String, f64, f64)>> {
                Ok(sqlx::query_as(
                    "SELECT category, lon, lat FROM cases
                     WHERE created_at >= $1 AND created_at < $2 AND drill = 0 AND lon IS NOT NULL AND lat IS NOT NULL",
                )
                .bind(from).bind(to).fetch_all(&self.pool).await?)
            }

            async fn kpi_devices(
                &self,
                from: i64,
                to: i64,
            ) -> $crate::storage::Result<(Vec<zhizhi_shared::kpi::DeviceInService>, Vec<zhizhi_shared::kpi::OfflineSpell>)> {
                use zhizhi_shared::kpi::{DeviceInService, OfflineSpell};
                let devices: Vec<(i64, String, String, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT d.id, d.code, d.kind, d.registered_at, d.retired_at FROM devices d
                     WHERE d.registered_at < $2 AND (d.retired_at IS NULL OR d.retired_at > $1)
                       AND EXISTS (SELECT 1 FROM device_state s WHERE s.device_id = d.id) ORDER BY d.id",
                )
                .bind(from).bind(to).fetch_all(&self.pool).await?;
                let spells: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT device_id, raised_at, cleared_at FROM alarms
                     WHERE rule = 'offline' AND raised_at < $2 AND (cleared_at IS NULL OR cleared_at > $1)",
                )
                .bind(from).bind(to).fetch_all(&self.pool).await?;
                Ok((
                    devices.into_iter().map(|(id, code, kind, registered_at, retired_at)| DeviceInService { id, code, kind, registered_at, retired_at }).collect(),
                    spells.into_iter().map(|(device_id, raised_at, cleared_at)| OfflineSpell { device_id, raised_at, cleared_at }).collect(),
                ))
            }

            async fn kpi_gradings(&self, from: i64, to: i64) -> $crate::storage::Result<Vec<zhizhi_shared::kpi::GradeChangeRow>> {
                let rows: Vec<(i64, String, Option<String>, String, String, i64)> = sqlx::query_as(
                    "SELECT g.enterprise_id, e.name, g.from_grade, g.to_grade, g.reason, g.at
                     FROM enterprise_grades g JOIN enterprises e ON e.id = g.enterprise_id
                     WHERE g.at >= $1 AND g.at < $2 ORDER BY g.at DESC, g.id DESC",
                )
                .bind(from).bind(to).fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(enterprise_id, name, from, to, reason, at)| zhizhi_shared::kpi::GradeChangeRow { enterprise_id, name, from, to, reason, at })
                    .collect())
            }

            async fn kpi_weights(&self) -> $crate::storage::Result<Vec<(String, i64)>> {
                Ok(sqlx::query_as("SELECT indicator, weight FROM kpi_weights ORDER BY indicator").fetch_all(&self.pool).await?)
            }

            async fn save_kpi_weights(&self, weights: &[(String, i64)], by: &str, now: i64) -> $crate::storage::Result<()> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                sqlx::query("DELETE FROM kpi_weights").execute(&mut *tx).await?;
                for (indicator, weight) in weights {
                    sqlx::query("INSERT INTO kpi_weights (indicator, weight, updated_at, updated_by) VALUES ($1, $2, $3, $4)")
                        .bind(indicator).bind(weight).bind(now).bind(by)
                        .execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use portable_kpi;

#[cfg(test)]
mod tests {
    /// The index the indicators read from holds exactly the steps they judge: its condition is
    /// [`STEPS_JUDGED_SQL`](zhizhi_shared::kpi::STEPS_JUDGED_SQL) word for word (SQLite uses a
    /// partial index only for a query that repeats its condition).
    #[test]
    fn the_steps_index_holds_the_steps_judged_on_both_engines() {
        for migration in [
            include_str!("../../migrations/sqlite/20261204000017_kpi_steps.sql"),
            include_str!("../../migrations/postgres/20261204000017_kpi_steps.sql"),
        ] {
            let index = migration.split("CREATE INDEX case_steps_judged").nth(1).expect("the index");
            let condition = index.split("WHERE ").nth(1).and_then(|w| w.split(';').next()).expect("its condition");
            assert_eq!(condition, zhizhi_shared::kpi::STEPS_JUDGED_SQL);
        }
    }
}
