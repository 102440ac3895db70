//! Subscribers, broadcasts and their deliveries: the durable outbox that
//! survives a crash in the middle of telling 100,000 people.

use super::{id, opt_text, Backend, Result, Store, StoreError};
use crate::domain::subscriber::{Kind, State, Subscriber};
use crate::domain::time::Millis;
use crate::domain::{Id, Lang};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// A delivery a worker holds until its lease ends.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub broadcast_id: Id,
    pub attempts: u32,
    pub subscriber: Subscriber,
}

/// How far a broadcast has gone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: i64,
    pub sent: i64,
    pub pending: i64,
    pub failed: i64,
}

/// Records a broadcast for an update, inside the transaction writing it.
pub(super) async fn record_broadcast(
    tx: &mut Transaction<'_, Any>,
    incident_id: &Id,
    update_id: &Id,
    at: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO broadcasts (id, event, incident_id, update_id, state, created_at) \
         VALUES ($1, '', $2, $3, 'new', $4)",
    )
    .bind(Id::generate().as_str())
    .bind(incident_id.as_str())
    .bind(update_id.as_str())
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const SUBSCRIBER_COLUMNS: &str =
    "s.id, s.kind, s.address, s.lang, s.secret, s.config, s.state, s.all_channels, \
    s.interests, s.consent_at, s.consent_source, s.consent_wording, s.created_at, s.confirmed_at";

fn subscriber(row: &AnyRow) -> Result<Subscriber> {
    let text = |col: &str| -> Result<String> { Ok(row.try_get::<String, _>(col)?) };
    let corrupt = |col: &str, v: String| StoreError::Corrupt(format!("{col}={v}"));
    let kind = text("kind")?;
    let state = text("state")?;
    let lang = text("lang")?;
    Ok(Subscriber {
        id: id(row, "id")?,
        kind: Kind::parse(&kind).ok_or_else(|| corrupt("kind", kind.clone()))?,
        address: text("address")?,
        lang: Lang::parse(&lang).ok_or_else(|| corrupt("lang", lang.clone()))?,
        secret: opt_text(row, "secret")?,
        config: opt_text(row, "config")?,
        state: State::parse(&state).ok_or_else(|| corrupt("state", state.clone()))?,
        all_channels: row.try_get::<i64, _>("all_channels")? != 0,
        channels: Vec::new(),
        interests: text("interests")?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        consent_at: row.try_get("consent_at")?,
        consent_source: opt_text(row, "consent_source")?,
        consent_wording: opt_text(row, "consent_wording")?,
        created_at: row.try_get("created_at")?,
        confirmed_at: row.try_get("confirmed_at")?,
    })
}

