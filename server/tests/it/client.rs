//! An in-process client of the real router, for the HTTP-level tests.

use crate::harness::TestDb;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use zhizhi_server::demo::DEMO_PASSWORD;
use zhizhi_server::http::router;
use zhizhi_server::state::AppState;

pub struct App {
    pub db: TestDb,
    pub router: axum::Router,
    pub ingest_handle: std::sync::Arc<zhizhi_server::ingest::Ingest>,
}

pub struct Resp {
    pub status: StatusCode,
    pub cookie: Option<String>,
    pub body: Value,
}

impl App {
    /// The demo district and its accounts on a fresh SQLite file.
    pub async fn new() -> App {
        Self::on(TestDb::sqlite().await).await
    }

    /// The demo district and its accounts on `db`.
    pub async fn on(db: TestDb) -> App {
        Self::with_auth(db, zhizhi_server::auth::AuthConfig::default()).await
    }

    /// The demo district and its accounts on `db`, under the given authentication settings.
    pub async fn with_auth(db: TestDb, auth: zhizhi_server::auth::AuthConfig) -> App {
        Self::district(db, 1, auth).await
    }

    /// The demo made a district of `streets` streets (`serve --demo --demo-streets N`) on `db`.
    pub async fn district(db: TestDb, streets: usize, auth: zhizhi_server::auth::AuthConfig) -> App {
        zhizhi_server::demo::load(db.store.as_ref()).await.unwrap();
        zhizhi_server::demo::streets(db.store.as_ref(), streets).await.unwrap();
        zhizhi_server::demo::accounts(db.store.as_ref()).await.unwrap();
        zhizhi_server::demo::plans(db.store.as_ref()).await.unwrap();
        zhizhi_server::demo::flood(db.store.as_ref()).await.unwrap();
        zhizhi_server::demo::supervision(db.store.as_ref()).await.unwrap();
        let state = AppState::with_auth(db.store.clone(), std::path::Path::new("target/site"), "127.0.0.1:0".parse().unwrap(), auth);
        let ingest_handle = state.ingest.clone();
        App { db, router: router(state), ingest_handle }
    }

    /// Another server copy over the same database: its own store (pool, listener), hub, ingest
    /// engine and router.
    pub async fn copy(&self) -> App {
        let store = zhizhi_server::storage::open(&self.db.url).await.unwrap();
        let state = AppState::new(store, std::path::Path::new("target/site"), "127.0.0.1:0".parse().unwrap());
        let ingest_handle = state.ingest.clone();
        App { db: TestDb::alias(&self.db), router: router(state), ingest_handle }
    }

    pub async fn send(&self, method: &str, uri: &str, cookie: Option<&str>, body: Option<Value>, site: &str) -> Resp {
        let body = body.map(|v| ("application/json", v.to_string().into_bytes()));
        self.send_bytes(method, uri, cookie, body, site).await
    }

    pub async fn send_bytes(&self, method: &str, uri: &str, cookie: Option<&str>, body: Option<(&str, Vec<u8>)>, site: &str) -> Resp {
        self.send_from(method, uri, cookie, body, site, None).await
    }

    /// A POST of JSON from the client address `ip` (as the server sees the connection).
    pub async fn post_from(&self, ip: &str, uri: &str, body: Value) -> Resp {
        self.send_from("POST", uri, None, Some(("application/json", body.to_string().into_bytes())), "same-origin", Some(ip)).await
    }

