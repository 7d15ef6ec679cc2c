-- Every statement that writes to the event log tells the other server copies, at commit, the
-- newest id it wrote (LISTEN zhizhi_events). The payload is only a hint: a listener reads the
-- log itself, so a notice lost while a copy reconnects loses nothing.
CREATE FUNCTION zhizhi_events_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zhizhi_events', (SELECT max(id) FROM written)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER events_written AFTER INSERT ON events
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION zhizhi_events_written();
