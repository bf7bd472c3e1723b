//! Uploaded lists (the school list, teachers' e-mail addresses): CSV or XLSX,
//! read into rows of text cells with their line numbers, so that every
//! problem can be reported by line.
//!
//! CSV: UTF-8 (a byte-order mark is fine), separated by `;` (as German Excel
//! saves it), `,` or tab: whichever occurs most in the header line. XLSX: the
//! first worksheet. The first non-empty line is the header.
//!
//! Anybody with an upload right can send any bytes, so reading is bounded
//! in every dimension *while* it happens, never checked afterwards: the
//! bytes of the upload, the bytes an XLSX file unpacks to, its parts, the
//! cells, rows and columns, the length of a CSV line, and the time. Each
//! limit, when hit, ends the reading with an error that names it
//! ([`TableError`]), before more is allocated. Nothing here allocates by a
//! number the file declares (a sheet's `<dimension>`, a shared-string
//! count). How the XLSX reader keeps to this is in [`xlsx`]'s docs.
//!
//! Reading is CPU work: callers run it on the CPU pool (`crate::cpu`), never
//! on an async worker.

mod csv;
mod xlsx;

use std::time::{Duration, Instant};

use crate::api::error::ApiError;

/// Largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Most rows in one list, below its header line.
pub const MAX_ROWS: usize = 20_000;

/// The bounds of reading one upload. [`Limits::UPLOAD`] is what the server
/// uses; tests make them small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the upload itself.
    pub bytes: usize,
    /// Non-empty rows below the header line.
    pub rows: usize,
    /// Columns of a line that hold something (A..=the limit's letter).
    pub columns: usize,
    /// Bytes of one CSV line (record).
    pub line_bytes: usize,
    /// Cells of an XLSX sheet, empty ones included, and its shared strings.
    pub cells: usize,
    /// Bytes all parts of an XLSX file unpack to together.
    pub unpacked_bytes: u64,
    /// Parts (files) in an XLSX archive.
    pub parts: usize,
    /// Time for the whole reading.
    pub time: Duration,
}

impl Limits {
    /// A real list has a few columns and at most some thousand rows: these
    /// leave room for exports with many extra columns, and keep the worst
    /// upload at some ten megabytes of memory and well under a second of CPU.
    pub const UPLOAD: Self = Self {
        bytes: MAX_UPLOAD_BYTES,
        rows: MAX_ROWS,
        columns: 64,
        line_bytes: 64 * 1024,
        cells: 500_000,
        unpacked_bytes: 32 * 1024 * 1024,
        parts: 1000,
        time: Duration::from_secs(10),
    };
}

/// Why a list cannot be read. Every variant names the limit it hit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has no lines")]
    NoLines,
    #[error("the file is larger than {} MiB", .limit >> 20)]
    TooLarge { limit: usize },
    #[error("the file is not UTF-8 text; save it as \"CSV UTF-8\" or as XLSX")]
    NotUtf8 { line: usize },
    #[error("the list has more than {limit} rows")]
    TooManyRows { line: usize, limit: usize },
    #[error("line {line} has more than {limit} columns")]
    TooManyColumns { line: usize, limit: usize },
    #[error("cell {cell} is in column {column}; at most {limit} columns are read (A to {})", column_name(*.limit - 1))]
    CellTooFarRight {
        line: usize,
        cell: String,
        column: usize,
        limit: usize,
    },
    #[error("line {line} is longer than {} KiB", .limit >> 10)]
    LineTooLong { line: usize, limit: usize },
    #[error("the sheet has more than {limit} cells")]
    TooManyCells { limit: usize },
    #[error("the XLSX file unpacks to more than {} MiB", .limit >> 20)]
    UnpackedTooLarge { limit: u64 },
    #[error("the XLSX file has more than {limit} parts")]
    TooManyParts { limit: usize },
    #[error("reading the file took longer than {} seconds", .limit.as_secs())]
    TooSlow { limit: Duration },
    #[error("the XLSX file cannot be read: {0}")]
    BadXlsx(String),
}

