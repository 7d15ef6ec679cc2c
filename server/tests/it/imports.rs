//! Residents in from spreadsheets, through the API as an administrator's page uses it: upload,
//! the preview (every refused row named with its reason, nothing written), confirm, one
//! transaction, a second import that changes nothing, an updated file that changes exactly the
//! rows that differ, each change in the audit log.

use crate::client::App;
use crate::harness::TestDb;
use axum::http::StatusCode;
use serde_json::{json, Value};
use zhizhi_server::xlsx::{workbook, Cell, Sheet};
use zhizhi_shared::demo::{id_check_char, uscc_check_char};

const HEADERS: [&str; 7] = ["姓名", "身份证号", "联系电话", "地址", "房号", "关爱标签", "出生日期"];

/// A valid identity number, one per `i`, from an area (九龙坡区) the demo never uses.
fn id_number(i: usize) -> String {
    let body = format!("500107{:04}{:02}{:02}{:03}", 1940 + i % 60, 1 + (i / 60) % 12, 1 + (i / 720) % 28, (i / 20_160) % 1000);
    format!("{body}{}", id_check_char(&body))
}

/// `n` residents living in the street's buildings (addresses from `addresses`, in turn).
fn rows(n: usize, addresses: &[String]) -> Vec<Vec<String>> {
    (0..n)
        .map(|i| {
            let tags = if i % 7 == 0 { "独居老人" } else { "" };
            vec![format!("导入{i}号"), id_number(i), format!("139{:08}", i), addresses[i % addresses.len()].clone(), format!("1-1{:02}", i % 40), tags.to_string(), String::new()]
        })
        .collect()
}

fn book(rows: &[Vec<String>]) -> Vec<u8> {
    let mut all = vec![HEADERS.iter().map(|h| Cell::from(*h)).collect::<Vec<_>>()];
    all.extend(rows.iter().map(|r| r.iter().map(|c| Cell::from(c.as_str())).collect()));
    workbook(&[Sheet { name: "居民".into(), rows: all }])
}

/// Uploads `bytes` and waits until the job has finished what it does on its own.
async fn upload(app: &App, admin: &str, name: &str, bytes: Vec<u8>) -> Value {
    upload_kind(app, admin, "residents", name, bytes).await
}

async fn upload_kind(app: &App, admin: &str, kind: &str, name: &str, bytes: Vec<u8>) -> Value {
    let r = app.send_bytes("POST", &format!("/api/v1/imports?kind={kind}&file_name={name}"), Some(admin), Some(("application/octet-stream", bytes)), "same-origin").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    settle(app, admin, r.body["id"].as_str().unwrap()).await
}

