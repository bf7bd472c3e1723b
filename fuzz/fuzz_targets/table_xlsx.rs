//! Reading an uploaded XLSX list never panics, never allocates beyond its
//! limits (libFuzzer's malloc limit catches a large allocation), and a list
//! it accepts keeps to them.
//!
//! An input that starts like a zip archive is read as it is: that fuzzes
//! the archive checks. Any other input is the XML of the parts — the sheet,
//! then the shared strings, the workbook and its relationships, separated
//! by NUL bytes — packed into a valid archive first, so that the checksum
//! of the archive does not stop mutations before the XML is read.
#![no_main]

use std::io::Write;

use tafelrunde::tables::{Limits, Table};

const DEFAULT_WORKBOOK: &str = r#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const DEFAULT_RELS: &str = r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const PACKAGE_RELS: &str = r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

fn pack(data: &[u8]) -> Vec<u8> {
    let mut parts = data.split(|b| *b == 0);
    let sheet = parts.next().unwrap_or_default();
    let strings = parts.next().unwrap_or_default();
    let workbook = parts.next().unwrap_or(DEFAULT_WORKBOOK.as_bytes());
    let rels = parts.next().unwrap_or(DEFAULT_RELS.as_bytes());
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in [
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/sharedStrings.xml", strings),
        ("xl/worksheets/sheet1.xml", sheet),
    ] {
        zip.start_file(name, stored).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let file = if data.starts_with(b"PK\x03\x04") {
        data.to_vec()
    } else {
        pack(data)
    };
    let limits = Limits::UPLOAD;
    match Table::read(&file) {
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
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
