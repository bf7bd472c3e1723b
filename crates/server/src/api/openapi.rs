//! The API's OpenAPI 3.1 description: the paths from [`super::ROUTES`], so
//! that it cannot forget a route, and the schemas of every request and
//! answer body derived from the Rust types by `utoipa`.

use axum::Json;
use serde_json::{json, Map, Value};

use utoipa::OpenApi;

use super::handlers_accounts::{Created, Link, NewAccount, NewRoom, RoomUpdate};
use super::handlers_auth::{LoginRequest, ResetRequest, SessionInfo, SetupRequest, TokenPassword};
use super::handlers_privacy::DeleteOwn;
use super::handlers_schools::ServiceChange;
use super::{Access, ROUTES};
use crate::accounts::{Account, AccountId, Invitation, Role, Status};
use crate::api::error::{ApiError, Problem};
use crate::audit::Entry;
use crate::helpdesk::handlers::{EntryText, Filed, FormInfo, TicketUpdate};
use crate::helpdesk::hotline::Hotline;
use crate::helpdesk::validate::NewTicket;
use crate::helpdesk::{
    Category as TicketCategory, Entry as TicketEntry, EntryKind as TicketEntryKind,
    Status as TicketStatus, Ticket, TicketId,
};
use crate::privacy::checklist::{
    Change as ChecklistChange, Entry as ChecklistEntry, Item as ChecklistItem, SchoolChecklist,
    Status as ChecklistStatus,
};
use crate::privacy::template::Template as PrivacyTemplate;
use crate::rooms::{Room, RoomPolicy};
use crate::schools::import::ImportReport;
use crate::schools::{School, SchoolId, Service};
use crate::settings::{Settings, SettingsUpdate};

#[derive(OpenApi)]
#[openapi(components(schemas(
    Account,
    AccountId,
    Role,
    Status,
    Invitation,
    Created,
    Link,
    NewAccount,
    School,
    SchoolId,
    Service,
    ImportReport,
    ServiceChange,
    Room,
    RoomPolicy,
    NewRoom,
    RoomUpdate,
    Settings,
    Entry,
    ApiError,
    Problem,
    SessionInfo,
    SetupRequest,
    LoginRequest,
    TokenPassword,
    ResetRequest,
    PrivacyTemplate,
    SettingsUpdate,
    ChecklistEntry,
    ChecklistItem,
    ChecklistStatus,
    ChecklistChange,
    SchoolChecklist,
    DeleteOwn,
    Ticket,
    TicketId,
    TicketCategory,
    TicketStatus,
    TicketEntry,
    TicketEntryKind,
    NewTicket,
    Filed,
    FormInfo,
    TicketUpdate,
    EntryText,
    Hotline
)))]
struct Schemas;

