//! Deleting a person's account with everything that hangs on it: sessions,
//! one-time links and rooms. Used by the retention job (deactivated accounts
//! past their period) and by a person deleting their own account.

use crate::accounts::{Account, Role};
use crate::api::error::{ApiError, ApiResult};
use crate::audit;
use crate::storage::Db;

/// Deletes the rows of account `id` inside `tx`; false when it did not exist.
pub async fn delete_account_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
) -> Result<bool, sqlx::Error> {
    for table in ["sessions", "tokens"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM rooms WHERE owner = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let gone = sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(gone > 0)
}

/// A teacher or school admin deletes their own account; they must type
/// their address to confirm. Operators cannot (the service needs one; another
/// operator deletes them).
pub async fn delete_own(db: &Db, account: &Account, confirm_email: &str) -> ApiResult<()> {
    if account.role == Role::Operator {
        return Err(ApiError::forbidden());
    }
    if confirm_email.trim().to_lowercase() != account.email {
        return Err(ApiError::field(
            "email",
            "type your own e-mail address to confirm the deletion",
        ));
    }
    let mut tx = db.begin().await?;
    delete_account_rows(&mut tx, &account.id.0).await?;
    audit::record(
        &mut tx,
        &account.actor(),
        "account.deleteOwn",
        account.school_str(),
        Some(&account.email),
        "deleted their own account with its rooms and sessions",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
