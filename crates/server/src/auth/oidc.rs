//! Login through the state's identity provider: OpenID Connect,
//! authorization code flow with PKCE (the `openidconnect` crate). Claims
//! name the school and the role (claim names configurable). A person
//! without a local account is accepted only as a teacher (or school admin)
//! of a known school whose service is Tafelrunde; the account is then
//! created, active, without a password.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use serde_json::Value;
use sqlx::Row;

use crate::accounts::{self, Account, Role, Status};
use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::schools::{self, Service};
use crate::storage::{self, Db};

/// `[oidc]` in the configuration file; without `issuer`, no such login.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL (its discovery document is below it).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Shown on the login button, e.g. "Landes-Login".
    pub label: String,
    /// Extra scopes to ask for (besides `openid` and `email`).
    pub scopes: Vec<String>,
    /// Claim holding the e-mail address.
    pub email_claim: String,
    /// Claim holding the school's Dienststellennummer.
    pub school_claim: String,
    /// Claim holding the role (a string or a list of strings).
    pub role_claim: String,
    /// Values of `role_claim` that mean teacher.
    pub teacher_roles: Vec<String>,
    /// Values of `role_claim` that mean school admin.
    pub school_admin_roles: Vec<String>,
}

impl Default for OidcConfig {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            label: "Landes-Login".into(),
            scopes: Vec::new(),
            email_claim: "email".into(),
            school_claim: "school".into(),
            role_claim: "role".into(),
            teacher_roles: vec!["teacher".into()],
            school_admin_roles: vec!["schoolAdmin".into()],
        }
    }
}

/// A login on its way through the provider: what the callback needs.
struct Pending {
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    started: Instant,
}

const PENDING_FOR: Duration = Duration::from_secs(600);
const MAX_PENDING: usize = 10_000;

pub struct Oidc {
    config: OidcConfig,
    redirect: String,
    http: openidconnect::reqwest::Client,
    pending: Mutex<HashMap<String, Pending>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.config.issuer)
            .finish_non_exhaustive()
    }
}

fn provider_error(context: &str, e: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %e, "OpenID Connect: {context}");
    ApiError::new(
        axum::http::StatusCode::BAD_GATEWAY,
        "identityProvider",
        format!("the identity provider: {context}"),
    )
}

impl Oidc {
    pub fn new(config: &OidcConfig, public_url: &str) -> Option<Self> {
        if config.issuer.is_empty() {
            return None;
        }
        let http = openidconnect::reqwest::ClientBuilder::new()
            // No redirects: a provider that redirects its endpoints could send us anywhere.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .ok()?;
        let redirect = format!("{}/api/oidc/callback", public_url.trim_end_matches('/'));
        Some(Self {
            config: config.clone(),
            redirect,
            http,
            pending: Mutex::new(HashMap::new()),
        })
    }

    pub fn label(&self) -> &str {
        &self.config.label
    }

