//! Importing the state's school list. Every row is checked before anything
//! is written; one bad row refuses the whole import, reported by line and
//! reason. Reading and checking ([`parse`]) is CPU work for the CPU pool,
//! within the limits of `crate::tables`. A valid list is applied in one
//! transaction ([`apply`]): new schools are added, known ones updated
//! (never duplicated). A school's service follows
//! the column "itslearning beantragt" when the school is new or the column
//! changed; otherwise the operator's last decision stays.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use super::{SchoolId, Service};
use crate::api::error::{ApiError, ApiResult, Problem};
use crate::audit::{self, Actor};
use crate::storage::{self, get_bool, Db};
use crate::tables::Table;

/// One valid row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolRow {
    pub line: usize,
    pub id: SchoolId,
    pub name: String,
    pub kind: String,
    pub town: String,
    pub itslearning: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Schools that now use BigBlueButton (their sessions end).
    pub switched_to_bigbluebutton: Vec<String>,
    /// Schools that now use Tafelrunde.
    pub switched_to_tafelrunde: Vec<String>,
}

const MAX_TEXT: usize = 200;
/// At most this many problems are listed; the first is also the error's line.
const MAX_PROBLEMS: usize = 50;

/// Checks every row; returns them all, or every problem found.
pub fn parse(bytes: &[u8]) -> ApiResult<Vec<SchoolRow>> {
    let table = Table::read(bytes)?;
    let col = |names: &[&str], label: &str| {
        table.column(names).ok_or_else(|| {
            ApiError::bad_request(
                "missingColumn",
                format!("the header line has no column \"{label}\""),
            )
            .at_line(table.header.number)
            .with_field(label)
        })
    };
    let c_id = col(
        &["Dienststellennummer", "Dienststellen-Nr", "DSTNR"],
        "Dienststellennummer",
    )?;
    let c_name = col(&["Name", "Schulname"], "Name")?;
    let c_kind = col(&["Schulart"], "Schulart")?;
    let c_town = col(&["Ort"], "Ort")?;
    let c_its = col(
        &["itslearning beantragt", "itslearning"],
        "itslearning beantragt",
    )?;

    let mut rows = Vec::with_capacity(table.rows.len());
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in &table.rows {
        let mut problem = |field: &str, code: &'static str, message: String| {
            problems.push(Problem {
                line: line.number,
                field: Some(field.into()),
                code,
                message,
            });
        };
        let raw_id = line.cell(c_id);
        let id = SchoolId::parse(raw_id);
        if id.is_none() {
            let shown = if raw_id.is_empty() {
                "empty".to_string()
            } else {
                format!("{raw_id:?}")
            };
            problem(
                "Dienststellennummer",
                "badSchoolNumber",
                format!("Dienststellennummer is {shown}; it must be 4 to 10 digits"),
            );
        }
        if let Some(id) = &id {
            if let Some(first) = seen.insert(id.0.clone(), line.number) {
                problem(
                    "Dienststellennummer",
                    "duplicateSchool",
                    format!("Dienststellennummer {id} is already in line {first}"),
                );
            }
        }
        let mut text = |index: usize, field: &str| {
            let value = line.cell(index).to_string();
            if value.is_empty() {
                problem(field, "missingValue", format!("{field} is empty"));
            } else if value.chars().count() > MAX_TEXT || value.chars().any(char::is_control) {
                problem(
                    field,
                    "badValue",
                    format!(
                        "{field} is longer than {MAX_TEXT} characters or holds control characters"
                    ),
                );
            }
            value
        };
        let (name, kind, town) = (
            text(c_name, "Name"),
            text(c_kind, "Schulart"),
            text(c_town, "Ort"),
        );
        let its = parse_yes_no(line.cell(c_its));
        if its.is_none() {
            problems.push(Problem {
                line: line.number,
                field: Some("itslearning beantragt".into()),
                code: "badYesNo",
                message: format!(
                    "itslearning beantragt is {:?}; it must be ja or nein",
                    line.cell(c_its)
                ),
            });
        }
        if let (Some(id), Some(itslearning)) = (id, its) {
            rows.push(SchoolRow {
                line: line.number,
                id,
                name,
                kind,
                town,
                itslearning,
            });
        }
    }
    if let Some(first) = problems.first() {
        let mut error = ApiError::bad_request(
            first.code,
            format!("line {}: {}", first.line, first.message),
        )
        .at_line(first.line);
        error.field = first.field.clone();
        problems.truncate(MAX_PROBLEMS);
        error.problems = problems;
        return Err(error);
    }
    if rows.is_empty() {
        return Err(ApiError::bad_request(
            "emptyFile",
            "the list has a header but no schools",
        ));
    }
    Ok(rows)
}

