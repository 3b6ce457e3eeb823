-- The applier's turn and its work in one round trip (issue 19). With wait: takes the advisory lock
-- of every chat named, waiting for a process applying one (all callers lock in ascending hash
-- order, so two cannot deadlock on each other). Without: takes only the chats nobody applies now
-- and answers the others as busy (one row each, key null), so a batch never idles a connection
-- waiting for another process. Then reads up to per_chat pending updates of each chat it holds,
-- oldest first. In PL/pgSQL each statement takes its own snapshot, so the read runs after the
-- locks are held and sees what the previous holder of a chat committed (a single SQL statement
-- would read with the snapshot it took before the lock, and could apply an update twice).
CREATE FUNCTION chat_inbox_take(chat_keys jsonb, per_chat int, wait boolean)
RETURNS TABLE (key text, chat_key text, seq bigint, payload jsonb)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  held text[];
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(120012, s.h)
      FROM (SELECT DISTINCT hashtext(k.v) AS h FROM jsonb_array_elements_text(chat_keys) AS k(v) ORDER BY 1 OFFSET 0) AS s;
    held := ARRAY(SELECT k.v FROM jsonb_array_elements_text(chat_keys) AS k(v));
  ELSE
    held := ARRAY(SELECT k.v FROM jsonb_array_elements_text(chat_keys) AS k(v) WHERE pg_try_advisory_xact_lock(120012, hashtext(k.v)));
  END IF;
  RETURN QUERY
    SELECT x.key, x.chat_key, x.seq, x.payload FROM (
      SELECT i.key, i.chat_key, i.seq, i.payload, row_number() OVER (PARTITION BY i.chat_key ORDER BY i.seq) AS rn
      FROM chat_inbox i
      WHERE i.chat_key = ANY (held) AND i.done_at IS NULL
    ) AS x
    WHERE x.rn <= per_chat
    ORDER BY x.seq;
  RETURN QUERY
    SELECT NULL::text, k.v, NULL::bigint, NULL::jsonb FROM jsonb_array_elements_text(chat_keys) AS k(v) WHERE NOT (k.v = ANY (held));
END
$$;
