-- Every committed change to a service is announced on the channel `mappatu_services`
-- (payload: the service id), so other app instances sharing this database bring their
-- in-memory index in step without a restart. Notifications are sent at commit only, and
-- identical ones within a transaction are sent once.
CREATE FUNCTION mappatu_notify_service() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('mappatu_services', OLD.id::text);
    ELSE
        PERFORM pg_notify('mappatu_services', NEW.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER services_notify
    AFTER INSERT OR UPDATE OR DELETE ON services
    FOR EACH ROW EXECUTE FUNCTION mappatu_notify_service();
