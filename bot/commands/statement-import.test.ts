import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type Incoming } from '../dispatcher.js';
import { createRegistry } from './index.js';
import type { Reply } from '../reply.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { writeCamt, writeCsv, writeOfx, writeQif } from '../../test/statements/writers.js';
import { encodeStatement } from '../../domain/statements/decode.js';
import type { Statement, StatementRow } from '../../domain/statements/types.js';

const ann = { id: 'ann', name: 'Ann' };
const bob = { id: 'bob', name: 'Bob' };
const chat = { platform: 'telegram' as const, chatId: 'stmt', kind: 'group' as const, title: 'stmt' };

const row = (externalId: string, date: string, amountMinor: number, payee: string, memo = ''): StatementRow => ({ externalId, date, amountMinor, currency: 'EUR', payee, memo });
const statement = (rows: StatementRow[], accountId = 'DE02 1203 0000 0000 2020 51'): Statement => ({ format: 'ofx', currency: 'EUR', accountId, rows });

const MAY = [row('F1', '2026-05-03', -2340, 'LIDL', 'Card'), row('F2', '2026-05-04', 250000, 'ACME PAYROLL'), row('F3', '2026-05-09', -2340, 'Kiosk')];

describe.each(['postgres', 'pglite'] as const)('bank statements in a chat (%s)', (engine) => {
  let h: Harness;
  const incoming = (user: typeof ann, text: string, file?: Buffer, name = 'statement.ofx'): Incoming => ({
    chat,
    from: { platform: 'telegram', externalId: user.id, name: user.name },
    platformAdmin: false,
    text,
    attachment: file ? { name, content: file } : undefined,
  });
  const send = (user: typeof ann, text: string, file?: Buffer, name?: string) => h.dispatcher.handleMessage(incoming(user, text, file, name));
  const text = (rs: Reply[]) => rs.map((r) => r.text).join('\n');
  const buttons = (rs: Reply[]) => rs.flatMap((r) => (r.buttons ?? []).flat());
  const press = async (user: typeof ann, rs: Reply[], label: string) => {
    const b = buttons(rs).find((x) => x.label === label);
    if (!b) throw new Error(`no button ${label} in ${JSON.stringify(buttons(rs))}`);
    return (await h.dispatcher.handleAction({ chat, from: { platform: 'telegram', externalId: user.id, name: user.name }, platformAdmin: false, action: b.action })).replies;
  };
  const book = () => h.services.store.resolveChat(chat, h.services.defaults);
  const events = async () => (await h.services.store.exportEvents((await book()).id)).sort((a, b) => a.seq - b.seq);
  const balance = async (name: string) => (await h.services.store.listAccounts((await book()).id)).find((a) => a.name === name)!.balanceMinor;

  beforeAll(async () => {
    h = await createHarness({ engine, now: '2026-05-20T12:00:00Z' });
    await send(ann, '/spend 23.40 #groceries lidl 2026-05-02');
    await send(ann, '/account add Card EUR');
    await send(ann, '/account add Dollars USD');
  });
  afterAll(async () => h.close());

  it('GIVEN an OFX of an unlinked bank account WHEN sent THEN COIN asks which account with a button per account; the choice shows the preview; merge imports the new rows and merges the twin; nothing is written before the choice', async () => {
    const before = await events();
    const ask = await send(ann, '/import', Buffer.from(writeOfx(statement(MAY), 1)));
    expect(text(ask)).toBe('OFX statement …2051, 3 transactions. Which account is it? COIN remembers the answer for the next statement.');
    expect(buttons(ask).map((b) => b.label)).toEqual(['@Main', '@Card', '@Dollars', 'Cancel']);
    expect(buttons(ask).every((b) => Buffer.byteLength(b.action) <= 64)).toBe(true);

    const wrong = await press(ann, ask, '@Dollars');
    expect(text(wrong)).toBe('The statement is in EUR, but @Dollars keeps USD. Choose an account in EUR, or add one: /account add Name EUR');

    const preview = await press(ann, ask, '@Main');
    expect(text(preview)).toBe(
      'OFX statement, 3 transactions, compared with @Main: 2 new, 0 already imported, 1 looks like a record you typed (LIDL 23.40 on 3 May ↔ #1 23.40 on 2 May) — merge? Nothing is imported yet.',
    );
    expect(buttons(preview).map((b) => b.label)).toEqual(['Import', 'Import and merge twins', 'Cancel']);
    expect(await events()).toEqual(before);

    // Another member cannot press Ann's buttons (the preview is hers).
    await send(bob, '/help');
    const foreign = await h.dispatcher.handleAction({ chat, from: { platform: 'telegram', externalId: bob.id, name: bob.name }, platformAdmin: true, action: buttons(preview)[0]!.action });
    expect(text(foreign.replies)).toMatch(/no longer waiting/);

    const mainBefore = await balance('Main');
    const done = await press(ann, preview, 'Import and merge twins');
    expect(text(done)).toBe('Imported into @Main: 2 new, 1 merged with records you typed, 0 there already.');
    const after = await events();
    expect(after).toHaveLength(before.length + 2);
    const typed = after.find((e) => e.seq === 1)!;
    expect(typed.labels).toEqual(['groceries']);
    expect(typed.note).toBe('lidl');
    expect(after.filter((e) => e.seq > 1).map((e) => [e.kind, e.amountMinor, e.note, e.occurredAt.toISOString().slice(0, 10)])).toEqual([
      ['income', 250000, 'ACME PAYROLL', '2026-05-04'],
      ['expense', 2340, 'Kiosk', '2026-05-09'],
    ]);
    // The twin was there already: the balance moves by the rows that were new.
    expect((await balance('Main')) - mainBefore).toBe(250000 - 2340);

    // The same file again: linked by the account id, all three known (the merged twin too).
    const again = await send(ann, '/import', Buffer.from(writeOfx(statement(MAY), 2)));
    expect(text(again)).toBe('OFX statement, 3 transactions, compared with @Main: all 3 are imported already. Nothing to do.');
    expect(buttons(again)).toEqual([]);

    // CAMT of the same account (IBAN written without spaces), overlapping: one row new.
    const overlap = statement([MAY[1]!, MAY[2]!, row('F4', '2026-05-12', -999, 'Bakery')], 'DE02120300000000202051');
    const camt = await send(ann, '/import', Buffer.from(writeCamt(overlap, '053')), 'camt.xml');
    expect(text(camt)).toBe('CAMT.053 statement, 3 transactions, compared with @Main: 1 new, 2 already imported. Nothing is imported yet.');
    expect(text(await press(ann, camt, 'Import'))).toBe('Imported into @Main: 1 new, 0 merged with records you typed, 2 there already.');
    expect(await events()).toHaveLength(before.length + 3);
  });

  it('GIVEN a preview WHEN cancelled THEN nothing is written and its buttons no longer work', async () => {
    const before = await events();
    const s = statement([row('C1', '2026-05-15', -100, 'X')], 'CANCEL-1');
    const ask = await send(ann, '/import', Buffer.from(writeOfx(s, 1)));
    const preview = await press(ann, ask, '@Card');
    expect(text(await press(ann, preview, 'Cancel'))).toBe('Cancelled; nothing was imported.');
    expect(text(await press(ann, preview, 'Import'))).toBe('That statement is no longer waiting (imported, cancelled, or sent over a day ago). Send the file again with /import.');
    expect(await events()).toEqual(before);
  });

  it('GIVEN a preview WHEN the bot restarts (a new registry and dispatcher) THEN its buttons still import, once', async () => {
    const s = statement([row('R1', '2026-05-16', -700, 'Restart cafe')], 'RESTART-1');
    const ask = await send(ann, '/import', Buffer.from(writeOfx(s, 1)));
    const preview = await press(ann, ask, '@Card');
    const fresh = createDispatcher(createRegistry(), h.services);
    const action = buttons(preview).find((b) => b.label === 'Import')!.action;
    const who = { chat, from: { platform: 'telegram' as const, externalId: ann.id, name: ann.name }, platformAdmin: false, action };
    expect(text((await fresh.handleAction(who)).replies)).toBe('Imported into @Card: 1 new, 0 merged with records you typed, 0 there already.');
    expect(text((await fresh.handleAction(who)).replies)).toMatch(/no longer waiting/);
  });

  it('GIVEN two previews of one statement WHEN both are imported at the same time THEN each row is written once', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => row(`P${i}`, '2026-04-01', -(i + 1) * 100, `Shop ${i}`));
    const s = statement(rows, 'PARALLEL-1');
    const first = await send(ann, '/import', Buffer.from(writeOfx(s, 1)));
    const p1 = await press(ann, first, '@Card');
    const p2 = await press(ann, await send(ann, '/import', Buffer.from(writeOfx(s, 2))), '@Card');
    expect(text(p2)).toMatch(/^OFX statement, 30 transactions, compared with @Card: 30 new/);
    const cardBefore = await balance('Card');
    const [a, b] = await Promise.all([press(ann, p1, 'Import'), press(ann, p2, 'Import')]);
    const created = [text(a), text(b)].map((t) => Number(/: (\d+) new/.exec(t)![1]));
    expect(created.sort((x, y) => x - y)).toEqual([0, 30]);
    expect((await balance('Card')) - cardBefore).toBe(rows.reduce((sum, r) => sum + r.amountMinor, 0));
  });

  it('GIVEN a Russian bank CSV in Windows-1251 (debit and credit columns, space thousands) WHEN sent THEN the guessed columns are shown with the account buttons, and the second time the layout is known', async () => {
    const rows = [row('N1', '2026-03-01', -123456, 'Пятёрочка', 'Продукты'), row('N2', '2026-03-02', 5000000, 'ООО Ромашка', 'Зарплата'), row('N3', '2026-03-02', -4550, 'Кофейня')];
    const file = encodeStatement(writeCsv({ format: 'csv', rows }, 'european'), 'windows-1251');
    const ask = await send(ann, '/import', file, 'vypiska.csv');
    expect(text(ask)).toBe(
      "Bank CSV, 3 transactions, read as /import map date=Дата debit=Списание credit=Зачисление payee=Контрагент memo=Назначение currency=Валюта id=Номер format=DD.MM.YYYY decimal=, thousands=' '\nWhich account is it? COIN remembers the account and these columns (to read other columns, send /import map with them).",
    );
    const preview = await press(ann, ask, '@Card');
    expect(text(preview)).toBe('CSV statement, 3 transactions, compared with @Card: 3 new, 0 already imported. Nothing is imported yet.');
    const cardBefore = await balance('Card');
    expect(text(await press(ann, preview, 'Import'))).toBe('Imported into @Card: 3 new, 0 merged with records you typed, 0 there already.');
    expect((await balance('Card')) - cardBefore).toBe(-123456 + 5000000 - 4550);
    const notes = (await events()).slice(-3).map((e) => e.note);
    expect(notes).toEqual(['Пятёрочка', 'ООО Ромашка', 'Кофейня']);

    const again = await send(ann, '/import', file, 'vypiska.csv');
    expect(text(again)).toBe('CSV statement, 3 transactions, compared with @Card: all 3 are imported already. Nothing to do.');
  });

  it('GIVEN a bank CSV whose columns COIN cannot guess WHEN sent THEN it asks for /import map, and the mapping given leads to the account question and the import', async () => {
    const csv = 'Wann|Wieviel|Wer\r\n03/02/2026|-1.234,50|Möbelhaus\r\n04/02/2026|99,00|Rückzahlung\r\n';
    const ask = await send(ann, '/import', encodeStatement(csv, 'windows-1252'), 'bank.csv');
    expect(text(ask)).toBe(
      'Bank CSV: which column holds what? The header: Wann|Wieviel|Wer. Answer with /import map date=1 amount=3 payee=2 (columns by number or name; debit= and credit= instead of amount=; format=DD.MM.YYYY decimal=, thousands=.).',
    );
    const bad = await send(ann, '/import map date=1 amount=2 payee=3 format=MM/DD/YYYY');
    expect(text(bad)).toContain('Read as /import map date=1 amount=2 payee=3 format=MM/DD/YYYY decimal=.\nThe statement (CSV) was not read; nothing changed. Line 2: “-1.234,50” is not an amount.');
    const map = await send(ann, '/import map decimal=, thousands=. format=DD/MM/YYYY');
    expect(text(map)).toMatch(/^Bank CSV, 2 transactions, read as \/import map date=1 amount=2 payee=3 format=DD\/MM\/YYYY decimal=, thousands=\.\nWhich account/);
    const preview = await press(ann, map, '@Card');
    expect(text(preview)).toBe('CSV statement, 2 transactions, compared with @Card: 2 new, 0 already imported. Nothing is imported yet.');
    expect(text(await press(ann, preview, 'Import'))).toBe('Imported into @Card: 2 new, 0 merged with records you typed, 0 there already.');
    const last = (await events()).slice(-2);
    expect(last.map((e) => [e.kind, e.amountMinor, e.note, e.occurredAt.toISOString().slice(0, 10)])).toEqual([
      ['expense', 123450, 'Möbelhaus', '2026-02-03'],
      ['income', 9900, 'Rückzahlung', '2026-02-04'],
    ]);
    // Remembered: the same layout goes straight to the preview.
    expect(text(await send(ann, '/import', encodeStatement(csv, 'windows-1252'), 'bank.csv'))).toMatch(/^CSV statement, 2 transactions, compared with @Card: 0 new, 2 already imported|all 2 are imported already/);
  });

  it('GIVEN a QIF (no account id) WHEN imported twice THEN the second time adds nothing', async () => {
    const rows = [row('', '2026-02-10', -1999, 'Hardware store'), row('', '2026-02-11', 12000, 'Refund')];
    const qif = Buffer.from(writeQif({ format: 'qif', rows }));
    const ask = await send(ann, '/import', qif, 'card.qif');
    expect(text(ask)).toBe('QIF statement, 2 transactions. Which account is it? COIN remembers the answer for the next statement.');
    const preview = await press(ann, ask, '@Card');
    expect(text(await press(ann, preview, 'Import'))).toBe('Imported into @Card: 2 new, 0 merged with records you typed, 0 there already.');
    const again = await press(ann, await send(ann, '/import', qif, 'card.qif'), '@Card');
    expect(text(again)).toBe('QIF statement, 2 transactions, compared with @Card: all 2 are imported already. Nothing to do.');
  });

  it('GIVEN the book has rules WHEN a statement is previewed and imported THEN the preview says which rule labels what, and the records carry the labels', async () => {
    const b = await book();
    await h.services.store.addRule({ bookId: b.id, pattern: 'kiosk', label: 'snacks', accountId: null, note: null, createdBy: null });
    await h.services.store.addRule({ bookId: b.id, pattern: 'stadtwerke*', label: 'utilities', accountId: null, note: 'Electricity', createdBy: null });
    const s = statement([row('K1', '2026-04-20', -300, 'KIOSK AM MARKT'), row('K2', '2026-04-21', -8000, 'STADTWERKE MUENCHEN'), row('K3', '2026-04-22', -150, 'Kiosk 2'), row('K4', '2026-04-23', -990, 'Unknown')], 'RULES-1');
    const preview = await press(ann, await send(ann, '/import', Buffer.from(writeOfx(s, 1))), '@Card');
    expect(text(preview)).toBe('OFX statement, 4 transactions, compared with @Card: 4 new, 0 already imported. Nothing is imported yet. Rules label 3 of them (#snacks by rule 1: 2, #utilities by rule 2: 1).');
    await press(ann, preview, 'Import');
    const last = (await events()).slice(-4);
    expect(last.map((e) => [e.labels, e.note])).toEqual([
      [['snacks'], 'KIOSK AM MARKT'],
      [['utilities'], 'Electricity'],
      [['snacks'], 'Kiosk 2'],
      [[], 'Unknown'],
    ]);
  });

  it('GIVEN a broken statement WHEN sent THEN the reply names the line and nothing is written or kept', async () => {
    const before = await events();
    const broken = writeOfx(statement(MAY), 1).replace('<TRNAMT>-23.40', '<TRNAMT>-23,4,0');
    expect(text(await send(ann, '/import', Buffer.from(broken)))).toMatch(/^The statement \(OFX\) was not read; nothing changed\. Line \d+: “-23,4,0” is not an amount\.$/);
    const huge = Buffer.alloc(21 * 1024 * 1024, 0x20);
    huge.write('OFXHEADER:100\n');
    expect(text(await send(ann, '/import', huge))).toBe('The statement was not read; nothing changed. The file: it is larger than 20 MB.');
    expect(await events()).toEqual(before);
  });
});
