//! Login through the state's identity provider: OpenID Connect,
//! authorization code flow with PKCE (the `openidconnect` crate). Claims
//! name the school and the role (claim names configurable). A person
//! without a local account is accepted only as a teacher (or school admin)
//! of a known school whose service is Tafelrunde, with a verified address
//! of an allowed domain; the account is then created, active, without a
//! password.
//!
//! A login is bound to the browser that started it (a cookie, checked at
//! the callback), so nobody can slip their own login into someone else's
//! browser. An existing account is found by the provider's subject, or
//! once by its e-mail address when the provider says it verified that
//! address; an operator's account never. The provider's discovery document
//! is fetched once an hour, not per login.

mod pending;

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use serde_json::Value;
use sqlx::Row;

use crate::accounts::{self, Account, Role, Status};
use crate::api::error::{ApiError, ApiResult};
use crate::audit::{self, Actor};
use crate::auth::token;
use crate::schools::{self, Service};
use crate::storage::{self, Db};
use pending::{Pending, PendingLogins, Refused, Unknown};

/// The cookie that binds a login to the browser that started it.
pub const LOGIN_COOKIE: &str = "tafelrunde_oidc";
/// The discovery document (endpoints, signing keys) is fetched again after this.
const DISCOVERY_FOR: Duration = Duration::from_secs(3600);
/// After a failed discovery, the next try waits this long (logins in the
/// meantime get the error at once, or the last good document).
const DISCOVERY_RETRY: Duration = Duration::from_secs(30);
/// A rejected ID token may be signed with a new key: the keys are fetched
/// again, but not more often than this.
const KEYS_REFRESH: Duration = Duration::from_secs(60);

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

/// The provider's discovery document as last fetched.
struct Discovery {
    metadata: Option<CoreProviderMetadata>,
    fetched: Option<Instant>,
    /// No fetch before this.
    next: Instant,
}

type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

pub struct Oidc {
    config: OidcConfig,
    redirect: String,
    http: openidconnect::reqwest::Client,
    pending: Mutex<PendingLogins>,
    /// Behind an async lock: logins that arrive while it is being fetched
    /// wait for that one fetch instead of each starting their own.
    discovery: tokio::sync::Mutex<Discovery>,
}

