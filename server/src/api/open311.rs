//! Open311 GeoReport v2 over HTTP, at `/open311/v2/`: every resource as `.json` or `.xml`
//! (the file extension chooses), errors as the specification's list of `{code, description}`,
//! POST bodies form-encoded (JSON accepted too), the API key as the `api_key` field.

use crate::auth::{now_ms, token_hash};
use crate::open311::{Open311, PostRequest, Refused, RequestQuery};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Format {
    Json,
    Xml,
}

/// `name.json` or `name.xml`: the name and the format.
fn split(file: &str) -> Option<(&str, Format)> {
    if let Some(n) = file.strip_suffix(".json") {
        Some((n, Format::Json))
    } else {
        file.strip_suffix(".xml").map(|n| (n, Format::Xml))
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// The element name of the items of a list named `key`.
fn item_of(key: &str) -> &str {
    match key {
        "endpoints" => "endpoint",
        "formats" => "format",
        "attributes" => "attribute",
        "values" => "value",
        _ => "item",
    }
}

fn write_xml(out: &mut String, name: &str, v: &Value) {
    match v {
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            for i in items {
                write_xml(out, item_of(name), i);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Object(fields) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in fields {
                write_xml(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

/// `value` as the specification's XML: a root element, and for a list one `item` element per
/// entry (`service`, `request`, `error`).
fn xml(root: &str, item: &str, value: &Value) -> String {
    let mut out = String::from(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    match value {
        Value::Array(items) => {
            out.push_str(&format!("<{root}>"));
            for i in items {
                write_xml(&mut out, item, i);
            }
            out.push_str(&format!("</{root}>"));
        }
        v => write_xml(&mut out, root, v),
    }
    out
}

fn answer(status: StatusCode, format: Format, root: &str, item: &str, value: Value) -> Response {
    match format {
        Format::Json => (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], value.to_string()).into_response(),
        Format::Xml => (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], xml(root, item, &value)).into_response(),
    }
}

fn ok<T: Serialize>(format: Format, root: &str, item: &str, value: &T) -> Response {
    answer(StatusCode::OK, format, root, item, serde_json::to_value(value).expect("Open311 answers serialise"))
}

/// The specification's error answer: `[{ "code": 404, "description": "…" }]`.
fn refused(format: Format, r: Refused) -> Response {
    let status = StatusCode::from_u16(r.code).unwrap_or(StatusCode::BAD_REQUEST);
    answer(status, format, "errors", "error", json!([{ "code": r.code, "description": r.description }]))
}

fn unknown(file: &str) -> Response {
    refused(Format::Json, Refused { code: 404, description: format!("没有资源「{file}」：Open311 的资源以 .json 或 .xml 结尾") })
}

fn service(state: &AppState) -> Open311 {
    Open311 { cases: (*state.cases).clone(), store: state.store.clone() }
}

/// The query's fields, empty ones included (they count as absent).
fn query<T: serde::de::DeserializeOwned + Default>(raw: &Option<String>) -> Result<T, Refused> {
    match raw.as_deref() {
        None | Some("") => Ok(T::default()),
        Some(q) => serde_urlencoded::from_str(q).map_err(|e| Refused { code: 400, description: format!("无法识别的查询参数：{e}") }),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Jurisdiction {
    pub jurisdiction_id: Option<String>,
}

/// `GET /open311/v2/{resource}`: `discovery`, `services` or `requests`, as `.json` or `.xml`.
pub async fn get_resource(State(state): State<AppState>, Path(file): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let Some((name, format)) = split(&file) else { return unknown(&file) };
    let o = service(&state);
    let result = match name {
        "discovery" => return ok(format, "discovery", "", &discovery()),
        "services" => match query::<Jurisdiction>(&raw) {
            Ok(j) => o.services(&j.jurisdiction_id).await.map(|s| ok(format, "services", "service", &s)),
            Err(e) => Err(e),
        },
        "requests" => match query::<RequestQuery>(&raw) {
            Ok(q) => o.requests(&q, now_ms()).await.map(|r| ok(format, "service_requests", "request", &r)),
            Err(e) => Err(e),
        },
        _ => return unknown(&file),
    };
    result.unwrap_or_else(|e| refused(format, e))
}

/// `GET /open311/v2/services/{code}.json|xml`: a service's definition.
pub async fn get_service(State(state): State<AppState>, Path(file): Path<String>, Query(j): Query<Jurisdiction>) -> Response {
    let Some((code, format)) = split(&file) else { return unknown(&file) };
    match service(&state).definition(code, &j.jurisdiction_id).await {
        Ok(d) => ok(format, "service_definition", "", &d),
        Err(e) => refused(format, e),
    }
}

/// `GET /open311/v2/requests/{id}.json|xml`: one request, in a list.
pub async fn get_request(State(state): State<AppState>, Path(file): Path<String>, Query(j): Query<Jurisdiction>) -> Response {
    let Some((id, format)) = split(&file) else { return unknown(&file) };
    match service(&state).request_by_id(id, &j.jurisdiction_id).await {
        Ok(r) => ok(format, "service_requests", "request", &r),
        Err(e) => refused(format, e),
    }
}

/// `GET /open311/v2/tokens/{token}.json|xml`: the request a token stands for.
pub async fn get_token(State(state): State<AppState>, Path(file): Path<String>, Query(j): Query<Jurisdiction>) -> Response {
    let Some((token, format)) = split(&file) else { return unknown(&file) };
    match service(&state).token(token, &j.jurisdiction_id).await {
        Ok(r) => ok(format, "service_requests", "request", &r),
        Err(e) => refused(format, e),
    }
}

/// `POST /open311/v2/requests.json|xml`: a new request from an integration with an API key.
pub async fn post_request(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(("requests", format)) = split(&file) else { return unknown(&file) };
    let json_body = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("application/json"));
    let parsed: Result<PostRequest, String> =
        if json_body { serde_json::from_slice(&body).map_err(|e| e.to_string()) } else { serde_urlencoded::from_bytes(&body).map_err(|e| e.to_string()) };
    let p = match parsed {
        Ok(p) => p,
        Err(e) => return refused(format, Refused { code: 400, description: format!("无法识别的请求内容：{e}") }),
    };
    let Some(key) = p.api_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) else {
        return refused(format, Refused { code: 403, description: "缺少 api_key：请向街道系统管理员申请 Open311 接入密钥".into() });
    };
    let integration = match state.store.api_token_scopes(&token_hash(key), crate::auth::now_ms()).await {
        Ok(Some((name, scopes))) if scopes.iter().any(|s| s == "open311") => name,
        Ok(_) => return refused(format, Refused { code: 403, description: "api_key 无效、已吊销，或没有 open311 权限".into() }),
        Err(e) => return refused(format, crate::error::ServiceError::from(e).into()),
    };
    match service(&state).create(&integration, &p, now_ms()).await {
        Ok(created) => ok(format, "service_requests", "request", &created),
        Err(e) => refused(format, e),
    }
}

/// The discovery document: where the endpoint is and what it speaks.
fn discovery() -> Value {
    json!({
        "changeset": "2026-12-02T00:00:00+08:00",
        "contact": "街道综合治理指挥中心（本系统管理员）",
        "key_service": "向街道系统管理员申请 Open311 接入密钥（api_key）",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "/open311/v2",
            "changeset": "2026-12-02T00:00:00+08:00",
            "type": "production",
            "formats": ["application/json", "text/xml"]
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_wrapped_in_the_specifications_elements_and_text_is_escaped() {
        let v = json!([{ "service_code": "order.stall", "description": "A & <B>", "metadata": false, "lat": null }, { "service_code": "x" }]);
        let x = xml("services", "service", &v);
        assert!(x.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><services><service>"#) && x.ends_with("</service></services>"), "{x}");
        assert_eq!(x.matches("<service>").count(), 2, "{x}");
        for part in ["<service_code>order.stall</service_code>", "<description>A &amp; &lt;B&gt;</description>", "<metadata>false</metadata>", "<lat/>"] {
            assert!(x.contains(part), "{part} in {x}");
        }
        let d = xml("discovery", "", &discovery());
        assert!(d.contains("<endpoints><endpoint>") && d.contains("<specification>http://wiki.open311.org/GeoReport_v2</specification>"), "{d}");
        assert!(d.contains("<formats><format>application/json</format><format>text/xml</format></formats>"), "{d}");
        assert_eq!(split("requests.xml"), Some(("requests", Format::Xml)));
        assert_eq!(split("SJ20261202-00001.json"), Some(("SJ20261202-00001", Format::Json)));
        assert_eq!(split("requests"), None);
    }
}