impl TableError {
    /// The stable code the client translates (`web/src/i18n`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty | Self::NoLines => "emptyFile",
            Self::TooLarge { .. } => "fileTooLarge",
            Self::NotUtf8 { .. } => "notUtf8",
            Self::TooManyRows { .. } => "tooManyRows",
            Self::TooManyColumns { .. } | Self::CellTooFarRight { .. } => "tooManyColumns",
            Self::LineTooLong { .. } => "lineTooLong",
            Self::TooManyCells { .. } => "tooManyCells",
            Self::UnpackedTooLarge { .. } => "unpackedTooLarge",
            Self::TooManyParts { .. } => "tooManyParts",
            Self::TooSlow { .. } => "readTooSlow",
            Self::BadXlsx(_) => "badXlsx",
        }
    }

    /// The line it is about, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::NotUtf8 { line }
            | Self::TooManyRows { line, .. }
            | Self::TooManyColumns { line, .. }
            | Self::CellTooFarRight { line, .. }
            | Self::LineTooLong { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl From<TableError> for ApiError {
    fn from(e: TableError) -> Self {
        let line = e.line();
        let error = ApiError::bad_request(e.code(), e.to_string());
        match line {
            Some(line) => error.at_line(line),
            None => error,
        }
    }
}

/// A spreadsheet's name of a column: 0 is A, 25 is Z, 26 is AA.
pub fn column_name(index: usize) -> String {
    let mut n = index + 1;
    let mut name = Vec::new();
    while n > 0 {
        n -= 1;
        name.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// One line of a list: its number (1-based, as a spreadsheet shows it) and cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub cells: Vec<String>,
}

/// A list: the header line and the lines below it (empty lines left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Line,
    pub rows: Vec<Line>,
}

impl Table {
    /// Reads CSV or XLSX, told apart by content (an XLSX file is a zip
    /// archive), within [`Limits::UPLOAD`].
    pub fn read(bytes: &[u8]) -> Result<Self, TableError> {
        Self::read_within(bytes, &Limits::UPLOAD)
    }

    /// Reads within `limits`.
    pub fn read_within(bytes: &[u8], limits: &Limits) -> Result<Self, TableError> {
        if bytes.is_empty() {
            return Err(TableError::Empty);
        }
        if bytes.len() > limits.bytes {
            return Err(TableError::TooLarge {
                limit: limits.bytes,
            });
        }
        let mut lines = Lines::new(limits);
        if bytes.starts_with(b"PK\x03\x04") {
            xlsx::read(bytes, &mut lines)?;
        } else {
            csv::read(bytes, &mut lines)?;
        }
        lines.finish()
    }

    /// The column whose header is one of `names` (case and spaces ignored).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        let norm = |s: &str| s.trim().to_lowercase().replace([' ', '_', '-'], "");
        self.header
            .cells
            .iter()
            .position(|c| names.iter().any(|n| norm(c) == norm(n)))
    }
}

impl Line {
    /// The trimmed cell, or "" when the line is shorter.
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", |c| c.trim())
    }
}

/// The lines read so far, in order, with the limits that both readers keep.
struct Lines {
    limits: Limits,
    started: Instant,
    header: Option<Line>,
    rows: Vec<Line>,
}

impl Lines {
    fn new(limits: &Limits) -> Self {
        Self {
            limits: *limits,
            started: Instant::now(),
            header: None,
            rows: Vec::new(),
        }
    }

    /// Adds a line; an empty one (only blanks) is left out and not counted.
    fn push(&mut self, number: usize, cells: Vec<String>) -> Result<(), TableError> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        let line = Line { number, cells };
        if self.header.is_none() {
            self.header = Some(line);
        } else if self.rows.len() == self.limits.rows {
            return Err(TableError::TooManyRows {
                line: number,
                limit: self.limits.rows,
            });
        } else {
            self.rows.push(line);
        }
        Ok(())
    }

    /// Called every so often by the readers: past the time limit, stop.
    fn check_time(&self) -> Result<(), TableError> {
        if self.started.elapsed() > self.limits.time {
            return Err(TableError::TooSlow {
                limit: self.limits.time,
            });
        }
        Ok(())
    }

    fn finish(self) -> Result<Table, TableError> {
        let header = self.header.ok_or(TableError::NoLines)?;
        Ok(Table {
            header,
            rows: self.rows,
        })
    }
}

#[cfg(test)]
mod tests;
