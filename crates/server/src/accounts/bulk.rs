//! Many teacher accounts at once, from a list of official school e-mail
//! addresses (CSV or XLSX with a column "E-Mail"). Every address is checked
//! first; one bad line refuses the whole list, named by line and reason.
//!
//! [`may_upload`] comes first, then the caller reads the list on the CPU
//! pool (`crate::tables`), then [`create_teachers`]: nobody gets a file
//! read who may not use it.

use std::collections::HashMap;

use super::{may_create, normalize_email, Account, Invitation, Role};
use crate::api::error::{ApiError, ApiResult, Problem};
use crate::auth::onetime::{self, Purpose};
use crate::schools::{self, Service};
use crate::settings::Settings;
use crate::storage::Db;
use crate::tables::Table;

/// May `actor` create teachers of `school` from a list? The settings, when so.
pub async fn may_upload(db: &Db, actor: &Account, school: &str) -> ApiResult<Settings> {
    if !may_create(actor, Role::Teacher, Some(school)) {
        return Err(ApiError::forbidden());
    }
    let settings = crate::settings::load(db).await?;
    let found = schools::get(db, school)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("school {school}")))?;
    if found.service == Service::Bigbluebutton {
        return Err(ApiError::school_uses_bbb(school, &settings.guidance_url));
    }
    Ok(settings)
}

/// The accounts of every address of `table` (read from an upload), all or none.
pub async fn create_teachers(
    db: &Db,
    public_url: &str,
    actor: &Account,
    school: &str,
    table: Table,
) -> ApiResult<Vec<Invitation>> {
    let settings = may_upload(db, actor, school).await?;
    let mut lines = table.rows.clone();
    let column = match table.column(&[
        "E-Mail",
        "EMail",
        "Mail",
        "E-Mail-Adresse",
        "Adresse",
        "Email address",
    ]) {
        Some(c) => c,
        // A bare list of addresses without a header line.
        None if normalize_email(table.header.cell(0)).is_some() => {
            lines.insert(0, table.header.clone());
            0
        }
        None => {
            return Err(ApiError::bad_request(
                "missingColumn",
                "the header line has no column \"E-Mail\"",
            )
            .at_line(table.header.number)
            .with_field("E-Mail"))
        }
    };
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut emails = Vec::new();
    for line in &lines {
        let raw = line.cell(column);
        let mut problem = |code, message: String| {
            problems.push(Problem {
                line: line.number,
                field: Some("E-Mail".into()),
                code,
                message,
            })
        };
        let Some(email) = normalize_email(raw) else {
            problem("badEmail", format!("{raw:?} is not an e-mail address"));
            continue;
        };
        if !settings.allows(&email) {
            problem(
                "domainNotAllowed",
                format!(
                    "{email} is not in an allowed domain ({})",
                    settings.allowed_domains.join(", ")
                ),
            );
        } else if let Some(first) = seen.insert(email.clone(), line.number) {
            problem(
                "duplicateEmail",
                format!("{email} is already in line {first}"),
            );
        } else if super::by_email(db, &email).await?.is_some() {
            problem(
                "emailTaken",
                format!("there is already an account for {email}"),
            );
        } else {
            emails.push(email);
        }
    }
    if let Some(first) = problems.first() {
        let mut error = ApiError::bad_request(
            first.code,
            format!("line {}: {}", first.line, first.message),
        )
        .at_line(first.line)
        .with_field("E-Mail");
        problems.truncate(50);
        error.problems = problems;
        return Err(error);
    }
    if emails.is_empty() {
        return Err(ApiError::bad_request(
            "emptyFile",
            "the list holds no addresses",
        ));
    }
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(emails.len());
    for email in emails {
        let (account, secret) =
            super::insert_pending(&mut tx, &actor.actor(), &email, Role::Teacher, Some(school))
                .await?;
        out.push(Invitation {
            account,
            activation_link: onetime::link(public_url, Purpose::Activation, &secret),
        });
    }
    tx.commit().await?;
    Ok(out)
}
