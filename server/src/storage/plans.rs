//! Storage of contingency plans (one row per plan, its text per version) and of activations.
//! An activation's row is written by [`CaseStore::write_case`](super::CaseStore::write_case)
//! in the same transaction as its case and tasks ([`ActivationWrite`]); this part reads it.

use async_trait::async_trait;
use zhizhi_shared::plan::{ActivationBrief, ActivationState, Level, PlanBody, PlanSave, PlanView};

/// What a plan says of a task it creates.
#[derive(Clone, Debug)]
pub struct TaskPlan {
    pub level: Level,
    pub instruction: String,
    pub checklist: Vec<String>,
}

/// An activation's row, written in the same transaction as its case. New tasks of the write
/// belong to it.
#[derive(Clone, Debug)]
pub enum ActivationWrite {
    Start {
        plan_id: i64,
        version: i64,
        plan_name: String,
        level: Level,
        drill: bool,
        by: String,
    },
    Update {
        id: i64,
        level: Level,
        state: ActivationState,
        stood_down_at: Option<i64>,
        stand_down_reason: String,
        lessons: String,
    },
}

/// An activation as stored, beyond its brief.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivationRecord {
    pub brief: ActivationBrief,
    pub activated_by: String,
    pub stood_down_at: Option<i64>,
    pub stand_down_reason: String,
    pub lessons: String,
    /// The plan version saved with `lessons_from` naming this activation.
    pub revised_in: Option<i64>,
}

/// The columns of [`ActivationBrief`], as `ACTIVATION_COLUMNS` lists them.
pub type ActivationBriefRow = (i64, i64, String, i64, String, i64, String, i64, i64);

/// The columns [`activation_brief`] reads.
pub(super) const ACTIVATION_COLUMNS: &str =
    "id, plan_id, plan_name, version, level, drill, state, case_id, activated_at";

/// Reads an activation's brief.
pub fn activation_brief(r: ActivationBriefRow) -> super::Result<ActivationBrief> {
    use super::portable::parse_code;
    let (id, plan_id, plan_name, version, level, drill, state, case_id, activated_at) = r;
    Ok(ActivationBrief {
        id,
        plan_id,
        plan_name,
        version,
        level: parse_code("activations", id, &level, Level::from_code)?,
        drill: drill != 0,
        state: parse_code("activations", id, &state, ActivationState::from_code)?,
        case_id,
        activated_at,
    })
}

/// Reads a stored plan text.
pub(super) fn plan_body(id: i64, body: &str) -> super::Result<PlanBody> {
    serde_json::from_str(body).map_err(|e| super::Error::Corrupt {
        table: "plan_versions",
        id,
        detail: e.to_string(),
    })
}

/// Plans and activations, as every engine stores them.
#[async_trait]
pub trait PlanStore {
    /// Every plan at its current version, in id order.
    async fn plans(&self) -> super::Result<Vec<PlanView>>;

    /// One plan at its current version.
    async fn plan(&self, id: i64) -> super::Result<Option<PlanView>>;

    /// One version of a plan's text.
    async fn plan_version(&self, id: i64, version: i64) -> super::Result<Option<PlanBody>>;

    /// Saves a new plan (`id` `None`) or a new version of one, which becomes current. With
    /// `seen` the version the user edited: if the plan has moved on since, nothing is written
    /// and [`Error::Stale`](super::Error::Stale) is returned. `None` if there is no plan `id`.
    async fn save_plan(
        &self,
        id: Option<i64>,
        seen: Option<i64>,
        save: &PlanSave,
        by: &str,
        now: i64,
    ) -> super::Result<Option<PlanView>>;

    /// Activations, newest first: only the running ones, or all.
    async fn activations(
        &self,
        running_only: bool,
        limit: i64,
    ) -> super::Result<Vec<ActivationBrief>>;

    /// One activation.
    async fn activation(&self, id: i64) -> super::Result<Option<ActivationRecord>>;
}

