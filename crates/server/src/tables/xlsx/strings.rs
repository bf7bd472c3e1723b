//! The shared strings of a workbook (`sharedStrings.xml`): each `<si>` is
//! one string, the text of its `<t>` elements (rich text has several, in
//! runs `<r>`), without phonetic hints (`<rPh>`) — as calamine reads them.
//! At most [`Limits::cells`] strings; nothing is reserved by the count the
//! file declares.
//!
//! [`Limits::cells`]: super::super::Limits::cells

use std::borrow::Cow;
use std::io::BufReader;

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::Event;

use super::super::{Lines, TableError};
use super::package::{self, Archive};
use super::{bad, BETWEEN_CLOCK_CHECKS};

pub(super) fn read(
    archive: &mut Archive<'_>,
    path: &str,
    lines: &Lines,
) -> Result<Vec<String>, TableError> {
    let limit = lines.limits.cells;
    let Some(part) = package::part(archive, path)? else {
        return Ok(Vec::new());
    };
    let mut xml = package::xml_reader(BufReader::new(part));
    let mut strings = Vec::new();
    let mut buf = Vec::new();
    // The string being read, the text of the `<t>` being read, and where.
    let mut string: Option<String> = None;
    let mut text: Option<String> = None;
    let mut preserve_space = false;
    let mut phonetic = false;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(bad)? {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => {
                    if strings.len() == limit {
                        return Err(TableError::TooManyCells { limit });
                    }
                    if strings.len() % BETWEEN_CLOCK_CHECKS == 0 {
                        lines.check_time()?;
                    }
                    string = Some(String::new());
                }
                "rPh" => phonetic = true,
                "t" if string.is_some() && !phonetic => {
                    preserve_space =
                        package::attribute(&e, "xml:space", false).is_some_and(|v| v == "preserve");
                    text = Some(String::new());
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "si" => strings.extend(string.take()),
                "rPh" => phonetic = false,
                "t" => {
                    if let (Some(t), Some(s)) = (text.take(), string.as_mut()) {
                        let t = if preserve_space {
                            &t[..]
                        } else {
                            t.trim_matches([' ', '\t', '\r', '\n'])
                        };
                        s.push_str(&unescape_excel(t));
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some(text) = text.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(text) = text.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(text) = text.as_mut() {
                    let name: &str = r.as_ref();
                    if let Some(s) = resolve_xml_entity(name) {
                        text.push_str(s);
                    } else if let Some(c) = r.resolve_char_ref().map_err(bad)? {
                        text.push(c);
                    } else {
                        return Err(bad(format!("unknown entity &{name};")));
                    }
                }
            }
            Event::Eof => return Ok(strings),
            _ => {}
        }
    }
}

/// Excel writes characters that XML cannot hold as `_xHHHH_` (UTF-16 code
/// units, a pair for characters beyond the BMP).
fn unescape_excel(s: &str) -> Cow<'_, str> {
    if !s.contains("_x") {
        return Cow::Borrowed(s);
    }
    let unit = |at: usize| -> Option<u16> {
        let piece = s.get(at..at + 7)?;
        let hex = piece.strip_prefix("_x")?.strip_suffix('_')?;
        if hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            u16::from_str_radix(hex, 16).ok()
        } else {
            None
        }
    };
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    while at < s.len() {
        match unit(at) {
            Some(high @ 0xD800..=0xDBFF) => match unit(at + 7) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let c =
                        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    at += 14;
                }
                _ => {
                    out.push(char::REPLACEMENT_CHARACTER);
                    at += 7;
                }
            },
            Some(u) => {
                out.push(char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER));
                at += 7;
            }
            None => {
                let c = s[at..].chars().next().unwrap_or_default();
                out.push(c);
                at += c.len_utf8().max(1);
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::unescape_excel;

    #[test]
    fn excel_escapes_become_characters() {
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("pos_x"), "pos_x");
        assert_eq!(unescape_excel("_xD83D__xDE00_"), "😀");
        assert_eq!(unescape_excel("_xD83D_x"), "\u{fffd}x");
        assert_eq!(unescape_excel("ä_x0041_ü"), "äAü");
    }
}
