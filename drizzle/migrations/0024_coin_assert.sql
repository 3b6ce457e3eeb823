-- A check a statement makes on its own result, raised as an error by PostgreSQL itself, so the
-- transaction is aborted by the statement and not by the client reading its answer. The chat
-- inbox's settle ("every update taken is still ours to mark done") uses it so its COMMIT can be
-- sent right behind it without waiting for the answer: a failed check turns that COMMIT into a
-- rollback (issue 19: one round trip less per batch).
CREATE OR REPLACE FUNCTION coin_assert(ok boolean, message text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'CN001', MESSAGE = message;
  END IF;
  RETURN true;
END
$$;
