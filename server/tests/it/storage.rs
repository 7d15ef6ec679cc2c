//! The storage suite: the same behaviour demanded of every engine.

use crate::harness::{on_both_engines, TestDb};
use std::sync::OnceLock;
use zhizhi_server::storage::{self, Error};
use zhizhi_shared::demo::{generate, District, DEFAULT_SEED, STREET_NE, STREET_SW};

on_both_engines!(
    a_new_database_is_empty,
    the_demo_district_is_stored_whole,
    a_second_import_is_refused_and_changes_nothing,
    a_failed_import_leaves_nothing_behind,
    locations_route_to_their_micro_grid,
    boards_list_their_posts_in_order,
    the_grid_network_comes_back_whole,
    the_audit_chain_finds_an_edited_row,
    the_audit_chain_is_anchored_by_its_checkpoints,
    archived_audit_entries_leave_and_the_chain_goes_on,
    sessions_end_when_idle_or_too_old,
    usernames_are_unique,
    a_case_is_written_with_its_timeline_tasks_and_event,
    a_stale_case_write_changes_nothing,
    device_messages_are_stored_once_with_their_alarms,
    devices_are_registered_and_an_alarm_gets_one_case,
    a_grid_division_is_saved_whole_or_not_at_all,
    plans_keep_every_version_and_an_activation_is_written_with_its_tasks,
);

fn demo() -> &'static District {
    static DEMO: OnceLock<District> = OnceLock::new();
    DEMO.get_or_init(|| generate(DEFAULT_SEED))
}

fn quiet(_: &str, _: usize, _: usize) {}

async fn a_new_database_is_empty(db: &TestDb) {
    let s = db.store.summary().await.unwrap();
    assert_eq!(s, Default::default());
    assert_eq!(db.store.street().await.unwrap(), None);
    assert_eq!(db.store.micro_grid_at([106.449, 29.579]).await.unwrap(), None);
    db.store.ping().await.unwrap();
}

async fn the_demo_district_is_stored_whole(db: &TestDb) {
    db.store.import_district(demo(), &quiet).await.unwrap();
    assert_eq!(db.store.summary().await.unwrap(), demo().summary());
    let street = db.store.street().await.unwrap().expect("street");
    assert_eq!(street.name, "磁器口街道");
    let grids = db.store.grids().await.unwrap();
    assert_eq!(grids.len(), 33);
    assert_eq!(grids[0], demo().grids[0], "a grid comes back exactly as it went in, polygon and all");
    assert!(grids.iter().all(|g| g.worker_id.is_some()));
}

async fn a_second_import_is_refused_and_changes_nothing(db: &TestDb) {
    db.store.import_district(demo(), &quiet).await.unwrap();
    let before = db.store.summary().await.unwrap();
    let err = db.store.import_district(demo(), &quiet).await.unwrap_err();
    assert!(matches!(err, Error::NotEmpty), "{err}");
    assert_eq!(db.store.summary().await.unwrap(), before);
}

async fn a_failed_import_leaves_nothing_behind(db: &TestDb) {
    // Two devices with the same code: the last table written violates a unique key, so the
    // whole import must roll back.
    let mut broken = demo().clone();
    let dup = broken.devices[0].clone();
    broken.devices.push(zhizhi_shared::device::Device { id: 999_999, ..dup });
    let err = db.store.import_district(&broken, &quiet).await.unwrap_err();
    assert!(matches!(err, Error::Db(_)), "{err}");
    assert_eq!(db.store.summary().await.unwrap(), Default::default());
}

async fn locations_route_to_their_micro_grid(db: &TestDb) {
    db.store.import_district(demo(), &quiet).await.unwrap();
    for b in demo().buildings.iter().step_by(37) {
        let m = db.store.micro_grid_at(b.anchor()).await.unwrap().expect("inside the street");
        assert_eq!(m.id, b.micro_grid_id, "{}", b.address);
    }
    let corner = db.store.micro_grid_at(STREET_SW).await.unwrap().expect("south-west corner is inside");
    assert_eq!(corner.code.len(), "CQK-00-00-00".len());
    assert_eq!(db.store.micro_grid_at([STREET_NE[0] + 0.01, STREET_NE[1]]).await.unwrap(), None, "east of the street");
}

