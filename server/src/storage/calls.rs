//! Storage of video calls: the record of each call (who, when, how it ended), who watched it,
//! and when each side was last heard from. The media never reach the server.

use async_trait::async_trait;
use zhizhi_shared::call::{CallState, CallView, EndReason, Party};

/// A call about to ring.
#[derive(Clone, Debug)]
pub struct NewCall {
    pub case_id: i64,
    pub caller: Party,
    pub callee: Party,
    pub now: i64,
}

/// An open call with when its two sides were last heard from.
#[derive(Clone, Debug)]
pub struct OpenCall {
    pub call: CallView,
    pub caller_seen: i64,
    pub callee_seen: i64,
}

/// Calls, as every engine stores them.
#[async_trait]
pub trait CallStore {
    /// Stores a ringing call; `None` when the person called is already in an open call (busy).
    async fn open_call(&self, c: &NewCall) -> super::Result<Option<i64>>;

    /// One call with its viewers (those still watching; every one who watched once it ended).
    async fn call(&self, id: i64) -> super::Result<Option<CallView>>;

    /// Marks a ringing call answered; false when it no longer rings.
    async fn answer_call(&self, id: i64, audio_only: bool, now: i64) -> super::Result<bool>;

    /// Ends an open call; false when it had ended already (someone else ended it first).
    async fn end_call(&self, id: i64, reason: EndReason, by: Option<&str>, now: i64) -> super::Result<bool>;

    /// Adds a viewer to an open call (again, if they left), unless `max` already watch; false
    /// when the call is not open or full.
    async fn join_call(&self, id: i64, viewer: &Party, max: usize, now: i64) -> super::Result<bool>;

    /// A viewer stops watching.
    async fn leave_call(&self, id: i64, user_id: i64, now: i64) -> super::Result<()>;

    /// The caller's or the worker's page says it is still there.
    async fn call_seen(&self, id: i64, user_id: i64, now: i64) -> super::Result<()>;

    /// Every open call (ringing or active), oldest first.
    async fn open_calls(&self) -> super::Result<Vec<OpenCall>>;

    /// The calls of a case, newest first.
    async fn calls_of_case(&self, case_id: i64) -> super::Result<Vec<CallView>>;
}

/// A call row: id, case, number, caller id and name, callee id and name, state, audio only,
/// started, answered, ended, reason, ended by, caller seen, callee seen.
pub(super) type CallRow = (i64, i64, String, i64, String, i64, String, String, i64, i64, Option<i64>, Option<i64>, Option<String>, Option<String>, i64, i64);

/// The columns of a [`CallRow`] (`k` the calls table, `c` the cases table).
pub(super) const CALL_COLUMNS: &str = "k.id, k.case_id, c.number, k.caller_id, k.caller_name, k.callee_id, k.callee_name, k.state, k.audio_only, \
     k.started_at, k.answered_at, k.ended_at, k.end_reason, k.ended_by, k.caller_seen_at, k.callee_seen_at";

/// A call from its row and its viewers' rows `(user id, name, left at)`.
pub(super) fn call_from_row(r: CallRow, viewers: Vec<(i64, String, Option<i64>)>) -> super::Result<OpenCall> {
    use super::portable::parse_code;
    let (id, case_id, case_number, caller_id, caller_name, callee_id, callee_name, state, audio_only, started_at, answered_at, ended_at, end_reason, ended_by, caller_seen, callee_seen) = r;
    let state = parse_code("calls", id, &state, CallState::from_code)?;
    let end_reason = end_reason.map(|c| parse_code("calls", id, &c, EndReason::from_code)).transpose()?;
    let viewers = viewers
        .into_iter()
        .filter(|(_, _, left)| state == CallState::Ended || left.is_none())
        .map(|(user_id, name, _)| Party { user_id, name })
        .collect();
    let call = CallView {
        id,
        case_id,
        case_number,
        caller: Party { user_id: caller_id, name: caller_name },
        callee: Party { user_id: callee_id, name: callee_name },
        state,
        audio_only: audio_only != 0,
        started_at,
        answered_at,
        ended_at,
        end_reason,
        ended_by,
        viewers,
    };
    Ok(OpenCall { call, caller_seen, callee_seen })
}

