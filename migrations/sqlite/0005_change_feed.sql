-- PostgreSQL announces service changes to other app instances (LISTEN/NOTIFY); an SQLite
-- file has one server, so there is nothing to announce. This migration keeps the version
-- numbers of both databases the same.
SELECT 1;
