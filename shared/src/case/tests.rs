use super::*;

const NOW: i64 = 1_796_000_000_000;
const CITY: i64 = 14; // 城市管理
const LAW: i64 = 18; // 综合执法
const FIRE: i64 = 21; // 消防救援站

fn user(roles: &[Role], post: Option<i64>, grids: &[i64]) -> Principal {
    Principal {
        user_id: 7,
        username: "u".into(),
        display_name: "U".into(),
        roles: roles.to_vec(),
        post_id: post,
        grid_ids: grids.to_vec(),
        password_expired: false, street_id: None, street_grids: vec![],
    }
}

fn command() -> Principal {
    user(&[Role::Command], None, &[])
}

fn post(id: i64) -> Principal {
    user(&[Role::Post], Some(id), &[])
}

fn worker(grid: i64) -> Principal {
    user(&[Role::GridWorker], None, &[grid])
}

fn case(state: CaseState, tasks: &[(i64, Holder, TaskState)]) -> Case {
    Case {
        state,
        source: Source::Patrol,
        suspended_from: None,
        category: category("greening.branch").unwrap(),
        grid_id: Some(1),
        stage_deadline: Some(NOW + 1000),
        tasks: tasks.iter().map(|&(id, holder, state)| Task { id, holder, state, deadline: NOW + 4 * 3_600_000, extension_hours: None }).collect(),
    }
}

/// Applies a decision to a case as the server would, so that tests can chain actions.
fn apply(mut c: Case, d: &Decision) -> Case {
    c.state = d.state;
    c.suspended_from = d.suspended_from;
    c.stage_deadline = d.stage_deadline;
    for ch in &d.task_changes {
        let t = c.tasks.iter_mut().find(|t| t.id == ch.task_id).unwrap();
        (t.state, t.deadline, t.extension_hours) = (ch.state, ch.deadline, ch.extension_hours);
    }
    for (i, (holder, deadline)) in d.new_tasks.iter().enumerate() {
        let id = 100 + c.tasks.len() as i64 + i as i64;
        c.tasks.push(Task { id, holder: *holder, state: TaskState::Pending, deadline: *deadline, extension_hours: None });
    }
    c
}

fn act(c: Case, who: &Principal, a: Action) -> Case {
    let d = decide(&c, who, &a, NOW).unwrap_or_else(|r| panic!("{a:?} refused: {r}"));
    apply(c, &d)
}

fn kinds(d: &Decision) -> Vec<&'static str> {
    d.steps.iter().map(|s| s.kind).collect()
}

#[test]
fn dispatching_a_fresh_case_accepts_registers_and_dispatches_in_one_step() {
    let c = case(CaseState::Reported, &[]);
    let d = decide(&c, &command(), &Action::Dispatch { holders: vec![Holder::Post(CITY)], note: String::new() }, NOW).unwrap();
    assert_eq!(kinds(&d), ["accept", "register", "dispatch"]);
    assert_eq!(d.state, CaseState::Dispatched);
    assert_eq!(d.new_tasks, vec![(Holder::Post(CITY), NOW + 4 * 3_600_000)]);
    assert_eq!(d.stage_deadline, Some(NOW + 4 * 3_600_000), "handling deadline of 树木断枝 is 4 h");
    assert!(d.stage_changed);
}

#[test]
fn the_whole_flow_from_report_to_closure() {
    let c = case(CaseState::Reported, &[]);
    let c = act(c, &command(), Action::Accept);
    assert_eq!(c.state, CaseState::Accepted);
    let c = act(c, &command(), Action::Register);
    let c = act(c, &command(), Action::Dispatch { holders: vec![Holder::Post(CITY)], note: "尽快处理".into() });
    let task = c.tasks[0].id;
    let c = act(c, &post(CITY), Action::AcceptTask { task_id: task });
    assert_eq!(c.state, CaseState::Handling);
    let c = act(c, &post(CITY), Action::ReportBack { task_id: task, note: "断枝已清理".into() });
    assert_eq!(c.state, CaseState::Verifying);
    let c = act(c, &command(), Action::Verify { note: String::new() });
    assert_eq!(c.state, CaseState::Verified);
    let c = act(c, &command(), Action::Close { note: String::new() });
    assert_eq!(c.state, CaseState::Closed);
    assert_eq!(c.stage_deadline, None, "a closed case's clock stops");
}

