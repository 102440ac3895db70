//! What detection records: raw check results and their roll-ups, visitor
//! reports, probe agents, and the lease that elects the one instance checking.

use super::{id, opt_int, opt_text, parsed, Result, Store};
use crate::domain::monitor::MonitorState;
use crate::domain::time::Millis;
use crate::domain::{ComponentStatus, Id};
use sqlx::Row;
use std::collections::HashMap;

/// One check result, from one location.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub monitor_id: Id,
    pub location: String,
    pub at: Millis,
    pub status: ComponentStatus,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
}

/// Counts over one time bucket of one monitor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RollupRow {
    pub monitor_id: Option<Id>,
    pub bucket: Millis,
    pub up: i64,
    pub degraded: i64,
    pub down: i64,
    pub latency_sum: i64,
    pub latency_count: i64,
    pub latency_max: i64,
}

/// A probe agent as last heard from.
#[derive(Clone, Debug, PartialEq)]
pub struct Agent {
    pub location: String,
    pub first_seen: Millis,
    pub last_seen: Millis,
}

/// Roll-up spans and their length in milliseconds.
pub const SPANS: [(&str, Millis); 3] =
    [("minute", 60_000), ("hour", 3_600_000), ("day", 86_400_000)];

impl ResultRow {
    fn read(row: &sqlx::any::AnyRow) -> Result<ResultRow> {
        Ok(ResultRow {
            monitor_id: id(row, "monitor_id")?,
            location: row.try_get("location")?,
            at: row.try_get("at")?,
            status: parsed(row, "status", ComponentStatus::parse)?,
            latency_ms: opt_int(row, "latency_ms")?,
            error: opt_text(row, "error")?,
        })
    }
}

impl RollupRow {
    fn add(&mut self, r: &ResultRow) {
        match r.status {
            ComponentStatus::Operational => self.up += 1,
            ComponentStatus::DegradedPerformance => self.degraded += 1,
            _ => self.down += 1,
        }
        if let Some(l) = r.latency_ms {
            self.latency_sum += l;
            self.latency_count += 1;
            self.latency_max = self.latency_max.max(l);
        }
    }

    fn read(row: &sqlx::any::AnyRow) -> Result<RollupRow> {
        Ok(RollupRow {
            monitor_id: Some(id(row, "monitor_id")?),
            bucket: row.try_get("bucket")?,
            up: row.try_get("up")?,
            degraded: row.try_get("degraded")?,
            down: row.try_get("down")?,
            latency_sum: row.try_get("latency_sum")?,
            latency_count: row.try_get("latency_count")?,
            latency_max: row.try_get("latency_max")?,
        })
    }
}

