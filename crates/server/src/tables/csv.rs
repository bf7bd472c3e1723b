//! CSV, read with `csv-core` into fixed buffers: a line longer than
//! [`Limits::line_bytes`] or with more fields than [`Limits::columns`] ends
//! the reading before anything grows for it (the `csv` crate's records grow
//! with their line, so one line of ten million `;` would have taken a
//! hundred megabytes for its field bounds alone).
//!
//! Line numbers are counted as the reading goes, in one pass over the text:
//! the reader skips empty lines without counting them, so the number of a
//! record is the line breaks before its first byte. A line break is `\n`,
//! `\r\n` or a `\r` alone (old Mac files; the reader ends a record there
//! too, so two records never share a number).
//!
//! [`Limits::line_bytes`]: super::Limits::line_bytes
//! [`Limits::columns`]: super::Limits::columns

use csv_core::{ReadRecordResult, ReaderBuilder};

use super::{Lines, TableError};

/// Check the clock after this many records.
const RECORDS_BETWEEN_CLOCK_CHECKS: usize = 1024;

pub(super) fn read(bytes: &[u8], lines: &mut Lines) -> Result<(), TableError> {
    let text = std::str::from_utf8(bytes).map_err(|e| TableError::NotUtf8 {
        line: line_breaks(bytes, 0, e.valid_up_to()) + 1,
    })?;
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &text.as_bytes()[bom..];
    let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first.iter().filter(|b| *b == d).count())
        .unwrap_or(b';');
    let mut reader = ReaderBuilder::new().delimiter(delimiter).build();
    let limits = lines.limits;
    let mut fields = vec![0u8; limits.line_bytes];
    let mut ends = vec![0usize; limits.columns];
    let mut counter = LineCounter::default();
    let mut consumed = 0;
    for record in 0.. {
        if record % RECORDS_BETWEEN_CLOCK_CHECKS == 0 {
            lines.check_time()?;
        }
        let start = consumed;
        let (mut out, mut end) = (0, 0);
        loop {
            let (result, nin, nout, nend) =
                reader.read_record(&text[consumed..], &mut fields[out..], &mut ends[end..]);
            consumed += nin;
            out += nout;
            end += nend;
            match result {
                // All of the text was given at once: the next call (with
                // nothing left) tells the reader that the text ended.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    return Err(TableError::LineTooLong {
                        line: counter.line_at(text, start),
                        limit: limits.line_bytes,
                    })
                }
                ReadRecordResult::OutputEndsFull => {
                    return Err(TableError::TooManyColumns {
                        line: counter.line_at(text, start),
                        limit: limits.columns,
                    })
                }
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return Ok(()),
            }
        }
        let number = counter.line_at(text, start);
        let mut cells = Vec::with_capacity(end);
        let mut from = 0;
        for &to in &ends[..end] {
            // Fields are whole pieces of valid UTF-8 cut at ASCII bytes.
            cells.push(String::from_utf8_lossy(&fields[from..to]).into_owned());
            from = to;
        }
        lines.push(number, cells)?;
    }
    Ok(())
}

/// Line breaks in `text[from..to]`: `\n`, and `\r` unless a `\n` follows.
fn line_breaks(text: &[u8], from: usize, to: usize) -> usize {
    (from..to)
        .filter(|&i| match text[i] {
            b'\n' => true,
            b'\r' => text.get(i + 1) != Some(&b'\n'),
            _ => false,
        })
        .count()
}

/// Line numbers by a running count: each call starts where the last one
/// stopped, so numbering a whole file reads it once.
#[derive(Default)]
struct LineCounter {
    /// Bytes counted so far.
    at: usize,
    /// Line breaks in `text[..at]`.
    breaks: usize,
}

impl LineCounter {
    /// The line of the record that the reader started at `byte`: the
    /// reader's position may be that of the empty lines before it.
    /// `byte` never goes back between calls.
    fn line_at(&mut self, text: &[u8], byte: usize) -> usize {
        let mut start = byte.min(text.len()).max(self.at);
        while start < text.len() && matches!(text[start], b'\n' | b'\r') {
            start += 1;
        }
        self.breaks += line_breaks(text, self.at, start);
        self.at = start;
        self.breaks + 1
    }
}
