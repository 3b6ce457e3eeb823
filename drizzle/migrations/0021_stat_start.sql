-- Issue 19: the first /stats after a bulk import reads the rollup also for a book that had a few
-- events before it (a coffee recorded in chat, then 100,000 bank rows imported).
--
-- Migration 0020 folds a bulk INSERT (more than one event of a book in one statement: an import
-- chunk, an API batch) into the book's rollup (stat_days) when the rollup is current or when the
-- events are the book's first. A book with earlier events and no rollup got its hours marked
-- instead, and its first /stats aggregated the period's events (220 ms for the year x label
-- matrix after importing 100,000 rows, against 7.8 ms from the rollup).
--
-- Now such a book starts its rollup in the statement too when it has at most 10,000 events
-- besides this statement's (found with two bounded probes of events_book_seq_uq): its stat_books
-- row is inserted, and the fold aggregates this statement's events plus the book's earlier ones
-- (read from events, labels from event_labels, days cut in the book's time zone) in the same
-- upsert. The aggregation is still the one of `aggregate()` in drizzle/store/stats-rollup.ts
-- (t totals, a authors, l labels, b account moves; month rows T/A/L/B summed from the day rows
-- of the statement, as `monthsInsert()` does), integer minor units. The same statement deletes
-- the book's dirty marks: one snapshot, so exactly the marks of the changes it aggregated.
--
-- Locks as in 0020: the fold holds the book's refresh lock (736403, book) shared, taken with a
-- try; a patch, drain, reset or the upkeep's forgetting hold it exclusively, so none runs on the
-- book while it starts. A book with more than 10,000 earlier events, whose lock is busy or whose
-- events here are not one #N range still gets its hours marked (its first /stats reads the
-- events, the minute upkeep builds its rollup a month per transaction). The other parts of the
-- function (single-row inserts, UPDATE, DELETE) are 0020's unchanged.
CREATE OR REPLACE FUNCTION coin_stat_mark_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  locked int[] := '{}';
  folded int[] := '{}';
  -- Books whose rollup may start here, with the #N range of their events in this statement.
  fresh int[] := '{}';
  fresh_lo int[] := '{}';
  fresh_hi int[] := '{}';
  -- Those whose rollup this statement started (its stat_books row inserted here).
  started int[] := '{}';
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
        -- A book without a rollup starts one here when its events of this statement are exactly
        -- #lo..#hi (unique per book: no other event in that range) and it has at most 10,000
        -- events outside that range (two probes of events_book_seq_uq, each stopping at 10,001):
        -- its first events (none outside), or a few chat records before an import.
        SELECT coalesce(array_agg(r.book_id), '{}'), coalesce(array_agg(r.lo), '{}'), coalesce(array_agg(r.hi), '{}')
          INTO fresh, fresh_lo, fresh_hi
        FROM (SELECT n.book_id, min(n.seq) AS lo, max(n.seq) AS hi, count(*) AS n
              FROM coin_new_rows n WHERE n.book_id = ANY(locked) GROUP BY n.book_id) r
        -- CASE, not AND: PostgreSQL may evaluate AND's operands in any order, and the counts read up
        -- to 20,002 index entries; a book that has its rollup (every import after the first) must
        -- not pay them (an import of 1,000 rows into a 1M-event book took 3x as long when it did).
        WHERE r.n > 1 AND r.hi - r.lo + 1 = r.n
          AND CASE WHEN EXISTS (SELECT 1 FROM stat_books s WHERE s.book_id = r.book_id) THEN false
            ELSE (SELECT count(*) FROM (SELECT 1 FROM events e WHERE e.book_id = r.book_id AND e.seq < r.lo LIMIT 10001) x)
              + (SELECT count(*) FROM (SELECT 1 FROM events e WHERE e.book_id = r.book_id AND e.seq > r.hi LIMIT 10001) y) <= 10000 END;
        IF cardinality(fresh) > 0 THEN
          -- A book another transaction is starting at the same moment waits here for it; when that
          -- one commits, this statement folds only its own events into the rollup it started.
          WITH ins AS (
            INSERT INTO stat_books (book_id, timezone, built_at)
            SELECT b.id, b.timezone, now() FROM books b WHERE b.id = ANY(fresh)
            ON CONFLICT (book_id) DO NOTHING
            RETURNING book_id
          )
          SELECT coalesce(array_agg(book_id), '{}') INTO started FROM ins;
        END IF;
        IF cardinality(started) > 0 THEN
          -- Day rows of a rollup whose stat_books row went without them (none in the app) would be
          -- added to; nobody else writes them now (the refreshes wait on the lock held here).
          DELETE FROM stat_days WHERE book_id = ANY(started);
        END IF;
        SELECT coalesce(array_agg(b.id), '{}') INTO folded
        FROM books b JOIN stat_books s ON s.book_id = b.id AND s.timezone = b.timezone
        WHERE b.id = ANY(locked);
        -- A book whose zone changed since its stat_books row was written above is not folded (the
        -- next read resets its rollup); its earlier events are left alone too.
        started := ARRAY(SELECT unnest(started) INTERSECT SELECT unnest(folded));
      END IF;
      IF cardinality(folded) > 0 THEN
        -- One statement, so one snapshot: the earlier events of a book started here are read with
        -- exactly the dirty marks that snapshot sees, and those marks go (every change they stand
        -- for is in the aggregate). A change committed later is not read and keeps its mark.
        WITH gone AS (
          DELETE FROM stat_dirty WHERE book_id = ANY(started)
        ), ev AS MATERIALIZED (
          SELECT n.book_id, n.id, n.kind, n.currency, n.amount_minor, n.author_id, n.account_id,
            n.to_account_id, n.to_amount_minor, n.to_currency, (n.occurred_at AT TIME ZONE b.timezone)::date AS day
          FROM coin_new_rows n JOIN books b ON b.id = n.book_id
          WHERE n.book_id = ANY(folded) AND n.deleted_at IS NULL
          UNION ALL
          -- The earlier events of the books started here: #N below and above this statement's.
          -- (`cardinality(started) > 0` gates each branch as a whole: without it the plan read the
          -- book's events even when no rollup started, tripling an import into a large book.)
          SELECT e.book_id, e.id, e.kind, e.currency, e.amount_minor, e.author_id, e.account_id,
            e.to_account_id, e.to_amount_minor, e.to_currency, (e.occurred_at AT TIME ZONE b.timezone)::date
          FROM unnest(fresh, fresh_lo, fresh_hi) r(book_id, lo, hi) JOIN books b ON b.id = r.book_id
            JOIN events e ON e.book_id = r.book_id AND e.seq < r.lo
          WHERE cardinality(started) > 0 AND r.book_id = ANY(started) AND e.deleted_at IS NULL
          UNION ALL
          SELECT e.book_id, e.id, e.kind, e.currency, e.amount_minor, e.author_id, e.account_id,
            e.to_account_id, e.to_amount_minor, e.to_currency, (e.occurred_at AT TIME ZONE b.timezone)::date
          FROM unnest(fresh, fresh_lo, fresh_hi) r(book_id, lo, hi) JOIN books b ON b.id = r.book_id
            JOIN events e ON e.book_id = r.book_id AND e.seq > r.hi
          WHERE cardinality(started) > 0 AND r.book_id = ANY(started) AND e.deleted_at IS NULL
        ), agg AS (
          -- The day rows, as `aggregate()` in drizzle/store/stats-rollup.ts builds them; then the
          -- month rows from them, as `monthsInsert()` there does.
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
