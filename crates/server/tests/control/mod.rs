//! A control plane on SQLite or on a PostgreSQL of the test's own, the
//! whole app behind it (called with `oneshot`, no socket), and an API
//! client that keeps its session cookie and CSRF token like a browser.
#![allow(dead_code)]

pub mod pg;
pub mod smtp;
pub mod xlsx;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tafelrunde::app::{app, AppState};
use tafelrunde::control::Control;
use tafelrunde_sfu::MediaPlane;
use tokio::sync::watch;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Env {
    pub router: Router,
    pub control: Arc<Control>,
    pub media: Arc<MediaPlane>,
    _shutdown: watch::Sender<bool>,
    // Dropped last: the database outlives the pool.
    _pg: Option<pg::Postgres>,
    _dir: tempfile::TempDir,
}

pub const PUBLIC_URL: &str = "https://tafelrunde.test";

impl Env {
    pub async fn new(backend: Backend) -> Self {
        Self::with_mailer(backend, None).await
    }

    pub async fn with_mailer(backend: Backend, mailer: Option<tafelrunde::mail::Mailer>) -> Self {
        Self::build(backend, mailer, true).await
    }

    /// As a production server: only school rooms exist (`[rooms] open = false`).
    pub async fn school_rooms_only(backend: Backend) -> Self {
        Self::build(backend, None, false).await
    }

    /// With a TURN server configured (credentials are handed out; nothing
    /// listens at its address).
    pub async fn with_turn(backend: Backend, turn: tafelrunde::turn::TurnConfig) -> Self {
        Self::build_with(backend, None, true, |_| {}, turn).await
    }

    /// Open rooms are on by default: most tests use free room names.
    async fn build(
        backend: Backend,
        mailer: Option<tafelrunde::mail::Mailer>,
        open_rooms: bool,
    ) -> Self {
        Self::configured(backend, mailer, open_rooms, |_| {}).await
    }

    /// With the control plane adjusted by `configure` before it starts
    /// (e.g. trusted proxies).
    pub async fn configured(
        backend: Backend,
        mailer: Option<tafelrunde::mail::Mailer>,
        open_rooms: bool,
        configure: impl FnOnce(&mut Control),
    ) -> Self {
        Self::build_with(backend, mailer, open_rooms, configure, Default::default()).await
    }

