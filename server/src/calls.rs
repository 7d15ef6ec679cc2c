//! The video call service: command staff call a worker from a case, the worker answers, others
//! at the centre watch; the server stores the call's record and relays the signalling between
//! its parties (never the media), and writes the call on the case's timeline when it ends.
//!
//! Signalling travels on each party's live stream (`event: call`) through [`Calls::events`], a
//! broadcast in this server copy's memory: the parties of one call must be served by one copy
//! (the record itself is in the database, and a page that reconnects reads its open calls).

use crate::auth::now_ms;
use crate::cases::Cases;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::calls::NewCall;
use crate::storage::Store;
use std::sync::Arc;
use tokio::sync::broadcast;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::call::{self, CallEvent, CallState, CallView, Candidate, CaseCalls, EndReason, Party, SignalIn};

/// One message for some parties' streams: who it is for, and the event.
#[derive(Debug)]
pub struct Note {
    pub to: Vec<i64>,
    pub event: CallEvent,
}

/// A TURN server the deployment runs (coturn with `use-auth-secret`), for phones and the centre
/// on different networks.
#[derive(Clone, Debug)]
pub struct Turn {
    pub urls: Vec<String>,
    /// The shared secret: each user gets a credential valid for [`TURN_VALID_S`].
    pub secret: String,
}

/// How long a TURN credential holds, in seconds.
pub const TURN_VALID_S: i64 = 12 * 3600;

/// The ICE servers a browser uses: none on one network (host candidates), else the TURN server.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: String,
    pub credential: String,
}

/// The call service.
pub struct Calls {
    pub store: Arc<dyn Store>,
    pub cases: Arc<Cases>,
    /// Call events for the live streams of this server copy.
    pub events: broadcast::Sender<Arc<Note>>,
    pub turn: std::sync::OnceLock<Turn>,
}

impl Calls {
    pub fn new(store: Arc<dyn Store>, cases: Arc<Cases>) -> Arc<Self> {
        Arc::new(Calls { store, cases, events: broadcast::channel(1024).0, turn: std::sync::OnceLock::new() })
    }

    fn tell(&self, to: Vec<i64>, event: CallEvent) {
        let _ = self.events.send(Arc::new(Note { to, event }));
    }

    fn tell_parties(&self, c: &CallView) {
        self.tell(c.parties(), CallEvent::Call { call: c.clone() });
    }

    async fn load(&self, id: i64) -> ServiceResult<CallView> {
        self.store.call(id).await?.ok_or(ServiceError::NotFound("没有这个通话"))
    }

    /// A call `me` takes part in, or may watch.
    async fn party_call(&self, me: &Principal, id: i64) -> ServiceResult<CallView> {
        let c = self.load(id).await?;
        if c.has_party(me.user_id) {
            return Ok(c);
        }
        let case = self.cases.visible(me, c.case_id).await.map_err(|_| ServiceError::NotFound("没有这个通话"))?;
        call::may_watch(me, &case.visibility()).map_err(|_| ServiceError::NotFound("没有这个通话"))?;
        Ok(c)
    }

    /// The calls of a case and, for command staff, the workers they could call.
    pub async fn of_case(&self, me: &Principal, case_id: i64) -> ServiceResult<CaseCalls> {
        let case = self.cases.visible(me, case_id).await?;
        let calls = self.store.calls_of_case(case_id).await?;
        let mut candidates = Vec::new();
        if me.has(Role::Command) && !case.state.is_final() {
            let busy: Vec<i64> = self.store.open_calls().await?.into_iter().map(|o| o.call.callee.user_id).collect();
            let posts: Vec<(i64, String)> = self.store.boards().await?.into_iter().flat_map(|b| b.posts).map(|p| (p.id, p.name)).collect();
            for u in self.store.users().await?.into_iter().filter(|u| u.disabled_at.is_none()) {
                let p = u.principal();
                if call::may_call(me, &p, &case.visibility(), false).is_ok() {
                    let duty = match p.post_id.and_then(|id| posts.iter().find(|(pid, _)| *pid == id)) {
                        Some((_, name)) if p.has(Role::Post) => name.clone(),
                        _ => "网格员".to_string(),
                    };
                    candidates.push(Candidate { user_id: p.user_id, name: p.display_name.clone(), duty, busy: busy.contains(&p.user_id) });
                }
            }
            // Grid workers first (the first at the scene), then posts.
            candidates.sort_by_key(|c| (c.duty != "网格员", c.name.clone()));
        }
        Ok(CaseCalls { calls, candidates })
    }

