//! IP addresses are personal data: every log line is written with them
//! shortened (IPv4: last byte 0; IPv6: only the /48 prefix), whichever
//! part of the program — ours, str0m, hyper — put them there. The writer
//! below sits between the log formatter and stderr, so no call site can
//! forget it.

use std::borrow::Cow;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tracing_subscriber::fmt::MakeWriter;

/// The address with its host part removed.
pub fn shorten_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(shorten_v4(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V6(shorten_v4(v4).to_ipv6_mapped()),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0))
            }
        },
    }
}

fn shorten_v4(v4: Ipv4Addr) -> Ipv4Addr {
    let [a, b, c, _] = v4.octets();
    Ipv4Addr::new(a, b, c, 0)
}

/// Characters that can be part of an address as logs write them.
fn is_addr_char(c: char) -> bool {
    c.is_ascii_hexdigit() || c == '.' || c == ':'
}

/// The shortened form of `token` if it is an address or `address:port`.
fn shorten_token(token: &str) -> Option<String> {
    if let Ok(ip) = token.parse::<IpAddr>() {
        // Plain numbers and version strings are not addresses.
        if matches!(ip, IpAddr::V4(_)) && token.split('.').count() != 4 {
            return None;
        }
        return Some(shorten_ip(ip).to_string());
    }
    if let Ok(SocketAddr::V4(sa)) = token.parse::<SocketAddr>() {
        return Some(format!("{}:{}", shorten_v4(*sa.ip()), sa.port()));
    }
    None
}

/// `text` with every IPv4 and IPv6 address in it shortened.
///
/// Terminal escape codes (colours) separate words like spaces do: the text
/// formatter writes `\x1b[2m=\x1b[0m203.0.113.7`, and the `m` of the code
/// must not make the address look like part of a word.
pub fn shorten_in_text(text: &str) -> Cow<'_, str> {
    if !text.contains('\x1b') {
        return shorten_plain(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&shorten_plain(&rest[..at]));
        let len = escape_len(&rest[at..]);
        out.push_str(&rest[at..at + len]);
        rest = &rest[at + len..];
    }
    out.push_str(&shorten_plain(rest));
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// The length in bytes of the escape sequence at the start of `s` (which
/// starts with ESC): a CSI sequence `ESC [ params final`, else ESC and the
/// one character after it.
fn escape_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    if bytes.get(1) == Some(&b'[') {
        // Parameter and intermediate bytes, then one final byte (0x40..=0x7e).
        let mut i = 2;
        while i < bytes.len() && (0x20..=0x3f).contains(&bytes[i]) {
            i += 1;
        }
        return if i < bytes.len() && (0x40..=0x7e).contains(&bytes[i]) {
            i + 1
        } else {
            i
        };
    }
    s.chars().take(2).map(char::len_utf8).sum()
}

