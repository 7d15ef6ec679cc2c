//! Contingency plans through the HTTP API: the 28 March story (a camera's crowd alert, the
//! grid worker's confirmation, the tourism dispute plan at level Ⅳ, six posts and the
//! district, stand-down and review) on both engines; level changes; drills beside a real
//! incident; refusals that change nothing; plan versions.

use crate::client::{App, Resp};
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const SIX_POSTS: [&str; 6] = [
    "宣传统战",
    "城市管理",
    "综合执法",
    "市场监管",
    "文旅服务",
    "派出所",
];
const POST_ACCOUNTS: [&str; 6] = [
    "xuanchuan",
    "chengguan",
    "zhifa",
    "shijian",
    "wenlv",
    "minjing",
];

async fn plan_id(app: &App, cookie: &str, name: &str) -> (i64, i64) {
    let plans = app.get("/api/v1/plans", Some(cookie)).await;
    assert_eq!(plans.status, StatusCode::OK, "{}", plans.body);
    let p = plans
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["body"]["name"] == name)
        .unwrap_or_else(|| panic!("no plan {name}"))
        .clone();
    (p["id"].as_i64().unwrap(), p["version"].as_i64().unwrap())
}

/// A crowd at the old-town gate, as the camera's AI reports it, confirmed on the scene by the
/// grid worker (task, check-in, 「属实」 with a head count). Returns the case id.
async fn confirmed_crowd(app: &App, command: &str, worker: &str) -> i64 {
    // 磁南街27号, in the demo grid worker's grid.
    let found = app
        .get(
            "/api/v1/buildings?q=%E7%A3%81%E5%8D%97%E8%A1%9727%E5%8F%B7",
            Some(command),
        )
        .await;
    let building = found.body[0]["id"]
        .as_i64()
        .expect("磁南街27号 exists in the demo street");
    let body = json!({ "category": "order.crowd", "source": "camera_ai", "description": "视频AI：古镇入口人员聚集约 80 人", "building_id": building });
    let r = app.post("/api/v1/cases", Some(command), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["case"]["id"].as_i64().unwrap();
    let grid = r.body["case"]["grid_id"].as_i64().unwrap();
    let d = act(app, command, id, json!({ "action": "dispatch", "holders": [{ "kind": "grid", "id": grid }], "note": "请就近核实" })).await;
    let task = d["case"]["tasks"][0]["id"].as_i64().unwrap();
    act(
        app,
        worker,
        id,
        json!({ "action": "check_in", "task_id": task, "lon": 106.4455, "lat": 29.5795 }),
    )
    .await;
    act(app, worker, id, json!({ "action": "report_back", "task_id": task, "note": "属实，现场约 80 人围观商户与游客争执" })).await;
    id
}

/// Activates plan `plan` as `cookie` with `body`.
async fn activate(app: &App, cookie: &str, plan: i64, body: Value) -> Resp {
    app.post(&format!("/api/v1/plans/{plan}/activations"), Some(cookie), body).await
}

/// Changes activation `id` as `cookie` (a level, a stand-down, a review).
async fn change(app: &App, cookie: &str, id: i64, body: Value) -> Resp {
    app.post(&format!("/api/v1/activations/{id}/changes"), Some(cookie), body).await
}

async fn act(app: &App, cookie: &str, id: i64, body: Value) -> Value {
    let r = app
        .post(
            &format!("/api/v1/cases/{id}/actions"),
            Some(cookie),
            body.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.body);
    r.body
}

fn tasks_of<'a>(view: &'a Value, holder_name: &str) -> Vec<&'a Value> {
    view["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["holder_name"] == holder_name)
        .collect()
}

#[tokio::test]
async fn the_28_march_story_runs_from_the_crowd_alert_to_the_review_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        story(&app).await;
        app.db.remove().await;
    }
}

