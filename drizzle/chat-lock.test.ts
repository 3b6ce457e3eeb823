import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_PG_URL } from '../test/databases.js';
import { openChatLocks } from './chat-lock.js';

// Two lock pools stand for two replicas: each has its own connections, as processes do.
const a = await openChatLocks(TEST_PG_URL, { max: 4 });
const b = await openChatLocks(TEST_PG_URL, { max: 4 });
afterAll(async () => {
  await a.close();
  await b.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per-chat lock across processes', () => {
  it('GIVEN two replicas handle updates of one chat at once THEN they run one after the other; other chats do not wait', async () => {
    const chat = `tg:${randomBytes(4).toString('hex')}`;
    const log: string[] = [];
    const work = (name: string) => async () => {
      log.push(`${name} start`);
      await pause(150);
      log.push(`${name} end`);
      return name;
    };
    const first = a.lock(chat, work('a'));
    await pause(30);
    const started = performance.now();
    const [ra, rb, other] = await Promise.all([first, b.lock(chat, work('b')), b.lock(`${chat}-other`, async () => performance.now() - started)]);
    expect([ra, rb]).toEqual(['a', 'b']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end']);
    // A different chat took its lock while the first chat's was held.
    expect(other).toBeLessThan(100);
  });

  it('GIVEN the handler fails THEN the lock is released and the error reaches the caller', async () => {
    const chat = `tg:${randomBytes(4).toString('hex')}`;
    await expect(a.lock(chat, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await b.lock(chat, async () => 'next')).toBe('next');
  });
});
