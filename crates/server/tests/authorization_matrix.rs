//! Every API route × every role gets exactly the documented answer
//! (docs/api.md), and a teacher never sees another school's data.

mod control;

use axum::http::{Method, StatusCode};
use control::{Backend, Client, Env, SCHOOLS_CSV};
use serde_json::json;
use tafelrunde::api::{Access, ROUTES};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    Anonymous,
    /// A guest's browser: it has been in a room, it has no account (a stale cookie).
    Guest,
    TeacherB,
    AdminA,
    Operator,
    /// Last: it deletes its own room.
    TeacherA,
}

const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::Guest,
    Who::TeacherB,
    Who::AdminA,
    Who::Operator,
    Who::TeacherA,
];

const OK: u16 = 200;
const NO_CONTENT: u16 = 204;
const BAD: u16 = 400;
const UNAUTH: u16 = 401;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;

/// The documented answer for a route's access level (data scope aside).
fn by_access(access: Access, who: Who, success: u16) -> u16 {
    use Who::*;
    match (access, who) {
        (Access::Public, _) => success,
        (_, Anonymous | Guest) => UNAUTH,
        (Access::LoggedIn, _) => success,
        (Access::Admin, AdminA | Operator) => success,
        (Access::Admin, _) => FORBIDDEN,
        (Access::Operator, Operator) => success,
        (Access::Operator, _) => FORBIDDEN,
        (Access::SchoolAccount, Operator) => FORBIDDEN,
        (Access::SchoolAccount, _) => success,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_times_every_role() {
    let env = Env::new(Backend::Sqlite).await;
    let mut op = env.operator().await;
    op.upload("/api/schools/import", SCHOOLS_CSV.as_bytes())
        .await;
    let mut admin_a = env
        .account(
            &mut op,
            "admin@a.de",
            "schoolAdmin",
            "1111111",
            "admin-passwort-a",
        )
        .await;
    let mut teacher_a = env
        .account(
            &mut admin_a,
            "lehrer@a.de",
            "teacher",
            "1111111",
            "lehrer-passwort-a",
        )
        .await;
    let mut teacher_b = env
        .account(
            &mut op,
            "lehrer@b.de",
            "teacher",
            "2222222",
            "lehrer-passwort-b",
        )
        .await;
    let (_, room) = teacher_a
        .post("/api/rooms", json!({"group": "7b", "short": "LA"}))
        .await;
    assert_eq!(room["name"], "1111111-7b-LA");
    teacher_b
        .post("/api/rooms", json!({"group": "9c", "short": "LB"}))
        .await;
    let mut victims = Vec::new();
    for email in ["opfer1@a.de", "opfer2@a.de"] {
        let (_, v) = op
            .post(
                "/api/accounts",
                json!({"email": email, "role": "teacher", "school": "1111111"}),
            )
            .await;
        victims.push(v["account"]["id"].as_str().unwrap().to_string());
    }
    let (_, b_acc) = op
        .post(
            "/api/accounts",
            json!({"email": "opfer@b.de", "role": "teacher", "school": "2222222"}),
        )
        .await;
    let victim_b = b_acc["account"]["id"].as_str().unwrap().to_string();
    let mut guest = env.client();
    guest.cookie = Some("not-a-session".into());
    guest.csrf = Some("x".into());

    let mut clients: std::collections::HashMap<Who, Client> = [
        (Who::Anonymous, env.client()),
        (Who::Guest, guest.clone()),
        (Who::TeacherA, teacher_a.clone()),
        (Who::TeacherB, teacher_b.clone()),
        (Who::AdminA, admin_a.clone()),
        (Who::Operator, op.clone()),
    ]
    .into_iter()
    .collect();
    let login_of = |who: Who| match who {
        Who::TeacherA => Some(("lehrer@a.de", "lehrer-passwort-a")),
        Who::TeacherB => Some(("lehrer@b.de", "lehrer-passwort-b")),
        Who::AdminA => Some(("admin@a.de", "admin-passwort-a")),
        Who::Operator => Some(("betrieb@land.example", "operator-passwort-1")),
        _ => None,
    };

    let mut covered = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for (method, template, access, _) in ROUTES {
        covered.insert((*method, *template));
        for who in EVERYONE {
            let victim = if who == Who::Operator {
                &victims[1]
            } else {
                &victims[0]
            };
            let path = template
                .replace("{kind}", "tom")
                .replace("{format}", "html")
                .replace("{item}", "staffCouncil");
            let path = path.replace("{name}", "1111111-7b-LA").replace(
                "{id}",
                if template.starts_with("/api/schools") {
                    "1111111"
                } else {
                    victim
                },
            );
            let mut c = clients[&who].clone();
            // Logging out ends the session: use a fresh one of the same role.
            if template.starts_with("/api/logout") {
                if let Some((email, password)) = login_of(who) {
                    c = env.client();
                    c.post("/api/login", json!({"email": email, "password": password}))
                        .await;
                }
            }
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let (body, ctype): (Vec<u8>, &str) = match *template {
                "/api/schools/import" | "/api/accounts/bulk" => {
                    (b"E-Mail\nkaputt\n".to_vec(), "text/csv")
                }
                "/api/schools/{id}/service" => (
                    json!({"service": "x", "reason": "r"}).to_string().into(),
                    "application/json",
                ),
                "/api/settings" => (
                    json!({"allowedDomains": ["kaputt"], "guidanceUrl": ""})
                        .to_string()
                        .into(),
                    "application/json",
                ),
                "/api/accounts" => (
                    json!({"email": "kaputt", "role": "teacher", "school": "1111111"})
                        .to_string()
                        .into(),
                    "application/json",
                ),
                "/api/rooms" => (
                    json!({"group": "", "short": "X"}).to_string().into(),
                    "application/json",
                ),
                "/api/rooms/{name}" => (
                    json!({"lobby": true}).to_string().into(),
                    "application/json",
                ),
                "/api/helpdesk/hotline" => (
                    json!({"number": "kaputt", "hours": ""}).to_string().into(),
                    "application/json",
                ),
                _ if m == Method::GET || m == Method::DELETE => (Vec::new(), "application/json"),
                _ => (b"{}".to_vec(), "application/json"),
            };
            let path = if *template == "/api/accounts/bulk" {
                format!("{path}?school=1111111")
            } else {
                path
            };
            let expected = expected(method, template, *access, who);
            let (status, answer) = c.request(m, &path, ctype, body).await;
            assert_ne!(
                answer["error"]["message"], "this API route does not exist",
                "{method} {template} is not routed"
            );
            // "Logout everywhere" ended the role's main session too: log in again.
            if *template == "/api/logout-everywhere" {
                if let Some((email, password)) = login_of(who) {
                    let mut again = env.client();
                    again
                        .post("/api/login", json!({"email": email, "password": password}))
                        .await;
                    clients.insert(who, again);
                }
            }
            if status.as_u16() != expected {
                failures.push(format!(
                    "{method} {path} as {who:?}: expected {expected}, got {status} {answer}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} wrong answers:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Data scope: nobody below the operator sees another school's data.
    let mut admin_a = clients[&Who::AdminA].clone();
    let mut teacher_b = clients[&Who::TeacherB].clone();
    let (status, _) = admin_a.get("/api/accounts?school=2222222").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin_a
        .post(&format!("/api/accounts/{victim_b}/deactivate"), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another school's account is not even found"
    );
    let (_, schools) = teacher_b.get("/api/schools").await;
    assert_eq!(schools.as_array().unwrap().len(), 1);
    assert_eq!(schools[0]["id"], "2222222");
    let (_, rooms) = teacher_b.get("/api/rooms").await;
    assert!(
        rooms
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["school"] == "2222222"),
        "{rooms}"
    );
    let (_, accounts) = admin_a.get("/api/accounts").await;
    assert!(
        accounts
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["school"] == "1111111"),
        "{accounts}"
    );
    let (_, audit) = admin_a.get("/api/audit").await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["school"] == "1111111"),
        "{audit}"
    );
    env.close().await;
}

fn expected(method: &str, template: &str, access: Access, who: Who) -> u16 {
    use Who::*;
    let logged_in = !matches!(who, Anonymous | Guest);
    match (method, template) {
        ("GET", "/api/session") => OK,
        // This server has no identity provider configured.
        ("GET", "/api/oidc/login" | "/api/oidc/callback") => NOT_FOUND,
        ("GET", "/api/rooms/{name}/policy") | ("GET", "/api/openapi.json") => OK,
        // Empty bodies: the documented answer is 400 naming the missing field.
        ("POST", "/api/password-reset") => BAD,
        (
            "POST",
            "/api/setup" | "/api/login" | "/api/activate" | "/api/password-reset/complete",
        ) => BAD,
        ("POST", "/api/logout" | "/api/logout-everywhere") => by_access(access, who, NO_CONTENT),
        ("GET", "/api/schools/{id}") if who == TeacherB => NOT_FOUND,
        ("PUT", "/api/rooms/{name}") if logged_in && matches!(who, TeacherB | AdminA) => NOT_FOUND,
        ("DELETE", "/api/rooms/{name}") if logged_in && matches!(who, TeacherB | AdminA) => {
            NOT_FOUND
        }
        ("PUT", "/api/rooms/{name}") => by_access(access, who, OK),
        ("DELETE", "/api/rooms/{name}") => by_access(access, who, NO_CONTENT),
        ("DELETE", "/api/accounts/{id}") => by_access(access, who, NO_CONTENT),
        ("POST", "/api/schools/import" | "/api/accounts/bulk" | "/api/accounts" | "/api/rooms") => {
            by_access(access, who, BAD)
        }
        ("PUT", "/api/schools/{id}/service" | "/api/settings") => by_access(access, who, BAD),
        // Data protection: "{}" and an empty body lack the required fields.
        ("PUT", "/api/privacy/template" | "/api/schools/{id}/checklist/{item}") => {
            by_access(access, who, BAD)
        }
        ("DELETE", "/api/me") => by_access(access, who, BAD),
        // The helpdesk: the form is public (an empty request names the missing field);
        // the queue is the operator's (no ticket has this id; bodies are refused before).
        ("POST", "/api/helpdesk/tickets") => BAD,
        ("GET" | "PUT", "/api/helpdesk/tickets/{id}") => by_access(access, who, NOT_FOUND),
        ("POST", "/api/helpdesk/tickets/{id}/notes" | "/api/helpdesk/tickets/{id}/replies") => {
            by_access(access, who, BAD)
        }
        ("PUT", "/api/helpdesk/hotline") => by_access(access, who, BAD),
        _ => by_access(access, who, OK),
    }
}
