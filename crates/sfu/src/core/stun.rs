//! Finding our own ICE ufrag in a STUN binding request, to route the first
//! packet of a connection to its participant without asking every
//! connection (`Rtc::accepts` per participant would be a linear scan).
//!
//! Network input: never panics (see the fuzz target `stun_ufrag`).

const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
const HEADER_LEN: usize = 20;
const ATTR_USERNAME: u16 = 0x0006;

/// Is this datagram a STUN message (RFC 5389 header with the magic cookie)?
pub fn is_stun(packet: &[u8]) -> bool {
    packet.len() >= HEADER_LEN && packet[0] < 2 && packet[4..8] == MAGIC_COOKIE
}

/// The local (our) ufrag of a STUN request: the part of USERNAME before ':'.
pub fn local_ufrag(packet: &[u8]) -> Option<&str> {
    if !is_stun(packet) {
        return None;
    }
    let body_len = u16::from_be_bytes([packet[2], packet[3]]) as usize;
    let body = packet.get(HEADER_LEN..HEADER_LEN + body_len)?;
    let mut i = 0;
    while i + 4 <= body.len() {
        let kind = u16::from_be_bytes([body[i], body[i + 1]]);
        let len = u16::from_be_bytes([body[i + 2], body[i + 3]]) as usize;
        let value = body.get(i + 4..i + 4 + len)?;
        if kind == ATTR_USERNAME {
            let username = std::str::from_utf8(value).ok()?;
            return username.split(':').next();
        }
        // Attributes are padded to four bytes.
        i += 4 + len.div_ceil(4) * 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding_request(username: &[u8]) -> Vec<u8> {
        let mut attrs = Vec::new();
        // A PRIORITY attribute first, so that the walk over attributes is tested.
        attrs.extend_from_slice(&[0x00, 0x24, 0x00, 0x04, 1, 2, 3, 4]);
        attrs.extend_from_slice(&ATTR_USERNAME.to_be_bytes());
        attrs.extend_from_slice(&(username.len() as u16).to_be_bytes());
        attrs.extend_from_slice(username);
        attrs.resize(attrs.len().div_ceil(4) * 4, 0);
        let mut p = vec![0x00, 0x01];
        p.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
        p.extend_from_slice(&MAGIC_COOKIE);
        p.extend_from_slice(&[7; 12]);
        p.extend_from_slice(&attrs);
        p
    }

    #[test]
    fn finds_the_local_ufrag() {
        assert_eq!(local_ufrag(&binding_request(b"srvA:cli1")), Some("srvA"));
    }

    #[test]
    fn rejects_non_stun_and_truncated_input() {
        assert_eq!(local_ufrag(&[0x80, 0x60, 0, 1]), None); // RTP
        let mut p = binding_request(b"srvA:cli1");
        p.truncate(30);
        assert_eq!(local_ufrag(&p), None);
        for len in 0..p.len() {
            let _ = local_ufrag(&p[..len]);
        }
    }
}
