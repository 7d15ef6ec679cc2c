//! Open311 GeoReport v2 against the specification's shapes: every endpoint in JSON and XML,
//! the error list, a POST by an integration with an API key read back by its id and its token,
//! the filters, what is never published, revoked keys and the rate limit.

use crate::client::{documented, App};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// A request with a raw body; the status, the content type and the text of the answer.
async fn raw(app: &App, method: &str, uri: &str, body: Option<(&str, String)>) -> (StatusCode, String, String) {
    let b = Request::builder().method(method).uri(uri).header("host", "127.0.0.1:3000");
    let req = match body {
        Some((kind, text)) => b.header(header::CONTENT_TYPE, kind).body(Body::from(text)).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    };
    let resp = app.router.clone().oneshot(req).await.unwrap();
    documented(method, uri, resp.status());
    let status = resp.status();
    let kind = resp.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, kind, String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

async fn json_of(app: &App, method: &str, uri: &str, body: Option<(&str, String)>) -> (StatusCode, Value) {
    let (status, kind, text) = raw(app, method, uri, body).await;
    assert!(kind.starts_with("application/json"), "{uri}: {kind}");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: {e}: {text}")))
}

/// The specification's error: a list of one `{code, description}` with the HTTP status.
fn is_error(status: StatusCode, body: &Value, code: u16) {
    assert_eq!(status.as_u16(), code, "{body}");
    assert_eq!(body[0]["code"], code, "{body}");
    assert!(body[0]["description"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
}

fn form(fields: &[(&str, &str)]) -> (&'static str, String) {
    ("application/x-www-form-urlencoded", serde_urlencoded::to_string(fields).unwrap())
}

#[tokio::test]
async fn open311_clients_list_services_post_requests_and_read_them_back() {
    let app = App::new().await;
    // Discovery and services, in both formats.
    let (s, d) = json_of(&app, "GET", "/open311/v2/discovery.json", None).await;
    assert_eq!((s, d["endpoints"][0]["specification"].as_str()), (StatusCode::OK, Some("http://wiki.open311.org/GeoReport_v2")));
    let (s, kind, x) = raw(&app, "GET", "/open311/v2/discovery.xml", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(kind.starts_with("text/xml") && x.contains("<discovery>") && x.contains("<format>text/xml</format>"), "{x}");
    let (s, services) = json_of(&app, "GET", "/open311/v2/services.json", None).await;
    assert_eq!(s, StatusCode::OK);
    let list = services.as_array().unwrap();
    let drain = list.iter().find(|s| s["service_code"] == "environment.drain").expect("our categories are services");
    assert_eq!((drain["service_name"].as_str(), drain["metadata"].as_bool(), drain["type"].as_str(), drain["group"].as_str()), (Some("下水道堵塞"), Some(false), Some("realtime"), Some("市容环境")));
    assert!(!list.iter().any(|s| s["service_code"].as_str().unwrap().starts_with("care.")), "care cases are about people: not offered");
    let (_, _, x) = raw(&app, "GET", "/open311/v2/services.xml", None).await;
    assert!(x.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><services><service>"#) && x.contains("<service_code>environment.drain</service_code>"), "{x}");
    assert_eq!(x.matches("<service>").count(), list.len());
    let (s, def) = json_of(&app, "GET", "/open311/v2/services/order.stall.json", None).await;
    assert_eq!((s, def), (StatusCode::OK, json!({ "service_code": "order.stall", "attributes": [] })));
    let (s, e) = json_of(&app, "GET", "/open311/v2/services/care.fall.json", None).await;
    is_error(s, &e, 404);
    let (s, _, x) = raw(&app, "GET", "/open311/v2/services/nothing.xml", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(x.contains("<errors><error><code>404</code><description>"), "{x}");
    let (s, e) = json_of(&app, "GET", "/open311/v2/services.json?jurisdiction_id=elsewhere", None).await;
    is_error(s, &e, 404);
    let (s, _) = json_of(&app, "GET", "/open311/v2/services.json?jurisdiction_id=", None).await;
    assert_eq!(s, StatusCode::OK, "an empty argument is an absent one");

    // Keys: none, one without the scope, one with it.
    let admin = app.login("guanliyuan").await;
    let key = |scopes: Value| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let r = app.post("/api/v1/tokens", Some(&admin), json!({ "name": "随手拍App", "scopes": scopes })).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            (r.body["id"].as_i64().unwrap(), r.body["token"].as_str().unwrap().to_string())
        }
    };
    let ((key_id, key), (_, reader)) = (key(json!(["open311"])).await, key(json!(["read"])).await);
    let building = app.get("/api/v1/public/buildings?q=%E7%A3%81%E5%8D%97%E8%A1%9727%E5%8F%B7", None).await.body[0].clone();
    let (lat, lon) = (building["lat"].as_f64().unwrap().to_string(), building["lon"].as_f64().unwrap().to_string());
    let post = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            json_of(app, "POST", "/open311/v2/requests.json", Some(form(&pairs))).await
        }
    };
    let good = |api_key: &str| {
        vec![("api_key", api_key.to_string()), ("service_code", "environment.drain".into()), ("lat", lat.clone()), ("long", lon.clone()),
            ("description", "下水道堵了，污水漫到路上".into()), ("first_name", "三".into()), ("last_name", "张".into()), ("phone", "13912345678".into())]
    };
    let (s, e) = post(good("").into_iter().filter(|f| f.0 != "api_key").collect()).await;
    is_error(s, &e, 403);
    let (s, e) = post(good(&reader)).await;
    is_error(s, &e, 403);
    let (s, e) = post(good(&"0".repeat(64))).await;
    is_error(s, &e, 403);
    // Bad input: the specification's 400, and nothing created.
    let before = app.db.store.cases(&zhizhi_server::storage::CaseFilter { limit: 10_000, ..Default::default() }).await.unwrap().len();
    for (drop, set) in [("service_code", None), ("lat", None), ("long", Some("东经106度")), ("description", Some("堵")), ("service_code", Some("care.fall")), ("phone", Some("12345"))] {
        let mut fields: Vec<(&'static str, String)> = good(&key).into_iter().filter(|f| f.0 != drop).collect();
        if let Some(v) = set {
            fields.push((drop, v.to_string()));
        }
        let (s, e) = post(fields).await;
        is_error(s, &e, 400);
    }
    let after = app.db.store.cases(&zhizhi_server::storage::CaseFilter { limit: 10_000, ..Default::default() }).await.unwrap().len();
    assert_eq!(before, after, "refused requests create nothing");

    // A request, read back by its id and by its token.
    let (s, created) = post(good(&key)).await;
    assert_eq!(s, StatusCode::OK, "{created}");
    let id = created[0]["service_request_id"].as_str().unwrap().to_string();
    let token = created[0]["token"].as_str().unwrap().to_string();
    assert!(id.starts_with("SJ") && token.len() == 64, "{created}");
    let (s, t) = json_of(&app, "GET", &format!("/open311/v2/tokens/{token}.json"), None).await;
    assert_eq!((s, t[0]["service_request_id"].as_str()), (StatusCode::OK, Some(id.as_str())));
    let (s, e) = json_of(&app, "GET", &format!("/open311/v2/tokens/{}.json", "f".repeat(64)), None).await;
    is_error(s, &e, 404);
    let (s, one) = json_of(&app, "GET", &format!("/open311/v2/requests/{id}.json"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one.as_array().unwrap().len(), 1, "a single request comes in an array");
    let r = &one[0];
    assert_eq!((r["status"].as_str(), r["service_code"].as_str(), r["status_notes"].as_str()), (Some("open"), Some("environment.drain"), Some("待受理")));
    assert!(r["requested_datetime"].as_str().unwrap().ends_with("+08:00") && r["expected_datetime"].is_string(), "{r}");
    assert_eq!(r["lat"].as_f64().map(|v| v.to_string()), Some(lat.clone()));
    let text = one.to_string();
    for private in ["13912345678", "张三", "张*"] {
        assert!(!text.contains(private), "no personal data ({private}): {text}");
    }
    let (_, _, x) = raw(&app, "GET", &format!("/open311/v2/requests/{id}.xml"), None).await;
    assert!(x.contains(&format!("<service_requests><request><service_request_id>{id}</service_request_id>")) || x.contains("<service_requests><request>") && x.contains(&format!("<service_request_id>{id}</service_request_id>")), "{x}");
    let (s, e) = json_of(&app, "GET", "/open311/v2/requests/SJ20200101-99999.json", None).await;
    is_error(s, &e, 404);
    // The resident's follow link works for it too (the token is the follow token).
    assert_eq!(app.get(&format!("/api/v1/public/follow/{token}"), None).await.body["number"], id.as_str());

    // By address, answered in XML.
    let address = building["address"].as_str().unwrap().to_string();
    let pairs = [("api_key", key.as_str()), ("service_code", "order.stall"), ("address_string", address.as_str()), ("description", "门口占道经营，影响通行")];
    let (s, kind, x) = raw(&app, "POST", "/open311/v2/requests.xml", Some(form(&pairs))).await;
    assert_eq!(s, StatusCode::OK, "{x}");
    assert!(kind.starts_with("text/xml") && x.contains("<service_requests><request>") && x.contains("<token>"), "{x}");

    // Lists and their filters; care cases and drills are never published.
    let command = app.login("zhihui").await;
    let care = app.post("/api/v1/cases", Some(&command), json!({ "category": "care.other", "description": "独居老人需要帮助", "building_id": 1 })).await;
    let care_number = care.body["case"]["number"].as_str().unwrap().to_string();
    let (s, all) = json_of(&app, "GET", "/open311/v2/requests.json", None).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    let ids: Vec<&str> = all.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&id.as_str()) && !ids.contains(&care_number.as_str()), "{ids:?}");
    let (s, e) = json_of(&app, "GET", &format!("/open311/v2/requests/{care_number}.json"), None).await;
    is_error(s, &e, 404);
    let (_, drains) = json_of(&app, "GET", "/open311/v2/requests.json?service_code=environment.drain&status=open", None).await;
    assert!(drains.as_array().unwrap().iter().all(|r| r["service_code"] == "environment.drain" && r["status"] == "open") && !drains.as_array().unwrap().is_empty());
    let (_, closed) = json_of(&app, "GET", "/open311/v2/requests.json?status=closed&service_code=environment.drain", None).await;
    assert!(!closed.as_array().unwrap().iter().any(|r| r["service_request_id"] == id.as_str()));
    let (_, listed) = json_of(&app, "GET", &format!("/open311/v2/requests.json?service_request_id={id},{care_number}&status=closed"), None).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "by id, other filters aside; the care case stays out: {listed}");
    let (_, old) = json_of(&app, "GET", "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z", None).await;
    assert_eq!(old, json!([]));
    for bad in ["status=pending", "start_date=yesterday", "service_code=care.fall", "start_date=2020-01-01&end_date=2020-06-01", "start_date=2020-02-01&end_date=2020-01-01"] {
        let (s, e) = json_of(&app, "GET", &format!("/open311/v2/requests.json?{bad}"), None).await;
        is_error(s, &e, 400);
    }
    let (s, _, x) = raw(&app, "GET", "/open311/v2/requests.xml?status=open", None).await;
    assert!(s == StatusCode::OK && x.contains("<service_requests><request>"), "{x}");
    let (s, e) = json_of(&app, "GET", "/open311/v2/requests.yaml", None).await;
    is_error(s, &e, 404);

    // The key is revoked: refused from the next request on; the list shows it.
    let r = app.post(&format!("/api/v1/tokens/{key_id}/revoke"), Some(&admin), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (s, e) = post(good(&key)).await;
    is_error(s, &e, 403);
    let tokens = app.get("/api/v1/tokens", Some(&admin)).await.body;
    let listed = tokens.as_array().unwrap().iter().find(|t| t["id"] == key_id).unwrap();
    assert!(listed["revoked_at"].is_i64() && listed.get("token").is_none() && !tokens.to_string().contains(&key), "{tokens}");
    assert_eq!(app.post(&format!("/api/v1/tokens/{key_id}/revoke"), Some(&admin), json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/tokens", Some(&command)).await.status, StatusCode::FORBIDDEN);
    app.db.remove().await;
}

#[tokio::test]
async fn an_integration_is_limited_per_key_per_hour() {
    let app = App::new().await;
    let admin = app.login("guanliyuan").await;
    let key = app.post("/api/v1/tokens", Some(&admin), json!({ "name": "聚合平台", "scopes": ["open311"] })).await.body["token"].as_str().unwrap().to_string();
    let fields = [("api_key", key.as_str()), ("service_code", "order.parking"), ("address_id", "1"), ("description", "车辆占用消防通道")];
    for _ in 0..zhizhi_server::open311::POSTS_PER_HOUR {
        let (s, _) = json_of(&app, "POST", "/open311/v2/requests.json", Some(form(&fields))).await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, e) = json_of(&app, "POST", "/open311/v2/requests.json", Some(form(&fields))).await;
    is_error(s, &e, 429);
    // Another key is not slowed by this one.
    let other = app.post("/api/v1/tokens", Some(&admin), json!({ "name": "另一平台", "scopes": ["open311"] })).await.body["token"].as_str().unwrap().to_string();
    let fields = [("api_key", other.as_str()), ("service_code", "order.parking"), ("address_id", "1"), ("description", "车辆占用消防通道")];
    assert_eq!(json_of(&app, "POST", "/open311/v2/requests.json", Some(form(&fields))).await.0, StatusCode::OK);
    app.db.remove().await;
}
