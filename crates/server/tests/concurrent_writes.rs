//! Changes that arrive at the same moment (two admins, two browser tabs,
//! a script) are each applied or refused, never answered with a server
//! error. Found by the property tests against the OpenAPI document
//! (tests/api/properties.py): SQLite refused a transaction that read first
//! and then wrote while another connection had written (`database is locked`).

mod control;

use axum::http::{Method, StatusCode};
use control::{Backend, Env};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_reactivations_and_new_links_of_one_account_never_fail_with_a_server_error() {
    let env = Env::new(Backend::Sqlite).await;
    let (mut op, _admin, _teacher) = env.school_a().await;
    let (status, accounts) = op.get("/api/accounts").await;
    assert_eq!(status, StatusCode::OK, "{accounts}");
    let teacher = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "lehrer@a.de")
        .expect("the teacher is listed")["id"]
        .as_str()
        .unwrap()
        .to_string();

    let mut tasks = Vec::new();
    for i in 0..60 {
        let mut c = op.clone();
        let action = if i % 2 == 0 { "reactivate" } else { "link" };
        let path = format!("/api/accounts/{teacher}/{action}");
        tasks.push(tokio::spawn(async move {
            let (status, body) = c
                .request(Method::POST, &path, "application/json", Vec::new())
                .await;
            (path, status, body)
        }));
    }
    let mut errors: Vec<(String, StatusCode, Value)> = Vec::new();
    for t in tasks {
        let (path, status, body) = t.await.unwrap();
        if status.is_server_error() {
            errors.push((path, status, body));
        }
    }
    assert!(
        errors.is_empty(),
        "{} of 60 simultaneous changes failed with a server error, e.g. {:?}",
        errors.len(),
        errors.first()
    );
    env.close().await;
}
