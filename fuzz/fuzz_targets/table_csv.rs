//! Reading an uploaded CSV list never panics, never allocates beyond its
//! limits (libFuzzer's malloc limit catches a large allocation), and a list
//! it accepts keeps to them, its lines numbered in order.
#![no_main]

use tafelrunde::tables::{Limits, Table};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // What starts like a zip archive is read as XLSX: see table_xlsx.
    if data.starts_with(b"PK\x03\x04") {
        return;
    }
    let limits = Limits::UPLOAD;
    match Table::read(data) {
        Ok(table) => {
            assert!(table.rows.len() <= limits.rows);
            let mut previous = 0;
            for line in std::iter::once(&table.header).chain(&table.rows) {
                assert!(line.number > previous, "lines in order");
                assert!(line.cells.len() <= limits.columns);
                assert!(line.cells.iter().any(|c| !c.trim().is_empty()));
                previous = line.number;
            }
        }
        Err(e) => {
            assert!(e.line().is_none_or(|l| l >= 1));
            assert!(!e.to_string().is_empty());
        }
    }
});
