import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKit, seedFamily, type ApiKit } from '../../../test/api-kit.js';
import { writeCsv, writeOfx } from '../../../test/statements/writers.js';
import { encodeStatement } from '../../../domain/statements/decode.js';
import type { Statement } from '../../../domain/statements/types.js';

/** `POST /books/{id}/statements/import` (preview, nothing written) and `POST /books/{id}/statements/{previewId}` (the choice). */
describe('API: bank statements', () => {
  let k: ApiKit;
  let s: Awaited<ReturnType<typeof seedFamily>>;
  beforeAll(async () => {
    k = await createApiKit();
    s = await seedFamily(k);
  });
  afterAll(async () => k?.close());

  const upload = async (book: number, token: string, content: Buffer | string, query = '') => {
    const res = await k.app.request(`/api/v1/books/${book}/statements/import${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: typeof content === 'string' ? content : new Uint8Array(content),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const choose = (book: number, token: string, id: string, json: unknown) => k.req('POST', `/books/${book}/statements/${id}`, { token, json });

  const statement: Statement = {
    format: 'ofx',
    currency: 'EUR',
    accountId: 'NL91ABNA0417164300',
    rows: [
      { externalId: 'A1', date: '2026-11-22', amountMinor: -3000, currency: 'EUR', payee: 'Albert Heijn', memo: 'groceries' },
      { externalId: 'A2', date: '2026-11-21', amountMinor: -1875, currency: 'EUR', payee: 'NS Reizigers', memo: '' },
    ],
  };

  it('GIVEN an admin uploads an OFX THEN the account question, the preview with the twin, the merge and a second upload that adds nothing', async () => {
    const before = await k.snapshot();
    const first = await upload(s.group, s.ann, writeOfx(statement, 2));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ step: 'account', format: 'ofx', transactions: 2, bankAccount: 'NL91ABNA0417164300' });
    expect(first.body.accounts.map((a: { name: string }) => a.name)).toEqual(['Main']);
    expect(await k.snapshot()).toBe(before);

    const preview = await choose(s.group, s.ann, first.body.id, { action: 'account', accountId: first.body.accounts[0].id });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ step: 'preview', new: 1, alreadyImported: 0, account: { name: 'Main' } });
    expect(preview.body.twins).toEqual([{ date: '2026-11-22', amountMinor: -3000, currency: 'EUR', payee: 'Albert Heijn', seq: 1, recordDate: '2026-11-24' }]);
    expect(await k.snapshot()).toBe(before);

    const done = await choose(s.group, s.ann, first.body.id, { action: 'merge' });
    expect(done.body).toEqual({ imported: true, accountId: first.body.accounts[0].id, created: 1, merged: 1, skipped: 0 });
    expect((await choose(s.group, s.ann, first.body.id, { action: 'import' })).status).toBe(404);

    const again = await upload(s.group, s.ann, writeOfx(statement, 1));
    expect(again.body).toMatchObject({ step: 'preview', new: 0, alreadyImported: 2, twins: [] });
  });

  it('GIVEN a bank CSV in Windows-1252 with a map in the query THEN it is read with those columns', async () => {
    const csv = encodeStatement('Datum;Empfänger;Betrag\n21.11.2026;Bäckerei;-2,40\n', 'windows-1252');
    const r = await upload(s.annBook, s.ann, csv, `?map=${encodeURIComponent('date=1 payee=2 amount=3 format=DD.MM.YYYY decimal=,')}`);
    expect(r.body).toMatchObject({ step: 'account', format: 'csv', transactions: 1, map: 'date=1 amount=3 payee=2 format=DD.MM.YYYY decimal=,' });
    const p = await choose(s.annBook, s.ann, r.body.id, { action: 'account', accountId: r.body.accounts[0].id });
    expect(p.body).toMatchObject({ step: 'preview', new: 1 });
    expect((await choose(s.annBook, s.ann, r.body.id, { action: 'import' })).body).toMatchObject({ created: 1 });
  });

  it('GIVEN a member, another book’s person, a broken file or a bad choice THEN refused with the reason and nothing written', async () => {
    const before = await k.snapshot();
    expect((await upload(s.group, s.bob, writeOfx(statement, 1))).status).toBe(403);
    const ann = await upload(s.group, s.ann, writeCsv({ format: 'csv', rows: [{ ...statement.rows[0]!, externalId: 'Z9', date: '2026-11-01' }] }, 'signed'));
    expect(ann.body.step).toBe('account');
    expect((await choose(s.group, s.eve, ann.body.id, { action: 'import' })).status).toBe(404);
    expect((await choose(s.group, s.ann, ann.body.id, { action: 'account' })).status).toBe(422);
    expect((await choose(s.group, s.ann, ann.body.id, { action: 'fly' })).status).toBe(400);
    const broken = await upload(s.group, s.ann, writeOfx(statement, 1).replace('<TRNAMT>-30.00', '<TRNAMT>-3O.00'));
    expect(broken.status).toBe(422);
    expect(broken.body).toMatchObject({ error: 'statement_invalid' });
    expect(broken.body.message).toMatch(/^The statement \(OFX\) was not read; nothing changed\. Line \d+: “-3O\.00” is not an amount\.$/);
    expect((await choose(s.group, s.ann, ann.body.id, { action: 'cancel' })).body).toEqual({ cancelled: true });
    expect(await k.snapshot()).toBe(before);
  });

  it('GIVEN the OpenAPI document THEN it describes both statement routes', async () => {
    const doc = (await k.req('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/books/{bookId}/statements/import', '/books/{bookId}/statements/{previewId}']));
  });
});
