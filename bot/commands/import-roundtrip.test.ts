import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleChat } from '../../adapters/console/console-adapter.js';
import { createApiKit, type ApiKit } from '../../test/api-kit.js';
import type { TestUser } from '../../test/harness.js';

/** Issue 13 items 8 and 9: export → import adds nothing to the same book, reproduces in a new one; every way in. */
let k: ApiKit;
const ann: TestUser = { id: 'rt-ann', name: 'Ann' };
let dir: string;

beforeAll(async () => {
  k = await createApiKit();
  dir = mkdtempSync(path.join(tmpdir(), 'coin-import-'));
});
afterAll(async () => {
  await k?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const GROUP = 'g-roundtrip';

/** A message with a file, as an adapter hands it over. */
async function sendFile(user: TestUser, chat: string, content: Buffer): Promise<string> {
  const replies = await k.h.dispatcher.handleMessage({
    chat: { platform: 'telegram', chatId: chat, kind: 'group', title: chat },
    from: { platform: 'telegram', externalId: user.id, name: user.name },
    platformAdmin: false,
    text: '/import',
    attachment: { name: 'coin.csv', content },
  });
  return replies.map((r) => [r.text, r.pre].filter(Boolean).join('\n')).join('\n');
}

const exportOf = async (chat: string): Promise<Buffer> => (await k.h.replies(ann, '/export all', chat)).find((r) => r.file)!.file!.content;

describe('GIVEN a book with records, a transfer between currencies, and a deletion after the export', () => {
  let file: Buffer;
  beforeAll(async () => {
    await k.h.say(ann, '4.50 #coffee morning', GROUP);
    await k.h.say(ann, '/account add Dollars USD 500', GROUP);
    await k.h.say(ann, '/transfer 100 usd 92 eur Dollars Main', GROUP);
    await k.h.say(ann, '1234.50 #travel #holiday', GROUP);
    await k.h.say(ann, '/income 2500 #salary', GROUP);
    file = await exportOf(GROUP);
    await k.h.say(ann, '/delete #3', GROUP);
  });

  it('THEN importing the export into the same book adds nothing and the deleted record stays deleted', async () => {
    const history = await k.h.say(ann, '/history 50', GROUP);
    const accounts = await k.h.say(ann, '/accounts', GROUP);
    expect(await sendFile(ann, GROUP, file)).toContain('Imported 0 records; skipped 4');
    expect(await k.h.say(ann, '/history 50', GROUP)).toBe(history);
    expect(await k.h.say(ann, '/accounts', GROUP)).toBe(accounts);
  });

  it('THEN importing it into a new book reproduces the same export', async () => {
    expect(await sendFile(ann, 'g-fresh', file)).toContain('Imported 4 records');
    expect((await exportOf('g-fresh')).toString('utf8')).toBe(file.toString('utf8'));
  });

  it('THEN an export with a gap (a record deleted before it) keeps its numbers in the new book', async () => {
    const withGap = await exportOf(GROUP); // #3 is deleted: #1, #2, #4
    expect(await sendFile(ann, 'g-gap', withGap)).toContain('Imported 3 records');
    expect((await exportOf('g-gap')).toString('utf8')).toBe(withGap.toString('utf8'));
    expect(await k.h.say(ann, '/history 10', 'g-gap')).toMatch(/#4[\s\S]*#2[\s\S]*#1/);
  });

  it('THEN POST /books/{id}/import with the same CSV adds nothing, and a new book via the API gets every row', async () => {
    const token = await k.tokenFor(ann);
    const group = await k.bookId(GROUP);
    const same = await k.req('POST', `/books/${group}/import`, { token, body: file.toString('utf8'), headers: { 'content-type': 'text/csv' } });
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ created: 0, skipped: 4, total: 4 });
    await k.h.say(ann, '/start', 'g-api');
    const fresh = await k.bookId('g-api');
    const first = await k.req('POST', `/books/${fresh}/import`, { token, body: file.toString('utf8'), headers: { 'content-type': 'text/csv' } });
    expect(first.body).toEqual({ created: 4, skipped: 0, total: 4 });
    const again = await k.req('POST', `/books/${fresh}/import`, { token, body: file.toString('utf8'), headers: { 'content-type': 'text/csv' } });
    expect(again.body).toEqual({ created: 0, skipped: 4, total: 4 });
  });
});

describe('GIVEN rows that cannot be read', () => {
  const bad = Buffer.from('date,type,amount,currency,account,labels,note\r\n2026-11-20,expense,"1,234.50",EUR,Main,,x\r\n');

  it('THEN the chat says why, row by row, and nothing is imported', async () => {
    const out = await sendFile(ann, 'g-bad', bad);
    expect(out).toContain('row 2: amount “1,234.50”: write digits with “.” before the decimals and no thousands separators');
    expect(await k.h.say(ann, '/history', 'g-bad')).toBe('No records yet.');
  });

  it('THEN the API answers 422 with each problem and its reason', async () => {
    const token = await k.tokenFor(ann, 'bad');
    await k.h.say(ann, '/start', 'g-bad-api');
    const r = await k.req('POST', `/books/${await k.bookId('g-bad-api')}/import`, { token, body: bad.toString('utf8'), headers: { 'content-type': 'text/csv' } });
    expect(r.status).toBe(422);
    expect(r.body.problems[0]).toMatchObject({ row: 2, field: 'amount', value: '1,234.50' });
    expect(r.body.problems[0].message).toContain('no thousands separators');
  });
});

describe('GIVEN the terminal chat', () => {
  it('THEN /import <path> reads the file, and a missing file is named; the chat shows a prompt', async () => {
    const csv = path.join(dir, 'in.csv');
    writeFileSync(csv, 'date,type,amount,currency,account,labels,note\r\n2026-11-20,expense,12.50,EUR,Main,food,lunch\r\n');
    const input = new PassThrough();
    const output = new PassThrough();
    let out = '';
    output.on('data', (d) => (out += String(d)));
    const chat = startConsoleChat({ dispatcher: k.h.dispatcher, input, output, outDir: dir, user: 'terminal-user' });
    input.end(`/import ${csv}\n/import ${path.join(dir, 'nope.csv')}\n/history\n`);
    await chat.done;
    expect(out).toContain('Imported 1 records');
    expect(out).toContain('no such file');
    expect(out).toContain('#1');
    expect(out).toContain('> ');
  });
});

describe('GIVEN a file whose rows read well but whose write is refused (a balance past its bound)', () => {
  it('THEN the API answers 422 and the account the file names was not created either', async () => {
    const token = await k.tokenFor(ann, 'bound');
    await k.h.say(ann, '/start', 'g-bound');
    await k.h.say(ann, '/account add Dinars BHD', 'g-bound');
    const rows = Array.from({ length: 10 }, (_, i) => `2026-11-20,income,999999999999.999,BHD,Dinars,,big ${i}`);
    const csv = ['date,type,amount,currency,account,labels,note', '2026-11-19,expense,1.00,EUR,Vault,,a new account', ...rows].join('\r\n') + '\r\n';
    const before = await k.snapshot();
    const r = await k.req('POST', `/books/${await k.bookId('g-bound')}/import`, { token, body: csv, headers: { 'content-type': 'text/csv' } });
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('balance_out_of_range');
    expect(await k.snapshot()).toBe(before);
  });
});
