//! The share of signaling sockets per client network is the operator's to
//! set: a school whose pupils all come from one NAT address needs one socket
//! per participant, a public demo far fewer. Tested on the real server
//! process, started with `--sockets-per-network`.

mod process;

use process::Server;

async fn open(url: &str) -> Result<impl Sized, u16> {
    let ws = url.replacen("http://", "ws://", 1) + "/ws";
    match tokio_tungstenite::connect_async(ws).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("unexpected WebSocket error: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_share_of_sockets_per_network_holds() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &["--sockets-per-network", "3"]);
    let mut held = Vec::new();
    for i in 0..3 {
        match open(&server.url).await {
            Ok(socket) => held.push(socket),
            Err(status) => panic!("socket {i} of 3 refused with {status}"),
        }
    }
    assert_eq!(
        open(&server.url).await.err(),
        Some(429),
        "the fourth is refused"
    );
    drop(held.pop());
    // The server notices the close, then the place is free again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match open(&server.url).await {
            Ok(_) => break,
            Err(429) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            Err(status) => panic!("the freed place was not given back: {status}"),
        }
    }
}
