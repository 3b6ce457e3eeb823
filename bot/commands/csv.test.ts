import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incoming } from '../dispatcher.js';
import { createHarness, type Harness, type TestUser } from '../../test/harness.js';
import type { Reply } from '../reply.js';
import { sql } from 'drizzle-orm';
import { CHAT_EXPORT_LIMITS, exportCsv } from '../../domain/ledger/csv-import.js';

const ann = { id: 'ann', name: 'Ann' };
const bob = { id: 'bob', name: 'Bob' };

const NOTES = ['said "hello", then left', 'line one\nline two\r\nline three', 'Ёлка 🎄 für Jürgen — 東京', '=SUM(A1:A9)', 'a,b,,c'];

describe('/export and /import', () => {
  let h: Harness;

  /** A message with a file, as the Telegram and Discord adapters deliver `/import`. */
  const send = (user: TestUser, text: string, chat: string, file?: Buffer): Promise<Reply[]> => {
    const m: Incoming = {
      chat: { platform: 'telegram', chatId: chat, kind: 'group', title: chat },
      from: { platform: 'telegram', externalId: user.id, name: user.name },
      platformAdmin: false,
      text,
      attachment: file ? { name: 'coin.csv', content: file } : undefined,
    };
    return h.dispatcher.handleMessage(m);
  };
  const say = async (user: TestUser, text: string, chat: string, file?: Buffer) =>
    (await send(user, text, chat, file)).map((r) => [r.text, r.pre].filter(Boolean).join('\n')).join('\n');

  /** Totals per currency and kind, and balances per account, of a chat's book. */
  async function figures(chat: string) {
    const { store } = h.services;
    const book = await store.resolveChat({ platform: 'telegram', chatId: chat, kind: 'group', title: chat }, h.services.defaults);
    const rows = await store.statTotals(book.id, '2000-01-01', '2100-01-01', ['t', 'l']);
    const labels = await store.listLabels(book.id);
    const name = (id: number) => labels.find((l) => l.id === id)?.name ?? '-';
    const totals = rows.map((r) => `${r.dim}:${r.dim === 'l' ? name(r.key) : ''}:${r.kind}:${r.currency}:${r.minor}:${r.count}`).sort();
    const balances = (await store.listAccounts(book.id)).map((a) => `${a.name}:${a.currency}:${a.balanceMinor}`).sort();
    return { totals, balances };
  }

  beforeAll(async () => {
    h = await createHarness({ now: '2026-11-24T12:00:00Z' });
    const chat = 'source';
    await say(ann, '/timezone Europe/Berlin', chat);
    await say(ann, '/account add Main', chat);
    await say(ann, '/account add Card', chat);
    await say(ann, '/account add Dollars USD', chat);
    // Chat text cannot carry line breaks or quotes into a note (the tokenizer reads them), an
    // import or the API can: set those notes directly.
    const { store } = h.services;
    const book = await store.resolveChat({ platform: 'telegram', chatId: chat, kind: 'group', title: chat }, h.services.defaults);
    for (const [i, note] of NOTES.entries()) {
      const seq = Number(/^#(\d+)/.exec(await say(ann, `/spend ${i + 1}.25 #food @Card 2026-10-2${i} x`, chat))![1]);
      await store.editEvent(book.id, seq, { note });
    }
    await say(bob, '/spend 1234.56 #rent #home 2026-03-29', chat); // the DST day
    await say(bob, '/income 2500 #salary', chat);
    await say(ann, '/spend 30 usd @Dollars #travel 2026-10-25', chat);
    await say(ann, '/transfer 100 Main Card', chat);
    await say(ann, '/transfer 92 eur 100 usd Main Dollars', chat);
    await say(ann, '/spend 5 lost', chat);
    await say(ann, '/undo', chat); // deleted records are not exported
  });
  afterAll(() => h?.close());

  it('GIVEN an export imported into a fresh book THEN totals, labels and balances are the same', async () => {
    const exported = await send(ann, '/export', 'source');
    const file = exported[0]!.file!;
    expect(exported[0]!.text).toBe('Exported 10 records (all time).');
    expect(file.mime).toBe('text/csv');
    expect(file.name).toBe('coin-all.csv');
    const csv = file.content.toString('utf8');
    for (const note of NOTES) expect(csv).toContain(note.replace(/"/g, '""').replace(/^=/, "'="));

    expect(await say(bob, '/import', 'copy', file.content)).toBe('Imported 10 records; skipped 0 imported before (10 rows read).');
    const source = await figures('source');
    const copy = await figures('copy');
    expect(copy.totals).toEqual(source.totals);
    // Main's opening balance (0) and the accounts' movements match; Card was created by the import.
    expect(copy.balances).toEqual(source.balances);

    // The copy's own export has the same rows (ids and authors aside: the importer is the author).
    const again = (await send(bob, '/export', 'copy'))[0]!.file!.content.toString('utf8');
    const strip = (text: string) =>
      text
        .split('\r\n')
        .map((line) => line.replace(/^\d+,/, '').replace(/,(Ann|Bob)$/, ''))
        .sort();
    expect(strip(again)).toEqual(strip(csv));
  });

  it('GIVEN the same file imported again THEN every row is skipped and nothing changes', async () => {
    const file = (await send(ann, '/export', 'source'))[0]!.file!;
    await say(bob, '/import', 'twice', file.content);
    const before = await figures('twice');
    expect(await say(bob, '/import', 'twice', file.content)).toBe('Imported 0 records; skipped 10 imported before (10 rows read).');
    expect(await figures('twice')).toEqual(before);
  });

  it('GIVEN a file with bad rows THEN their row numbers are reported and nothing is imported', async () => {
    const csv = [
      'id,date,type,amount,currency,account,labels,note,author',
      '1,2026-11-01,expense,4.50,EUR,Main,food,"fine, ""quoted""\nacross lines",Ann',
      '2,2026-11-31,expense,4.50,EUR,Main,food,,Ann',
      '3,2026-11-02,expense,four,EUR,Main,food,,Ann',
      '4,2026-11-03,expense,4.50,EUR,Main,food,,Ann',
    ].join('\r\n');
    const text = await say(ann, '/import', 'bad', Buffer.from(csv));
    expect(text).toContain('The CSV was not imported; nothing changed.');
    expect(text).toContain('row 3: date “2026-11-31”');
    expect(text).toContain('row 4: amount “four”');
    expect(text).not.toContain('row 2');
    expect((await figures('bad')).totals).toEqual([]);
  });

  it('GIVEN /import without a file or /export of an empty period THEN it says what to do', async () => {
    expect(await say(ann, '/import', 'source')).toContain('Send /import with a CSV file attached');
    expect(await say(ann, '/export 2020', 'source')).toBe('No records to export (2020).');
    const month = await send(ann, '/export 2026-10', 'source');
    expect(month[0]!.text).toBe('Exported 6 records (October 2026).');
    expect(month[0]!.file!.name).toBe('coin-october-2026.csv');
  });

  it('GIVEN a book with more records than a chat file carries THEN /export refuses with a hint, and a shorter period still exports', async () => {
    const chat = 'huge';
    await say(ann, '/spend 1 #seed', chat);
    const { store } = h.services;
    const book = await store.resolveChat({ platform: 'telegram', chatId: chat, kind: 'group', title: chat }, h.services.defaults);
    const [acc] = await store.listAccounts(book.id);
    // One record a minute from 1 January 2026: 100,001 of them reach into March.
    const n = CHAT_EXPORT_LIMITS.rows + 1;
    await h.database.db.execute(sql`
      insert into events (book_id, seq, kind, account_id, amount_minor, currency, note, author_id, occurred_at)
      select ${book.id}, g + 1, 'expense', ${acc!.id}, 100, 'EUR', '', null, '2026-01-01T00:00:00Z'::timestamptz + (g - 1) * interval '1 minute'
      from generate_series(1, ${n}) g`);
    await h.database.db.execute(sql`update books set last_seq = ${n + 1} where id = ${book.id}`);

    const all = await send(ann, '/export', chat);
    expect(all[0]!.file).toBeUndefined();
    expect(all[0]!.text).toBe('Too many records for one file in a chat (more than 100000). Export a shorter period, e.g. /export 2026 or /export last-month.');
    const january = await send(ann, '/export 2026-01', chat);
    expect(january[0]!.text).toBe('Exported 44640 records (January 2026).');
    expect(january[0]!.file!.content.toString('utf8').split('\r\n').filter(Boolean)).toHaveLength(44_641);
  });

  it('GIVEN an export whose file would pass the size a chat takes THEN it is refused even under the row limit', async () => {
    const ctx = await h.dispatcher.context({
      chat: { platform: 'telegram', chatId: 'source', kind: 'group', title: 'source' },
      from: { platform: 'telegram', externalId: ann.id, name: ann.name },
      platformAdmin: false,
    });
    await expect(exportCsv(ctx.actor, 'all', { rows: 1_000, bytes: 200 })).rejects.toMatchObject({ code: 'export_too_large' });
    expect((await exportCsv(ctx.actor, 'all', { rows: 1_000, bytes: 1_000_000 })).count).toBeGreaterThan(0);
  });
});

