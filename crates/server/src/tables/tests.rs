use std::time::Duration;

use super::*;

#[path = "../../tests/control/xlsx.rs"]
mod xlsx_writer;

fn small(change: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits::UPLOAD;
    change(&mut limits);
    limits
}

#[test]
fn csv_with_semicolons_bom_and_empty_lines() {
    let t =
        Table::read("\u{feff}Dienststellennummer;Name\n\n1234567;\"Schule; am See\"\n".as_bytes())
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
    assert_eq!((err.code(), err.line()), ("notUtf8", Some(2)));
}

#[test]
fn csv_lines_are_numbered_as_an_editor_shows_them() {
    let text = "a,b\r\n\r\n1,\"two\nlines\"\r\n,,\n\n\n3,x\r\n4,y";
    let t = Table::read(text.as_bytes()).unwrap();
    let numbers: Vec<usize> = t.rows.iter().map(|l| l.number).collect();
    // Line 5 holds only separators: empty, left out.
    assert_eq!(numbers, vec![3, 8, 9]);
    assert_eq!(t.rows[0].cell(1), "two\nlines");
    assert_eq!(t.rows[2].cells, vec!["4", "y"]);
}

/// Found by the fuzzer: a `\r` alone ends a record, so it is a line break.
#[test]
fn a_carriage_return_alone_is_a_line_break() {
    let t = Table::read(b"a;b\r\n\r\nn\r&\r\n\"x\ry\";z\rlast").unwrap();
    let numbers: Vec<usize> = t.rows.iter().map(|l| l.number).collect();
    assert_eq!(numbers, vec![3, 4, 5, 7]);
    let err = Table::read(b"a\rb\r\xff").unwrap_err();
    assert_eq!(err.line(), Some(3));
}

#[test]
fn a_csv_line_with_more_columns_than_the_limit_is_refused_with_its_line() {
    let wide = |n: usize| vec!["x"; n].join(";");
    let ok = format!("a;b\n{}\n", wide(64));
    assert_eq!(Table::read(ok.as_bytes()).unwrap().rows[0].cells.len(), 64);
    let err = Table::read(format!("a;b\n\n{}\n", wide(65)).as_bytes()).unwrap_err();
    assert_eq!(err, TableError::TooManyColumns { line: 3, limit: 64 });
    assert_eq!(err.to_string(), "line 3 has more than 64 columns");
    // A line of nothing but separators: refused as it is read.
    let err = Table::read(&[b';'; 1 << 20]).unwrap_err();
    assert_eq!(err.code(), "tooManyColumns");
}

#[test]
fn a_csv_line_longer_than_the_limit_is_refused_with_its_line() {
    let limits = small(|l| l.line_bytes = 100);
    let text = format!("a;b\n1;2\n{}\n", "x".repeat(101));
    let err = Table::read_within(text.as_bytes(), &limits).unwrap_err();
    assert_eq!(
        err,
        TableError::LineTooLong {
            line: 3,
            limit: 100
        }
    );
}

#[test]
fn rows_past_the_limit_are_refused_while_reading() {
    let limits = small(|l| l.rows = 3);
    let ok = "h\n1\n2\n\n3\n";
    assert_eq!(
        Table::read_within(ok.as_bytes(), &limits)
            .unwrap()
            .rows
            .len(),
        3
    );
    let err = Table::read_within(b"h\n1\n2\n\n3\n4\n5\n", &limits).unwrap_err();
    assert_eq!(err, TableError::TooManyRows { line: 6, limit: 3 });
    assert_eq!(err.to_string(), "the list has more than 3 rows");
}

#[test]
fn reading_stops_at_the_time_limit() {
    let limits = small(|l| l.time = Duration::ZERO);
    let err = Table::read_within(b"a;b\n1;2\n", &limits).unwrap_err();
    assert_eq!(err.code(), "readTooSlow");
    let file = xlsx_writer::build(&[vec!["a"], vec!["1"]]);
    let err = Table::read_within(&file, &limits).unwrap_err();
    assert_eq!(err.code(), "readTooSlow");
}

