//! Durable storage on SQLite (default, embedded) or PostgreSQL.
//!
//! One [`Store`] speaks portable SQL to either database; each backend keeps its
//! own migrations (`migrations/sqlite`, `migrations/postgres`). The database URL
//! selects the backend: `sqlite://…` or `postgres://…`.

mod accounts;
mod changes;
mod channels;
mod detection;
mod incidents;
mod monitors;
mod push;
mod reach;
mod settings;

pub use accounts::{ApiKey, Session, User};
pub use detection::{Agent, ResultRow, RollupRow};
pub use incidents::{IncidentChanges, NewIncident, NewUpdate};
pub use reach::{Broadcast, Claimed, DeadLetter, Imported, Progress, Settled};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Row};
use std::borrow::Cow;

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL `{0}`: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
}

/// Result of a storage call.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The storage of one Relais page.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
}

impl Store {
    /// Connects to `url` (creating a SQLite file if needed). Does not migrate.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let given = url.to_string();
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let max = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlx::query("PRAGMA journal_mode=WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys=ON")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout=10000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous=NORMAL")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Store {
            pool,
            backend,
            url: given,
        })
    }

    /// Applies this backend's pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        let files: &[(i64, &str, &str)] = match self.backend {
            Backend::Sqlite => &[
                (
                    1,
                    "initial",
                    include_str!("migrations/sqlite/0001_initial.sql"),
                ),
                (
                    2,
                    "detection",
                    include_str!("migrations/sqlite/0002_detection.sql"),
                ),
                (3, "reach", include_str!("migrations/sqlite/0003_reach.sql")),
                (
                    4,
                    "segments",
                    include_str!("migrations/sqlite/0004_segments.sql"),
                ),
            ],
            Backend::Postgres => &[
                (
                    1,
                    "initial",
                    include_str!("migrations/postgres/0001_initial.sql"),
                ),
                (
                    2,
                    "detection",
                    include_str!("migrations/postgres/0002_detection.sql"),
                ),
                (
                    3,
                    "reach",
                    include_str!("migrations/postgres/0003_reach.sql"),
                ),
                (
                    4,
                    "segments",
                    include_str!("migrations/postgres/0004_segments.sql"),
                ),
            ],
        };
        let migrations: Vec<Migration> = files
            .iter()
            .map(|(version, name, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*name),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        let migrator = Migrator {
            migrations: Cow::Owned(migrations),
            ignore_missing: false,
            locking: true,
            no_tx: false,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// A transaction that writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), waiting its turn, so that a transaction reading
    /// before writing never fails because another writer went first.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// The database in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Reads an optional text column.
fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

/// Reads an optional integer column.
fn opt_int(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

/// Parses a stored identifier.
fn id(row: &AnyRow, col: &str) -> Result<crate::domain::Id> {
    let text: String = row.try_get(col)?;
    crate::domain::Id::parse(&text).ok_or_else(|| StoreError::Corrupt(format!("{col}={text}")))
}

/// Parses a stored enum value.
fn parsed<T>(
    row: &AnyRow,
    col: &str,
    parse: fn(&str) -> std::result::Result<T, crate::domain::status::InvalidEnum>,
) -> Result<T> {
    let text: String = row.try_get(col)?;
    parse(&text).map_err(|e| StoreError::Corrupt(e.to_string()))
}
