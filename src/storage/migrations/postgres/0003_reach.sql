CREATE TABLE subscribers (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    lang TEXT NOT NULL,
    secret TEXT,
    -- Outlets: the platform and its credentials, as JSON.
    config TEXT,
    state TEXT NOT NULL,
    all_channels BIGINT NOT NULL DEFAULT 1,
    interests TEXT NOT NULL DEFAULT 'incidents',
    consent_at BIGINT,
    consent_source TEXT,
    consent_wording TEXT,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    unsubscribed_at BIGINT,
    UNIQUE (kind, address)
);
CREATE INDEX subscribers_state ON subscribers (state, kind);

CREATE TABLE subscriber_channels (
    subscriber_id TEXT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    PRIMARY KEY (subscriber_id, channel_id)
);

-- The outbox: written in the same transaction as the incident update it
-- announces, then fanned out into one delivery per recipient.
CREATE TABLE broadcasts (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    incident_id TEXT REFERENCES incidents(id) ON DELETE CASCADE,
    update_id TEXT,
    state TEXT NOT NULL,
    total BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX broadcasts_state ON broadcasts (state, created_at);

CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    broadcast_id TEXT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    subscriber_id TEXT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    lease_until BIGINT,
    leased_by TEXT,
    last_error TEXT,
    sent_at BIGINT,
    UNIQUE (broadcast_id, subscriber_id)
);
CREATE INDEX deliveries_due ON deliveries (state, next_at);