/// A login that may start: where to send the browser, and the cookie value
/// that binds the login to it.
pub struct Started {
    pub url: String,
    pub binding: String,
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
        StatusCode::BAD_GATEWAY,
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
            pending: Mutex::new(PendingLogins::default()),
            discovery: tokio::sync::Mutex::new(Discovery {
                metadata: None,
                fetched: None,
                next: Instant::now(),
            }),
        })
    }

    pub fn label(&self) -> &str {
        &self.config.label
    }

    /// The provider's metadata: the cached document, fetched again once it
    /// is older than [`DISCOVERY_FOR`] (or at once with `refresh`, at most
    /// every [`KEYS_REFRESH`]). A failed fetch keeps the last good document.
    async fn metadata(&self, refresh: bool) -> ApiResult<CoreProviderMetadata> {
        let mut d = self.discovery.lock().await;
        let now = Instant::now();
        let stale = d
            .fetched
            .is_none_or(|t| now.duration_since(t) >= DISCOVERY_FOR);
        let forced = refresh
            && d.fetched
                .is_none_or(|t| now.duration_since(t) >= KEYS_REFRESH);
        if (stale || forced) && now >= d.next {
            let issuer = IssuerUrl::new(self.config.issuer.clone())
                .map_err(|e| provider_error("issuer URL", e))?;
            match CoreProviderMetadata::discover_async(issuer, &self.http).await {
                Ok(metadata) => {
                    d.metadata = Some(metadata);
                    d.fetched = Some(now);
                    d.next = now;
                }
                Err(e) => {
                    d.next = now + DISCOVERY_RETRY;
                    if d.metadata.is_none() {
                        return Err(provider_error("discovery", e));
                    }
                    tracing::warn!(error = %e, "OpenID Connect: discovery failed; the last document stays in use");
                }
            }
        }
        d.metadata.clone().ok_or_else(|| {
            provider_error("discovery", "no discovery document yet; retrying shortly")
        })
    }

    async fn client(&self, refresh: bool) -> ApiResult<Client> {
        let metadata = self.metadata(refresh).await?;
        let redirect = RedirectUrl::new(self.redirect.clone())
            .map_err(|e| provider_error("redirect URL", e))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser to log in, for a client of `client`'s
    /// network; refused while that network or the server has too many
    /// logins in progress.
    pub async fn start(&self, client_ip: Option<IpAddr>) -> ApiResult<Started> {
        let provider = self.client(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = provider
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
        let binding = token::new_secret();
        let pending = Pending {
            nonce,
            verifier,
            binding: token::hash(&binding),
            network: crate::client_ip::network_key(client_ip),
            started: Instant::now(),
        };
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(state.secret().clone(), pending)
            .map_err(|refused| match refused {
                Refused::Network => ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "oidcTooMany",
                    "too many logins in progress from your network; try again in a few minutes",
                ),
                Refused::Full => ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "oidcBusy",
                    "too many logins in progress; try again in a few minutes",
                ),
            })?;
        Ok(Started {
            url: url.to_string(),
            binding,
        })
    }

    /// `/api/oidc/login`: off to the provider with the login cookie set, or
    /// back to the login page with the reason (a browser follows either).
    pub async fn start_response(&self, client: Option<IpAddr>, secure: bool) -> Response {
        match self.start(client).await {
            Ok(started) => {
                let mut response = Redirect::to(&started.url).into_response();
                response.headers_mut().insert(
                    axum::http::header::SET_COOKIE,
                    login_cookie(Some(&started.binding), secure),
                );
                response
            }
            Err(e) => Redirect::to(&format!("/login#error={}", e.code)).into_response(),
        }
    }

    /// The provider sent the browser back: the verified claims. `binding`
    /// is the browser's login cookie.
    async fn finish(&self, code: &str, state: &str, binding: Option<&str>) -> ApiResult<Value> {
        let taken = self.pending.lock().unwrap_or_else(|e| e.into_inner()).take(
            state,
            &token::hash(binding.unwrap_or_default()),
            Instant::now(),
        );
        let pending = taken.map_err(|why| {
            let message = match why {
                Unknown::Expired => "this login is unknown or took too long; start again",
                Unknown::OtherBrowser => {
                    "this login was started in another browser; start it again in this one"
                }
            };
            ApiError::bad_request("oidcState", message)
        })?;
        let client = self.client(false).await?;
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
        if id_token
            .claims(&client.id_token_verifier(), &pending.nonce)
            .is_err()
        {
            // Perhaps signed with a key newer than the cached document.
            let fresh = self.client(true).await?;
            id_token
                .claims(&fresh.id_token_verifier(), &pending.nonce)
                .map_err(|e| provider_error("ID token", e))?;
        }
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

    /// The account the provider vouches for, created when the claims allow
    /// it. `headers` are the callback request's (its login cookie).
    pub async fn login(
        &self,
        db: &Db,
        code: &str,
        state: &str,
        headers: &HeaderMap,
    ) -> ApiResult<Account> {
        let binding = crate::cookies::get(headers, LOGIN_COOKIE);
        let claims = self.finish(code, state, binding.as_deref()).await?;
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
        // Providers write it as a boolean, a few as a string.
        let verified = matches!(claims.get("email_verified"), Some(Value::Bool(true)))
            || claims.get("email_verified").and_then(Value::as_str) == Some("true");
        let school = claims.get(&self.config.school_claim).and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_i64().map(|n| n.to_string()))
        });
        let settings = crate::settings::load(db).await?;
        let guidance = settings.guidance_url.clone();
        let mut row = sqlx::query("SELECT id FROM accounts WHERE oidc_subject = $1")
            .bind(&subject)
            .fetch_optional(db.pool())
            .await?;
        // Not linked yet: the e-mail address links, but only one the
        // provider verified (else anyone could name a colleague's), and
        // never to the operator's account.
        if let (None, Some(email), true) = (&row, &email, verified) {
            row = sqlx::query("SELECT id FROM accounts WHERE oidc_subject IS NULL AND email = $1 AND role <> 'operator'")
                .bind(email)
                .fetch_optional(db.pool())
                .await?;
        }
        let account = match row {
            Some(r) => accounts::get(db, &r.try_get::<String, _>("id")?)
                .await?
                .ok_or_else(|| ApiError::not_found("account"))?,
            None => {
                let (Some(email), Some(school), Some(role)) =
                    (email, school, self.role_of(&claims))
                else {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "oidcNoAccount",
                        "the identity provider names no school and teacher role for you, and you have no account here",
                    ));
                };
                let found = schools::get(db, &school).await?.ok_or_else(|| {
                    ApiError::new(
                        StatusCode::FORBIDDEN,
                        "oidcUnknownSchool",
                        format!("school {school} does not use Tafelrunde"),
                    )
                })?;
                if found.service != Service::Tafelrunde {
                    return Err(ApiError::school_uses_bbb(&school, &guidance));
                }
                if !verified {
                    return Err(unverified());
                }
                if !settings.allows(&email) {
                    let domains = settings.allowed_domains.join(", ");
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "domainNotAllowed",
                        format!("{email} is not an address of an allowed domain ({domains})"),
                    ));
                }
                if accounts::by_email(db, &email).await?.is_some() {
                    return Err(ApiError::conflict(
                        "emailTaken",
                        format!("there is already an account for {email}, linked to another login or the operator's"),
                    ));
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
                StatusCode::FORBIDDEN,
                "deactivated",
                "this account is deactivated; ask your school admin",
            ));
        }
        let mut tx = db.begin().await?;
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
        let mut tx = db.begin().await?;
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

fn unverified() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "oidcEmailUnverified",
        "the identity provider has not verified your e-mail address, so it cannot name your account here",
    )
}

/// The `Set-Cookie` value of the login cookie: only sent to `/api/oidc`,
/// SameSite=Lax because the provider's redirect back is a cross-site
/// navigation; `None` deletes it.
pub fn login_cookie(binding: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let (value, age) = match binding {
        Some(b) => (b, pending::PENDING_FOR.as_secs()),
        None => ("", 0),
    };
    HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={value}; Path=/api/oidc; HttpOnly; SameSite=Lax; Max-Age={age}{secure}"
    ))
    .expect("cookie is ASCII")
}
