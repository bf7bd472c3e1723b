//! Hostile uploads against the real server process (issue 11, findings 1
//! and 2): a spreadsheet with a cell in its last column and row, a zip
//! bomb, and large CSV lists. Each is refused with a 400 that names the
//! limit, changes nothing, and neither kills the process, nor takes its
//! memory, nor delays anybody else's request.

mod process;
#[path = "control/xlsx.rs"]
mod xlsx;

use std::time::{Duration, Instant};

use process::{Api, Server};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const HEADER: &str = "Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n";

/// The same answer of `/healthz` a monitoring system gets.
async fn healthz(http: &reqwest::Client, url: &str) -> Duration {
    let start = Instant::now();
    let response = http.get(format!("{url}/healthz")).send().await;
    let took = start.elapsed();
    match response {
        Ok(r) if r.status() == StatusCode::OK => took,
        // No answer within the probe's timeout counts as the timeout.
        _ => PROBE_TIMEOUT,
    }
}

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

fn probe_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .build()
        .unwrap()
}

async fn school_numbers(op: &mut Api) -> Vec<String> {
    let (status, body) = op.get("/api/schools").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut numbers: Vec<String> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_string())
        .collect();
    numbers.sort();
    numbers
}

/// A school admin of 1111111 (created by the operator, activated).
async fn school_admin(server: &Server, op: &mut Api) -> Api {
    let (status, body) = op
        .json(
            Method::POST,
            "/api/accounts",
            json!({"email": "admin@a.de", "role": "schoolAdmin", "school": "1111111"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let link = body["activationLink"].as_str().unwrap();
    let token = link.split_once('#').unwrap().1;
    let mut admin = server.client();
    let (status, body) = admin
        .json(
            Method::POST,
            "/api/activate",
            json!({"token": token, "password": "admin-passwort-a"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    admin
}

fn assert_refused(status: StatusCode, body: &Value, code: &str, limit: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(limit), "the message names {limit}: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sheet_with_cells_in_a1_and_xfd1048576_is_refused_naming_the_column_limit_and_the_server_lives_on(
) {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let mut op = server.operator().await;
    let (status, body) = op
        .upload(
            "/api/schools/import",
            format!("{HEADER}1111111;Schule am See;Grundschule;Kiel;nein\n").into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut admin = school_admin(&server, &mut op).await;

    // 4.7 KB in the finding; this one is smaller still.
    let file = xlsx::cells_at(&[("A1", "Dienststellennummer"), ("XFD1048576", "x")]);
    assert!(file.len() < 5_000, "{} bytes", file.len());
    let (status, body) = op.upload("/api/schools/import", file.clone()).await;
    assert_refused(status, &body, "tooManyColumns", "64");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("XFD1048576"),
        "names the cell: {body}"
    );
    // The same file as a school admin's teacher list.
    let (status, body) = admin
        .upload("/api/accounts/bulk?school=1111111", file)
        .await;
    assert_refused(status, &body, "tooManyColumns", "64");

    assert!(server.alive(), "the process survived:\n{}", server.output());
    assert!(healthz(&probe_client(), &server.url).await < Duration::from_millis(100));
    assert_eq!(school_numbers(&mut op).await, vec!["1111111"]);
    let (status, accounts) = admin.get("/api/accounts").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        accounts.as_array().unwrap().len(),
        1,
        "no teacher was created: {accounts}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zip_bomb_is_refused_naming_the_unpacked_limit_and_the_server_memory_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let mut op = server.operator().await;
    // About 200 MiB of the same row of cells; the finding's bomb was 960 KB.
    let bomb = xlsx::bomb(200 << 20);
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());

    let bomb_len = bomb.len();
    let before = server.memory_kib("VmHWM");
    let (status, body) = op.upload("/api/schools/import", bomb).await;
    let after = server.memory_kib("VmHWM");
    let grown = after.saturating_sub(before) / 1024;
    eprintln!(
        "zip bomb of {} KB: peak memory {} -> {} MiB",
        bomb_len / 1000,
        before / 1024,
        after / 1024
    );
    assert!(
        grown < 100,
        "the peak memory grew by {grown} MiB (from {} MiB); answer {status} {body}",
        before / 1024
    );
    assert_refused(status, &body, "unpackedTooLarge", "32 MiB");
    assert!(school_numbers(&mut op).await.is_empty());
}

/// 1.9 MB of school list, `rows` rows; `last` replaces the last row.
fn large_csv(rows: usize, last: &str) -> Vec<u8> {
    let mut csv = String::from(HEADER);
    for i in 0..rows - 1 {
        csv += &format!(
            "{};Schule Nummer {i} mit einem langen Namen;Grundschule;Kiel;nein\n",
            1_000_000 + i
        );
    }
    csv += last;
    // Pad the rows with spaces up to the size of the finding.
    let pad = (1_900_000usize.saturating_sub(csv.len())) / rows;
    let padded: String = csv
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l}\n")
            } else {
                format!("{l}{}\n", " ".repeat(pad))
            }
        })
        .collect();
    padded.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_within_100ms_during_and_after_two_large_csv_uploads_and_nothing_is_imported(
) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let op = server.operator().await;

    // Too many rows, each short: the most records per byte.
    let mut short = String::from(HEADER);
    while short.len() < 1_900_000 {
        short += "1234567;A;B;C;nein\n";
    }
    // Exactly the row limit, with a bad school number in its last line,
    // which must be named by its real line number.
    let bad_last = large_csv(20_000, "12ab;Letzte Schule;Grundschule;Kiel;nein\n");
    assert!(bad_last.len() > 1_800_000, "{}", bad_last.len());

    let uploads = [
        (short.into_bytes(), "tooManyRows"),
        (bad_last, "badSchoolNumber"),
    ]
    .map(|(bytes, code)| {
        let mut op = op.clone();
        tokio::spawn(async move {
            let (status, body) = op.upload("/api/schools/import", bytes).await;
            (status, body, code)
        })
    });

    let probes = probe_client();
    let mut during = Vec::new();
    loop {
        during.push(healthz(&probes, &server.url).await);
        if uploads.iter().all(|u| u.is_finished()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut after = Vec::new();
    for _ in 0..10 {
        after.push(healthz(&probes, &server.url).await);
    }
    for upload in uploads {
        let (status, body, code) = upload.await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        if code == "tooManyRows" {
            assert_refused(status, &body, code, "20000");
        } else {
            assert_eq!(body["error"]["line"], 20_001, "{body}");
        }
    }
    let slowest = |probes: &[Duration]| probes.iter().max().copied().unwrap_or_default();
    eprintln!(
        "healthz: {} probes during the uploads, slowest {:?}; after: slowest {:?}",
        during.len(),
        slowest(&during),
        slowest(&after)
    );
    assert!(
        slowest(&during) < Duration::from_millis(100),
        "healthz during the uploads: slowest {:?} of {}",
        slowest(&during),
        during.len()
    );
    assert!(
        slowest(&after) < Duration::from_millis(100),
        "healthz after the uploads: slowest {:?}",
        slowest(&after)
    );
    assert!(school_numbers(&mut op.clone()).await.is_empty());
}