async fn boards_list_their_posts_in_order(db: &TestDb) {
    db.store.import_district(demo(), &quiet).await.unwrap();
    let boards = db.store.boards().await.unwrap();
    let names: Vec<_> = boards.iter().map(|b| b.board.name.as_str()).collect();
    assert_eq!(names, ["党建统领", "经济发展", "民生服务", "平安法治"]);
    assert_eq!(boards.iter().map(|b| b.posts.len()).sum::<usize>(), 21);
    assert!(boards[3].posts.iter().any(|p| p.name == "综合执法"));
}

#[tokio::test]
async fn a_sqlite_file_keeps_its_data_when_reopened() {
    let db = TestDb::sqlite().await;
    db.store.import_district(demo(), &quiet).await.unwrap();
    let reopened = storage::open(&db.url).await.unwrap();
    assert_eq!(reopened.summary().await.unwrap(), demo().summary());
    drop(reopened);
    db.remove().await;
}

#[tokio::test]
async fn unknown_and_unreachable_databases_are_reported_clearly() {
    let err = storage::open("mysql://localhost/zz").await.err().expect("refused");
    assert!(err.to_string().contains("unsupported database URL"), "{err}");
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let err = storage::open("postgres://zz:secret@127.0.0.1:1/zz").await.err().expect("refused");
    let msg = err.to_string();
    assert!(msg.contains("cannot open database postgres://zz:***@127.0.0.1:1/zz"), "{msg}");
    assert!(!msg.contains("secret"));
}

async fn the_grid_network_comes_back_whole(db: &TestDb) {
    db.store.import_district(demo(), &quiet).await.unwrap();
    assert_eq!(db.store.communities().await.unwrap(), demo().communities);
    let micro = db.store.micro_grids().await.unwrap();
    assert_eq!(micro.len(), 171);
    let original = demo().micro_grids.iter().find(|m| m.code == micro[100].code).unwrap();
    assert_eq!(&micro[100], original);
}

async fn the_audit_chain_finds_an_edited_row(db: &TestDb) {
    for i in 1..=5 {
        db.store.append_audit(1_000 + i, "zhihui", "reveal", &format!("resident:{i}"), "核实独居老人情况").await.unwrap();
    }
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(5));
    db.tamper("UPDATE audit_log SET detail = '无' WHERE seq = 3").await;
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 3, "{broken:?}");
}

async fn the_audit_chain_is_anchored_by_its_checkpoints(db: &TestDb) {
    use zhizhi_shared::audit::entry_hash;
    for i in 1..=6 {
        db.store.append_audit(1_000 + i, "zhihui", "reveal", &format!("resident:{i}"), "核实独居老人情况").await.unwrap();
    }
    let (seq, _) = db.store.checkpoint_audit(2_000).await.unwrap().expect("the head is checkpointed");
    assert_eq!(seq, 6);
    assert_eq!(db.store.checkpoint_audit(2_001).await.unwrap(), None, "an unmoved head is not checkpointed twice");
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(6));
    // An intruder rewrites entry 3 and recomputes every hash after it: the chain links again…
    let entries = db.store.audit_entries(&zhizhi_server::storage::AuditQuery { limit: 100, ..Default::default() }).await.unwrap();
    let mut entries: Vec<_> = entries.into_iter().rev().collect();
    let mut prev = entries[1].hash.clone();
    for e in entries.iter_mut().skip(2) {
        if e.seq == 3 {
            e.detail = "无".into();
        }
        e.prev_hash = prev.clone();
        e.hash = entry_hash(&e.prev_hash, e.seq, e.at_ms, &e.actor, &e.action, &e.target, &e.detail);
        prev = e.hash.clone();
        let sql = format!("UPDATE audit_log SET detail = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}", e.detail, e.prev_hash, e.hash, e.seq);
        db.tamper(Box::leak(sql.into_boxed_str())).await;
    }
    // … but not through its checkpoint.
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 6, "{broken:?}");
    assert!(broken.reason.contains("检查点"), "{broken:?}");
    // Dropping the newest entries is found too.
    db.tamper("DELETE FROM audit_log WHERE seq >= 5").await;
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!((broken.seq, broken.reason), (5, "检查点之后的审计记录缺失（末尾的记录被删除）"));
    assert_eq!(db.store.audit_checkpoints().await.unwrap().len(), 1);
}