#[test]
fn a_case_sent_to_three_posts_waits_for_all_three() {
    let holders = vec![Holder::Post(CITY), Holder::Post(LAW), Holder::Post(FIRE)];
    let mut c = act(case(CaseState::Registered, &[]), &command(), Action::Dispatch { holders, note: String::new() });
    assert_eq!(c.tasks.len(), 3);
    for (i, p) in [CITY, LAW, FIRE].into_iter().enumerate() {
        let id = c.tasks[i].id;
        c = act(c, &post(p), Action::ReportBack { task_id: id, note: "已处置".into() });
        let expected = if i < 2 { CaseState::Handling } else { CaseState::Verifying };
        assert_eq!(c.state, expected, "after {} of 3 reports", i + 1);
    }
}

#[test]
fn who_may_do_what() {
    let reported = case(CaseState::Reported, &[]);
    let handling = case(CaseState::Handling, &[(1, Holder::Post(CITY), TaskState::Accepted), (2, Holder::Grid(1), TaskState::Pending)]);
    let verifying = case(CaseState::Verifying, &[(1, Holder::Post(CITY), TaskState::Done)]);
    let dispatch = Action::Dispatch { holders: vec![Holder::Post(CITY)], note: String::new() };
    let report = |task_id| Action::ReportBack { task_id, note: "已处置".into() };
    let table: Vec<(&Case, Principal, Action, bool)> = vec![
        (&reported, command(), dispatch.clone(), true),
        (&reported, worker(1), dispatch.clone(), false),
        (&reported, post(CITY), dispatch.clone(), false),
        (&reported, user(&[Role::District], None, &[]), dispatch.clone(), false),
        (&reported, user(&[Role::Admin], None, &[]), Action::Accept, false),
        (&handling, post(CITY), report(1), true),
        (&handling, post(LAW), report(1), false),
        (&handling, command(), report(1), false),
        (&handling, worker(1), report(2), true),
        (&handling, worker(2), report(2), false),
        (&verifying, command(), Action::Verify { note: String::new() }, true),
        (&verifying, worker(1), Action::Verify { note: String::new() }, true),
        (&verifying, worker(3), Action::Verify { note: String::new() }, false),
        (&verifying, post(CITY), Action::Verify { note: String::new() }, false),
    ];
    for (c, who, a, allowed) in table {
        let got = decide(c, &who, &a, NOW);
        match (allowed, &got) {
            (true, Ok(_)) => {}
            (false, Err(Refusal::NotAllowed(_))) => {}
            _ => panic!("{:?} doing {a:?} on a {:?} case: {got:?}", who.roles, c.state),
        }
    }
}

#[test]
fn invalid_transitions_are_refused_with_a_reason() {
    let registered = case(CaseState::Registered, &[]);
    let closed = case(CaseState::Closed, &[]);
    let table: Vec<(&Case, Action, &str)> = vec![
        (&registered, Action::Close { note: String::new() }, "不能结案"),
        (&registered, Action::Verify { note: String::new() }, "不能核查"),
        (&registered, Action::Reject { reason: " ".into() }, "不予立案的理由"),
        (&registered, Action::Dispatch { holders: vec![], note: String::new() }, "至少选择一个"),
        (&registered, Action::Dispatch { holders: vec![Holder::Post(CITY), Holder::Post(CITY)], note: String::new() }, "两次"),
        (&registered, Action::Suspend { reason: String::new() }, "挂起理由"),
        (&registered, Action::Accept, "不能受理"),
        (&closed, Action::Dispatch { holders: vec![Holder::Post(CITY)], note: String::new() }, "「已结案」，不能派遣"),
        (&closed, Action::Suspend { reason: "等待".into() }, "不能挂起"),
        (&registered, Action::ApproveExtension { task_id: 9 }, "没有任务 9"),
    ];
    for (c, a, says) in table {
        let err = decide(c, &command(), &a, NOW).expect_err(&format!("{a:?} on {:?}", c.state));
        assert!(err.to_string().contains(says), "{a:?}: {err}");
    }
}

