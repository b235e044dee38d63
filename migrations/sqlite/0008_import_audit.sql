-- Imports are audited: an import has no row of its own, so its entry is its own subject
-- (subject_kind 'import', subject_id the entry's id). SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt with the same columns, ids, indexes and
-- append-only triggers (the old triggers are dropped with the old table's name free for
-- the new ones, and no trigger fires on the copy).

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
        CHECK (subject_kind IN ('user', 'submission', 'service', 'report', 'import')),
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