/// Implements [`CallStore`] for `$store`.
macro_rules! portable_calls {
    ($store:ty) => {
        impl $store {
            async fn calls_where(&self, condition: &str, id: i64) -> $crate::storage::Result<Vec<$crate::storage::calls::OpenCall>> {
                use $crate::storage::calls::{call_from_row, CallRow, CALL_COLUMNS};
                let rows: Vec<CallRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {CALL_COLUMNS} FROM calls k JOIN cases c ON c.id = k.case_id WHERE {condition} ORDER BY k.id"
                )))
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let viewers: Vec<(i64, String, Option<i64>)> =
                        sqlx::query_as("SELECT user_id, name, left_at FROM call_viewers WHERE call_id = $1 ORDER BY joined_at, user_id")
                            .bind(r.0)
                            .fetch_all(&self.pool)
                            .await?;
                    out.push(call_from_row(r, viewers)?);
                }
                Ok(out)
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::calls::CallStore for $store {
            async fn open_call(&self, c: &$crate::storage::calls::NewCall) -> $crate::storage::Result<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO calls (case_id, caller_id, caller_name, callee_id, callee_name, state, started_at, caller_seen_at, callee_seen_at)
                     VALUES ($1, $2, $3, $4, $5, 'ringing', $6, $6, $6)
                     ON CONFLICT (callee_id) WHERE state <> 'ended' DO NOTHING RETURNING id",
                )
                .bind(c.case_id).bind(c.caller.user_id).bind(&c.caller.name).bind(c.callee.user_id).bind(&c.callee.name).bind(c.now)
                .fetch_optional(self.writer())
                .await?;
                Ok(row.map(|r| r.0))
            }

            async fn call(&self, id: i64) -> $crate::storage::Result<Option<zhizhi_shared::call::CallView>> {
                Ok(self.calls_where("k.id = $1", id).await?.pop().map(|o| o.call))
            }

            async fn answer_call(&self, id: i64, audio_only: bool, now: i64) -> $crate::storage::Result<bool> {
                let done = sqlx::query(
                    "UPDATE calls SET state = 'active', answered_at = $2, audio_only = $3, caller_seen_at = $2, callee_seen_at = $2
                     WHERE id = $1 AND state = 'ringing'",
                )
                .bind(id).bind(now).bind(i64::from(audio_only))
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn end_call(&self, id: i64, reason: zhizhi_shared::call::EndReason, by: Option<&str>, now: i64) -> $crate::storage::Result<bool> {
                let done = sqlx::query("UPDATE calls SET state = 'ended', ended_at = $2, end_reason = $3, ended_by = $4 WHERE id = $1 AND state <> 'ended'")
                    .bind(id).bind(now).bind(reason.code()).bind(by)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn join_call(&self, id: i64, viewer: &zhizhi_shared::call::Party, max: usize, now: i64) -> $crate::storage::Result<bool> {
                let watching: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM call_viewers WHERE call_id = $1 AND left_at IS NULL AND user_id <> $2")
                    .bind(id).bind(viewer.user_id)
                    .fetch_one(&self.pool)
                    .await?;
                if watching.0 >= max as i64 {
                    return Ok(false);
                }
                let done = sqlx::query(
                    "INSERT INTO call_viewers (call_id, user_id, name, joined_at)
                     SELECT id, $2, $3, $4 FROM calls WHERE id = $1 AND state <> 'ended'
                     ON CONFLICT (call_id, user_id) DO UPDATE SET left_at = NULL, joined_at = excluded.joined_at",
                )
                .bind(id).bind(viewer.user_id).bind(&viewer.name).bind(now)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn leave_call(&self, id: i64, user_id: i64, now: i64) -> $crate::storage::Result<()> {
                sqlx::query("UPDATE call_viewers SET left_at = $3 WHERE call_id = $1 AND user_id = $2 AND left_at IS NULL")
                    .bind(id).bind(user_id).bind(now)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn call_seen(&self, id: i64, user_id: i64, now: i64) -> $crate::storage::Result<()> {
                sqlx::query(
                    "UPDATE calls SET caller_seen_at = CASE WHEN caller_id = $2 THEN $3 ELSE caller_seen_at END,
                                      callee_seen_at = CASE WHEN callee_id = $2 THEN $3 ELSE callee_seen_at END
                     WHERE id = $1 AND state <> 'ended' AND (caller_id = $2 OR callee_id = $2)",
                )
                .bind(id).bind(user_id).bind(now)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn open_calls(&self) -> $crate::storage::Result<Vec<$crate::storage::calls::OpenCall>> {
                self.calls_where("k.state <> 'ended' AND k.id > $1", 0).await
            }

            async fn calls_of_case(&self, case_id: i64) -> $crate::storage::Result<Vec<zhizhi_shared::call::CallView>> {
                let mut calls: Vec<_> = self.calls_where("k.case_id = $1", case_id).await?.into_iter().map(|o| o.call).collect();
                calls.reverse();
                Ok(calls)
            }
        }
    };
}
pub(super) use portable_calls;