#[test]
fn returning_the_only_task_gives_the_case_back_to_the_coordinator() {
    let c = case(CaseState::Dispatched, &[(1, Holder::Post(LAW), TaskState::Pending)]);
    let refused = decide(&c, &post(LAW), &Action::ReturnTask { task_id: 1, reason: String::new() }, NOW);
    assert!(matches!(refused, Err(Refusal::Invalid { field: "reason", .. })));
    let c = act(c, &post(LAW), Action::ReturnTask { task_id: 1, reason: "不属于本岗位职责".into() });
    assert_eq!(c.state, CaseState::Registered);
    assert_eq!(c.tasks[0].state, TaskState::Returned);
    // The coordinator can send it to the same post again.
    let c = act(c, &command(), Action::Dispatch { holders: vec![Holder::Post(LAW)], note: String::new() });
    assert_eq!(c.state, CaseState::Dispatched);
}

#[test]
fn failed_verification_sends_the_reported_tasks_back() {
    let c = case(CaseState::Verifying, &[(1, Holder::Post(CITY), TaskState::Done), (2, Holder::Post(LAW), TaskState::Returned)]);
    let c = act(c, &command(), Action::Rework { reason: "现场仍有断枝".into() });
    assert_eq!(c.state, CaseState::Handling);
    assert_eq!(c.tasks[0].state, TaskState::Accepted);
    assert_eq!(c.tasks[1].state, TaskState::Returned);
}

#[test]
fn extensions_are_asked_for_and_approved() {
    let c = case(CaseState::Handling, &[(1, Holder::Post(CITY), TaskState::Accepted)]);
    let before = c.tasks[0].deadline;
    let c = act(c, &post(CITY), Action::RequestExtension { task_id: 1, hours: 24, reason: "需协调园林部门吊车".into() });
    assert_eq!(c.tasks[0].extension_hours, Some(24));
    let twice = decide(&c, &post(CITY), &Action::RequestExtension { task_id: 1, hours: 2, reason: "再延".into() }, NOW);
    assert!(matches!(twice, Err(Refusal::WrongState(_))));
    let by_post = decide(&c, &post(CITY), &Action::ApproveExtension { task_id: 1 }, NOW);
    assert!(matches!(by_post, Err(Refusal::NotAllowed(_))));
    let c = act(c, &command(), Action::ApproveExtension { task_id: 1 });
    assert_eq!(c.tasks[0].deadline, before + 24 * 3_600_000);
    assert_eq!(c.stage_deadline, Some(before + 24 * 3_600_000));
    assert_eq!(c.tasks[0].extension_hours, None);
}

#[test]
fn suspension_stops_the_clock_and_resumes_where_it_was() {
    let c = case(CaseState::Handling, &[(1, Holder::Post(CITY), TaskState::Accepted)]);
    let c = act(c, &command(), Action::Suspend { reason: "等待业主回复".into() });
    assert_eq!((c.state, c.stage_deadline), (CaseState::Suspended, None));
    let c = act(c, &command(), Action::Resume);
    assert_eq!(c.state, CaseState::Handling);
    assert_eq!(c.stage_deadline, Some(NOW + 4 * 3_600_000));
}

#[test]
fn escalation_and_the_districts_answers() {
    let district = user(&[Role::District], None, &[]);
    let c = act(case(CaseState::Registered, &[]), &command(), Action::Escalate { reason: "涉及区级审批".into() });
    assert_eq!(c.state, CaseState::Escalated);
    assert!(matches!(decide(&c, &command(), &Action::DistrictResolve { note: "已办".into() }, NOW), Err(Refusal::NotAllowed(_))));
    let back = act(c.clone(), &district, Action::DistrictReturn { reason: "请街道先行处置".into() });
    assert_eq!(back.state, CaseState::Registered);
    let resolved = act(c, &district, Action::DistrictResolve { note: "区城管局已处置".into() });
    assert_eq!(resolved.state, CaseState::Verifying);
}

