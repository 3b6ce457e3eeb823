import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/access/actor.js';
import { createHarness, type Harness } from '../harness.js';
import { EUROPEAN_MAPPING, SIGNED_MAPPING, writeCamt, writeCsv, writeOfx, writeQif } from './writers.js';
import { encodeStatement } from '../../domain/statements/decode.js';
import { commitStatement, receiveStatement } from '../../domain/statements/flow.js';
import type { Statement, StatementRow } from '../../domain/statements/types.js';

/**
 * Issue 17, "Proof": for a random statement in every format, importing it moves the account's
 * balance by exactly the statement's sum, and importing it again (or a part of it) adds nothing.
 * On PostgreSQL and PGlite; runs are few and statements small so the file stays within seconds.
 */
const FORMATS = ['ofx1', 'ofx2', 'camt.053', 'camt.052', 'qif', 'csv-signed', 'csv-european-1251'] as const;
type Format = (typeof FORMATS)[number];
const PAYEES = ['LIDL', 'Пятёрочка', 'Café & Bar', 'ACME PAYROLL', 'Stadtwerke', 'O’Brien <Pub>'];

function file(format: Format, s: Statement): { content: Buffer; mapping?: typeof SIGNED_MAPPING | typeof EUROPEAN_MAPPING } {
  switch (format) {
    case 'ofx1':
      return { content: Buffer.from(writeOfx(s, 1)) };
    case 'ofx2':
      return { content: Buffer.from(writeOfx(s, 2)) };
    case 'camt.053':
      return { content: Buffer.from(writeCamt(s, '053')) };
    case 'camt.052':
      return { content: Buffer.from(writeCamt(s, '052')) };
    case 'qif':
      return { content: Buffer.from(writeQif(s, { apostropheYears: true })) };
    case 'csv-signed':
      return { content: Buffer.from(writeCsv(s, 'signed')), mapping: SIGNED_MAPPING };
    case 'csv-european-1251':
      return { content: encodeStatement(writeCsv(s, 'european'), 'windows-1251'), mapping: EUROPEAN_MAPPING };
  }
}

const rowArb = fc.record({
  day: fc.integer({ min: 0, max: 3000 }),
  amountMinor: fc.integer({ min: -50_000_000, max: 50_000_000 }).filter((n) => n !== 0),
  payee: fc.constantFrom(...PAYEES),
  withId: fc.boolean(),
});

describe.each(['postgres', 'pglite'] as const)('statement import properties (%s)', (engine) => {
  let h: Harness;
  let actor: Actor;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness({ engine, now: '2031-01-01T12:00:00Z' });
    await h.say({ id: 'prop', name: 'Prop' }, '/start');
    const ctx = await h.dispatcher.context({ chat: { platform: 'telegram', chatId: 'p-prop', kind: 'private', title: 'p' }, from: { platform: 'telegram', externalId: 'prop', name: 'Prop' }, platformAdmin: false });
    actor = ctx.actor;
  }, 180_000);
  afterAll(async () => h?.close());

  it('GIVEN a random statement in any format THEN its sum is the balance change it made, and a second import (and an overlapping part) adds nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FORMATS), fc.array(rowArb, { minLength: 1, maxLength: 15 }), async (format, raw) => {
        const tag = ++n;
        const rows: StatementRow[] = raw.map((r, i) => ({
          externalId: r.withId && !format.startsWith('qif') ? `T${tag}-${i}` : '',
          date: new Date(Date.UTC(2022, 0, 1) + r.day * 86_400_000).toISOString().slice(0, 10),
          amountMinor: r.amountMinor,
          currency: 'EUR',
          payee: r.payee,
          memo: '',
        }));
        // Banks without ids give none for any row of the file (QIF never has ids).
        if (rows.some((r) => !r.externalId)) for (const r of rows) r.externalId = '';
        const s: Statement = { format: 'ofx', currency: 'EUR', accountId: `ACC${tag}`, rows };
        const account = await actor.store.createAccount(actor.book.id, { name: `P${tag}`, currency: 'EUR', openingMinor: 0 });
        const f = file(format, s);
        const opts = { accountId: account.id, ...(f.mapping ? { mapping: f.mapping } : {}) };

        const first = await receiveStatement(actor, { name: format, content: f.content }, opts);
        expect(first.step).toBe('preview');
        const done = await commitStatement(actor, first.id, false);
        const sum = rows.reduce((x, r) => x + r.amountMinor, 0);
        const balance = async () => (await actor.store.listAccounts(actor.book.id)).find((a) => a.id === account.id)!.balanceMinor;
        expect(done.created).toBe(rows.length);
        expect(await balance()).toBe(sum);

        const again = await receiveStatement(actor, { name: format, content: f.content }, opts);
        expect(again.step === 'preview' && [again.classification.newCount, again.classification.twins.length, again.classification.importedCount]).toEqual([0, 0, rows.length]);
        const part = file(format, { ...s, rows: rows.slice(Math.floor(rows.length / 2)) });
        const overlap = await receiveStatement(actor, { name: format, content: part.content }, { ...opts });
        expect(overlap.step === 'preview' && overlap.classification.newCount).toBe(0);
        expect(await balance()).toBe(sum);
      }),
      { numRuns: 14, seed: 17 },
    );
  }, 180_000);
});
