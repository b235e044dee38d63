-- Bonuses and contributions (issue 17): what a benefit gives, who can ask, where it is
-- asked for (benefit_services, the services of the directory), its period and official
-- page. `external_id` is the stable key of a benefit loaded from a file (the demo set),
-- so that loading it again adds nothing twice.

CREATE TABLE benefits (
    id              INTEGER PRIMARY KEY,
    external_id     TEXT UNIQUE,
    name_it         TEXT NOT NULL CHECK (length(name_it) > 0),
    name_en         TEXT,
    description_it  TEXT,
    description_en  TEXT,
    gives_it        TEXT,
    gives_en        TEXT,
    isee_max_eur    INTEGER CHECK (isee_max_eur >= 0),
    residence_it    TEXT,
    residence_en    TEXT,
    how_to_apply_it TEXT,
    how_to_apply_en TEXT,
    -- YYYY-MM-DD.
    opens_on        TEXT,
    closes_on       TEXT,
    period_it       TEXT,
    period_en       TEXT,
    official_url    TEXT,
    demo            INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Key columns first, in key order, in every WITHOUT ROWID table: SQLite 3.40's integrity
-- check assumes the declared order is the stored one (see 0006).
CREATE TABLE benefit_categories (
    benefit_id INTEGER NOT NULL REFERENCES benefits (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    category   TEXT NOT NULL REFERENCES categories (slug),
    PRIMARY KEY (benefit_id, position),
    UNIQUE (benefit_id, category)
) WITHOUT ROWID;

CREATE TABLE benefit_target_groups (
    benefit_id   INTEGER NOT NULL REFERENCES benefits (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    target_group TEXT NOT NULL REFERENCES target_groups (slug),
    PRIMARY KEY (benefit_id, position),
    UNIQUE (benefit_id, target_group)
) WITHOUT ROWID;

-- Where a benefit is asked for. A service deleted (rare: services are unpublished, not
-- deleted) takes its links with it, so no benefit points at nothing.
CREATE TABLE benefit_services (
    benefit_id INTEGER NOT NULL REFERENCES benefits (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (benefit_id, position),
    UNIQUE (benefit_id, service_id)
) WITHOUT ROWID;

CREATE INDEX benefit_services_service ON benefit_services (service_id);

-- Changes to benefits are audited with subject_kind 'benefit'. SQLite cannot change a
-- CHECK constraint in place, so the audit log is rebuilt as in 0008, with the same
-- columns, ids, indexes and append-only triggers.

DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;

CREATE TABLE audit_log_new (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    -- NULL: the system or the command line.
    actor_id     INTEGER REFERENCES users (id),
    -- The username at the time, 'cli' or 'system'.
    actor_name   TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_kind TEXT NOT NULL
        CHECK (subject_kind IN ('user', 'submission', 'service', 'report', 'import', 'benefit')),
    subject_id   INTEGER NOT NULL,
    service_id   INTEGER REFERENCES services (id),
    -- JSON documents; never a password or its hash.
    before       TEXT,
    after        TEXT,
    reason       TEXT
);

INSERT INTO audit_log_new (id, at, actor_id, actor_name, action, subject_kind, subject_id,
    service_id, before, after, reason)
SELECT id, at, actor_id, actor_name, action, subject_kind, subject_id, service_id, before,
    after, reason
FROM audit_log;

DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id);
CREATE INDEX audit_log_service ON audit_log (service_id);
CREATE INDEX audit_log_actor ON audit_log (actor_name);

-- Append-only: nothing in the application updates or deletes an entry, and the database
-- refuses it to anyone who tries.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