/// The job once it no longer works on its own (reading, checking or writing).
async fn settle(app: &App, admin: &str, id: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        let j = app.get(&format!("/api/v1/imports/{id}"), Some(admin)).await.body;
        if !matches!(j["stage"].as_str(), Some("reading" | "checking" | "writing")) {
            return j;
        }
        assert!(std::time::Instant::now() < deadline, "import {id} still {}", j["stage"]);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn confirm(app: &App, admin: &str, job: &Value) -> Value {
    let id = job["id"].as_str().unwrap();
    let r = app.post(&format!("/api/v1/imports/{id}/confirm"), Some(admin), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    settle(app, admin, id).await
}

fn counts(job: &Value) -> (i64, i64, i64, usize) {
    let p = &job["preview"];
    (p["new"].as_i64().unwrap(), p["updated"].as_i64().unwrap(), p["unchanged"].as_i64().unwrap(), p["refused"].as_array().unwrap().len())
}

async fn resident_count(app: &App) -> usize {
    app.db.store.people_snapshot().await.unwrap().residents.len()
}

#[tokio::test]
async fn residents_come_in_checked_whole_once_and_exactly_as_changed_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        let admin = app.login("guanliyuan").await;
        let stored = app.db.store.people_snapshot().await.unwrap();
        let addresses: Vec<String> = stored.buildings.iter().filter(|b| b.floors >= 1).take(50).map(|b| b.address.clone()).collect();
        let before = stored.residents.len();
        let mut good = rows(1000, &addresses);

        // Three bad rows among a thousand: nothing is written, each is named with its reason.
        let mut bad = good.clone();
        let mut wrong_check = bad[98][1].clone();
        let last = wrong_check.pop().unwrap();
        wrong_check.push(if last == '1' { '2' } else { '1' });
        bad[98][1] = wrong_check; // spreadsheet row 100
        bad[498][3] = "磁器口不存在街999号".into(); // row 500
        bad[810][1] = bad[1][1].clone(); // row 812 repeats row 3
        let job = upload(&app, &admin, "bad.xlsx", book(&bad)).await;
        assert_eq!(job["stage"], "ready", "{job}");
        let refused: Vec<String> = job["preview"]["refused"].as_array().unwrap().iter().map(|r| format!("第 {} 行：{}", r["line"], r["reason"].as_str().unwrap())).collect();
        assert_eq!(refused, vec![
            "第 100 行：身份证号校验位错误".to_string(),
            "第 500 行：地址「磁器口不存在街999号」没有对应的楼栋（请先在网格编辑中导入楼栋）".to_string(),
            "第 812 行：身份证号与第 3 行重复".to_string(),
        ]);
        let r = app.post(&format!("/api/v1/imports/{}/confirm", job["id"].as_str().unwrap()), Some(&admin), json!({})).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body["error"].as_str().unwrap().contains("有 3 行未通过检查"), "{}", r.body);
        assert_eq!(resident_count(&app).await, before, "nothing written");

        // The good file: previewed, confirmed, written whole.
        let job = upload(&app, &admin, "residents.xlsx", book(&good)).await;
        assert_eq!(counts(&job), (1000, 0, 0, 0), "{job}");
        let done = confirm(&app, &admin, &job).await;
        assert_eq!(done["stage"], "done", "{done}");
        assert_eq!(resident_count(&app).await, before + 1000);
        let audit = app.get("/api/v1/audit?action=import_residents", Some(&admin)).await.body;
        assert_eq!(audit[0]["actor"], "guanliyuan");
        assert!(audit[0]["detail"].as_str().unwrap().starts_with("导入居民《residents.xlsx》：1000 行，新增 1000，更新 0，未变 0"), "{}", audit[0]);

        // The same file again changes nothing.
        let again = upload(&app, &admin, "residents.xlsx", book(&good)).await;
        assert_eq!(counts(&again), (0, 0, 1000, 0), "{again}");
        assert_eq!(confirm(&app, &admin, &again).await["stage"], "done");
        assert_eq!(resident_count(&app).await, before + 1000);

        // An updated file changes exactly the rows that differ, each in the audit log.
        good[10][4] = "1-139".into(); // moved to another household
        good[20][5] = "独居老人、退役军人".into(); // a new care tag
        good[30][2] = "13900000999".into(); // a new mobile
        let updated = upload(&app, &admin, "residents-v2.xlsx", book(&good)).await;
        assert_eq!(counts(&updated), (0, 3, 997, 0), "{updated}");
        let changes: Vec<(i64, Vec<String>)> = updated["preview"]["changes"].as_array().unwrap().iter()
            .map(|c| (c["line"].as_i64().unwrap(), c["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect())).collect();
        assert_eq!(changes, vec![(12, vec!["住址".to_string()]), (22, vec!["关爱标签".to_string()]), (32, vec!["联系电话".to_string()])]);
        assert_eq!(updated["preview"]["changes"][0]["who"], "导****", "masked in the preview");
        assert_eq!(confirm(&app, &admin, &updated).await["stage"], "done");
        let now = app.db.store.people_snapshot().await.unwrap();
        let of = |i: usize| now.residents.iter().find(|r| r.id_number == id_number(i)).unwrap().clone();
        assert_eq!(of(20).care_tags.len(), 2);
        assert_eq!(of(30).phone, "13900000999");
        let moved = of(10).household_id;
        let home = now.households.iter().find(|h| h.id == moved).unwrap();
        assert_eq!(home.unit, "1-139");
        assert_eq!(of(11).phone, format!("139{:08}", 11), "an unchanged row stays as it was");
        let audit = app.get("/api/v1/audit?action=import_update", Some(&admin)).await.body;
        let entries = audit.as_array().unwrap();
        assert_eq!(entries.len(), 3, "one entry per updated resident: {audit}");
        assert!(entries.iter().all(|e| e["actor"] == "guanliyuan"));
        assert!(entries.iter().any(|e| e["target"] == format!("resident:{}", of(20).id) && e["detail"] == "《residents-v2.xlsx》 第 22 行：关爱标签"), "{audit}");
        assert!(!audit.to_string().contains(&id_number(20)), "no identity number in the audit log");
        let verdict = app.get("/api/v1/audit/verify", Some(&admin)).await;
        assert_eq!(verdict.body["intact"], true, "{}", verdict.body);

        // Only administrators import; the template is for them too.
        let worker = app.login("wanggeyuan").await;
        let r = app.send_bytes("POST", "/api/v1/imports?kind=residents", Some(&worker), Some(("application/octet-stream", book(&good))), "same-origin").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get("/api/v1/imports", Some(&worker)).await.status, StatusCode::FORBIDDEN);
        let r = app.send_bytes("POST", "/api/v1/imports?kind=people", Some(&admin), Some(("application/octet-stream", book(&good))), "same-origin").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.get("/api/v1/imports/nosuchjob", Some(&admin)).await.status, StatusCode::NOT_FOUND);
        let listed = app.get("/api/v1/imports", Some(&admin)).await.body;
        assert_eq!(listed.as_array().unwrap().len(), 4, "every job of the day is listed");
        app.db.remove().await;
    }
}

