-- The languages spoken at a service's desk: lowercase ISO 639-1 codes, comma-separated,
-- in the order given ('it,en'); empty when nobody said. A column rather than a list table
-- like categories: the codes are checked by the application against ISO 639-1, not
-- against a table the admins edit, and the start-up scan reads them with the row.
ALTER TABLE services ADD COLUMN languages TEXT NOT NULL DEFAULT '';
