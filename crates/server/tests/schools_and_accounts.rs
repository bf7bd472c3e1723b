//! Schools, accounts and the one-service-per-school rule through the JSON
//! API, each scenario on SQLite and on a real PostgreSQL.

mod control;

use axum::http::StatusCode;
use control::{token_of, Backend, Env, SCHOOLS_CSV};
use serde_json::{json, Value};

async fn import_scenario(backend: Backend) {
    let env = Env::new(backend).await;
    let mut op = env.operator().await;

    // A valid list.
    let (status, report) = op
        .upload("/api/schools/import", SCHOOLS_CSV.as_bytes())
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(3), Some(0))
    );
    let (_, schools) = op.get("/api/schools").await;
    let services: Vec<(&str, &str)> = schools
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["service"].as_str().unwrap()))
        .collect();
    assert_eq!(
        services,
        vec![
            ("1111111", "tafelrunde"),
            ("2222222", "tafelrunde"),
            ("3333333", "bigbluebutton")
        ]
    );

    // A list with a bad row at line 4: refused, nothing of it applied.
    let bad = "Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n\
               1111111;Umbenannt;Grundschule;Kiel;nein\n\
               4444444;Neue Schule;Grundschule;Plön;nein\n\
               55x;Kaputt;Grundschule;Plön;nein\n";
    let (status, error) = op.upload("/api/schools/import", bad.as_bytes()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"]["line"], 4, "{error}");
    assert_eq!(error["error"]["code"], "badSchoolNumber");
    assert_eq!(error["error"]["field"], "Dienststellennummer");
    let (_, schools) = op.get("/api/schools").await;
    assert_eq!(
        schools.as_array().unwrap().len(),
        3,
        "nothing of the bad import was applied"
    );
    assert_eq!(schools[0]["name"], "Schule am See");

    // Re-import: updates, no duplicates; the itslearning column switches the service.
    let again = "Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n\
                 1111111;Schule am See;Grundschule;Kiel;ja\n\
                 2222222;Gymnasium Nord (neu);Gymnasium;Lübeck;nein\n\
                 3333333;Gemeinschaftsschule Süd;Gemeinschaftsschule;Flensburg;ja\n";
    let (status, report) = op.upload("/api/schools/import", again.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (
            report["created"].as_u64(),
            report["updated"].as_u64(),
            report["unchanged"].as_u64()
        ),
        (Some(0), Some(2), Some(1))
    );
    assert_eq!(report["switchedToBigbluebutton"], json!(["1111111"]));
    let (_, schools) = op.get("/api/schools").await;
    assert_eq!(schools.as_array().unwrap().len(), 3);
    assert_eq!(schools[1]["name"], "Gymnasium Nord (neu)");
    assert_eq!(schools[0]["service"], "bigbluebutton");

    // XLSX: numbers as numbers, the same rules.
    let xlsx = control::xlsx::build(&[
        vec![
            "Dienststellennummer",
            "Name",
            "Schulart",
            "Ort",
            "itslearning beantragt",
        ],
        vec![
            "4444444",
            "Förderzentrum Ost",
            "Förderzentrum",
            "Kiel",
            "nein",
        ],
    ]);
    let (status, report) = op.upload("/api/schools/import", &xlsx).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 1);
    let (status, school) = op.get("/api/schools/4444444").await;
    assert_eq!(
        (status, school["name"].as_str()),
        (StatusCode::OK, Some("Förderzentrum Ost"))
    );
    let bad_xlsx = control::xlsx::build(&[
        vec![
            "Dienststellennummer",
            "Name",
            "Schulart",
            "Ort",
            "itslearning beantragt",
        ],
        vec!["5555555", "A", "GS", "Kiel", "nein"],
        vec!["6666666", "B", "GS", "Kiel", "vielleicht"],
    ]);
    let (status, error) = op.upload("/api/schools/import", &bad_xlsx).await;
    assert_eq!(
        (
            status,
            error["error"]["line"].as_u64(),
            error["error"]["code"].as_str()
        ),
        (StatusCode::BAD_REQUEST, Some(3), Some("badYesNo"))
    );
    assert_eq!(
        op.get("/api/schools/5555555").await.0,
        StatusCode::NOT_FOUND
    );

    // The operator changes a service with a reason; logged.
    let (status, error) = op
        .put(
            "/api/schools/2222222/service",
            json!({"service": "bigbluebutton", "reason": " "}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("reasonRequired"))
    );
    let (status, school) = op
        .put(
            "/api/schools/2222222/service",
            json!({"service": "bigbluebutton", "reason": "Antrag vom 3. März"}),
        )
        .await;
    assert_eq!(
        (status, school["service"].as_str()),
        (StatusCode::OK, Some("bigbluebutton"))
    );
    let (_, audit) = op.get("/api/audit").await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "school.service"
                && e["school"] == "2222222"
                && e["detail"].as_str().unwrap().contains("Antrag vom 3. März")),
        "{audit}"
    );
    env.close().await;
}
both_databases!(import_scenario);

