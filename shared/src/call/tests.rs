use super::*;
use crate::case::Holder;

fn user(id: i64, roles: &[Role], post: Option<i64>, grids: &[i64]) -> Principal {
    Principal {
        user_id: id,
        username: format!("u{id}"),
        display_name: format!("用户{id}"),
        roles: roles.to_vec(),
        post_id: post,
        grid_ids: grids.to_vec(),
        password_expired: false, street_id: None, street_grids: vec![],
    }
}

fn vis(grid: i64, posts: &[i64]) -> Visibility {
    Visibility { grid_id: Some(grid), holders: posts.iter().map(|p| Holder::Post(*p)).collect(), reporter_id: None, escalated: false, street_id: None }
}

fn call(state: CallState) -> CallView {
    CallView {
        id: 1,
        case_id: 9,
        case_number: "ZZ-1".into(),
        caller: Party { user_id: 1, name: "值班员".into() },
        callee: Party { user_id: 2, name: "网格员".into() },
        state,
        audio_only: false,
        started_at: 1_000,
        answered_at: None,
        ended_at: None,
        end_reason: None,
        ended_by: None,
        viewers: vec![Party { user_id: 3, name: "值班领导".into() }],
    }
}

#[test]
fn command_staff_call_the_workers_who_see_the_case_and_nobody_else() {
    let coord = user(1, &[Role::Command], None, &[]);
    let worker = user(2, &[Role::GridWorker], None, &[7]);
    let other_grid = user(3, &[Role::GridWorker], None, &[8]);
    let post = user(4, &[Role::Post], Some(5), &[]);
    let admin = user(5, &[Role::Admin], None, &[]);
    let v = vis(7, &[5]);
    assert_eq!(may_call(&coord, &worker, &v, false), Ok(()));
    assert_eq!(may_call(&coord, &post, &v, false), Ok(()), "a post with a task on the case");
    assert_eq!(may_call(&coord, &post, &vis(7, &[]), false), Err(CallRefusal::CalleeCannotSee));
    assert_eq!(may_call(&coord, &other_grid, &v, false), Err(CallRefusal::CalleeCannotSee));
    assert_eq!(may_call(&worker, &coord, &v, false), Err(CallRefusal::NotCommand), "a grid worker does not start calls");
    assert_eq!(may_call(&coord, &admin, &v, false), Err(CallRefusal::NotAWorker));
    assert_eq!(may_call(&coord, &coord, &v, false), Err(CallRefusal::Oneself));
    assert_eq!(may_call(&coord, &worker, &v, true), Err(CallRefusal::CaseClosed));
    assert_eq!(may_watch(&coord, &v), Ok(()));
    assert_eq!(may_watch(&worker, &v), Err(CallRefusal::NotCommand));
}

#[test]
fn signals_pass_only_between_the_worker_and_a_watcher_of_an_active_call() {
    let ringing = call(CallState::Ringing);
    assert!(!may_signal(&ringing, 2, 1), "nothing before the answer");
    let active = call(CallState::Active);
    assert!(may_signal(&active, 2, 1));
    assert!(may_signal(&active, 1, 2));
    assert!(may_signal(&active, 3, 2), "a viewer");
    assert!(!may_signal(&active, 1, 3), "watchers do not talk to each other");
    assert!(!may_signal(&active, 9, 2), "a stranger");
    assert!(!may_signal(&active, 2, 9));
    assert!(!may_signal(&active, 2, 2));
    assert!(!may_signal(&call(CallState::Ended), 2, 1));
}

#[test]
fn a_call_ends_by_whoever_hangs_up_and_by_silence() {
    assert_eq!(hang_up_reason(&call(CallState::Ringing), 1), Some(EndReason::Cancelled));
    assert_eq!(hang_up_reason(&call(CallState::Ringing), 2), Some(EndReason::Declined));
    assert_eq!(hang_up_reason(&call(CallState::Active), 2), Some(EndReason::HungUp));
    assert_eq!(hang_up_reason(&call(CallState::Active), 3), None, "a viewer leaves, the call goes on");
    assert_eq!(hang_up_reason(&call(CallState::Ended), 1), None);
    assert_eq!(overdue(CallState::Ringing, 0, 0, 0, RING_MS - 1), None);
    assert_eq!(overdue(CallState::Ringing, 0, 0, 0, RING_MS), Some(EndReason::Missed));
    assert_eq!(overdue(CallState::Active, 0, 50_000, 50_000 - LOST_AFTER_MS + 1, 50_000), None);
    assert_eq!(overdue(CallState::Active, 0, 50_000, 50_000 - LOST_AFTER_MS, 50_000), Some(EndReason::Lost), "the phone went quiet");
    assert_eq!(overdue(CallState::Ended, 0, 0, 0, 1_000_000), None);
    for r in EndReason::ALL {
        assert_eq!(EndReason::from_code(r.code()), Some(r));
    }
}

#[test]
fn the_timeline_says_who_called_whom_and_how_long() {
    let mut c = call(CallState::Ended);
    c.answered_at = Some(2_000);
    c.ended_at = Some(2_000 + 192_000);
    c.end_reason = Some(EndReason::HungUp);
    assert_eq!(c.timeline_note(), "值班员 呼叫 网格员：通话 3分12秒；观看：值班领导");
    c.end_reason = Some(EndReason::Lost);
    c.audio_only = true;
    c.viewers.clear();
    assert_eq!(c.timeline_note(), "值班员 呼叫 网格员：通话 3分12秒（仅语音），信号中断");
    let mut missed = call(CallState::Ended);
    missed.viewers.clear();
    missed.end_reason = Some(EndReason::Missed);
    assert_eq!(missed.timeline_note(), "值班员 呼叫 网格员：无人接听");
    assert_eq!(duration_zh(44_600), "45秒");
    assert_eq!(duration_zh(3_725_000), "1小时2分");
}
