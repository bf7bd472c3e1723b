//! The real `tafelrunde serve` binary as a separate process (SQLite in a
//! folder of the test's own, free loopback ports), and an HTTP client that
//! talks to it over a real socket like a browser: it keeps the session
//! cookie and sends the CSRF token.
//!
//! A separate process, so that a test can see what an administrator would:
//! whether the process survived, how much memory it took, and what is left
//! in its database after `kill -9` and a restart.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The operator that [`Server::operator`] creates.
pub const OPERATOR_EMAIL: &str = "betrieb@land.example";
pub const OPERATOR_PASSWORD: &str = "operator-passwort-1";

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// The folder of its SQLite database.
    pub data_dir: PathBuf,
    /// stdout and stderr, for the message of a failing test.
    output: Arc<Mutex<String>>,
}

impl Server {
    /// Starts the server on `data_dir` (created if missing) and waits until
    /// it listens.
    pub fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &[])
    }

    /// [`Server::start`] with more command-line flags.
    pub fn start_with(data_dir: &Path, extra: &[&str]) -> Self {
        let bin = env!("CARGO_BIN_EXE_tafelrunde");
        let args = [
            "serve",
            "--http",
            "127.0.0.1:0",
            "--media-address",
            "127.0.0.1",
            "--media-udp-port",
            "0",
            "--media-tcp-port",
            "0",
            "--shards",
            "1",
            "--data-dir",
        ];
        // setpriv --pdeathsig: the kernel kills the server when the test
        // process dies, even by SIGKILL, so no server outlives its test.
        let mut command = if Path::new("/usr/bin/setpriv").exists() {
            let mut c = Command::new("/usr/bin/setpriv");
            c.args(["--pdeathsig", "SIGKILL", "--", bin]);
            c
        } else {
            Command::new(bin)
        };
        let mut child = command
            .args(args)
            .arg(data_dir)
            .args(extra)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let output = Arc::new(Mutex::new(String::new()));
        collect(child.stdout.take().unwrap(), output.clone());
        collect(child.stderr.take().unwrap(), output.clone());
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = loop {
            let text = output.lock().unwrap().clone();
            if let Some(url) = text
                .lines()
                .find_map(|l| l.strip_prefix("tafelrunde: listening on "))
            {
                break url.trim().to_string();
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the server exited ({status}) before it listened:\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "the server did not listen within 30 s:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Self {
            child,
            url,
            data_dir: data_dir.to_path_buf(),
            output,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything it printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Still running?
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// `kill -9`: no shutdown, no flush, no goodbye.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A field of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`), of the server
    /// itself (not of `setpriv`, which `exec`s it and keeps the pid).
    pub fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the server process exists");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/PID/status"))
    }

    /// The one-time setup link's token printed at the first start.
    pub fn setup_token(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(token) = self
                .output()
                .lines()
                .find_map(|l| l.split_once("/setup#").map(|(_, t)| t.trim().to_string()))
            {
                return token;
            }
            assert!(
                Instant::now() < deadline,
                "no setup link printed:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn client(&self) -> Api {
        Api::new(&self.url)
    }

    /// The first operator, logged in (from the printed setup link).
    pub async fn operator(&self) -> Api {
        let mut api = self.client();
        let (status, body) = api
            .json(
                Method::POST,
                "/api/setup",
                json!({"token": self.setup_token(), "email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        api
    }

    /// The operator of an earlier start, logged in again.
    pub async fn login_operator(&self) -> Api {
        let mut api = self.client();
        let (status, body) = api
            .json(
                Method::POST,
                "/api/login",
                json!({"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        api
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut text = into.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    });
}

/// Like a browser: keeps the session cookie and sends the CSRF token.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
            base: base.to_string(),
            cookie: None,
            csrf: None,
        }
    }

    /// Sends `body` as `content_type`; the answer's status and JSON.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(c) = &self.cookie {
            request = request.header("cookie", format!("tafelrunde_session={c}"));
        }
        if let Some(t) = &self.csrf {
            request = request.header("x-csrf-token", t);
        }
        let response = request.send().await?;
        let status = response.status();
        for v in response.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap_or_default();
            if let Some(value) = v
                .split(';')
                .next()
                .and_then(|kv| kv.strip_prefix("tafelrunde_session="))
            {
                self.cookie = (!value.is_empty()).then(|| value.to_string());
            }
        }
        let bytes = response.bytes().await?;
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        if let Some(csrf) = value.get("csrf").and_then(Value::as_str) {
            self.csrf = Some(csrf.to_string());
        }
        Ok((status, value))
    }

    pub async fn json(&mut self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let body = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        self.send(method, path, "application/json", body)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, Value) {
        self.json(Method::GET, path, Value::Null).await
    }

    /// An uploaded list (CSV or XLSX, as the browser sends the file).
    pub async fn upload(&mut self, path: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        self.send(Method::POST, path, "application/octet-stream", bytes)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}
