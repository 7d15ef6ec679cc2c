//! Every error the JSON API answers has its own shape, `{"error": "…", "field": …}`, in Chinese:
//! also the framework's rejections, which answer in plain English text (a malformed path id, a
//! query of the wrong type, a body that is not JSON or not of the expected shape, a wrong
//! content type, an unknown route or method). They are rewritten here, keeping what was wrong.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A server function's error answers with its real status instead of the framework's bare
/// 500: input that cannot be read is 400, and a refusal carries its status in its problem
/// (`Problem::status`: 401, 403, 404, 409, 422, 429 …). The body is left as it is: the page's
/// side decodes any 4xx or 5xx the same way.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let server_fn = req.uri().path().starts_with("/fn/");
    let resp = next.run(req).await;
    if !server_fn || resp.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    let status = match text.split_once('|') {
        Some(("Args" | "Deserialization" | "MissingArg", _)) => StatusCode::BAD_REQUEST,
        Some(("ServerError", wire)) => zhizhi_shared::problem::Problem::from_wire(wire)
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    parts.status = status;
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Rewrites an error answer under `/api/` that is not JSON into the API's error shape (under
/// `/open311/`, into the GeoReport v2 error list).
pub async fn json_errors(req: Request, next: Next) -> Response {
    let open311 = req.uri().path().starts_with("/open311/");
    let api = open311 || req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    if !api || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let kind = resp.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes().to_vec()).unwrap_or_default();
    if [&b"application/json"[..], b"text/event-stream", b"text/xml"].iter().any(|k| kind.starts_with(k)) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let said = axum::body::to_bytes(body, 16 * 1024).await.map(|b| String::from_utf8_lossy(&b).trim().to_string()).unwrap_or_default();
    let (message, field) = explain(status, &said);
    let body = if open311 { json!([{ "code": status.as_u16(), "description": message }]) } else { json!({ "error": message, "field": field }) };
    let mut out = (status, Json(body)).into_response();
    // Keep what tells the client how to retry (`Allow`, `Retry-After`).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

/// The message and the field (when the rejection names one) of a framework rejection.
fn explain(status: StatusCode, said: &str) -> (String, Option<&'static str>) {
    let detail = if said.is_empty() || said.starts_with('<') { String::new() } else { format!("（{said}）") };
    match status {
        StatusCode::NOT_FOUND => ("没有这个接口或资源".into(), None),
        StatusCode::METHOD_NOT_ALLOWED => ("此接口不支持这个请求方法".into(), None),
        StatusCode::PAYLOAD_TOO_LARGE => ("请求体过大".into(), Some("body")),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("请求体须为 JSON（Content-Type: application/json）".into(), Some("body")),
        StatusCode::BAD_REQUEST if said.contains("path") || said.contains("Path") => (format!("路径参数无效{detail}"), Some("path")),
        StatusCode::BAD_REQUEST if said.contains("query") || said.contains("Query") => (format!("查询参数无效{detail}"), Some("query")),
        s if s.is_client_error() => (format!("请求无效{detail}"), Some("body")),
        _ => (format!("服务器内部错误{detail}"), None),
    }
}