#[tokio::test]
async fn the_template_names_its_columns_and_its_example_is_not_imported() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let (status, headers, bytes) = app.get_raw("/api/v1/import-templates/residents", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains(".xlsx"));
    let table = zhizhi_server::imports::read::read(&bytes).unwrap();
    assert_eq!(table.headers[..3], ["姓名*".to_string(), "身份证号*".to_string(), "性别".to_string()]);
    let job = upload(&app, &admin, "template.xlsx", bytes).await;
    let refused = &job["preview"]["refused"][0];
    assert_eq!((refused["line"].as_i64(), refused["reason"].as_str()), (Some(2), Some("这是模板中的示例行，请删除后再导入")), "{job}");
    // A file missing a required column fails with the columns it lacks; a CSV reads as well.
    let csv = "姓名,地址\n张三,磁器口正街1号\n";
    let failed = upload(&app, &admin, "short.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(failed["stage"], "failed");
    assert!(failed["error"].as_str().unwrap().starts_with("缺少必填列：身份证号、房号"), "{failed}");
    let worker = app.login("wanggeyuan").await;
    assert_eq!(app.get_raw("/api/v1/import-templates/residents", &worker).await.0, StatusCode::FORBIDDEN);
    app.db.remove().await;
}

#[tokio::test]
async fn an_import_that_fails_in_its_write_leaves_nothing_behind() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let stored = app.db.store.people_snapshot().await.unwrap();
    let addresses: Vec<String> = stored.buildings.iter().take(20).map(|b| b.address.clone()).collect();
    let before = stored.residents.len();
    let households = stored.households.len();
    // The import's last statement (its summary in the audit log) fails: the residents and
    // households written before it in the same transaction must go with it.
    app.db.tamper("CREATE TRIGGER no_import BEFORE INSERT ON audit_log WHEN NEW.action = 'import_residents' BEGIN SELECT RAISE(ABORT, 'refused'); END").await;
    let file = rows(2000, &addresses); // in households 1-100 … 1-139, none of which exist yet
    let job = upload(&app, &admin, "fails.xlsx", book(&file)).await;
    assert_eq!(counts(&job).0, 2000);
    let failed = confirm(&app, &admin, &job).await;
    assert_eq!(failed["stage"], "failed", "{failed}");
    assert!(failed["error"].as_str().unwrap().starts_with("写入失败，没有写入任何数据"), "{failed}");
    let after = app.db.store.people_snapshot().await.unwrap();
    assert_eq!((after.residents.len(), after.households.len()), (before, households), "one transaction: all or nothing");
    app.db.remove().await;
}