#[test]
fn the_coordinator_may_conclude_without_waiting_for_every_post() {
    let c = case(CaseState::Handling, &[(1, Holder::Post(CITY), TaskState::Done), (2, Holder::Post(LAW), TaskState::Pending)]);
    let c = act(c, &command(), Action::Conclude { reason: "执法岗无需到场".into() });
    assert_eq!(c.state, CaseState::Verifying);
    assert_eq!(c.tasks[1].state, TaskState::Cancelled);
}

#[test]
fn timeliness_of_a_stage() {
    let (start, deadline) = (NOW, NOW + 100_000);
    assert_eq!(timeliness(start, Some(deadline), NOW + 10_000), Timeliness::OnTime);
    assert_eq!(timeliness(start, Some(deadline), NOW + 80_000), Timeliness::NearDeadline);
    assert_eq!(timeliness(start, Some(deadline), NOW + 100_001), Timeliness::Overdue);
    assert_eq!(timeliness(start, None, NOW), Timeliness::Stopped);
}

#[test]
fn who_sees_which_case() {
    let v = Visibility { grid_id: Some(1), holders: vec![Holder::Post(CITY)], reporter_id: None, escalated: false, street_id: None };
    assert!(command().may_see_case(&v));
    assert!(post(CITY).may_see_case(&v));
    assert!(!post(LAW).may_see_case(&v));
    assert!(worker(1).may_see_case(&v));
    assert!(!worker(2).may_see_case(&v));
    assert!(!user(&[Role::District], None, &[]).may_see_case(&v));
    assert!(user(&[Role::District], None, &[]).may_see_case(&Visibility { escalated: true, ..v.clone() }));
    assert!(!user(&[Role::Admin], None, &[]).may_see_case(&v));
}

#[test]
fn a_streets_staff_see_their_street_and_the_district_sees_all() {
    let of_street = |p: Principal, s: i64| Principal { street_id: Some(s), ..p };
    let in_2 = Visibility { grid_id: Some(1), holders: vec![Holder::Post(CITY)], reporter_id: None, escalated: false, street_id: Some(2) };
    // Command staff: their street's cases only; the district's command centre every street's.
    assert!(of_street(command(), 2).may_see_case(&in_2));
    assert!(!of_street(command(), 3).may_see_case(&in_2));
    assert!(command().may_see_case(&in_2));
    // A case of no street (reported outside every grid by someone of no street) is the district's.
    assert!(!of_street(command(), 2).may_see_case(&Visibility { street_id: None, ..in_2.clone() }));
    // The same post in another street does not see the task of this one.
    assert!(of_street(post(CITY), 2).may_see_case(&in_2));
    assert!(!of_street(post(CITY), 3).may_see_case(&in_2));
    // A grid's task needs no street: grids belong to one street.
    assert!(of_street(worker(1), 3).may_see_case(&Visibility { holders: vec![Holder::Grid(1)], grid_id: Some(9), ..in_2.clone() }));
    // Their own report, whatever its street.
    assert!(Principal { user_id: 9, ..of_street(worker(5), 3) }.may_see_case(&Visibility { reporter_id: Some(9), ..in_2.clone() }));
}

