//! Who is asking: login sessions in cookies, CSRF protection, the login
//! rate limit, one-time links, and login through the state's identity
//! provider (OpenID Connect).

pub mod limiter;
pub mod oidc;
pub mod onetime;
pub mod session;
pub mod token;
