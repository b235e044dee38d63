-- The directory: taxonomy, services and their categories and target groups.

CREATE TABLE categories (
    slug     TEXT PRIMARY KEY,
    label_it TEXT NOT NULL,
    label_en TEXT NOT NULL,
    color    TEXT NOT NULL,
    icon     TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE target_groups (
    slug     TEXT PRIMARY KEY,
    label_it TEXT NOT NULL,
    label_en TEXT NOT NULL,
    color    TEXT NOT NULL,
    icon     TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE services (
    id                    INTEGER PRIMARY KEY,
    external_id           TEXT UNIQUE,
    status                TEXT NOT NULL
                          CHECK (status IN ('pending', 'published', 'rejected', 'unpublished')),
    name                  TEXT NOT NULL CHECK (length(name) > 0),
    organisation          TEXT,
    description_it        TEXT,
    description_en        TEXT,
    address               TEXT,
    lat                   REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon                   REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    phone                 TEXT,
    email                 TEXT,
    website               TEXT,
    opening_hours         TEXT,
    wheelchair            TEXT NOT NULL DEFAULT 'unknown'
                          CHECK (wheelchair IN ('yes', 'limited', 'no', 'unknown')),
    accessibility_note_it TEXT,
    accessibility_note_en TEXT,
    demo                  INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    verified_at           TEXT
);

CREATE INDEX services_status ON services (status);

CREATE TABLE service_categories (
    service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    category   TEXT NOT NULL REFERENCES categories (slug),
    position   INTEGER NOT NULL,
    -- Keyed by position so that a scan in key order reads each service's list in order.
    PRIMARY KEY (service_id, position),
    UNIQUE (service_id, category)
) WITHOUT ROWID;

CREATE TABLE service_target_groups (
    service_id   INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    target_group TEXT NOT NULL REFERENCES target_groups (slug),
    position     INTEGER NOT NULL,
    PRIMARY KEY (service_id, position),
    UNIQUE (service_id, target_group)
) WITHOUT ROWID;
