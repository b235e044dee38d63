-- Moderators' and admins' accounts, their server-side sessions, the login throttle, and
-- the append-only audit log of every moderation and account action.
--
-- Secrets are never stored in a usable form: passwords as argon2id PHC strings, session
-- tokens as their SHA-256 (hex). No account exists until someone runs `mappatu user add`.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    -- ASCII letters, digits, '.', '_', '-' (checked by the application); unique whatever
    -- the case, so that "Anna" and "anna" cannot be two people.
    username            TEXT NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
    role                TEXT NOT NULL CHECK (role IN ('moderator', 'admin')),
    password_hash       TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE UNIQUE INDEX users_username_ci ON users (lower(username));

CREATE TABLE sessions (
    -- SHA-256 of the cookie's random 256-bit token: a copy of the database gives no
    -- usable session.
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Echoed by the client in X-CSRF-Token on every state-changing request.
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    -- The absolute end of the session; the idle timeout is counted from last_seen_at.
    expires_at   TEXT NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed logins per username (lower case), shared by every app instance. Kept for any
-- name tried, known or not, so that the answers do not tell which accounts exist.
-- (Per client address the throttle is in memory only: addresses are not stored.)
CREATE TABLE login_throttle (
    username        TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_at TEXT NOT NULL,
    locked_until    TEXT
);

CREATE INDEX login_throttle_last ON login_throttle (last_failure_at);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    -- NULL: the system or the command line.
    actor_id     INTEGER REFERENCES users (id),
    -- The username at the time, or 'cli'.
    actor_name   TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('user', 'submission', 'service', 'report')),
    subject_id   INTEGER NOT NULL,
    service_id   INTEGER REFERENCES services (id),
    -- JSON documents; never a password or its hash.
    before       TEXT,
    after        TEXT,
    reason       TEXT
);

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