#[test]
fn xlsx_cells_are_read_by_their_references() {
    let file = xlsx_writer::cells_at(&[
        ("B2", "Dienststellennummer"),
        ("C2", "Name"),
        ("B4", "1234567"),
        ("C4", "Schule am See"),
        ("B1048576", "7654321"),
    ]);
    let t = Table::read(&file).unwrap();
    assert_eq!(t.header.number, 2);
    assert_eq!(t.header.cells, vec!["", "Dienststellennummer", "Name"]);
    let rows: Vec<(usize, &str)> = t.rows.iter().map(|l| (l.number, l.cell(1))).collect();
    assert_eq!(rows, vec![(4, "1234567"), (1_048_576, "7654321")]);
}

#[test]
fn a_cell_in_xfd1048576_is_refused_by_its_reference_without_building_the_grid() {
    let file = xlsx_writer::cells_at(&[("A1", "Dienststellennummer"), ("XFD1048576", "x")]);
    let err = Table::read(&file).unwrap_err();
    assert_eq!(
        err,
        TableError::CellTooFarRight {
            line: 1_048_576,
            cell: "XFD1048576".into(),
            column: 16_384,
            limit: 64
        }
    );
    assert_eq!(
        err.to_string(),
        "cell XFD1048576 is in column 16384; at most 64 columns are read (A to BL)"
    );
    assert_eq!(err.code(), "tooManyColumns");
}

#[test]
fn empty_formatted_cells_far_away_are_no_content() {
    let file = xlsx_writer::with_shared_strings(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="1"><si><t>E-Mail</t></si></sst>"#,
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="XFD1" s="3"/></row><row r="1048576"><c r="XFD1048576" s="3"/></row>"#,
    );
    let t = Table::read(&file).unwrap();
    assert_eq!(t.header.cells, vec!["E-Mail"]);
    assert!(t.rows.is_empty());
}

#[test]
fn shared_strings_are_read_as_spreadsheets_write_them() {
    let file = xlsx_writer::with_shared_strings(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="999999999999">
        <si><t>Schule &amp; See</t></si>
        <si><r><rPr><b/></rPr><t>Gym</t></r><r><t xml:space="preserve">nasium Nord </t></r><rPh sb="0" eb="1"><t>ギム</t></rPh></si>
        <si><t>Zeile_x000D_Umbruch &#228;</t></si>
        </sst>"#,
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="b"><v>1</v></c><c r="E1"><v>1234567</v></c></row>"#,
    );
    let t = Table::read(&file).unwrap();
    assert_eq!(
        t.header.cells,
        vec![
            "Schule & See",
            "Gymnasium Nord ",
            "Zeile\rUmbruch ä",
            "ja",
            "1234567"
        ]
    );
}

#[test]
fn shared_strings_past_the_cell_limit_are_refused() {
    let limits = small(|l| l.cells = 2);
    let file = xlsx_writer::with_shared_strings(
        "<sst><si><t>a</t></si><si><t>b</t></si><si><t>c</t></si></sst>",
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
    );
    let err = Table::read_within(&file, &limits).unwrap_err();
    assert_eq!(err, TableError::TooManyCells { limit: 2 });
}

#[test]
fn cells_past_the_limit_are_refused_empty_ones_counted() {
    let limits = small(|l| l.cells = 3);
    let file = xlsx_writer::with_shared_strings(
        "<sst/>",
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"/><c r="C1"/><c r="D1"/></row>"#,
    );
    let err = Table::read_within(&file, &limits).unwrap_err();
    assert_eq!(err, TableError::TooManyCells { limit: 3 });
}

#[test]
fn xlsx_rows_past_the_limit_are_refused_while_reading() {
    let limits = small(|l| l.rows = 2);
    let file = xlsx_writer::build(&[vec!["h"], vec!["1"], vec!["2"], vec!["3"]]);
    let err = Table::read_within(&file, &limits).unwrap_err();
    assert_eq!(err, TableError::TooManyRows { line: 4, limit: 2 });
}

