//! Figures from the measured windows: medians and spread, a table for people
//! and one JSON line per scenario for machines.

use serde_json::{json, Map, Value};

use crate::ceiling::Ceiling;
use crate::run::{TargetResult, Window};

/// The figures of one window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub cpu_us_per_packet: f64,
    pub packets_per_s_per_core: f64,
    pub forwarded_per_s: f64,
    pub forwarded_mbit_per_s: f64,
    pub sent_per_s: f64,
    pub sfu_cpu_share: f64,
    pub load_cpu_share: f64,
    pub loss_percent: f64,
    pub impaired_loss_percent: f64,
    pub delay_p50_ms: f64,
    pub delay_p99_ms: f64,
    pub impaired_delay_p99_ms: f64,
    pub keyframe_requests_per_s: f64,
    pub bytes_per_packet: f64,
    pub sfu_udp_drops: f64,
    pub client_udp_drops: f64,
}

pub fn figures(w: &Window) -> Figures {
    let c = &w.counters;
    let fwd = c.received as f64;
    let loss = |expected: u64, got: u64| {
        if expected == 0 {
            0.0
        } else {
            100.0 * expected.saturating_sub(got) as f64 / expected as f64
        }
    };
    Figures {
        cpu_us_per_packet: if fwd > 0.0 {
            w.sfu_cpu_secs * 1e6 / fwd
        } else {
            f64::NAN
        },
        packets_per_s_per_core: if w.sfu_cpu_secs > 0.0 {
            fwd / w.sfu_cpu_secs
        } else {
            f64::NAN
        },
        forwarded_per_s: fwd / w.secs,
        forwarded_mbit_per_s: c.received_bytes as f64 * 8.0 / w.secs / 1e6,
        sent_per_s: c.sent as f64 / w.secs,
        sfu_cpu_share: w.sfu_cpu_secs / w.secs,
        load_cpu_share: w.load_cpu_secs / w.secs,
        loss_percent: loss(c.expected, c.received_counted),
        impaired_loss_percent: loss(c.expected_impaired, c.received_impaired),
        delay_p50_ms: w.delay_p50_us as f64 / 1000.0,
        delay_p99_ms: w.delay_p99_us as f64 / 1000.0,
        impaired_delay_p99_ms: w.impaired_delay_p99_us as f64 / 1000.0,
        keyframe_requests_per_s: c.keyframe_requests as f64 / w.secs,
        bytes_per_packet: if fwd > 0.0 {
            c.received_bytes as f64 / fwd
        } else {
            0.0
        },
        sfu_udp_drops: w.sfu_udp_drops as f64,
        client_udp_drops: w.client_udp_drops as f64,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median of every figure over the windows, and the spread (min, max) of the unit.
pub struct Summary {
    pub median: Figures,
    pub unit_min: f64,
    pub unit_max: f64,
    pub result: TargetResult,
}

impl Summary {
    pub fn new(result: TargetResult) -> Self {
        let all: Vec<Figures> = result.windows.iter().map(figures).collect();
        macro_rules! med {
            ($f:ident) => {
                median(all.iter().map(|x| x.$f).collect())
            };
        }
        let median = Figures {
            cpu_us_per_packet: med!(cpu_us_per_packet),
            packets_per_s_per_core: med!(packets_per_s_per_core),
            forwarded_per_s: med!(forwarded_per_s),
            forwarded_mbit_per_s: med!(forwarded_mbit_per_s),
            sent_per_s: med!(sent_per_s),
            sfu_cpu_share: med!(sfu_cpu_share),
            load_cpu_share: med!(load_cpu_share),
            loss_percent: med!(loss_percent),
            impaired_loss_percent: med!(impaired_loss_percent),
            delay_p50_ms: med!(delay_p50_ms),
            delay_p99_ms: med!(delay_p99_ms),
            impaired_delay_p99_ms: med!(impaired_delay_p99_ms),
            keyframe_requests_per_s: med!(keyframe_requests_per_s),
            bytes_per_packet: med!(bytes_per_packet),
            sfu_udp_drops: med!(sfu_udp_drops),
            client_udp_drops: med!(client_udp_drops),
        };
        let units: Vec<f64> = all
            .iter()
            .map(|f| f.cpu_us_per_packet)
            .filter(|x| x.is_finite())
            .collect();
        let unit_min = units.iter().copied().fold(f64::INFINITY, f64::min);
        let unit_max = units.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Summary {
            median,
            unit_min,
            unit_max,
            result,
        }
    }

    pub fn rss_kib_per_participant(&self) -> f64 {
        let r = &self.result;
        r.rss_peak_kib.saturating_sub(r.rss_idle_kib) as f64 / r.participants.max(1) as f64
    }

    pub fn json(&self) -> Value {
        let m = &self.median;
        let r = &self.result;
        let round = |x: f64, d: i32| {
            if x.is_finite() {
                let p = 10f64.powi(d);
                json!((x * p).round() / p)
            } else {
                Value::Null
            }
        };
        json!({
            "cpu_us_per_packet": round(m.cpu_us_per_packet, 3),
            "cpu_us_per_packet_min": round(self.unit_min, 3),
            "cpu_us_per_packet_max": round(self.unit_max, 3),
            "packets_per_s_per_core": round(m.packets_per_s_per_core, 0),
            "forwarded_packets_per_s": round(m.forwarded_per_s, 0),
            "forwarded_mbit_per_s": round(m.forwarded_mbit_per_s, 2),
            "sent_packets_per_s": round(m.sent_per_s, 0),
            "sfu_cpu_share": round(m.sfu_cpu_share, 4),
            "load_generator_cpu_share": round(m.load_cpu_share, 4),
            "loss_percent": round(m.loss_percent, 3),
            "impaired_loss_percent": round(m.impaired_loss_percent, 3),
            "delay_p50_ms": round(m.delay_p50_ms, 3),
            "delay_p99_ms": round(m.delay_p99_ms, 3),
            "impaired_delay_p99_ms": round(m.impaired_delay_p99_ms, 3),
            "bytes_per_packet": round(m.bytes_per_packet, 0),
            "sfu_udp_rcvbuf_drops_per_window": round(m.sfu_udp_drops, 0),
            "client_udp_rcvbuf_drops_per_window": round(m.client_udp_drops, 0),
            "rss_kib_per_participant": round(self.rss_kib_per_participant(), 1),
            "rss_peak_kib": r.rss_peak_kib,
            "join_first_packet_ms_p50": r.join_first_packet_ms.0,
            "join_first_packet_ms_p95": r.join_first_packet_ms.1,
            "join_first_video_ms_p50": r.join_first_video_ms.0,
            "join_first_video_ms_p95": r.join_first_video_ms.1,
            "track_first_packet_ms_p50": r.track_first_packet_ms.0,
            "track_first_packet_ms_p95": r.track_first_packet_ms.1,
            "keyframe_requests_per_s": round(m.keyframe_requests_per_s, 2),
            "max_keyframe_requests_per_500ms": r.max_keyframe_requests_per_500ms,
            "participants": r.participants,
            "joined": r.joined,
            "join_failures": r.join_failures,
            "join_phase_s": round(r.join_phase_secs, 2),
            "windows": r.windows.len(),
            "errors": r.errors,
        })
    }
}

/// The whole report of one scenario.
pub struct Report {
    pub scenario: String,
    pub shape: String,
    pub layers: u8,
    pub date: String,
    pub machine: String,
    pub load_before: String,
    pub load_after: String,
    pub method: String,
    pub tafelrunde: Result<Summary, String>,
    pub janus: Result<Summary, String>,
    pub ceiling: Option<Ceiling>,
}

impl Report {
    /// Janus' CPU per packet over Tafelrunde's: how many times cheaper we forward.
    pub fn ratio(&self) -> Option<f64> {
        let (t, j) = (self.tafelrunde.as_ref().ok()?, self.janus.as_ref().ok()?);
        let r = j.median.cpu_us_per_packet / t.median.cpu_us_per_packet;
        r.is_finite().then_some(r)
    }

    /// (ceiling µs per packet, ceiling packets/s, fraction Tafelrunde reaches, packet size).
    pub fn ceiling_fraction(&self) -> Option<(f64, f64, f64, f64)> {
        let (c, t) = (self.ceiling.as_ref()?, self.tafelrunde.as_ref().ok()?);
        let size = t.median.bytes_per_packet;
        let pps = c.packets_per_second(size);
        Some((
            c.cost_us(size),
            pps,
            t.median.packets_per_s_per_core / pps,
            size,
        ))
    }

    pub fn json_line(&self) -> String {
        let mut o = Map::new();
        o.insert("bench".into(), json!("tafelrunde-bench"));
        o.insert("scenario".into(), json!(self.scenario));
        o.insert("shape".into(), json!(self.shape));
        o.insert("layers".into(), json!(self.layers));
        o.insert("date".into(), json!(self.date));
        o.insert("machine".into(), json!(self.machine));
        o.insert("load_before".into(), json!(self.load_before));
        o.insert("load_after".into(), json!(self.load_after));
        o.insert("method".into(), json!(self.method));
        let side = |s: &Result<Summary, String>| match s {
            Ok(s) => s.json(),
            Err(e) => json!({ "skipped": e }),
        };
        o.insert("tafelrunde".into(), side(&self.tafelrunde));
        o.insert("janus".into(), side(&self.janus));
        o.insert(
            "janus_over_tafelrunde_cpu_per_packet".into(),
            self.ratio()
                .map_or(Value::Null, |r| json!((r * 100.0).round() / 100.0)),
        );
        if let Some(c) = &self.ceiling {
            o.insert(
                "ceiling_probe".into(),
                serde_json::to_value(c).unwrap_or(Value::Null),
            );
        }
        match self.ceiling_fraction() {
            Some((us, pps, fraction, size)) => {
                o.insert(
                    "ceiling".into(),
                    json!({"us_per_packet": (us * 1000.0).round() / 1000.0, "packets_per_s": pps.round(), "at_bytes": size.round(), "fraction_reached": (fraction * 1000.0).round() / 1000.0}),
                );
            }
            None => {
                o.insert("ceiling".into(), Value::Null);
            }
        }
        Value::Object(o).to_string()
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!(
            "tafelrunde-bench: {} — {}",
            self.scenario, self.shape
        ));
        line(format!("date {}; machine {}", self.date, self.machine));
        line(format!("load before: {}", self.load_before));
        line(format!("load after:  {}", self.load_after));
        line(self.method.clone());
        line(String::new());
        let t = self.tafelrunde.as_ref().ok();
        let j = self.janus.as_ref().ok();
        line(format!(
            "{:<38} {:>22} {:>22} {:>8}",
            "figure", "tafelrunde", "janus", "ratio"
        ));
        let cell =
            |s: Option<&Summary>, f: &dyn Fn(&Summary) -> String| s.map_or("—".to_string(), f);
        type Row<'a> = (
            &'a str,
            Box<dyn Fn(&Summary) -> String>,
            Option<Box<dyn Fn(&Summary) -> f64>>,
        );
        let rows: Vec<Row> = vec![
            (
                "CPU-µs per forwarded packet (median)",
                Box::new(|s| {
                    format!(
                        "{:.2} ({:.2}–{:.2})",
                        s.median.cpu_us_per_packet, s.unit_min, s.unit_max
                    )
                }),
                Some(Box::new(|s| s.median.cpu_us_per_packet)),
            ),
            (
                "forwarded packets/s per core",
                Box::new(|s| format!("{:.0}", s.median.packets_per_s_per_core)),
                None,
            ),
            (
                "forwarded packets/s",
                Box::new(|s| format!("{:.0}", s.median.forwarded_per_s)),
                None,
            ),
            (
                "forwarded Mbit/s",
                Box::new(|s| format!("{:.1}", s.median.forwarded_mbit_per_s)),
                None,
            ),
            (
                "packets/s sent by publishers",
                Box::new(|s| format!("{:.0}", s.median.sent_per_s)),
                None,
            ),
            (
                "SFU CPU (share of one core)",
                Box::new(|s| format!("{:.1} %", s.median.sfu_cpu_share * 100.0)),
                None,
            ),
            (
                "load generator CPU (share of a core)",
                Box::new(|s| format!("{:.1} %", s.median.load_cpu_share * 100.0)),
                None,
            ),
            (
                "loss at subscribers",
                Box::new(|s| format!("{:.3} %", s.median.loss_percent)),
                None,
            ),
            (
                "UDP rcvbuf drops/window: SFU / clients",
                Box::new(|s| {
                    format!(
                        "{:.0} / {:.0}",
                        s.median.sfu_udp_drops, s.median.client_udp_drops
                    )
                }),
                None,
            ),
            (
                "added delay p50 / p99",
                Box::new(|s| {
                    format!(
                        "{:.2} / {:.2} ms",
                        s.median.delay_p50_ms, s.median.delay_p99_ms
                    )
                }),
                None,
            ),
            (
                "RSS per participant (peak − idle)",
                Box::new(|s| format!("{:.0} KiB", s.rss_kib_per_participant())),
                None,
            ),
            (
                "join → first packet p50 / p95",
                Box::new(|s| {
                    format!(
                        "{} / {} ms",
                        s.result.join_first_packet_ms.0, s.result.join_first_packet_ms.1
                    )
                }),
                None,
            ),
            (
                "join → first video p50 / p95",
                Box::new(|s| {
                    format!(
                        "{} / {} ms",
                        s.result.join_first_video_ms.0, s.result.join_first_video_ms.1
                    )
                }),
                None,
            ),
            (
                "new track → first packet p50 / p95",
                Box::new(|s| {
                    format!(
                        "{} / {} ms",
                        s.result.track_first_packet_ms.0, s.result.track_first_packet_ms.1
                    )
                }),
                None,
            ),
            (
                "keyframe requests at publishers",
                Box::new(|s| {
                    format!(
                        "{:.2}/s, max {}/500ms",
                        s.median.keyframe_requests_per_s, s.result.max_keyframe_requests_per_500ms
                    )
                }),
                None,
            ),
            (
                "participants joined / failed",
                Box::new(|s| {
                    format!(
                        "{} / {} of {}",
                        s.result.joined, s.result.join_failures, s.result.participants
                    )
                }),
                None,
            ),
        ];
        for (name, f, ratio) in &rows {
            let r = match (ratio, t, j) {
                (Some(g), Some(t), Some(j)) => format!("{:.2}×", g(j) / g(t)),
                _ => String::new(),
            };
            line(format!(
                "{:<38} {:>22} {:>22} {:>8}",
                name,
                cell(t, f),
                cell(j, f),
                r
            ));
        }
        if let Some(t) = t {
            if t.median.impaired_loss_percent > 0.0
                || t.result
                    .windows
                    .iter()
                    .any(|w| w.counters.expected_impaired > 0)
            {
                line(format!(
                    "{:<38} {:>22} {:>22}",
                    "impaired subscribers: loss / p99",
                    format!(
                        "{:.2} % / {:.0} ms",
                        t.median.impaired_loss_percent, t.median.impaired_delay_p99_ms
                    ),
                    j.map_or("—".into(), |j| format!(
                        "{:.2} % / {:.0} ms",
                        j.median.impaired_loss_percent, j.median.impaired_delay_p99_ms
                    ))
                ));
            }
        }
        line(String::new());
        match &self.tafelrunde {
            Err(e) => line(format!("tafelrunde: FAILED: {e}")),
            Ok(s) if !s.result.errors.is_empty() => {
                line(format!("tafelrunde errors: {}", s.result.errors.join("; ")))
            }
            _ => {}
        }
        match &self.janus {
            Err(e) => line(format!("janus: skipped or failed: {e}")),
            Ok(s) if !s.result.errors.is_empty() => {
                line(format!("janus errors: {}", s.result.errors.join("; ")))
            }
            _ => {}
        }
        match self.ratio() {
            Some(r) => line(format!(
                "Janus needs {r:.2}× Tafelrunde's CPU per forwarded packet (target ≥ 3×)"
            )),
            None => line("Janus ratio: not measured in this run".into()),
        }
        match self.ceiling_fraction() {
            Some((us, pps, f, size)) => line(format!(
                "ceiling: UDP send + SRTP (AES-256-GCM) at {size:.0} B = {us:.2} µs → {pps:.0} packets/s per core; Tafelrunde reaches {:.0} % of it",
                f * 100.0
            )),
            None => line("ceiling: not measured".into()),
        }
        out
    }
}
