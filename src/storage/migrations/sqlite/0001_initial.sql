CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE component_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE components (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    fallback_rank INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0,
    group_id TEXT REFERENCES component_groups(id) ON DELETE SET NULL,
    showcase INTEGER NOT NULL DEFAULT 1,
    only_show_if_degraded INTEGER NOT NULL DEFAULT 0,
    start_date TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE component_status_changes (
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX component_status_changes_at ON component_status_changes (component_id, at);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    impact TEXT NOT NULL,
    impact_override TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    monitoring_at INTEGER,
    resolved_at INTEGER,
    scheduled_for INTEGER,
    scheduled_until INTEGER,
    auto_transition INTEGER NOT NULL DEFAULT 1,
    causes TEXT,
    measures TEXT,
    postmortem_body TEXT,
    postmortem_published_at INTEGER
);
CREATE INDEX incidents_created ON incidents (created_at);

CREATE TABLE incident_components (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, component_id)
);

CREATE TABLE incident_updates (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    display_at INTEGER NOT NULL,
    deliver_notifications INTEGER NOT NULL DEFAULT 1,
    affected_components TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, created_at);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
