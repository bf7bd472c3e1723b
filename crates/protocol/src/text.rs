//! Text that people read as a name: display names, room names, account
//! addresses. What is shown must be what was typed, so that nobody can
//! pose as somebody else:
//!
//! - characters that change how the text around them is shown are refused:
//!   bidi controls (a right-to-left override turns `)gnutieL(` into
//!   `(Leitung)`), zero-width and other format characters, private-use and
//!   unassigned code points, line separators, and letters that render as
//!   nothing (Hangul fillers, the braille blank);
//! - the rest is normalised to NFC (`e` + combining accent is stored as `é`),
//!   every run of spaces becomes one space, and the ends are trimmed;
//! - at least one visible character (a letter, digit, punctuation or
//!   symbol) must remain.
//!
//! Room names are stricter still: a room name is typed into links and read
//! aloud, so it keeps to Latin letters (with the German umlauts and ß),
//! digits and `-` `.` `_` `~`. Cyrillic or full-width lookalikes of a
//! teacher's room name are refused, not opened as another room.

use std::fmt;

use unicode_general_category::{get_general_category, GeneralCategory as Gc};
use unicode_normalization::UnicodeNormalization;

/// Why a text is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    /// Nothing visible is left (empty, or only spaces and marks).
    Empty,
    /// More than `max` characters after normalising.
    TooLong {
        /// Characters of the normalised text.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A character that is invisible or changes how the text is shown.
    Invisible(char),
    /// A control character (new line, tab, NUL …).
    Control(char),
    /// A character a room name may not contain.
    NotInRoomName(char),
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "is empty (nothing visible)"),
            Self::TooLong { chars, max } => {
                write!(f, "has {chars} characters; at most {max} are allowed")
            }
            Self::Invisible(c) => write!(
                f,
                "contains the invisible or direction-changing character U+{:04X}",
                u32::from(*c)
            ),
            Self::Control(c) => write!(f, "contains the control character U+{:04X}", u32::from(*c)),
            Self::NotInRoomName(c) => write!(
                f,
                "contains {c:?} (U+{:04X}); a room name has only the letters A–Z (and ä ö ü ß), \
                 digits and - . _ ~",
                u32::from(*c)
            ),
        }
    }
}

impl std::error::Error for TextProblem {}

/// Whether `c` is invisible or changes how the text around it is shown:
/// format characters (bidi controls, zero-width space and joiners, word
/// joiner, byte order mark, soft hyphen, tags …), private-use, unassigned
/// and surrogate code points, line and paragraph separators, and the
/// letters and marks that render as blank.
pub fn is_invisible(c: char) -> bool {
    matches!(
        get_general_category(c),
        Gc::Format
            | Gc::PrivateUse
            | Gc::Unassigned
            | Gc::Surrogate
            | Gc::LineSeparator
            | Gc::ParagraphSeparator
    ) || matches!(
        u32::from(c),
        // Hangul fillers, the braille blank, combining grapheme joiner,
        // Khmer inherent vowels, Mongolian variation selectors.
        0x115F | 0x1160 | 0x3164 | 0xFFA0 | 0x2800 | 0x034F | 0x17B4 | 0x17B5 | 0x180B..=0x180F
    )
}

/// Letters, digits, punctuation and symbols are seen; spaces and marks alone are not.
fn is_visible(c: char) -> bool {
    !is_invisible(c)
        && !c.is_whitespace()
        && !matches!(
            get_general_category(c),
            Gc::NonspacingMark | Gc::EnclosingMark | Gc::SpacingMark | Gc::Control
        )
}

/// A display name (or another one-line text people read) as it is stored
/// and shown: NFC, single spaces, trimmed, at most `max` characters, with
/// something visible in it.
pub fn display_text(raw: &str, max: usize) -> Result<String, TextProblem> {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.nfc() {
        if c.is_control() {
            return Err(TextProblem::Control(c));
        }
        if is_invisible(c) {
            return Err(TextProblem::Invisible(c));
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    if !out.chars().any(is_visible) {
        return Err(TextProblem::Empty);
    }
    let chars = out.chars().count();
    if chars > max {
        return Err(TextProblem::TooLong { chars, max });
    }
    Ok(out)
}

/// `raw` in Unicode normalisation form C (composed).
pub fn nfc(raw: &str) -> String {
    raw.nfc().collect()
}

/// Whether `c` may stand in a room name.
pub fn room_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.' | '_' | '~' | 'ä' | 'ö' | 'ü' | 'Ä' | 'Ö' | 'Ü' | 'ß'
        )
}