fn shorten_plain(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut last = 0;
    let mut changed = false;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        if !is_addr_char(bytes[i].1) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_addr_char(bytes[i].1) {
            i += 1;
        }
        // A run glued to a word is part of that word, not an address:
        // `core::forward` holds `e::f`, which would parse as IPv6.
        let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if glued(start.checked_sub(1).map(|j| bytes[j].1)) || glued(bytes.get(i).map(|b| b.1)) {
            continue;
        }
        let begin = bytes[start].0;
        let end = bytes.get(i).map_or(text.len(), |b| b.0);
        // Leading/trailing ':' or '.' belong to the text ("addr: 1.2.3.4.").
        let run = &text[begin..end];
        let trimmed_start = run.len() - run.trim_start_matches([':', '.']).len();
        let core = run.trim_start_matches([':', '.']);
        let mut candidates = vec![core];
        let no_tail = core.trim_end_matches(['.', ':']);
        if no_tail != core && !core.ends_with("::") {
            candidates.push(no_tail);
        }
        for cand in candidates {
            if let Some(short) = shorten_token(cand) {
                if short != cand {
                    let at = begin + trimmed_start;
                    out.push_str(&text[last..at]);
                    out.push_str(&short);
                    last = at + cand.len();
                    changed = true;
                }
                break;
            }
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// A [`MakeWriter`] whose writers shorten addresses before passing each
/// formatted event on. The formatter writes one event in one `write` call.
#[derive(Debug, Clone)]
pub struct ShortenIps<M>(pub M);

pub struct ShortenWriter<W>(W);

impl<W: Write> Write for ShortenWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(shorten_in_text(text).as_bytes())?,
            // Not text: cannot hold a readable address; pass it on.
            Err(_) => self.0.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for ShortenIps<M> {
    type Writer = ShortenWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        ShortenWriter(self.0.make_writer())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_v4_and_v6() {
        assert_eq!(
            shorten_ip("192.168.17.45".parse().unwrap()).to_string(),
            "192.168.17.0"
        );
        assert_eq!(
            shorten_ip("2001:db8:abcd:12:34::1".parse().unwrap()).to_string(),
            "2001:db8:abcd::"
        );
        assert_eq!(
            shorten_ip("::ffff:10.1.2.3".parse().unwrap()).to_string(),
            "::ffff:10.1.2.0"
        );
    }

    #[test]
    fn shortens_every_address_in_a_line() {
        let line = "2026-11-28T08:21:11.123Z  INFO peer=203.0.113.77:51234 via [2001:db8:1:2::99]:443 addr: 10.0.0.5. version 0.25.0 id=deadbeef time 12:30:45";
        assert_eq!(
            shorten_in_text(line),
            "2026-11-28T08:21:11.123Z  INFO peer=203.0.113.0:51234 via [2001:db8:1::]:443 addr: 10.0.0.0. version 0.25.0 id=deadbeef time 12:30:45"
        );
        let json = r#"{"fields":{"client":"198.51.100.200","msg":"x"}}"#;
        assert_eq!(
            shorten_in_text(json),
            r#"{"fields":{"client":"198.51.100.0","msg":"x"}}"#
        );
        assert!(matches!(
            shorten_in_text("no address here"),
            Cow::Borrowed(_)
        ));
        // Words that hold address-like runs stay whole: module paths, hex ids.
        for text in [
            "INFO tafelrunde_sfu::core::forward: media connected",
            "x::fade::cafe",
            "deadline 0xdead::beef",
        ] {
            assert!(matches!(shorten_in_text(text), Cow::Borrowed(_)), "{text}");
        }
        assert_eq!(shorten_in_text("via fe80::1%eth0"), "via fe80::%eth0");
    }

    #[test]
    fn an_address_right_after_a_colour_code_is_shortened() {
        // What the text formatter writes with colours on: `peer=` dimmed.
        let line = "\x1b[2m2026-12-04T10:00:00Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[3mpeer\x1b[0m\x1b[2m=\x1b[0m203.0.113.77:51234 \x1b[3mv6\x1b[0m\x1b[2m=\x1b[0m2001:db8:1:2::99\x1b[0m";
        let short = shorten_in_text(line);
        assert!(short.contains("\x1b[0m203.0.113.0:51234 "), "{short:?}");
        assert!(short.contains("\x1b[0m2001:db8:1::\x1b[0m"), "{short:?}");
        assert!(
            !short.contains(".77") && !short.contains("::99"),
            "{short:?}"
        );
        // Codes alone, or a broken code at the end, pass through unchanged.
        for text in ["\x1b[0m\x1b[1mtafelrunde\x1b[0m", "cut off \x1b[", "\x1b"] {
            assert_eq!(shorten_in_text(text), text);
        }
    }

    #[test]
    fn the_log_writer_shortens() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl Write for Buf {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let sink = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(ShortenIps(move || sink.clone()))
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let peer: SocketAddr = "198.51.100.23:40000".parse().unwrap();
            let v6: IpAddr = "2a02:8070:1234:5678::42".parse().unwrap();
            tracing::warn!(%peer, %v6, "connection from a client");
        });
        let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert!(out.contains("peer=198.51.100.0:40000"), "{out}");
        assert!(out.contains("v6=2a02:8070:1234::"), "{out}");
        assert!(
            !out.contains("198.51.100.23") && !out.contains("5678"),
            "{out}"
        );
    }
}
