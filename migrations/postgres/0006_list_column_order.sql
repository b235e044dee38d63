-- SQLite rebuilds its category and target-group lists with their key columns first, for
-- the integrity check of older SQLite versions (see migrations/sqlite/0006); PostgreSQL
-- has no such check to satisfy. This migration keeps the version numbers of both
-- databases the same.
SELECT 1;
