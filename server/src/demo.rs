//! Loading the demo district into an empty database, with progress on the console.

pub mod life;
mod supervision;
pub use supervision::supervision;

use crate::storage::{Error, Store};
use std::time::Instant;
use zhizhi_shared::demo::{generate, DEFAULT_SEED};

/// What loading the demo did.
#[derive(Debug, PartialEq, Eq)]
pub enum Loaded {
    /// The demo street was written, with this many records.
    Fresh { records: usize },
    /// A street was already stored; nothing was written.
    AlreadyThere,
}

/// Generates the demo district and stores it, unless a street is already stored.
pub async fn load(store: &dyn Store) -> Result<Loaded, Error> {
    let started = Instant::now();
    let district = generate(DEFAULT_SEED);
    let s = district.summary();
    let records = (s.communities + s.grids + s.micro_grids + s.buildings + s.households + s.residents + s.enterprises + s.devices + s.staff) as usize;
    println!(
        "示范街道已生成（{:.1} 秒）：{} 个社区、{} 个网格、{} 个微网格、{} 栋楼、{} 户、{} 名居民、{} 家企业商户、{} 台设备",
        started.elapsed().as_secs_f64(),
        s.communities, s.grids, s.micro_grids, s.buildings, s.households, s.residents, s.enterprises, s.devices
    );
    let progress = |table: &str, done: usize, total: usize| {
        if done == total || done % 10_000 == 0 {
            println!("  写入{table} {done}/{total}");
        }
    };
    match store.import_district(&district, &progress).await {
        Ok(()) => {
            println!("示范街道已载入，共 {records} 条记录，用时 {:.1} 秒", started.elapsed().as_secs_f64());
            Ok(Loaded::Fresh { records })
        }
        Err(Error::NotEmpty) => {
            println!("数据库中已有街道数据，不再载入示范街道");
            Ok(Loaded::AlreadyThere)
        }
        Err(e) => Err(e),
    }
}

/// The demo's accounts: one per role (command staff twice: the duty officer and the duty leader,
/// who watch a video call together), all with [`DEMO_PASSWORD`]; post staff for the six posts
/// the tourism dispute plan calls. The grid worker answers for the grid of 磁南街 (the
/// article's address).
pub const DEMO_ACCOUNTS: [(&str, &str, &str); 13] = [
    ("zhihui", "指挥中心值班员", "command"),
    ("lingdao", "街道值班领导", "command"),
    ("wanggeyuan", "磁南街网格员", "grid_worker"),
    ("chengguan", "城市管理岗", "post"),
    ("zhifa", "综合执法岗", "post"),
    ("xuanchuan", "宣传统战岗", "post"),
    ("shijian", "市场监管岗", "post"),
    ("wenlv", "文旅服务岗", "post"),
    ("minjing", "派出所民警", "post"),
    ("guanliyuan", "系统管理员", "admin"),
    ("quchengyun", "区城运中心", "district"),
    ("xiaofang", "消防救援站", "post"),
    ("qusifaju", "区司法局审批员", "approver"),
];

/// The post of each demo account that has one.
const DEMO_POSTS: [(&str, &str); 8] = [
    ("chengguan", "城市管理"),
    ("zhifa", "综合执法"),
    ("xuanchuan", "宣传统战"),
    ("shijian", "市场监管"),
    ("wenlv", "文旅服务"),
    ("minjing", "派出所"),
    ("zhihui", "综合协调"),
    ("xiaofang", "消防救援站"),
];

/// Makes the demo a district of `total` streets: adds the streets after the demo street
/// ([`zhizhi_shared::demo::streets`]) that are missing, each with its command staff
/// (`zhihui02` …) and the grid worker of its first grid (`wanggeyuan02` …), and the district's
/// command centre (`quzhihui`), who sees every street. Run before [`accounts`], so that the
/// demo street's own staff are then tied to it.
pub async fn streets(store: &dyn Store, total: usize) -> Result<(), Error> {
    use crate::storage::NewUser;
    use zhizhi_shared::auth::Role;
    if total <= 1 {
        return Ok(());
    }
    let copies = zhizhi_shared::demo::streets::copies(&generate(DEFAULT_SEED), total);
    let added = store.add_streets(&copies).await?;
    let hash = crate::auth::hash_password(DEMO_PASSWORD);
    let mut accounts = vec![("quzhihui".to_string(), "区指挥中心（全区）".to_string(), Role::Command, None, vec![])];
    for c in &copies {
        let n = &c.code[1..];
        let short = c.street.name.trim_end_matches("街道");
        accounts.push((format!("zhihui{n}"), format!("{short}指挥中心值班员"), Role::Command, Some(c.street.id), vec![]));
        let first_grid = c.grids.first().map(|g| g.id).into_iter().collect();
        accounts.push((format!("wanggeyuan{n}"), format!("{short}网格员"), Role::GridWorker, Some(c.street.id), first_grid));
    }
    let mut created = 0;
    for (username, display_name, role, street_id, grid_ids) in accounts {
        if store.user_by_username(&username).await?.is_some() {
            continue;
        }
        let now = crate::auth::now_ms();
        store
            .create_user(&NewUser { username: username.clone(), display_name, password_hash: hash.clone(), roles: vec![role], post_id: None, grid_ids, street_id, now })
            .await?;
        store.append_audit(now, "system", "user_create", &format!("user:{username}"), "示范账号").await?;
        created += 1;
    }
    println!(
        "示范城区：{total} 个街道（新增 {added} 个），新建账号 {created} 个：quzhihui 看全区，zhihui02…zhihui{total:02} 各看本街道，密码同上"
    );
    Ok(())
}

