//! A real server on a free loopback port, and a WebSocket client for it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tafelrunde::app::{app, AppState};
use tafelrunde_sfu::{MediaConfig, MediaPlane};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct TestServer {
    pub addr: SocketAddr,
    pub media: Arc<MediaPlane>,
    pub shutdown: watch::Sender<bool>,
}

impl TestServer {
    pub async fn start() -> Self {
        let media = Arc::new(
            MediaPlane::start(&MediaConfig {
                bind: [127, 0, 0, 1].into(),
                announce: None,
                udp_port: 0,
                tcp_port: Some(0),
                shards: 1,
                keyframe_interval: Duration::from_millis(500),
                max_room_size: 3,
                max_videos: 20,
                bandwidth_estimation: true,
                owner_grace: Duration::from_secs(300),
                reconnect_grace: Duration::from_secs(60),
            })
            .expect("media plane starts"),
        );
        let (shutdown, shutting_down) = watch::channel(false);
        let turn = Arc::new(tafelrunde::turn::TurnConfig {
            urls: vec!["turn:127.0.0.1:3478".into()],
            secret: "s3cret".into(),
            ttl_seconds: None,
        });
        let router = app(AppState {
            rooms: media.clone(),
            shutting_down,
            turn,
            control: None,
            cpu: tafelrunde::cpu::CpuPool::for_this_machine(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // With the peer's address, as `tafelrunde serve` runs it (per-address limits).
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        Self {
            addr,
            media,
            shutdown,
        }
    }

    pub async fn client(&self) -> Client {
        self.client_with(&[]).await.expect("connects")
    }

    /// A client whose upgrade request carries these extra headers (e.g. `Origin`).
    pub async fn client_with(
        &self,
        headers: &[(&'static str, &str)],
    ) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{}/ws", self.addr)
            .into_client_request()
            .unwrap();
        for (name, value) in headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        let (ws, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Client { ws })
    }

    /// A client with a tiny receive buffer: once it stops reading, the
    /// server's writes to it back up quickly.
    pub async fn slow_client(&self) -> Client {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let stream = socket.connect(self.addr).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(
            format!("ws://{}/ws", self.addr),
            MaybeTlsStream::Plain(stream),
        )
        .await
        .expect("connects");
        Client { ws }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.media.shutdown();
    }
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn send(&mut self, text: impl Into<String>) {
        self.ws
            .send(Message::text(text.into()))
            .await
            .expect("sends");
    }

    /// The next JSON message (skipping nothing), within 5 s.
    pub async fn recv(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("a message within 5 s")
                .expect("socket open")
                .expect("no socket error");
            match frame {
                Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
                Message::Close(frame) => {
                    return serde_json::json!({"closed": frame.map(|f| u16::from(f.code))})
                }
                _ => continue,
            }
        }
    }

    /// The next message of this type, skipping others.
    pub async fn recv_type(&mut self, kind: &str) -> Value {
        loop {
            let message = self.recv().await;
            if message["type"] == kind || message.get("closed").is_some() {
                return message;
            }
        }
    }

    /// Skips messages until the server closes; its close code.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            let message = self.recv().await;
            if let Some(closed) = message.get("closed") {
                return closed.as_u64().map(|c| c as u16);
            }
        }
    }

    pub async fn join(&mut self, room: &str, name: &str) -> Value {
        self.send(format!(
            r#"{{"type":"join","version":1,"room":"{room}","name":"{name}"}}"#
        ))
        .await;
        let joined = self.recv().await;
        assert_eq!(joined["type"], "joined", "{joined}");
        joined
    }
}
