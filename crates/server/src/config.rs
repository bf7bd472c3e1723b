//! Configuration: built-in defaults, then a TOML file, then environment
//! variables and command-line flags (the last one wins).

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

/// Everything `tafelrunde serve` can be told.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub http: HttpConfig,
    pub media: MediaSection,
    pub turn: crate::turn::TurnConfig,
    pub log: LogConfig,
    pub storage: StorageConfig,
    pub accounts: AccountsConfig,
    pub smtp: crate::mail::SmtpConfig,
    pub oidc: crate::auth::oidc::OidcConfig,
    pub rooms: RoomsConfig,
}

/// Which rooms exist, and how long an owner's role outlives a dropped connection.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RoomsConfig {
    /// Rooms whose name is not `Dienststellennummer-Lerngruppe-Kürzel` of a
    /// known school may be opened by anyone (the first one in is owner).
    /// Meant for trials and development.
    pub open: bool,
    /// Seconds a room keeps its owner's role after the owner's connection dropped.
    pub owner_grace: u64,
    /// Seconds a participant whose connection dropped keeps their place in
    /// the room (and can resume) before they leave it.
    pub reconnect_grace: u64,
}

impl Default for RoomsConfig {
    fn default() -> Self {
        Self {
            open: false,
            owner_grace: 300,
            reconnect_grace: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Folder of the SQLite database (`tafelrunde.db`).
    pub data_dir: PathBuf,
    /// `postgres://user:password@host/db` for PostgreSQL, or a `sqlite://`
    /// URL; empty: SQLite in `data_dir`.
    pub database_url: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsConfig {
    /// The address people reach the service at, e.g.
    /// `https://tafelrunde.example.org`; links in mails and the setup link
    /// start with it. Empty: the listening address. With `https://`, session
    /// cookies are `Secure`.
    pub public_url: String,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
        }
    }
}

impl StorageConfig {
    /// The database to open.
    pub fn url(&self) -> String {
        if self.database_url.is_empty() {
            crate::storage::sqlite_url(&self.data_dir)
        } else {
            self.database_url.clone()
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Address of the web server.
    pub listen: SocketAddr,
    /// PEM certificate chain; with `tls_key`, the server speaks HTTPS.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key.
    pub tls_key: Option<PathBuf>,
    /// Reverse proxies (addresses or networks, e.g. `127.0.0.1`,
    /// `10.0.0.0/8`) whose `X-Forwarded-For` header names the client; the
    /// per-address limits then count the real client, not the proxy.
    pub trusted_proxies: Vec<String>,
    /// Signaling connections open at once from one client network (an IPv4
    /// address or an IPv6 /64). A school whose pupils all come from one NAT
    /// address needs one per participant in its lessons at the same time.
    pub sockets_per_network: usize,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MediaSection {
    /// Address the media ports bind to.
    pub bind: IpAddr,
    /// Address announced to browsers (public address behind NAT).
    pub announce: Option<IpAddr>,
    /// UDP port of the first shard (shard i: port + i); 0 = any free port.
    pub udp_port: u16,
    /// TCP port of the first shard for ICE-TCP; 0 = any free port.
    pub tcp_port: u16,
    /// Offer ICE-TCP at all.
    pub tcp: bool,
    /// Shard threads; 0 = one per CPU core.
    pub shards: usize,
    /// Largest room.
    pub max_room_size: usize,
    /// At most this many videos are forwarded to one participant (last-N).
    pub max_videos: usize,
    /// Estimate each participant's downlink and fit simulcast layers into it.
    pub bandwidth_estimation: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter such as `info` or `tafelrunde=debug,str0m=warn`.
    pub filter: String,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls_cert: None,
            tls_key: None,
            trusted_proxies: Vec::new(),
            sockets_per_network: crate::signaling::MAX_SOCKETS_PER_NETWORK,
        }
    }
}

impl Default for MediaSection {
    fn default() -> Self {
        Self {
            bind: IpAddr::from([127, 0, 0, 1]),
            announce: None,
            udp_port: 10000,
            tcp_port: 10000,
            tcp: true,
            shards: 0,
            max_room_size: 100,
            max_videos: 20,
            bandwidth_estimation: true,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            filter: "info".into(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            http: HttpConfig::default(),
            media: MediaSection::default(),
            turn: crate::turn::TurnConfig::default(),
            log: LogConfig::default(),
            storage: StorageConfig::default(),
            accounts: AccountsConfig::default(),
            smtp: crate::mail::SmtpConfig::default(),
            oidc: crate::auth::oidc::OidcConfig::default(),
            rooms: RoomsConfig::default(),
        }
    }
}

/// Flags of `tafelrunde serve`; each can also be set by its environment variable.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Configuration file (TOML). See docs/configuration.md.
    #[arg(long, short = 'c', env = "TAFELRUNDE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address and port of the web server [default: 127.0.0.1:8080].
    #[arg(long, env = "TAFELRUNDE_HTTP", value_name = "ADDR:PORT")]
    pub http: Option<SocketAddr>,
    /// TLS certificate chain (PEM). With --tls-key the server speaks HTTPS.
    #[arg(
        long,
        env = "TAFELRUNDE_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(
        long,
        env = "TAFELRUNDE_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// IP address the media ports bind to [default: 127.0.0.1].
    #[arg(long, env = "TAFELRUNDE_MEDIA_ADDRESS", value_name = "IP")]
    pub media_address: Option<IpAddr>,
    /// IP address announced to browsers, if they reach the server under another one (NAT).
    #[arg(long, env = "TAFELRUNDE_MEDIA_ANNOUNCE", value_name = "IP")]
    pub media_announce: Option<IpAddr>,
    /// UDP port of the first media shard; shard i uses PORT+i; 0 = any free port [default: 10000].
    #[arg(long, env = "TAFELRUNDE_MEDIA_UDP_PORT", value_name = "PORT")]
    pub media_udp_port: Option<u16>,
    /// TCP port (ICE-TCP, for networks that block UDP) of the first shard; 0 = any free port [default: 10000].
    #[arg(long, env = "TAFELRUNDE_MEDIA_TCP_PORT", value_name = "PORT")]
    pub media_tcp_port: Option<u16>,
    /// Do not offer ICE-TCP.
    #[arg(long, env = "TAFELRUNDE_NO_MEDIA_TCP")]
    pub no_media_tcp: bool,
    /// Media shard threads; 0 = one per CPU core [default: 0].
    #[arg(long, env = "TAFELRUNDE_SHARDS", value_name = "N")]
    pub shards: Option<usize>,
    /// Largest number of participants in one room [default: 100].
    #[arg(long, env = "TAFELRUNDE_MAX_ROOM_SIZE", value_name = "N")]
    pub max_room_size: Option<usize>,
    /// Do not estimate downlinks: every participant gets the layers its tiles need.
    #[arg(long, env = "TAFELRUNDE_NO_BANDWIDTH_ESTIMATION")]
    pub no_bandwidth_estimation: bool,
    /// At most N videos are sent to one participant; the grid pages through the rest [default: 20].
    #[arg(long, env = "TAFELRUNDE_MAX_VIDEOS", value_name = "N")]
    pub max_videos: Option<usize>,
    /// TURN server URL for browsers that reach nothing else (repeatable), e.g. turn:turn.example.org:3478.
    #[arg(
        long = "turn-url",
        env = "TAFELRUNDE_TURN_URLS",
        value_delimiter = ',',
        value_name = "URL"
    )]
    pub turn_urls: Vec<String>,
    /// Shared secret of the TURN server (coturn's static-auth-secret).
    #[arg(
        long,
        env = "TAFELRUNDE_TURN_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub turn_secret: Option<String>,
    /// Folder for the SQLite database [default: data].
    #[arg(long, env = "TAFELRUNDE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: postgres://… for PostgreSQL; default: SQLite in the data folder.
    #[arg(
        long,
        env = "TAFELRUNDE_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Address people reach the service at (links start with it), e.g. https://tafelrunde.example.org.
    #[arg(long, env = "TAFELRUNDE_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Log format [default: text].
    #[arg(long, env = "TAFELRUNDE_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. "info" or "tafelrunde=debug" [default: info].
    #[arg(long, env = "TAFELRUNDE_LOG", value_name = "FILTER")]
    pub log: Option<String>,
    /// Allow rooms with any name, not only school rooms (for trials and development).
    #[arg(long, env = "TAFELRUNDE_OPEN_ROOMS")]
    pub open_rooms: bool,
    /// Seconds a room keeps the owner's role after the owner's connection dropped [default: 300].
    #[arg(long, env = "TAFELRUNDE_OWNER_GRACE", value_name = "SECONDS")]
    pub owner_grace: Option<u64>,
    /// Seconds a participant whose connection dropped keeps their place in the room [default: 60].
    #[arg(long, env = "TAFELRUNDE_RECONNECT_GRACE", value_name = "SECONDS")]
    pub reconnect_grace: Option<u64>,
    /// Signaling connections open at once from one client network (IPv4 address or IPv6 /64) [default: 256].
    #[arg(long, env = "TAFELRUNDE_SOCKETS_PER_NETWORK", value_name = "N")]
    pub sockets_per_network: Option<usize>,
}

