import { parse, protocol, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';

/**
 * PGlite's `query` parses and plans every statement anew on each call (an unnamed statement, in
 * six protocol calls into the WebAssembly engine: Parse, Describe, Bind, Describe, Execute, Sync).
 * COIN's hot statements are few and large (the event writer, the `enter` read, the reply
 * outbox), so on the chat path most of a record's time went to parsing and planning them again
 * (issue 19). This client keeps a named prepared statement per SQL text from its second use on:
 * Parse and Describe once, then Bind, Describe, Execute and Sync in ONE call, and PostgreSQL's
 * plan cache (a generic plan once it is as cheap as the custom ones). What drizzle sees is
 * PGlite's `query` / `transaction` with the same results, errors and locking; the PostgreSQL
 * side does the same with postgres.js (`preparedAlways` in drizzle/db.ts).
 */

/** What drizzle's PGlite driver calls on its client (the database, or a transaction). */
export interface PgliteQueries {
  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(text: string, options?: QueryOptions): Promise<Results[]>;
}

export interface PreparedPglite extends PgliteQueries {
  transaction<T>(fn: (tx: PgliteQueries & Pick<Transaction, 'rollback' | 'closed'>) => Promise<T>): Promise<T>;
  /** Statements prepared now (tests, benchmarks). */
  readonly prepared: number;
}

/** Statements kept prepared at most (least recently used closed first): each holds a plan in PGlite's memory, which never shrinks. */
export const MAX_PREPARED = 200;

interface Statement {
  name: string;
  /** Parameter types, as PostgreSQL inferred them (the serializers to use). */
  types: number[];
}

type Backend = Awaited<ReturnType<PGlite['execProtocolStream']>>;

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Errors after which a statement's name must not be used again: its plan gone stale (a table changed under it), its name unknown. */
const isStale = (err: unknown): boolean => {
  const e = err as { code?: unknown; message?: unknown } | null;
  return (e?.code === '0A000' && String(e.message).includes('cached plan')) || e?.code === '26000';
};

export function preparedPglite(pg: PGlite, opts: { max?: number } = {}): PreparedPglite {
  const max = opts.max ?? MAX_PREPARED;
  const statements = new Map<string, Statement>();
  /** Texts seen once: a statement is prepared on its second use (one-off DDL is not kept). */
  const seen = new Set<string>();
  /** Names to close with the next call (evicted or stale). */
  const closing: string[] = [];
  let counter = 0;

  const send = (parts: Uint8Array[], options?: QueryOptions): Promise<Backend> =>
    pg.execProtocolStream(concat(parts), { syncToFs: false, ...(options?.onNotice ? { onNotice: options.onNotice } : {}) });

  /** PGlite names the query on its errors (`query`, `params`, `queryOptions`): the same here. */
  const named = (err: unknown, text: string, params: unknown[], options?: QueryOptions): unknown => {
    if (err && typeof err === 'object' && 'code' in err) Object.assign(err, { query: text, params, queryOptions: options });
    return err;
  };

  async function prepare(text: string, options?: QueryOptions): Promise<Statement> {
    const name = `coin_${(++counter).toString(36)}`;
    let messages: Backend;
    try {
      messages = await send([...closing.splice(0).map((n) => protocol.serialize.close({ type: 'S', name: n })), protocol.serialize.parse({ name, text, types: [] }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync()], options);
    } catch (err) {
      throw named(err, text, [], options);
    }
    const statement = { name, types: parse.parseDescribeStatementResults(messages) };
    statements.set(text, statement);
    if (statements.size > max) {
      const [oldest] = statements;
      statements.delete(oldest![0]);
      closing.push(oldest![1].name);
    }
    return statement;
  }

  /**
   * Whether `text` runs through a prepared name: from its second use on (one-off DDL is not
   * kept), and never with options this client does not handle (a blob, given parameter types).
   */
  function preparing(text: string, options?: QueryOptions): boolean {
    if (options?.paramTypes || options?.blob) return false;
    if (statements.has(text) || seen.has(text)) return true;
    if (seen.size > 10 * max) seen.clear();
    seen.add(text);
    return false;
  }

  /** One statement through its prepared name (preparing it first when needed); the caller holds PGlite's query lock. */
  async function run<T>(text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results<T>> {
    let statement = statements.get(text);
    if (statement) {
      // Most recently used last: the first entry is the one to close.
      statements.delete(text);
      statements.set(text, statement);
    } else {
      statement = await prepare(text, options);
    }
    const { types } = statement;
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null;
      const serialize = options?.serializers?.[types[i]!] ?? pg.serializers[types[i]!];
      return serialize ? (serialize(v) as string) : String(v);
    });
    let messages: Backend;
    try {
      messages = await send(
        [
          ...closing.splice(0).map((n) => protocol.serialize.close({ type: 'S', name: n })),
          protocol.serialize.bind({ statement: statement.name, values }),
          protocol.serialize.describe({ type: 'P' }),
          protocol.serialize.execute({}),
          protocol.serialize.sync(),
        ],
        options,
      );
    } catch (err) {
      if (isStale(err) && statements.get(text) === statement) {
        statements.delete(text);
        closing.push(statement.name);
      }
      throw named(err, text, params, options);
    }
    // PGlite merges `options.parsers` into a copy of all its parsers (hundreds: every array type)
    // on each call, a tenth of a record's time on the chat path; drizzle passes its few on every
    // query. Looked up through the prototype instead, the same parsers win.
    const parsers = options?.parsers ? Object.assign(Object.create(pg.parsers) as typeof pg.parsers, options.parsers) : pg.parsers;
    return parse.parseResults(messages, parsers, options?.rowMode ? { rowMode: options.rowMode } : undefined)[0] as Results<T>;
  }

  return {
    get prepared() {
      return statements.size;
    },

    // Outside a transaction: PGlite's transaction lock, then its query lock, as its own `query`.
    async query<T>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
      if (!preparing(text, options)) return pg.query<T>(text, params, options);
      await pg._checkReady();
      return pg._runExclusiveTransaction(() =>
        pg._runExclusiveQuery(async () => {
          // A plan gone stale (a table changed under it) is prepared afresh once; inside a
          // transaction the error has aborted it, so there it is the caller's.
          const out = await run<T>(text, params, options).catch((err: unknown) => (isStale(err) ? run<T>(text, params, options) : Promise.reject(err)));
          await pg.syncToFs();
          return out;
        }),
      );
    },

    exec: (text, options) => pg.exec(text, options),

    transaction: (fn) =>
      pg.transaction((tx) =>
        fn({
          query: <T>(text: string, params: unknown[] = [], options?: QueryOptions) =>
            // A closed transaction answers with PGlite's own error.
            tx.closed || !preparing(text, options) ? tx.query<T>(text, params, options) : pg._runExclusiveQuery(() => run<T>(text, params, options)),
          exec: (text, options) => tx.exec(text, options),
          rollback: () => tx.rollback(),
          get closed() {
            return tx.closed;
          },
        }),
      ),
  };
}
