-- The vocabulary of needs that admins extend at run time (the built-in one is
-- data/needs.json, in the binary): one phrase a row, with the categories and target groups
-- it points to. Changes are audited with subject_kind 'vocabulary'; SQLite cannot change
-- a CHECK constraint in place, so the audit log is rebuilt with the same columns, ids,
-- indexes and append-only triggers, as 0008 did. The list keeps 'benefit' (0009, the
-- benefits of the directory) so that the two migrations meet in either order of writing.

CREATE TABLE need_phrases (
    id            INTEGER PRIMARY KEY,
    lang          TEXT NOT NULL CHECK (lang IN ('it', 'en')),
    -- As the admin wrote it (checked by the application: 1-80 characters, not only
    -- function words).
    phrase        TEXT NOT NULL CHECK (length(phrase) BETWEEN 1 AND 80),
    -- The phrase's stems joined by spaces: two phrases with the same key match the same
    -- texts, so one of them is enough.
    match_key     TEXT NOT NULL,
    -- Slugs, comma-separated, in the order given.
    categories    TEXT NOT NULL,
    target_groups TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    -- NULL: the command line.
    created_by    INTEGER REFERENCES users (id)
);

CREATE UNIQUE INDEX need_phrases_match ON need_phrases (lang, match_key);

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
        CHECK (subject_kind IN ('user', 'submission', 'service', 'report', 'import', 'benefit',
            'vocabulary')),
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
