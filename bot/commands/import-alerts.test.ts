import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incoming } from '../dispatcher.js';
import type { Reply } from '../reply.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { ANN, createApiKit, seedFamily } from '../../test/api-kit.js';
import { writeOfx } from '../../test/statements/writers.js';
import type { Statement } from '../../domain/statements/types.js';

const ann = { id: 'ann', name: 'Ann' };

/** Two card payments of May, 85.00 EUR together: over 80 % of a 100 EUR budget. */
const MAY: Statement = {
  format: 'ofx',
  currency: 'EUR',
  accountId: 'DE44500105175407324931',
  rows: [
    { externalId: 'B1', date: '2026-05-03', amountMinor: -4000, currency: 'EUR', payee: 'Lidl', memo: '' },
    { externalId: 'B2', date: '2026-05-04', amountMinor: -4500, currency: 'EUR', payee: 'Kiosk', memo: '' },
  ],
};

/** The same two payments in COIN's own CSV (the columns of /export). */
const CSV = ['id,date,type,amount,currency,account,labels,note,author', '1,2026-05-03,expense,40.00,EUR,Main,,Lidl,Ann', '2,2026-05-04,expense,45.00,EUR,Main,,Kiosk,Ann'].join('\r\n');

/**
 * Issue 14: imports record through the one batch use case, so a budget an import goes over is told
 * exactly as a single record going over it is — in the chat's reply, and to the book's chats for
 * an import over the API.
 */
describe.each(['postgres', 'pglite'] as const)('budget alerts after an import (%s)', (engine) => {
  let h: Harness;
  const chatOf = (chatId: string) => ({ platform: 'telegram' as const, chatId, kind: 'group' as const, title: chatId });
  const send = (chatId: string, text: string, file?: Buffer, name = 'statement.ofx'): Promise<Reply[]> => {
    const m: Incoming = { chat: chatOf(chatId), from: { platform: 'telegram', externalId: ann.id, name: ann.name }, platformAdmin: false, text, attachment: file ? { name, content: file } : undefined };
    return h.dispatcher.handleMessage(m);
  };
  const press = async (chatId: string, rs: Reply[], label: string) => {
    const b = rs.flatMap((r) => (r.buttons ?? []).flat()).find((x) => x.label === label);
    if (!b) throw new Error(`no button ${label}`);
    return (await h.dispatcher.handleAction({ chat: chatOf(chatId), from: { platform: 'telegram', externalId: ann.id, name: ann.name }, platformAdmin: false, action: b.action })).replies;
  };
  /** A book with Main and a monthly total budget of 100 EUR. */
  const budgeted = async (chatId: string) => {
    await send(chatId, '/account add Main EUR');
    expect((await send(chatId, '/budget total 100'))[0]!.text).toContain('100');
  };

  let single: string[];
  beforeAll(async () => {
    h = await createHarness({ engine, now: '2026-05-20T12:00:00Z' });
    await budgeted('single');
    // The single record: its reply is the confirmation, then the alert.
    const replies = await send('single', '/spend 85 lunch 2026-05-03');
    single = replies.slice(1).map((r) => r.text);
  });
  afterAll(async () => h.close());

  it('GIVEN a budget a single record goes over THEN the record is answered with the alert (the baseline)', () => {
    expect(single).toHaveLength(1);
    expect(single[0]).toMatch(/^⚠️ Budget total is at 85%: 85.00 EUR of 100.00 EUR/);
  });

  it('GIVEN a bank statement going over the budget WHEN imported THEN the import is answered with the same alert, once', async () => {
    await budgeted('statement');
    const ask = await send('statement', '/import', Buffer.from(writeOfx(MAY, 1)));
    const preview = await press('statement', ask, '@Main');
    const done = await press('statement', preview, 'Import');
    expect(done[0]!.text).toBe('Imported into @Main: 2 new, 0 merged with records you typed, 0 there already.');
    expect(done.slice(1).map((r) => r.text)).toEqual(single);
    // Sent again: nothing new, nothing told again.
    const again = await send('statement', '/import', Buffer.from(writeOfx(MAY, 2)));
    expect(again.map((r) => r.text).join('\n')).toContain('imported already');
  });

  it('GIVEN COIN’s CSV going over the budget WHEN imported THEN the import is answered with the same alert, and not again the second time', async () => {
    await budgeted('csv');
    const done = await send('csv', '/import', Buffer.from(CSV), 'coin.csv');
    expect(done[0]!.text).toBe('Imported 2 records; skipped 0 imported before (2 rows read).');
    expect(done.slice(1).map((r) => r.text)).toEqual(single);
    const again = await send('csv', '/import', Buffer.from(CSV), 'coin.csv');
    expect(again.map((r) => r.text)).toEqual(['Imported 0 records; skipped 2 imported before (2 rows read).']);
  });
});

describe('budget alerts after an import over the API', () => {
  it('GIVEN a budget a statement import goes over THEN the book’s chats are told, as for an API record', async () => {
    const told: { book: number; thresholds: number[] }[] = [];
    const k = await createApiKit({ tellBook: async (book, alerts) => void told.push({ book: book.id, thresholds: alerts.map((x) => x.threshold) }) });
    try {
      const s = await seedFamily(k);
      await k.h.say(ANN, '/budget total 10');
      const res = await k.app.request(`/api/v1/books/${s.annBook}/statements/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.ann}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(Buffer.from(writeOfx({ ...MAY, rows: MAY.rows.map((r) => ({ ...r, date: '2026-11-20' })) }, 2))),
      });
      const step = (await res.json()) as { id: string; accounts: { id: number; name: string }[] };
      const main = step.accounts.find((a) => a.name === 'Main')!;
      await k.req('POST', `/books/${s.annBook}/statements/${step.id}`, { token: s.ann, json: { action: 'account', accountId: main.id } });
      const done = await k.req('POST', `/books/${s.annBook}/statements/${step.id}`, { token: s.ann, json: { action: 'import' } });
      expect(done.body).toMatchObject({ imported: true, created: 2 });
      expect(told).toEqual([{ book: s.annBook, thresholds: [100] }]);
    } finally {
      await k.close();
    }
  });
});