    async fn send_from(&self, method: &str, uri: &str, cookie: Option<&str>, body: Option<(&str, Vec<u8>)>, site: &str, ip: Option<&str>) -> Resp {
        let mut b = Request::builder().method(method).uri(uri).header("host", "127.0.0.1:3000").header("sec-fetch-site", site);
        if let Some(ip) = ip {
            let at: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
            b = b.extension(axum::extract::ConnectInfo(at));
        }
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let req = match body {
            Some((content_type, bytes)) => b.header(header::CONTENT_TYPE, content_type).body(Body::from(bytes)).unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        documented(method, uri, status);
        let cookie = resp.headers().get(header::SET_COOKIE).map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp { status, cookie, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
    }

    /// A GET whose answer is not JSON (a download): status, headers and bytes.
    pub async fn get_raw(&self, uri: &str, cookie: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let req = Request::builder().uri(uri).header("host", "127.0.0.1:3000").header(header::COOKIE, cookie).body(Body::empty()).unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        documented("GET", uri, resp.status());
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, headers, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
    }

    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> Resp {
        self.send("GET", uri, cookie, None, "same-origin").await
    }

    pub async fn post(&self, uri: &str, cookie: Option<&str>, body: Value) -> Resp {
        self.send("POST", uri, cookie, Some(body), "same-origin").await
    }

    pub async fn login(&self, username: &str) -> String {
        let r = self.post("/api/v1/login", None, json!({ "username": username, "password": DEMO_PASSWORD })).await;
        assert_eq!(r.status, StatusCode::OK, "{username}: {}", r.body);
        r.cookie.expect("session cookie")
    }

    /// The id of a resident living in `grid_id`.
    pub async fn resident_in(&self, grid_id: i64) -> i64 {
        self.db.store.residents_in_grid(grid_id, 1, 0).await.unwrap()[0].resident.id
    }

    /// Opens the live stream at `uri` (with its query) as `cookie`.
    pub async fn stream_at(&self, uri: &str, cookie: &str) -> Stream {
        let b = Request::builder().uri(uri).header("host", "127.0.0.1:3000").header(header::COOKIE, cookie);
        let resp = self.router.clone().oneshot(b.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        Stream { body: resp.into_body(), buffer: String::new() }
    }

    /// Opens the live stream as `cookie`, resuming after `last_event_id` if given.
    pub async fn stream(&self, cookie: &str, last_event_id: Option<i64>) -> Stream {
        let mut b = Request::builder().uri("/api/v1/stream").header("host", "127.0.0.1:3000").header(header::COOKIE, cookie);
        if let Some(id) = last_event_id {
            b = b.header("last-event-id", id.to_string());
        }
        let resp = self.router.clone().oneshot(b.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "text/event-stream");
        Stream { body: resp.into_body(), buffer: String::new() }
    }
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct Sse {
    pub id: Option<i64>,
    pub event: String,
    pub data: String,
}

/// An open SSE response, read event by event. Dropping it closes the connection.
pub struct Stream {
    body: Body,
    buffer: String,
}

impl Stream {
    /// The next event (keep-alive comments skipped), or `None` after `wait` without one.
    pub async fn next(&mut self, wait: std::time::Duration) -> Option<Sse> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut e = Sse { id: None, event: "message".into(), data: String::new() };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        e.id = v.trim().parse().ok();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("event:") {
                        e.event = v.trim().into();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("data:") {
                        e.data.push_str(v.trim_start());
                        any = true;
                    }
                }
                if any {
                    return Some(e);
                }
                continue;
            }
            let frame = tokio::time::timeout(wait, self.body.frame()).await.ok()??.ok()?;
            if let Ok(data) = frame.into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }

    /// The next `case` event, skipping `ready`, `activation` and `flood`; panics after `wait`.
    pub async fn next_case(&mut self, wait: std::time::Duration) -> (i64, Value) {
        loop {
            let e = self.next(wait).await.expect("a case event in time");
            if e.event == "case" {
                return (e.id.expect("case events carry ids"), serde_json::from_str(&e.data).unwrap());
            }
            assert!(e.event == "ready" || e.event == "activation" || e.event == "flood", "{e:?}");
        }
    }
}

/// Every answer the HTTP tests meet must be one that the OpenAPI document lists for its route,
/// so each test is also a check of `openapi.json`: an undocumented status fails the test that
/// met it, naming the route.
pub fn documented(method: &str, uri: &str, status: StatusCode) {
    let path = uri.split('?').next().unwrap();
    let fits = |template: &str| {
        let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len() && t.iter().zip(&p).all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
    };
    let doc = zhizhi_server::api::openapi::spec();
    // The most literal template wins (`/map/buildings/import` before `/map/buildings/{id}`).
    let route = doc["paths"].as_object().unwrap().iter().filter(|(t, _)| fits(t)).min_by_key(|(t, _)| t.matches('{').count());
    let Some((template, item)) = route else { return };
    let Some(operation) = item.get(method.to_lowercase()) else { return };
    let code = status.as_str();
    assert!(
        operation["responses"].get(code).is_some(),
        "{method} {template} answered {code}, which server/src/api/openapi.json does not list for it"
    );
}

#[test]
#[should_panic(expected = "POST /api/v1/cases/{id}/actions answered 418")]
fn an_answer_the_document_does_not_list_fails_the_test_that_met_it() {
    documented("POST", "/api/v1/cases/12/actions", StatusCode::OK);
    documented("POST", "/api/v1/cases/12/actions", StatusCode::IM_A_TEAPOT);
}
