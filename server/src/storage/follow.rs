//! Storage of what residents see and say: the follow links of their reports (by the token's
//! hash) and the ratings of outcomes with their reviews. Ratings and follow links are written
//! with the case's own write ([`FollowWrite`] in a [`CaseWrite`](super::CaseWrite)), so that the
//! timeline step, the row and the live event commit together.

use async_trait::async_trait;
use zhizhi_shared::case::follow::{Rating, RatingChannel};

/// What a case write stores for residents.
#[derive(Clone, Debug)]
pub enum FollowWrite {
    /// The follow link of a new report, with the hash of its upload grant and until when the
    /// grant holds (the public form's photos).
    Link { token_hash: String, upload: Option<(String, i64)> },
    /// One photo claimed on an upload grant: refused with `Stale` when the grant has expired,
    /// is used up (`max` photos) or is not this case's — and then the photo is not stored.
    Upload { grant_hash: String, max: i64 },
    /// A rating, once per case: a second is refused with [`Error::Stale`](super::Error::Stale).
    Rate { score: u8, comment: String, channel: RatingChannel, by: String, opens_review: bool },
    /// The review of a low rating concluded (refused with `Stale` unless one is open).
    Reviewed { by: String, note: String },
}

/// Follow links and ratings, as every engine stores them.
#[async_trait]
pub trait FollowStore {
    /// The case a follow link's token hash opens.
    async fn case_by_follow(&self, token_hash: &str) -> super::Result<Option<i64>>;

    /// The case an upload grant (by its hash) is bound to, while it holds at `now`, with the
    /// number of photos already sent on it.
    async fn case_by_upload(&self, grant_hash: &str, now: i64) -> super::Result<Option<(i64, i64)>>;

    /// The reporter's name and number as given (stored apart from the case's masked name).
    async fn reporter_contact(&self, case_id: i64) -> super::Result<Option<String>>;

    /// A case's rating, with its review.
    async fn rating(&self, case_id: i64) -> super::Result<Option<Rating>>;

    /// Ratings whose review waits, oldest first.
    async fn open_reviews(&self, limit: i64) -> super::Result<Vec<Rating>>;
}

/// A rating row: case, score, comment, channel, at, by, review state, reviewed at, by, note.
pub(super) type RatingRow = (i64, i64, String, String, i64, String, Option<String>, Option<i64>, String, String);

/// The columns of a [`RatingRow`].
pub(super) const RATING_COLUMNS: &str =
    "case_id, score, comment, channel, rated_at, rated_by, review_state, reviewed_at, reviewed_by, review_note";

pub(super) fn rating_from_row(r: RatingRow) -> super::Result<Rating> {
    use zhizhi_shared::case::follow::Review;
    let (case_id, score, comment, channel, at, by, review_state, reviewed_at, reviewed_by, review_note) = r;
    let channel = super::portable::parse_code("case_ratings", case_id, &channel, RatingChannel::from_code)?;
    let score = u8::try_from(score).ok().filter(|s| (1..=5).contains(s)).ok_or_else(|| super::Error::Corrupt {
        table: "case_ratings",
        id: case_id,
        detail: format!("score {score}"),
    })?;
    let review = review_state.map(|_| Review { done_at: reviewed_at, by: reviewed_by, note: review_note });
    Ok(Rating { case_id, score, comment, channel, at, by, review })
}

