//! Hostile input on every operation of the OpenAPI document: malformed path ids, query values of
//! the wrong type, bodies that are empty, not JSON, of the wrong shape, deeply nested, not UTF-8,
//! or of the wrong content type — sent anonymously and as the command centre. No answer may be a
//! 5xx, every error under `/api/` has the API's JSON shape, and every status is one the document
//! lists for the operation.

use crate::client::App;
use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// Values for a path parameter that no handler should take.
const BAD_IDS: [&str; 5] = ["abc", "99999999999999999999", "-1", "1.5", "%FF%FE"];
/// Values for a query parameter of the wrong type or range.
const BAD_QUERY: [&str; 4] = ["abc", "-99999999999999999999", "1e999", "%FF"];

/// Bodies no operation accepts, with the content type they are sent as.
fn bad_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    vec![
        ("application/json", Vec::new()),
        ("application/json", b"{".to_vec()),
        ("application/json", b"null".to_vec()),
        ("application/json", b"[]".to_vec()),
        ("application/json", b"{\"id\": 1e999, \"limit\": -1, \"name\": [], \"state\": 7}".to_vec()),
        ("application/json", deep.into_bytes()),
        ("application/json", vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}']),
        ("text/plain", b"hello".to_vec()),
        ("application/x-www-form-urlencoded", b"a=%ZZ&b".to_vec()),
    ]
}

struct Sent {
    requests: usize,
    problems: Vec<String>,
}

async fn send(app: &App, sent: &mut Sent, method: &str, uri: &str, cookie: Option<&str>, body: Option<(&str, Vec<u8>)>, operation: &Value, template: &str) {
    let mut b = Request::builder().method(method).uri(uri).header("host", "127.0.0.1:3000").header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let req = match body {
        Some((kind, bytes)) => b.header(header::CONTENT_TYPE, kind).body(Body::from(bytes)).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    };
    sent.requests += 1;
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let kind = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let said = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_string();
    if status.is_server_error() {
        sent.problems.push(format!("{method} {uri}: {status} {said}"));
    }
    if status.is_client_error() && uri.starts_with("/open311/") && !uri.contains(".xml") {
        let listed = serde_json::from_slice::<Value>(&bytes).is_ok_and(|v| v[0]["code"] == status.as_u16());
        if !listed {
            sent.problems.push(format!("{method} {uri}: {status} is not an Open311 error list: {kind} {said}"));
        }
    }
    if status.is_client_error() && uri.starts_with("/api/") {
        let shaped = kind.starts_with("application/json") && serde_json::from_slice::<Value>(&bytes).is_ok_and(|v| v["error"].is_string());
        if !shaped {
            sent.problems.push(format!("{method} {uri}: {status} is not the API's JSON error: {kind} {said}"));
        }
    }
    if operation["responses"].get(status.as_str()).is_none() {
        sent.problems.push(format!("{method} {template}: answered {status}, not listed in the document"));
    }
}

#[tokio::test]
async fn every_operation_answers_hostile_input_with_a_clear_4xx() {
    let app = App::new().await;
    let command = app.login("zhihui").await;
    let doc = zhizhi_server::api::openapi::spec();
    let mut sent = Sent { requests: 0, problems: Vec::new() };
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            if !["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&method.as_str()) {
                continue;
            }
            // The live stream answers forever when its input is good: only bad input here.
            let streaming = template == "/api/v1/stream";
            let params: Vec<&Value> = operation["parameters"].as_array().map(|p| p.iter().collect()).unwrap_or_default();
            let path_params: Vec<&str> = params.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect();
            let query_params: Vec<&str> = params.iter().filter(|p| p["in"] == "query").filter_map(|p| p["name"].as_str()).collect();
            let good_path = path_params.iter().fold(template.clone(), |t, p| t.replace(&format!("{{{p}}}"), "1"));
            for cookie in [None, Some(command.as_str())] {
                // A bad value in each path parameter.
                for p in &path_params {
                    for bad in BAD_IDS {
                        let uri = path_params.iter().fold(template.clone(), |t, q| t.replace(&format!("{{{q}}}"), if q == p { bad } else { "1" }));
                        send(&app, &mut sent, &method, &uri, cookie, None, operation, template).await;
                    }
                }
                // A bad value in each query parameter.
                for q in &query_params {
                    for bad in BAD_QUERY {
                        let uri = format!("{good_path}?{q}={bad}");
                        send(&app, &mut sent, &method, &uri, cookie, None, operation, template).await;
                    }
                }
                // Bad bodies, where the operation takes one.
                if method != "GET" && !streaming {
                    for body in bad_bodies() {
                        send(&app, &mut sent, &method, &good_path, cookie, Some(body), operation, template).await;
                    }
                }
            }
        }
    }
    println!("{} hostile requests, {} problems", sent.requests, sent.problems.len());
    assert!(sent.problems.is_empty(), "{} of {} requests:\n{}", sent.problems.len(), sent.requests, sent.problems.join("\n"));
    app.db.remove().await;
}

#[tokio::test]
async fn every_server_function_answers_hostile_input_without_a_5xx() {
    let app = App::new().await;
    let command = app.login("zhihui").await;
    let none = Value::Null;
    let mut sent = Sent { requests: 0, problems: Vec::new() };
    let fns: Vec<(&str, axum::http::Method)> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(fns.len() > 30, "the app's server functions are registered: {}", fns.len());
    for (path, method) in fns {
        for cookie in [None, Some(command.as_str())] {
            for body in bad_bodies() {
                send(&app, &mut sent, method.as_str(), path, cookie, Some(body), &none, path).await;
            }
        }
    }
    sent.problems.retain(|p| !p.contains("not listed in the document"));
    println!("{} hostile requests to server functions, {} problems", sent.requests, sent.problems.len());
    assert!(sent.problems.is_empty(), "{} of {} requests:\n{}", sent.problems.len(), sent.requests, sent.problems.join("\n"));
    app.db.remove().await;
}
