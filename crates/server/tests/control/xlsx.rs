//! A minimal XLSX writer for tests (inline strings, numbers as numbers),
//! so the import is tested with files as spreadsheets save them — and the
//! hostile files of issue 11: a cell in the last column and row, and a zip
//! bomb.
#![allow(dead_code)]

use std::io::Write;

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// Rows from A1 on, each cell a number when it looks like one.
pub fn build(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut sheet = format!("{SHEET_START}<sheetData>");
    for (r, row) in rows.iter().enumerate() {
        sheet += &format!(r#"<row r="{}">"#, r + 1);
        for (c, cell) in row.iter().enumerate() {
            let col = (b'A' + c as u8) as char;
            sheet += &cell_xml(&format!("{col}{}", r + 1), cell);
        }
        sheet += "</row>";
    }
    sheet += "</sheetData></worksheet>";
    package(None, |w| w.write_all(sheet.as_bytes()).unwrap())
}

/// A sheet (the XML inside `<sheetData>`) with a shared-strings part (the
/// whole XML of `sharedStrings.xml`).
pub fn with_shared_strings(shared_strings: &str, sheet_data: &str) -> Vec<u8> {
    let sheet = format!("{SHEET_START}<sheetData>{sheet_data}</sheetData></worksheet>");
    package(Some(shared_strings), |w| {
        w.write_all(sheet.as_bytes()).unwrap()
    })
}

/// Cells at the given references (e.g. `("XFD1048576", "x")`), in the
/// given order, with a `<dimension>` from the first to the last one.
pub fn cells_at(cells: &[(&str, &str)]) -> Vec<u8> {
    let first = cells.first().map_or("A1", |c| c.0);
    let last = cells.last().map_or("A1", |c| c.0);
    let mut sheet = format!(r#"{SHEET_START}<dimension ref="{first}:{last}"/><sheetData>"#);
    for (at, value) in cells {
        let row: String = at.chars().filter(char::is_ascii_digit).collect();
        sheet += &format!(r#"<row r="{row}">{}</row>"#, cell_xml(at, value));
    }
    sheet += "</sheetData></worksheet>";
    package(None, |w| w.write_all(sheet.as_bytes()).unwrap())
}

/// A zip bomb: a sheet of about `unpacked` bytes of the same row of ten
/// cells over and over, deflated to a small fraction of it. Built in pieces,
/// so the test itself never holds the unpacked sheet.
pub fn bomb(unpacked: usize) -> Vec<u8> {
    let mut row = String::from("<row>");
    for _ in 0..10 {
        row += r#"<c t="inlineStr"><is><t>Schule am See</t></is></c>"#;
    }
    row += "</row>";
    let chunk = row.repeat(1000);
    package(None, |w| {
        w.write_all(SHEET_START.as_bytes()).unwrap();
        w.write_all(b"<sheetData>").unwrap();
        let mut written = 0;
        while written < unpacked {
            w.write_all(chunk.as_bytes()).unwrap();
            written += chunk.len();
        }
        w.write_all(b"</sheetData></worksheet>").unwrap();
    })
}

fn cell_xml(at: &str, cell: &str) -> String {
    if !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit()) && !cell.starts_with('0') {
        format!(r#"<c r="{at}"><v>{cell}</v></c>"#)
    } else {
        let esc = cell.replace('&', "&amp;").replace('<', "&lt;");
        format!(r#"<c r="{at}" t="inlineStr"><is><t>{esc}</t></is></c>"#)
    }
}

/// The parts of a workbook around one sheet, which `write_sheet` writes.
fn package(shared_strings: Option<&str>, write_sheet: impl FnOnce(&mut dyn Write)) -> Vec<u8> {
    let strings_rel = if shared_strings.is_some() {
        r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
    } else {
        ""
    };
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Schulen" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>{strings_rel}</Relationships>"#)),
    ];
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default();
        for (name, text) in files {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        if let Some(strings) = shared_strings {
            zip.start_file("xl/sharedStrings.xml", options).unwrap();
            zip.write_all(strings.as_bytes()).unwrap();
        }
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        write_sheet(&mut zip);
        zip.finish().unwrap();
    }
    out.into_inner()
}
