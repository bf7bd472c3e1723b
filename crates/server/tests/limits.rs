//! The login and password-reset limits through a real server on a real
//! socket, with truly simultaneous requests: a limit counts a try before the
//! password is hashed, so a burst cannot slip past it; it counts by network
//! (an IPv4 address, an IPv6 /64); failures elsewhere never lock an account
//! owner out of her own browser; hashing never stalls other requests; reset
//! mails are limited and answered alike for known and unknown addresses.
//! The test is the reverse proxy: the server trusts 127.0.0.1, and each
//! request names its client in `X-Forwarded-For`.

mod control;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tafelrunde::limits::Limit;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use control::smtp::{fake_smtp, slow_smtp};
use control::{Backend, Env};

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// The value of cookie `name` set by this answer.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap().to_string())
    }
}

/// One HTTP/1.1 request on a connection of its own.
async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        request += "Content-Type: application/json\r\n";
    }
    for (name, value) in headers {
        request += &format!("{name}: {value}\r\n");
    }
    request += "\r\n";
    request += &body;
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_lowercase(), v.to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    }
}

/// A login from `client` (through the test's "proxy"), with a cookie header if given.
async fn login(
    addr: SocketAddr,
    client: &str,
    email: &str,
    password: &str,
    cookie: Option<&str>,
) -> Answer {
    let mut headers = vec![("X-Forwarded-For", client)];
    let cookie = cookie.map(|c| format!("tafelrunde_known_device={c}"));
    if let Some(c) = &cookie {
        headers.push(("Cookie", c));
    }
    http(
        addr,
        "POST",
        "/api/login",
        &headers,
        Some(&json!({"email": email, "password": password})),
    )
    .await
}

/// A server behind a reverse proxy on 127.0.0.1, with school 1111111, its
/// admin and its teacher `lehrer@a.de` (password `lehrer-passwort-a`).
async fn behind_proxy(mailer: Option<tafelrunde::mail::Mailer>) -> (Env, SocketAddr) {
    let env = Env::configured(Backend::Sqlite, mailer, false, |c| {
        c.trusted_proxies =
            tafelrunde::client_ip::TrustedProxies::parse(&["127.0.0.1".into()]).unwrap();
    })
    .await;
    env.school_a().await;
    let addr = env.listen().await;
    (env, addr)
}

const TEACHER: &str = "lehrer@a.de";
const RIGHT: &str = "lehrer-passwort-a";

fn burst(limit: Limit) -> usize {
    limit.rate().burst as usize
}

