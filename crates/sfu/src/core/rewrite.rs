//! Per-subscriber rewriting of RTP sequence numbers and timestamps.
//!
//! One outgoing stream (a subscriber's transceiver) carries packets from
//! different sources over its life: another simulcast layer, or another
//! participant's track when the transceiver is reused. The subscriber must see
//! one continuous stream, so every switch re-bases both numbers: the first
//! packet of a new source gets the next sequence number, and a timestamp that
//! advanced by the wall time since the last packet.

use std::time::Instant;

/// Identifies where packets come from (the publisher's SSRC is enough: it
/// changes with every layer and every track).
pub type SourceKey = u32;

/// A rewritten sequence number (extended, 64 bit) and RTP timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rewritten {
    /// Extended sequence number for the outgoing packet.
    pub seq: u64,
    /// RTP timestamp for the outgoing packet.
    pub timestamp: u32,
}

#[derive(Debug, Clone)]
struct Current {
    source: SourceKey,
    /// First incoming sequence number of this source; older ones are dropped
    /// because their outgoing numbers were used by the previous source.
    first_in_seq: u64,
    seq_offset: u64,
    ts_offset: u32,
}

/// Rewrites one outgoing stream. See the module docs.
#[derive(Debug, Clone)]
pub struct RtpRewriter {
    clock_rate: u32,
    current: Option<Current>,
    highest_out_seq: Option<u64>,
    last_out_ts: u32,
    last_out_at: Option<Instant>,
}

