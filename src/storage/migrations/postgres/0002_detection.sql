CREATE TABLE monitors (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    spec TEXT NOT NULL DEFAULT '{}',
    interval_ms BIGINT NOT NULL,
    timeout_ms BIGINT NOT NULL,
    retries BIGINT NOT NULL,
    fail_after BIGINT NOT NULL,
    recover_after BIGINT NOT NULL,
    flap_limit BIGINT NOT NULL,
    down_status TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    token TEXT UNIQUE,
    from_config BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    state TEXT,
    state_since BIGINT,
    flapping BIGINT NOT NULL DEFAULT 0,
    last_checked_at BIGINT,
    last_latency_ms BIGINT,
    last_error TEXT,
    last_beat_at BIGINT
);
CREATE INDEX monitors_channel ON monitors (channel_id);

-- Raw check results, kept for a short window. `seq` orders what probe agents send.
CREATE TABLE check_results (
    seq BIGSERIAL PRIMARY KEY,
    monitor_id TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
    location TEXT NOT NULL,
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    latency_ms BIGINT,
    error TEXT
);
CREATE INDEX check_results_monitor ON check_results (monitor_id, at);
CREATE INDEX check_results_at ON check_results (at);

-- Per-minute, per-hour and per-day counts, kept long.
CREATE TABLE check_rollups (
    monitor_id TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
    span TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    up BIGINT NOT NULL,
    degraded BIGINT NOT NULL,
    down BIGINT NOT NULL,
    latency_sum BIGINT NOT NULL,
    latency_count BIGINT NOT NULL,
    latency_max BIGINT NOT NULL,
    PRIMARY KEY (monitor_id, span, bucket)
);

CREATE TABLE visitor_reports (
    channel_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX visitor_reports_channel ON visitor_reports (channel_id, at);
CREATE INDEX visitor_reports_source ON visitor_reports (source, at);

CREATE TABLE probe_agents (
    location TEXT PRIMARY KEY,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);

CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

ALTER TABLE incidents ADD COLUMN automatic BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN auto_channel_id TEXT;
ALTER TABLE incidents ADD COLUMN auto_managed BIGINT NOT NULL DEFAULT 0;
