//! Enterprise supervision over HTTP on both engines: the two shops of the article from the
//! analysis to their A and B (help recorded, re-grades with evidence, the history); cases linked
//! to a business flag it; a joint inspection from filing by 市场监管 with two other agencies
//! through the district's return and approval, the visit, the combined notice and rectification
//! (one on time, one overdue and raised on the board) to the re-inspection; the yearly draw and
//! its public page; and the refusals that change nothing.

use crate::client::App;
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::{json, Value};

const DAY: i64 = 86_400_000;

fn now() -> i64 {
    zhizhi_server::auth::now_ms()
}

impl App {
    async fn json(&self, uri: &str, cookie: &str) -> Value {
        let r = self.get(uri, Some(cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        r.body
    }

    async fn step(&self, id: i64, cookie: &str, body: Value) -> crate::client::Resp {
        self.post(&format!("/api/v1/inspections/{id}/steps"), Some(cookie), body).await
    }
}

fn ok(r: &crate::client::Resp, want: StatusCode) {
    assert_eq!(r.status, want, "{}", r.body);
}

async fn two_shops(app: &App) {
    let (command, market, worker) = (app.login("zhihui").await, app.login("shijian").await, app.login("wanggeyuan").await);
    let board = app.json("/api/v1/enterprises/board", &command).await;
    let g = board["grades"].as_array().unwrap().iter().map(|n| n.as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!(g.iter().sum::<i64>(), 1674, "every demo business is graded");
    // The analysis's first list: the two shops graded at this year's evaluation come first.
    let watch = board["watch"].as_array().unwrap();
    let watch_total = board["watch_total"].as_i64().unwrap();
    assert_eq!(watch_total, g[2] + g[3], "every C and D business counted");
    assert_eq!(watch.len(), 50, "the board carries the first 50");
    let (c, d) = (&watch[0], &watch[1]);
    assert_eq!((c["row"]["grade"].as_str(), d["row"]["grade"].as_str()), (Some("C"), Some("D")), "{c}\n{d}");
    assert!(c["reason"].as_str().unwrap().contains("商标纠纷"), "{c}");
    assert!(watch[2]["reason"].as_str().unwrap().is_empty(), "only the two were graded here");
    assert_eq!(c["row"]["grid"], d["row"]["grid"], "neighbours in one grid");
    let (c_id, d_id) = (c["row"]["id"].as_i64().unwrap(), d["row"]["id"].as_i64().unwrap());
    let shop = app.json(&format!("/api/v1/enterprises/{d_id}"), &worker).await;
    assert!(shop["licences"].as_array().unwrap().iter().any(|l| l["kind"] == "食品经营许可证" && l["expired"] == true), "{}", shop["licences"]);
    assert!(shop["row"]["legal_rep"].as_str().unwrap().contains('*'), "masked: {}", shop["row"]["legal_rep"]);

    // The street helps: mediation of the trademark dispute, a subsidised loan, promotion.
    for (id, kind, note) in [(c_id, "mediation", "调解两家商标纠纷，签订共用老字号协议"), (d_id, "mediation", "调解两家商标纠纷，签订共用老字号协议"), (d_id, "loan", "协调银行发放创业担保贴息贷款 20 万元"), (c_id, "promotion", "纳入磁器口老字号宣传推广")] {
        ok(&app.post(&format!("/api/v1/enterprises/{id}/help"), Some(&worker), json!({ "kind": kind, "note": note })).await, StatusCode::NO_CONTENT);
    }
    // The D shop's food licence is renewed: no flag is left.
    let r = app.send("PUT", &format!("/api/v1/enterprises/{d_id}/licences"), Some(&worker), Some(json!({ "kind": "食品经营许可证", "number": "JY1", "expires_at": now() + 365 * DAY })), "same-origin").await;
    ok(&r, StatusCode::FORBIDDEN);
    let r = app.send("PUT", &format!("/api/v1/enterprises/{d_id}/licences"), Some(&market), Some(json!({ "kind": "食品经营许可证", "number": "", "expires_at": null })), "same-origin").await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("number")), "{}", r.body);
    let r = app.send("PUT", &format!("/api/v1/enterprises/{d_id}/licences"), Some(&market), Some(json!({ "kind": "食品经营许可证", "number": "JY15001060099999", "expires_at": now() + 5 * 365 * DAY })), "same-origin").await;
    ok(&r, StatusCode::NO_CONTENT);
    let shop = app.json(&format!("/api/v1/enterprises/{d_id}"), &worker).await;
    assert!(shop["licences"].as_array().unwrap().iter().all(|l| l["expired"] == false), "{}", shop["licences"]);
    assert_eq!(shop["licences"].as_array().unwrap().len(), 2, "renewed, not added");
    // A grade change needs a reason and evidence, and a grader.
    let r = app.post(&format!("/api/v1/enterprises/{c_id}/grades"), Some(&market), json!({ "to": "A", "reason": "", "evidence": "复查记录" })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{}", r.body);
    let r = app.post(&format!("/api/v1/enterprises/{c_id}/grades"), Some(&worker), json!({ "to": "A", "reason": "纠纷化解，经营规范", "evidence": "调解协议" })).await;
    ok(&r, StatusCode::FORBIDDEN);
    for (id, to) in [(c_id, "A"), (d_id, "B")] {
        let r = app.post(&format!("/api/v1/enterprises/{id}/grades"), Some(&market), json!({ "to": to, "reason": "商标纠纷化解，证照齐全，经营规范", "evidence": "调解协议、复查记录" })).await;
        ok(&r, StatusCode::NO_CONTENT);
    }
    let c = app.json(&format!("/api/v1/enterprises/{c_id}"), &command).await;
    let history: Vec<(Option<&str>, &str)> = c["grades"].as_array().unwrap().iter().map(|e| (e["from"].as_str(), e["to"].as_str().unwrap())).collect();
    assert_eq!(history.last(), Some(&(Some("C"), "A")), "{history:?}");
    assert_eq!(c["grades"].as_array().unwrap().last().unwrap()["by"], "市场监管岗");
    assert_eq!(c["help"].as_array().unwrap().len(), 2);
    assert_eq!(app.json(&format!("/api/v1/enterprises/{d_id}"), &command).await["row"]["grade"], "B");
    let board = app.json("/api/v1/enterprises/board", &command).await;
    assert!(board["watch"].as_array().unwrap().iter().all(|w| w["row"]["id"] != c_id && w["row"]["id"] != d_id), "off the C/D list");
    assert_eq!(board["grades"][0].as_i64().unwrap(), g[0] + 1);
    assert_eq!(board["watch_total"].as_i64().unwrap(), watch_total - 2);

    // Cases linked to an A business flag it for review.
    let building = c["row"]["building_id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for n in 0..3 {
        let r = app.post("/api/v1/cases", Some(&command), json!({ "category": "consumer.overcharge", "description": format!("游客投诉商品标价不清（第 {} 次）", n + 1), "building_id": building })).await;
        ok(&r, StatusCode::CREATED);
        ids.push(r.body["case"]["id"].as_i64().unwrap());
    }
    for id in &ids[..2] {
        ok(&app.send("PUT", &format!("/api/v1/cases/{id}/enterprise"), Some(&command), Some(json!({ "enterprise_id": c_id })), "same-origin").await, StatusCode::NO_CONTENT);
    }
    // The third by its number, as the business's page links it.
    use zhizhi_app::api::supervision::Supervise;
    let link = |number: &str| json!({ "action": { "action": "link_case", "enterprise_id": c_id, "number": number } });
    let (status, body) = crate::server_fns::call::<Supervise>(app, &command, true, link("SJ00000000-99999")).await;
    assert!(status == StatusCode::UNPROCESSABLE_ENTITY && body.contains("没有编号为"), "{status} {body}");
    let number = app.json(&format!("/api/v1/cases/{}", ids[2]), &command).await["case"]["number"].as_str().unwrap().to_lowercase();
    let (status, body) = crate::server_fns::call::<Supervise>(app, &command, true, link(&number)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c = app.json(&format!("/api/v1/enterprises/{c_id}"), &command).await;
    assert_eq!(c["row"]["flags"][0]["code"], "repeated_cases", "{}", c["row"]["flags"]);
    assert_eq!(c["cases"].as_array().unwrap().len(), 3);
    let flagged = app.json("/api/v1/enterprises?flagged=true", &command).await;
    assert!(flagged.as_array().unwrap().iter().any(|r| r["id"] == c_id));
}

async fn joint_inspection(app: &App) {
    let (market, fire, law, district, approver) =
        (app.login("shijian").await, app.login("xiaofang").await, app.login("zhifa").await, app.login("quchengyun").await, app.login("qusifaju").await);
    let target = app.json("/api/v1/enterprises?q=记", &market).await[0]["id"].as_i64().unwrap();
    let r = app.post("/api/v1/inspections", Some(&market), json!({ "enterprise_id": target })).await;
    ok(&r, StatusCode::CREATED);
    let id = r.body["id"].as_i64().unwrap();
    // One door, one inspection: a second filing for the business is refused.
    ok(&app.post("/api/v1/inspections", Some(&fire), json!({ "enterprise_id": target })).await, StatusCode::CONFLICT);
    // A grid worker sees the inspections of their own grids' businesses only.
    let worker = app.login("wanggeyuan").await;
    let mine = app.json("/api/v1/enterprises", &worker).await.as_array().unwrap().iter().any(|r| r["id"] == target);
    let r = app.get(&format!("/api/v1/inspections/{id}"), Some(&worker)).await;
    assert_eq!(r.status, if mine { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{}", r.body);
    assert_eq!(app.json("/api/v1/enterprises/board", &worker).await["open"].as_array().unwrap().len(), usize::from(mine));
    let add = |post: &str, item: &str| json!({ "step": "add_item", "post": post, "item": item });
    ok(&app.step(id, &market, add("市场监管", "食品经营许可证")).await, StatusCode::OK);
    ok(&app.step(id, &fire, add("消防救援站", "灭火器配置与有效期")).await, StatusCode::OK);
    ok(&app.step(id, &law, add("综合执法", "占道经营")).await, StatusCode::OK);
    // No item twice; an agency adds only its own items (the lead adds any).
    let r = app.step(id, &law, add("综合执法", "灭火器 配置与有效期")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["error"].as_str().unwrap().contains("已由消防救援站检查"), "{}", r.body);
    ok(&app.step(id, &law, add("消防救援站", "消防通道畅通")).await, StatusCode::FORBIDDEN);
    // Not started before approval; not sent without a time.
    let r = app.step(id, &market, json!({ "step": "start" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body["error"].as_str().unwrap().contains("未经区司法局批准"), "{}", r.body);
    let r = app.step(id, &market, json!({ "step": "submit" })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scheduled_at")), "{}", r.body);
    ok(&app.step(id, &market, json!({ "step": "schedule", "at": now() + DAY })).await, StatusCode::OK);
    ok(&app.step(id, &market, json!({ "step": "submit" })).await, StatusCode::OK);
    // Only the district justice bureau's approver approves (not the district operations centre,
    // nor a post); a return needs a reason, and sends it back for changes.
    ok(&app.step(id, &market, json!({ "step": "approve" })).await, StatusCode::FORBIDDEN);
    let r = app.step(id, &approver, json!({ "step": "return", "reason": "" })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{}", r.body);
    let r = app.step(id, &approver, json!({ "step": "return", "reason": "请补充油烟排放检查事项" })).await;
    assert_eq!((r.status, r.body["brief"]["stage"].as_str()), (StatusCode::OK, Some("returned")), "{}", r.body);
    ok(&app.step(id, &law, add("综合执法", "油烟排放")).await, StatusCode::OK);
    ok(&app.step(id, &market, json!({ "step": "submit" })).await, StatusCode::OK);
    ok(&app.step(id, &district, json!({ "step": "approve" })).await, StatusCode::FORBIDDEN);
    let r = app.step(id, &approver, json!({ "step": "approve" })).await;
    assert_eq!((r.status, r.body["brief"]["stage"].as_str()), (StatusCode::OK, Some("approved")), "{}", r.body);
    ok(&app.step(id, &market, json!({ "step": "start" })).await, StatusCode::OK);

    // On site: each agency its own checklist.
    let v = app.json(&format!("/api/v1/inspections/{id}"), &market).await;
    let item = |name: &str| v["items"].as_array().unwrap().iter().find(|t| t["item"] == name).unwrap()["id"].as_i64().unwrap();
    let (licence, extinguisher, stall, fumes) = (item("食品经营许可证"), item("灭火器配置与有效期"), item("占道经营"), item("油烟排放"));
    ok(&app.step(id, &law, json!({ "step": "check", "item_id": extinguisher, "outcome": "pass" })).await, StatusCode::FORBIDDEN);
    let r = app.step(id, &fire, json!({ "step": "check", "item_id": extinguisher, "outcome": "fail" })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("finding")), "{}", r.body);
    ok(&app.step(id, &fire, json!({ "step": "check", "item_id": extinguisher, "outcome": "fail", "finding": "2 具灭火器过期" })).await, StatusCode::OK);
    ok(&app.step(id, &market, json!({ "step": "check", "item_id": licence, "outcome": "pass" })).await, StatusCode::OK);
    ok(&app.step(id, &law, json!({ "step": "check", "item_id": stall, "outcome": "fail", "finding": "店外摆放货架占用人行道" })).await, StatusCode::OK);
    let req = |item_id: i64, deadline: i64| json!({ "item_id": item_id, "requirement": "限期整改", "deadline": deadline });
    let r = app.step(id, &market, json!({ "step": "notice", "requirements": [req(extinguisher, now() + 3 * DAY), req(stall, now() + 7 * DAY)] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "油烟排放 has no result yet: {}", r.body);
    ok(&app.step(id, &law, json!({ "step": "check", "item_id": fumes, "outcome": "pass" })).await, StatusCode::OK);
    let r = app.step(id, &market, json!({ "step": "notice", "requirements": [req(extinguisher, now() + 3 * DAY)] })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("requirements")), "every failed item: {}", r.body);
    let r = app.step(id, &market, json!({ "step": "notice", "requirements": [req(extinguisher, now() + 3 * DAY), req(stall, now() + 7 * DAY)] })).await;
    assert_eq!((r.status, r.body["brief"]["stage"].as_str()), (StatusCode::OK, Some("rectifying")), "{}", r.body);
    let year = zhizhi_server::supervision::year_start(now()).1;
    assert_eq!(r.body["brief"]["notice_no"], format!("综查告〔{year}〕1号"));
    // The fire extinguishers are replaced in time; the stall is not, and turns overdue.
    ok(&app.step(id, &fire, json!({ "step": "rectify", "item_id": extinguisher, "evidence": "已更换灭火器，附照片" })).await, StatusCode::OK);
    let store = app.db.store.clone();
    let me = store.user_by_username("zhihui").await.unwrap().unwrap().principal();
    let later = zhizhi_server::supervision::Supervision::new(store).board(&me, now() + 8 * DAY).await.unwrap();
    assert_eq!(later.overdue.len(), 1, "{:?}", later.overdue);
    assert_eq!((later.overdue[0].item.as_str(), later.overdue[0].inspection_id), ("占道经营", id));
    assert!(app.json("/api/v1/enterprises/board", &market).await["overdue"].as_array().unwrap().is_empty(), "not yet overdue today");
    // Re-inspection: the stall rectified late, both re-checked, the inspection closes.
    ok(&app.step(id, &law, json!({ "step": "recheck", "item_id": stall, "passed": true })).await, StatusCode::CONFLICT);
    ok(&app.step(id, &law, json!({ "step": "rectify", "item_id": stall, "evidence": "货架已移回店内" })).await, StatusCode::OK);
    ok(&app.step(id, &fire, json!({ "step": "recheck", "item_id": extinguisher, "passed": false })).await, StatusCode::OK);
    let v = app.json(&format!("/api/v1/inspections/{id}"), &market).await;
    let ext = v["items"].as_array().unwrap().iter().find(|t| t["id"] == extinguisher).unwrap().clone();
    assert!(ext["rectified_at"].is_null() && ext["deadline"].as_i64().unwrap() > now() + 6 * DAY, "back to rectify with a new week: {ext}");
    ok(&app.step(id, &fire, json!({ "step": "rectify", "item_id": extinguisher, "evidence": "已更换合格灭火器" })).await, StatusCode::OK);
    ok(&app.step(id, &fire, json!({ "step": "recheck", "item_id": extinguisher, "passed": true })).await, StatusCode::OK);
    let r = app.step(id, &law, json!({ "step": "recheck", "item_id": stall, "passed": true })).await;
    assert_eq!((r.status, r.body["brief"]["stage"].as_str()), (StatusCode::OK, Some("closed")), "{}", r.body);
    assert!(r.body["log"].as_array().unwrap().len() >= 15, "every step is logged");
    let e = app.json(&format!("/api/v1/enterprises/{target}"), &market).await;
    assert_eq!((e["row"]["visits_year"].as_i64(), e["joint_year"].as_i64()), (Some(1), Some(1)), "one visit, joint");
}

async fn draw(app: &App) {
    let (command, worker) = (app.login("zhihui").await, app.login("wanggeyuan").await);
    let year = zhizhi_server::supervision::year_start(now()).1;
    ok(&app.post("/api/v1/inspections/draws", Some(&worker), json!({ "year": year, "seed": 20261203 })).await, StatusCode::FORBIDDEN);
    let r = app.post("/api/v1/inspections/draws", Some(&command), json!({ "year": year - 1, "seed": 20261203 })).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("year")), "{}", r.body);
    let r = app.post("/api/v1/inspections/draws", Some(&command), json!({ "year": year, "seed": 20261203 })).await;
    ok(&r, StatusCode::CREATED);
    let by_grade = r.body["brief"]["by_grade"].as_array().unwrap();
    for (g, rate) in by_grade.iter().zip([0.05, 0.15, 0.40, 0.80]) {
        let (n, k) = (g[0].as_f64().unwrap(), g[1].as_f64().unwrap());
        assert!((k - (rate * n).round()).abs() <= 1.0, "{g} at {rate}");
    }
    let targets = r.body["targets"].as_array().unwrap();
    assert!(targets.iter().all(|t| t["inspectors"].as_array().unwrap().len() == 2), "two inspectors each");
    // Published without an account, without grades.
    let public = app.get("/api/v1/public/draws", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.body[0]["brief"]["seed"], 20261203);
    assert_eq!(public.body[0]["targets"].as_array().unwrap().len(), targets.len());
    assert!(public.body[0]["targets"].as_array().unwrap().iter().all(|t| t["grade"].is_null()));
    assert_eq!(public.body[0]["brief"]["by_grade"], json!([[0, 0], [0, 0], [0, 0], [0, 0]]), "no counts by grade in public");
    // Once a year: a seed cannot be tried again.
    let again = app.post("/api/v1/inspections/draws", Some(&command), json!({ "year": year, "seed": 7 })).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body["error"].as_str().unwrap().contains("每年只抽取一次"), "{}", again.body);
    // A drawn business counts a planned visit this year.
    let drawn = targets[0]["enterprise_id"].as_i64().unwrap();
    assert!(app.json(&format!("/api/v1/enterprises/{drawn}"), &command).await["row"]["visits_year"].as_i64().unwrap() >= 1);
    let audit = app.json("/api/v1/audit?action=inspection_draw", &app.login("guanliyuan").await).await;
    assert!(audit.to_string().contains("seed=20261203"), "the draw is audited");
}

#[tokio::test]
async fn the_two_shops_a_joint_inspection_and_the_draw_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        two_shops(&app).await;
        joint_inspection(&app).await;
        draw(&app).await;
    }
}

#[tokio::test]
async fn the_business_list_exports_whole_with_its_filters_masked_and_audited() {
    let app = App::new().await;
    let (command, worker, admin) = (app.login("zhihui").await, app.login("wanggeyuan").await, app.login("guanliyuan").await);
    let all = app.db.store.enterprise_records(None).await.unwrap();
    let rows = |book: &[u8]| String::from_utf8_lossy(book).matches("<row ").count() - 1;
    let (status, headers, book) = app.get_raw("/api/v1/enterprises.xlsx", &command).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%95%86%E6%88%B7-"), "企业商户-<when>.xlsx");
    assert_eq!(rows(&book), all.len(), "whole, not the list's first page");
    let text = String::from_utf8_lossy(&book);
    assert!(all.iter().all(|e| !text.contains(&e.phone)), "phones masked");
    assert!(text.contains("李记千张") && text.contains("统一社会信用代码"));
    // The list's filters: grade D only.
    let d = all.iter().filter(|e| e.grade == zhizhi_shared::people::CreditRating::D).count();
    let (_, _, book) = app.get_raw("/api/v1/enterprises.xlsx?grade=D", &command).await;
    assert_eq!(rows(&book), d);
    // A grid worker exports their own grid's businesses only (grid 1, 磁南街's).
    let (status, _, book) = app.get_raw("/api/v1/enterprises.xlsx", &worker).await;
    assert_eq!(status, StatusCode::OK);
    let mine = all.iter().filter(|e| e.grid_id == 1).count();
    assert!(mine > 0);
    assert_eq!(rows(&book), mine);
    let audit = app.get("/api/v1/audit?action=export_enterprises", Some(&admin)).await.body;
    assert_eq!(audit[0]["actor"], "wanggeyuan");
    assert_eq!(audit[1]["detail"], format!("导出企业商户 {d} 条（D 级）"));

    // In full only for a stated reason, and only by command staff and market supervision.
    let (status, headers, book) = app.get_raw("/api/v1/enterprises.xlsx?grade=D&reason=%E5%8F%8C%E9%9A%8F%E6%9C%BA%E6%8A%BD%E6%9F%A5%E8%81%94%E7%B3%BB", &command).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("%EF%BC%88%E6%98%8E%E6%96%87%EF%BC%89"), "（明文） in the name");
    let text = String::from_utf8_lossy(&book);
    let graded_d: Vec<_> = all.iter().filter(|e| e.grade == zhizhi_shared::people::CreditRating::D).collect();
    assert!(graded_d.iter().all(|e| text.contains(&e.phone)), "phones in full");
    assert_eq!(app.get_raw("/api/v1/enterprises.xlsx?reason=%E6%A0%B8", &command).await.0, StatusCode::UNPROCESSABLE_ENTITY, "a reason of one character");
    assert_eq!(app.get_raw("/api/v1/enterprises.xlsx?reason=%E5%8F%8C%E9%9A%8F%E6%9C%BA%E6%8A%BD%E6%9F%A5", &worker).await.0, StatusCode::FORBIDDEN);
    let audit = app.get("/api/v1/audit?action=export_enterprises", Some(&admin)).await.body;
    assert_eq!(audit[0]["detail"], format!("导出企业商户 {d} 条（D 级），明文；原因：双随机抽查联系"));
    let refused = app.get("/api/v1/audit?action=export_refused", Some(&admin)).await.body;
    assert_eq!((refused[0]["actor"].as_str(), refused[0]["target"].as_str()), (Some("wanggeyuan"), Some("enterprises")));
    app.db.remove().await;
}
