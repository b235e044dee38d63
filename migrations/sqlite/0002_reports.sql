-- Citizens' reports of problems with a listing ("wrong address", "closed", …), queued for
-- the moderators, who resolve or dismiss them.
--
-- Privacy: nothing that identifies the reporter is stored — no IP address, no email, no
-- account, no user agent. The rate limit on the public endpoint is kept in memory only.

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    -- A listing that is erased takes its reports with it; unpublishing keeps them.
    service_id      INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('wrong_address', 'closed', 'wrong_hours', 'other')),
    -- Plain text, at most 2000 characters; required for 'other' (checked by the domain).
    message         TEXT CHECK (message IS NULL OR length(message) BETWEEN 1 AND 2000),
    lang            TEXT NOT NULL DEFAULT 'it' CHECK (lang IN ('it', 'en')),
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'resolved', 'dismissed')),
    created_at      TEXT NOT NULL,
    resolved_at     TEXT,
    -- The moderator's user id. No foreign key yet: the users table comes with the
    -- moderation queue, whose migration adds the reference.
    resolved_by     INTEGER,
    resolution_note TEXT,
    -- An open report has no outcome; a closed one says when it was closed.
    CHECK ((status = 'open') = (resolved_at IS NULL))
);

-- The moderators' queue: open reports, oldest first.
CREATE INDEX reports_status_created ON reports (status, created_at, id);
-- Reports of one listing (and the foreign key's cascade).
CREATE INDEX reports_service ON reports (service_id);
