import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createHarness, type Harness } from '../../test/harness.js';
import { receiptStore } from './receipt-store.js';
import { rowsOf } from './rows.js';

const ANN = { id: '401', name: 'Ann' };
const JPEG = Buffer.from('ffd8ffc0000b080003000201011100ffd9', 'hex');

/** Receipt scans on both engines: one being read per chat, proposals, the photo deleted with its record. */
describe.each(['postgres', 'pglite'] as const)('receipt store on %s', (engine) => {
  let h: Harness;
  let store: ReturnType<typeof receiptStore>;
  let book: number;
  let user: number;
  const scan = (chatId: string, at = now) => ({ at, bookId: book, userId: user, platform: 'telegram', chatId, image: JPEG, mime: 'image/jpeg' });
  const now = new Date('2026-12-06T12:00:00Z');

  beforeAll(async () => {
    h = await createHarness({ engine, now: now.toISOString() });
    await h.say(ANN, '12.40 #groceries LIDL Berlin');
    await h.say(ANN, '3.10 #groceries lidl');
    await h.say(ANN, '7 #fun lidl cinema');
    await h.say(ANN, '5 #groceries LIDL');
    const [row] = rowsOf<{ book_id: number; author_id: number }>(await h.database.db.execute(sql`select book_id, author_id from events where seq = 1`));
    book = row!.book_id;
    user = row!.author_id;
    store = receiptStore(h.database.db);
  });
  afterAll(() => h?.close());

  it('GIVEN a scan being read in a chat THEN a second one there is refused until it is proposed, or stale', async () => {
    const first = await store.startReceiptScan(scan('c1'), new Date(now.getTime() - 60_000));
    expect(first).toBeDefined();
    expect(await store.startReceiptScan(scan('c1'), new Date(now.getTime() - 60_000))).toBeUndefined();
    // Another chat is not held up.
    expect(await store.startReceiptScan(scan('c2'), new Date(now.getTime() - 60_000))).toBeDefined();
    expect(await store.proposeReceipt(first!, { totalMinor: 500, confidence: 0.9, currency: 'EUR' }, JPEG, 'image/jpeg')).toBe(true);
    expect(await store.proposeReceipt(first!, { totalMinor: 600, confidence: 0.9, currency: 'EUR' }, JPEG, 'image/jpeg')).toBe(false);
    const second = await store.startReceiptScan(scan('c1'), new Date(now.getTime() - 60_000));
    expect(second).toBeDefined();
    // Its worker died: after the stale limit the chat may send another.
    expect(await store.startReceiptScan(scan('c1', new Date(now.getTime() + 10 * 60_000)), new Date(now.getTime() + 5 * 60_000))).toBeDefined();
    expect(await store.scanToRead(second!)).toBeUndefined();
  });

  it('GIVEN a proposal THEN it is seen only in its book, recorded once, and its photo goes with the record', async () => {
    const id = (await store.startReceiptScan(scan('c3'), now))!;
    await store.proposeReceipt(id, { totalMinor: 1240, confidence: 0.9, currency: 'EUR', merchant: 'LIDL' }, JPEG, 'image/jpeg');
    expect(await store.receiptScan(book + 1000, id)).toBeUndefined();
    expect((await store.receiptScan(book, id))?.proposal?.merchant).toBe('LIDL');
    const [ev] = rowsOf<{ id: number }>(await h.database.db.execute(sql`select id from events where book_id = ${book} and seq = 1`));
    expect(await store.attachReceipt(book, id, Number(ev!.id))).toBe(true);
    expect(await store.attachReceipt(book, id, Number(ev!.id))).toBe(false);
    expect(await store.dropReceiptScan(book, id)).toBe(false);
    expect([...(await store.recordsWithReceipt(book, [1, 2, 3]))]).toEqual([1]);
    expect((await store.receiptOfRecord(book, 1))?.image.equals(JPEG)).toBe(true);

    expect(await h.say(ANN, '/delete 1')).toContain('#1');
    expect(await store.receiptOfRecord(book, 1)).toBeUndefined();
    expect(await store.receiptScan(book, id)).toBeUndefined();
  });

  it('GIVEN a record with its photo THEN /undo deletes the photo, and restoring the record does not bring it back', async () => {
    expect(await h.say(ANN, '9.99 #groceries LIDL')).toContain('#5');
    const id = (await store.startReceiptScan(scan('c4'), now))!;
    await store.proposeReceipt(id, { totalMinor: 999, confidence: 0.9, currency: 'EUR' }, JPEG, 'image/jpeg');
    const [ev] = rowsOf<{ id: number }>(await h.database.db.execute(sql`select id from events where book_id = ${book} and seq = 5`));
    expect(await store.attachReceipt(book, id, Number(ev!.id))).toBe(true);
    expect(await store.receiptOfRecord(book, 5)).toBeDefined();
    expect(await h.say(ANN, '/undo')).toContain('#5');
    expect(await store.receiptOfRecord(book, 5)).toBeUndefined();
    const left = rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from receipt_scans where id = ${id}`));
    expect(left[0]!.n).toBe(0);
    expect(await h.say(ANN, '/restore 5')).toContain('#5');
    expect(await store.receiptOfRecord(book, 5)).toBeUndefined();
  });

  it('GIVEN past records of a shop THEN its most used label is suggested', async () => {
    expect(await store.merchantLabel(book, 'Lidl')).toBe('groceries');
    expect(await store.merchantLabel(book, 'Aldi')).toBeUndefined();
    expect(await store.merchantLabel(book, 'Li')).toBeUndefined();
  });
});
