//! The control plane's shared parts: the database, the in-memory copy of
//! the one-service-per-school rule, the rate limits, and where links
//! point to. One per server, in [`crate::app::AppState::control`].

use std::sync::Arc;

use crate::schools::rule::BbbSchools;
use crate::storage::{Db, StorageError};

/// Background mail jobs at once (see [`Control::mail_jobs`]).
pub const MAIL_JOBS: usize = 32;

#[derive(Debug)]
pub struct Control {
    pub db: Db,
    /// Schools on BigBlueButton, for the signaling `join` check.
    pub bbb: BbbSchools,
    /// Every rate limit: logins, room passwords, helpdesk, password resets.
    pub limits: crate::limits::Limits,
    /// Password-reset mails prepared and sent in the background (so that the
    /// answer takes as long for a known as for an unknown address): at most
    /// [`MAIL_JOBS`] at once, beyond that a request is answered 503.
    pub mail_jobs: Arc<tokio::sync::Semaphore>,
    /// Base of every link handed out (setup, activation, reset), e.g.
    /// `https://tafelrunde.example.org`.
    pub public_url: String,
    /// Whether cookies get the `Secure` attribute (the service is reached over https).
    pub secure_cookies: bool,
    /// Outgoing mail, when SMTP is configured.
    pub mailer: Option<crate::mail::Mailer>,
    /// Login through the state's identity provider, when configured.
    pub oidc: Option<crate::auth::oidc::Oidc>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::client_ip::TrustedProxies,
    /// Whether rooms other than school rooms exist (`[rooms] open`).
    pub open_rooms: bool,
    /// Signaling sockets open at once per client network (`[http] sockets_per_network`).
    pub sockets_per_network: usize,
}

impl Control {
    pub async fn open(
        database_url: &str,
        public_url: &str,
        mailer: Option<crate::mail::Mailer>,
    ) -> Result<Self, StorageError> {
        let db = Db::open(database_url).await?;
        let bbb = BbbSchools::default();
        bbb.reload(&db).await?;
        let public_url = public_url.trim_end_matches('/').to_string();
        Ok(Self {
            db,
            bbb,
            limits: Default::default(),
            mail_jobs: Arc::new(tokio::sync::Semaphore::new(MAIL_JOBS)),
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            mailer,
            oidc: None,
            trusted_proxies: Default::default(),
            open_rooms: false,
            sockets_per_network: crate::signaling::MAX_SOCKETS_PER_NETWORK,
        })
    }

    /// After any change of schools: the rule's in-memory copy follows.
    pub async fn schools_changed(&self) {
        if let Err(e) = self.bbb.reload(&self.db).await {
            tracing::error!(error = %e, "reloading the schools on BigBlueButton failed");
        }
    }
}
