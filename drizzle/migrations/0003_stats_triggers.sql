-- Statistics rollup (stat_days) invalidation: every change to events or event_labels marks the
-- UTC hours it touches as dirty; the stats store re-aggregates the local days of those hours
-- before it reads. Statement-level triggers with transition tables keep a bulk INSERT … SELECT
-- to one dirty row per distinct hour. Rows for a book that no longer exists (cascade deletes)
-- are not marked.
CREATE OR REPLACE FUNCTION coin_stat_mark_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO stat_dirty (book_id, hour)
    SELECT DISTINCT n.book_id, date_trunc('hour', n.occurred_at, 'UTC') FROM coin_new_rows n
    WHERE EXISTS (SELECT 1 FROM books b WHERE b.id = n.book_id);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO stat_dirty (book_id, hour)
    SELECT DISTINCT o.book_id, date_trunc('hour', o.occurred_at, 'UTC') FROM coin_old_rows o
    WHERE EXISTS (SELECT 1 FROM books b WHERE b.id = o.book_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION coin_stat_mark_event_labels() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO stat_dirty (book_id, hour)
    SELECT DISTINCT e.book_id, date_trunc('hour', e.occurred_at, 'UTC')
    FROM coin_new_rows n JOIN events e ON e.id = n.event_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    -- A label row deleted with its event finds no event here; the events trigger marked it.
    INSERT INTO stat_dirty (book_id, hour)
    SELECT DISTINCT e.book_id, date_trunc('hour', e.occurred_at, 'UTC')
    FROM coin_old_rows o JOIN events e ON e.id = o.event_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_stat_insert AFTER INSERT ON events
  REFERENCING NEW TABLE AS coin_new_rows FOR EACH STATEMENT EXECUTE FUNCTION coin_stat_mark_events();
--> statement-breakpoint
CREATE TRIGGER events_stat_update AFTER UPDATE ON events
  REFERENCING OLD TABLE AS coin_old_rows NEW TABLE AS coin_new_rows FOR EACH STATEMENT EXECUTE FUNCTION coin_stat_mark_events();
--> statement-breakpoint
CREATE TRIGGER events_stat_delete AFTER DELETE ON events
  REFERENCING OLD TABLE AS coin_old_rows FOR EACH STATEMENT EXECUTE FUNCTION coin_stat_mark_events();
--> statement-breakpoint
CREATE TRIGGER event_labels_stat_insert AFTER INSERT ON event_labels
  REFERENCING NEW TABLE AS coin_new_rows FOR EACH STATEMENT EXECUTE FUNCTION coin_stat_mark_event_labels();
--> statement-breakpoint
CREATE TRIGGER event_labels_stat_update AFTER UPDATE ON event_labels
  REFERENCING OLD TABLE AS coin_old_rows NEW TABLE AS coin_new_rows FOR EACH STATEMENT EXECUTE FUNCTION coin_stat_mark_event_labels();
--> statement-breakpoint
CREATE TRIGGER event_labels_stat_delete AFTER DELETE ON event_labels
  REFERENCING OLD TABLE AS coin_old_rows FOR EACH STATEMENT EXECUTE FUNCTION coin_stat_mark_event_labels();