/// Implements [`PlanStore`] for `$store`.
macro_rules! portable_plans {
    ($store:ty, $db:ty, begin = |$pool:ident| $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::plans::PlanStore for $store {
            async fn plans(&self) -> $crate::storage::Result<Vec<zhizhi_shared::plan::PlanView>> {
                self.plans_where(None).await
            }

            async fn plan(&self, id: i64) -> $crate::storage::Result<Option<zhizhi_shared::plan::PlanView>> {
                Ok(self.plans_where(Some(id)).await?.pop())
            }

            async fn plan_version(&self, id: i64, version: i64) -> $crate::storage::Result<Option<zhizhi_shared::plan::PlanBody>> {
                let row: Option<(String,)> = sqlx::query_as("SELECT body FROM plan_versions WHERE plan_id = $1 AND version = $2")
                    .bind(id).bind(version).fetch_optional(&self.pool).await?;
                row.map(|(b,)| $crate::storage::plans::plan_body(id, &b)).transpose()
            }

            async fn save_plan(
                &self,
                id: Option<i64>,
                seen: Option<i64>,
                save: &zhizhi_shared::plan::PlanSave,
                by: &str,
                now: i64,
            ) -> $crate::storage::Result<Option<zhizhi_shared::plan::PlanView>> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let (id, version) = match id {
                    None => {
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO plans (name, version, retired, updated_at, updated_by) VALUES ($1, 1, $2, $3, $4) RETURNING id",
                        )
                        .bind(&save.body.name).bind(i64::from(save.retired)).bind(now).bind(by)
                        .fetch_one(&mut *tx).await?;
                        (id, 1)
                    }
                    Some(id) => {
                        let current: Option<(i64,)> = sqlx::query_as("SELECT version FROM plans WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
                        let Some((current,)) = current else { return Ok(None) };
                        if seen.is_some_and(|s| s != current) {
                            return Err($crate::storage::Error::Stale);
                        }
                        let done = sqlx::query(
                            "UPDATE plans SET name = $2, version = $3, retired = $4, updated_at = $5, updated_by = $6 WHERE id = $1 AND version = $7",
                        )
                        .bind(id).bind(&save.body.name).bind(current + 1).bind(i64::from(save.retired)).bind(now).bind(by).bind(current)
                        .execute(&mut *tx).await?;
                        if done.rows_affected() == 0 {
                            return Err($crate::storage::Error::Stale);
                        }
                        (id, current + 1)
                    }
                };
                sqlx::query("INSERT INTO plan_versions (plan_id, version, body, created_at, created_by, lessons_from) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(id).bind(version).bind(serde_json::to_string(&save.body).expect("a plan serialises")).bind(now).bind(by).bind(save.lessons_from)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                self.plan(id).await
            }

            async fn activations(&self, running_only: bool, limit: i64) -> $crate::storage::Result<Vec<zhizhi_shared::plan::ActivationBrief>> {
                use $crate::storage::plans::{activation_brief, ActivationBriefRow, ACTIVATION_COLUMNS};
                let filter = if running_only { "WHERE state = 'running'" } else { "" };
                let rows: Vec<ActivationBriefRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ACTIVATION_COLUMNS} FROM activations {filter} ORDER BY id DESC LIMIT $1")))
                        .bind(limit).fetch_all(&self.pool).await?;
                rows.into_iter().map(activation_brief).collect()
            }

            async fn activation(&self, id: i64) -> $crate::storage::Result<Option<$crate::storage::plans::ActivationRecord>> {
                use $crate::storage::plans::{activation_brief, ActivationBriefRow, ACTIVATION_COLUMNS};
                let row: Option<ActivationBriefRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ACTIVATION_COLUMNS} FROM activations WHERE id = $1")))
                    .bind(id).fetch_optional(&self.pool).await?;
                let Some(row) = row else { return Ok(None) };
                let brief = activation_brief(row)?;
                let (activated_by, stood_down_at, stand_down_reason, lessons): (String, Option<i64>, String, String) =
                    sqlx::query_as("SELECT activated_by, stood_down_at, stand_down_reason, lessons FROM activations WHERE id = $1")
                        .bind(id).fetch_one(&self.pool).await?;
                let revised: Option<(i64,)> =
                    sqlx::query_as("SELECT MIN(version) FROM plan_versions WHERE plan_id = $1 AND lessons_from = $2 HAVING COUNT(*) > 0")
                        .bind(brief.plan_id).bind(id).fetch_optional(&self.pool).await?;
                Ok(Some($crate::storage::plans::ActivationRecord {
                    brief,
                    activated_by,
                    stood_down_at,
                    stand_down_reason,
                    lessons,
                    revised_in: revised.map(|r| r.0),
                }))
            }
        }

        impl $store {
            async fn plans_where(&self, id: Option<i64>) -> $crate::storage::Result<Vec<zhizhi_shared::plan::PlanView>> {
                type Row = (i64, i64, i64, i64, String, Option<i64>, String);
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT p.id, p.version, p.retired, p.updated_at, p.updated_by, v.lessons_from, v.body
                     FROM plans p JOIN plan_versions v ON v.plan_id = p.id AND v.version = p.version",
                );
                if let Some(id) = id {
                    qb.push(" WHERE p.id = ").push_bind(id);
                }
                qb.push(" ORDER BY p.id");
                let rows: Vec<Row> = qb.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, version, retired, updated_at, updated_by, lessons_from, body)| {
                        Ok(zhizhi_shared::plan::PlanView {
                            id,
                            version,
                            retired: retired != 0,
                            updated_at,
                            updated_by,
                            lessons_from,
                            body: $crate::storage::plans::plan_body(id, &body)?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use portable_plans;
