//! Data protection built in: the documents every school needs (GDPR Art. 13
//! information, usage policies, the Art. 30 record entry, the technical and
//! organisational measures), generated in German from the school's data, the
//! operator's template values and the running configuration; each school's
//! checklist; a person's export and deletion of their own data.
//!
//! The documents are built once as a neutral [`document::Doc`] and rendered
//! to printable HTML ([`html`]) and to PDF ([`pdf`]), so both always say the
//! same.

pub mod checklist;
pub mod document;
pub mod erase;
pub mod export;
pub mod facts;
pub mod html;
pub mod kinds;
pub mod pages;
pub mod pdf;
pub mod template;
mod texts_info;
mod texts_policy;
mod texts_records;

use crate::api::error::{ApiError, ApiResult};
use crate::app::AppState;
use crate::auth::session::control;

/// One of a school's documents, with today's settings and template.
pub async fn generate(
    state: &AppState,
    school: &str,
    kind: kinds::DocKind,
) -> ApiResult<document::Doc> {
    let c = control(state)?;
    let school = crate::schools::get(&c.db, school)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("school {school}")))?;
    let settings = crate::settings::load(&c.db).await?;
    let template = template::load(&c.db).await?;
    let facts = facts::Facts::from_state(state, &settings);
    let ctx = document::Ctx {
        school: &school,
        template: &template,
        facts: &facts,
        date: document::today(),
    };
    Ok(document::build(kind, &ctx))
}
