//! The queue from a shard to one signaling session. The shard thread must
//! never wait for a browser, so the queue is bounded and `send` never
//! blocks: when a client does not take its messages and [`QUEUE`] of them
//! pile up, the sink stops queueing and tells the session, which closes the
//! connection (1008, "too slow"). The shard sees the participant leave, as
//! after any dropped connection.

use std::sync::Arc;

use tafelrunde_protocol::ServerMessage;
use tafelrunde_sfu::SignalSink;
use tokio::sync::{mpsc, Notify};

/// Messages queued for one session at most. A whole class muted at once
/// sends each member one update per participant, a few hundred at the
/// largest room size; a client that lags a thousand messages behind is not
/// reading at all.
pub const QUEUE: usize = 1024;

/// Delivers the shard's messages into one session's queue.
pub struct ChannelSink {
    tx: mpsc::Sender<ServerMessage>,
    overflow: Arc<Notify>,
    detached: Arc<Notify>,
}

/// The session's end of the queue.
pub struct Queue {
    pub rx: mpsc::Receiver<ServerMessage>,
    tx: mpsc::Sender<ServerMessage>,
    /// Notified (once, and remembered) when the queue ran over.
    pub overflow: Arc<Notify>,
}

impl Queue {
    pub fn new() -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        Self {
            rx,
            tx,
            overflow: Arc::new(Notify::new()),
        }
    }

    /// A sink for the shard, feeding this queue, and what is notified
    /// (once, and remembered) when the room lets go of it: after `bye`, or
    /// when the session was resumed on another connection.
    pub fn sink(&self) -> (ChannelSink, Arc<Notify>) {
        let detached = Arc::new(Notify::new());
        let sink = ChannelSink {
            tx: self.tx.clone(),
            overflow: self.overflow.clone(),
            detached: detached.clone(),
        };
        (sink, detached)
    }
}

impl SignalSink for ChannelSink {
    fn send(&self, message: ServerMessage) {
        match self.tx.try_send(message) {
            // Closed: the session is gone already, nobody needs the message.
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            Err(mpsc::error::TrySendError::Full(_)) => self.overflow.notify_one(),
        }
    }
}

impl Drop for ChannelSink {
    fn drop(&mut self) {
        self.detached.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_drops_and_says_so_without_blocking() {
        let queue = Queue::new();
        let (sink, _) = queue.sink();
        // From a plain thread, as the shard calls it.
        std::thread::spawn(move || {
            for _ in 0..QUEUE + 10 {
                sink.send(ServerMessage::Pong);
            }
        })
        .join()
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(1), queue.overflow.notified())
                .await
                .expect("the session is told");
        });
        let mut queue = queue;
        let mut n = 0;
        while queue.rx.try_recv().is_ok() {
            n += 1;
        }
        assert_eq!(n, QUEUE, "bounded");
    }
}