    async fn client(
        &self,
    ) -> ApiResult<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
    > {
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| provider_error("issuer URL", e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| provider_error("discovery", e))?;
        let redirect = RedirectUrl::new(self.redirect.clone())
            .map_err(|e| provider_error("redirect URL", e))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser to log in.
    pub async fn start(&self) -> ApiResult<String> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|_, p| p.started.elapsed() < PENDING_FOR);
        // Bounded: a flood of started logins cannot grow it without end.
        if pending.len() >= MAX_PENDING {
            let oldest = pending
                .iter()
                .min_by_key(|(_, p)| p.started)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                pending.remove(&k);
            }
        }
        pending.insert(
            state.secret().clone(),
            Pending {
                nonce,
                verifier,
                started: Instant::now(),
            },
        );
        Ok(url.to_string())
    }

    /// The provider sent the browser back: the verified claims.
    async fn finish(&self, code: &str, state: &str) -> ApiResult<Value> {
        let pending = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(state);
        let pending = pending
            .filter(|p| p.started.elapsed() < PENDING_FOR)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "oidcState",
                    "this login is unknown or took too long; start again",
                )
            })?;
        let client = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| provider_error("token endpoint", e))?
            .set_pkce_verifier(pending.verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| provider_error("code exchange", e))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| provider_error("answer", "no ID token"))?;
        id_token
            .claims(&client.id_token_verifier(), &pending.nonce)
            .map_err(|e| provider_error("ID token", e))?;
        // Verified above; read every claim, whatever their names.
        let jwt = id_token.to_string();
        let payload = jwt
            .split('.')
            .nth(1)
            .ok_or_else(|| provider_error("ID token", "not a JWT"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|e| provider_error("ID token", e))?;
        serde_json::from_slice(&bytes).map_err(|e| provider_error("ID token", e))
    }

    fn role_of(&self, claims: &Value) -> Option<Role> {
        let values: Vec<String> = match claims.get(&self.config.role_claim) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if values
            .iter()
            .any(|v| self.config.school_admin_roles.contains(v))
        {
            Some(Role::SchoolAdmin)
        } else if values.iter().any(|v| self.config.teacher_roles.contains(v)) {
            Some(Role::Teacher)
        } else {
            None
        }
    }

    /// The account the provider vouches for, created when the claims allow it.
    pub async fn login(&self, db: &Db, code: &str, state: &str) -> ApiResult<Account> {
        let claims = self.finish(code, state).await?;
        let subject = format!(
            "{}|{}",
            self.config.issuer,
            claims
                .get("sub")
                .and_then(Value::as_str)
                .unwrap_or_default()
        );
        let email = claims
            .get(&self.config.email_claim)
            .and_then(Value::as_str)
            .and_then(accounts::normalize_email);
        let school = claims.get(&self.config.school_claim).and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_i64().map(|n| n.to_string()))
        });
        let guidance = crate::settings::load(db).await?.guidance_url;
        let row = sqlx::query("SELECT id FROM accounts WHERE oidc_subject = $1 OR (oidc_subject IS NULL AND email = $2)")
            .bind(&subject)
            .bind(email.clone().unwrap_or_default())
            .fetch_optional(db.pool())
            .await?;
        let account = match row {
            Some(r) => accounts::get(db, &r.try_get::<String, _>("id")?)
                .await?
                .ok_or_else(|| ApiError::not_found("account"))?,
            None => {
                let (Some(email), Some(school), Some(role)) =
                    (email, school, self.role_of(&claims))
                else {
                    return Err(ApiError::new(
                        axum::http::StatusCode::FORBIDDEN,
                        "oidcNoAccount",
                        "the identity provider names no school and teacher role for you, and you have no account here",
                    ));
                };
                let found = schools::get(db, &school).await?.ok_or_else(|| {
                    ApiError::new(
                        axum::http::StatusCode::FORBIDDEN,
                        "oidcUnknownSchool",
                        format!("school {school} does not use Tafelrunde"),
                    )
                })?;
                if found.service != Service::Tafelrunde {
                    return Err(ApiError::school_uses_bbb(&school, &guidance));
                }
                return self.create(db, &subject, &email, role, &school).await;
            }
        };
        if let Some(school) = account.school_str() {
            if schools::get(db, school).await?.map(|s| s.service) != Some(Service::Tafelrunde) {
                return Err(ApiError::school_uses_bbb(school, &guidance));
            }
        }
        if account.status == Status::Deactivated {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "deactivated",
                "this account is deactivated; ask your school admin",
            ));
        }
        let mut tx = db.pool().begin().await?;
        sqlx::query("UPDATE accounts SET oidc_subject = $1, status = 'active', activated_at = COALESCE(activated_at, $2) WHERE id = $3")
            .bind(&subject)
            .bind(storage::now())
            .bind(&account.id.0)
            .execute(&mut *tx)
            .await?;
        if account.status == Status::Pending {
            audit::record(
                &mut tx,
                &account.actor(),
                "account.activate",
                account.school_str(),
                Some(&account.email),
                "through the identity provider",
            )
            .await?;
        }
        tx.commit().await?;
        accounts::require(db, &account.id.0).await
    }

    async fn create(
        &self,
        db: &Db,
        subject: &str,
        email: &str,
        role: Role,
        school: &str,
    ) -> ApiResult<Account> {
        let id = crate::auth::token::new_id();
        let now = storage::now();
        let mut tx = db.pool().begin().await?;
        sqlx::query("INSERT INTO accounts (id, email, role, school, status, oidc_subject, created_at, activated_at) VALUES ($1, $2, $3, $4, 'active', $5, $6, $7)")
            .bind(&id)
            .bind(email)
            .bind(role.as_str())
            .bind(school)
            .bind(subject)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let actor = Actor {
            id: Some(id.clone()),
            name: email.to_string(),
        };
        audit::record(
            &mut tx,
            &actor,
            "account.create",
            Some(school),
            Some(email),
            &format!("role {} through the identity provider", role.as_str()),
        )
        .await?;
        tx.commit().await?;
        accounts::require(db, &id).await
    }
}