    /// Starts a call from case `case_id` to `callee_id`: it rings on their pages.
    pub async fn start(&self, me: &Principal, case_id: i64, callee_id: i64) -> ServiceResult<CallView> {
        let case = self.cases.visible(me, case_id).await?;
        let callee = self.store.user_by_id(callee_id).await?.filter(|u| u.disabled_at.is_none()).ok_or_else(|| ServiceError::invalid("callee_id", "没有这个人员"))?;
        let callee = callee.principal();
        call::may_call(me, &callee, &case.visibility(), case.state.is_final()).map_err(|r| match r {
            call::CallRefusal::NotCommand => ServiceError::Denied(r.message().into()),
            call::CallRefusal::CaseClosed => ServiceError::Conflict(r.message().into()),
            _ => ServiceError::invalid("callee_id", r.message()),
        })?;
        let new = NewCall {
            case_id,
            caller: Party { user_id: me.user_id, name: me.display_name.clone() },
            callee: Party { user_id: callee.user_id, name: callee.display_name.clone() },
            now: now_ms(),
        };
        let Some(id) = self.store.open_call(&new).await? else {
            return Err(ServiceError::Conflict(format!("占线：{} 正在通话中，请稍后再拨", callee.display_name)));
        };
        self.store.append_audit(new.now, &me.username, "call_start", &format!("case:{case_id}"), &format!("呼叫 {}（通话 {id}）", callee.username)).await?;
        let c = self.load(id).await?;
        self.tell_parties(&c);
        Ok(c)
    }

    /// The worker answers (with the camera, or audio only).
    pub async fn answer(&self, me: &Principal, id: i64, audio_only: bool) -> ServiceResult<CallView> {
        let c = self.party_call(me, id).await?;
        if c.callee.user_id != me.user_id {
            return Err(ServiceError::Denied("只有被呼叫的人可以接听".into()));
        }
        if !self.store.answer_call(id, audio_only, now_ms()).await? {
            let now = self.load(id).await?;
            let why = now.end_reason.map_or("通话已接通", |r| r.name_zh());
            return Err(ServiceError::Conflict(format!("这个通话已经结束：{why}")));
        }
        let c = self.load(id).await?;
        self.tell_parties(&c);
        Ok(c)
    }

    /// Hangs up: the caller or the worker ends the call (declines or cancels one that rings);
    /// a viewer only leaves.
    pub async fn hang_up(&self, me: &Principal, id: i64) -> ServiceResult<CallView> {
        let c = self.party_call(me, id).await?;
        match call::hang_up_reason(&c, me.user_id) {
            Some(reason) => {
                self.end(&c, reason, Some(me)).await?;
            }
            None if c.state != CallState::Ended && c.viewers.iter().any(|v| v.user_id == me.user_id) => {
                self.store.leave_call(id, me.user_id, now_ms()).await?;
                self.tell_parties(&self.load(id).await?);
            }
            None => {}
        }
        self.load(id).await
    }

    /// Ends `c` for `reason`; the one request that ends it writes the timeline and tells the
    /// parties.
    async fn end(&self, c: &CallView, reason: EndReason, by: Option<&Principal>) -> ServiceResult<()> {
        let now = now_ms();
        if !self.store.end_call(c.id, reason, by.map(|p| p.display_name.as_str()), now).await? {
            return Ok(());
        }
        let ended = self.load(c.id).await?;
        // Everyone who watched, and the parties: a viewer who left is told too (harmless).
        self.tell_parties(&ended);
        let (actor, name) = by.map_or(("system".to_string(), "系统".to_string()), |p| (p.username.clone(), p.display_name.clone()));
        self.cases.note(ended.case_id, &actor, &name, "call", &ended.timeline_note(), now).await?;
        Ok(())
    }

    /// Another person at the centre joins to watch.
    pub async fn join(&self, me: &Principal, id: i64) -> ServiceResult<CallView> {
        let c = self.party_call(me, id).await?;
        if c.caller.user_id == me.user_id || c.callee.user_id == me.user_id {
            return Ok(c);
        }
        let case = self.cases.visible(me, c.case_id).await?;
        call::may_watch(me, &case.visibility()).map_err(|r| ServiceError::Denied(r.message().into()))?;
        if c.state == CallState::Ended {
            return Err(ServiceError::Conflict("通话已结束".into()));
        }
        if !self.store.join_call(id, &Party { user_id: me.user_id, name: me.display_name.clone() }, call::MAX_VIEWERS, now_ms()).await? {
            return Err(ServiceError::Conflict(format!("观看人数已满（最多 {} 人）", call::MAX_VIEWERS)));
        }
        self.store.append_audit(now_ms(), &me.username, "call_join", &format!("case:{}", c.case_id), &format!("观看通话 {id}")).await?;
        let c = self.load(id).await?;
        self.tell_parties(&c);
        Ok(c)
    }

