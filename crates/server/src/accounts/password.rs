//! Passwords: argon2id with a random salt (the PHC string holds all
//! parameters), and the rules a new password must meet.
//!
//! One hash costs tens of milliseconds and 19 MiB: callers that answer the
//! network use [`verify_on`], which runs it on the bounded CPU pool, never
//! on an async worker, and only after the rate limit has counted the try.
//!
//! The 19 MiB of working memory are reused ([`with_memory`]) rather than
//! allocated and freed for every hash: glibc keeps freed blocks of that
//! size in its per-thread arenas (its mmap threshold rises after the first
//! such free), so 50 hashes, never more than 2 at once, left the process
//! 400 MB larger. Reused, the memory is 19 MiB per hash running at once,
//! which the CPU pool bounds.

use std::sync::Mutex;

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

/// Working memories kept for the next hash; more than this many (hashes
/// that ran at once) are freed after use.
const MEMORIES_KEPT: usize = 16;
static MEMORIES: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `f` with a working memory of `blocks` argon2 blocks, reusing one
/// that an earlier hash left (argon2 writes every block before reading it).
fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    let kept = || MEMORIES.lock().unwrap_or_else(|e| e.into_inner());
    let mut memory = kept().pop().unwrap_or_default();
    memory.resize(blocks, Block::default());
    let result = f(&mut memory);
    let mut kept = kept();
    if kept.len() < MEMORIES_KEPT {
        kept.push(memory);
    }
    result
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`,
/// with argon2id's default cost and a random salt.
pub fn hash(password: &str) -> Result<String, ApiError> {
    let fail = |e: &dyn std::fmt::Display| ApiError::internal("hashing a password", e);
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(|e| fail(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(params.block_count(), |memory| {
        argon.hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut out, memory)
    })
    .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// [`hash`] on the CPU pool, so that setting a password never holds an
/// async worker; a full pool is answered with `serverBusy` (503).
pub async fn hash_on(cpu: &crate::cpu::CpuPool, password: &str) -> Result<String, ApiError> {
    let password = password.to_owned();
    match cpu.run(move || hash(&password)).await {
        Ok(hashed) => hashed,
        Err(crate::cpu::CpuError::Busy) => Err(ApiError::server_busy()),
        Err(e @ crate::cpu::CpuError::Panicked) => Err(ApiError::internal("hashing a password", e)),
    }
}

/// Whether `password` matches the PHC string `phc` (with the algorithm,
/// version and cost written in it; the comparison takes constant time).
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(raw_salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let hashed = with_memory(params.block_count(), |memory| {
        argon.hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut out, memory)
    });
    hashed.is_ok() && Output::new(&out).is_ok_and(|computed| computed == expected)
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
    fn hashes_are_standard_phc_strings_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash("richtig-lang-genug").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"richtig-lang-genug", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"falsch-lang-genug", &parsed)
            .is_err());
        // A hash stored by the crate's own hasher (as before this module
        // reused memory) still verifies.
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"alt-und-lang-genug", &salt)
            .unwrap()
            .to_string();
        assert!(verify("alt-und-lang-genug", &theirs));
        assert!(!verify("alt-und-lang-genu", &theirs));
        for junk in [
            "",
            "$argon2id$",
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ",
            "$md5$x$y",
        ] {
            assert!(!verify("x", junk), "{junk}");
        }
    }

    #[test]
    fn hash_and_verify() {
        let h = hash("richtig-lang-genug").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("richtig-lang-genug", &h));
        assert!(!verify("falsch-lang-genug", &h));
        assert!(check_new("kurz", "password").is_err());
    }
}
