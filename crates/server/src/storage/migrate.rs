//! Schema migrations: numbered SQL files in `crates/server/migrations`,
//! embedded at build time, applied in order, each in one transaction, and
//! recorded in `schema_migrations`. The placeholder `{{serial}}` becomes the
//! database's auto-increment primary key.

use sqlx::Row;

use super::{Db, DbKind, StorageError};

/// (version, name, SQL) of every migration, oldest first. Never edit a
/// released one: add a new file.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial schema",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        2,
        "data protection",
        include_str!("../../migrations/0002_data_protection.sql"),
    ),
    (
        3,
        "helpdesk",
        include_str!("../../migrations/0003_helpdesk.sql"),
    ),
    (
        4,
        "helpdesk form tokens and requesters",
        include_str!("../../migrations/0004_helpdesk_tokens.sql"),
    ),
    (
        5,
        "room admissions",
        include_str!("../../migrations/0005_room_admissions.sql"),
    ),
];

impl Db {
    pub(super) async fn migrate(&self) -> Result<(), StorageError> {
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
            .execute(self.pool())
            .await?;
        let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get::<i64, _>("version"))
            .collect();
        let serial = match self.kind() {
            DbKind::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            DbKind::Postgres => "BIGSERIAL PRIMARY KEY",
        };
        for (version, name, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            let fail = |source| StorageError::Migrate {
                version: *version,
                source,
            };
            let mut tx = self.pool().begin().await.map_err(fail)?;
            for statement in statements(sql) {
                let statement = statement.replace("{{serial}}", serial);
                sqlx::query(&statement)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail)?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(*version)
            .bind(*name)
            .bind(super::now())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            tracing::info!(version, name, "database migration applied");
        }
        Ok(())
    }
}

/// The statements of a migration file: split at `;` that end a line, with
/// `--` comment lines removed.
fn statements(sql: &str) -> Vec<String> {
    let without_comments: String = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(";\n")
        .map(str::trim)
        .map(|s| s.trim_end_matches(';').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_statements() {
        let s = super::statements(
            "-- a comment\nCREATE TABLE a (x TEXT);\n\nCREATE TABLE b (y TEXT);\n",
        );
        assert_eq!(
            s,
            vec!["CREATE TABLE a (x TEXT)", "CREATE TABLE b (y TEXT)"]
        );
    }
}
