import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incoming } from '../dispatcher.js';
import { createHarness, type Harness, type TestUser } from '../../test/harness.js';
import { writeCamt, writeOfx } from '../../test/statements/writers.js';
import type { Statement } from '../../domain/statements/types.js';

const ann = { id: 'ann', name: 'Ann' };
const chat = { platform: 'telegram' as const, chatId: 'stmt', kind: 'group' as const, title: 'stmt' };

describe('/import with a bank statement (preview only)', () => {
  let h: Harness;
  const say = async (user: TestUser, text: string, file?: Buffer, name = 'statement.ofx') => {
    const m: Incoming = { chat, from: { platform: 'telegram', externalId: user.id, name: user.name }, platformAdmin: false, text, attachment: file ? { name, content: file } : undefined };
    return (await h.dispatcher.handleMessage(m)).map((r) => r.text).join('\n');
  };
  const eventCount = async () => {
    const book = await h.services.store.resolveChat(chat, h.services.defaults);
    return (await h.services.store.exportEvents(book.id)).length;
  };
  const statement: Statement = {
    format: 'ofx',
    currency: 'EUR',
    accountId: 'DE02120300000000202051',
    rows: [
      { externalId: 'F1', date: '2026-05-03', amountMinor: -2340, currency: 'EUR', payee: 'LIDL', memo: 'Card' },
      { externalId: 'F2', date: '2026-05-04', amountMinor: 250000, currency: 'EUR', payee: 'ACME PAYROLL', memo: '' },
      { externalId: 'F3', date: '2026-05-09', amountMinor: -2340, currency: 'EUR', payee: 'Kiosk', memo: '' },
    ],
    openingBalance: 0,
    closingBalance: 245320,
  };

  beforeAll(async () => {
    h = await createHarness({ now: '2026-05-20T12:00:00Z' });
    await say(ann, '/spend 23.40 #groceries lidl 2026-05-02');
  });
  afterAll(async () => h.close());

  it('GIVEN a typed Lidl record and an OFX or CAMT statement holding it WHEN sent with /import THEN the preview counts new rows and names the twin, and nothing is written', async () => {
    const before = await eventCount();
    const ofx = await say(ann, '/import', Buffer.from(writeOfx(statement, 1)));
    expect(ofx).toBe('OFX statement, 3 transactions, compared with @Main: 2 new, 0 already imported, 1 looks like a record you typed (LIDL 23.40 on 3 May ↔ #1 23.40 on 2 May) — merge? Nothing is imported yet.');
    const camt = await say(ann, '/import', Buffer.from(writeCamt(statement, '053')), 'camt.xml');
    expect(camt).toContain('CAMT.053 statement, 3 transactions');
    expect(camt).toContain('(LIDL 23.40 on 3 May ↔ #1 23.40 on 2 May)');
    expect(await eventCount()).toBe(before);
  });

  it('GIVEN a broken statement WHEN sent with /import THEN the reply names the line and the problem, and nothing is written', async () => {
    const before = await eventCount();
    const broken = writeOfx(statement, 1).replace('<TRNAMT>-23.40', '<TRNAMT>-23,4,0');
    const reply = await say(ann, '/import', Buffer.from(broken));
    expect(reply).toMatch(/^The statement \(OFX\) was not read; nothing changed\. Line \d+: “-23,4,0” is not an amount\.$/);
    expect(await eventCount()).toBe(before);
    const huge = Buffer.alloc(21 * 1024 * 1024, 0x20);
    huge.write('OFXHEADER:100\n');
    expect(await say(ann, '/import', huge)).toBe('The statement was not read; nothing changed. The file: it is larger than 20 MB.');
  });
});