/// A room name as it is used: NFC, trimmed, at most `max` characters of
/// [`room_name_char`].
pub fn room_name(raw: &str, max: usize) -> Result<String, TextProblem> {
    let name: String = raw.trim().nfc().collect();
    if let Some(c) = name.chars().find(|c| !room_name_char(*c)) {
        return Err(if c.is_control() {
            TextProblem::Control(c)
        } else if is_invisible(c) {
            TextProblem::Invisible(c)
        } else {
            TextProblem::NotInRoomName(c)
        });
    }
    let chars = name.chars().count();
    if chars == 0 {
        return Err(TextProblem::Empty);
    }
    if chars > max {
        return Err(TextProblem::TooLong { chars, max });
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_changes_and_invisible_characters_are_refused() {
        for bad in [
            "Frau Lehrerin \u{202E})gnutieL(",
            "Ada\u{200B}",
            "\u{200B}\u{200B}",
            "Ada\u{2066}x\u{2069}",
            "Ada\u{200F}",
            "Ada\u{FEFF}",
            "Ada\u{00AD}",
            "\u{3164}",
            "Ada\u{E000}",
            "Ada\u{2028}Ben",
            "\u{E0041}Ada",
        ] {
            assert!(
                matches!(display_text(bad, 64), Err(TextProblem::Invisible(_))),
                "{bad:?}: {:?}",
                display_text(bad, 64)
            );
        }
        assert_eq!(
            display_text("Ada\nBen", 64),
            Err(TextProblem::Control('\n'))
        );
    }

    #[test]
    fn names_are_composed_spaced_and_must_show_something() {
        assert_eq!(display_text("  Jose\u{301}  ", 64).unwrap(), "Jos\u{e9}");
        assert_eq!(
            display_text("Frau\u{3000}\u{a0} Müller", 64).unwrap(),
            "Frau Müller"
        );
        assert_eq!(display_text("   ", 64), Err(TextProblem::Empty));
        assert_eq!(display_text("\u{301}\u{301}", 64), Err(TextProblem::Empty));
        assert_eq!(display_text("李小龙 🙂", 64).unwrap(), "李小龙 🙂");
        assert_eq!(display_text("❤\u{FE0F} Ada", 64).unwrap(), "❤\u{FE0F} Ada");
        assert_eq!(
            display_text(&"x".repeat(65), 64),
            Err(TextProblem::TooLong { chars: 65, max: 64 })
        );
        // Counted after composing: 64 accented letters typed decomposed fit.
        assert!(display_text(&"e\u{301}".repeat(64), 64).is_ok());
    }

    #[test]
    fn room_names_keep_to_latin_letters_digits_and_four_signs() {
        assert_eq!(room_name(" 1111111-7b-MUE ", 96).unwrap(), "1111111-7b-MUE");
        assert_eq!(
            room_name("1111111-Q1.Bio-Kö", 96).unwrap(),
            "1111111-Q1.Bio-Kö"
        );
        assert_eq!(
            room_name("1111111-Q1.Bio-Ko\u{308}", 96).unwrap(),
            "1111111-Q1.Bio-Kö"
        );
        assert_eq!(room_name("~test-abc", 96).unwrap(), "~test-abc");
        assert_eq!(
            room_name("1111111-7b-MU\u{415}", 96),
            Err(TextProblem::NotInRoomName('\u{415}'))
        );
        assert_eq!(
            room_name("\u{FF4D}athe", 96),
            Err(TextProblem::NotInRoomName('\u{FF4D}'))
        );
        assert_eq!(
            room_name("a\u{200B}b", 96),
            Err(TextProblem::Invisible('\u{200B}'))
        );
        assert_eq!(
            room_name("mathe nachhilfe", 96),
            Err(TextProblem::NotInRoomName(' '))
        );
        assert_eq!(room_name("", 96), Err(TextProblem::Empty));
        assert!(TextProblem::NotInRoomName('\u{415}')
            .to_string()
            .contains("A–Z"));
    }
}
