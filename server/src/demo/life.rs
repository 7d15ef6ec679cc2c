//! The demo street's life (`zhizhi_shared::demo::life`) played through the real case service:
//! a year of history, each move made with the clock set to its own time, and a light live
//! simulation in real time (a few reports an hour, dispatched, handled and closed by the
//! simulated staff), so that a newcomer's first minute shows the product working.
//!
//! The people acting are the demo's: the command centre's and the district's accounts, the
//! posts' accounts (or, for posts without a demo account, a member of the post's staff), and
//! the grid worker of the place for patrol finds.

use crate::cases::Cases;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::Store;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::{CaseDetail, NewCase};
use zhizhi_shared::case::{self, Action, Holder, Source};
use zhizhi_shared::demo::life::{self, CasePlan, Move};
use zhizhi_shared::demo::{District, Rng, DEFAULT_SEED};
use zhizhi_shared::org::Duty;

/// Who acts in the demo's life.
pub struct Cast {
    command: Principal,
    district: Principal,
    /// Post id → who acts for it.
    posts: HashMap<i64, Principal>,
    /// Post name → id.
    post_ids: HashMap<String, i64>,
    /// The coordination post, to which a returned task goes.
    coordination: i64,
    /// (building id, the grid worker's principal)
    buildings: Vec<(i64, Principal)>,
    /// Residents' names and phones for reports by phone and the public form.
    callers: Vec<(String, String)>,
}

fn staff_principal(id: i64, name: &str, role: Role, post_id: Option<i64>, grid_ids: Vec<i64>) -> Principal {
    Principal { user_id: 0, username: format!("staff-{id}"), display_name: name.to_string(), roles: vec![role], post_id, grid_ids, password_expired: false, street_id: None, street_grids: vec![] }
}

impl Cast {
    /// The demo's people, from the demo district and the stored accounts (`demo::accounts`
    /// must have run).
    pub async fn new(store: &dyn Store, d: &District) -> ServiceResult<Cast> {
        let account = |name: &'static str| async move {
            store.user_by_username(name).await?.map(|u| u.principal()).ok_or_else(|| ServiceError::NotFound("没有示范账号（请用 --demo 启动）"))
        };
        let command = account("zhihui").await?;
        let district = account("quchengyun").await?;
        let mut posts = HashMap::new();
        for (username, _, _) in super::DEMO_ACCOUNTS {
            if let Some(u) = store.user_by_username(username).await? {
                if let (Some(p), true) = (u.post_id, u.roles.contains(&Role::Post)) {
                    posts.insert(p, u.principal());
                }
            }
        }
        for s in d.staff.iter().filter(|s| s.duty == Duty::Post) {
            if let Some(p) = s.post_id {
                posts.entry(p).or_insert_with(|| staff_principal(s.id, &s.name, Role::Post, Some(p), vec![]));
            }
        }
        // A post with nobody on its staff list (the command centre's own) acts as its duty desk.
        for p in &d.posts {
            posts.entry(p.id).or_insert_with(|| Principal {
                username: format!("post-{}", p.id),
                ..staff_principal(p.id, &format!("{}值班人员", p.name), Role::Post, Some(p.id), vec![])
            });
        }
        let post_ids: HashMap<String, i64> = d.posts.iter().map(|p| (p.name.clone(), p.id)).collect();
        let coordination = post_ids.get("综合协调").copied().or_else(|| d.posts.first().map(|p| p.id)).unwrap_or(0);
        let grid_of_micro: HashMap<i64, i64> = d.micro_grids.iter().map(|m| (m.id, m.grid_id)).collect();
        let buildings = d
            .buildings
            .iter()
            .filter_map(|b| {
                let grid = d.grids.iter().find(|g| Some(&g.id) == grid_of_micro.get(&b.micro_grid_id))?;
                let worker = d.staff.iter().find(|s| Some(s.id) == grid.worker_id)?;
                Some((b.id, staff_principal(worker.id, &worker.name, Role::GridWorker, None, vec![grid.id])))
            })
            .collect::<Vec<_>>();
        let callers = d.residents.iter().step_by(97).map(|r| (r.name.clone(), r.phone.clone())).collect();
        if buildings.is_empty() {
            return Err(ServiceError::NotFound("示范街道没有配有网格员的楼栋"));
        }
        Ok(Cast { command, district, posts, post_ids, coordination, buildings, callers })
    }
}

/// A case of the demo's life as it stands, with who reported it and which post it goes to.
pub struct Playing {
    case: CaseDetail,
    worker: Principal,
    post: i64,
}