async fn archived_audit_entries_leave_and_the_chain_goes_on(db: &TestDb) {
    for i in 1..=6 {
        db.store.append_audit(i * 1_000, "zhihui", "reveal", &format!("resident:{i}"), "核实").await.unwrap();
    }
    db.store.checkpoint_audit(3_500).await.unwrap();
    let old = db.store.audit_to_archive(4_500, 0, 100).await.unwrap();
    assert_eq!(old.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(db.store.audit_to_archive(4_500, 2, 1).await.unwrap()[0].seq, 3, "paged after a sequence number");
    assert_eq!(db.store.drop_archived_audit(4, &old[3].hash, "audit-1.jsonl", 9_000).await.unwrap(), 4);
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(6), "the chain verifies from the archived head");
    db.store.append_audit(10_000, "zhihui", "reveal", "resident:7", "核实").await.unwrap();
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(7));
    db.tamper("UPDATE audit_log SET detail = '无' WHERE seq = 5").await;
    assert_eq!(db.store.verify_audit().await.unwrap().unwrap_err().seq, 5);
}

async fn sessions_end_when_idle_or_too_old(db: &TestDb) {
    use zhizhi_server::storage::NewUser;
    let id = db.store.create_user(&NewUser {
        username: "wanggeyuan".into(), display_name: "网格员".into(), password_hash: "x".into(),
        roles: vec![zhizhi_shared::auth::Role::GridWorker], post_id: None, grid_ids: vec![1, 2], street_id: None, now: 0,
    }).await.unwrap();
    let (idle, life) = (30 * 60_000, 12 * 3_600_000);
    db.store.create_session("fresh", id, 1_000_000, "127.0.0.1").await.unwrap();
    assert_eq!(db.store.use_session("fresh", 1_000_000 + 29 * 60_000, idle, life).await.unwrap(), Some(id));
    // Used 29 minutes in, so still alive 29 minutes after that.
    assert_eq!(db.store.use_session("fresh", 1_000_000 + 58 * 60_000, idle, life).await.unwrap(), Some(id));
    // Idle for 31 minutes: ended, and stays ended.
    assert_eq!(db.store.use_session("fresh", 1_000_000 + 89 * 60_000, idle, life).await.unwrap(), None);
    assert_eq!(db.store.use_session("fresh", 1_000_000 + 90 * 60_000, idle, life).await.unwrap(), None);
    // Busy but past its lifetime: ended too.
    db.store.create_session("old", id, 0, "127.0.0.1").await.unwrap();
    let mut t = 0;
    while t < life - 60_000 {
        t += 20 * 60_000;
        let _ = db.store.use_session("old", t.min(life - 60_000), idle, life).await.unwrap();
    }
    assert_eq!(db.store.use_session("old", life + 1, idle, life).await.unwrap(), None);
    let u = db.store.user_by_id(id).await.unwrap().unwrap();
    assert_eq!(u.grid_ids, vec![1, 2]);
}

async fn usernames_are_unique(db: &TestDb) {
    use zhizhi_server::storage::NewUser;
    let new = NewUser {
        username: "zhihui".into(), display_name: "值班员".into(), password_hash: "x".into(),
        roles: vec![zhizhi_shared::auth::Role::Command], post_id: None, grid_ids: vec![], street_id: None, now: 0,
    };
    db.store.create_user(&new).await.unwrap();
    let err = db.store.create_user(&new).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    assert_eq!(db.store.users().await.unwrap().len(), 1);
}

