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
    /// ([`STEPS_JUDGED_SQL`](zhizhi_shared::kpi::STEPS_JUDGED_SQL)), in order; with the
    /// case's version as read (every write of a case's state, steps or tasks bumps it).
    async fn kpi_facts(&self, from: i64, to: i64) -> super::Result<Vec<(i64, CaseFacts)>>;

    /// The same for the cases `ids` (drills left out), in id order.
    async fn kpi_facts_of(&self, ids: &[i64]) -> super::Result<Vec<(i64, CaseFacts)>>;

    /// The cases reported in `[from, to)` (drills left out), in id order, as
    /// `(id, version, rating)`: what tells whether facts read before are still true.
    async fn kpi_versions(&self, from: i64, to: i64) -> super::Result<Vec<(i64, i64, Option<i64>)>>;

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

/// A row of [`kpi_facts_sql`].
pub(crate) type FactsRow = (i64, i64, String, String, Option<i64>, i64, String, Option<String>, Option<String>, Option<i64>);

/// The indicators' read of the cases `which` selects (a condition on `c`, drills left out), one
/// row per case: the engine joins its judged steps (from the covering index
/// `case_steps_judged`) and its tasks into a text each — which is read many times faster than
/// a row per step or task — parsed and put in order by [`facts_of_rows`].
pub(crate) fn kpi_facts_sql(which: &str) -> String {
    use zhizhi_shared::kpi::{STEPS_JUDGED_SQL, STEP_FIELDS_SQL, TASK_FIELDS_SQL};
    format!(
        "SELECT c.id, c.version, c.category, c.source, c.grid_id, c.created_at, c.state,
                (SELECT string_agg({STEP_FIELDS_SQL}, ';') FROM case_steps s WHERE s.case_id = c.id AND ({STEPS_JUDGED_SQL})),
                (SELECT string_agg({TASK_FIELDS_SQL}, ';') FROM case_tasks t WHERE t.case_id = c.id),
                (SELECT r.score FROM case_ratings r WHERE r.case_id = c.id)
         FROM cases c WHERE {which} AND c.drill = 0 ORDER BY c.id"
    )
}

/// The facts of [`kpi_facts_sql`]'s rows, each with its case's version.
pub(crate) fn facts_of_rows(rows: Vec<FactsRow>) -> super::Result<Vec<(i64, CaseFacts)>> {
    use super::portable::parse_code;
    use zhizhi_shared::case::{CaseState, Source};
    let mut out = Vec::with_capacity(rows.len());
    for (id, version, category, source, grid_id, created_at, state, steps, tasks, rating) in rows {
        let corrupt = |table: &'static str| move |detail: String| super::Error::Corrupt { table, id, detail };
        out.push((version, CaseFacts {
            id,
            category,
            source: parse_code("cases", id, &source, Source::from_code)?,
            grid_id,
            drill: false,
            created_at,
            state: parse_code("cases", id, &state, CaseState::from_code)?,
            steps: zhizhi_shared::kpi::parse_steps(steps.as_deref().unwrap_or_default()).map_err(corrupt("case_steps"))?,
            tasks: zhizhi_shared::kpi::parse_tasks(tasks.as_deref().unwrap_or_default()).map_err(corrupt("case_tasks"))?,
            rating: rating.and_then(|r| u8::try_from(r).ok()),
        }));
    }
    Ok(out)
}

/// Implements [`KpiStore`] for `$store`.
macro_rules! portable_kpi {
    ($store:ty, begin = |$pool:ident| $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::kpi::KpiStore for $store {
            async fn kpi_facts(&self, from: i64, to: i64) -> $crate::storage::Result<Vec<(i64, zhizhi_shared::kpi::CaseFacts)>> {
                let sql = $crate::storage::kpi::kpi_facts_sql("c.created_at >= $1 AND c.created_at < $2");
                let rows: Vec<$crate::storage::kpi::FactsRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(from).bind(to).fetch_all(&self.pool).await?;
                $crate::storage::kpi::facts_of_rows(rows)
            }

            async fn kpi_facts_of(&self, ids: &[i64]) -> $crate::storage::Result<Vec<(i64, zhizhi_shared::kpi::CaseFacts)>> {
                let mut out = Vec::with_capacity(ids.len());
                // In chunks, well within both engines' limits on bound values.
                for chunk in ids.chunks(500) {
                    let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                    let sql = $crate::storage::kpi::kpi_facts_sql(&format!("c.id IN ({})", marks.join(", ")));
                    let mut q = sqlx::query_as::<_, $crate::storage::kpi::FactsRow>(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    out.extend($crate::storage::kpi::facts_of_rows(q.fetch_all(&self.pool).await?)?);
                }
                out.sort_unstable_by_key(|(_, c)| c.id);
                Ok(out)
            }

            async fn kpi_versions(&self, from: i64, to: i64) -> $crate::storage::Result<Vec<(i64, i64, Option<i64>)>> {
                Ok(sqlx::query_as(
                    "SELECT c.id, c.version, (SELECT r.score FROM case_ratings r WHERE r.case_id = c.id) FROM cases c
                     WHERE c.created_at >= $1 AND c.created_at < $2 AND c.drill = 0 ORDER BY c.id",
                )
                .bind(from).bind(to).fetch_all(&self.pool).await?)
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