/// A configuration that cannot be used, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration file {path} is invalid: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("http.tls_cert and http.tls_key must be given together")]
    TlsHalf,
    #[error("media.max_room_size must be at least 2")]
    RoomSize,
    #[error("turn.urls is set but turn.secret is empty")]
    TurnSecret,
    #[error("storage.database_url must start with sqlite:, postgres:// or postgresql://")]
    DatabaseUrl,
    #[error("accounts.public_url must start with http:// or https://")]
    PublicUrl,
    #[error(transparent)]
    TrustedProxy(#[from] crate::client_ip::BadProxy),
}

impl Config {
    /// Defaults, then the file (if any), then flags and environment.
    pub fn load(args: &ServeArgs) -> Result<Self, ConfigError> {
        let mut config = match &args.config {
            Some(path) => Self::from_file(path)?,
            None => Self::default(),
        };
        config.apply(args);
        config.validate()?;
        Ok(config)
    }

    fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.into(),
            source,
        })
    }

    fn apply(&mut self, a: &ServeArgs) {
        fn set<T: Clone>(target: &mut T, value: &Option<T>) {
            if let Some(v) = value {
                *target = v.clone();
            }
        }
        set(&mut self.http.listen, &a.http);
        if a.tls_cert.is_some() {
            self.http.tls_cert = a.tls_cert.clone();
            self.http.tls_key = a.tls_key.clone();
        }
        set(&mut self.media.bind, &a.media_address);
        if a.media_announce.is_some() {
            self.media.announce = a.media_announce;
        }
        set(&mut self.media.udp_port, &a.media_udp_port);
        set(&mut self.media.tcp_port, &a.media_tcp_port);
        if a.no_media_tcp {
            self.media.tcp = false;
        }
        set(&mut self.media.shards, &a.shards);
        set(&mut self.media.max_room_size, &a.max_room_size);
        set(&mut self.media.max_videos, &a.max_videos);
        if a.no_bandwidth_estimation {
            self.media.bandwidth_estimation = false;
        }
        if !a.turn_urls.is_empty() {
            self.turn.urls = a.turn_urls.clone();
        }
        set(&mut self.turn.secret, &a.turn_secret);
        set(&mut self.storage.data_dir, &a.data_dir);
        set(&mut self.storage.database_url, &a.database_url);
        set(&mut self.accounts.public_url, &a.public_url);
        set(&mut self.log.format, &a.log_format);
        set(&mut self.log.filter, &a.log);
        if a.open_rooms {
            self.rooms.open = true;
        }
        set(&mut self.rooms.owner_grace, &a.owner_grace);
        set(&mut self.rooms.reconnect_grace, &a.reconnect_grace);
        set(&mut self.http.sockets_per_network, &a.sockets_per_network);
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.http.tls_cert.is_some() != self.http.tls_key.is_some() {
            return Err(ConfigError::TlsHalf);
        }
        if self.media.max_room_size < 2 {
            return Err(ConfigError::RoomSize);
        }
        if !self.turn.urls.is_empty() && self.turn.secret.is_empty() {
            return Err(ConfigError::TurnSecret);
        }
        let url = &self.storage.database_url;
        if !url.is_empty()
            && !["sqlite:", "postgres://", "postgresql://"]
                .iter()
                .any(|p| url.starts_with(p))
        {
            return Err(ConfigError::DatabaseUrl);
        }
        let public = &self.accounts.public_url;
        if !public.is_empty() && !(public.starts_with("http://") || public.starts_with("https://"))
        {
            return Err(ConfigError::PublicUrl);
        }
        crate::client_ip::TrustedProxies::parse(&self.http.trusted_proxies)?;
        Ok(())
    }

    /// The media plane's settings.
    pub fn media_config(&self) -> tafelrunde_sfu::MediaConfig {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tafelrunde_sfu::MediaConfig {
            bind: self.media.bind,
            announce: self.media.announce,
            udp_port: self.media.udp_port,
            tcp_port: self.media.tcp.then_some(self.media.tcp_port),
            shards: if self.media.shards == 0 {
                cores
            } else {
                self.media.shards
            },
            keyframe_interval: std::time::Duration::from_millis(500),
            max_room_size: self.media.max_room_size,
            max_videos: self.media.max_videos.max(1),
            bandwidth_estimation: self.media.bandwidth_estimation,
            owner_grace: std::time::Duration::from_secs(self.rooms.owner_grace),
            reconnect_grace: std::time::Duration::from_secs(self.rooms.reconnect_grace),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_flags() {
        let dir = std::env::temp_dir().join(format!("tafelrunde-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.toml");
        std::fs::write(
            &path,
            "[http]\nlisten = \"127.0.0.1:9000\"\n[media]\nudp_port = 20000\nshards = 2\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(path.clone()),
            shards: Some(3),
            ..Default::default()
        };
        let config = Config::load(&args).unwrap();
        assert_eq!(config.http.listen.port(), 9000);
        assert_eq!(config.media.udp_port, 20000);
        assert_eq!(config.media.shards, 3, "flags win over the file");
        std::fs::write(&path, "[media]\nudp_prot = 1\n").unwrap();
        let err = Config::load(&args).unwrap_err().to_string();
        assert!(err.contains("udp_prot"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn open_rooms_are_off_unless_asked_for() {
        let config = Config::load(&ServeArgs::default()).unwrap();
        assert_eq!(config.rooms, RoomsConfig::default());
        assert!(!config.rooms.open);
        assert_eq!(config.media_config().owner_grace.as_secs(), 300);
        assert_eq!(config.media_config().reconnect_grace.as_secs(), 60);
        let args = ServeArgs {
            open_rooms: true,
            owner_grace: Some(60),
            reconnect_grace: Some(5),
            ..Default::default()
        };
        let config = Config::load(&args).unwrap();
        assert!(config.rooms.open);
        assert_eq!(config.media_config().owner_grace.as_secs(), 60);
        assert_eq!(config.media_config().reconnect_grace.as_secs(), 5);
    }

    #[test]
    fn defaults_are_local() {
        let config = Config::load(&ServeArgs::default()).unwrap();
        assert_eq!(config.http.listen, "127.0.0.1:8080".parse().unwrap());
        assert!(config.media.tcp);
    }
}
