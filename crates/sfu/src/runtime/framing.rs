//! RFC 4571 framing for ICE-TCP: each packet is preceded by its length as a
//! 16-bit big-endian number.
//!
//! Network input: never panics (see the fuzz target `framing`).

/// Take every complete frame from the front of `buffer`, hand each to
/// `frame`, and keep the incomplete rest.
pub fn take_frames(buffer: &mut Vec<u8>, mut frame: impl FnMut(&[u8])) {
    let mut start = 0;
    while buffer.len() >= start + 2 {
        let len = u16::from_be_bytes([buffer[start], buffer[start + 1]]) as usize;
        let Some(body) = buffer.get(start + 2..start + 2 + len) else {
            break;
        };
        frame(body);
        start += 2 + len;
    }
    buffer.drain(..start);
}

/// Append one framed packet to `out`. Packets longer than 65 535 bytes
/// cannot be framed and are refused.
pub fn push_frame(out: &mut Vec<u8>, packet: &[u8]) -> bool {
    let Ok(len) = u16::try_from(packet.len()) else {
        return false;
    };
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(packet);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_across_reads_are_reassembled() {
        let mut wire = Vec::new();
        assert!(push_frame(&mut wire, b"hello"));
        assert!(push_frame(&mut wire, b""));
        assert!(push_frame(&mut wire, &[7u8; 300]));
        // Feed the stream one byte at a time.
        let mut buffer = Vec::new();
        let mut frames: Vec<Vec<u8>> = Vec::new();
        for byte in wire {
            buffer.push(byte);
            take_frames(&mut buffer, |f| frames.push(f.to_vec()));
        }
        assert_eq!(frames, vec![b"hello".to_vec(), vec![], vec![7u8; 300]]);
        assert!(buffer.is_empty());
    }

    #[test]
    fn oversized_packets_are_refused() {
        let mut out = Vec::new();
        assert!(!push_frame(&mut out, &vec![0; 70_000]));
        assert!(out.is_empty());
    }
}
