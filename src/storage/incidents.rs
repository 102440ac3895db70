//! Incidents and maintenances with their updates; every write that moves a
//! channel's status does so in the same transaction.

use super::channels::{set_status, status_of};
use super::{id, opt_int, opt_text, parsed, Result, Store};
use crate::domain::incident::derive_impact;
use crate::domain::time::Millis;
use crate::domain::{
    AffectedComponent, ComponentStatus, Id, Impact, Incident, IncidentStatus, IncidentUpdate,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

const INCIDENT_COLUMNS: &str =
    "id, name, status, impact, impact_override, created_at, updated_at, \
    started_at, monitoring_at, resolved_at, scheduled_for, scheduled_until, auto_transition, \
    causes, measures, postmortem_body, postmortem_published_at, automatic, auto_managed";

/// What a new incident or maintenance starts with.
#[derive(Clone, Debug, Default)]
pub struct NewIncident {
    pub name: String,
    pub status: Option<IncidentStatus>,
    pub impact_override: Option<Impact>,
    pub body: String,
    pub scheduled_for: Option<Millis>,
    pub scheduled_until: Option<Millis>,
    pub auto_transition: bool,
    pub deliver_notifications: bool,
    pub causes: Option<String>,
    pub measures: Option<String>,
    /// Channels the incident affects.
    pub component_ids: Vec<Id>,
    /// New statuses for channels (also marks them affected).
    pub components: Vec<(Id, ComponentStatus)>,
    pub started_at: Option<Millis>,
    /// Opened by detection for this channel (it manages it until the owner edits it).
    pub automatic_for: Option<Id>,
}

/// A change to an incident; `None` fields are left as they are.
#[derive(Clone, Debug, Default)]
pub struct IncidentChanges {
    pub name: Option<String>,
    pub status: Option<IncidentStatus>,
    pub impact_override: Option<Option<Impact>>,
    pub scheduled_for: Option<Millis>,
    pub scheduled_until: Option<Millis>,
    pub causes: Option<Option<String>>,
    pub measures: Option<Option<String>>,
    pub postmortem_body: Option<Option<String>>,
    pub component_ids: Option<Vec<Id>>,
    /// The update this change posts to the timeline, if any.
    pub update: Option<NewUpdate>,
    /// Written by detection; any other change means the owner took over and
    /// detection stops updating the incident.
    pub automatic: bool,
    /// Apply only while the incident still has this status (one instance among
    /// several wins a scheduled transition; the others change nothing).
    pub only_if_status: Option<IncidentStatus>,
}

/// A new timeline entry.
#[derive(Clone, Debug, Default)]
pub struct NewUpdate {
    pub body: String,
    pub deliver_notifications: bool,
    pub components: Vec<(Id, ComponentStatus)>,
}

fn incident(row: &AnyRow) -> Result<Incident> {
    let impact_override = opt_text(row, "impact_override")?
        .map(|s| Impact::parse(&s))
        .transpose()
        .map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
    Ok(Incident {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        status: parsed(row, "status", IncidentStatus::parse)?,
        impact: parsed(row, "impact", Impact::parse)?,
        impact_override,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        started_at: row.try_get("started_at")?,
        monitoring_at: opt_int(row, "monitoring_at")?,
        resolved_at: opt_int(row, "resolved_at")?,
        scheduled_for: opt_int(row, "scheduled_for")?,
        scheduled_until: opt_int(row, "scheduled_until")?,
        auto_transition: row.try_get::<i64, _>("auto_transition")? != 0,
        causes: opt_text(row, "causes")?,
        measures: opt_text(row, "measures")?,
        postmortem_body: opt_text(row, "postmortem_body")?,
        postmortem_published_at: opt_int(row, "postmortem_published_at")?,
        component_ids: Vec::new(),
        updates: Vec::new(),
        automatic: row.try_get::<i64, _>("automatic")? != 0,
        auto_managed: row.try_get::<i64, _>("auto_managed")? != 0,
    })
}

fn update(row: &AnyRow) -> Result<IncidentUpdate> {
    let affected: String = row.try_get("affected_components")?;
    Ok(IncidentUpdate {
        id: id(row, "id")?,
        incident_id: id(row, "incident_id")?,
        status: parsed(row, "status", IncidentStatus::parse)?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        display_at: row.try_get("display_at")?,
        deliver_notifications: row.try_get::<i64, _>("deliver_notifications")? != 0,
        affected_components: serde_json::from_str(&affected)
            .map_err(|e| super::StoreError::Corrupt(e.to_string()))?,
    })
}

impl Store {
    /// Incidents and maintenances created since `since` or still open, newest first,
    /// with their updates and channels.
    pub async fn incidents(&self, since: Millis) -> Result<Vec<Incident>> {
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents \
             WHERE created_at >= $1 OR status NOT IN ('resolved', 'postmortem', 'completed') \
             ORDER BY created_at DESC, id"
        );
        let rows = sqlx::query(&sql).bind(since).fetch_all(&self.pool).await?;
        let mut list: Vec<Incident> = rows.iter().map(incident).collect::<Result<_>>()?;
        self.attach_details(&mut list, since).await?;
        Ok(list)
    }

    /// One incident with its updates and channels.
    pub async fn incident(&self, incident_id: &Id) -> Result<Option<Incident>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(incident_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut list = vec![incident(&row)?];
        let created = list[0].created_at;
        self.attach_details(&mut list, created).await?;
        Ok(list.pop())
    }

    async fn attach_details(&self, list: &mut [Incident], since: Millis) -> Result<()> {
        if list.is_empty() {
            return Ok(());
        }
        let oldest = list.iter().map(|i| i.created_at).min().unwrap_or(since);
        let scope = "SELECT id FROM incidents WHERE created_at >= $1 \
                     OR status NOT IN ('resolved', 'postmortem', 'completed')";
        let updates = sqlx::query(&format!(
            "SELECT id, incident_id, status, body, created_at, updated_at, display_at, \
             deliver_notifications, affected_components FROM incident_updates \
             WHERE incident_id IN ({scope}) ORDER BY display_at DESC, created_at DESC"
        ))
        .bind(oldest)
        .fetch_all(&self.pool)
        .await?;
        let links = sqlx::query(&format!(
            "SELECT ic.incident_id, ic.component_id FROM incident_components ic \
             JOIN components c ON c.id = ic.component_id \
             WHERE ic.incident_id IN ({scope}) ORDER BY c.position, c.created_at"
        ))
        .bind(oldest)
        .fetch_all(&self.pool)
        .await?;
        let mut by_id: HashMap<Id, &mut Incident> =
            list.iter_mut().map(|i| (i.id.clone(), i)).collect();
        for row in &updates {
            let u = update(row)?;
            if let Some(i) = by_id.get_mut(&u.incident_id) {
                i.updates.push(u);
            }
        }
        for row in &links {
            if let Some(i) = by_id.get_mut(&id(row, "incident_id")?) {
                i.component_ids.push(id(row, "component_id")?);
            }
        }
        Ok(())
    }

    /// Creates an incident (or maintenance) with its first update, moving the
    /// named channels to their new status, all or nothing. Returns its id.
    pub async fn create_incident(&self, new: NewIncident, at: Millis) -> Result<Id> {
        let mut tx = self.write_tx().await?;
        let incident_id = Id::generate();
        let maintenance = new.scheduled_for.is_some();
        let status = new.status.unwrap_or(if maintenance {
            IncidentStatus::Scheduled
        } else {
            IncidentStatus::Investigating
        });
        let impact = if maintenance {
            Impact::Maintenance
        } else {
            new.impact_override
                .unwrap_or_else(|| derive_impact(new.components.iter().map(|(_, s)| s)))
        };
        sqlx::query(
            "INSERT INTO incidents (id, name, status, impact, impact_override, created_at, \
             updated_at, started_at, monitoring_at, resolved_at, scheduled_for, scheduled_until, \
             auto_transition, causes, measures, automatic, auto_channel_id, auto_managed) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15)",
        )
        .bind(incident_id.as_str())
        .bind(&new.name)
        .bind(status.as_str())
        .bind(impact.as_str())
        .bind(new.impact_override.map(Impact::as_str))
        .bind(at)
        .bind(new.started_at.unwrap_or(at))
        .bind((status == IncidentStatus::Monitoring).then_some(at))
        .bind(status.is_closed().then_some(at))
        .bind(new.scheduled_for)
        .bind(new.scheduled_until)
        .bind(new.auto_transition as i64)
        .bind(new.causes.as_deref())
        .bind(new.measures.as_deref())
        .bind(i64::from(new.automatic_for.is_some()))
        .bind(new.automatic_for.as_ref().map(Id::as_str))
        .execute(&mut *tx)
        .await?;
        let mut linked = new.component_ids.clone();
        linked.extend(new.components.iter().map(|(c, _)| c.clone()));
        link_components(&mut tx, &incident_id, &linked).await?;
        let first = NewUpdate {
            body: new.body,
            deliver_notifications: new.deliver_notifications,
            components: new.components,
        };
        insert_update(&mut tx, &incident_id, status, first, at).await?;
        tx.commit().await?;
        Ok(incident_id)
    }

    /// Applies changes to an incident, posting an update to its timeline when
    /// the status changes or a body is given. Returns false if it does not exist
    /// (or no longer has the status `only_if_status` requires).
    pub async fn update_incident(
        &self,
        incident_id: &Id,
        changes: IncidentChanges,
        at: Millis,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        if let Some(expected) = changes.only_if_status {
            // Claims the row (it stays locked until commit on PostgreSQL; SQLite
            // runs one writer at a time): a concurrent claim finds nothing to do.
            let claimed =
                sqlx::query("UPDATE incidents SET updated_at = $3 WHERE id = $1 AND status = $2")
                    .bind(incident_id.as_str())
                    .bind(expected.as_str())
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            if claimed.rows_affected() == 0 {
                return Ok(false);
            }
        }
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1");
        let Some(row) = sqlx::query(&sql)
            .bind(incident_id.as_str())
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(false);
        };
        let mut current = incident(&row)?;
        if let Some(name) = changes.name {
            current.name = name;
        }
        let status_changed = changes.status.is_some_and(|s| s != current.status);
        if let Some(status) = changes.status {
            if status == IncidentStatus::Monitoring && current.monitoring_at.is_none() {
                current.monitoring_at = Some(at);
            }
            if status.is_closed() && current.resolved_at.is_none() {
                current.resolved_at = Some(at);
            }
            if !status.is_closed() {
                current.resolved_at = None;
            }
            if status == IncidentStatus::Postmortem && current.postmortem_body.is_some() {
                current.postmortem_published_at = Some(at);
            }
            current.status = status;
        }
        if let Some(o) = changes.impact_override {
            current.impact_override = o;
        }
        if let Some(v) = changes.scheduled_for {
            current.scheduled_for = Some(v);
        }
        if let Some(v) = changes.scheduled_until {
            current.scheduled_until = Some(v);
        }
        if let Some(v) = changes.causes {
            current.causes = v;
        }
        if let Some(v) = changes.measures {
            current.measures = v;
        }
        if let Some(v) = changes.postmortem_body {
            if v.is_some() && current.status == IncidentStatus::Postmortem {
                current.postmortem_published_at = Some(at);
            }
            current.postmortem_body = v;
        }
        if let Some(ids) = &changes.component_ids {
            sqlx::query("DELETE FROM incident_components WHERE incident_id = $1")
                .bind(incident_id.as_str())
                .execute(&mut *tx)
                .await?;
            link_components(&mut tx, incident_id, ids).await?;
        }
        let update = match changes.update {
            Some(u) => Some(u),
            None if status_changed => Some(NewUpdate::default()),
            None => None,
        };
        if let Some(u) = &update {
            let ids: Vec<Id> = u.components.iter().map(|(c, _)| c.clone()).collect();
            link_components(&mut tx, incident_id, &ids).await?;
            if !current.is_maintenance()
                && current.impact_override.is_none()
                && !u.components.is_empty()
            {
                let derived = derive_impact(u.components.iter().map(|(_, s)| s));
                if derived.severity() > current.impact.severity() {
                    current.impact = derived;
                }
            }
        }
        if let Some(o) = current.impact_override {
            current.impact = o;
        }
        sqlx::query(
            "UPDATE incidents SET name = $2, status = $3, impact = $4, impact_override = $5, \
             updated_at = $6, monitoring_at = $7, resolved_at = $8, scheduled_for = $9, \
             scheduled_until = $10, causes = $11, measures = $12, postmortem_body = $13, \
             postmortem_published_at = $14, \
             auto_managed = CASE WHEN $15 = 1 THEN auto_managed ELSE 0 END WHERE id = $1",
        )
        .bind(incident_id.as_str())
        .bind(&current.name)
        .bind(current.status.as_str())
        .bind(current.impact.as_str())
        .bind(current.impact_override.map(Impact::as_str))
        .bind(at)
        .bind(current.monitoring_at)
        .bind(current.resolved_at)
        .bind(current.scheduled_for)
        .bind(current.scheduled_until)
        .bind(current.causes.as_deref())
        .bind(current.measures.as_deref())
        .bind(current.postmortem_body.as_deref())
        .bind(current.postmortem_published_at)
        .bind(i64::from(changes.automatic))
        .execute(&mut *tx)
        .await?;
        if let Some(u) = update {
            insert_update(&mut tx, incident_id, current.status, u, at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Edits the text or display time of one update; false if it does not exist.
    pub async fn edit_update(
        &self,
        incident_id: &Id,
        update_id: &Id,
        body: Option<&str>,
        display_at: Option<Millis>,
        deliver_notifications: Option<bool>,
        at: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE incident_updates SET body = COALESCE($3, body), \
             display_at = COALESCE($4, display_at), \
             deliver_notifications = COALESCE($5, deliver_notifications), updated_at = $6 \
             WHERE id = $1 AND incident_id = $2",
        )
        .bind(update_id.as_str())
        .bind(incident_id.as_str())
        .bind(body)
        .bind(display_at)
        .bind(deliver_notifications.map(|b| b as i64))
        .bind(at)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        // Editing the timeline is the owner taking over from detection.
        sqlx::query("UPDATE incidents SET auto_managed = 0 WHERE id = $1")
            .bind(incident_id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    /// The open incident detection opened for a channel, if any.
    pub async fn open_automatic_incident(&self, channel_id: &Id) -> Result<Option<Incident>> {
        let row = sqlx::query(
            "SELECT id FROM incidents WHERE automatic = 1 AND auto_channel_id = $1 \
             AND status NOT IN ('resolved', 'postmortem', 'completed') ORDER BY created_at DESC",
        )
        .bind(channel_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => self.incident(&id(&r, "id")?).await,
            None => Ok(None),
        }
    }

    /// Deletes an incident; false when it did not exist.
    pub async fn delete_incident(&self, incident_id: &Id) -> Result<bool> {
        let done = sqlx::query("DELETE FROM incidents WHERE id = $1")
            .bind(incident_id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

async fn link_components(
    tx: &mut Transaction<'_, Any>,
    incident_id: &Id,
    ids: &[Id],
) -> Result<()> {
    for component_id in ids {
        sqlx::query(
            "INSERT INTO incident_components (incident_id, component_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(incident_id.as_str())
        .bind(component_id.as_str())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert_update(
    tx: &mut Transaction<'_, Any>,
    incident_id: &Id,
    status: IncidentStatus,
    new: NewUpdate,
    at: Millis,
) -> Result<()> {
    let mut affected = Vec::new();
    for (component_id, new_status) in &new.components {
        let Some(old_status) = status_of(tx, component_id).await? else {
            continue;
        };
        let name: String = sqlx::query("SELECT name FROM components WHERE id = $1")
            .bind(component_id.as_str())
            .fetch_one(&mut **tx)
            .await?
            .try_get("name")?;
        if old_status != *new_status {
            set_status(tx, component_id, *new_status, at).await?;
        }
        affected.push(AffectedComponent {
            code: component_id.to_string(),
            name,
            old_status,
            new_status: *new_status,
        });
    }
    let affected =
        serde_json::to_string(&affected).map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
    let update_id = Id::generate();
    if new.deliver_notifications {
        // The broadcast is recorded with the update, so that neither exists
        // without the other, whatever happens next.
        super::reach::record_broadcast(tx, incident_id, &update_id, at).await?;
    }
    sqlx::query(
        "INSERT INTO incident_updates (id, incident_id, status, body, created_at, updated_at, \
         display_at, deliver_notifications, affected_components) \
         VALUES ($1, $2, $3, $4, $5, $5, $5, $6, $7)",
    )
    .bind(update_id.as_str())
    .bind(incident_id.as_str())
    .bind(status.as_str())
    .bind(&new.body)
    .bind(at)
    .bind(new.deliver_notifications as i64)
    .bind(affected)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