#[test]
fn a_zip_bomb_is_refused_by_what_it_unpacks_to() {
    let limits = small(|l| l.unpacked_bytes = 1 << 20);
    let bomb = xlsx_writer::bomb(2 << 20);
    assert!(bomb.len() < 100_000, "{}", bomb.len());
    let err = Table::read_within(&bomb, &limits).unwrap_err();
    assert_eq!(err, TableError::UnpackedTooLarge { limit: 1 << 20 });
    assert_eq!(err.to_string(), "the XLSX file unpacks to more than 1 MiB");
}

/// Sets the declared unpacked size of every part (local and central
/// headers) to `size`.
fn declare_sizes(zip: &mut [u8], size: u32) {
    for at in 0..zip.len().saturating_sub(30) {
        let offset = match &zip[at..at + 4] {
            b"PK\x03\x04" => 22,
            b"PK\x01\x02" => 24,
            _ => continue,
        };
        zip[at + offset..at + offset + 4].copy_from_slice(&size.to_le_bytes());
    }
}

#[test]
fn a_zip_bomb_that_declares_small_parts_is_refused_all_the_same() {
    let limits = small(|l| l.unpacked_bytes = 1 << 20);
    let mut bomb = xlsx_writer::bomb(2 << 20);
    declare_sizes(&mut bomb, 1000);
    let err = Table::read_within(&bomb, &limits).unwrap_err();
    assert!(
        matches!(
            err,
            TableError::BadXlsx(_) | TableError::UnpackedTooLarge { .. }
        ),
        "{err:?}"
    );
}

#[test]
fn an_archive_of_too_many_parts_is_refused_before_its_directory_is_read() {
    let limits = small(|l| l.parts = 4);
    let file = xlsx_writer::build(&[vec!["a"]]);
    let err = Table::read_within(&file, &limits).unwrap_err();
    assert_eq!(err, TableError::TooManyParts { limit: 4 });
}

#[test]
fn a_damaged_xlsx_is_a_clear_error() {
    let mut file = xlsx_writer::build(&[vec!["a"], vec!["1"]]);
    let cut = file.len() / 2;
    file.truncate(cut);
    assert_eq!(Table::read(&file).unwrap_err().code(), "badXlsx");
    let err = Table::read(b"PK\x03\x04 nothing else").unwrap_err();
    assert_eq!(err.code(), "badXlsx");
}

#[test]
fn column_names_are_the_spreadsheets() {
    let names: Vec<String> = [0, 25, 26, 63, 16_383].map(column_name).to_vec();
    assert_eq!(names, vec!["A", "Z", "AA", "BL", "XFD"]);
}

/// What a school admin reads for each limit (the client translates the
/// code) names the same number the server enforces.
#[test]
fn the_translations_name_the_limits() {
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    for (name, json) in [
        ("de", include_str!("../../../../web/src/i18n/de.json")),
        ("en", include_str!("../../../../web/src/i18n/en.json")),
    ] {
        let texts: serde_json::Value = serde_json::from_str(json).unwrap();
        let limits = Limits::UPLOAD;
        for (code, number) in [
            ("fileTooLarge", limits.bytes >> 20),
            ("tooManyRows", limits.rows),
            ("tooManyColumns", limits.columns),
            ("lineTooLong", limits.line_bytes >> 10),
            ("tooManyCells", limits.cells),
            ("unpackedTooLarge", (limits.unpacked_bytes >> 20) as usize),
            ("tooManyParts", limits.parts),
            ("readTooSlow", limits.time.as_secs() as usize),
        ] {
            let text = texts[format!("apiError.{code}")]
                .as_str()
                .unwrap_or_default();
            assert!(
                digits(text).contains(&number.to_string()),
                "{name}.json apiError.{code} names {number}: {text:?}"
            );
        }
    }
}
