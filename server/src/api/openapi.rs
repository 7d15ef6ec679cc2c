//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{json, Value};

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec())
}

fn op(summary: &str, tag: &str, body: Option<&str>, ok: &str) -> Value {
    let mut o = json!({
        "summary": summary,
        "tags": [tag],
        "responses": {
            ok: { "description": "成功", "content": { "application/json": {} } },
            "401": { "$ref": "#/components/responses/Error" },
            "403": { "$ref": "#/components/responses/Error" },
            "404": { "$ref": "#/components/responses/Error" },
            "409": { "$ref": "#/components/responses/Error" },
            "422": { "$ref": "#/components/responses/Error" }
        }
    });
    if let Some(schema) = body {
        o["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
    }
    o
}

fn id_param() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }])
}

/// The document.
pub fn spec() -> Value {
    let mut paths = json!({
        "/api/v1/login": { "post": op("登录，设置会话 Cookie", "session", Some("Login"), "200") },
        "/api/v1/logout": { "post": op("退出登录", "session", None, "200") },
        "/api/v1/me": { "get": op("当前用户", "session", None, "200") },
        "/api/v1/summary": { "get": op("街道人房企设备统计", "street", None, "200") },
        "/api/v1/categories": { "get": op("事件类别树（建议岗位、各阶段时限）", "cases", None, "200") },
        "/api/v1/buildings": { "get": op("按地址查找楼栋（q=关键字）", "cases", None, "200") },
        "/api/v1/cases": {
            "get": op("事件列表（state=open|代码列表, category, grid, overdue, limit）；返回 cursor 供实时流续传", "cases", None, "200"),
            "post": op("上报事件：自动定位到微网格、网格、网格员", "cases", Some("NewCase"), "201")
        },
        "/api/v1/cases/{id}": { "get": op("事件详情与流转时间轴", "cases", None, "200") },
        "/api/v1/cases/{id}/actions": { "post": op("事件操作：受理、立案、派遣、签收、反馈、退回、延期、核查、返工、结案、挂起、上报区级…", "cases", Some("Action"), "200") },
        "/api/v1/cases/{id}/photos": { "post": op("上传照片（请求体为 JPEG/PNG/WebP 原始字节，≤ 8 MB）", "cases", None, "201") },
        "/api/v1/photos/{id}": { "get": op("照片", "cases", None, "200") },
        "/api/v1/public/reports": { "post": op("居民公众上报（无需登录；须留手机号；每个地址每小时至多 5 次）；仅返回事件编号", "public", Some("NewCase"), "201") },
        "/api/v1/public/buildings": { "get": op("公众上报用的地址查找（q 至少 2 个字，至多 10 条）", "public", None, "200") },
        "/api/v1/stream": { "get": {
            "summary": "实时事件流（text/event-stream）。事件 `case` 的 id 单调递增；断线重连时带 Last-Event-ID（或 ?after=cursor）补发遗漏事件；请求的事件已过期时发送 `reset`，客户端应重新加载。",
            "tags": ["cases"],
            "responses": { "200": { "description": "SSE", "content": { "text/event-stream": {} } }, "401": { "$ref": "#/components/responses/Error" } }
        } },
        "/api/v1/grids/{id}/residents": { "get": op("网格居民（脱敏，读取留痕）", "people", None, "200") },
        "/api/v1/residents/{id}/reveal": { "post": op("查看一位居民的完整信息（须说明原因，留痕）", "people", Some("Reason"), "200") },
        "/api/v1/users": { "get": op("账号列表（管理员）", "admin", None, "200"), "post": op("创建账号（管理员）", "admin", None, "201") },
        "/api/v1/audit": { "get": op("审计日志（管理员）", "admin", None, "200") },
        "/api/v1/audit/verify": { "get": op("校验审计日志哈希链（管理员）", "admin", None, "200") },
        "/api/v1/tokens": { "post": op("创建 API 令牌（管理员；scopes: read, cases, ingest, district）", "admin", None, "201") }
    });
    for (path, item) in paths.as_object_mut().expect("an object") {
        if path.contains("{id}") {
            for (_, o) in item.as_object_mut().expect("an object") {
                o["parameters"] = id_param();
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "智治 Zhizhi API", "version": env!("CARGO_PKG_VERSION"), "description": "基层智慧治理平台的 HTTP 接口。会话 Cookie 或 Bearer 令牌认证；写操作须同源。" },
        "servers": [{ "url": "/" }],
        "security": [{ "session": [] }, { "token": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": "zz_session" },
                "token": { "type": "http", "scheme": "bearer" }
            },
            "responses": {
                "Error": { "description": "错误：error 为中文说明，field 为出错的字段", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            },
            "schemas": {
                "Error": { "type": "object", "properties": { "error": { "type": "string" }, "field": { "type": ["string", "null"] } }, "required": ["error"] },
                "Login": { "type": "object", "properties": { "username": { "type": "string" }, "password": { "type": "string" } }, "required": ["username", "password"] },
                "Reason": { "type": "object", "properties": { "reason": { "type": "string", "minLength": 4 } }, "required": ["reason"] },
                "Holder": { "type": "object", "properties": { "kind": { "enum": ["post", "grid"] }, "id": { "type": "integer" } }, "required": ["kind", "id"] },
                "NewCase": {
                    "type": "object",
                    "required": ["category", "description"],
                    "properties": {
                        "category": { "type": "string", "example": "greening.branch" },
                        "description": { "type": "string", "minLength": 4 },
                        "building_id": { "type": "integer" },
                        "lon": { "type": "number" }, "lat": { "type": "number" },
                        "address": { "type": "string" },
                        "source": { "enum": ["resident", "patrol", "hotline", "district", "iot", "camera_ai"] },
                        "reporter_name": { "type": "string" }, "reporter_phone": { "type": "string" }
                    }
                },
                "Action": {
                    "type": "object",
                    "required": ["action"],
                    "properties": {
                        "action": { "enum": ["accept", "register", "reject", "dispatch", "accept_task", "check_in", "report_back", "return_task",
                            "request_extension", "approve_extension", "deny_extension", "conclude", "verify", "rework", "close",
                            "suspend", "resume", "escalate", "district_return", "district_resolve"] },
                        "holders": { "type": "array", "items": { "$ref": "#/components/schemas/Holder" } },
                        "task_id": { "type": "integer" },
                        "reason": { "type": "string" },
                        "note": { "type": "string" },
                        "hours": { "type": "integer", "minimum": 1, "maximum": 720 },
                        "lon": { "type": "number" }, "lat": { "type": "number" },
                        "version": { "type": "integer", "description": "事件版本（乐观并发）：与当前版本不符时返回 409" }
                    }
                }
            }
        }
    })
}
