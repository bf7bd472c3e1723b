//! Durable state: SQLite (default, one file under the data directory, WAL)
//! or PostgreSQL (when `storage.database_url` is a `postgres://` URL).
//!
//! Queries are checked at run time (`sqlx::query`), never at build time: no
//! database is needed to compile. One portable SQL dialect serves both
//! databases: `$1`-style parameters, `BIGINT` unix times, `TEXT` ids, and
//! `ON CONFLICT … DO UPDATE`. The only difference, the auto-increment
//! column, is filled into the migrations by [`Db::migrate`].

mod migrate;
mod private;
pub mod retention;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::AnyPool;

pub use migrate::MIGRATIONS;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// A pool of connections to the one database of this installation.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    kind: DbKind,
}

/// A database that cannot be used, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "storage.database_url must start with sqlite:// or postgres:// (it starts with {0:?})"
    )]
    UnknownScheme(String),
    #[error("cannot prepare the database file {path} (folder 0700, file 0600): {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Connect(sqlx::Error),
    #[error("database migration {version} failed: {source}")]
    Migrate { version: i64, source: sqlx::Error },
    #[error(transparent)]
    Query(#[from] sqlx::Error),
}

/// The URL of the default SQLite database in `data_dir`.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("tafelrunde.db").display()
    )
}

impl Db {
    /// Opens (and for SQLite creates) the database and brings its schema up
    /// to date.
    pub async fn open(url: &str) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbKind::Postgres
        } else {
            let scheme: String = url.chars().take_while(|c| *c != ':').take(20).collect();
            return Err(StorageError::UnknownScheme(scheme));
        };
        if kind == DbKind::Sqlite {
            if let Some(file) = sqlite_file(url) {
                private::prepare(&file).map_err(|source| StorageError::DataDir {
                    path: file.display().to_string(),
                    source,
                })?;
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if kind == DbKind::Sqlite { 4 } else { 10 })
            .connect(url)
            .await
            .map_err(StorageError::Connect)?;
        let db = Self { pool, kind };
        if kind == DbKind::Sqlite {
            // Persistent in the file: readers never wait for the writer.
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&db.pool)
                .await?;
        }
        db.migrate().await?;
        Ok(db)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// Begins a transaction that may write. On SQLite it takes the write
    /// lock at once (`BEGIN IMMEDIATE`, waiting for another writer up to the
    /// busy timeout): a plain `BEGIN` reads first and asks for the lock at
    /// its first write, and when another connection wrote in between SQLite
    /// refuses at once with `database is locked`, which no waiting cures.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            DbKind::Postgres => self.pool.begin().await,
        }
    }

    /// Closes every connection (tests that stop their PostgreSQL call it first).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The database file of a SQLite URL (none for an in-memory database).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next()?;
    if path.is_empty() || path.starts_with(":memory:") || path.starts_with("file:") {
        return None;
    }
    Some(Path::new(path).to_path_buf())
}

/// Seconds since the Unix epoch: every time in the database is one of these.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Milliseconds since the Unix epoch (for the audit log's order).
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Reads a flag (stored as 0/1: the Any driver cannot read SQLite's BOOLEAN).
pub fn get_bool(row: &AnyRow, column: &str) -> bool {
    use sqlx::Row;
    row.try_get::<bool, _>(column)
        .or_else(|_| row.try_get::<i64, _>(column).map(|v| v != 0))
        .unwrap_or(false)
}
