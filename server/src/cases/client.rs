//! Writes a phone sends with its own id (a report, an action or a photo queued while it had no
//! signal). The id is recorded in the same transaction as the change, so a resend — the phone
//! never learnt that its first try arrived — finds the change made and answers with the case as
//! it now stands instead of making it twice. An id is the sender's: two users' ids never meet.

use super::Cases;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::ClientKey;
use std::future::Future;
use zhizhi_shared::auth::Principal;
use zhizhi_shared::case::view::CaseDetail;

/// What a write sent with an id did.
#[derive(Clone, Debug, PartialEq)]
pub enum Once {
    /// Done now.
    Done(CaseDetail),
    /// Done before, by an earlier send of the same id: the case as it now stands.
    Again(CaseDetail),
}

impl Once {
    pub fn detail(self) -> CaseDetail {
        match self {
            Once::Done(d) | Once::Again(d) => d,
        }
    }
}

/// The key of a write sent by `me` with `id`: 8 to 64 letters, digits, `-` or `_` (a UUID
/// fits).
pub fn client_key(me: &Principal, id: Option<&str>) -> ServiceResult<Option<ClientKey>> {
    let Some(id) = id else { return Ok(None) };
    let fits = (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !fits {
        return Err(ServiceError::invalid("client_id", "客户端编号应为 8–64 位字母、数字、“-”或“_”"));
    }
    Ok(Some(ClientKey { actor: me.username.clone(), id: id.to_string() }))
}

impl Cases {
    /// Runs `write` (which records `key` with its change) unless a write with `key` was
    /// already made; a parallel send of the same id that loses the race also answers `Again`.
    /// `case` is the case the write is for (`None`: a new one); an id already used for another
    /// case is refused.
    pub(crate) async fn once<F>(&self, me: &Principal, key: Option<ClientKey>, case: Option<i64>, write: impl FnOnce(Option<ClientKey>) -> F) -> ServiceResult<Once>
    where
        F: Future<Output = ServiceResult<CaseDetail>>,
    {
        if let Some(d) = self.made(me, key.as_ref(), case).await? {
            return Ok(Once::Again(d));
        }
        match write(key.clone()).await {
            Ok(d) => Ok(Once::Done(d)),
            // A parallel send of the same id got there first (it loses the insert of the id, or
            // the case's version): the write was made once.
            Err(e) => match self.made(me, key.as_ref(), case).await? {
                Some(d) => Ok(Once::Again(d)),
                None => Err(e),
            },
        }
    }

    async fn made(&self, me: &Principal, key: Option<&ClientKey>, case: Option<i64>) -> ServiceResult<Option<CaseDetail>> {
        let Some(key) = key else { return Ok(None) };
        match self.store.client_write(key).await? {
            Some(made) if case.is_some_and(|c| c != made) => {
                Err(ServiceError::invalid("client_id", format!("客户端编号「{}」已用于另一事件", key.id)))
            }
            Some(made) => Ok(Some(self.detail(me, made).await?)),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
#[test]
fn a_client_id_is_a_uuid_like_word() {
    let me = Principal { user_id: 1, username: "wanggeyuan".into(), display_name: "网格员".into(), roles: vec![], post_id: None, grid_ids: vec![], password_expired: false, street_id: None, street_grids: vec![] };
    let key = client_key(&me, Some("0b6f6a4e-93c1-4c1e-9d55-2f5f3e8d9a10")).unwrap().unwrap();
    assert_eq!((key.actor.as_str(), key.id.len()), ("wanggeyuan", 36));
    assert_eq!(client_key(&me, None).unwrap(), None);
    for bad in ["short", "has space in it", "引号-0123456789", &"a".repeat(65)] {
        assert_eq!(client_key(&me, Some(bad)).unwrap_err().field(), Some("client_id"), "{bad}");
    }
}
