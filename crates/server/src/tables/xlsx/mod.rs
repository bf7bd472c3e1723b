//! XLSX: the first worksheet, read cell by cell within the limits.
//!
//! Why not calamine's `Xlsx` and `worksheet_range`, which this used to be:
//! `worksheet_range` builds the whole grid between the outermost cells, so
//! a 4.7 KB file with cells in A1 and XFD1048576 asked for 512 GiB and the
//! process aborted; and `Xlsx::new` reads every string, style and theme of
//! the workbook before one cell is looked at — it reserves room for as many
//! shared strings as the file *declares*, and its styles take five to eight
//! times their unpacked size in memory. None of that can be bounded from
//! outside.
//!
//! So the file is read in three steps, each bounded before it allocates:
//!
//! 1. The archive ([`package`]): at most [`Limits::parts`] parts, counted
//!    from the bytes before the `zip` crate reads its directory; then every
//!    part is unpacked once into nothing, through a reader that stops one
//!    byte past [`Limits::unpacked_bytes`] for all parts together — what
//!    the archive declares is checked first, but what counts is what the
//!    parts really unpack to. A zip bomb ends here, having cost only CPU
//!    for at most that many bytes.
//! 2. The parts that lead to the first sheet (package and workbook
//!    relationships, the workbook) and the shared strings ([`strings`]),
//!    read as a stream with `quick-xml`: at most [`Limits::cells`] strings.
//!    Styles, themes and everything else are never read: a list needs none.
//! 3. The sheet, with calamine's streaming cell reader
//!    ([`calamine::XlsxCellReader`]), one cell at a time: cells counted
//!    (empty ones too), a cell with content beyond [`Limits::columns`]
//!    refused with its reference, rows counted as they come, the clock
//!    checked. Only cells with content are kept, in their rows.
//!
//! A panic in the libraries (calamine's cell references overflow in debug
//! builds, for one) is caught and answered as an unreadable file.
//!
//! [`Limits::parts`]: super::Limits::parts
//! [`Limits::unpacked_bytes`]: super::Limits::unpacked_bytes
//! [`Limits::cells`]: super::Limits::cells
//! [`Limits::columns`]: super::Limits::columns

mod package;
mod strings;

use std::collections::BTreeMap;
use std::io::BufReader;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{DataRef, XlsxCellReader};

use super::{column_name, Lines, TableError};

/// Check the clock after this many cells or strings.
const BETWEEN_CLOCK_CHECKS: usize = 1024;

pub(super) fn read(bytes: &[u8], lines: &mut Lines) -> Result<(), TableError> {
    catch_unwind(AssertUnwindSafe(|| read_unguarded(bytes, lines)))
        .unwrap_or_else(|_| Err(bad("the file is damaged")))
}

fn read_unguarded(bytes: &[u8], lines: &mut Lines) -> Result<(), TableError> {
    let mut archive = package::open(bytes, lines)?;
    let parts = package::first_sheet(&mut archive)?;
    let strings = match &parts.shared_strings {
        Some(path) => strings::read(&mut archive, path, lines)?,
        None => Vec::new(),
    };
    read_sheet(&mut archive, &parts.sheet, &strings, lines)
}

fn read_sheet(
    archive: &mut package::Archive<'_>,
    path: &str,
    strings: &[String],
    lines: &mut Lines,
) -> Result<(), TableError> {
    let limits = lines.limits;
    let part = package::part(archive, path)?
        .ok_or_else(|| bad(format!("the first worksheet ({path}) is missing")))?;
    let xml = package::xml_reader(BufReader::new(part));
    // No number formats and styles: dates stay numbers, which no list needs.
    let mut cells = XlsxCellReader::new(xml, strings, &[], &[], false).map_err(bad)?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut count = 0;
    while let Some(cell) = cells.next_cell().map_err(bad)? {
        count += 1;
        if count > limits.cells {
            return Err(TableError::TooManyCells {
                limit: limits.cells,
            });
        }
        if count % BETWEEN_CLOCK_CHECKS == 0 {
            lines.check_time()?;
        }
        let text = cell_text(cell.get_value());
        if text.trim().is_empty() {
            continue;
        }
        let (row, column) = cell.get_position();
        let (line, column) = (row as usize + 1, column as usize);
        if column >= limits.columns {
            return Err(TableError::CellTooFarRight {
                line,
                cell: format!("{}{line}", column_name(column)),
                column: column + 1,
                limit: limits.columns,
            });
        }
        // The header line and `limits.rows` below it.
        if rows.len() > limits.rows && !rows.contains_key(&row) {
            return Err(TableError::TooManyRows {
                line,
                limit: limits.rows,
            });
        }
        let cells = rows.entry(row).or_default();
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
    }
    for (row, cells) in rows {
        lines.push(row as usize + 1, cells)?;
    }
    Ok(())
}

fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        // Numbers typed into a spreadsheet come as floats: 1234567.0 is "1234567".
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(true) => "ja".into(),
        DataRef::Bool(false) => "nein".into(),
        DataRef::DateTime(d) => d.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

fn bad(e: impl std::fmt::Display) -> TableError {
    TableError::BadXlsx(e.to_string())
}
