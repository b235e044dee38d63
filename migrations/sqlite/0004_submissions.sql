-- Submissions: associations ask to be listed (kind 'new') or propose changes to their
-- published listing through its private edit link (kind 'change'); moderators decide.
--
-- Privacy: the contact_* columns are the submitter's private contact. They are shown to
-- moderators only, never through the public API, and never logged in full.

CREATE TABLE submissions (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('new', 'change')),
    -- The listing concerned: for a change, the listing to change; for a new listing, set
    -- when it is published (or to the listing it was merged into).
    service_id     INTEGER REFERENCES services (id) ON DELETE SET NULL,
    -- The proposed listing: a GeoJSON Feature with the public fields only.
    feature        TEXT NOT NULL,
    contact_name   TEXT NOT NULL CHECK (length(contact_name) BETWEEN 1 AND 200),
    contact_email  TEXT CHECK (contact_email IS NULL OR length(contact_email) <= 254),
    contact_phone  TEXT CHECK (contact_phone IS NULL OR length(contact_phone) <= 40),
    -- The language to write to the submitter in.
    lang           TEXT NOT NULL DEFAULT 'it' CHECK (lang IN ('it', 'en')),
    -- Random, human-typable, what the submitter uses to follow the submission. It grants
    -- reading the status only, never editing.
    tracking_code  TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'published', 'rejected', 'changes_requested',
                                     'merged')),
    -- The moderator's reason (rejected) or message (changes requested), for the submitter.
    reason         TEXT CHECK (reason IS NULL OR length(reason) <= 2000),
    created_at     TEXT NOT NULL,
    decided_at     TEXT,
    decided_by     INTEGER REFERENCES users (id),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);

-- The moderators' queue: pending submissions, oldest first.
CREATE INDEX submissions_status_created ON submissions (status, created_at, id);
CREATE INDEX submissions_service ON submissions (service_id);

-- Private edit links. Only the SHA-256 of the token is kept: whoever reads the database
-- cannot edit a listing. A token made with a new listing's submission is bound to the
-- listing (service_id) when the listing is published; until then it opens nothing.
CREATE TABLE edit_tokens (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    submission_id INTEGER REFERENCES submissions (id) ON DELETE CASCADE,
    service_id    INTEGER REFERENCES services (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

CREATE INDEX edit_tokens_service ON edit_tokens (service_id);
CREATE INDEX edit_tokens_submission ON edit_tokens (submission_id);
