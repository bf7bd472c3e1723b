//! Passwords: argon2id with a random salt (the PHC string holds all
//! parameters), and the rules a new password must meet.
//!
//! One hash costs tens of milliseconds and 19 MiB: callers that answer the
//! network use [`verify_on`], which runs it on the bounded CPU pool, never
//! on an async worker, and only after the rate limit has counted the try.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::api::error::ApiError;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

/// Refuses passwords that are too short or too long, naming the field.
pub fn check_new(password: &str, field: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(ApiError::bad_request(
            "passwordTooShort",
            format!("the password needs at least {MIN_LENGTH} characters"),
        )
        .with_field(field));
    }
    if chars > MAX_LENGTH {
        return Err(ApiError::bad_request(
            "passwordTooLong",
            format!("the password may have at most {MAX_LENGTH} characters"),
        )
        .with_field(field));
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal("hashing a password", e))
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Checks `password` against `phc` on the CPU pool; without a hash (no such
/// account, or no password set) against [`dummy_hash`], so that the answer
/// takes as long, and `false`.
pub async fn verify_on(
    cpu: &crate::cpu::CpuPool,
    password: String,
    phc: Option<String>,
) -> Result<bool, crate::cpu::CpuError> {
    cpu.run(move || {
        let ok = verify(&password, phc.as_deref().unwrap_or(dummy_hash()));
        ok && phc.is_some()
    })
    .await
}

/// A hash to verify against when the account does not exist, so that the
/// answer takes as long as for a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("not a password of anybody").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("richtig-lang-genug").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("richtig-lang-genug", &h));
        assert!(!verify("falsch-lang-genug", &h));
        assert!(check_new("kurz", "password").is_err());
    }
}