/// (request body, answer body) of a route, by schema name; `[Name]` is a list.
fn bodies(method: &str, path: &str) -> (Option<&'static str>, Option<&'static str>) {
    match (method, path) {
        ("GET", "/api/session") => (None, Some("SessionInfo")),
        ("POST", "/api/setup") => (Some("SetupRequest"), Some("SessionInfo")),
        ("POST", "/api/login") => (Some("LoginRequest"), Some("SessionInfo")),
        ("POST", "/api/activate" | "/api/password-reset/complete") => {
            (Some("TokenPassword"), Some("SessionInfo"))
        }
        ("POST", "/api/password-reset") => (Some("ResetRequest"), None),
        ("GET", "/api/rooms/{name}/policy") => (None, Some("RoomPolicy")),
        ("GET", "/api/schools") => (None, Some("[School]")),
        ("POST", "/api/schools/import") => (None, Some("ImportReport")),
        ("GET", "/api/schools/{id}") => (None, Some("School")),
        ("PUT", "/api/schools/{id}/service") => (Some("ServiceChange"), Some("School")),
        ("GET", "/api/settings") => (None, Some("Settings")),
        ("PUT", "/api/settings") => (Some("SettingsUpdate"), Some("Settings")),
        ("GET", "/api/accounts") => (None, Some("[Account]")),
        ("POST", "/api/accounts") => (Some("NewAccount"), Some("Created")),
        ("POST", "/api/accounts/bulk") => (None, Some("[Created]")),
        ("POST", "/api/accounts/{id}/deactivate" | "/api/accounts/{id}/reactivate") => {
            (None, Some("Account"))
        }
        ("POST", "/api/accounts/{id}/link") => (None, Some("Link")),
        ("GET", "/api/audit") => (None, Some("[Entry]")),
        ("GET", "/api/rooms") => (None, Some("[Room]")),
        ("POST", "/api/rooms") => (Some("NewRoom"), Some("Room")),
        ("PUT", "/api/rooms/{name}") => (Some("RoomUpdate"), Some("Room")),
        ("GET", "/api/helpdesk/form") => (None, Some("FormInfo")),
        ("POST", "/api/helpdesk/tickets") => (Some("NewTicket"), Some("Filed")),
        ("GET", "/api/helpdesk/tickets") => (None, Some("[Ticket]")),
        ("GET", "/api/helpdesk/tickets/{id}") => (None, Some("Ticket")),
        ("PUT", "/api/helpdesk/tickets/{id}") => (Some("TicketUpdate"), Some("Ticket")),
        ("POST", "/api/helpdesk/tickets/{id}/notes" | "/api/helpdesk/tickets/{id}/replies") => {
            (Some("EntryText"), Some("Ticket"))
        }
        ("PUT", "/api/helpdesk/hotline") => (Some("Hotline"), Some("Hotline")),
        ("GET", "/api/privacy/template") => (None, Some("PrivacyTemplate")),
        ("PUT", "/api/privacy/template") => (Some("PrivacyTemplate"), Some("PrivacyTemplate")),
        ("GET", "/api/privacy/checklists") => (None, Some("[SchoolChecklist]")),
        ("GET", "/api/schools/{id}/checklist") => (None, Some("[ChecklistEntry]")),
        ("PUT", "/api/schools/{id}/checklist/{item}") => {
            (Some("ChecklistChange"), Some("[ChecklistEntry]"))
        }
        ("DELETE", "/api/me") => (Some("DeleteOwn"), None),
        _ => (None, None),
    }
}

fn schema_ref(name: &str) -> Value {
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(item) => {
            json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}})
        }
        None => json!({"$ref": format!("#/components/schemas/{name}")}),
    }
}

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
        let (request, answer) = bodies(method, path);
        if let Some(request) = request {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema_ref(request)}}});
        }
        if let Some(answer) = answer {
            op["responses"]["200"]["content"] =
                json!({"application/json": {"schema": schema_ref(answer)}});
        }
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
    // The body schemas, derived from the Rust types; `Error` is the envelope of every error.
    let mut schemas = serde_json::to_value(Schemas::openapi())
        .ok()
        .and_then(|doc| {
            doc.get("components")
                .and_then(|c| c.get("schemas"))
                .cloned()
        })
        .unwrap_or_else(|| json!({}));
    schemas["Error"] = json!({"type": "object", "required": ["error"], "properties": {"error": {"$ref": "#/components/schemas/ApiError"}}});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Tafelrunde API", "version": env!("CARGO_PKG_VERSION"), "description": "Schools, accounts and rooms of Tafelrunde. See docs/api.md."},
        "paths": paths,
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": crate::auth::session::COOKIE_NAME}},
            "schemas": schemas
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_referenced_schema_exists() {
        let doc = super::build();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for name in [
            "Account",
            "School",
            "SessionInfo",
            "ApiError",
            "Created",
            "Room",
            "Settings",
            "Entry",
        ] {
            assert!(schemas.contains_key(name), "schema {name} missing");
        }
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                schemas.contains_key(&name),
                "a reference to the missing schema {name}"
            );
        }
        assert_eq!(
            doc["paths"].as_object().unwrap().len(),
            super::ROUTES
                .iter()
                .map(|r| r.1)
                .collect::<std::collections::HashSet<_>>()
                .len()
        );
    }
}

pub async fn document() -> Json<Value> {
    Json(build())
}