/// Implements [`FollowStore`] for `$store`.
macro_rules! portable_follow {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::follow::FollowStore for $store {
            async fn case_by_follow(&self, token_hash: &str) -> $crate::storage::Result<Option<i64>> {
                Ok(sqlx::query_as::<_, (i64,)>("SELECT case_id FROM case_follow WHERE token_hash = $1")
                    .bind(token_hash).fetch_optional(&self.pool).await?.map(|r| r.0))
            }

            async fn case_by_upload(&self, grant_hash: &str, now: i64) -> $crate::storage::Result<Option<(i64, i64)>> {
                Ok(sqlx::query_as::<_, (i64, i64)>("SELECT case_id, uploads_used FROM case_follow WHERE upload_hash = $1 AND upload_until > $2")
                    .bind(grant_hash).bind(now).fetch_optional(&self.pool).await?)
            }

            async fn reporter_contact(&self, case_id: i64) -> $crate::storage::Result<Option<String>> {
                Ok(sqlx::query_as::<_, (String,)>("SELECT reporter_contact FROM cases WHERE id = $1")
                    .bind(case_id).fetch_optional(&self.pool).await?.map(|r| r.0).filter(|c| !c.trim().is_empty()))
            }

            async fn rating(&self, case_id: i64) -> $crate::storage::Result<Option<zhizhi_shared::case::follow::Rating>> {
                use $crate::storage::follow::{rating_from_row, RatingRow, RATING_COLUMNS};
                let row: Option<RatingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {RATING_COLUMNS} FROM case_ratings WHERE case_id = $1")))
                    .bind(case_id).fetch_optional(&self.pool).await?;
                row.map(rating_from_row).transpose()
            }

            async fn open_reviews(&self, limit: i64) -> $crate::storage::Result<Vec<zhizhi_shared::case::follow::Rating>> {
                use $crate::storage::follow::{rating_from_row, RatingRow, RATING_COLUMNS};
                let rows: Vec<RatingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {RATING_COLUMNS} FROM case_ratings WHERE review_state = 'open' ORDER BY rated_at LIMIT $1"
                )))
                .bind(limit).fetch_all(&self.pool).await?;
                rows.into_iter().map(rating_from_row).collect()
            }
        }
    };
}
pub(super) use portable_follow;

/// Writes a case write's [`FollowWrite`] inside its transaction.
macro_rules! write_follow {
    ($tx:ident, $w:expr, $case_id:expr, $now:expr) => {
        match &$w.follow {
            None => {}
            Some($crate::storage::follow::FollowWrite::Link { token_hash, upload }) => {
                sqlx::query("INSERT INTO case_follow (case_id, token_hash, created_at, upload_hash, upload_until) VALUES ($1, $2, $3, $4, $5)")
                    .bind($case_id).bind(token_hash).bind($now)
                    .bind(upload.as_ref().map(|u| u.0.clone())).bind(upload.as_ref().map_or(0, |u| u.1))
                    .execute(&mut *$tx).await?;
            }
            Some($crate::storage::follow::FollowWrite::Upload { grant_hash, max }) => {
                let claimed = sqlx::query(
                    "UPDATE case_follow SET uploads_used = uploads_used + 1
                     WHERE case_id = $1 AND upload_hash = $2 AND upload_until > $3 AND uploads_used < $4",
                )
                .bind($case_id).bind(grant_hash).bind($now).bind(*max)
                .execute(&mut *$tx).await?;
                if claimed.rows_affected() == 0 {
                    return Err($crate::storage::Error::Stale);
                }
            }
            Some($crate::storage::follow::FollowWrite::Rate { score, comment, channel, by, opens_review }) => {
                let done = sqlx::query(
                    "INSERT INTO case_ratings (case_id, score, comment, channel, rated_at, rated_by, review_state)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO NOTHING",
                )
                .bind($case_id).bind(i64::from(*score)).bind(comment).bind(channel.code()).bind($now).bind(by)
                .bind(opens_review.then_some("open"))
                .execute(&mut *$tx).await?;
                if done.rows_affected() == 0 {
                    return Err($crate::storage::Error::Stale);
                }
            }
            Some($crate::storage::follow::FollowWrite::Reviewed { by, note }) => {
                let done = sqlx::query(
                    "UPDATE case_ratings SET review_state = 'done', reviewed_at = $2, reviewed_by = $3, review_note = $4
                     WHERE case_id = $1 AND review_state = 'open'",
                )
                .bind($case_id).bind($now).bind(by).bind(note)
                .execute(&mut *$tx).await?;
                if done.rows_affected() == 0 {
                    return Err($crate::storage::Error::Stale);
                }
            }
        }
    };
}
pub(super) use write_follow;