fn new_case(now: i64) -> zhizhi_server::storage::CaseWrite {
    use zhizhi_server::storage::{CaseWrite, CaseWriteKind, NewCaseRow, NewStep};
    use zhizhi_shared::case::{CaseState, Source, Urgency};
    CaseWrite {
        case: CaseWriteKind::Create(NewCaseRow {
            category: "greening.branch".into(),
            source: Source::Patrol,
            state: CaseState::Reported,
            urgency: Urgency::High,
            description: "行道树断枝".into(),
            address: "磁南街27号".into(),
            lon: Some(106.44),
            lat: Some(29.58),
            micro_grid_id: Some(1),
            grid_id: Some(1),
            place: "磁南社区 · 第一网格 · 1".into(),
            grid_worker: "王伟".into(),
            reporter_id: None,
            reporter_name: "王伟".into(),
            reporter_contact: String::new(),
            street_id: None,
            now,
            stage_deadline: Some(now + 600_000),
            drill: false,
        }),
        new_tasks: vec![],
        task_changes: vec![],
        steps: vec![NewStep {
            at: now,
            actor: "wanggeyuan".into(),
            actor_name: "王伟".into(),
            kind: "report".into(),
            from: CaseState::Reported,
            to: CaseState::Reported,
            task_id: None,
            new_task_holder: None,
            note: String::new(),
        }],
        photo: None,
        link_alarm: None,
        conclude_alarms: None,
        task_plans: vec![],
        activation: None,
        checks: vec![],
        follow: None,
        client: None,
    }
}

fn dispatch(id: i64, version: i64, now: i64) -> zhizhi_server::storage::CaseWrite {
    use zhizhi_server::storage::{CaseUpdate, CaseWriteKind, NewStep};
    use zhizhi_shared::case::{CaseState, Holder};
    let step = |h| NewStep {
        at: now,
        actor: "zhihui".into(),
        actor_name: "值班员".into(),
        kind: "dispatch".into(),
        from: CaseState::Reported,
        to: CaseState::Dispatched,
        task_id: None,
        new_task_holder: Some(h),
        note: String::new(),
    };
    zhizhi_server::storage::CaseWrite {
        case: CaseWriteKind::Update(CaseUpdate {
            id,
            version,
            state: CaseState::Dispatched,
            suspended_from: None,
            escalated: false,
            now,
            stage_changed: true,
            stage_deadline: Some(now + 3_600_000),
        }),
        new_tasks: vec![(Holder::Post(14), now + 3_600_000), (Holder::Post(18), now + 3_600_000)],
        task_changes: vec![],
        steps: vec![step(Holder::Post(14)), step(Holder::Post(18))],
        photo: Some(zhizhi_server::storage::NewPhoto { content_type: "image/png".into(), data: vec![1, 2, 3], sha256: "x".into() }),
        link_alarm: None,
        conclude_alarms: None,
        task_plans: vec![],
        activation: None,
        checks: vec![],
        follow: None,
        client: None,
    }
}

