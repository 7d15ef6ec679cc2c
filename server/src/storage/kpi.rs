//! What the indicators read: a period's cases with their timelines and tasks (straight from
//! the append-only steps, so that every figure can be recomputed), and the names of posts and
//! grids. Drills are left out here already.

use async_trait::async_trait;
use zhizhi_shared::kpi::{CaseFacts, Names};

/// The indicators' reads, as every engine answers them.
#[async_trait]
pub trait KpiStore {
    /// The cases reported in `[from, to)` (drills left out), in id order, each with its steps
    /// in order and its tasks.
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
                type StepRow = (i64, i64, i64, String, String, String, Option<i64>);
                let steps: Vec<StepRow> = sqlx::query_as(
                    "SELECT s.id, s.case_id, s.at, s.kind, s.from_state, s.to_state, s.task_id
                     FROM case_steps s JOIN cases c ON c.id = s.case_id
                     WHERE c.created_at >= $1 AND c.created_at < $2 AND c.drill = 0 ORDER BY s.case_id, s.seq",
                )
                .bind(from).bind(to).fetch_all(&self.pool).await?;
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
                    "SELECT t.id, t.case_id, t.post_id, t.grid_id, t.district, t.deadline
                     FROM case_tasks t JOIN cases c ON c.id = t.case_id
                     WHERE c.created_at >= $1 AND c.created_at < $2 AND c.drill = 0 ORDER BY t.case_id, t.id",
                )
                .bind(from).bind(to).fetch_all(&self.pool).await?;
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