impl Store {
    /// Stores results with their roll-ups and the monitors' new state, in one
    /// transaction.
    pub async fn save_results(
        &self,
        rows: &[ResultRow],
        states: &[(Id, MonitorState)],
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let mut buckets: HashMap<(&Id, &str, Millis), RollupRow> = HashMap::new();
        for r in rows {
            sqlx::query(
                "INSERT INTO check_results (monitor_id, location, at, status, latency_ms, error) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(r.monitor_id.as_str())
            .bind(r.location.as_str())
            .bind(r.at)
            .bind(r.status.as_str())
            .bind(r.latency_ms)
            .bind(r.error.as_deref())
            .execute(&mut *tx)
            .await?;
            for (span, len) in SPANS {
                let bucket = r.at - r.at.rem_euclid(len);
                buckets
                    .entry((&r.monitor_id, span, bucket))
                    .or_insert_with(|| RollupRow {
                        bucket,
                        ..Default::default()
                    })
                    .add(r);
            }
        }
        for ((monitor_id, span, bucket), c) in buckets {
            sqlx::query(
                "INSERT INTO check_rollups (monitor_id, span, bucket, up, degraded, down, \
                 latency_sum, latency_count, latency_max) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (monitor_id, span, bucket) DO UPDATE SET \
                 up = check_rollups.up + excluded.up, \
                 degraded = check_rollups.degraded + excluded.degraded, \
                 down = check_rollups.down + excluded.down, \
                 latency_sum = check_rollups.latency_sum + excluded.latency_sum, \
                 latency_count = check_rollups.latency_count + excluded.latency_count, \
                 latency_max = CASE WHEN excluded.latency_max > check_rollups.latency_max \
                 THEN excluded.latency_max ELSE check_rollups.latency_max END",
            )
            .bind(monitor_id.as_str())
            .bind(span)
            .bind(bucket)
            .bind(c.up)
            .bind(c.degraded)
            .bind(c.down)
            .bind(c.latency_sum)
            .bind(c.latency_count)
            .bind(c.latency_max)
            .execute(&mut *tx)
            .await?;
        }
        for (monitor_id, s) in states {
            sqlx::query(
                "UPDATE monitors SET state = $1, state_since = $2, flapping = $3, \
                 last_checked_at = $4, last_latency_ms = $5, last_error = $6 WHERE id = $7",
            )
            .bind(s.status.map(|s| s.as_str()))
            .bind(s.since)
            .bind(i64::from(s.flapping))
            .bind(s.last_checked_at)
            .bind(s.last_latency_ms)
            .bind(s.last_error.as_deref())
            .bind(monitor_id.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Results other locations sent after `after` (by sequence), oldest first.
    pub async fn results_after(
        &self,
        after: i64,
        except_location: &str,
        limit: i64,
    ) -> Result<Vec<(i64, ResultRow)>> {
        let rows = sqlx::query(
            "SELECT seq, monitor_id, location, at, status, latency_ms, error FROM check_results \
             WHERE seq > $1 AND location <> $2 ORDER BY seq LIMIT $3",
        )
        .bind(after)
        .bind(except_location)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("seq")?, ResultRow::read(row)?)))
            .collect()
    }

    /// The newest result's sequence number (0 when there is none).
    pub async fn last_result_seq(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS s FROM check_results")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("s")?)
    }

    /// Recent raw results of one monitor, newest first.
    pub async fn recent_results(&self, monitor_id: &Id, limit: i64) -> Result<Vec<ResultRow>> {
        let rows = sqlx::query(
            "SELECT monitor_id, location, at, status, latency_ms, error FROM check_results \
             WHERE monitor_id = $1 ORDER BY at DESC LIMIT $2",
        )
        .bind(monitor_id.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ResultRow::read).collect()
    }

    /// Roll-ups of one span since `since`, every monitor.
    pub async fn rollups(&self, span: &str, since: Millis) -> Result<Vec<RollupRow>> {
        let rows = sqlx::query(
            "SELECT monitor_id, bucket, up, degraded, down, latency_sum, latency_count, latency_max \
             FROM check_rollups WHERE span = $1 AND bucket >= $2 ORDER BY bucket",
        )
        .bind(span)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(RollupRow::read).collect()
    }

    /// Up, degraded and down counts per monitor over `span` buckets since `since`.
    pub async fn check_totals(
        &self,
        span: &str,
        since: Millis,
    ) -> Result<HashMap<Id, (i64, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT monitor_id, CAST(SUM(up) AS BIGINT) AS up, CAST(SUM(degraded) AS BIGINT) AS degraded, \
             CAST(SUM(down) AS BIGINT) AS down FROM check_rollups WHERE span = $1 AND bucket >= $2 \
             GROUP BY monitor_id",
        )
        .bind(span)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    id(r, "monitor_id")?,
                    (r.try_get("up")?, r.try_get("degraded")?, r.try_get("down")?),
                ))
            })
            .collect()
    }

    /// Per-minute roll-ups since `since`, merged into buckets of `width` ms.
    pub async fn latency_series(&self, since: Millis, width: Millis) -> Result<Vec<RollupRow>> {
        let rows = sqlx::query(
            "SELECT monitor_id, b * $1 AS bucket, CAST(SUM(up) AS BIGINT) AS up, CAST(SUM(degraded) AS BIGINT) AS degraded, \
             CAST(SUM(down) AS BIGINT) AS down, CAST(SUM(latency_sum) AS BIGINT) AS latency_sum, CAST(SUM(latency_count) AS BIGINT) AS latency_count, \
             MAX(latency_max) AS latency_max FROM (SELECT monitor_id, bucket / $1 AS b, up, degraded, \
             down, latency_sum, latency_count, latency_max FROM check_rollups \
             WHERE span = 'minute' AND bucket >= $2) AS t GROUP BY monitor_id, b ORDER BY b",
        )
        .bind(width)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(RollupRow::read).collect()
    }

    /// Deletes raw results and roll-ups past their retention.
    pub async fn prune_results(&self, raw_before: Millis, keep: &[(&str, Millis)]) -> Result<u64> {
        let mut n = sqlx::query("DELETE FROM check_results WHERE at < $1")
            .bind(raw_before)
            .execute(&self.pool)
            .await?
            .rows_affected();
        for (span, before) in keep {
            n += sqlx::query("DELETE FROM check_rollups WHERE span = $1 AND bucket < $2")
                .bind(*span)
                .bind(*before)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(n)
    }

    /// Records a visitor report.
    pub async fn add_report(&self, channel_id: &Id, source: &str, at: Millis) -> Result<()> {
        sqlx::query("INSERT INTO visitor_reports (channel_id, source, at) VALUES ($1, $2, $3)")
            .bind(channel_id.as_str())
            .bind(source)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Distinct sources that reported the channel since `since`.
    pub async fn report_sources(&self, channel_id: &Id, since: Millis) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(DISTINCT source) AS n FROM visitor_reports WHERE channel_id = $1 AND at >= $2",
        )
        .bind(channel_id.as_str())
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Reports sent by one source since `since`, and whether one concerns `channel_id`.
    pub async fn reports_from(
        &self,
        source: &str,
        channel_id: &Id,
        since: Millis,
    ) -> Result<(i64, bool)> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM visitor_reports WHERE source = $1 AND at >= $2")
                .bind(source)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        let same = sqlx::query(
            "SELECT COUNT(*) AS n FROM visitor_reports WHERE source = $1 AND at >= $2 AND channel_id = $3",
        )
        .bind(source)
        .bind(since)
        .bind(channel_id.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("n")?, same.try_get::<i64, _>("n")? > 0))
    }

    /// Forgets reports older than `before`.
    pub async fn prune_reports(&self, before: Millis) -> Result<u64> {
        let done = sqlx::query("DELETE FROM visitor_reports WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Notes that the agent at `location` reported in.
    pub async fn touch_agent(&self, location: &str, at: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO probe_agents (location, first_seen, last_seen) VALUES ($1, $2, $2) \
             ON CONFLICT (location) DO UPDATE SET last_seen = excluded.last_seen",
        )
        .bind(location)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every probe agent ever heard from.
    pub async fn agents(&self) -> Result<Vec<Agent>> {
        let rows = sqlx::query(
            "SELECT location, first_seen, last_seen FROM probe_agents ORDER BY location",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Agent {
                    location: r.try_get("location")?,
                    first_seen: r.try_get("first_seen")?,
                    last_seen: r.try_get("last_seen")?,
                })
            })
            .collect()
    }

    /// Forgets an agent (it no longer counts towards the quorum).
    pub async fn delete_agent(&self, location: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM probe_agents WHERE location = $1")
            .bind(location)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Takes or renews the lease `name` for `holder` until `at + ttl`; false
    /// while another holder's lease runs.
    pub async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        at: Millis,
        ttl: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at < $4",
        )
        .bind(name)
        .bind(holder)
        .bind(at + ttl)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