fn parse_yes_no(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "ja" | "j" | "yes" | "y" | "true" | "wahr" | "1" | "x" => Some(true),
        "nein" | "n" | "no" | "false" | "falsch" | "0" => Some(false),
        _ => None,
    }
}

/// Applies the rows of a list ([`parse`]) in one transaction; nothing is
/// written when anything fails.
pub async fn apply(db: &Db, actor: &Actor, rows: Vec<SchoolRow>) -> ApiResult<ImportReport> {
    let now = storage::now();
    let mut report = ImportReport {
        rows: rows.len(),
        ..Default::default()
    };
    let mut tx = db.begin().await?;
    for row in &rows {
        let existing = sqlx::query(
            "SELECT name, kind, town, itslearning, service FROM schools WHERE number = $1",
        )
        .bind(&row.id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let derived = Service::from_itslearning(row.itslearning);
        match existing {
            None => {
                sqlx::query("INSERT INTO schools (number, name, kind, town, itslearning, service, service_reason, service_changed_at, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(&row.id.0)
                    .bind(&row.name)
                    .bind(&row.kind)
                    .bind(&row.town)
                    .bind(i64::from(row.itslearning))
                    .bind(derived.as_str())
                    .bind("Schulliste")
                    .bind(now)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                report.created += 1;
            }
            Some(old) => {
                let old_its = get_bool(&old, "itslearning");
                let old_service: String = old.try_get("service")?;
                let same = old.try_get::<String, _>("name")? == row.name
                    && old.try_get::<String, _>("kind")? == row.kind
                    && old.try_get::<String, _>("town")? == row.town
                    && old_its == row.itslearning;
                if same {
                    report.unchanged += 1;
                    continue;
                }
                sqlx::query("UPDATE schools SET name = $1, kind = $2, town = $3, itslearning = $4, imported_at = $5 WHERE number = $6")
                    .bind(&row.name)
                    .bind(&row.kind)
                    .bind(&row.town)
                    .bind(i64::from(row.itslearning))
                    .bind(now)
                    .bind(&row.id.0)
                    .execute(&mut *tx)
                    .await?;
                if old_its != row.itslearning && old_service != derived.as_str() {
                    sqlx::query("UPDATE schools SET service = $1, service_reason = $2, service_changed_at = $3 WHERE number = $4")
                        .bind(derived.as_str())
                        .bind("Schulliste: itslearning beantragt geändert")
                        .bind(now)
                        .bind(&row.id.0)
                        .execute(&mut *tx)
                        .await?;
                    let detail = format!("{old_service} -> {} (school list)", derived.as_str());
                    audit::record(
                        &mut tx,
                        actor,
                        "school.service",
                        Some(&row.id.0),
                        Some(&row.id.0),
                        &detail,
                    )
                    .await?;
                    if derived == Service::Bigbluebutton {
                        report.switched_to_bigbluebutton.push(row.id.0.clone());
                    } else {
                        report.switched_to_tafelrunde.push(row.id.0.clone());
                    }
                }
                report.updated += 1;
            }
        }
    }
    let detail = format!(
        "{} rows: {} new, {} updated, {} unchanged",
        report.rows, report.created, report.updated, report.unchanged
    );
    audit::record(&mut tx, actor, "schools.import", None, None, &detail).await?;
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Dienststellennummer;Name;Schulart;Ort;itslearning beantragt\n";

    #[test]
    fn valid_rows() {
        let rows = parse(format!("{HEADER}1234567;Schule am See;Grundschule;Kiel;nein\n7654321;Gymnasium Nord;Gymnasium;Lübeck;ja\n").as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[1].itslearning);
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn every_bad_row_is_named_by_line() {
        let csv = format!(
            "{HEADER}1234567;A;GS;Kiel;nein\n12ab;B;GS;Kiel;nein\n1234567;C;GS;Kiel;vielleicht\n"
        );
        let err = parse(csv.as_bytes()).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert_eq!(err.code, "badSchoolNumber");
        let lines: Vec<(usize, &str)> = err.problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            lines,
            vec![
                (3, "badSchoolNumber"),
                (4, "duplicateSchool"),
                (4, "badYesNo")
            ]
        );
    }

    #[test]
    fn missing_column_is_named() {
        let err = parse(b"Dienststellennummer;Name;Ort\n1234567;A;Kiel\n").unwrap_err();
        assert_eq!(
            (err.code, err.line, err.field.as_deref()),
            ("missingColumn", Some(1), Some("Schulart"))
        );
    }
}
