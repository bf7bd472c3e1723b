//! Who is asking: login sessions in cookies, CSRF protection, known
//! devices (for the login limits, see `crate::limits`), one-time links, and
//! login through the state's identity provider (OpenID Connect).

pub mod known_device;
pub mod oidc;
pub mod onetime;
pub mod session;
pub mod token;
