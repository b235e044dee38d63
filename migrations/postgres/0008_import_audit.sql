-- Imports are audited: an import has no row of its own, so its entry is its own subject
-- (subject_kind 'import', subject_id the entry's id).

ALTER TABLE audit_log
    DROP CONSTRAINT audit_log_subject_kind_check,
    ADD CONSTRAINT audit_log_subject_kind_check
        CHECK (subject_kind IN ('user', 'submission', 'service', 'report', 'import'));
