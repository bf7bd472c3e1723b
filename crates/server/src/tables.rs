//! Uploaded lists (the school list, teachers' e-mail addresses): CSV or XLSX,
//! read into rows of text cells with their line numbers, so that every
//! problem can be reported by line.
//!
//! CSV: UTF-8 (a byte-order mark is fine), separated by `;` (as German Excel
//! saves it), `,` or tab: whichever occurs most in the header line. XLSX: the
//! first worksheet. The first non-empty line is the header.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::api::error::ApiError;

/// Largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Most rows in one list.
pub const MAX_ROWS: usize = 20_000;

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
    /// Reads CSV or XLSX, told apart by content (an XLSX file is a zip archive).
    pub fn read(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.is_empty() {
            return Err(ApiError::bad_request("emptyFile", "the file is empty"));
        }
        if bytes.len() > MAX_UPLOAD_BYTES {
            return Err(ApiError::bad_request(
                "fileTooLarge",
                format!("the file is larger than {} MiB", MAX_UPLOAD_BYTES >> 20),
            ));
        }
        let lines = if bytes.starts_with(b"PK\x03\x04") {
            read_xlsx(bytes)?
        } else {
            read_csv(bytes)?
        };
        let mut lines = lines
            .into_iter()
            .filter(|l| l.cells.iter().any(|c| !c.trim().is_empty()));
        let header = lines
            .next()
            .ok_or_else(|| ApiError::bad_request("emptyFile", "the file has no lines"))?;
        let rows: Vec<Line> = lines.collect();
        if rows.len() > MAX_ROWS {
            return Err(ApiError::bad_request(
                "tooManyRows",
                format!("the list has more than {MAX_ROWS} rows"),
            ));
        }
        Ok(Self { header, rows })
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

fn read_csv(bytes: &[u8]) -> Result<Vec<Line>, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        ApiError::bad_request(
            "notUtf8",
            "the file is not UTF-8 text; save it as \"CSV UTF-8\" or as XLSX",
        )
        .at_line(line)
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_at(text, p.byte() as usize));
            ApiError::bad_request("badCsv", format!("the CSV cannot be read: {e}")).at_line(line)
        })?;
        // The reader skips empty lines without counting them: count newlines up to the record.
        let number = record
            .position()
            .map_or(lines.len() + 1, |p| line_at(text, p.byte() as usize));
        lines.push(Line {
            number,
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(lines)
}

fn line_at(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = byte.min(bytes.len());
    // A record's position may be that of the empty lines before it.
    while start < bytes.len() && (bytes[start] == b'\n' || bytes[start] == b'\r') {
        start += 1;
    }
    bytes[..start].iter().filter(|b| **b == b'\n').count() + 1
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Line>, ApiError> {
    let bad = |e: &dyn std::fmt::Display| {
        ApiError::bad_request("badXlsx", format!("the XLSX file cannot be read: {e}"))
    };
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| ApiError::bad_request("badXlsx", "the XLSX file has no worksheet"))?
        .map_err(|e| bad(&e))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_col = range.start().map_or(0, |(_, col)| col as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![String::new(); first_col];
            cells.extend(row.iter().map(cell_text));
            Line {
                number: first_row + i + 1,
                cells,
            }
        })
        .collect())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Numbers typed into a spreadsheet come as floats: 1234567.0 is "1234567".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(true) => "ja".into(),
        Data::Bool(false) => "nein".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_bom_and_empty_lines() {
        let t = Table::read(
            "\u{feff}Dienststellennummer;Name\n\n1234567;\"Schule; am See\"\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.header.cells, vec!["Dienststellennummer", "Name"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].number, 3);
        assert_eq!(t.rows[0].cell(1), "Schule; am See");
        assert_eq!(t.column(&["name"]), Some(1));
    }

    #[test]
    fn latin1_is_refused_with_its_line() {
        let err = Table::read(b"a;b\nx;\xfc\n").unwrap_err();
        assert_eq!((err.code, err.line), ("notUtf8", Some(2)));
    }
}