/// Reports `plan`'s case (at a building the generator picks, by the people its source names).
pub async fn report(cases: &Cases, cast: &Cast, plan: &CasePlan, rng: &mut Rng) -> ServiceResult<Playing> {
    let (building, worker) = rng.pick(&cast.buildings).clone();
    let (name, phone) = rng.pick(&cast.callers).clone();
    let reporter = if plan.source == Source::Patrol { &worker } else { &cast.command };
    let by_phone = matches!(plan.source, Source::Hotline | Source::Resident);
    let new = NewCase {
        category: plan.category.into(),
        description: plan.description.into(),
        building_id: Some(building),
        source: Some(plan.source),
        reporter_name: if by_phone { name } else { String::new() },
        reporter_phone: if by_phone { phone } else { String::new() },
        ..Default::default()
    };
    let case = cases.report(reporter, new, plan.at).await?;
    let category = case::category(plan.category).ok_or_else(|| ServiceError::invalid("category", plan.category))?;
    let post = cast.post_ids.get(category.post).copied().unwrap_or(cast.coordination);
    Ok(Playing { case, worker, post })
}

/// Makes move `m` at `at` on the case through the case service, as the one whose move it is.
pub async fn make(cases: &Cases, cast: &Cast, p: &mut Playing, m: Move, at: i64) -> ServiceResult<()> {
    let task = p.case.case.tasks.iter().rev().find(|t| t.state.is_open()).map(|t| (t.id, t.holder));
    let task_id = task.map_or(0, |t| t.0);
    let holder = match task {
        Some((_, Holder::Post(post))) => cast.posts.get(&post).unwrap_or(&cast.command),
        Some((_, Holder::Grid(_))) => &p.worker,
        _ => &cast.command,
    };
    let (who, action) = match m {
        Move::Dispatch => (&cast.command, Action::Dispatch { holders: vec![Holder::Post(p.post)], note: String::new() }),
        Move::Redispatch => {
            let to = if p.post == cast.coordination { cast.post_ids.values().copied().find(|x| *x != p.post).unwrap_or(p.post) } else { cast.coordination };
            (&cast.command, Action::Dispatch { holders: vec![Holder::Post(to)], note: "改派".into() })
        }
        Move::AcceptTask => (holder, Action::AcceptTask { task_id }),
        Move::CheckIn => (holder, Action::CheckIn { task_id, lon: p.case.case.lon, lat: p.case.case.lat }),
        Move::ReturnTask => (holder, Action::ReturnTask { task_id, reason: "不属于本岗位职责，请改派".into() }),
        Move::ReportBack => (holder, Action::ReportBack { task_id, note: "已到场处置完毕，现场已恢复".into() }),
        Move::Rework => (&cast.command, Action::Rework { reason: "现场复查仍未整改到位".into() }),
        Move::Verify => (&cast.command, Action::Verify { note: "回访核实，处置到位".into() }),
        Move::Close => (&cast.command, Action::Close { note: "处置完毕，予以结案".into() }),
        Move::Reject => (&cast.command, Action::Reject { reason: "重复上报，已并入在办事件".into() }),
        Move::FalseAlarm => (holder, Action::FalseAlarm { reason: "现场核实无异常，设备误报".into() }),
        Move::Escalate => (&cast.command, Action::Escalate { reason: "涉及跨区经营主体，街道无执法权限".into() }),
        Move::DistrictResolve => (&cast.district, Action::DistrictResolve { note: "区市场监管局已调解，商户退还差价".into() }),
        Move::Suspend => (&cast.command, Action::Suspend { reason: "等待天气好转后施工".into() }),
        Move::Resume => (&cast.command, Action::Resume),
        Move::Callback(score) => {
            let comment = if score >= 4 { "来电人表示满意" } else if score == 3 { "来电人表示基本满意" } else { "来电人认为处理不够及时" };
            let rating = zhizhi_shared::case::follow::NewRating { score, comment: comment.into() };
            p.case = cases.record_callback(&cast.command, p.case.case.id, rating, at).await?;
            return Ok(());
        }
        Move::Review => {
            let done = zhizhi_shared::case::follow::ReviewDone { note: "已再次回访，向来电人说明处置情况并致歉".into() };
            p.case = cases.conclude_review(&cast.command, p.case.case.id, done, at).await?;
            return Ok(());
        }
    };
    p.case = cases.act(who, p.case.case.id, &action, None, at).await?;
    Ok(())
}

/// Plays `plan` through the case service, every move whose time is before `until` (a case
/// whose life goes on past it stays open where it stands).
pub async fn play(cases: &Cases, cast: &Cast, plan: &CasePlan, rng: &mut Rng, until: i64) -> ServiceResult<()> {
    let mut p = report(cases, cast, plan, rng).await?;
    for &(at, m) in plan.moves.iter().take_while(|(at, _)| *at < until) {
        make(cases, cast, &mut p, m, at).await?;
    }
    Ok(())
}

