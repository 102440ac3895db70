//! Channels (components), their groups and the log of status changes.

use super::{id, opt_text, parsed, Result, Store};
use crate::domain::time::Millis;
use crate::domain::uptime::Change;
use crate::domain::{Channel, ChannelKind, ComponentStatus, Group, Id};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

const CHANNEL_COLUMNS: &str = "id, name, description, status, kind, contact, fallback_rank, \
    position, group_id, showcase, only_show_if_degraded, start_date, created_at, updated_at";

fn channel(row: &AnyRow) -> Result<Channel> {
    Ok(Channel {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        description: opt_text(row, "description")?,
        status: parsed(row, "status", ComponentStatus::parse)?,
        kind: parsed(row, "kind", ChannelKind::parse)?,
        contact: row.try_get("contact")?,
        fallback_rank: row.try_get("fallback_rank")?,
        position: row.try_get("position")?,
        group_id: opt_text(row, "group_id")?.as_deref().and_then(Id::parse),
        showcase: row.try_get::<i64, _>("showcase")? != 0,
        only_show_if_degraded: row.try_get::<i64, _>("only_show_if_degraded")? != 0,
        start_date: opt_text(row, "start_date")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn group(row: &AnyRow) -> Result<Group> {
    Ok(Group {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        description: opt_text(row, "description")?,
        position: row.try_get("position")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    /// Every channel, in display order.
    pub async fn channels(&self) -> Result<Vec<Channel>> {
        let sql =
            format!("SELECT {CHANNEL_COLUMNS} FROM components ORDER BY position, created_at, id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(channel).collect()
    }

    /// One channel.
    pub async fn channel(&self, channel_id: &Id) -> Result<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM components WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(channel_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(channel).transpose()
    }

    /// Stores a new channel and its first status.
    pub async fn insert_channel(&self, c: &Channel) -> Result<()> {
        let mut tx = self.write_tx().await?;
        bind_fields(
            sqlx::query(
            "INSERT INTO components (id, name, description, status, kind, contact, fallback_rank, \
             position, group_id, showcase, only_show_if_degraded, start_date, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            ),
            c,
        )
        .bind(c.created_at)
        .bind(c.updated_at)
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, &c.id, c.status, c.created_at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves every field of an existing channel, logging a status change.
    /// Returns false when the channel does not exist.
    pub async fn update_channel(&self, c: &Channel) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let previous = status_of(&mut tx, &c.id).await?;
        let Some(previous) = previous else {
            return Ok(false);
        };
        bind_fields(
            sqlx::query(
            "UPDATE components SET name = $2, description = $3, status = $4, kind = $5, contact = $6, \
             fallback_rank = $7, position = $8, group_id = $9, showcase = $10, \
             only_show_if_degraded = $11, start_date = $12, updated_at = $13 WHERE id = $1",
            ),
            c,
        )
        .bind(c.updated_at)
        .execute(&mut *tx)
        .await?;
        if previous != c.status {
            record_change(&mut tx, &c.id, c.status, c.updated_at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes a channel; false when it did not exist.
    pub async fn delete_channel(&self, channel_id: &Id) -> Result<bool> {
        let done = sqlx::query("DELETE FROM components WHERE id = $1")
            .bind(channel_id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every group, in display order.
    pub async fn groups(&self) -> Result<Vec<Group>> {
        let rows = sqlx::query(
            "SELECT id, name, description, position, created_at, updated_at \
             FROM component_groups ORDER BY position, created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(group).collect()
    }

    /// Stores a group (insert or full update) and sets exactly its member channels.
    pub async fn save_group(&self, g: &Group, members: Option<&[Id]>) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO component_groups (id, name, description, position, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             description = excluded.description, position = excluded.position, \
             updated_at = excluded.updated_at",
        )
        .bind(g.id.as_str())
        .bind(&g.name)
        .bind(g.description.as_deref())
        .bind(g.position)
        .bind(g.created_at)
        .bind(g.updated_at)
        .execute(&mut *tx)
        .await?;
        if let Some(members) = members {
            sqlx::query("UPDATE components SET group_id = NULL WHERE group_id = $1")
                .bind(g.id.as_str())
                .execute(&mut *tx)
                .await?;
            for member in members {
                sqlx::query("UPDATE components SET group_id = $1, updated_at = $2 WHERE id = $3")
                    .bind(g.id.as_str())
                    .bind(g.updated_at)
                    .bind(member.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a group (its channels stay, ungrouped); false when it did not exist.
    pub async fn delete_group(&self, group_id: &Id) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE components SET group_id = NULL WHERE group_id = $1")
            .bind(group_id.as_str())
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM component_groups WHERE id = $1")
            .bind(group_id.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Status changes since `since`, per channel, oldest first, each list
    /// starting with the status in force at `since`.
    pub async fn status_changes(&self, since: Millis) -> Result<HashMap<Id, Vec<Change>>> {
        let rows = sqlx::query(
            "SELECT component_id, status, at FROM component_status_changes c WHERE at >= $1 \
             OR at = (SELECT MAX(at) FROM component_status_changes p \
                      WHERE p.component_id = c.component_id AND p.at < $1) \
             ORDER BY at",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<Id, Vec<Change>> = HashMap::new();
        for row in &rows {
            out.entry(id(row, "component_id")?)
                .or_default()
                .push(Change {
                    at: row.try_get("at")?,
                    status: parsed(row, "status", ComponentStatus::parse)?,
                });
        }
        Ok(out)
    }
}

/// Binds a channel's fields as `$1` (id) to `$12` (start_date), in column order.
fn bind_fields<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    c: &'q Channel,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(c.id.as_str())
        .bind(&c.name)
        .bind(c.description.as_deref())
        .bind(c.status.as_str())
        .bind(c.kind.as_str())
        .bind(&c.contact)
        .bind(c.fallback_rank)
        .bind(c.position)
        .bind(c.group_id.as_ref().map(Id::as_str))
        .bind(c.showcase as i64)
        .bind(c.only_show_if_degraded as i64)
        .bind(c.start_date.as_deref())
}

/// The current status of a channel, inside a transaction.
pub(super) async fn status_of(
    tx: &mut Transaction<'_, Any>,
    channel_id: &Id,
) -> Result<Option<ComponentStatus>> {
    let row = sqlx::query("SELECT status FROM components WHERE id = $1")
        .bind(channel_id.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref()
        .map(|r| parsed(r, "status", ComponentStatus::parse))
        .transpose()
}

/// Sets a channel's status inside a transaction, logging the change.
pub(super) async fn set_status(
    tx: &mut Transaction<'_, Any>,
    channel_id: &Id,
    status: ComponentStatus,
    at: Millis,
) -> Result<()> {
    sqlx::query("UPDATE components SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(at)
        .bind(channel_id.as_str())
        .execute(&mut **tx)
        .await?;
    record_change(tx, channel_id, status, at).await
}

async fn record_change(
    tx: &mut Transaction<'_, Any>,
    channel_id: &Id,
    status: ComponentStatus,
    at: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO component_status_changes (component_id, status, at) VALUES ($1, $2, $3)",
    )
    .bind(channel_id.as_str())
    .bind(status.as_str())
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
