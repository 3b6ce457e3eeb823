import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/store/rows.js';
import { receiptStore } from '../../drizzle/store/receipt-store.js';
import { createWebKit, type WebKit } from '../../test/web-kit.js';

const ANN = { id: '301', name: 'Ann' };
const EVE = { id: '302', name: 'Eve' };
const GROUP = 'g-receipts';
// The smallest JPEG header COIN's checks accept: SOI, then a start-of-frame of 2×3 pixels.
const JPEG = Buffer.from('ffd8ffc0000b080003000201011100ffd9', 'hex');

let k: WebKit;
let book: number;

/** A record with its receipt photo, as Record on a proposal leaves it. */
async function withReceipt(seq: number): Promise<void> {
  const store = receiptStore(k.h.database.db);
  const [ev] = rowsOf<{ id: number; author_id: number }>(await k.h.database.db.execute(sql`select id, author_id from events where book_id = ${book} and seq = ${seq}`));
  const id = (await store.startReceiptScan({ at: new Date(), bookId: book, userId: ev!.author_id, platform: 'telegram', chatId: GROUP, image: JPEG, mime: 'image/jpeg' }, new Date(0)))!;
  await store.proposeReceipt(id, { totalMinor: 1250, confidence: 0.9, currency: 'EUR' }, JPEG, 'image/jpeg');
  expect(await store.attachReceipt(book, id, Number(ev!.id))).toBe(true);
}

beforeAll(async () => {
  k = await createWebKit();
  await k.h.say(ANN, '/start', GROUP);
  await k.h.say(ANN, '/spend 12.50 #food lunch', GROUP);
  await k.h.say(ANN, '/spend 3 #food tea', GROUP);
  book = rowsOf<{ book_id: number }>(await k.h.database.db.execute(sql`select book_id from chats where chat_id = ${GROUP}`))[0]!.book_id;
  await withReceipt(1);
});
afterAll(() => k.close());

describe('receipt photos on the web', () => {
  it('GIVEN a record with a receipt THEN the records page links to the photo, served to members only, gone with the record', async () => {
    const ann = await k.signedIn(ANN);
    const page = await ann.get(`/app/b/${book}/records`);
    expect(page.text).toContain(`href="/app/b/${book}/records/1/receipt"`);
    expect(page.text).not.toContain(`records/2/receipt`);

    const photo = await ann.get(`/app/b/${book}/records/1/receipt`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(photo.headers.get('content-length')).toBe(String(JPEG.length));
    expect((await ann.get(`/app/b/${book}/records/2/receipt`)).status).toBe(404);

    // Someone outside the book sees nothing, not even that the book exists.
    await k.h.say(EVE, '/start');
    const eve = await k.signedIn(EVE);
    expect((await eve.get(`/app/b/${book}/records/1/receipt`)).status).toBe(404);

    // Deleted with the record.
    expect(await k.h.say(ANN, '/delete 1', GROUP)).toContain('#1');
    expect((await ann.get(`/app/b/${book}/records/1/receipt`)).status).toBe(404);
    expect(rowsOf(await k.h.database.db.execute(sql`select 1 from receipt_scans where book_id = ${book}`))).toHaveLength(0);
  });
});