/// Plays `days` days of history up to yesterday (`per_day` cases on an ordinary weekday),
/// saying how far it has got; the number of cases.
pub async fn history(cases: &Cases, store: &dyn Store, days: i64, per_day: f64, now: i64) -> ServiceResult<usize> {
    let d = zhizhi_shared::demo::generate(DEFAULT_SEED);
    let cast = Cast::new(store, &d).await?;
    let plans = life::history(DEFAULT_SEED ^ 0x141, days, per_day, now);
    let mut rng = Rng::new(DEFAULT_SEED ^ 0x5A);
    let started = std::time::Instant::now();
    println!("正在生成示范街道近 {days} 天的事件历史：{} 件（经真实办理流程写入）", plans.len());
    crate::kpis::DEMO_HISTORY.planned.store(plans.len() as i64, Ordering::Relaxed);
    for (i, plan) in plans.iter().enumerate() {
        play(cases, &cast, plan, &mut rng, now).await?;
        crate::kpis::DEMO_HISTORY.played.store(i as i64 + 1, Ordering::Relaxed);
        if (i + 1) % 500 == 0 || i + 1 == plans.len() {
            println!("  事件历史 {}/{}（{:.0} 秒）", i + 1, plans.len(), started.elapsed().as_secs_f64());
        }
    }
    Ok(plans.len())
}

/// The live simulation: about `per_hour` new cases an hour, each living its life in real time
/// (moves more than `compress`-fold faster than in the history, so that cases close while one
/// watches). Runs until the process ends.
pub async fn live(cases: Cases, store: std::sync::Arc<dyn Store>, per_hour: f64, compress: i64) {
    let d = zhizhi_shared::demo::generate(DEFAULT_SEED);
    let cast = match Cast::new(store.as_ref(), &d).await {
        Ok(c) => std::sync::Arc::new(c),
        Err(e) => {
            tracing::warn!("live demo simulation not started: {e}");
            return;
        }
    };
    let mut rng = Rng::new(crate::auth::now_ms() as u64);
    let categories: Vec<&'static str> = case::category::CATEGORIES.iter().map(|c| c.code).collect();
    println!("示范实时模拟已开启：约每小时 {per_hour:.0} 件事件（--no-simulation 关闭）");
    // The first report comes soon after the start, so that a newcomer sees one arrive.
    let mut wait = 15.0;
    loop {
        tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        // The time to the next report: exponential, `per_hour` on average.
        wait = (-(1.0 - rng.unit()).ln() * 3_600.0 / per_hour.max(0.1)).clamp(5.0, 3_600.0);
        let now = crate::auth::now_ms();
        let category = *rng.pick(&categories);
        let source = if category.starts_with("fire.smoke") || category == "care.elderly_alone" { Source::Iot } else { *rng.pick(&[Source::Patrol, Source::Patrol, Source::Resident, Source::Hotline]) };
        let mut plan = life::life(&mut rng, now, category, source);
        for m in plan.moves.iter_mut() {
            m.0 = now + (m.0 - now) / compress.max(1);
        }
        let (cases, cast, seed) = (cases.clone(), cast.clone(), rng.next_u64());
        tokio::spawn(async move {
            let mut rng = Rng::new(seed);
            if let Err(e) = live_case(&cases, &cast, &plan, &mut rng).await {
                tracing::debug!("a simulated case stopped: {e}");
            }
        });
    }
}

/// One live case: reported now, each move made when its time comes, on the case as it then
/// stands (a move refused because staff acted on the case meanwhile ends its simulation).
pub async fn live_case(cases: &Cases, cast: &Cast, plan: &CasePlan, rng: &mut Rng) -> ServiceResult<()> {
    let mut p = report(cases, cast, plan, rng).await?;
    for &(at, m) in &plan.moves {
        let wait = at - crate::auth::now_ms();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        }
        p.case = cases.detail(&cast.command, p.case.case.id).await?;
        make(cases, cast, &mut p, m, crate::auth::now_ms()).await?;
    }
    Ok(())
}

/// What `serve --demo` starts: `history_days` of history (on a new demo database) in the
/// background, and beside it the live simulation at `per_hour` cases an hour if asked, through
/// `cases` (whose events reach open screens). The history's events go to a hub of their own:
/// a year played in minutes would flood the screens open meanwhile (on SQLite; on PostgreSQL
/// the event log notifies every copy of them, and open screens catch up with them).
pub async fn run(cases: Cases, history_days: i64, per_hour: Option<f64>) {
    let store = cases.store.clone();
    if let Some(per_hour) = per_hour {
        tokio::spawn(live(cases, store.clone(), per_hour, 6));
    }
    if history_days > 0 {
        let quiet = Cases { store: store.clone(), hub: std::sync::Arc::new(crate::live::Quiet) };
        match history(&quiet, store.as_ref(), history_days, 20.0, crate::auth::now_ms()).await {
            Ok(n) => println!("示范事件历史已生成：{n} 件"),
            Err(e) => tracing::warn!("demo history stopped: {e}"),
        }
    }
}
