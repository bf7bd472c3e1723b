//! The API's OpenAPI 3.1 description, made from [`super::ROUTES`] so that it
//! cannot forget a route. Bodies are described in docs/api.md.

use axum::Json;
use serde_json::{json, Map, Value};

use super::{Access, ROUTES};

pub fn build() -> Value {
    let mut paths = Map::new();
    for (method, path, access, summary) in ROUTES {
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let security = match access {
            Access::Public => json!([]),
            _ => json!([{"session": []}]),
        };
        let who = match access {
            Access::Public => "anyone",
            Access::LoggedIn => "any logged-in account",
            Access::Admin => "operator, school admin (own school)",
            Access::Operator => "operator",
            Access::SchoolAccount => "teacher or school admin",
        };
        let mut op = json!({
            "summary": summary,
            "description": format!("Who: {who}. Requests that change something carry the session's CSRF token in X-CSRF-Token."),
            "security": security,
            "responses": {
                "200": {"description": "success (201 for created, 204 without body)"},
                "400": {"description": "bad input; `error.code`, `error.field`, `error.line` name it; nothing was changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "not logged in, or the session ended"},
                "403": {"description": "the role may not do this, CSRF token missing, or the school uses BigBlueButton"}
            }
        });
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if matches!(*path, "/api/schools/import" | "/api/accounts/bulk") {
            op["requestBody"] = json!({"content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}
            }});
        }
        entry[method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Tafelrunde API", "version": env!("CARGO_PKG_VERSION"), "description": "Schools, accounts and rooms of Tafelrunde. See docs/api.md."},
        "paths": paths,
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": crate::auth::session::COOKIE_NAME}},
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}, "line": {"type": "integer"},
                "guidanceUrl": {"type": "string"},
                "problems": {"type": "array", "items": {"type": "object", "properties": {"line": {"type": "integer"}, "field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}
            }}}}}
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
