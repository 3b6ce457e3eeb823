-- Issue 19: a bulk write (a statement of more than one event: an import chunk, an API batch, a
-- template sweep) folds its events into the statistics rollup (stat_days) in the same statement,
-- so a /stats right after an import reads the rollup instead of the events.
--
-- Events of one INSERT statement are added to the day and month rows of their book (one
-- aggregate upsert, sums of integer minor units) when the statement holds more than one event of
-- that book (at most 32 such books per statement), and the book's rollup is
-- current (cut in the book's time zone) or when they are the book's first events (the rollup of
-- the book starts empty with them). A refresh of the book (patch, drain, reset) holds its refresh
-- lock (736403, book) exclusively; the fold takes it shared with a try, so it never waits: a
-- book whose lock is busy, whose rollup is cut in another zone or that has none gets its hours
-- marked as before (the read patches them or answers from the events). A single-row insert (a
-- chat or API record) marks its hour as before. The aggregation is the one of
-- `aggregate()` in drizzle/store/stats-rollup.ts (t totals, a authors, l labels, b account moves).
--
-- Labels written in the same statement as their event (the event writer's one statement) are
-- seen by the events trigger, which runs at the end of the statement; the labels trigger leaves
-- those rows alone (same transaction and command as their event: equal xmin and cmin), since the
-- event's hour was folded or marked already. Labels added later (an edit) mark as before.
--
-- An UPDATE of events marks only rows whose figures changed (a CSV import putting the file's #N
-- back changes only seq, which statistics do not read).
CREATE OR REPLACE FUNCTION coin_stat_mark_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  locked int[] := '{}';
  folded int[] := '{}';
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF (SELECT count(*) FROM coin_new_rows) > 1 THEN
      -- Books with more than one event here, the 32 largest: each lock held to the end of the
      -- transaction takes a slot of the shared lock table, so a template sweep's batch over a
      -- thousand books (one event each) marks as before instead of taking a thousand locks.
      SELECT coalesce(array_agg(c.book_id), '{}') INTO locked
      FROM (SELECT n.book_id FROM coin_new_rows n GROUP BY n.book_id HAVING count(*) > 1
            ORDER BY count(*) DESC, n.book_id LIMIT 32) c
      WHERE pg_try_advisory_xact_lock_shared(736403, c.book_id);
      IF cardinality(locked) > 0 THEN
        -- The first events of a book (more than one of them) start its rollup: their #N are
        -- exactly min..max (unique per book) and the book has no event numbered outside that
        -- range (two probes of events_book_seq_uq), so the book has no other event.
        INSERT INTO stat_books (book_id, timezone, built_at)
        SELECT b.id, b.timezone, now()
        FROM (SELECT n.book_id, min(n.seq) AS lo, max(n.seq) AS hi, count(*) AS n
              FROM coin_new_rows n WHERE n.book_id = ANY(locked) GROUP BY n.book_id) r
          JOIN books b ON b.id = r.book_id
        WHERE r.n > 1 AND r.hi - r.lo + 1 = r.n
          AND NOT EXISTS (SELECT 1 FROM stat_books s WHERE s.book_id = b.id)
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.book_id = b.id AND e.seq < r.lo)
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.book_id = b.id AND e.seq > r.hi)
        ON CONFLICT (book_id) DO NOTHING;
        SELECT coalesce(array_agg(b.id), '{}') INTO folded
        FROM books b JOIN stat_books s ON s.book_id = b.id AND s.timezone = b.timezone
        WHERE b.id = ANY(locked);
      END IF;
      IF cardinality(folded) > 0 THEN
        WITH ev AS MATERIALIZED (
          SELECT n.book_id, n.id, n.kind, n.currency, n.amount_minor, n.author_id, n.account_id,
            n.to_account_id, n.to_amount_minor, n.to_currency, (n.occurred_at AT TIME ZONE b.timezone)::date AS day
          FROM coin_new_rows n JOIN books b ON b.id = n.book_id
          WHERE n.book_id = ANY(folded) AND n.deleted_at IS NULL
        ), agg AS (
          SELECT book_id, 't' AS dim, day, 0 AS key, kind, currency, sum(amount_minor) AS amount_minor, count(*) AS count
            FROM ev WHERE kind <> 'transfer' GROUP BY book_id, day, kind, currency
          UNION ALL
          SELECT book_id, 'a', day, coalesce(author_id, 0), kind, currency, sum(amount_minor), count(*)
            FROM ev WHERE kind <> 'transfer' GROUP BY book_id, day, coalesce(author_id, 0), kind, currency
          UNION ALL
          SELECT ev.book_id, 'l', ev.day, coalesce(el.label_id, 0), ev.kind, ev.currency, sum(ev.amount_minor), count(*)
            FROM ev LEFT JOIN event_labels el ON el.event_id = ev.id
            WHERE ev.kind <> 'transfer' GROUP BY ev.book_id, ev.day, coalesce(el.label_id, 0), ev.kind, ev.currency
          UNION ALL
          SELECT book_id, 'b', day, account_id, '', currency, sum(delta), count(*) FROM (
            SELECT book_id, day, account_id, currency,
              CASE WHEN kind = 'income' THEN amount_minor ELSE -amount_minor END AS delta
            FROM ev
            UNION ALL
            SELECT book_id, day, to_account_id, coalesce(to_currency, currency), coalesce(to_amount_minor, amount_minor)
            FROM ev WHERE kind = 'transfer'
          ) moves GROUP BY book_id, day, account_id, currency
        ), deltas AS (
          SELECT book_id, dim, day, key, kind, currency, amount_minor, count FROM agg
          UNION ALL
          SELECT book_id, upper(dim), date_trunc('month', day)::date, key, kind, currency, sum(amount_minor), sum(count)
            FROM agg GROUP BY book_id, upper(dim), date_trunc('month', day), key, kind, currency
        )
        INSERT INTO stat_days AS s (book_id, dim, day, key, kind, currency, amount_minor, count)
        SELECT book_id, dim, day, key, kind, currency, amount_minor, count FROM deltas
        ORDER BY book_id, dim, day, key, kind, currency
        ON CONFLICT (book_id, dim, day, key, kind, currency) DO UPDATE
          SET amount_minor = s.amount_minor + excluded.amount_minor, count = s.count + excluded.count;
      END IF;
    END IF;
    INSERT INTO stat_dirty (book_id, hour)
    SELECT DISTINCT n.book_id, date_trunc('hour', n.occurred_at, 'UTC') FROM coin_new_rows n
    WHERE NOT (n.book_id = ANY(folded)) AND EXISTS (SELECT 1 FROM books b WHERE b.id = n.book_id);
  END IF;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO stat_dirty (book_id, hour)
    SELECT DISTINCT x.book_id, date_trunc('hour', x.occurred_at, 'UTC')
    FROM coin_old_rows o JOIN coin_new_rows n ON n.id = o.id,
      LATERAL (VALUES (o.book_id, o.occurred_at), (n.book_id, n.occurred_at)) x(book_id, occurred_at)
    WHERE (o.book_id, o.kind, o.currency, o.amount_minor, o.author_id, o.account_id, o.to_account_id,
           o.to_amount_minor, o.to_currency, o.occurred_at, o.deleted_at)
      IS DISTINCT FROM (n.book_id, n.kind, n.currency, n.amount_minor, n.author_id, n.account_id, n.to_account_id,
           n.to_amount_minor, n.to_currency, n.occurred_at, n.deleted_at)
      AND EXISTS (SELECT 1 FROM books b WHERE b.id = x.book_id);
  END IF;
  IF TG_OP = 'DELETE' THEN
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
  IF TG_OP = 'INSERT' THEN
    -- Rows inserted by the same command as their event were handled by the events trigger
    -- (only the event writer writes an event and its labels in one command).
    INSERT INTO stat_dirty (book_id, hour)
    SELECT DISTINCT e.book_id, date_trunc('hour', e.occurred_at, 'UTC')
    FROM coin_new_rows n JOIN events e ON e.id = n.event_id
      JOIN event_labels el ON el.event_id = n.event_id AND el.label_id = n.label_id
    WHERE NOT (el.xmin = e.xmin AND el.cmin = e.cmin);
  END IF;
  IF TG_OP = 'UPDATE' THEN
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
