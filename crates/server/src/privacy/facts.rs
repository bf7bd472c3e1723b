//! What the documents state about the running service, read from the
//! configuration and the settings rather than written by hand: so a change
//! of a retention period or of the TURN server changes the documents too.

use crate::app::AppState;
use crate::settings::Settings;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The address people reach the service at.
    pub public_url: String,
    /// Reached over https (TLS at the server or at its reverse proxy).
    pub tls: bool,
    /// Host names of the configured TURN servers (empty: none).
    pub turn_hosts: Vec<String>,
    /// The identity provider's label when login through it is configured.
    pub oidc: Option<String>,
    /// Mail is sent (SMTP configured).
    pub smtp: bool,
    pub log_days: i64,
    pub audit_days: i64,
    pub helpdesk_days: i64,
    pub account_days: i64,
    /// Hours a login session lasts at most.
    pub session_hours: i64,
}

impl Facts {
    pub fn from_state(state: &AppState, settings: &Settings) -> Self {
        let control = state.control.as_deref();
        let public_url = control.map(|c| c.public_url.clone()).unwrap_or_default();
        let mut turn_hosts: Vec<String> = state
            .turn
            .urls
            .iter()
            .filter_map(|u| turn_host(u))
            .collect();
        turn_hosts.dedup();
        Self {
            tls: public_url.starts_with("https://"),
            public_url,
            turn_hosts,
            oidc: control
                .and_then(|c| c.oidc.as_ref())
                .map(|o| o.label().to_string()),
            smtp: control.is_some_and(|c| c.mailer.is_some()),
            log_days: settings.log_retention_days,
            audit_days: settings.audit_retention_days,
            helpdesk_days: settings.helpdesk_retention_days,
            account_days: settings.deactivated_account_retention_days,
            session_hours: crate::auth::session::LIFETIME_SECS / 3600,
        }
    }
}

/// `turn:host:port?transport=tcp` → `host`.
fn turn_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("turns:")
        .or_else(|| url.strip_prefix("turn:"))?;
    let rest = rest.split('?').next()?;
    let host = if let Some(v6) = rest.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        rest.rsplit_once(':').map_or(rest, |(h, _)| h)
    };
    (!host.is_empty()).then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn turn_hosts() {
        assert_eq!(
            super::turn_host("turn:turn.example.org:3478?transport=tcp").as_deref(),
            Some("turn.example.org")
        );
        assert_eq!(super::turn_host("turns:[::1]:5349").as_deref(), Some("::1"));
        assert_eq!(super::turn_host("stun:x"), None);
    }
}
