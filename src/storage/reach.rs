//! Subscribers, broadcasts and their deliveries: the durable outbox that
//! survives a crash in the middle of telling 100,000 people.

use super::{id, opt_text, Backend, Result, Store, StoreError};
use crate::domain::subscriber::{Kind, Segment, State, Subscriber};
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
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub total: i64,
    pub sent: i64,
    pub pending: i64,
    pub failed: i64,
    /// Not sent on purpose (a push frequency cap).
    pub skipped: i64,
}

impl Progress {
    fn add(&mut self, state: &str, n: i64) {
        match state {
            "sent" => self.sent += n,
            "failed" => self.failed += n,
            "skipped" => self.skipped += n,
            _ => self.pending += n,
        }
        self.total += n;
    }
}

/// A recorded broadcast: an incident update, or an announcement the owner
/// wrote (with its own message and segment).
#[derive(Clone, Debug)]
pub struct Broadcast {
    pub id: Id,
    /// `incident_created`, …, `announcement`; empty until fanned out.
    pub event: String,
    pub incident_id: Option<Id>,
    pub update_id: Option<Id>,
    /// The announcement's message, as JSON.
    pub message: Option<String>,
    pub segment: Option<Segment>,
    pub urgent: bool,
    pub created_at: Millis,
    /// The incident's name, or the announcement's title: what the admin lists.
    pub label: String,
}