/// The most tries `limit` lets through since `start`: its burst, and one
/// more for every interval its bucket refilled meanwhile (a loaded machine
/// is slow enough for a refill or two during a long loop of logins).
fn allowed_since(limit: Limit, start: std::time::Instant) -> usize {
    let rate = limit.rate();
    let interval = rate.per / rate.burst;
    let refills = start.elapsed().as_millis() / interval.as_millis();
    rate.burst as usize + refills as usize + 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_guesses_at_one_account_are_checked_no_more_often_than_its_limit() {
    // No proxy: every guess comes straight from 127.0.0.1.
    let env = Env::school_rooms_only(Backend::Sqlite).await;
    env.school_a().await;
    let addr = env.listen().await;
    let guesses: Vec<_> = (0..300)
        .map(|i| {
            // One of them is the right password.
            let password = if i == 150 {
                RIGHT.to_string()
            } else {
                format!("falsch-{i}")
            };
            tokio::spawn(async move {
                let body = json!({"email": TEACHER, "password": password});
                http(addr, "POST", "/api/login", &[], Some(&body))
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for g in guesses {
        statuses.push(g.await.unwrap());
    }
    // The limit counts failures: a right password hands its try back, so
    // when it is among the first checked, one more wrong guess is checked.
    let limit = burst(Limit::LoginAccountNetwork);
    let failed = statuses.iter().filter(|s| **s == 401).count();
    let checked = statuses.iter().filter(|s| [200, 401].contains(*s)).count();
    assert!(
        failed <= limit && checked <= limit + 1,
        "{checked} of 300 simultaneous guesses were checked, {failed} of them wrong; the limit is {limit} failures"
    );
    assert!(
        statuses.iter().all(|s| [200, 401, 429, 503].contains(s)),
        "{statuses:?}"
    );
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_from_one_network_do_not_lock_the_owner_out_from_another() {
    let (env, addr) = behind_proxy(None).await;
    let operator = "betrieb@land.example";
    let attacker = "198.51.100.7";
    let mut statuses = Vec::new();
    for i in 0..20 {
        statuses.push(
            login(addr, attacker, operator, &format!("rate-{i}"), None)
                .await
                .status,
        );
    }
    let limit = burst(Limit::LoginAccountNetwork);
    assert!(statuses[..limit].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[limit..].iter().all(|s| *s == 429), "{statuses:?}");
    let there = login(addr, attacker, operator, "operator-passwort-1", None).await;
    assert_eq!(there.status, 429, "the guessing network is slowed down");
    let home = login(addr, "203.0.113.9", operator, "operator-passwort-1", None).await;
    assert_eq!(
        (home.status, home.code()),
        (200, ""),
        "the operator elsewhere logs in: {}",
        home.body
    );
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_addresses_of_one_ipv6_64_count_as_one_network() {
    let (env, addr) = behind_proxy(None).await;
    let limit = burst(Limit::LoginNetwork);
    // Failures, each from another address of the same /64 and for another
    // account, until the network is refused (the bucket refills one try every
    // 9 s, so a slow machine may get a few more than the burst).
    let mut i = 0;
    let start = std::time::Instant::now();
    loop {
        i += 1;
        let a = login(
            addr,
            &format!("2001:db8:1:2::{i:x}"),
            &format!("x{i}@a.de"),
            "falsch-falsch",
            None,
        )
        .await;
        if a.status == 429 {
            break;
        }
        assert_eq!(a.status, 401, "failure {i}: {}", a.body);
        let allowed = allowed_since(Limit::LoginNetwork, start);
        assert!(
            i <= allowed,
            "{i} failures from one /64 were all checked; at most {allowed} may be"
        );
    }
    assert!(i > limit, "the first {limit} failures are checked");
    let a = login(addr, "2001:db8:1:3::1", "y@a.de", "falsch-falsch", None).await;
    assert_eq!(a.status, 401, "the next /64 is another network");
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_gets_in_from_her_own_browser_while_her_school_and_her_account_are_under_attack()
{
    let (env, addr) = behind_proxy(None).await;
    let school = "198.51.100.20";
    let first = login(addr, school, TEACHER, RIGHT, None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let device = first
        .cookie("tafelrunde_known_device")
        .expect("a login leaves the known-device cookie");

    // A pupil behind the school's one address tries other accounts until
    // the school's network is limited.
    let mut i = 0;
    let start = std::time::Instant::now();
    loop {
        let a = login(addr, school, &format!("x{i}@a.de"), "falsch-falsch", None).await;
        i += 1;
        if a.status == 429 {
            break;
        }
        assert_eq!(a.status, 401, "{}", a.body);
        let allowed = allowed_since(Limit::LoginNetwork, start);
        assert!(
            i <= allowed,
            "the network limit holds: {i} tries, at most {allowed}"
        );
    }
    // Someone guesses her password from many networks, until the account's
    // ceiling is reached.
    let mut refused = 0;
    for n in 0..(burst(Limit::LoginAccount) + 10) {
        let a = login(
            addr,
            &format!("203.0.{}.{}", n / 200, n % 200 + 1),
            TEACHER,
            "falsch-falsch",
            None,
        )
        .await;
        if a.status == 429 {
            refused += 1;
        }
    }
    assert_eq!(refused, 10, "the ceiling per account held");

    // Without her browser's cookie she would wait, at school and elsewhere
    // (that is what slows the attackers) ...
    assert_eq!(login(addr, school, TEACHER, RIGHT, None).await.status, 429);
    assert_eq!(
        login(addr, "192.0.2.1", TEACHER, RIGHT, None).await.status,
        429
    );
    // ... but from her own browser she gets in.
    let again = login(addr, school, TEACHER, RIGHT, Some(&device)).await;
    assert_eq!(again.status, 200, "{}", again.body);
    // The cookie is hers: it does not lift the limits for another account
    // (here the admin's, after five failures from one network).
    for _ in 0..burst(Limit::LoginAccountNetwork) {
        let a = login(addr, "192.0.2.77", "admin@a.de", "falsch-falsch", None).await;
        assert_eq!(a.status, 401, "{}", a.body);
    }
    let other = login(
        addr,
        "192.0.2.77",
        "admin@a.de",
        "admin-passwort-a",
        Some(&device),
    )
    .await;
    assert_eq!(other.status, 429, "{}", other.body);
    // A forged one does nothing either.
    let forged = format!("{}.{}", "A".repeat(22), "0".repeat(64));
    assert_eq!(
        login(addr, school, TEACHER, RIGHT, Some(&forged))
            .await
            .status,
        429
    );
    env.close().await;
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One async worker, as in the smallest deployment: whatever blocks it
/// shows at once in the other requests' answers.
#[tokio::test(flavor = "current_thread")]
async fn failed_logins_do_not_stall_other_requests() {
    let (env, addr) = behind_proxy(None).await;
    // 400 failed logins at once, each from its own network for its own
    // address, so that no limit refuses them before the hash.
    let logins: Vec<_> = (0..400)
        .map(|i| {
            tokio::spawn(async move {
                let client = format!("198.51.{}.{}", i / 100, i % 100 + 1);
                login(
                    addr,
                    &client,
                    &format!("niemand{i}@a.de"),
                    "falsch-falsch",
                    None,
                )
                .await
                .status
            })
        })
        .collect();
    let mut health = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        assert_eq!(http(addr, "GET", "/healthz", &[], None).await.status, 200);
        health.push(start.elapsed());
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut statuses = Vec::new();
    for l in logins {
        statuses.push(l.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| [401, 503].contains(s)),
        "wrong, or refused while the hashing pool is full: {statuses:?}"
    );
    let m = median(health.clone());
    let slowest = *health.iter().max().unwrap();
    println!(
        "/healthz during 400 failed logins: median {m:?}, slowest {slowest:?}, all {health:?}"
    );
    assert!(
        m < Duration::from_millis(100) && slowest < Duration::from_millis(500),
        "/healthz took {m:?} (median), {slowest:?} (slowest) during the logins: {health:?}"
    );
    env.close().await;
}

fn mailer(port: u16) -> Option<tafelrunde::mail::Mailer> {
    tafelrunde::mail::Mailer::new(&tafelrunde::mail::SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: "none".into(),
        from: "Tafelrunde <noreply@land.example>".into(),
        ..Default::default()
    })
    .unwrap()
}

/// The password-reset mails among `mails` (accounts' activation mails aside).
fn reset_mails(mails: &std::sync::Mutex<Vec<String>>) -> Vec<String> {
    mails
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.replace("=\n", "").replace("=3D", "="))
        .filter(|m| m.contains("/reset#"))
        .collect()
}

async fn reset(addr: SocketAddr, client: &str, email: &str) -> Answer {
    http(
        addr,
        "POST",
        "/api/password-reset",
        &[("X-Forwarded-For", client)],
        Some(&json!({"email": email})),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_reset_mails_are_limited_per_address_and_per_network() {
    let (port, mails) = fake_smtp().await;
    let (env, addr) = behind_proxy(mailer(port)).await;
    // One address, asked for from ten networks.
    let mut statuses = Vec::new();
    for n in 1..=10 {
        statuses.push(
            reset(addr, &format!("198.51.100.{n}"), TEACHER)
                .await
                .status,
        );
    }
    let per_address = burst(Limit::ResetAddress);
    assert!(
        statuses[..per_address].iter().all(|s| *s == 202),
        "{statuses:?}"
    );
    assert!(
        statuses[per_address..].iter().all(|s| *s == 429),
        "{statuses:?}"
    );
    // One network, asking for many addresses.
    let per_network = burst(Limit::ResetNetwork);
    for i in 0..per_network {
        let a = reset(addr, "203.0.113.5", &format!("x{i}@a.de")).await;
        assert_eq!(a.status, 202, "{}", a.body);
    }
    let a = reset(addr, "203.0.113.5", "y@a.de").await;
    assert_eq!((a.status, a.code()), (429, "tooManyRequests"), "{}", a.body);
    assert!(a.headers.iter().any(|(k, _)| k == "retry-after"));
    // The mails that went out: one per allowed request for the known address.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while reset_mails(&mails).len() < per_address && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(reset_mails(&mails).len(), per_address);
    env.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_request_is_answered_as_fast_for_a_known_address_as_for_an_unknown_one() {
    // A mail server that takes a second to answer.
    let (port, mails) = slow_smtp(Duration::from_secs(1)).await;
    let (env, addr) = behind_proxy(mailer(port)).await;
    let start = Instant::now();
    assert_eq!(
        reset(addr, "198.51.100.1", "niemand@a.de").await.status,
        202
    );
    let unknown = start.elapsed();
    let start = Instant::now();
    assert_eq!(reset(addr, "198.51.100.2", TEACHER).await.status, 202);
    let known = start.elapsed();
    assert!(
        known < Duration::from_millis(500),
        "the answer for a known address waited for the mail: {known:?} (unknown: {unknown:?})"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while reset_mails(&mails).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = reset_mails(&mails);
    assert_eq!(
        sent.len(),
        1,
        "the mail went out afterwards, to the known address only"
    );
    assert!(sent[0].contains("To: lehrer@a.de"), "{}", sent[0]);
    env.close().await;
}
