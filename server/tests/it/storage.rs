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
    sessions_end_when_idle_or_too_old,
    usernames_are_unique,
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

async fn sessions_end_when_idle_or_too_old(db: &TestDb) {
    use zhizhi_server::storage::NewUser;
    let id = db.store.create_user(&NewUser {
        username: "wanggeyuan".into(), display_name: "网格员".into(), password_hash: "x".into(),
        roles: vec![zhizhi_shared::auth::Role::GridWorker], post_id: None, grid_ids: vec![1, 2], now: 0,
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
        roles: vec![zhizhi_shared::auth::Role::Command], post_id: None, grid_ids: vec![], now: 0,
    };
    db.store.create_user(&new).await.unwrap();
    let err = db.store.create_user(&new).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    assert_eq!(db.store.users().await.unwrap().len(), 1);
}