async fn a_case_is_written_with_its_timeline_tasks_and_event(db: &TestDb) {
    use zhizhi_shared::case::{CaseState, Holder, TaskState};
    db.store.import_district(demo(), &quiet).await.unwrap();
    let now = 1_796_000_000_000;
    let created = db.store.write_case(&new_case(now)).await.unwrap();
    assert_eq!(created.case.state, CaseState::Reported);
    assert!(created.case.number.starts_with("SJ2026"), "{}", created.case.number);
    let id = created.case.id;
    let dispatched = db.store.write_case(&dispatch(id, created.case.version, now + 1000)).await.unwrap();
    assert_eq!(dispatched.id, created.id + 1, "event ids follow each other");
    assert_eq!(dispatched.case.state, CaseState::Dispatched);
    let holders: Vec<(Holder, TaskState)> = dispatched.case.tasks.iter().map(|t| (t.holder, t.state)).collect();
    assert_eq!(holders, [(Holder::Post(14), TaskState::Pending), (Holder::Post(18), TaskState::Pending)]);
    assert_eq!(dispatched.case.stage_started_at, now + 1000);

    let steps = db.store.case_steps(id).await.unwrap();
    assert_eq!(steps.iter().map(|s| (s.seq, s.kind.as_str())).collect::<Vec<_>>(), [(1, "report"), (2, "dispatch"), (3, "dispatch")]);
    assert_eq!(steps[1].task_id, Some(dispatched.case.tasks[0].id), "each dispatch step names its new task");
    let photo = steps[2].attachments[0];
    assert_eq!(db.store.photo(photo).await.unwrap().unwrap().data, vec![1, 2, 3]);

    let log = db.store.events_after(0, 10).await.unwrap();
    assert_eq!(log.iter().map(|e| e.case.state).collect::<Vec<_>>(), [CaseState::Reported, CaseState::Dispatched]);
    assert_eq!(db.store.event_range().await.unwrap(), (Some(created.id), dispatched.id));

    use zhizhi_server::storage::{CaseFilter, CaseScope};
    let of = |post: i64| CaseFilter { scope: CaseScope::Of { user_id: 0, post_id: Some(post), grid_ids: vec![], district: false, street_id: None, whole_street: None }, limit: 10, ..Default::default() };
    assert_eq!(db.store.cases(&of(14)).await.unwrap().len(), 1);
    assert_eq!(db.store.cases(&of(15)).await.unwrap().len(), 0);
    let overdue = CaseFilter { overdue_at: Some(now + 3_600_001 + 1000), limit: 10, ..Default::default() };
    assert_eq!(db.store.cases(&overdue).await.unwrap().len(), 1);
    let by_state = CaseFilter { states: vec![CaseState::Closed], limit: 10, ..Default::default() };
    assert!(db.store.cases(&by_state).await.unwrap().is_empty());
    let found = db.store.search_buildings("磁南街27号", &[], 5).await.unwrap();
    assert_eq!(found[0].address, "磁南街27号");
}

async fn a_stale_case_write_changes_nothing(db: &TestDb) {
    db.store.import_district(demo(), &quiet).await.unwrap();
    let now = 1_796_000_000_000;
    let created = db.store.write_case(&new_case(now)).await.unwrap();
    let id = created.case.id;
    db.store.write_case(&dispatch(id, created.case.version, now)).await.unwrap();
    let again = db.store.write_case(&dispatch(id, created.case.version, now)).await;
    assert!(matches!(again, Err(zhizhi_server::storage::Error::Stale)), "{again:?}");
    let case = db.store.case(id).await.unwrap().unwrap();
    assert_eq!(case.tasks.len(), 2, "the refused write added no tasks");
    assert_eq!(db.store.case_steps(id).await.unwrap().len(), 3);
    assert_eq!(db.store.event_range().await.unwrap().1, created.id + 1, "and no event");
}

fn stored(device_id: i64, msg_id: &str, ts: i64) -> zhizhi_server::storage::iot::StoredMessage {
    zhizhi_server::storage::iot::StoredMessage { device_id, msg_id: msg_id.into(), ts, received_at: ts, kind: "heartbeat".into(), payload: "{}".into() }
}

