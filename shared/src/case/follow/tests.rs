use super::*;
use crate::case::view::{CaseSummary, StepView, TaskBrief};
use crate::case::{Source, TaskState, Urgency};

fn step(seq: i64, kind: &str, from: CaseState, to: CaseState, note: &str, photos: Vec<i64>) -> StepView {
    StepView { seq, at: seq * 60_000, actor: "user:3".into(), actor_name: "王建国".into(), kind: kind.into(), from, to, task_id: None, note: note.into(), attachments: photos }
}

fn detail(state: CaseState, steps: Vec<StepView>) -> CaseDetail {
    let case = CaseSummary {
        id: 7, number: "SJ20261202-00007".into(), category: "environment.drain".into(), source: Source::Resident, state,
        suspended_from: None, urgency: Urgency::Normal, description: "下水道堵了".into(), address: "磁南街27号".into(),
        lon: None, lat: None, micro_grid_id: None, grid_id: Some(1), street_id: None, place: String::new(), grid_worker: "李梅".into(),
        reporter_id: None, reporter_name: "张**".into(), escalated: false, created_at: 0, updated_at: 0, stage_started_at: 0,
        stage_deadline: Some(3_600_000),
        tasks: vec![TaskBrief { id: 1, holder: Holder::Post(4), holder_name: "市政设施".into(), state: TaskState::Done, deadline: 0, extension_hours: None, plan: None }],
        version: 1, drill: false, activation: None,
    };
    CaseDetail { case, suggested_post: None, steps, cursor: 0, rating: None }
}

#[test]
fn the_follow_page_tells_the_stages_in_plain_words_without_names() {
    use CaseState as S;
    let d = detail(S::Closed, vec![
        step(1, "report", S::Reported, S::Reported, "", vec![40]),
        step(2, "accept", S::Reported, S::Accepted, "", vec![]),
        step(2, "register", S::Accepted, S::Registered, "", vec![]),
        step(2, "dispatch", S::Registered, S::Dispatched, "", vec![]),
        step(3, "accept_task", S::Dispatched, S::Handling, "", vec![]),
        step(4, "note", S::Handling, S::Handling, "王建国电话 13800000000", vec![]),
        step(5, "attach", S::Handling, S::Handling, "120 KB", vec![41]),
        step(5, "report_back", S::Handling, S::Verifying, "已疏通管道", vec![]),
        step(6, "verify", S::Verifying, S::Verified, "", vec![42]),
        step(7, "close", S::Verified, S::Closed, "", vec![]),
    ]);
    let v = follow_view(&d, None);
    let said: Vec<&str> = v.stages.iter().map(|s| s.zh.as_str()).collect();
    assert_eq!(said, ["已收到您的报告", "已派给「市政设施」处理", "已处理完毕，等待核查", "核查通过", "已办结"]);
    assert_eq!(v.handlers, ["市政设施"]);
    assert_eq!(v.result.as_deref(), Some("已疏通管道"));
    assert_eq!(v.result_photos, [41, 42], "the reporter's own photo is not a result");
    assert!(v.may_rate);
    assert_eq!(v.deadline, None, "a closed case runs against no deadline");
    let shown = serde_json::to_string(&v).unwrap();
    assert!(!shown.contains("王建国") && !shown.contains("13800000000") && !shown.contains("李梅") && !shown.contains("张"), "{shown}");
}

#[test]
fn an_open_case_shows_its_deadline_and_no_result_yet() {
    use CaseState as S;
    let d = detail(S::Handling, vec![step(1, "report", S::Reported, S::Reported, "", vec![]), step(2, "report_back", S::Handling, S::Handling, "先处理了一半", vec![9])]);
    let v = follow_view(&d, None);
    assert_eq!(v.deadline, Some(3_600_000));
    assert_eq!((v.result, v.result_photos.len(), v.may_rate), (None, 0, false));
    assert_eq!(v.now.0, "正在处理");
}

#[test]
fn a_rated_case_cannot_be_rated_again() {
    let d = detail(CaseState::Closed, vec![]);
    let r = Rating { case_id: 7, score: 2, comment: "太慢".into(), channel: RatingChannel::Resident, at: 0, by: "居民".into(), review: Some(Review { done_at: None, by: String::new(), note: String::new() }) };
    let v = follow_view(&d, Some(&r));
    assert_eq!((v.may_rate, v.rating), (false, Some((2, "太慢".to_string()))));
    assert!(r.review_open() && !r.satisfied());
}

#[test]
fn ratings_are_checked() {
    assert_eq!(NewRating { score: 0, comment: String::new() }.checked().unwrap_err().0, "score");
    assert_eq!(NewRating { score: 6, comment: String::new() }.checked().unwrap_err().0, "score");
    assert_eq!(NewRating { score: 3, comment: "好".repeat(501) }.checked().unwrap_err().0, "comment");
    assert_eq!(NewRating { score: 5, comment: "  很快  ".into() }.checked().unwrap().comment, "很快");
    assert_eq!(rating_note(RatingChannel::Callback, 4, ""), "回访结果：4 星");
}

#[test]
fn nearby_lists_open_reports_of_the_same_kind_nearest_first() {
    use super::nearby::{metres_between, nearby_reports};
    let at = [106.4500, 29.5800];
    // 0.001° of latitude is about 111 m; of longitude here about 97 m.
    let mut near = detail(CaseState::Dispatched, vec![]).case;
    (near.lon, near.lat, near.category) = (Some(106.4500), Some(29.5809), "environment.drain".into());
    let mut nearer = near.clone();
    (nearer.id, nearer.lat, nearer.category, nearer.state) = (8, Some(29.5802), "environment.litter".into(), CaseState::Reported);
    let mut far = near.clone();
    (far.id, far.lat) = (9, Some(29.5820));
    let mut closed = near.clone();
    (closed.id, closed.state) = (10, CaseState::Closed);
    let mut drill = near.clone();
    (drill.id, drill.drill) = (11, true);
    let mut other_kind = near.clone();
    (other_kind.id, other_kind.category) = (12, "greening.branch".into());
    let found = nearby_reports(&[far, near, closed, drill, other_kind, nearer], at, "environment.drain");
    let metres: Vec<u32> = found.iter().map(|r| r.metres).collect();
    assert_eq!(metres, [22, 100], "only the two open environment cases within 150 m, nearest first");
    assert_eq!(found[0].now.0, "已收到，等待受理");
    assert_eq!(found[1].category.0, "下水道堵塞");
    assert!((metres_between([106.45, 29.58], [106.451, 29.58]) - 96.8).abs() < 0.5);
}

#[test]
fn a_reporters_contact_is_read_back_and_masked() {
    let c = Contact::parse("张 三 13812345678");
    assert_eq!((c.name.as_str(), c.phone.as_str(), c.revealed), ("张 三", "13812345678", true));
    let m = c.masked();
    assert!(!m.revealed);
    assert_eq!(m.phone, "138****5678");
    assert!(!m.name.contains('三'), "{}", m.name);
    assert_eq!(Contact::parse("居民").phone, "");
    assert_eq!(Contact::parse(" 13812345678").phone, "13812345678");
}
