//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! The document is `openapi.json` beside this file, written by hand from the handlers and the
//! shared types. The tests below fail when a route of [`super::routes`] is missing from it (or
//! it describes one that does not exist), and when an operation lacks its answers.

use axum::Json;
use serde_json::Value;
use std::sync::OnceLock;

const DOCUMENT: &str = include_str!("openapi.json");

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec().clone())
}

/// The document, with the server's version.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let mut doc: Value = serde_json::from_str(DOCUMENT).expect("openapi.json is valid JSON (checked by the tests)");
        doc["info"]["version"] = Value::from(env!("CARGO_PKG_VERSION"));
        doc
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn operations() -> BTreeSet<(String, String)> {
        let paths = spec()["paths"].as_object().expect("paths");
        paths
            .iter()
            .flat_map(|(path, item)| {
                let methods = item.as_object().expect("a path item").keys();
                methods.filter(|m| ["get", "post", "put", "delete", "patch"].contains(&m.as_str())).map(move |m| (m.clone(), path.clone()))
            })
            .collect()
    }

    #[test]
    fn the_document_describes_exactly_the_routes_the_router_serves() {
        let served: BTreeSet<(String, String)> = super::super::routes().table.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
        let documented = operations();
        let undocumented: Vec<_> = served.difference(&documented).collect();
        let phantom: Vec<_> = documented.difference(&served).collect();
        assert!(undocumented.is_empty(), "routes served but missing from openapi.json: {undocumented:?}");
        assert!(phantom.is_empty(), "routes in openapi.json that the router does not serve: {phantom:?}");
        assert!(served.len() >= 48, "the API has at least 48 operations, found {}", served.len());
    }

    fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let target = doc.pointer(r.trim_start_matches('#')).unwrap_or_else(|| panic!("unresolved $ref {r}"));
                resolve(doc, target)
            }
            None => v,
        }
    }

    #[test]
    fn every_operation_names_its_success_its_errors_and_its_parameters() {
        let doc = spec();
        for (method, path) in operations() {
            let op = &doc["paths"][&path][&method];
            let name = format!("{method} {path}");
            assert!(op["operationId"].is_string() && op["summary"].is_string(), "{name}: operationId and summary");
            let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{name}: responses"));
            let success: Vec<_> = responses.keys().filter(|s| s.starts_with('2')).collect();
            assert!(!success.is_empty(), "{name}: no success answer");
            for s in success.iter().filter(|s| s.as_str() != "204") {
                let answer = resolve(doc, &responses[s.as_str()]);
                assert!(answer["content"].is_object(), "{name}: {s} says what it answers");
            }
            let errors: Vec<_> = responses.keys().filter(|s| s.starts_with('4') || s.starts_with('5')).collect();
            assert!(!errors.is_empty(), "{name}: no error answers");
            for s in errors {
                assert!(resolve(doc, &responses[s.as_str()])["description"].is_string(), "{name}: {s} has no description");
            }
            for param in path.split('/').filter(|seg| seg.starts_with('{')) {
                let param = param.trim_matches(['{', '}']);
                let declared = op["parameters"].as_array().into_iter().flatten().chain(doc["paths"][&path]["parameters"].as_array().into_iter().flatten());
                assert!(declared.map(|p| resolve(doc, p)).any(|p| p["name"] == param && p["in"] == "path"), "{name}: path parameter {param} undeclared");
            }
            if op.get("requestBody").is_some() {
                assert!(resolve(doc, &op["requestBody"])["content"].is_object(), "{name}: request body without content");
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        fn walk(doc: &Value, v: &Value) {
            match v {
                Value::Object(o) => {
                    if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                        assert!(doc.pointer(r.trim_start_matches('#')).is_some(), "unresolved $ref {r}");
                    }
                    o.values().for_each(|x| walk(doc, x));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(doc, x)),
                _ => {}
            }
        }
        walk(spec(), spec());
    }
}
