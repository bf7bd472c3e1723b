//! An account's life: first-start setup of the operator, activation,
//! deactivation, reactivation, deletion, new links, password reset.

use sqlx::Row;

use super::{from_row, get, may_manage, password, require, Account, Status, COLUMNS};
use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::auth::onetime::{self, Purpose};
use crate::cpu::CpuPool;
use crate::schools::{self, Service};
use crate::storage::{self, Db};

fn bad_link() -> ApiError {
    ApiError::bad_request(
        "invalidLink",
        "this link is unknown, used or expired; ask for a new one",
    )
    .with_field("token")
}

/// With no operator yet: a new setup link (printed at start).
pub async fn setup_link(db: &Db, public_url: &str) -> ApiResult<Option<String>> {
    if super::operator_exists(db).await? {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let secret = onetime::issue(&mut tx, Purpose::Setup, None).await?;
    tx.commit().await?;
    Ok(Some(onetime::link(public_url, Purpose::Setup, &secret)))
}

/// The hash of `new_password`, made on the CPU pool once `secret` is known
/// to be a live link of `purpose` — outside the write transaction, which
/// would otherwise hold SQLite's write lock for the whole hash. The caller
/// checks the link again in its transaction (it may be used meanwhile).
async fn hash_for_link(
    db: &Db,
    cpu: &CpuPool,
    purpose: Purpose,
    secret: &str,
    new_password: &str,
) -> ApiResult<String> {
    let mut tx = db.pool().begin().await?;
    let live = onetime::peek(&mut tx, purpose, secret).await?.is_some();
    drop(tx);
    if !live {
        return Err(bad_link());
    }
    password::hash_on(cpu, new_password).await
}

/// Creates the first operator with the setup token; the token dies with it.
pub async fn complete_setup(
    db: &Db,
    cpu: &CpuPool,
    secret: &str,
    email: &str,
    new_password: &str,
) -> ApiResult<Account> {
    let email = super::normalize_email(email)
        .ok_or_else(|| ApiError::field("email", "not an e-mail address"))?;
    password::check_new(new_password, "password")?;
    let password_hash = hash_for_link(db, cpu, Purpose::Setup, secret, new_password).await?;
    let mut tx = db.begin().await?;
    if onetime::peek(&mut tx, Purpose::Setup, secret)
        .await?
        .is_none()
        || super::operator_exists(db).await?
    {
        return Err(bad_link());
    }
    let id = crate::auth::token::new_id();
    let now = storage::now();
    sqlx::query("INSERT INTO accounts (id, email, role, status, password_hash, created_at, activated_at) VALUES ($1, $2, 'operator', 'active', $3, $4, $5)")
        .bind(&id)
        .bind(&email)
        .bind(&password_hash)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    onetime::consume(&mut tx, secret).await?;
    audit::record(
        &mut tx,
        &Actor::system(),
        "setup.operator",
        None,
        Some(&email),
        "first operator created with the setup link",
    )
    .await?;
    tx.commit().await?;
    require(db, &id).await
}

/// Refuses when the account's school uses BigBlueButton.
async fn check_school(db: &Db, account: &Account, guidance: &str) -> ApiResult<()> {
    if let Some(school) = account.school_str() {
        let service = schools::get(db, school).await?.map(|s| s.service);
        if service != Some(Service::Tafelrunde) {
            return Err(ApiError::school_uses_bbb(school, guidance));
        }
    }
    Ok(())
}

/// Sets the password of a pending account with its activation token.
pub async fn activate(
    db: &Db,
    cpu: &CpuPool,
    secret: &str,
    new_password: &str,
) -> ApiResult<Account> {
    password::check_new(new_password, "password")?;
    let mut tx = db.begin().await?;
    let Some(Some(id)) = onetime::peek(&mut tx, Purpose::Activation, secret).await? else {
        return Err(bad_link());
    };
    drop(tx);
    let account = get(db, &id).await?.ok_or_else(bad_link)?;
    let guidance = crate::settings::load(db).await?.guidance_url;
    check_school(db, &account, &guidance).await?;
    if account.status != Status::Pending {
        return Err(ApiError::conflict(
            "notPending",
            "this account was already activated or is deactivated",
        ));
    }
    let password_hash = password::hash_on(cpu, new_password).await?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1, status = 'active', activated_at = $2 WHERE id = $3 AND status = 'pending'")
        .bind(&password_hash)
        .bind(storage::now())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    onetime::consume(&mut tx, secret).await?;
    audit::record(
        &mut tx,
        &account.actor(),
        "account.activate",
        account.school_str(),
        Some(&account.email),
        "activated",
    )
    .await?;
    tx.commit().await?;
    require(db, &id).await
}

/// Logs `action` on account `t` within the change's transaction.
async fn audit_on(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Account,
    action: &str,
    t: &Account,
    detail: &str,
) -> Result<(), sqlx::Error> {
    audit::record(
        tx,
        &actor.actor(),
        action,
        t.school_str(),
        Some(&t.email),
        detail,
    )
    .await
}

/// The account `actor` wants to change, if allowed to.
async fn target(db: &Db, actor: &Account, id: &str) -> ApiResult<Account> {
    let target = get(db, id).await?;
    match target {
        Some(t) if may_manage(actor, &t) => Ok(t),
        // A school admin learns nothing about accounts of other schools.
        _ => Err(ApiError::not_found("account")),
    }
}

pub async fn deactivate(db: &Db, actor: &Account, id: &str) -> ApiResult<Account> {
    let t = target(db, actor, id).await?;
    if t.id == actor.id {
        return Err(ApiError::conflict(
            "ownAccount",
            "you cannot deactivate your own account",
        ));
    }
    let mut tx = db.begin().await?;
    // The retention period for deactivated accounts counts from now.
    sqlx::query("UPDATE accounts SET status = 'deactivated', deactivated_at = $1 WHERE id = $2")
        .bind(storage::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit_on(
        &mut tx,
        actor,
        "account.deactivate",
        &t,
        "deactivated; sessions ended",
    )
    .await?;
    tx.commit().await?;
    require(db, id).await
}

pub async fn reactivate(db: &Db, actor: &Account, id: &str) -> ApiResult<Account> {
    let t = target(db, actor, id).await?;
    let guidance = crate::settings::load(db).await?.guidance_url;
    check_school(db, &t, &guidance).await?;
    let mut tx = db.begin().await?;
    let has_password = sqlx::query("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get::<Option<String>, _>("password_hash")?
        .is_some();
    let status = if has_password {
        Status::Active
    } else {
        Status::Pending
    };
    sqlx::query("UPDATE accounts SET status = $1, deactivated_at = NULL WHERE id = $2")
        .bind(status.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit_on(&mut tx, actor, "account.reactivate", &t, status.as_str()).await?;
    tx.commit().await?;
    require(db, id).await
}

/// Deletes the account with its sessions, tokens and rooms.
pub async fn delete(db: &Db, actor: &Account, id: &str) -> ApiResult<()> {
    let t = target(db, actor, id).await?;
    if t.id == actor.id {
        return Err(ApiError::conflict(
            "ownAccount",
            "you cannot delete your own account",
        ));
    }
    let mut tx = db.begin().await?;
    for table in ["sessions", "tokens"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM rooms WHERE owner = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit_on(&mut tx, actor, "account.delete", &t, "deleted").await?;
    tx.commit().await?;
    Ok(())
}

/// A new link for the account: activation while pending, else password reset.
pub async fn new_link(db: &Db, public_url: &str, actor: &Account, id: &str) -> ApiResult<String> {
    let t = target(db, actor, id).await?;
    let guidance = crate::settings::load(db).await?.guidance_url;
    check_school(db, &t, &guidance).await?;
    let purpose = match t.status {
        Status::Pending => Purpose::Activation,
        Status::Active => Purpose::Reset,
        Status::Deactivated => {
            return Err(ApiError::conflict(
                "deactivated",
                "reactivate the account first",
            ))
        }
    };
    let mut tx = db.begin().await?;
    let secret = onetime::issue(&mut tx, purpose, Some(id)).await?;
    let action = if purpose == Purpose::Activation {
        "account.activationLink"
    } else {
        "account.resetLink"
    };
    audit_on(&mut tx, actor, action, &t, "new link issued").await?;
    tx.commit().await?;
    Ok(onetime::link(public_url, purpose, &secret))
}

/// A reset link for an active account found by address (to be mailed), or
/// None; the caller answers the same either way.
pub async fn reset_link_for(db: &Db, public_url: &str, email: &str) -> ApiResult<Option<String>> {
    let Some((account, _)) = super::by_email(db, email).await? else {
        return Ok(None);
    };
    let guidance = crate::settings::load(db).await?.guidance_url;
    if account.status != Status::Active || check_school(db, &account, &guidance).await.is_err() {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let secret = onetime::issue(&mut tx, Purpose::Reset, Some(&account.id.0)).await?;
    tx.commit().await?;
    Ok(Some(onetime::link(public_url, Purpose::Reset, &secret)))
}

/// Sets a new password with a reset token; every session of the account ends.
pub async fn reset_password(
    db: &Db,
    cpu: &CpuPool,
    secret: &str,
    new_password: &str,
) -> ApiResult<Account> {
    password::check_new(new_password, "password")?;
    let password_hash = hash_for_link(db, cpu, Purpose::Reset, secret, new_password).await?;
    let mut tx = db.begin().await?;
    let Some(Some(id)) = onetime::peek(&mut tx, Purpose::Reset, secret).await? else {
        return Err(bad_link());
    };
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?;
    let account = row
        .as_ref()
        .map(from_row)
        .transpose()?
        .ok_or_else(bad_link)?;
    if account.status != Status::Active {
        return Err(bad_link());
    }
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(&password_hash)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    onetime::consume(&mut tx, secret).await?;
    audit_on(
        &mut tx,
        &account,
        "account.passwordReset",
        &account,
        "password set; sessions ended",
    )
    .await?;
    tx.commit().await?;
    let guidance = crate::settings::load(db).await?.guidance_url;
    check_school(db, &account, &guidance).await?;
    Ok(account)
}