async fn account_lifecycle(backend: Backend) {
    let env = Env::new(backend).await;
    let mut op = env.operator().await;
    op.upload("/api/schools/import", SCHOOLS_CSV.as_bytes())
        .await;
    let (status, _) = op.put("/api/settings", json!({"allowedDomains": ["@schule-sh.de"], "guidanceUrl": "https://bildung.example/itslearning"})).await;
    assert_eq!(status, StatusCode::OK);

    // Operator creates a school admin; an address outside the allowed domains is refused.
    let (status, error) = op
        .post(
            "/api/accounts",
            json!({"email": "x@gmail.com", "role": "schoolAdmin", "school": "1111111"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("domainNotAllowed"))
    );
    let mut admin = env
        .account(
            &mut op,
            "leitung@schule-sh.de",
            "schoolAdmin",
            "1111111",
            "admin-passwort-1",
        )
        .await;
    let (_, me) = admin.get("/api/session").await;
    assert_eq!(me["account"]["role"], "schoolAdmin");

    // Bulk: one bad line refuses the whole list.
    let bad = "E-Mail\nanna@schule-sh.de\nben@schule-sh.de\nkein-mail\n";
    let (status, error) = admin
        .upload("/api/accounts/bulk?school=1111111", bad.as_bytes())
        .await;
    assert_eq!(
        (
            status,
            error["error"]["line"].as_u64(),
            error["error"]["code"].as_str()
        ),
        (StatusCode::BAD_REQUEST, Some(4), Some("badEmail")),
        "{error}"
    );
    let (_, list) = admin.get("/api/accounts").await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "only the admin: nothing of the bad list was created"
    );
    let (status, created) = admin
        .upload(
            "/api/accounts/bulk?school=1111111",
            b"E-Mail\nanna@schule-sh.de\nben@schule-sh.de\n",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created.as_array().unwrap().len(), 2);
    let anna_link = created[0]["activationLink"].as_str().unwrap().to_string();
    assert!(anna_link.starts_with("https://tafelrunde.test/activate#"));
    // A school admin creates teachers only: no other school admin, no operator.
    for (role, school) in [("schoolAdmin", json!("1111111")), ("operator", json!(null))] {
        let (status, _) = admin
            .post(
                "/api/accounts",
                json!({"email": "x@schule-sh.de", "role": role, "school": school}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "a school admin may not create a {role}"
        );
    }
    // A school admin cannot create accounts of another school.
    let (status, _) = admin
        .upload(
            "/api/accounts/bulk?school=2222222",
            b"E-Mail\ncarl@schule-sh.de\n",
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Activation: a short password is refused and the link stays valid.
    let mut anna = env.client();
    let (status, error) = anna
        .post(
            "/api/activate",
            json!({"token": token_of(&anna_link), "password": "kurz"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password"))
    );
    let (status, _) = anna
        .post(
            "/api/activate",
            json!({"token": token_of(&anna_link), "password": "anna-passwort-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, error) = env
        .client()
        .post(
            "/api/activate",
            json!({"token": token_of(&anna_link), "password": "anna-passwort-2"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalidLink")),
        "a link works once"
    );

    // Login and logout; CSRF is required for changes.
    let mut anna2 = env.client();
    let (status, error) = anna2
        .post(
            "/api/login",
            json!({"email": "anna@schule-sh.de", "password": "falsch-falsch"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("wrongLogin"))
    );
    let (status, _) = anna2
        .post(
            "/api/login",
            json!({"email": "Anna@Schule-SH.de", "password": "anna-passwort-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut no_csrf = anna2.clone();
    no_csrf.csrf = None;
    let (status, error) = no_csrf
        .post("/api/rooms", json!({"group": "7b", "short": "ANN"}))
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf"))
    );

    // Rooms: named by the rule, persisted, listed.
    let (status, room) = anna2
        .post(
            "/api/rooms",
            json!({"group": "7b", "short": "ANN", "lobby": true}),
        )
        .await;
    assert_eq!(
        (status, room["name"].as_str()),
        (StatusCode::CREATED, Some("1111111-7b-ANN")),
        "{room}"
    );
    let (status, error) = anna2
        .post("/api/rooms", json!({"group": "7-b", "short": "ANN"}))
        .await;
    assert_eq!(
        (status, error["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("group"))
    );
    let (status, room) = anna2
        .put(
            "/api/rooms/1111111-7b-ANN",
            json!({"lobby": false, "password": "geheim"}),
        )
        .await;
    assert_eq!(
        (
            status,
            room["hasPassword"].as_bool(),
            room["lobby"].as_bool()
        ),
        (StatusCode::OK, Some(true), Some(false))
    );
    let (_, rooms) = anna.get("/api/rooms").await;
    assert_eq!(
        rooms.as_array().unwrap().len(),
        1,
        "rooms are listed in every session"
    );

    // Logout everywhere ends both of Anna's sessions.
    let (status, _) = anna2.post("/api/logout-everywhere", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(anna.get("/api/rooms").await.0, StatusCode::UNAUTHORIZED);

    // Deactivate: sessions end, login refused; reactivate; reset link; delete.
    let mut anna = env.client();
    anna.post(
        "/api/login",
        json!({"email": "anna@schule-sh.de", "password": "anna-passwort-1"}),
    )
    .await;
    let anna_id = created[0]["account"]["id"].as_str().unwrap().to_string();
    let (status, acc) = admin
        .post(&format!("/api/accounts/{anna_id}/deactivate"), json!({}))
        .await;
    assert_eq!(
        (status, acc["status"].as_str()),
        (StatusCode::OK, Some("deactivated"))
    );
    assert_eq!(anna.get("/api/rooms").await.0, StatusCode::UNAUTHORIZED);
    let (status, error) = anna
        .post(
            "/api/login",
            json!({"email": "anna@schule-sh.de", "password": "anna-passwort-1"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("deactivated"))
    );
    let (status, acc) = admin
        .post(&format!("/api/accounts/{anna_id}/reactivate"), json!({}))
        .await;
    assert_eq!(
        (status, acc["status"].as_str()),
        (StatusCode::OK, Some("active"))
    );
    let (status, link) = admin
        .post(&format!("/api/accounts/{anna_id}/link"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = env.client().post("/api/password-reset/complete", json!({"token": token_of(link["link"].as_str().unwrap()), "password": "neues-passwort-1"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = env
        .client()
        .post(
            "/api/login",
            json!({"email": "anna@schule-sh.de", "password": "neues-passwort-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = admin.delete(&format!("/api/accounts/{anna_id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = env
        .client()
        .post(
            "/api/login",
            json!({"email": "anna@schule-sh.de", "password": "neues-passwort-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The school admin sees the audit log of their school only.
    let (_, audit) = admin.get("/api/audit").await;
    let entries = audit.as_array().unwrap();
    assert!(entries.iter().all(|e| e["school"] == "1111111"), "{audit}");
    assert!(
        [
            "account.create",
            "account.activate",
            "account.deactivate",
            "account.reactivate",
            "account.delete"
        ]
        .iter()
        .all(|a| entries.iter().any(|e| e["action"] == *a)),
        "{audit}"
    );
    env.close().await;
}
both_databases!(account_lifecycle);

async fn the_rule(backend: Backend) {
    let env = Env::new(backend).await;
    let mut op = env.operator().await;
    op.upload("/api/schools/import", SCHOOLS_CSV.as_bytes())
        .await;
    op.put(
        "/api/settings",
        json!({"allowedDomains": [], "guidanceUrl": "https://bildung.example/itslearning"}),
    )
    .await;

    // School 3333333 applied for itslearning: no accounts.
    let (status, error) = op
        .post(
            "/api/accounts",
            json!({"email": "a@s.de", "role": "teacher", "school": "3333333"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("schoolUsesBigBlueButton"))
    );
    assert_eq!(
        error["error"]["guidanceUrl"],
        "https://bildung.example/itslearning"
    );

    // A teacher of 1111111 is logged in, a colleague has not activated yet.
    let mut teacher = env
        .account(
            &mut op,
            "lehrer@s.de",
            "teacher",
            "1111111",
            "lehrer-passwort-1",
        )
        .await;
    teacher
        .post("/api/rooms", json!({"group": "5a", "short": "LEH"}))
        .await;
    let (_, pending) = op
        .post(
            "/api/accounts",
            json!({"email": "neu@s.de", "role": "teacher", "school": "1111111"}),
        )
        .await;
    let pending_token = token_of(pending["activationLink"].as_str().unwrap());
    let (_, policy) = env.client().get("/api/rooms/1111111-5a-LEH/policy").await;
    assert_eq!(policy["allowed"], true);

    // The operator switches the school to BigBlueButton.
    let (status, _) = op
        .put(
            "/api/schools/1111111/service",
            json!({"service": "bigbluebutton", "reason": "itslearning beantragt"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The teacher's session has ended at once, with the reason.
    let (status, error) = teacher.get("/api/rooms").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("schoolUsesBigBlueButton"))
    );
    let (status, _) = teacher.get("/api/rooms").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session stays ended");
    // Login, activation and new accounts are refused; guests of its rooms are told.
    let (status, error) = env
        .client()
        .post(
            "/api/login",
            json!({"email": "lehrer@s.de", "password": "lehrer-passwort-1"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("schoolUsesBigBlueButton"))
    );
    let (status, error) = env
        .client()
        .post(
            "/api/activate",
            json!({"token": pending_token, "password": "neu-passwort-12"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("schoolUsesBigBlueButton"))
    );
    let (_, policy) = env.client().get("/api/rooms/1111111-5a-LEH/policy").await;
    assert_eq!(
        (policy["allowed"].as_bool(), policy["guidanceUrl"].as_str()),
        (Some(false), Some("https://bildung.example/itslearning"))
    );
    assert_eq!(
        env.control.bbb.school_of_room("1111111-5a-LEH").as_deref(),
        Some("1111111"),
        "the signaling check knows"
    );

    // Switching back works; the activation link was kept.
    op.put(
        "/api/schools/1111111/service",
        json!({"service": "tafelrunde", "reason": "Antrag zurückgezogen"}),
    )
    .await;
    assert_eq!(env.control.bbb.school_of_room("1111111-5a-LEH"), None);
    let (status, _) = env
        .client()
        .post(
            "/api/login",
            json!({"email": "lehrer@s.de", "password": "lehrer-passwort-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = env
        .client()
        .post(
            "/api/activate",
            json!({"token": pending_token, "password": "neu-passwort-12"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    env.close().await;
}
both_databases!(the_rule);

#[tokio::test]
async fn login_is_rate_limited() {
    let env = Env::new(Backend::Sqlite).await;
    let _op = env.operator().await;
    let mut c = env.client();
    for _ in 0..tafelrunde::limits::Limit::LoginAccountNetwork.rate().burst {
        let (status, _) = c
            .post(
                "/api/login",
                json!({"email": "betrieb@land.example", "password": "falsch-falsch"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, error) = c
        .post(
            "/api/login",
            json!({"email": "betrieb@land.example", "password": "operator-passwort-1"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("tooManyAttempts")),
        "even the right password waits"
    );
    env.close().await;
}

#[tokio::test]
async fn setup_link_works_once_and_only_without_operator() {
    let env = Env::new(Backend::Sqlite).await;
    let (_, s) = env.client().get("/api/session").await;
    assert_eq!(s["setupRequired"], true);
    let token = env.setup_token().await;
    let (status, error) = env
        .client()
        .post(
            "/api/setup",
            json!({"token": "falsch", "email": "a@b.de", "password": "lang-genug-123"}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalidLink"))
    );
    let (status, _) = env
        .client()
        .post(
            "/api/setup",
            json!({"token": token, "email": "a@b.de", "password": "lang-genug-123"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = env
        .client()
        .post(
            "/api/setup",
            json!({"token": token, "email": "c@b.de", "password": "lang-genug-123"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        tafelrunde::accounts::lifecycle::setup_link(&env.control.db, "http://x")
            .await
            .unwrap()
            .is_none()
    );
    let (_, s) = env.client().get("/api/session").await;
    assert_eq!(s["setupRequired"], false);
    let (status, error) = env
        .client()
        .post("/api/login", json!({"email": "a@b.de"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("password"),
        "{error}"
    );
    env.close().await;
}

#[allow(dead_code)]
fn _uses(_: Value) {}
