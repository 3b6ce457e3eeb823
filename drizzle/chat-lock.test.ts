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
      await pause(400);
      log.push(`${name} end`);
      return name;
    };
    const first = a.lock(chat, work('a'));
    // b asks once a holds the lock (a's handler has begun).
    while (!log.includes('a start')) await pause(5);
    const [ra, rb] = await Promise.all([first, b.lock(chat, work('b')), b.lock(`${chat}-other`, async () => void log.push('other chat'))]);
    expect([ra, rb]).toEqual(['a', 'b']);
    // b waited for a; a different chat took its lock while the first chat's was held.
    expect(log.filter((l) => l !== 'other chat')).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(log.indexOf('other chat')).toBeLessThan(log.indexOf('a end'));
  });

  it('GIVEN the handler fails THEN the lock is released and the error reaches the caller', async () => {
    const chat = `tg:${randomBytes(4).toString('hex')}`;
    await expect(a.lock(chat, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await b.lock(chat, async () => 'next')).toBe('next');
  });
});
