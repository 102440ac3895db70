//! Monitor definitions and their judged state.

use super::{id, opt_int, opt_text, parsed, Result, Store, StoreError};
use crate::domain::monitor::{Monitor, MonitorKind, MonitorState, Spec};
use crate::domain::time::Millis;
use crate::domain::{ComponentStatus, Id};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

const COLUMNS: &str =
    "id, channel_id, name, kind, target, spec, interval_ms, timeout_ms, retries, \
    fail_after, recover_after, flap_limit, down_status, enabled, token, from_config, created_at, \
    updated_at, state, state_since, flapping, last_checked_at, last_latency_ms, last_error";

fn monitor(row: &AnyRow) -> Result<(Monitor, MonitorState)> {
    let spec: String = row.try_get("spec")?;
    let int = |col: &str| -> Result<u32> {
        let v: i64 = row.try_get(col)?;
        u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{col}={v}")))
    };
    let m = Monitor {
        id: id(row, "id")?,
        channel_id: id(row, "channel_id")?,
        name: row.try_get("name")?,
        kind: parsed(row, "kind", MonitorKind::parse)?,
        target: row.try_get("target")?,
        spec: serde_json::from_str::<Spec>(&spec)
            .map_err(|e| StoreError::Corrupt(format!("monitor spec: {e}")))?,
        interval_ms: row.try_get("interval_ms")?,
        timeout_ms: row.try_get("timeout_ms")?,
        retries: int("retries")?,
        fail_after: int("fail_after")?,
        recover_after: int("recover_after")?,
        flap_limit: int("flap_limit")?,
        down_status: parsed(row, "down_status", ComponentStatus::parse)?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        token: opt_text(row, "token")?,
        from_config: row.try_get::<i64, _>("from_config")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    };
    let state = MonitorState {
        status: opt_text(row, "state")?
            .map(|s| ComponentStatus::parse(&s))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        since: opt_int(row, "state_since")?,
        flapping: row.try_get::<i64, _>("flapping")? != 0,
        last_checked_at: opt_int(row, "last_checked_at")?,
        last_latency_ms: opt_int(row, "last_latency_ms")?,
        last_error: opt_text(row, "last_error")?,
    };
    Ok((m, state))
}

/// Binds the definition fields in column order, from `channel_id` to `from_config`.
fn bind_definition<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    m: &'q Monitor,
) -> Result<Query<'q, Any, AnyArguments<'q>>> {
    let spec = serde_json::to_string(&m.spec).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(q.bind(m.channel_id.as_str())
        .bind(m.name.as_str())
        .bind(m.kind.as_str())
        .bind(m.target.as_str())
        .bind(spec)
        .bind(m.interval_ms)
        .bind(m.timeout_ms)
        .bind(i64::from(m.retries))
        .bind(i64::from(m.fail_after))
        .bind(i64::from(m.recover_after))
        .bind(i64::from(m.flap_limit))
        .bind(m.down_status.as_str())
        .bind(i64::from(m.enabled))
        .bind(m.token.as_deref())
        .bind(i64::from(m.from_config)))
}

impl Store {
    /// Every monitor with its state, by channel then name.
    pub async fn monitors(&self) -> Result<Vec<(Monitor, MonitorState)>> {
        let sql = format!("SELECT {COLUMNS} FROM monitors ORDER BY channel_id, name, id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(monitor).collect()
    }

    /// One monitor by id.
    pub async fn monitor(&self, monitor_id: &Id) -> Result<Option<(Monitor, MonitorState)>> {
        let sql = format!("SELECT {COLUMNS} FROM monitors WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(monitor_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(monitor).transpose()
    }

    /// A fingerprint of the definitions (count and latest edit), to notice changes.
    pub async fn monitors_version(&self) -> Result<(i64, i64)> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(updated_at), 0) AS t FROM monitors")
                .fetch_one(&self.pool)
                .await?;
        Ok((row.try_get("n")?, row.try_get("t")?))
    }

    /// Stores a new monitor.
    pub async fn insert_monitor(&self, m: &Monitor) -> Result<()> {
        let q = sqlx::query(
            "INSERT INTO monitors (id, channel_id, name, kind, target, spec, interval_ms, timeout_ms, \
             retries, fail_after, recover_after, flap_limit, down_status, enabled, token, from_config, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(m.id.as_str());
        bind_definition(q, m)?
            .bind(m.created_at)
            .bind(m.updated_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Replaces a monitor's definition (its state stays). False if it is gone.
    pub async fn update_monitor(&self, m: &Monitor) -> Result<bool> {
        let q = sqlx::query(
            "UPDATE monitors SET channel_id = $1, name = $2, kind = $3, target = $4, spec = $5, \
             interval_ms = $6, timeout_ms = $7, retries = $8, fail_after = $9, recover_after = $10, \
             flap_limit = $11, down_status = $12, enabled = $13, token = $14, from_config = $15, \
             updated_at = $16 WHERE id = $17",
        );
        let done = bind_definition(q, m)?
            .bind(m.updated_at)
            .bind(m.id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a monitor with its results.
    pub async fn delete_monitor(&self, monitor_id: &Id) -> Result<bool> {
        let done = sqlx::query("DELETE FROM monitors WHERE id = $1")
            .bind(monitor_id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Makes the monitors defined in the configuration file exactly `wanted`:
    /// matched by channel and name, others from the file are deleted. Monitors
    /// created in the admin or the API are left alone.
    pub async fn sync_config_monitors(&self, wanted: &[Monitor], at: Millis) -> Result<()> {
        let existing: Vec<Monitor> = self
            .monitors()
            .await?
            .into_iter()
            .map(|(m, _)| m)
            .filter(|m| m.from_config)
            .collect();
        for w in wanted {
            match existing
                .iter()
                .find(|e| e.channel_id == w.channel_id && e.name == w.name)
            {
                Some(e) => {
                    let mut m = w.clone();
                    m.id = e.id.clone();
                    m.token = e.token.clone().or(m.token);
                    m.created_at = e.created_at;
                    m.updated_at = e.updated_at;
                    if m != *e {
                        m.updated_at = at;
                        self.update_monitor(&m).await?;
                    }
                }
                None => self.insert_monitor(w).await?,
            }
        }
        for e in existing.iter().filter(|e| {
            !wanted
                .iter()
                .any(|w| w.channel_id == e.channel_id && w.name == e.name)
        }) {
            self.delete_monitor(&e.id).await?;
        }
        Ok(())
    }

    /// Records a heartbeat for the monitor holding `token`; false if none does.
    pub async fn record_beat(&self, token: &str, at: Millis) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE monitors SET last_beat_at = $1 WHERE token = $2 AND kind = 'heartbeat'",
        )
        .bind(at)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// When the heartbeat monitor was last called.
    pub async fn last_beat(&self, monitor_id: &Id) -> Result<Option<Millis>> {
        let row = sqlx::query("SELECT last_beat_at FROM monitors WHERE id = $1")
            .bind(monitor_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => opt_int(&r, "last_beat_at"),
            None => Ok(None),
        }
    }
}