/// Stores the demo street's contingency plans if no plan is stored yet.
pub async fn plans(store: &dyn Store) -> Result<(), Error> {
    if !store.plans().await?.is_empty() {
        return Ok(());
    }
    let now = crate::auth::now_ms();
    let list = zhizhi_shared::plan::demo::plans();
    for body in &list {
        let save = zhizhi_shared::plan::PlanSave {
            body: body.clone(),
            retired: false,
            lessons_from: None,
        };
        store.save_plan(None, None, &save, "system", now).await?;
    }
    println!("示范应急预案已载入：{} 个", list.len());
    Ok(())
}

/// Stores the demo street's flood set-up (its gauges' lines, three flood zones, three
/// shelters) if no gauge is set up yet.
pub async fn flood(store: &dyn Store) -> Result<(), Error> {
    if !store.flood_gauges().await?.is_empty() {
        return Ok(());
    }
    let f = zhizhi_shared::flood::demo::setup(&generate(DEFAULT_SEED));
    for (device_id, settings) in &f.gauges {
        store.save_flood_gauge(*device_id, settings).await?;
    }
    store.import_flood_zones(&f.zones, true, crate::auth::now_ms()).await?;
    for s in &f.shelters {
        store.add_flood_shelter(s).await?;
    }
    println!("示范防汛设置已载入：水位站 {} 个，淹没区 {} 个，安置点 {} 个", f.gauges.len(), f.zones.len(), f.shelters.len());
    Ok(())
}

/// The password of every demo account. It is public (printed and in the README): never use
/// `--demo` data for real work.
pub const DEMO_PASSWORD: &str = "Ciqikou-141-demo";

/// Creates the demo accounts if they are missing, and prints them.
pub async fn accounts(store: &dyn Store) -> Result<(), Error> {
    use crate::storage::NewUser;
    use zhizhi_shared::auth::Role;
    let boards = store.boards().await?;
    let post_id = |name: &str| boards.iter().flat_map(|b| &b.posts).find(|p| p.name == name).map(|p| p.id);
    let grid_of_cinan = store.grids().await?.into_iter().find(|g| g.code == "CQK-01-01").map(|g| g.id);
    // In a district of several streets, the demo street's own staff work for it alone.
    let streets = store.streets().await?;
    let home = if streets.len() > 1 { streets.first().map(|s| s.id) } else { None };
    let hash = crate::auth::hash_password(DEMO_PASSWORD);
    let mut created = Vec::new();
    for (username, display, role) in DEMO_ACCOUNTS {
        if store.user_by_username(username).await?.is_some() {
            continue;
        }
        let role = Role::from_code(role).expect("demo roles are valid codes");
        let post = DEMO_POSTS.iter().find(|p| p.0 == username).and_then(|p| post_id(p.1));
        let grids = if role == Role::GridWorker { grid_of_cinan.into_iter().collect() } else { Vec::new() };
        let street_id = home.filter(|_| matches!(role, Role::Command | Role::Post | Role::GridWorker));
        let now = crate::auth::now_ms();
        store
            .create_user(&NewUser { username: username.into(), display_name: display.into(), password_hash: hash.clone(), roles: vec![role], post_id: post, grid_ids: grids, street_id, now })
            .await?;
        store.append_audit(now, "system", "user_create", &format!("user:{username}"), "示范账号").await?;
        created.push((username, display));
    }
    if !created.is_empty() {
        println!("示范账号（密码均为 {DEMO_PASSWORD}，仅供演示）：");
        for (u, d) in created {
            println!("  {u:<12} {d}");
        }
    }
    Ok(())
}