/// A delivery given up, as the dead-letter list shows it.
#[derive(Clone, Debug)]
pub struct DeadLetter {
    pub id: i64,
    pub broadcast_id: Id,
    pub kind: Kind,
    pub address: String,
    pub attempts: i64,
    pub error: String,
    pub at: Millis,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub added: Vec<Id>,
    /// Addresses already known, left as they were (an unsubscribed person
    /// is never subscribed again by an import).
    pub existing: usize,
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

/// Inserts a subscriber and the channels they follow (`conflict` is an
/// `ON CONFLICT` clause or empty); false when the clause skipped the row.
async fn insert_row(tx: &mut Transaction<'_, Any>, s: &Subscriber, conflict: &str) -> Result<bool> {
    let sql = format!(
        "INSERT INTO subscribers (id, kind, address, lang, secret, state, all_channels, interests, \
         consent_at, consent_source, consent_wording, created_at, confirmed_at, config) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14){conflict}"
    );
    let done = sqlx::query(&sql)
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
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    insert_channels(tx, s).await?;
    Ok(true)
}

/// Links a subscriber to the channels they follow.
async fn insert_channels(tx: &mut Transaction<'_, Any>, s: &Subscriber) -> Result<()> {
    for channel in &s.channels {
        sqlx::query("INSERT INTO subscriber_channels (subscriber_id, channel_id) VALUES ($1, $2)")
            .bind(s.id.as_str())
            .bind(channel.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The SQL condition on `subscribers s` selecting a segment's confirmed
/// recipients; the interest pattern (`%,name,%`) is bound as `interest`.
fn audience(segment: &Segment, interest: &str) -> String {
    // Ids are [0-9a-z_-] only (checked by Id), kinds and languages are
    // fixed spellings: all are safe inline.
    let quoted = |items: Vec<&str>| {
        items
            .iter()
            .map(|i| format!("'{i}'"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let channels = quoted(segment.channels.iter().map(Id::as_str).collect());
    let follows = if channels.is_empty() {
        "1 = 1".to_string()
    } else {
        format!(
            "(s.all_channels = 1 OR EXISTS (SELECT 1 FROM subscriber_channels c \
             WHERE c.subscriber_id = s.id AND c.channel_id IN ({channels})))"
        )
    };
    let kinds = quoted(segment.kinds.iter().map(|k| k.as_str()).collect());
    let kinds = if kinds.is_empty() {
        "''".to_string()
    } else {
        kinds
    };
    let lang = match segment.lang {
        Some(l) => format!("s.lang = '{}'", l.code()),
        None => "1 = 1".to_string(),
    };
    format!(
        "s.state = 'confirmed' AND s.kind IN ({kinds}) AND {lang} \
         AND (s.kind = 'outlet' OR (',' || s.interests || ',') LIKE {interest}) AND {follows}"
    )
}

const BROADCAST_COLUMNS: &str = "b.id, b.event, b.incident_id, b.update_id, b.message, b.segment, \
    b.urgent, b.created_at, COALESCE(i.name, '') AS incident_name";

fn broadcast(row: &AnyRow) -> Result<Broadcast> {
    let opt_id =
        |col: &str| -> Result<Option<Id>> { Ok(opt_text(row, col)?.and_then(|t| Id::parse(&t))) };
    let message = opt_text(row, "message")?;
    let label = match message
        .as_deref()
        .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
    {
        Some(m) => m["title"].as_str().unwrap_or_default().to_string(),
        None => row.try_get("incident_name")?,
    };
    Ok(Broadcast {
        id: id(row, "id")?,
        event: row.try_get("event")?,
        incident_id: opt_id("incident_id")?,
        update_id: opt_id("update_id")?,
        message,
        segment: opt_text(row, "segment")?.and_then(|t| Segment::from_json(&t)),
        urgent: row.try_get::<i64, _>("urgent")? != 0,
        created_at: row.try_get("created_at")?,
        label,
    })
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
        insert_row(&mut tx, s, "").await?;
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
        let at: std::collections::HashMap<Id, usize> = list
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let links = sqlx::query("SELECT subscriber_id, channel_id FROM subscriber_channels")
            .fetch_all(&self.pool)
            .await?;
        for link in &links {
            if let Some(i) = at.get(&id(link, "subscriber_id")?) {
                list[*i].channels.push(id(link, "channel_id")?);
            }
        }
        Ok(list)
    }

    /// The latest `limit` subscribers of `kind`, newest first, whatever
    /// their state (without their channels).
    pub async fn latest_subscribers(&self, kind: Kind, limit: i64) -> Result<Vec<Subscriber>> {
        let sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.kind = $1 \
             ORDER BY s.created_at DESC, s.id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(kind.as_str())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(subscriber).collect()
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

    /// The subscriber of `kind` at `address`, whatever their state.
    pub async fn subscriber_by_address(
        &self,
        kind: Kind,
        address: &str,
    ) -> Result<Option<Subscriber>> {
        let row = sqlx::query("SELECT id FROM subscribers WHERE kind = $1 AND address = $2")
            .bind(kind.as_str())
            .bind(address)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => self.subscriber(&id(&r, "id")?).await,
            None => Ok(None),
        }
    }

    /// Saves what a subscriber chose on their preferences page: language,
    /// channels (all, or the given ones) and interests.
    pub async fn set_preferences(&self, s: &Subscriber) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE subscribers SET lang = $1, all_channels = $2, interests = $3 WHERE id = $4",
        )
        .bind(s.lang.code())
        .bind(i64::from(s.all_channels))
        .bind(s.interests.join(","))
        .bind(s.id.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM subscriber_channels WHERE subscriber_id = $1")
            .bind(s.id.as_str())
            .execute(&mut *tx)
            .await?;
        insert_channels(&mut tx, s).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds the subscribers whose address is not known yet, in one
    /// transaction; known addresses are left exactly as they are.
    pub async fn import_subscribers(&self, list: &[Subscriber]) -> Result<Imported> {
        let mut tx = self.write_tx().await?;
        let mut out = Imported::default();
        for s in list {
            let added = insert_row(&mut tx, s, " ON CONFLICT (kind, address) DO NOTHING").await?;
            if !added {
                out.existing += 1;
                continue;
            }
            out.added.push(s.id.clone());
        }
        tx.commit().await?;
        Ok(out)
    }

    /// How many subscribers there are, by kind and state.
    pub async fn subscriber_counts(&self) -> Result<Vec<(Kind, State, i64)>> {
        let rows = sqlx::query(
            "SELECT kind, state, COUNT(*) AS n FROM subscribers GROUP BY kind, state ORDER BY kind, state",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let (kind, state): (String, String) = (r.try_get("kind")?, r.try_get("state")?);
            if let (Some(k), Some(s)) = (Kind::parse(&kind), State::parse(&state)) {
                out.push((k, s, r.try_get("n")?));
            }
        }
        Ok(out)
    }

    /// Deletes a subscriber and their deliveries; false if there was none.
    pub async fn delete_subscriber(&self, subscriber_id: &Id) -> Result<bool> {
        let done = sqlx::query("DELETE FROM subscribers WHERE id = $1")
            .bind(subscriber_id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
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

    /// Records an announcement the owner wrote: its message (JSON) goes to
    /// `segment` once fanned out.
    pub async fn record_announcement(
        &self,
        message: &str,
        segment: &Segment,
        at: Millis,
    ) -> Result<Id> {
        let broadcast_id = Id::generate();
        sqlx::query(
            "INSERT INTO broadcasts (id, event, message, segment, state, created_at) \
             VALUES ($1, 'announcement', $2, $3, 'new', $4)",
        )
        .bind(broadcast_id.as_str())
        .bind(message)
        .bind(segment.to_json())
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(broadcast_id)
    }

    /// How many confirmed recipients of each kind `segment` reaches now.
    pub async fn segment_size(&self, segment: &Segment) -> Result<Vec<(Kind, i64)>> {
        let sql = format!(
            "SELECT s.kind, COUNT(*) AS n FROM subscribers s WHERE {} \
             GROUP BY s.kind ORDER BY s.kind",
            audience(segment, "$1")
        );
        let rows = sqlx::query(&sql)
            .bind(format!("%,{},%", segment.interest))
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            if let Some(k) = Kind::parse(&r.try_get::<String, _>("kind")?) {
                out.push((k, r.try_get("n")?));
            }
        }
        Ok(out)
    }

    /// Broadcasts recorded but not yet fanned out, oldest first.
    pub async fn new_broadcasts(&self, limit: i64) -> Result<Vec<Broadcast>> {
        let sql = format!(
            "SELECT {BROADCAST_COLUMNS} FROM broadcasts b LEFT JOIN incidents i ON i.id = b.incident_id \
             WHERE b.state = 'new' ORDER BY b.created_at, b.id LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(broadcast).collect()
    }

    /// Writes one delivery per confirmed subscriber in `segment` and marks
    /// the broadcast ready, all at once; running it twice adds nothing. A
    /// push subscription that already had `push_cap` non-urgent messages in
    /// the last 24 hours gets a skipped delivery instead (0: no cap).
    pub async fn fan_out(
        &self,
        broadcast_id: &Id,
        event: &str,
        segment: &Segment,
        urgent: bool,
        push_cap: u32,
        at: Millis,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let claimed = sqlx::query(
            "UPDATE broadcasts SET event = $1, urgent = $2 WHERE id = $3 AND state = 'new'",
        )
        .bind(event)
        .bind(i64::from(urgent))
        .bind(broadcast_id.as_str())
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(0);
        }
        let audience = audience(segment, "$3");
        let state = if urgent || push_cap == 0 {
            "'pending'".to_string()
        } else {
            format!(
                "CASE WHEN s.kind = 'push' AND (SELECT COUNT(*) FROM deliveries d \
                 JOIN broadcasts p ON p.id = d.broadcast_id WHERE d.subscriber_id = s.id \
                 AND p.urgent = 0 AND p.created_at > {since} AND d.state IN ('sent', 'pending')) \
                 >= {push_cap} THEN 'skipped' ELSE 'pending' END",
                since = at - 86_400_000,
            )
        };
        let sql = format!(
            "INSERT INTO deliveries (broadcast_id, subscriber_id, state, attempts, next_at) \
             SELECT $1, s.id, {state}, 0, $2 FROM subscribers s WHERE {audience}"
        );
        let total = sqlx::query(&sql)
            .bind(broadcast_id.as_str())
            .bind(at)
            .bind(format!("%,{},%", segment.interest))
            .execute(&mut *tx)
            .await?
            .rows_affected() as i64;
        sqlx::query(
            "UPDATE deliveries SET last_error = 'frequency cap' \
             WHERE broadcast_id = $1 AND state = 'skipped'",
        )
        .bind(broadcast_id.as_str())
        .execute(&mut *tx)
        .await?;
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
            let (state, next_at, error, used) = match outcome {
                Settled::Sent => continue,
                Settled::Retry { at, error } => ("pending", *at, Some(error.as_str()), 0i64),
                // The lease counted an attempt that was not made.
                Settled::Postponed { at, error } => ("pending", *at, Some(error.as_str()), 1i64),
                Settled::Failed { error } => ("failed", at, Some(error.as_str()), 0i64),
            };
            sqlx::query(
                "UPDATE deliveries SET state = $1, next_at = $2, last_error = $3, lease_until = NULL, \
                 attempts = attempts - $4 WHERE id = $5",
            )
            .bind(state)
            .bind(next_at)
            .bind(error)
            .bind(used)
            .bind(*delivery)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sent, pending, failed and skipped deliveries of a broadcast.
    pub async fn progress(&self, broadcast_id: &Id) -> Result<Progress> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM deliveries WHERE broadcast_id = $1 GROUP BY state",
        )
        .bind(broadcast_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut p = Progress::default();
        for r in &rows {
            p.add(&r.try_get::<String, _>("state")?, r.try_get("n")?);
        }
        Ok(p)
    }

    /// The progress of `broadcast_id` by kind of recipient.
    pub async fn progress_by_kind(&self, broadcast_id: &Id) -> Result<Vec<(Kind, Progress)>> {
        let rows = sqlx::query(
            "SELECT s.kind, d.state, COUNT(*) AS n FROM deliveries d \
             JOIN subscribers s ON s.id = d.subscriber_id WHERE d.broadcast_id = $1 \
             GROUP BY s.kind, d.state",
        )
        .bind(broadcast_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<(Kind, Progress)> = Vec::new();
        for r in &rows {
            let kind = r.try_get::<String, _>("kind")?;
            let Some(kind) = Kind::parse(&kind) else {
                continue;
            };
            let i = match out.iter().position(|(k, _)| *k == kind) {
                Some(i) => i,
                None => {
                    out.push((kind, Progress::default()));
                    out.len() - 1
                }
            };
            out[i]
                .1
                .add(&r.try_get::<String, _>("state")?, r.try_get("n")?);
        }
        out.sort_by_key(|(k, _)| k.as_str());
        Ok(out)
    }

    /// One broadcast.
    pub async fn broadcast(&self, broadcast_id: &Id) -> Result<Option<Broadcast>> {
        let sql = format!(
            "SELECT {BROADCAST_COLUMNS} FROM broadcasts b LEFT JOIN incidents i ON i.id = b.incident_id \
             WHERE b.id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(broadcast_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(broadcast).transpose()
    }

    /// The latest broadcasts, newest first, with their progress.
    pub async fn recent_broadcasts(&self, limit: i64) -> Result<Vec<(Broadcast, Progress)>> {
        let sql = format!(
            "SELECT {BROADCAST_COLUMNS} FROM broadcasts b LEFT JOIN incidents i ON i.id = b.incident_id \
             ORDER BY b.created_at DESC, b.id DESC LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        let list: Vec<Broadcast> = rows.iter().map(broadcast).collect::<Result<_>>()?;
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let ids = list
            .iter()
            .map(|b| format!("'{}'", b.id.as_str()))
            .collect::<Vec<_>>()
            .join(",");
        let counts = sqlx::query(&format!(
            "SELECT broadcast_id, state, COUNT(*) AS n FROM deliveries \
             WHERE broadcast_id IN ({ids}) GROUP BY broadcast_id, state"
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<(Broadcast, Progress)> =
            list.into_iter().map(|b| (b, Progress::default())).collect();
        for r in &counts {
            let bid = id(r, "broadcast_id")?;
            if let Some((_, p)) = out.iter_mut().find(|(b, _)| b.id == bid) {
                p.add(&r.try_get::<String, _>("state")?, r.try_get("n")?);
            }
        }
        Ok(out)
    }

    /// Push notifications delivered per topic (an incident, or an
    /// announcement), for the click-through rate.
    pub async fn push_sent(&self, topic: &Id) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id \
             JOIN subscribers s ON s.id = d.subscriber_id \
             WHERE s.kind = 'push' AND d.state = 'sent' AND (b.incident_id = $1 OR b.id = $1)",
        )
        .bind(topic.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Deliveries given up, newest first (of one broadcast when given).
    pub async fn dead_letters(
        &self,
        broadcast_id: Option<&Id>,
        limit: i64,
    ) -> Result<Vec<DeadLetter>> {
        let rows = sqlx::query(
            "SELECT d.id, d.broadcast_id, s.kind, s.address, d.attempts, \
             COALESCE(d.last_error, '') AS last_error, d.next_at FROM deliveries d \
             JOIN subscribers s ON s.id = d.subscriber_id \
             WHERE d.state = 'failed' AND ($1 = '' OR d.broadcast_id = $1) \
             ORDER BY d.next_at DESC, d.id DESC LIMIT $2",
        )
        .bind(broadcast_id.map(Id::as_str).unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(DeadLetter {
                    id: r.try_get("id")?,
                    broadcast_id: id(r, "broadcast_id")?,
                    kind: Kind::parse(&kind).ok_or_else(|| StoreError::Corrupt(kind.clone()))?,
                    address: r.try_get("address")?,
                    attempts: r.try_get("attempts")?,
                    error: r.try_get("last_error")?,
                    at: r.try_get("next_at")?,
                })
            })
            .collect()
    }

    /// Puts given-up deliveries back in the queue, due at `at` with a fresh
    /// set of attempts: one delivery, every failed one of a broadcast, or
    /// all of them. Recipients who left are not retried. Returns how many.
    pub async fn retry_dead_letters(
        &self,
        delivery: Option<i64>,
        broadcast_id: Option<&Id>,
        at: Millis,
    ) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'pending', attempts = 0, next_at = $1, lease_until = NULL \
             WHERE state = 'failed' AND ($2 = 0 OR id = $2) AND ($3 = '' OR broadcast_id = $3) \
             AND subscriber_id IN (SELECT id FROM subscribers WHERE state = 'confirmed')",
        )
        .bind(at)
        .bind(delivery.unwrap_or(0))
        .bind(broadcast_id.map(Id::as_str).unwrap_or(""))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Makes the outlets of the configuration file exactly `wanted` (`label`,
    /// language, JSON config): matched by label, the file's others removed.
    /// Outlets added in the admin stay.
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
        for s in existing.iter().filter(|s| {
            s.consent_source.as_deref() == Some("config")
                && !wanted.iter().any(|(l, _, _)| *l == s.address)
        }) {
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
    /// Not attempted (a send limit): try at `at`, the attempt not counted.
    Postponed {
        at: Millis,
        error: String,
    },
    /// Given up: visible in the dead-letter list.
    Failed {
        error: String,
    },
}