const ENTERPRISE_HEADERS: [&str; 10] = ["企业名称", "统一社会信用代码", "行业", "地址", "信用等级", "联系人", "联系电话", "许可证名称", "许可证编号", "许可证有效期至"];

/// A valid unified social credit code, one per `i`.
fn credit_code(i: usize) -> String {
    let body = format!("92500107MA{:07}", i);
    format!("{body}{}", uscc_check_char(&body))
}

fn enterprise_book(rows: &[Vec<String>]) -> Vec<u8> {
    let mut all = vec![ENTERPRISE_HEADERS.iter().map(|h| Cell::from(*h)).collect::<Vec<_>>()];
    all.extend(rows.iter().map(|r| r.iter().map(|c| Cell::from(c.as_str())).collect()));
    workbook(&[Sheet { name: "企业商户".into(), rows: all }])
}

#[tokio::test]
async fn enterprises_come_in_with_licences_and_grades_on_the_record_on_both_engines() {
    for db in [TestDb::sqlite().await, TestDb::postgres().await] {
        let app = App::on(db).await;
        let admin = app.login("guanliyuan").await;
        let stored = app.db.store.enterprises_snapshot().await.unwrap();
        let before = stored.enterprises.len();
        let address = |building: i64| stored.buildings.iter().find(|b| b.id == building).unwrap().address.clone();
        let mut file: Vec<Vec<String>> = (0..300)
            .map(|i| {
                let b = &stored.buildings[i % 40];
                let (licence, number, until) = if i % 3 == 0 { ("食品经营许可证", format!("JY2500107{i:06}"), "2027-06-30") } else { ("", String::new(), "") };
                vec![format!("导入商户{i}号"), credit_code(i), ["餐饮", "零售", "文创"][i % 3].into(), b.address.clone(), String::new(), format!("负责人{i}"), format!("138{i:08}"), licence.into(), number, until.into()]
            })
            .collect();
        // A business already stored, re-graded by the file.
        let old = stored.enterprises.iter().find(|e| e.credit != zhizhi_shared::people::CreditRating::D).unwrap().clone();
        file.push(vec![old.name.clone(), old.licence_no.clone(), old.industry.clone(), address(old.building_id), "D".into(), old.contact_name.clone(), old.contact_phone.clone(), String::new(), String::new(), String::new()]);

        // Bad rows are named, nothing is written.
        let mut bad = file.clone();
        let wrong = if bad[9][1].ends_with('1') { "2" } else { "1" };
        bad[9][1].replace_range(17.., wrong); // row 11
        bad[19][1] = bad[0][1].clone(); // row 21 repeats row 2
        bad[29][4] = "E".into(); // row 31
        let job = upload_kind(&app, &admin, "enterprises", "bad.xlsx", enterprise_book(&bad)).await;
        let refused: Vec<String> = job["preview"]["refused"].as_array().unwrap().iter().map(|r| format!("第 {} 行：{}", r["line"], r["reason"].as_str().unwrap())).collect();
        assert_eq!(refused, vec![
            "第 11 行：统一社会信用代码校验位错误".to_string(),
            "第 21 行：统一社会信用代码与第 2 行重复".to_string(),
            "第 31 行：信用等级「E」应为 A、B、C 或 D".to_string(),
        ], "{job}");
        assert_eq!(app.db.store.enterprises_snapshot().await.unwrap().enterprises.len(), before, "nothing written");

        let version = app.db.store.supervision_version().await.unwrap();
        let job = upload_kind(&app, &admin, "enterprises", "businesses.xlsx", enterprise_book(&file)).await;
        assert_eq!(counts(&job), (300, 1, 0, 0), "{job}");
        assert_eq!(job["preview"]["changes"][0]["fields"], json!([format!("信用等级 {}→D", old.credit.letter())]));
        assert_eq!(confirm(&app, &admin, &job).await["stage"], "done");
        let now = app.db.store.enterprises_snapshot().await.unwrap();
        assert_eq!(now.enterprises.len(), before + 300);
        assert_eq!(now.licences.iter().filter(|(_, l)| l.number.starts_with("JY2500107")).count(), 100);
        let fresh = now.enterprises.iter().find(|e| e.licence_no == credit_code(1)).unwrap();
        assert_eq!((fresh.credit, fresh.industry.as_str()), (zhizhi_shared::people::CreditRating::B, "零售"), "a new business without a grade is B");
        assert!(app.db.store.supervision_version().await.unwrap() > version, "the supervision screens hear of it");

        // The re-grade is on the business's history, with who and from which row.
        let detail = app.get(&format!("/api/v1/enterprises/{}", old.id), Some(&admin)).await;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
        assert_eq!(detail.body["row"]["grade"], "D");
        let last = detail.body["grades"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["from"].as_str(), last["to"].as_str()), (Some(old.credit.letter()), Some("D")), "{last}");
        assert_eq!(last["reason"], "按 《businesses.xlsx》 第 302 行导入调整");
        let audit = app.get("/api/v1/audit?action=import_update", Some(&admin)).await.body;
        assert_eq!(audit[0]["target"], format!("enterprise:{}", old.id));
        assert_eq!(audit[0]["detail"], "《businesses.xlsx》 第 302 行：信用等级");
        let summary = app.get("/api/v1/audit?action=import_enterprises", Some(&admin)).await.body;
        assert!(summary[0]["detail"].as_str().unwrap().starts_with("导入企业商户《businesses.xlsx》：301 行，新增 300，更新 1，未变 0"), "{summary}");
        assert_eq!(app.get("/api/v1/audit/verify", Some(&admin)).await.body["intact"], true);

        // The same file again changes nothing; the new sector filter finds them.
        let again = upload_kind(&app, &admin, "enterprises", "businesses.xlsx", enterprise_book(&file)).await;
        assert_eq!(counts(&again), (0, 0, 301, 0), "{again}");
        let found = app.get("/api/v1/enterprises?q=导入商户&sector=文创", Some(&admin)).await.body;
        assert_eq!(found.as_array().unwrap().len(), 100, "{found}");
        app.db.remove().await;
    }
}

