-- The category and target-group lists, rebuilt with their key columns first.
--
-- A WITHOUT ROWID table stores its primary key's columns first whatever order they are
-- declared in. SQLite 3.40 (Debian 12's sqlite3) then checks NOT NULL against the wrong
-- stored column when a non-key column is declared before a key column, and `PRAGMA
-- integrity_check` reports "NULL value in service_categories.category" on every row
-- although none is NULL (newer SQLite, as bundled in MappaTU, says ok). Declaring the
-- key columns first stores the same bytes in the same order and keeps every version
-- of the check honest.

CREATE TABLE service_categories_new (
    service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    -- Keyed by position so that a scan in key order reads each service's list in order.
    position   INTEGER NOT NULL,
    category   TEXT NOT NULL REFERENCES categories (slug),
    PRIMARY KEY (service_id, position),
    UNIQUE (service_id, category)
) WITHOUT ROWID;
INSERT INTO service_categories_new (service_id, position, category)
    SELECT service_id, position, category FROM service_categories;
DROP TABLE service_categories;
ALTER TABLE service_categories_new RENAME TO service_categories;

CREATE TABLE service_target_groups_new (
    service_id   INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    target_group TEXT NOT NULL REFERENCES target_groups (slug),
    PRIMARY KEY (service_id, position),
    UNIQUE (service_id, target_group)
) WITHOUT ROWID;
INSERT INTO service_target_groups_new (service_id, position, target_group)
    SELECT service_id, position, target_group FROM service_target_groups;
DROP TABLE service_target_groups;
ALTER TABLE service_target_groups_new RENAME TO service_target_groups;