async fn story(app: &App) {
    let (command, worker, district) = (
        app.login("zhihui").await,
        app.login("wanggeyuan").await,
        app.login("quchengyun").await,
    );
    let mut posts = Vec::new();
    for a in POST_ACCOUNTS {
        posts.push(app.login(a).await);
    }
    let case = confirmed_crowd(app, &command, &worker).await;
    // Each post's screen is open before the activation: the task must arrive on its stream.
    let mut streams = Vec::new();
    for p in &posts {
        let mut s = app.stream(p, None).await;
        assert_eq!(s.next(Duration::from_secs(5)).await.unwrap().event, "ready");
        streams.push(s);
    }
    let (plan, version) = plan_id(app, &command, "重大旅游消费纠纷处置预案").await;
    let r = activate(&app, &command, plan, json!({ "level": "iv", "case_id": case, "version": version })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let view = r.body;
    let activation = view["brief"]["id"].as_i64().unwrap();
    assert_eq!(view["brief"]["level"], "iv");
    assert_eq!(view["brief"]["drill"], false);
    assert_eq!(
        view["tasks"].as_array().unwrap().len(),
        9,
        "six posts and three district items: {view}"
    );
    for name in SIX_POSTS {
        let t = tasks_of(&view, name);
        assert_eq!(t.len(), 1, "{name}: {view}");
        assert!(!t[0]["instruction"].as_str().unwrap().is_empty());
        assert_eq!(t[0]["state"], "pending");
    }
    let district_items = tasks_of(&view, "区城运中心");
    assert_eq!(district_items.len(), 3);
    for item in ["食品质量检测", "行政处罚决定", "网络舆情管控"] {
        assert!(
            district_items
                .iter()
                .any(|t| t["instruction"].as_str().unwrap().contains(item)),
            "{item}"
        );
    }
    // Every post's open stream receives the case with its task, without asking.
    for (i, s) in streams.iter_mut().enumerate() {
        let (_, c) = s.next_case(Duration::from_secs(5)).await;
        assert_eq!(c["id"], case);
        assert_eq!(c["activation"]["id"], activation);
        assert!(
            c["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["holder_name"] == SIX_POSTS[i]
                    && t["plan"]["activation_id"] == activation),
            "{}",
            SIX_POSTS[i]
        );
        // The activation follows as its own event, for clients that follow plans only.
        let e = s.next(Duration::from_secs(5)).await.expect("an activation event");
        assert_eq!((e.event.as_str(), e.id), ("activation", None), "{e:?}");
        let brief: serde_json::Value = serde_json::from_str(&e.data).unwrap();
        assert_eq!((brief["id"].as_i64(), brief["level"].as_str(), brief["state"].as_str()), (Some(activation), Some("iv"), Some("running")));
    }
    // The district finds the case in its list and answers its items there.
    let listed = app.get("/api/v1/cases?state=open", Some(&district)).await;
    assert!(
        listed.body["cases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == case),
        "the district's list holds the plan's case"
    );
    for t in district_items {
        let task = t["task_id"].as_i64().unwrap();
        act(
            app,
            &district,
            case,
            json!({ "action": "accept_task", "task_id": task }),
        )
        .await;
        act(app, &district, case, json!({ "action": "report_back", "task_id": task, "note": "区市场监管局已受理，结果另行反馈" })).await;
    }
    // Standing down now, with six tasks open and no reason, is refused and changes nothing.
    let early = change(&app, &command, activation, json!({ "action": "stand_down" })).await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );
    assert_eq!(early.body["field"], "reason");
    assert!(
        early.body["error"]
            .as_str()
            .unwrap()
            .contains("6 项任务未完成"),
        "{}",
        early.body
    );
    let still = app
        .get(&format!("/api/v1/activations/{activation}"), Some(&command))
        .await
        .body;
    assert_eq!(still["brief"]["state"], "running");
    // 城市管理 ticks its checklist as it works; the incident view counts the items ticked.
    let city = tasks_of(&view, "城市管理")[0]["task_id"].as_i64().unwrap();
    let check = |cookie: &str, body: Value| {
        let (app, cookie) = (app, cookie.to_string());
        async move { app.post(&format!("/api/v1/activations/{activation}/checks"), Some(&cookie), body).await }
    };
    let r = check(&posts[1], json!({ "task_id": city, "item": 1, "done": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(tasks_of(&r.body, "城市管理")[0]["checked"], json!([1]));
    let r = check(&posts[1], json!({ "task_id": city, "item": 0, "done": true })).await;
    assert_eq!(tasks_of(&r.body, "城市管理")[0]["checked"], json!([0, 1]));
    let step = r.body["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((step["kind"].as_str(), step["note"].as_str()), (Some("plan_check"), Some("已完成：设置临时隔离带（2/2）")));
    // Refusals name what is wrong and tick nothing: another post, an item the list lacks, a
    // tick already made.
    let r = check(&posts[0], json!({ "task_id": city, "item": 0, "done": false })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = check(&posts[1], json!({ "task_id": city, "item": 2, "done": true })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("item")), "{}", r.body);
    assert!(r.body["error"].as_str().unwrap().ends_with("检查项只有 2 条，没有第 3 条"), "{}", r.body);
    let r = check(&posts[1], json!({ "task_id": city, "item": 0, "done": true })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("done")), "{}", r.body);
    let seen = app.get(&format!("/api/v1/cases/{case}"), Some(&posts[1])).await.body;
    let task = seen["case"]["tasks"].as_array().unwrap().iter().find(|t| t["id"] == city).unwrap().clone();
    assert_eq!(task["plan"]["checked"], json!([0, 1]), "the post's own view of the case carries the ticks");
    // Every post accepts and reports back.
    for (i, p) in posts.iter().enumerate() {
        let task = tasks_of(&view, SIX_POSTS[i])[0]["task_id"]
            .as_i64()
            .unwrap();
        act(
            app,
            p,
            case,
            json!({ "action": "accept_task", "task_id": task }),
        )
        .await;
        act(
            app,
            p,
            case,
            json!({ "action": "report_back", "task_id": task, "note": "已完成" }),
        )
        .await;
    }
    let done = app
        .get(&format!("/api/v1/activations/{activation}"), Some(&command))
        .await
        .body;
    // A task reported back keeps its ticks, and they can no longer change.
    let r = check(&posts[1], json!({ "task_id": city, "item": 0, "done": false })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(tasks_of(&done, "城市管理")[0]["checked"], json!([0, 1]));
    assert!(
        done["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["state"] == "done" && t["done_at"].is_i64() && t["accepted_at"].is_i64()),
        "{done}"
    );
    // Every task done: stand down without a reason, then the review.
    let r = change(&app, &command, activation, json!({ "action": "stand_down" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["brief"]["state"], "stood_down");
    assert!(r.body["stood_down_at"].is_i64());
    let r = change(&app, &command, activation, json!({ "action": "review", "lessons": "舆情搜索应在启动后 10 分钟内完成首报" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["lessons"], "舆情搜索应在启动后 10 分钟内完成首报");
    let kinds: Vec<&str> = r.body["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    for k in ["plan_activate", "plan_stand_down", "plan_review"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    // The case, all tasks reported back, waits for verification like any other.
    let c = app
        .get(&format!("/api/v1/cases/{case}"), Some(&command))
        .await
        .body;
    assert_eq!(c["case"]["state"], "verifying");
    // A revision that takes up the lessons is linked from the activation.
    let admin = app.login("guanliyuan").await;
    let current = app
        .get(&format!("/api/v1/plans/{plan}"), Some(&admin))
        .await
        .body;
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/plans/{plan}?version={version}"),
            Some(&admin),
            Some(json!({ "body": current["body"], "lessons_from": activation })),
            "same-origin",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["version"], version + 1);
    let after = app
        .get(&format!("/api/v1/activations/{activation}"), Some(&command))
        .await
        .body;
    assert_eq!(after["revised_in"], version + 1);
    assert_eq!(
        after["brief"]["version"], version,
        "the activation keeps the version it used"
    );
}

#[tokio::test]
async fn raising_the_level_adds_its_tasks_and_lowering_it_withdraws_them() {
    let app = App::new().await;
    let (command, worker) = (app.login("zhihui").await, app.login("wanggeyuan").await);
    let case = confirmed_crowd(&app, &command, &worker).await;
    let (plan, _) = plan_id(&app, &command, "重大旅游消费纠纷处置预案").await;
    let view = activate(&app, &command, plan, json!({ "case_id": case })).await
        .body;
    let id = view["brief"]["id"].as_i64().unwrap();
    assert_eq!(
        view["brief"]["level"], "iv",
        "without a level, the plan's lowest"
    );
    let up = change(&app, &command, id, json!({ "action": "level", "level": "iii", "reason": "围观超过 200 人" })).await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    assert_eq!(up.body["brief"]["level"], "iii");
    let added: Vec<&Value> = up.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["level"] == "iii")
        .collect();
    assert_eq!(
        added.len(),
        2,
        "平安建设 and the grid worker of the place: {}",
        up.body
    );
    assert!(added.iter().any(|t| t["holder"]["kind"] == "grid"));
    let down = change(&app, &command, id, json!({ "action": "level", "level": "iv" })).await;
    assert_eq!(down.status, StatusCode::OK, "{}", down.body);
    let levels: Vec<(&str, &str)> = down.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["level"].as_str().unwrap(), t["state"].as_str().unwrap()))
        .collect();
    assert!(
        levels
            .iter()
            .filter(|l| l.0 == "iii")
            .all(|l| l.1 == "cancelled"),
        "{levels:?}"
    );
    assert!(
        levels
            .iter()
            .filter(|l| l.0 == "iv")
            .all(|l| l.1 == "pending"),
        "{levels:?}"
    );
    let same = change(&app, &command, id, json!({ "action": "level", "level": "i" })).await;
    assert_eq!(
        same.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the plan has no level Ⅰ: {}",
        same.body
    );
    // Once the case is closed, the level no longer changes (no task is sent for a closed case).
    act(&app, &command, case, json!({ "action": "conclude", "reason": "现场已平息" })).await;
    act(&app, &command, case, json!({ "action": "verify" })).await;
    act(&app, &command, case, json!({ "action": "close", "note": "已处置完毕" })).await;
    let late = change(&app, &command, id, json!({ "action": "level", "level": "iii" })).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    let closed = app.get(&format!("/api/v1/cases/{case}"), Some(&command)).await.body;
    assert_eq!(closed["case"]["state"], "closed");
    assert!(closed["case"]["tasks"].as_array().unwrap().iter().all(|t| t["state"] != "pending"), "no task was added");
    app.db.remove().await;
}

#[tokio::test]
async fn a_drill_runs_beside_a_real_incident_on_its_own_case_and_is_never_confused_with_it() {
    let app = App::new().await;
    let (command, worker) = (app.login("zhihui").await, app.login("wanggeyuan").await);
    let case = confirmed_crowd(&app, &command, &worker).await;
    let (plan, _) = plan_id(&app, &command, "重大旅游消费纠纷处置预案").await;
    let real = activate(&app, &command, plan, json!({ "case_id": case })).await
        .body;
    let b = app
        .get("/api/v1/buildings?limit=1", Some(&command))
        .await
        .body[0]["id"]
        .as_i64()
        .unwrap();
    let drill = activate(&app, &command, plan, json!({ "drill": true, "building_id": b })).await;
    assert_eq!(drill.status, StatusCode::CREATED, "{}", drill.body);
    let drill = drill.body;
    assert_eq!(drill["brief"]["drill"], true);
    assert_ne!(drill["brief"]["case_id"], case, "a drill has its own case");
    let drill_case = app
        .get(
            &format!("/api/v1/cases/{}", drill["brief"]["case_id"]),
            Some(&command),
        )
        .await
        .body;
    assert_eq!(drill_case["case"]["drill"], true);
    assert!(
        drill_case["case"]["description"]
            .as_str()
            .unwrap()
            .contains("演练")
    );
    let real_case = app
        .get(&format!("/api/v1/cases/{case}"), Some(&command))
        .await
        .body;
    assert_eq!(real_case["case"]["drill"], false);
    // The real incident's view shows only its own tasks.
    let real_view = app
        .get(
            &format!("/api/v1/activations/{}", real["brief"]["id"]),
            Some(&command),
        )
        .await
        .body;
    assert_eq!(real_view["tasks"].as_array().unwrap().len(), 9);
    let drill_tasks: Vec<i64> = drill["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_id"].as_i64().unwrap())
        .collect();
    assert!(
        real_view["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| !drill_tasks.contains(&t["task_id"].as_i64().unwrap()))
    );
    // Running activations list both, each marked.
    let running = app
        .get("/api/v1/activations?running=true", Some(&command))
        .await
        .body;
    let drills: Vec<bool> = running
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["drill"].as_bool().unwrap())
        .collect();
    assert_eq!(drills, vec![true, false]);
    // A drill on a real case is refused.
    let r = activate(&app, &command, plan, json!({ "drill": true, "case_id": case })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["field"], "case_id");
    app.db.remove().await;
}

#[tokio::test]
async fn refusals_are_clear_and_change_nothing() {
    let app = App::new().await;
    let (command, worker, admin) = (
        app.login("zhihui").await,
        app.login("wanggeyuan").await,
        app.login("guanliyuan").await,
    );
    let case = confirmed_crowd(&app, &command, &worker).await;
    let (plan, version) = plan_id(&app, &command, "重大旅游消费纠纷处置预案").await;
    let before = app
        .get(&format!("/api/v1/cases/{case}"), Some(&command))
        .await
        .body["case"]
        .clone();
    // A grid worker cannot activate a plan.
    let r = activate(&app, &worker, plan, json!({ "case_id": case })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        r.body["error"].as_str().unwrap().contains("指挥中心"),
        "{}",
        r.body
    );
    // Nor can the administrator, who may write plans.
    let r = activate(&app, &admin, plan, json!({ "case_id": case })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A plan revised since the coordinator read it: the old version is retired.
    let current = app
        .get(&format!("/api/v1/plans/{plan}"), Some(&admin))
        .await
        .body;
    let saved = app
        .send(
            "PUT",
            &format!("/api/v1/plans/{plan}"),
            Some(&admin),
            Some(json!({ "body": current["body"] })),
            "same-origin",
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let r = activate(&app, &command, plan, json!({ "case_id": case, "version": version })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body["error"].as_str().unwrap().contains("取代"),
        "{}",
        r.body
    );
    // A retired plan cannot be activated at all.
    let retired = app
        .send(
            "PUT",
            &format!("/api/v1/plans/{plan}"),
            Some(&admin),
            Some(json!({ "body": current["body"], "retired": true })),
            "same-origin",
        )
        .await;
    assert_eq!(retired.status, StatusCode::OK);
    let r = activate(&app, &command, plan, json!({ "case_id": case })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body["error"].as_str().unwrap().contains("已停用"));
    // An edit on a version someone else replaced is refused.
    let stale = app
        .send(
            "PUT",
            &format!("/api/v1/plans/{plan}?version={version}"),
            Some(&admin),
            Some(json!({ "body": current["body"] })),
            "same-origin",
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    // A plan naming a post the street does not have is refused, naming it.
    let mut bad = current["body"].clone();
    bad["levels"][0]["tasks"][0]["target"] = json!({ "kind": "post", "name": "不存在的岗位" });
    let r = app
        .post("/api/v1/plans", Some(&admin), json!({ "body": bad }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"].as_str().unwrap().contains("不存在的岗位"));
    // Command staff cannot write plans.
    let r = app
        .post(
            "/api/v1/plans",
            Some(&command),
            json!({ "body": current["body"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing happened to the case.
    let after = app
        .get(&format!("/api/v1/cases/{case}"), Some(&command))
        .await
        .body["case"]
        .clone();
    assert_eq!(before, after);
    assert_eq!(
        app.get("/api/v1/activations", Some(&command)).await.body,
        json!([])
    );
    app.db.remove().await;
}