#[tokio::test]
async fn households_come_in_with_their_tenure_and_the_search_filters_by_it() {
    use zhizhi_shared::place::Tenure;
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let stored = app.db.store.people_snapshot().await.unwrap();
    // An owned household with residents, and its building.
    let home = stored.households.iter().find(|h| h.tenure == Tenure::Owned && stored.residents.iter().any(|r| r.household_id == h.id)).unwrap().clone();
    let building = stored.buildings.iter().find(|b| b.id == home.building_id).unwrap().clone();
    let sheet = |rows: &[[&str; 4]]| {
        let mut all = vec![["地址", "房号", "楼层", "房屋性质"].map(Cell::from).to_vec()];
        all.extend(rows.iter().map(|r| r.map(Cell::from).to_vec()));
        workbook(&[Sheet { name: "住户".into(), rows: all }])
    };
    let bad = sheet(&[[&building.address, &home.unit, "", "借住"], [&building.address, "1-199", "", "租住"]]);
    let job = upload_kind(&app, &admin, "households", "homes.xlsx", bad).await;
    assert_eq!(job["preview"]["refused"][0]["reason"], "房屋性质「借住」应为 自有 或 租住", "{job}");
    let file = sheet(&[[&building.address, &home.unit, "", "租住"], [&building.address, "1-199", "", "租住"]]);
    let job = upload_kind(&app, &admin, "households", "homes.xlsx", file.clone()).await;
    assert_eq!(counts(&job), (1, 1, 0, 0), "{job}");
    assert_eq!(job["preview"]["changes"][0]["fields"], json!(["房屋性质 自有→租住"]));
    assert_eq!(confirm(&app, &admin, &job).await["stage"], "done");
    let now = app.db.store.people_snapshot().await.unwrap();
    assert_eq!(now.households.iter().find(|h| h.id == home.id).unwrap().tenure, Tenure::Rented);
    let new = now.households.iter().find(|h| h.building_id == building.id && h.unit == "1-199").expect("the new household");
    assert_eq!((new.floor, new.tenure), (1, Tenure::Rented));
    let audit = app.get("/api/v1/audit?action=import_update", Some(&admin)).await.body;
    assert_eq!((audit[0]["target"].as_str(), audit[0]["detail"].as_str()), (Some(format!("household:{}", home.id).as_str()), Some("《homes.xlsx》 第 2 行：房屋性质")));
    let again = upload_kind(&app, &admin, "households", "homes.xlsx", file).await;
    assert_eq!(counts(&again), (0, 0, 2, 0), "{again}");

    // The people search filters by tenure: the household's residents are among the rented, not
    // among the owned.
    let command = app.login("zhihui").await;
    let resident = stored.residents.iter().find(|r| r.household_id == home.id).unwrap();
    let ids = |body: &Value| body["residents"].as_array().unwrap().iter().map(|h| h["resident"]["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let rented = app.get(&format!("/api/v1/people?q={}&tenure=rented", building.address), Some(&command)).await.body;
    assert!(ids(&rented).contains(&resident.id), "{rented}");
    let owned = app.get(&format!("/api/v1/people?q={}&tenure=owned", building.address), Some(&command)).await.body;
    assert!(!ids(&owned).contains(&resident.id) && !ids(&owned).is_empty(), "{owned}");
    app.db.remove().await;
}

#[tokio::test]
async fn staff_come_in_and_a_new_post_is_made_on_its_board() {
    use zhizhi_shared::org::{BoardKind, Duty};
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let stored = app.db.store.staff_snapshot().await.unwrap();
    let someone = stored.staff.iter().find(|s| s.duty == Duty::Post && s.post_id.is_some()).unwrap().clone();
    let sheet = |rows: &[[&str; 5]]| {
        let mut all = vec![["姓名", "联系电话", "职责", "岗位", "所属板块"].map(Cell::from).to_vec()];
        all.extend(rows.iter().map(|r| r.map(Cell::from).to_vec()));
        workbook(&[Sheet { name: "工作人员".into(), rows: all }])
    };
    let bad = sheet(&[[&someone.name, &someone.phone, "岗位人员", "非遗保护", ""]]);
    let job = upload_kind(&app, &admin, "staff", "staff.xlsx", bad).await;
    assert_eq!(job["preview"]["refused"][0]["reason"], "岗位「非遗保护」不存在；新岗位请填写所属板块", "{job}");
    let file = sheet(&[[&someone.name, &someone.phone, "岗位人员", "非遗保护", "经济发展"], ["新网格员", "13900009999", "网格员", "", ""]]);
    let job = upload_kind(&app, &admin, "staff", "staff.xlsx", file.clone()).await;
    assert_eq!(counts(&job), (1, 1, 0, 0), "{job}");
    assert_eq!(job["preview"]["new_posts"], 1);
    assert_eq!(confirm(&app, &admin, &job).await["stage"], "done");
    let boards = app.db.store.boards().await.unwrap();
    let economy = boards.iter().find(|b| b.board.kind == BoardKind::Economy).unwrap();
    let post = economy.posts.iter().find(|p| p.name == "非遗保护").expect("the new post on its board");
    let now = app.db.store.staff_snapshot().await.unwrap();
    assert_eq!(now.staff.iter().find(|s| s.id == someone.id).unwrap().post_id, Some(post.id));
    let new = now.staff.iter().find(|s| s.phone == "13900009999").unwrap();
    assert_eq!((new.duty, new.post_id), (Duty::GridWorker, None));
    let audit = app.get("/api/v1/audit?action=import_update", Some(&admin)).await.body;
    assert_eq!((audit[0]["target"].as_str(), audit[0]["detail"].as_str()), (Some(format!("staff:{}", someone.id).as_str()), Some("《staff.xlsx》 第 2 行：岗位")));
    let summary = app.get("/api/v1/audit?action=import_staff", Some(&admin)).await.body;
    assert!(summary[0]["detail"].as_str().unwrap().ends_with("新增 1，更新 1，未变 0，新建岗位 1"), "{summary}");
    let again = upload_kind(&app, &admin, "staff", "staff.xlsx", file).await;
    assert_eq!(counts(&again), (0, 0, 2, 0), "{again}");
    app.db.remove().await;
}