async fn device_messages_are_stored_once_with_their_alarms(db: &TestDb) {
    use zhizhi_server::storage::iot::{AlarmFilter, Evaluated, NewAlarm};
    use zhizhi_shared::iot::Rule;
    db.store.import_district(demo(), &quiet).await.unwrap();
    let devices = db.store.device_records(None).await.unwrap();
    assert_eq!(devices.len(), demo().devices.len());
    let d = &devices[0];
    assert_eq!(d.state, Default::default(), "a device never heard has an empty state");
    let alarm = |at| NewAlarm { device_id: d.id, rule: Rule::Smoke, level: zhizhi_shared::case::Urgency::Critical, detail: "烟感探测器报警".into(), at, wants_case: true };
    let mut seen = Vec::new();
    let (new, ids) = db
        .store
        .ingest(&[stored(d.id, "m1", 1), stored(d.id, "m2", 2)], &mut |new: &[bool]| {
            seen = new.to_vec();
            Evaluated { states: vec![(d.id, r#"{"messages":2,"smoke":true}"#.into())], raises: vec![alarm(2)], ..Default::default() }
        })
        .await
        .unwrap();
    assert_eq!((new, seen, ids.len()), (vec![true, true], vec![true, true], 1));
    // The same keys again (one new): the old ones are recognised.
    let (new, _) = db.store.ingest(&[stored(d.id, "m2", 2), stored(d.id, "m3", 3)], &mut |_: &[bool]| Evaluated::default()).await.unwrap();
    assert_eq!(new, vec![false, true]);
    assert!(db.store.has_message(d.id, "m3").await.unwrap());
    assert_eq!(db.store.recent_messages(d.id, 10).await.unwrap().iter().map(|m| m.msg_id.as_str()).collect::<Vec<_>>(), ["m3", "m2", "m1"]);
    let again = db.store.device_records(Some(d.id)).await.unwrap().remove(0);
    assert_eq!((again.state.messages, again.state.smoke), (2, true));
    // A second open alarm of the same rule is refused by the database, and nothing of that
    // transaction stays.
    let err = db.store.ingest(&[stored(d.id, "m4", 4)], &mut |_: &[bool]| Evaluated { raises: vec![alarm(4)], ..Default::default() }).await;
    assert!(err.is_err());
    assert!(!db.store.has_message(d.id, "m4").await.unwrap(), "the failed batch left nothing");
    // Cleared, it may be raised again.
    db.store.ingest(&[], &mut |_: &[bool]| Evaluated { clears: vec![(d.id, Rule::Smoke, 5)], raises: vec![alarm(6)], ..Default::default() }).await.unwrap();
    let alarms = db.store.alarms(&AlarmFilter { device_id: Some(d.id), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(alarms.iter().map(|a| a.cleared_at).collect::<Vec<_>>(), [None, Some(5)]);
    assert_eq!(db.store.alarms_without_case().await.unwrap().len(), 2);
    assert_eq!(db.store.prune_messages(3).await.unwrap(), 2);
}

async fn devices_are_registered_and_an_alarm_gets_one_case(db: &TestDb) {
    use zhizhi_server::storage::iot::{DeviceRow, Evaluated, NewAlarm};
    use zhizhi_shared::iot::{Outcome, Rule};
    db.store.import_district(demo(), &quiet).await.unwrap();
    let b = &demo().buildings[0];
    let row = DeviceRow { code: "YG-T1".into(), kind: zhizhi_shared::device::DeviceKind::SmokeDetector, model: "X".into(), profile: String::new(), micro_grid_id: b.micro_grid_id, building_id: Some(b.id), floor: Some(2), household_id: None, resident_id: None, lon: b.anchor()[0], lat: b.anchor()[1] };
    let ids = db.store.save_devices(&[row.clone()], 10).await.unwrap();
    assert_eq!(ids[0], demo().devices.len() as i64 + 1);
    // Saving the same code changes that device.
    let again = db.store.save_devices(&[DeviceRow { floor: Some(4), ..row }], 11).await.unwrap();
    assert_eq!(again, ids);
    let rec = db.store.device_records(Some(ids[0])).await.unwrap().remove(0);
    assert_eq!((rec.floor, rec.address.clone()), (Some(4), format!("{} 4层", b.address)));
    assert!(db.store.set_device_retired(ids[0], Some(12)).await.unwrap());
    assert!(db.store.device_records(Some(ids[0])).await.unwrap()[0].retired);
    // An alarm, its case, and a second attempt to give it a case.
    let (_, alarm) = db.store.ingest(&[], &mut |_: &[bool]| Evaluated { raises: vec![NewAlarm { device_id: ids[0], rule: Rule::Smoke, level: zhizhi_shared::case::Urgency::Critical, detail: "x".into(), at: 13, wants_case: true }], ..Default::default() }).await.unwrap();
    let mut w = new_case(14);
    w.link_alarm = Some(alarm[0]);
    let case = db.store.write_case(&w).await.unwrap().case;
    assert!(matches!(db.store.write_case(&w).await, Err(Error::Stale)), "an alarm gets one case");
    assert_eq!(db.store.cases(&storage::CaseFilter { limit: 100, ..Default::default() }).await.unwrap().len(), 1);
    assert_eq!(db.store.open_alarm_case(ids[0], Rule::Smoke).await.unwrap(), Some(case.id));
    assert!(db.store.alarms_without_case().await.unwrap().is_empty());
    // Closing the case as a false alarm concludes the alarm; the rate counts it.
    let mut close = dispatch(case.id, case.version, 15);
    close.new_tasks.clear();
    close.steps.clear();
    close.photo = None;
    close.conclude_alarms = Some((Outcome::FalseAlarm, "误报".into()));
    db.store.write_case(&close).await.unwrap();
    let (by_rule, by_device) = db.store.false_alarm_rates().await.unwrap();
    assert_eq!(by_rule.iter().map(|r| (r.key.as_str(), r.concluded, r.false_alarms)).collect::<Vec<_>>(), [("smoke", 1, 1)]);
    assert_eq!(by_device[0].key, "YG-T1");
}

async fn a_grid_division_is_saved_whole_or_not_at_all(db: &TestDb) {
    use zhizhi_shared::map::edit::Shape;
    db.store.import_district(demo(), &quiet).await.unwrap();
    let d = db.store.division(3).await.unwrap().unwrap();
    assert_eq!(d.version, 1);
    let shapes: Vec<Shape> = d.micro_grids.iter().map(|m| Shape { id: Some(m.id), name: m.name.clone(), boundary: m.boundary.clone() }).collect();
    // Leaving out a micro-grid that holds buildings: refused, naming a building; nothing changed.
    let err = db.store.save_division(3, 1, &shapes[1..], 1).await.unwrap_err();
    assert!(matches!(&err, Error::Invalid(m) if m.contains("不在任何微网格内")), "{err}");
    assert_eq!(db.store.division(3).await.unwrap().unwrap(), d);
    // A stale version changes nothing either.
    assert!(matches!(db.store.save_division(3, 7, &shapes, 1).await, Err(Error::Stale)));
    // The first micro-grid takes the second's place: the second is retired, its buildings move.
    let (a, b) = (&d.micro_grids[0], &d.micro_grids[1]);
    let merged = zhizhi_shared::map::edit::merge(&a.boundary, &b.boundary).unwrap();
    let mut new = vec![Shape { id: Some(a.id), name: a.name.clone(), boundary: merged }];
    new.extend(shapes[2..].iter().cloned());
    let saved = db.store.save_division(3, 1, &new, 1).await.unwrap();
    assert_eq!((saved.version, saved.retired.clone()), (2, vec![b.id]));
    let moved = demo().buildings.iter().filter(|x| x.micro_grid_id == b.id).count() as i64;
    assert_eq!(saved.buildings_moved, moved);
    let after = db.store.division(3).await.unwrap().unwrap();
    assert_eq!(after.micro_grids.len(), d.micro_grids.len() - 1);
    assert_eq!(db.store.micro_grid_at(b.boundary.centroid()).await.unwrap().unwrap().id, a.id);
    assert_eq!(db.store.summary().await.unwrap().micro_grids, demo().micro_grids.len() as i64 - 1);
}

async fn plans_keep_every_version_and_an_activation_is_written_with_its_tasks(db: &TestDb) {
    use zhizhi_server::storage::plans::{ActivationWrite, TaskPlan};
    use zhizhi_shared::case::Holder;
    use zhizhi_shared::plan::{ActivationState, Level, PlanSave, demo};
    db.store
        .import_district(demo(), &|_, _, _| {})
        .await
        .unwrap();
    let body = demo::plans().remove(0);
    let save = PlanSave {
        body: body.clone(),
        retired: false,
        lessons_from: None,
    };
    let first = db
        .store
        .save_plan(None, None, &save, "guanliyuan", 1_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.version, 1);
    let mut revised = save.clone();
    revised.body.trigger = "修订后的启动条件".into();
    let second = db
        .store
        .save_plan(Some(first.id), Some(1), &revised, "guanliyuan", 2_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (second.version, second.body.trigger.as_str()),
        (2, "修订后的启动条件")
    );
    // An edit of version 1 after version 2 exists is refused and writes nothing.
    let stale = db
        .store
        .save_plan(Some(first.id), Some(1), &save, "guanliyuan", 3_000)
        .await;
    assert!(matches!(stale, Err(Error::Stale)), "{stale:?}");
    assert_eq!(db.store.plan(first.id).await.unwrap().unwrap().version, 2);
    assert_eq!(
        db.store.plan_version(first.id, 1).await.unwrap().unwrap(),
        body,
        "the old version is kept as it was"
    );
    assert!(
        db.store
            .save_plan(Some(999), None, &save, "guanliyuan", 3_000)
            .await
            .unwrap()
            .is_none()
    );

    // A case opened with an activation, two posts and two district items, in one write.
    let mut w = new_case(10_000);
    let holders = [
        Holder::Post(14),
        Holder::Post(18),
        Holder::District,
        Holder::District,
    ];
    w.new_tasks = holders.iter().map(|h| (*h, 20_000)).collect();
    w.task_plans = holders
        .iter()
        .enumerate()
        .map(|(i, _)| {
            Some(TaskPlan {
                level: Level::Iv,
                instruction: format!("任务 {i}"),
                checklist: vec!["到场".into()],
            })
        })
        .collect();
    for h in holders {
        let mut s = w.steps[0].clone();
        s.kind = "dispatch".into();
        s.new_task_holder = Some(h);
        w.steps.push(s);
    }
    w.activation = Some(ActivationWrite::Start {
        plan_id: first.id,
        version: 2,
        plan_name: body.name.clone(),
        level: Level::Iv,
        drill: true,
        by: "值班员".into(),
    });
    let event = db.store.write_case(&w).await.unwrap();
    let case = event.case;
    let a = case
        .activation
        .clone()
        .expect("the case carries its activation");
    assert_eq!(
        (a.version, a.level, a.drill, a.state),
        (2, Level::Iv, true, ActivationState::Running)
    );
    assert_eq!(case.tasks.len(), 4);
    assert_eq!(
        case.tasks
            .iter()
            .filter(|t| t.holder == Holder::District)
            .count(),
        2
    );
    assert!(case.tasks.iter().all(|t| {
        t.plan
            .as_ref()
            .is_some_and(|p| p.activation_id == a.id && p.checklist == ["到场"])
    }));
    // Each dispatch step names its own task, even the district's two.
    let steps = db.store.case_steps(case.id).await.unwrap();
    let named: Vec<i64> = steps.iter().filter_map(|s| s.task_id).collect();
    let mut ids: Vec<i64> = case.tasks.iter().map(|t| t.id).collect();
    ids.sort();
    let mut sorted = named.clone();
    sorted.sort();
    assert_eq!(sorted, ids, "{named:?}");
    let record = db.store.activation(a.id).await.unwrap().unwrap();
    assert_eq!(record.activated_by, "值班员");
    assert_eq!(db.store.activations(true, 10).await.unwrap(), vec![a]);
}
