-- Failed logins as admins see them, and the browsers a moderator has logged in from.
--
-- login_throttle.failures counts failures in a row (since the last success or a quiet
-- spell) and sets the delay; recent_failures counts them since first_failure_at, across
-- successes, so that an admin sees a guessing campaign even after the moderator got in.
ALTER TABLE login_throttle ADD COLUMN recent_failures INTEGER NOT NULL DEFAULT 0
    CHECK (recent_failures >= 0);
ALTER TABLE login_throttle ADD COLUMN first_failure_at TEXT;
ALTER TABLE login_throttle ADD COLUMN last_success_at TEXT;
UPDATE login_throttle SET recent_failures = failures, first_failure_at = last_failure_at;

-- A browser that logged in to an account holds a random token in the `mappatu_device`
-- cookie; only its SHA-256 is kept. Its attempts on that account skip the delays that
-- strangers' failures put on the account (OWASP's device cookies), so that guessing
-- from elsewhere cannot keep the moderator out. A token that fails too often is removed.
CREATE TABLE trusted_devices (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0)
);

CREATE INDEX trusted_devices_user ON trusted_devices (user_id);
CREATE INDEX trusted_devices_used ON trusted_devices (last_used_at);