    /// Relays a signalling message to another party of the call.
    pub async fn signal(&self, me: &Principal, id: i64, s: SignalIn) -> ServiceResult<()> {
        if s.data.len() > call::MAX_SIGNAL_BYTES {
            return Err(ServiceError::invalid("data", format!("信令过长（最多 {} 字节）", call::MAX_SIGNAL_BYTES)));
        }
        let c = self.party_call(me, id).await?;
        if !c.has_party(me.user_id) {
            return Err(ServiceError::NotFound("没有这个通话"));
        }
        if !call::may_signal(&c, me.user_id, s.to) {
            return Err(ServiceError::Conflict(if c.state == CallState::Active { "对方不在这个通话中".into() } else { "通话未接通或已结束".into() }));
        }
        self.tell(vec![s.to], CallEvent::Signal { call_id: id, from: me.user_id, kind: s.kind, data: s.data });
        Ok(())
    }

    /// A party's page says it is still there; answers the call as it stands.
    pub async fn alive(&self, me: &Principal, id: i64) -> ServiceResult<CallView> {
        let c = self.party_call(me, id).await?;
        if !c.has_party(me.user_id) {
            return Err(ServiceError::NotFound("没有这个通话"));
        }
        self.store.call_seen(id, me.user_id, now_ms()).await?;
        Ok(c)
    }

    /// A still of the worker's camera, taken by a watcher: stored on the case as a photo.
    pub async fn snapshot(&self, me: &Principal, id: i64, data: Vec<u8>) -> ServiceResult<zhizhi_shared::case::view::CaseDetail> {
        let c = self.party_call(me, id).await?;
        if !c.watchers().contains(&me.user_id) || c.state != CallState::Active {
            return Err(ServiceError::Conflict("只有在通话中观看的人可以截图".into()));
        }
        self.cases.attach_noted(me, c.case_id, data, now_ms(), &format!("视频通话截图（{} 的现场画面）", c.callee.name)).await
    }

    /// One call, for a party or one who may watch.
    pub async fn view(&self, me: &Principal, id: i64) -> ServiceResult<CallView> {
        self.party_call(me, id).await
    }

    /// The open calls `me` takes part in (a page that opens or reconnects picks them up).
    pub async fn mine(&self, me: &Principal) -> ServiceResult<Vec<CallView>> {
        Ok(self.store.open_calls().await?.into_iter().map(|o| o.call).filter(|c| c.has_party(me.user_id)).collect())
    }

    /// The ICE servers for `me`: the TURN server with a credential of theirs, if one is set.
    pub fn ice_servers(&self, me: &Principal) -> Vec<IceServer> {
        let Some(t) = self.turn.get() else { return vec![] };
        let username = format!("{}:{}", now_ms() / 1000 + TURN_VALID_S, me.user_id);
        vec![IceServer { urls: t.urls.clone(), credential: turn_credential(&t.secret, &username), username }]
    }

    /// Ends the calls nobody answered in time and those whose caller or worker went silent.
    pub async fn sweep(&self) -> ServiceResult<usize> {
        let now = now_ms();
        let mut ended = 0;
        for o in self.store.open_calls().await? {
            if let Some(reason) = call::overdue(o.call.state, o.call.started_at, o.caller_seen, o.callee_seen, now) {
                self.end(&o.call, reason, None).await?;
                ended += 1;
            }
        }
        Ok(ended)
    }

    /// Sweeps every few seconds for as long as the server runs.
    pub fn start_sweeper(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(3));
            loop {
                every.tick().await;
                if let Err(e) = me.sweep().await {
                    tracing::warn!(error = %e, "cannot end overdue calls");
                }
            }
        });
    }
}

/// coturn's REST credential: base64 of HMAC-SHA1 of the username under the shared secret.
pub fn turn_credential(secret: &str, username: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(username.as_bytes());
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
#[test]
fn turn_credentials_are_what_coturn_computes() {
    // `echo -n "1700000000:42" | openssl dgst -sha1 -hmac "s3cret" -binary | base64`
    assert_eq!(turn_credential("s3cret", "1700000000:42"), "pkGfLzidB0U1T2lLkxNy/vgk7ZE=");
}