#[test]
fn codes_round_trip() {
    for s in CaseState::ALL {
        assert_eq!(CaseState::from_code(s.code()), Some(*s));
    }
    for s in Source::ALL {
        assert_eq!(Source::from_code(s.code()), Some(*s));
    }
    let a: Action = serde_json::from_str(r#"{"action":"dispatch","holders":[{"kind":"post","id":14}]}"#).unwrap();
    assert_eq!(a, Action::Dispatch { holders: vec![Holder::Post(14)], note: String::new() });
    assert_eq!(a.code(), "dispatch");
    for (kind, ..) in STEP_NAMES {
        assert_ne!(step_name(kind).0, "其他");
    }
}

#[test]
fn sensor_alarms_can_be_closed_as_false_alarms_by_command_or_the_holder_on_scene() {
    let sensor = |state, tasks: &[(i64, Holder, TaskState)]| Case { source: Source::Iot, category: category("care.elderly_alone").unwrap(), ..case(state, tasks) };
    let fa = || Action::FalseAlarm { reason: "老人在家，安全".into() };
    // The grid worker holding the task closes it on the scene; the other open task is cancelled.
    let c = sensor(CaseState::Handling, &[(1, Holder::Grid(1), TaskState::Accepted), (2, Holder::Post(14), TaskState::Pending)]);
    let d = decide(&c, &worker(1), &fa(), NOW).unwrap();
    assert_eq!(d.state, CaseState::Closed);
    assert_eq!(d.steps.last().unwrap().kind, "false_alarm");
    assert_eq!(d.steps.last().unwrap().note, "老人在家，安全");
    assert_eq!(d.task_changes.iter().map(|t| (t.task_id, t.state)).collect::<Vec<_>>(), vec![(1, TaskState::Done), (2, TaskState::Cancelled)]);
    assert_eq!(d.stage_deadline, None);
    // Command staff may, straight from the queue.
    assert!(decide(&sensor(CaseState::Reported, &[]), &command(), &fa(), NOW).is_ok());
    // A grid worker of another grid, or of this grid without a task, may not.
    assert!(matches!(decide(&c, &worker(2), &fa(), NOW), Err(Refusal::NotAllowed(_))));
    assert!(matches!(decide(&sensor(CaseState::Reported, &[]), &worker(1), &fa(), NOW), Err(Refusal::NotAllowed(_))));
    // A reason is required.
    assert!(matches!(decide(&c, &worker(1), &Action::FalseAlarm { reason: " ".into() }, NOW), Err(Refusal::Invalid { field: "reason", .. })));
    // A resident's report is not an alarm; a closed case stays closed.
    assert!(matches!(decide(&case(CaseState::Reported, &[]), &command(), &fa(), NOW), Err(Refusal::WrongState(_))));
    assert!(matches!(decide(&sensor(CaseState::Closed, &[]), &command(), &fa(), NOW), Err(Refusal::WrongState(_))));
}

#[test]
fn a_note_or_reason_longer_than_the_limit_is_refused_naming_its_field() {
    let c = case(CaseState::Reported, &[]);
    let long = "情况".repeat(ACTION_TEXT_MAX);
    let refused = decide(&c, &command(), &Action::Reject { reason: long.clone() }, 0).unwrap_err();
    assert!(matches!(refused, Refusal::Invalid { field: "reason", .. }), "{refused:?}");
    let refused = decide(&c, &command(), &Action::Dispatch { holders: vec![Holder::Post(1)], note: long }, 0).unwrap_err();
    assert!(matches!(refused, Refusal::Invalid { field: "note", .. }), "{refused:?}");
    assert!(decide(&c, &command(), &Action::Reject { reason: "情况".repeat(ACTION_TEXT_MAX / 2) }, 0).is_ok(), "at the limit");
}

#[test]
fn a_note_is_added_by_those_with_a_part_in_the_case_and_changes_nothing_else() {
    // The task was cancelled when the coordinator concluded: its holder may still add what they
    // found (a phone's report-back that came too late).
    let c = case(CaseState::Verifying, &[(1, Holder::Grid(1), TaskState::Cancelled)]);
    let note = Action::Comment { note: "垃圾已清运完毕".into() };
    let d = decide(&c, &worker(1), &note, NOW).unwrap();
    assert_eq!((kinds(&d), d.state, d.stage_changed), (vec!["comment"], CaseState::Verifying, false));
    assert!(d.task_changes.is_empty() && d.new_tasks.is_empty());
    assert_eq!(d.steps[0].note, "垃圾已清运完毕");
    assert!(decide(&c, &command(), &note, NOW).is_ok());
    assert!(matches!(decide(&c, &worker(2), &note, NOW), Err(Refusal::NotAllowed(_))), "another grid's worker has no part in it");
    assert!(matches!(decide(&c, &post(CITY), &note, NOW), Err(Refusal::NotAllowed(_))));
    assert!(matches!(decide(&c, &worker(1), &Action::Comment { note: " ".into() }, NOW), Err(Refusal::Invalid { field: "note", .. })));
}
