//! A tiny lecture (1 publisher, 3 subscribers, one 5 s window) against the
//! real `tafelrunde` binary: the load generator and the measurement give
//! plausible figures. Not a performance test: nothing here is timed.
//!
//! The camera sends the 180p layer (150 kbit/s): below any downlink estimate,
//! so the SFU's bandwidth allocation never pauses the video and every packet
//! must arrive. (A paused and resumed video shows as a gap in the
//! subscriber's sequence numbers, which the larger scenarios report as loss.)
//!
//! The binary is TAFELRUNDE_BIN, else target/debug/tafelrunde (scripts/test.sh
//! builds it); without it this test fails and says so.

use clap::Parser;
use tafelrunde_bench::{run_scenario, sfu, Options};

#[test]
fn tiny_lecture_reaches_every_subscriber_without_loss() {
    let bin_env = std::env::var_os("TAFELRUNDE_BIN").map(std::path::PathBuf::from);
    if let Err(e) = sfu::find_tafelrunde(bin_env.as_deref()) {
        panic!("{e:#}\n(scripts/test.sh builds the workspace first; or set TAFELRUNDE_BIN)");
    }
    let o = Options::parse_from([
        "tafelrunde-bench",
        "--scenario",
        "lecture",
        "--subscribers",
        "3",
        "--layer",
        "q",
        "--warmup",
        "1",
        "--window",
        "5",
        "--repeats",
        "1",
        "--janus",
        "off",
        "--no-pin",
        "--no-ceiling",
    ]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let report = tokio::task::LocalSet::new()
        .block_on(&runtime, run_scenario(&o, Err("not in this test".into())));
    let t = match &report.tafelrunde {
        Ok(t) => t,
        Err(e) => panic!("the run failed: {e}"),
    };
    let r = &t.result;
    assert_eq!(
        (r.joined, r.join_failures),
        (4, 0),
        "errors: {:?}",
        r.errors
    );
    assert_eq!(r.windows.len(), 1);
    let c = r.windows[0].counters;

    // 50 audio + 30 video packets a second from the one publisher.
    assert!(c.sent > 300, "the publisher sent {} packets in 5 s", c.sent);
    // Every packet sent reaches all three subscribers; the window's edges may
    // cut a frame in flight.
    let expected = 3 * c.sent;
    assert!(
        c.received.abs_diff(expected) <= expected / 50 + 30,
        "forwarded {} for {} sent × 3",
        c.received,
        c.sent
    );
    // No loss on loopback.
    assert_eq!(
        c.expected, c.received_counted,
        "sequence gaps at the subscribers: {c:?}"
    );
    assert_eq!(c.send_errors, 0);

    let f = &t.median;
    assert!(
        f.cpu_us_per_packet.is_finite() && f.cpu_us_per_packet > 0.0,
        "{f:?}"
    );
    assert!(f.forwarded_mbit_per_s > 0.4, "{f:?}");
    assert!(f.delay_p50_ms > 0.0 && f.delay_p99_ms < 1000.0, "{f:?}");
    assert!(r.rss_peak_kib > 0);
    assert!(
        r.join_first_packet_ms.0 > 0 && r.join_first_video_ms.1 < 5000,
        "{r:?}"
    );

    // The machine-readable line carries every figure.
    let line: serde_json::Value = serde_json::from_str(&report.json_line()).unwrap();
    for key in [
        "cpu_us_per_packet",
        "packets_per_s_per_core",
        "forwarded_packets_per_s",
        "forwarded_mbit_per_s",
        "loss_percent",
        "delay_p50_ms",
        "delay_p99_ms",
        "rss_kib_per_participant",
        "join_first_packet_ms_p95",
        "keyframe_requests_per_s",
    ] {
        assert!(
            !line["tafelrunde"][key].is_null(),
            "{key} missing in {line}"
        );
    }
    assert!(line["janus"]["skipped"].is_string());
    assert!(report.table().contains("CPU-µs per forwarded packet"));
}