    async fn build_with(
        backend: Backend,
        mailer: Option<tafelrunde::mail::Mailer>,
        open_rooms: bool,
        configure: impl FnOnce(&mut Control),
        turn: tafelrunde::turn::TurnConfig,
    ) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn,tafelrunde=info")
            .try_init();
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) = match backend {
            Backend::Sqlite => (
                tafelrunde::storage::sqlite_url(&dir.path().join("data")),
                None,
            ),
            Backend::Postgres => {
                let pg = tokio::task::spawn_blocking(pg::Postgres::start)
                    .await
                    .unwrap();
                (pg.url("postgres"), Some(pg))
            }
        };
        let mut control = Control::open(&url, PUBLIC_URL, mailer)
            .await
            .expect("database opens");
        control.open_rooms = open_rooms;
        configure(&mut control);
        let control = Arc::new(control);
        // The server's own defaults, on free ports with one shard.
        let mut config = tafelrunde::config::Config::default();
        config.media.udp_port = 0;
        config.media.tcp = false;
        config.media.shards = 1;
        let media = Arc::new(MediaPlane::start(&config.media_config()).unwrap());
        let (shutdown, shutting_down) = watch::channel(false);
        let state = AppState {
            rooms: media.clone(),
            shutting_down,
            turn: Arc::new(turn),
            control: Some(control.clone()),
            cpu: tafelrunde::cpu::CpuPool::for_this_machine(),
        };
        Self {
            router: app(state),
            control,
            media,
            _shutdown: shutdown,
            _pg: pg,
            _dir: dir,
        }
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            csrf: None,
        }
    }

    /// The setup link's token (as printed at first start).
    pub async fn setup_token(&self) -> String {
        let link = tafelrunde::accounts::lifecycle::setup_link(&self.control.db, PUBLIC_URL)
            .await
            .unwrap()
            .expect("no operator yet");
        token_of(&link)
    }

    /// A logged-in operator.
    pub async fn operator(&self) -> Client {
        let token = self.setup_token().await;
        let mut c = self.client();
        let (status, body) = c.post("/api/setup", json!({"token": token, "email": "betrieb@land.example", "password": "operator-passwort-1"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        c
    }

    /// Logs in an account created by `admin` and activated with `password`.
    pub async fn account(
        &self,
        admin: &mut Client,
        email: &str,
        role: &str,
        school: &str,
        password: &str,
    ) -> Client {
        let (status, body) = admin
            .post(
                "/api/accounts",
                json!({"email": email, "role": role, "school": school}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let token = token_of(body["activationLink"].as_str().unwrap());
        let mut c = self.client();
        let (status, body) = c
            .post(
                "/api/activate",
                json!({"token": token, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        c
    }

    /// The schools of [`SCHOOLS_CSV`] imported by the operator, a school
    /// admin of 1111111 (`admin@a.de`) and a teacher of it (`lehrer@a.de`),
    /// each logged in: (operator, school admin, teacher).
    pub async fn school_a(&self) -> (Client, Client, Client) {
        let mut op = self.operator().await;
        op.upload("/api/schools/import", SCHOOLS_CSV.as_bytes())
            .await;
        let mut admin = self
            .account(
                &mut op,
                "admin@a.de",
                "schoolAdmin",
                "1111111",
                "admin-passwort-a",
            )
            .await;
        let teacher = self
            .account(
                &mut admin,
                "lehrer@a.de",
                "teacher",
                "1111111",
                "lehrer-passwort-a",
            )
            .await;
        (op, admin, teacher)
    }

    /// Serves the app on a free loopback port, as `tafelrunde serve` does
    /// (the peer's address reaches the handlers).
    pub async fn listen(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let service = self
            .router
            .clone()
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        addr
    }

    pub async fn close(self) {
        self.control.db.close().await;
        self.media.shutdown();
    }
}

pub fn token_of(link: &str) -> String {
    link.split_once('#')
        .expect("link with #token")
        .1
        .to_string()
}

pub const SCHOOLS_CSV: &str = "Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n\
1111111;Schule am See;Grundschule;Kiel;nein\n\
2222222;Gymnasium Nord;Gymnasium;Lübeck;nein\n\
3333333;Gemeinschaftsschule Süd;Gemeinschaftsschule;Flensburg;ja\n";

/// Like a browser: keeps the session cookie and sends the CSRF token.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl Client {
    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, format!("tafelrunde_session={c}"));
        }
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        if !body.is_empty() || method != Method::GET {
            req = req.header(header::CONTENT_TYPE, content_type);
        }
        let response = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        for v in response.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let Some(v) = v.strip_prefix("tafelrunde_session=") else {
                continue;
            };
            let value = v.split(';').next().unwrap();
            self.cookie = (!value.is_empty()).then(|| value.to_string());
            if self.cookie.is_none() {
                self.csrf = None;
            }
        }
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .unwrap();
        let value: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        if let Some(csrf) = value.get("csrf").and_then(Value::as_str) {
            self.csrf = Some(csrf.to_string());
        }
        (status, value)
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, Value) {
        self.request(Method::GET, path, "application/json", Vec::new())
            .await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request(
            Method::POST,
            path,
            "application/json",
            body.to_string().into_bytes(),
        )
        .await
    }

    pub async fn put(&mut self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request(
            Method::PUT,
            path,
            "application/json",
            body.to_string().into_bytes(),
        )
        .await
    }

    pub async fn delete(&mut self, path: &str) -> (StatusCode, Value) {
        self.request(Method::DELETE, path, "application/json", Vec::new())
            .await
    }

    pub async fn upload(&mut self, path: &str, bytes: &[u8]) -> (StatusCode, Value) {
        self.request(Method::POST, path, "text/csv", bytes.to_vec())
            .await
    }
}

/// Runs a scenario once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_databases {
    ($name:ident) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(control::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(control::Backend::Postgres).await
            }
        }
    };
}
