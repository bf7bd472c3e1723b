//! The zip archive of an XLSX file: its size checks, and the way from the
//! package's relationships to the first worksheet and the shared strings.

use std::borrow::Cow;
use std::io::{BufRead, Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use zip::read::ZipFile;
use zip::ZipArchive;

use super::super::{Lines, TableError};
use super::bad;

pub(super) type Archive<'b> = ZipArchive<Cursor<&'b [u8]>>;

/// Where the parts of a list are.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Parts {
    pub sheet: String,
    pub shared_strings: Option<String>,
}

/// Every entry of the zip's central directory starts with this.
const CENTRAL_ENTRY: &[u8] = b"PK\x01\x02";

/// Opens the archive once it is known to unpack within the limits (see the
/// module docs of `xlsx`).
pub(super) fn open<'b>(bytes: &'b [u8], lines: &Lines) -> Result<Archive<'b>, TableError> {
    let limits = lines.limits;
    let too_many = TableError::TooManyParts {
        limit: limits.parts,
    };
    // Each part has an entry in the central directory, and each entry starts
    // with the signature: so counting signatures bounds the parts before the
    // zip crate allocates one record per entry.
    if bytes.windows(4).filter(|w| *w == CENTRAL_ENTRY).count() > limits.parts {
        return Err(too_many);
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
    if archive.len() > limits.parts {
        return Err(too_many);
    }
    let limit = limits.unpacked_bytes;
    let too_large = TableError::UnpackedTooLarge { limit };
    let mut declared = 0u64;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(bad)?;
        declared = declared.saturating_add(part.size());
    }
    if declared > limit {
        return Err(too_large);
    }
    // What the archive declares is its own word: unpack every part into
    // nothing, at most one byte more than what is left of the limit.
    let mut unpacked = 0u64;
    for i in 0..archive.len() {
        lines.check_time()?;
        let mut part = archive.by_index(i).map_err(bad)?;
        let room = limit - unpacked + 1;
        unpacked += std::io::copy(&mut (&mut part).take(room), &mut std::io::sink())
            .map_err(|e| bad(format!("a part is damaged ({e})")))?;
        if unpacked > limit {
            return Err(too_large);
        }
    }
    Ok(archive)
}

/// The part named `name`, or the first whose name differs only in case
/// (part names are case-insensitive in the package format).
pub(super) fn part<'a, 'b>(
    archive: &'a mut Archive<'b>,
    name: &str,
) -> Result<Option<ZipFile<'a, Cursor<&'b [u8]>>>, TableError> {
    let index = archive.index_for_name(name).or_else(|| {
        (0..archive.len()).find(|&i| {
            archive
                .name_for_index(i)
                .and_then(Result::ok)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    });
    match index {
        Some(i) => archive.by_index(i).map(Some).map_err(bad),
        None => Ok(None),
    }
}

/// A reader configured as calamine configures its own, so that the cell
/// reader sees the events it expects (an empty element is a start and an end).
pub(super) fn xml_reader<R: BufRead>(input: R) -> quick_xml::Reader<R> {
    let mut xml = quick_xml::Reader::from_reader(input);
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// The value of the attribute `name` (e.g. `Target`), or of the first
/// attribute with that local name and a namespace prefix when `prefixed`
/// (`r:id`, whatever the prefix).
pub(super) fn attribute(element: &BytesStart<'_>, name: &str, prefixed: bool) -> Option<String> {
    element.attributes().flatten().find_map(|a| {
        let matches = if prefixed {
            a.key.prefix().is_some() && a.key.local_name().as_ref() == name
        } else {
            a.key.as_ref() == name
        };
        matches
            .then(|| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
            .flatten()
            .map(Cow::into_owned)
    })
}

/// Calls `on` with each start of an element (by local name) of the part
/// until it returns `false` or the part ends. A missing part is no element.
fn each_element(
    archive: &mut Archive<'_>,
    path: &str,
    mut on: impl FnMut(&str, &BytesStart<'_>) -> bool,
) -> Result<(), TableError> {
    let Some(part) = part(archive, path)? else {
        return Ok(());
    };
    let mut xml = xml_reader(std::io::BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(bad)? {
            Event::Start(e) => {
                if !on(e.local_name().as_ref(), &e) {
                    return Ok(());
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// The first worksheet and the shared strings, by the relationships of the
/// package and of its workbook.
pub(super) fn first_sheet(archive: &mut Archive<'_>) -> Result<Parts, TableError> {
    let mut workbook = None;
    each_element(archive, "_rels/.rels", |name, e| {
        if name == "Relationship"
            && attribute(e, "Type", false).is_some_and(|t| t.ends_with("/officeDocument"))
        {
            workbook = attribute(e, "Target", false);
        }
        workbook.is_none()
    })?;
    let workbook = resolve("", &workbook.unwrap_or_else(|| "xl/workbook.xml".into()));
    let mut sheet_id = None;
    each_element(archive, &workbook, |name, e| {
        if name == "sheet" {
            sheet_id = attribute(e, "id", true);
        }
        sheet_id.is_none()
    })?;
    let sheet_id = sheet_id.ok_or_else(|| bad("the file has no worksheet"))?;
    let (folder, file) = workbook
        .rsplit_once('/')
        .map_or(("", workbook.as_str()), |(d, f)| (d, f));
    let folder = if folder.is_empty() {
        String::new()
    } else {
        format!("{folder}/")
    };
    let (mut sheet, mut shared_strings) = (None, None);
    each_element(archive, &format!("{folder}_rels/{file}.rels"), |name, e| {
        if name == "Relationship" {
            let target = attribute(e, "Target", false);
            if attribute(e, "Id", false).as_ref() == Some(&sheet_id) {
                sheet = target;
            } else if attribute(e, "Type", false).is_some_and(|t| t.ends_with("/sharedStrings")) {
                shared_strings = target;
            }
        }
        true
    })?;
    let sheet = sheet.ok_or_else(|| bad(format!("the worksheet {sheet_id} has no part")))?;
    Ok(Parts {
        sheet: resolve(&folder, &sheet),
        shared_strings: shared_strings.map(|s| resolve(&folder, &s)),
    })
}

/// A relationship's target as a part name: relative to `folder` (which ends
/// with `/` or is empty), or from the root when it starts with `/`.
fn resolve(folder: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{folder}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for piece in joined.split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn targets_resolve_relative_to_the_workbook_or_from_the_root() {
        assert_eq!(
            resolve("xl/", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve("xl/", "../other/s.xml"), "other/s.xml");
        assert_eq!(resolve("", "xl/workbook.xml"), "xl/workbook.xml");
    }
}
