import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKit, seedFamily, type ApiKit } from '../../../test/api-kit.js';
import { ANN, GROUP } from '../../../test/api-kit.js';

describe('API rules', () => {
  let k: ApiKit;
  let s: Awaited<ReturnType<typeof seedFamily>>;
  beforeAll(async () => {
    k = await createApiKit();
    s = await seedFamily(k);
    await k.h.say(ANN, '/account add Card', GROUP);
  });
  afterAll(async () => k?.close());

  const rules = (token: string, book = s.group) => k.req('GET', `/books/${book}/rules`, { token });

  it('GIVEN an owner THEN rules are added, listed, used by a line entry, and deleted', async () => {
    const created = await k.req('POST', `/books/${s.group}/rules`, { token: s.ann, json: { pattern: 'lidl', label: '#groceries', account: 'card', note: 'weekly' } });
    expect(created.status).toBe(201);
    expect(created.body.rule).toMatchObject({ n: 1, pattern: 'lidl', label: 'groceries', account: 'Card', note: 'weekly', createdBy: await k.userId(ANN) });
    expect((await k.req('POST', `/books/${s.group}/rules`, { token: s.ann, json: { pattern: 'uber*', label: 'taxi' } })).body.rule).toMatchObject({ n: 2, account: null, note: null });
    expect((await rules(s.ann)).body.rules.map((r: { n: number; pattern: string }) => [r.n, r.pattern])).toEqual([
      [1, 'lidl'],
      [2, 'uber*'],
    ]);
    // A line is read as a chat message is: the rule labels it. Fields are taken as given.
    const line = await k.req('POST', `/books/${s.group}/events`, { token: s.ann, json: { line: '23.40 LIDL Berlin' } });
    expect(line.body.event).toMatchObject({ labels: ['groceries'], account: { name: 'Card' }, note: 'LIDL Berlin' });
    const fields = await k.req('POST', `/books/${s.group}/events`, { token: s.ann, json: { amount: '5', note: 'lidl' } });
    expect(fields.body.event.labels).toEqual([]);

    expect((await k.req('DELETE', `/books/${s.group}/rules/2`, { token: s.ann })).body.rule).toMatchObject({ n: 2, pattern: 'uber*' });
    expect((await k.req('DELETE', `/books/${s.group}/rules/2`, { token: s.ann })).status).toBe(404);
    expect((await rules(s.ann)).body.rules).toHaveLength(1);
  });

  it('GIVEN roles THEN members and viewers read, only admins and owners change, other books are not found', async () => {
    const before = (await rules(s.ann)).body;
    expect((await rules(s.bob)).status).toBe(200);
    expect((await rules(s.vic)).body).toEqual(before);
    const bob = await k.req('POST', `/books/${s.group}/rules`, { token: s.bob, json: { pattern: 'rewe', label: 'food' } });
    expect([bob.status, bob.body.error]).toEqual([403, 'forbidden']);
    expect((await k.req('DELETE', `/books/${s.group}/rules/1`, { token: s.vic })).status).toBe(403);
    expect((await rules(s.eve)).status).toBe(404);
    expect((await k.req('POST', `/books/${s.group}/rules`, { token: s.eve, json: { pattern: 'x', label: 'y' } })).status).toBe(404);
    // Eve's own book is hers to manage.
    expect((await k.req('POST', `/books/${s.eveBook}/rules`, { token: s.eve, json: { pattern: 'x', label: 'y' } })).status).toBe(201);
    expect((await rules(s.ann)).body).toEqual(before);
  });

  it('GIVEN bad input THEN 400 or 422 with a clear message, and nothing changes', async () => {
    const before = (await rules(s.ann)).body;
    const cases: [unknown, number, string, RegExp][] = [
      [{ pattern: '/lid+l/', label: 'x' }, 422, 'rule_invalid', /regular expressions are not supported/],
      [{ pattern: '* *', label: 'x' }, 422, 'rule_invalid', /at least one letter or digit/],
      [{ pattern: 'LIDL', label: 'x' }, 422, 'rule_invalid', /rule 1 has this pattern already/],
      [{ pattern: 'aldi', label: 'no spaces allowed' }, 422, 'label_invalid', /cannot be a label/],
      [{ pattern: 'aldi', label: 'x', account: 'Nowhere' }, 422, 'account_unknown', /Nowhere/],
      [{ pattern: 'aldi' }, 400, 'invalid_request', /label/],
      [{ pattern: 'aldi', label: 'x', extra: 1 }, 400, 'invalid_request', /extra|Unrecognized/],
      [{ pattern: 'a'.repeat(101), label: 'x' }, 400, 'invalid_request', /pattern/],
    ];
    for (const [body, status, error, message] of cases) {
      const res = await k.req('POST', `/books/${s.group}/rules`, { token: s.ann, json: body });
      expect({ body, status: res.status, error: res.body.error }).toEqual({ body, status, error });
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    expect((await k.req('DELETE', `/books/${s.group}/rules/abc`, { token: s.ann })).status).toBe(400);
    expect((await rules(s.ann)).body).toEqual(before);
  });

  it('GIVEN records labelled the same way three times THEN suggestions propose a rule and add nothing', async () => {
    for (const line of ['3 #coffee Starbucks', '4 #coffee starbucks', '3.5 #coffee STARBUCKS']) await k.h.say(ANN, line, GROUP);
    const before = (await rules(s.ann)).body;
    const res = await k.req('GET', `/books/${s.group}/rules/suggestions`, { token: s.vic });
    expect(res.body).toEqual({ suggestions: [{ pattern: 'starbucks', label: 'coffee', count: 3 }] });
    expect((await rules(s.ann)).body).toEqual(before);
  });

  it('GIVEN the OpenAPI description THEN the rule routes are in it', async () => {
    const doc = await k.req('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/books/{bookId}/rules', '/books/{bookId}/rules/{n}', '/books/{bookId}/rules/suggestions']));
  });
});
