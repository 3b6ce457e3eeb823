import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { TEST_PG_URL } from '../test/databases.js';
import { isTransientDbError, withDbRetry } from './transient.js';

const caught = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('transient database errors', () => {
  it('GIVEN nothing listens on the port THEN the refusal is transient', async () => {
    const sql = postgres('postgres://postgres@127.0.0.1:5449/none', { max: 1, connect_timeout: 2, onnotice: () => {} });
    const err = await caught(sql`select 1`);
    await sql.end({ timeout: 1 });
    expect(isTransientDbError(err)).toBe(true);
  });

  it('GIVEN the server ends the session (57P01 / connection closed) THEN it is transient; a syntax error or a unique clash is not', async () => {
    const victim = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
    const killer = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
    try {
      const pid = (await victim<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
      const running = caught(victim`select pg_sleep(5)`);
      await new Promise((r) => setTimeout(r, 200));
      await killer`select pg_terminate_backend(${pid})`;
      expect(isTransientDbError(await running)).toBe(true);
      expect(isTransientDbError(await caught(killer`selec 1`))).toBe(false);
      expect(isTransientDbError(await caught(killer`select 1/0`))).toBe(false);
    } finally {
      await victim.end({ timeout: 1 });
      await killer.end({ timeout: 1 });
    }
  });

  it('GIVEN work failing transiently twice THEN it is retried and succeeds; a lasting failure is given up within the budget', async () => {
    let calls = 0;
    const ok = await withDbRetry(
      async () => {
        if (++calls < 3) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
        return 'done';
      },
      { firstDelayMs: 5 },
    );
    expect([ok, calls]).toEqual(['done', 3]);

    let bad = 0;
    const t0 = Date.now();
    const err = await caught(withDbRetry(async () => (bad++, Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))), { budgetMs: 300, firstDelayMs: 20 }));
    expect((err as Error).message).toBe('refused');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(bad).toBeGreaterThan(2);

    let once = 0;
    await caught(withDbRetry(async () => (once++, Promise.reject(Object.assign(new Error('dup'), { code: '23505' })))));
    expect(once).toBe(1);
  });
});