impl RtpRewriter {
    /// A rewriter for a stream with this RTP clock rate (90 000 for video,
    /// 48 000 for Opus).
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate,
            current: None,
            highest_out_seq: None,
            last_out_ts: 0,
            last_out_at: None,
        }
    }

    /// Map an incoming packet to outgoing numbers, or `None` to drop it (a
    /// late packet of a source that is no longer current, or from before the
    /// switch to the current one).
    pub fn rewrite(
        &mut self,
        source: SourceKey,
        seq: u64,
        timestamp: u32,
        now: Instant,
    ) -> Option<Rewritten> {
        let switch = self.current.as_ref().is_none_or(|c| c.source != source);
        if switch {
            self.switch_to(source, seq, timestamp, now);
        }
        let current = self.current.as_ref()?;
        if seq < current.first_in_seq {
            return None;
        }
        let out = Rewritten {
            seq: seq.wrapping_add(current.seq_offset),
            timestamp: timestamp.wrapping_add(current.ts_offset),
        };
        if self.highest_out_seq.is_none_or(|h| out.seq > h) {
            self.highest_out_seq = Some(out.seq);
            self.last_out_ts = out.timestamp;
            self.last_out_at = Some(now);
        }
        Some(out)
    }

    fn switch_to(&mut self, source: SourceKey, seq: u64, timestamp: u32, now: Instant) {
        let (next_seq, next_ts) = match (self.highest_out_seq, self.last_out_at) {
            (Some(highest), Some(at)) => {
                let elapsed = now.saturating_duration_since(at);
                let ticks =
                    (elapsed.as_micros() as u64 * self.clock_rate as u64 / 1_000_000).max(1);
                (highest + 1, self.last_out_ts.wrapping_add(ticks as u32))
            }
            // A fresh stream starts in the first rollover period (the
            // receiver assumes ROC 0) and keeps the source's timestamps.
            _ => (seq & 0xffff, timestamp),
        };
        self.current = Some(Current {
            source,
            first_in_seq: seq,
            seq_offset: next_seq.wrapping_sub(seq),
            ts_offset: next_ts.wrapping_sub(timestamp),
        });
    }

    /// Forwarding resumes after a pause: the next packet continues the
    /// outgoing numbers where they stopped, as if it came from a new source,
    /// so the subscriber sees no gap (and sends no NACKs for packets that
    /// were never meant for it).
    pub fn rebase(&mut self) {
        self.current = None;
    }

    /// The source currently forwarded, if any.
    pub fn source(&self) -> Option<SourceKey> {
        self.current.as_ref().map(|c| c.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(ms: u64) -> Instant {
        static BASE: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        *BASE.get_or_init(Instant::now) + Duration::from_millis(ms)
    }

    #[test]
    fn fresh_stream_keeps_numbers_within_first_rollover() {
        let mut r = RtpRewriter::new(90_000);
        let out = r.rewrite(1, 70_000, 1234, at(0)).unwrap();
        assert_eq!(
            out,
            Rewritten {
                seq: 70_000 & 0xffff,
                timestamp: 1234
            }
        );
        let out = r.rewrite(1, 70_001, 4234, at(33)).unwrap();
        assert_eq!(out.seq, (70_000 & 0xffff) + 1);
        assert_eq!(out.timestamp, 4234);
    }

    #[test]
    fn gaps_inside_a_source_stay_gaps_so_the_subscriber_can_nack() {
        let mut r = RtpRewriter::new(90_000);
        let a = r.rewrite(1, 100, 0, at(0)).unwrap();
        let b = r.rewrite(1, 103, 0, at(10)).unwrap();
        assert_eq!(b.seq - a.seq, 3);
        // The retransmission of 101 fills the gap with the number it would have had.
        assert_eq!(r.rewrite(1, 101, 0, at(20)).unwrap().seq, a.seq + 1);
    }

    #[test]
    fn switching_layers_continues_sequence_and_time() {
        let mut r = RtpRewriter::new(90_000);
        r.rewrite(1, 500, 9_000, at(0)).unwrap();
        let last = r.rewrite(1, 501, 9_000, at(0)).unwrap();
        // The high layer has unrelated numbers.
        let first_high = r.rewrite(2, 40_000, 777_777, at(100)).unwrap();
        assert_eq!(first_high.seq, last.seq + 1);
        // 100 ms at 90 kHz.
        assert_eq!(first_high.timestamp, last.timestamp.wrapping_add(9_000));
        let next = r.rewrite(2, 40_001, 780_777, at(133)).unwrap();
        assert_eq!(next.seq, last.seq + 2);
        assert_eq!(next.timestamp, first_high.timestamp + 3_000);
        assert_eq!(r.source(), Some(2));
    }

    #[test]
    fn late_packets_of_the_old_source_are_dropped_after_a_switch() {
        let mut r = RtpRewriter::new(48_000);
        r.rewrite(1, 10, 0, at(0)).unwrap();
        r.rewrite(2, 900, 0, at(20)).unwrap();
        // A reordered packet of the new source from before the switch point
        // would reuse an outgoing number: dropped.
        assert!(r.rewrite(2, 899, 0, at(21)).is_none());
        // Switching back to source 1 is a new switch, continuing the numbers.
        let back = r.rewrite(1, 11, 960, at(40)).unwrap();
        assert_eq!(back.seq, (10 & 0xffff) + 2);
    }

    #[test]
    fn a_pause_leaves_no_gap() {
        let mut r = RtpRewriter::new(90_000);
        let before = r.rewrite(1, 100, 0, at(0)).unwrap();
        r.rebase();
        // 500 packets of the same source were skipped while paused.
        let after = r.rewrite(1, 600, 45_000, at(500)).unwrap();
        assert_eq!(after.seq, before.seq + 1);
        assert_eq!(
            after.timestamp, 45_000,
            "500 ms at 90 kHz after the last timestamp"
        );
        assert_eq!(
            r.rewrite(1, 601, 48_000, at(533)).unwrap().seq,
            before.seq + 2
        );
    }

    #[test]
    fn timestamps_wrap_around() {
        let mut r = RtpRewriter::new(90_000);
        r.rewrite(1, 1, u32::MAX - 10, at(0)).unwrap();
        assert_eq!(r.rewrite(1, 2, 20, at(1)).unwrap().timestamp, 20);
        let switched = r.rewrite(2, 5, 0, at(11)).unwrap();
        assert_eq!(switched.timestamp, 20 + 900, "10 ms at 90 kHz");
    }

    #[test]
    fn sequence_survives_16_bit_wrap_of_the_source() {
        let mut r = RtpRewriter::new(90_000);
        let a = r.rewrite(1, 65_535, 0, at(0)).unwrap();
        let b = r.rewrite(1, 65_536, 0, at(1)).unwrap();
        assert_eq!(b.seq, a.seq + 1);
        assert_eq!(b.seq, 65_536);
    }
}
