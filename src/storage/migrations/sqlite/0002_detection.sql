CREATE TABLE monitors (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    spec TEXT NOT NULL DEFAULT '{}',
    interval_ms INTEGER NOT NULL,
    timeout_ms INTEGER NOT NULL,
    retries INTEGER NOT NULL,
    fail_after INTEGER NOT NULL,
    recover_after INTEGER NOT NULL,
    flap_limit INTEGER NOT NULL,
    down_status TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    token TEXT UNIQUE,
    from_config INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    state TEXT,
    state_since INTEGER,
    flapping INTEGER NOT NULL DEFAULT 0,
    last_checked_at INTEGER,
    last_latency_ms INTEGER,
    last_error TEXT,
    last_beat_at INTEGER
);
CREATE INDEX monitors_channel ON monitors (channel_id);

-- Raw check results, kept for a short window. `seq` orders what probe agents send.
CREATE TABLE check_results (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    monitor_id TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
    location TEXT NOT NULL,
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    latency_ms INTEGER,
    error TEXT
);
CREATE INDEX check_results_monitor ON check_results (monitor_id, at);
CREATE INDEX check_results_at ON check_results (at);

-- Per-minute, per-hour and per-day counts, kept long.
CREATE TABLE check_rollups (
    monitor_id TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
    span TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    up INTEGER NOT NULL,
    degraded INTEGER NOT NULL,
    down INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    latency_count INTEGER NOT NULL,
    latency_max INTEGER NOT NULL,
    PRIMARY KEY (monitor_id, span, bucket)
);

CREATE TABLE visitor_reports (
    channel_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX visitor_reports_channel ON visitor_reports (channel_id, at);
CREATE INDEX visitor_reports_source ON visitor_reports (source, at);

CREATE TABLE probe_agents (
    location TEXT PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);

CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

ALTER TABLE incidents ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN auto_channel_id TEXT;
ALTER TABLE incidents ADD COLUMN auto_managed INTEGER NOT NULL DEFAULT 0;