impl Store {
    /// Stores a new subscriber with the channels they follow.
    pub async fn insert_subscriber(&self, s: &Subscriber) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO subscribers (id, kind, address, lang, secret, state, all_channels, interests, \
             consent_at, consent_source, consent_wording, created_at, confirmed_at, config) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(s.id.as_str())
        .bind(s.kind.as_str())
        .bind(s.address.as_str())
        .bind(s.lang.code())
        .bind(s.secret.as_deref())
        .bind(s.state.as_str())
        .bind(i64::from(s.all_channels))
        .bind(s.interests.join(","))
        .bind(s.consent_at)
        .bind(s.consent_source.as_deref())
        .bind(s.consent_wording.as_deref())
        .bind(s.created_at)
        .bind(s.confirmed_at)
        .bind(s.config.as_deref())
        .execute(&mut *tx)
        .await?;
        for channel in &s.channels {
            sqlx::query(
                "INSERT INTO subscriber_channels (subscriber_id, channel_id) VALUES ($1, $2)",
            )
            .bind(s.id.as_str())
            .bind(channel.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Subscribers of one kind (all kinds when None), newest first, without
    /// the unsubscribed unless asked.
    pub async fn subscribers(
        &self,
        kind: Option<Kind>,
        with_unsubscribed: bool,
    ) -> Result<Vec<Subscriber>> {
        let sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s \
             WHERE ($1 = '' OR s.kind = $1) AND ($2 = 1 OR s.state <> 'unsubscribed') \
             ORDER BY s.created_at DESC, s.id"
        );
        let rows = sqlx::query(&sql)
            .bind(kind.map(Kind::as_str).unwrap_or(""))
            .bind(i64::from(with_unsubscribed))
            .fetch_all(&self.pool)
            .await?;
        let mut list: Vec<Subscriber> = rows.iter().map(subscriber).collect::<Result<_>>()?;
        let links = sqlx::query("SELECT subscriber_id, channel_id FROM subscriber_channels")
            .fetch_all(&self.pool)
            .await?;
        for link in &links {
            let sid = id(link, "subscriber_id")?;
            if let Some(s) = list.iter_mut().find(|s| s.id == sid) {
                s.channels.push(id(link, "channel_id")?);
            }
        }
        Ok(list)
    }

    /// One subscriber with their channels.
    pub async fn subscriber(&self, subscriber_id: &Id) -> Result<Option<Subscriber>> {
        let sql = format!("SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.id = $1");
        let Some(row) = sqlx::query(&sql)
            .bind(subscriber_id.as_str())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut s = subscriber(&row)?;
        let links =
            sqlx::query("SELECT channel_id FROM subscriber_channels WHERE subscriber_id = $1")
                .bind(subscriber_id.as_str())
                .fetch_all(&self.pool)
                .await?;
        s.channels = links
            .iter()
            .map(|r| id(r, "channel_id"))
            .collect::<Result<_>>()?;
        Ok(Some(s))
    }

    /// Moves a subscriber to `state`; false if there is no such subscriber.
    pub async fn set_subscriber_state(
        &self,
        subscriber_id: &Id,
        state: State,
        at: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE subscribers SET state = $1, \
             confirmed_at = CASE WHEN $1 = 'confirmed' THEN $2 ELSE confirmed_at END, \
             unsubscribed_at = CASE WHEN $1 = 'unsubscribed' THEN $2 ELSE unsubscribed_at END \
             WHERE id = $3",
        )
        .bind(state.as_str())
        .bind(at)
        .bind(subscriber_id.as_str())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Broadcasts recorded but not yet fanned out, oldest first.
    pub async fn new_broadcasts(&self, limit: i64) -> Result<Vec<(Id, Id, Id)>> {
        let rows = sqlx::query(
            "SELECT id, incident_id, update_id FROM broadcasts WHERE state = 'new' \
             ORDER BY created_at, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((id(r, "id")?, id(r, "incident_id")?, id(r, "update_id")?)))
            .collect()
    }

    /// Writes one pending delivery per confirmed subscriber interested in
    /// `interest` and following one of `channels` (or every channel), and marks
    /// the broadcast ready, all at once. Running it twice adds nothing.
    pub async fn fan_out(
        &self,
        broadcast_id: &Id,
        event: &str,
        interest: &str,
        channels: &[Id],
        at: Millis,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let claimed =
            sqlx::query("UPDATE broadcasts SET event = $1 WHERE id = $2 AND state = 'new'")
                .bind(event)
                .bind(broadcast_id.as_str())
                .execute(&mut *tx)
                .await?;
        if claimed.rows_affected() == 0 {
            return Ok(0);
        }
        let list = channels
            .iter()
            .map(|c| format!("'{}'", c.as_str()))
            .collect::<Vec<_>>()
            .join(",");
        // Ids are [0-9a-z_-] only (checked by Id), so they are safe inline.
        let follows = if list.is_empty() {
            "s.all_channels = 1".to_string()
        } else {
            format!(
                "(s.all_channels = 1 OR EXISTS (SELECT 1 FROM subscriber_channels c \
                 WHERE c.subscriber_id = s.id AND c.channel_id IN ({list})))"
            )
        };
        let sql = format!(
            "INSERT INTO deliveries (broadcast_id, subscriber_id, state, attempts, next_at) \
             SELECT $1, s.id, 'pending', 0, $2 FROM subscribers s \
             WHERE s.state = 'confirmed' AND (',' || s.interests || ',') LIKE $3 AND {follows}"
        );
        let total = sqlx::query(&sql)
            .bind(broadcast_id.as_str())
            .bind(at)
            .bind(format!("%,{interest},%"))
            .execute(&mut *tx)
            .await?
            .rows_affected() as i64;
        sqlx::query("UPDATE broadcasts SET state = 'ready', total = $1 WHERE id = $2")
            .bind(total)
            .bind(broadcast_id.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(total)
    }

    /// Leases up to `limit` due deliveries to `worker` until `lease_until`.
    pub async fn claim_deliveries(
        &self,
        worker: &str,
        now: Millis,
        lease_until: Millis,
        limit: i64,
    ) -> Result<Vec<Claimed>> {
        // Most of the time nothing is due: look before taking the write lock.
        let due = sqlx::query(
            "SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= $1 \
             AND (lease_until IS NULL OR lease_until < $1) LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE deliveries SET lease_until = $1, leased_by = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= $3 \
             AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_at, id LIMIT $4{lock}) \
             AND state = 'pending' AND (lease_until IS NULL OR lease_until < $3) \
             RETURNING id, broadcast_id, subscriber_id, attempts"
        );
        let rows = sqlx::query(&sql)
            .bind(lease_until)
            .bind(worker)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>("subscriber_id"))
            .collect::<std::result::Result<_, _>>()?;
        let sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.id IN ({})",
            ids.iter()
                .filter(|i| Id::parse(i).is_some())
                .map(|i| format!("'{i}'"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let subs: std::collections::HashMap<Id, Subscriber> = sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| subscriber(r).map(|s| (s.id.clone(), s)))
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let sid = id(r, "subscriber_id")?;
            if let Some(s) = subs.get(&sid) {
                out.push(Claimed {
                    id: r.try_get("id")?,
                    broadcast_id: id(r, "broadcast_id")?,
                    attempts: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
                    subscriber: s.clone(),
                });
            }
        }
        Ok(out)
    }

    /// Records the outcome of deliveries, in one transaction: `(id, outcome)`.
    pub async fn settle_deliveries(&self, outcomes: &[(i64, Settled)], at: Millis) -> Result<()> {
        let mut tx = self.write_tx().await?;
        // The sent ones all end alike: one statement for a whole batch.
        let sent: Vec<String> = outcomes
            .iter()
            .filter(|(_, o)| *o == Settled::Sent)
            .map(|(d, _)| d.to_string())
            .collect();
        if !sent.is_empty() {
            sqlx::query(&format!(
                "UPDATE deliveries SET state = 'sent', next_at = $1, last_error = NULL, \
                 lease_until = NULL, sent_at = $1 WHERE id IN ({})",
                sent.join(",")
            ))
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        for (delivery, outcome) in outcomes {
            let (state, next_at, error) = match outcome {
                Settled::Sent => continue,
                Settled::Retry { at, error } => ("pending", *at, Some(error.as_str())),
                Settled::Failed { error } => ("failed", at, Some(error.as_str())),
            };
            sqlx::query(
                "UPDATE deliveries SET state = $1, next_at = $2, last_error = $3, lease_until = NULL \
                 WHERE id = $4",
            )
            .bind(state)
            .bind(next_at)
            .bind(error)
            .bind(*delivery)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sent, pending and failed deliveries of a broadcast.
    pub async fn progress(&self, broadcast_id: &Id) -> Result<Progress> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM deliveries WHERE broadcast_id = $1 GROUP BY state",
        )
        .bind(broadcast_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut p = Progress::default();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            match r.try_get::<String, _>("state")?.as_str() {
                "sent" => p.sent = n,
                "failed" => p.failed = n,
                _ => p.pending += n,
            }
        }
        p.total = p.sent + p.pending + p.failed;
        Ok(p)
    }

    /// A broadcast's incident, update and event.
    pub async fn broadcast(&self, broadcast_id: &Id) -> Result<Option<(Id, Id, String)>> {
        let row = sqlx::query("SELECT incident_id, update_id, event FROM broadcasts WHERE id = $1")
            .bind(broadcast_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok((
                id(&r, "incident_id")?,
                id(&r, "update_id")?,
                r.try_get("event")?,
            ))
        })
        .transpose()
    }

    /// Makes the outlets exactly `wanted` (`label`, language, JSON config):
    /// matched by label, the others removed.
    pub async fn sync_outlets(&self, wanted: &[(String, Lang, String)], at: Millis) -> Result<()> {
        let existing = self.subscribers(Some(Kind::Outlet), true).await?;
        for (label, lang, config) in wanted {
            match existing.iter().find(|s| s.address == *label) {
                Some(s) => {
                    sqlx::query(
                        "UPDATE subscribers SET config = $1, lang = $2, state = 'confirmed' WHERE id = $3",
                    )
                    .bind(config.as_str())
                    .bind(lang.code())
                    .bind(s.id.as_str())
                    .execute(&self.pool)
                    .await?;
                }
                None => {
                    self.insert_subscriber(&Subscriber {
                        id: Id::generate(),
                        kind: Kind::Outlet,
                        address: label.clone(),
                        lang: *lang,
                        secret: None,
                        config: Some(config.clone()),
                        state: State::Confirmed,
                        all_channels: true,
                        channels: Vec::new(),
                        interests: vec!["incidents".into()],
                        consent_at: Some(at),
                        consent_source: Some("config".into()),
                        consent_wording: None,
                        created_at: at,
                        confirmed_at: Some(at),
                    })
                    .await?
                }
            }
        }
        for s in existing
            .iter()
            .filter(|s| !wanted.iter().any(|(l, _, _)| *l == s.address))
        {
            sqlx::query("DELETE FROM subscribers WHERE id = $1")
                .bind(s.id.as_str())
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Broadcasts of an incident, oldest first: `(id, event)`.
    pub async fn broadcasts_of(&self, incident_id: &Id) -> Result<Vec<(Id, String)>> {
        let rows = sqlx::query(
            "SELECT id, event FROM broadcasts WHERE incident_id = $1 ORDER BY created_at, id",
        )
        .bind(incident_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((id(r, "id")?, r.try_get("event")?)))
            .collect()
    }
}

/// What became of one delivery attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Settled {
    Sent,
    /// Try again at `at`.
    Retry {
        at: Millis,
        error: String,
    },
    /// Given up: visible in the dead-letter list.
    Failed {
        error: String,
    },
}
