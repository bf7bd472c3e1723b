//! Outgoing mail (activation and reset links), only when SMTP is configured
//! (`lettre`). Without it, links are shown to the admin who created the
//! account, to be handed out. A mail's body holds a link: it is never logged.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

/// `[smtp]` in the configuration file.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// Mail server host; empty: no mail is sent.
    pub host: String,
    /// Default: 587 (starttls), 465 (tls), 25 (none).
    pub port: Option<u16>,
    /// `starttls` (default), `tls` (implicit, port 465) or `none` (a relay on
    /// the same machine only).
    pub security: String,
    pub username: String,
    pub password: String,
    /// Sender, e.g. `Tafelrunde <noreply@example.org>`.
    pub from: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: None,
            security: "starttls".into(),
            username: String::new(),
            password: String::new(),
            from: String::new(),
        }
    }
}

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// None without `smtp.host`; an error names what is wrong in the settings.
    pub fn new(config: &SmtpConfig) -> Result<Option<Self>, String> {
        if config.host.is_empty() {
            return Ok(None);
        }
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("smtp.from {:?} is not an address: {e}", config.from))?;
        let mut builder = match config.security.as_str() {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(|e| format!("smtp.host: {e}"))?,
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| format!("smtp.host: {e}"))?,
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            other => {
                return Err(format!(
                    "smtp.security must be starttls, tls or none, not {other:?}"
                ))
            }
        };
        if let Some(port) = config.port {
            builder = builder.port(port);
        }
        if !config.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                config.username.clone(),
                config.password.clone(),
            ));
        }
        Ok(Some(Self {
            transport: builder.build(),
            from,
        }))
    }

    /// Sends a plain-text mail; returns whether the server took it.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> bool {
        let Ok(to) = to.parse::<Mailbox>() else {
            return false;
        };
        let message = match Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
        {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "cannot build a mail");
                return false;
            }
        };
        match self.transport.send(message).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = %e, "sending a mail failed; the link must be handed out by the admin");
                false
            }
        }
    }
}
