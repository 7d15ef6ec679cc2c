//! What the indicators read: a period's cases with their timelines and tasks (straight from
//! the append-only steps, so that every figure can be recomputed), and the names of posts and
//! grids. Drills are left out here already.

use async_trait::async_trait;
use zhizhi_shared::kpi::{CaseFacts, Names};

/// The indicators' reads, as every engine answers them.
#[async_trait]
pub trait KpiStore {
    /// The cases reported in `[from, to)` (drills left out), in id order, each with its tasks
    /// and the steps of its timeline the indicators judge
    /// ([`STEPS_JUDGED_SQL`](zhizhi_shared::kpi::STEPS_JUDGED_SQL)), in order.
    async fn kpi_facts(&self, from: i64, to: i64) -> super::Result<Vec<CaseFacts>>;

    /// Posts with their boards, grids with their communities.
    async fn kpi_names(&self) -> super::Result<Names>;
}

/// Implements [`KpiStore`] for `$store`.
macro_rules! portable_kpi {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::kpi::KpiStore for $store {
            async fn kpi_facts(&self, from: i64, to: i64) -> $crate::storage::Result<Vec<zhizhi_shared::kpi::CaseFacts>> {
                use $crate::storage::portable::parse_code;
                use zhizhi_shared::case::{CaseState, Holder, Source};
                use zhizhi_shared::kpi::{CaseFacts, StepFact, TaskFact};
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
                    });
                }
                // Cases are in id order: a case's place is found by binary search.
                let at = |out: &[CaseFacts], id: i64| out.binary_search_by_key(&id, |c| c.id).ok();
                let (Some(first), Some(last)) = (out.first().map(|c| c.id), out.last().map(|c| c.id)) else { return Ok(out) };
                // The steps of the cases' id range (read along the (case_id, seq) index; a case
                // of the range outside the period is skipped below), and only the kinds the
                // indicators judge.
                type StepRow = (i64, i64, i64, String, String, String, Option<i64>);
                let steps: Vec<StepRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT id, case_id, at, kind, from_state, to_state, task_id FROM case_steps
                     WHERE case_id >= $1 AND case_id <= $2 AND ({}) ORDER BY case_id, seq",
                    zhizhi_shared::kpi::STEPS_JUDGED_SQL
                )))
                .bind(first).bind(last).fetch_all(&self.pool).await?;
                for (id, case_id, at_ms, kind, from_state, to_state, task_id) in steps {
                    let Some(i) = at(&out, case_id) else { continue };
                    out[i].steps.push(StepFact {
                        at: at_ms,
                        kind,
                        from: parse_code("case_steps", id, &from_state, CaseState::from_code)?,
                        to: parse_code("case_steps", id, &to_state, CaseState::from_code)?,
                        task_id,
                    });
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
        }
    };
}

pub(crate) use portable_kpi;
