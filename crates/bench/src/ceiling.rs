//! The physical ceiling of forwarding on this machine: what one UDP send on
//! loopback and one SRTP encryption cost per packet size, measured in CPU time
//! of the measuring thread. An SFU must do at least both for every packet it
//! forwards; 1 / (send + encrypt) is the most packets one core can forward.

use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

/// Costs at one datagram size, in µs.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SizeCost {
    pub size: usize,
    pub udp_send_us: f64,
    pub srtp_aes256gcm_us: f64,
    pub srtp_aes128gcm_us: f64,
    pub srtp_aes128cm_sha1_us: f64,
}

/// The probe's result.
#[derive(Debug, Clone, Serialize)]
pub struct Ceiling {
    pub sizes: Vec<SizeCost>,
}

impl Ceiling {
    /// send + encrypt (AES-256-GCM, what str0m peers agree on) at `size`,
    /// interpolated between the measured sizes.
    pub fn cost_us(&self, size: f64) -> f64 {
        let f = |c: &SizeCost| c.udp_send_us + c.srtp_aes256gcm_us;
        let s = &self.sizes;
        if s.is_empty() {
            return f64::NAN;
        }
        if size <= s[0].size as f64 {
            return f(&s[0]);
        }
        for w in s.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            if size <= b.size as f64 {
                let t = (size - a.size as f64) / (b.size - a.size) as f64;
                return f(a) + t * (f(b) - f(a));
            }
        }
        f(s.last().expect("not empty"))
    }

    /// Forwarded packets per second one core could reach at `size`.
    pub fn packets_per_second(&self, size: f64) -> f64 {
        1e6 / self.cost_us(size)
    }
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    Duration::from_nanos(
        text.split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    )
}

fn per_op(n: u32, f: impl FnMut()) -> f64 {
    let mut f = f;
    // Warm up caches and the branch predictor.
    for _ in 0..n / 10 {
        f();
    }
    let start = thread_cpu();
    for _ in 0..n {
        f();
    }
    (thread_cpu() - start).as_secs_f64() * 1e6 / n as f64
}

/// Measure. Takes about a second.
pub fn probe() -> std::io::Result<Ceiling> {
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    receiver.set_read_timeout(Some(Duration::from_millis(100)))?;
    let target = receiver.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let drain = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            while !stop.load(Ordering::Relaxed) {
                let _ = receiver.recv_from(&mut buf);
            }
        })
    };
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    let provider = str0m::crypto::from_feature_flags();
    let srtp = provider.srtp_provider;
    let hmac = provider.sha1_hmac_provider;
    let mut sizes = Vec::new();
    for size in [100usize, 300, 600, 1000, 1200] {
        let packet = vec![0x42u8; size];
        let udp = per_op(20_000, || {
            let _ = sender.send_to(&packet, target);
        });
        let mut out = vec![0u8; size + 32];
        let (header, payload) = packet.split_at(12);
        let mut gcm256 = srtp.aead_aes_256_gcm().create_cipher([7; 32], true);
        let mut iv = [0u8; 12];
        let aes256 = per_op(50_000, || {
            iv[11] = iv[11].wrapping_add(1);
            let _ = gcm256.encrypt(&iv, header, payload, &mut out);
        });
        let mut gcm128 = srtp.aead_aes_128_gcm().create_cipher([7; 16], true);
        let aes128 = per_op(50_000, || {
            iv[11] = iv[11].wrapping_add(1);
            let _ = gcm128.encrypt(&iv, header, payload, &mut out);
        });
        let mut cm = srtp.aes_128_cm_sha1_80().create_cipher([7; 16], true);
        let mut iv16 = [0u8; 16];
        let key = [9u8; 20];
        let cm_sha1 = per_op(50_000, || {
            iv16[15] = iv16[15].wrapping_add(1);
            let _ = cm.encrypt(&iv16, payload, &mut out[12..]);
            let tag = hmac.sha1_hmac(&key, &[header, &out[12..size], &[0, 0, 0, 0]]);
            out[size] = tag[0];
        });
        sizes.push(SizeCost {
            size,
            udp_send_us: udp,
            srtp_aes256gcm_us: aes256,
            srtp_aes128gcm_us: aes128,
            srtp_aes128cm_sha1_us: cm_sha1,
        });
    }
    stop.store(true, Ordering::Relaxed);
    let _ = drain.join();
    Ok(Ceiling { sizes })
}
