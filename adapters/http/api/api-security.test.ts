import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN, createApiKit, EVE, GROUP, seedFamily, type ApiKit } from '../../../test/api-kit.js';

let k: ApiKit;
let s: Awaited<ReturnType<typeof seedFamily>>;
let expired: string;
let revoked: string;
/** Every route of the API as [method, path template], read from its own OpenAPI document. */
let routes: [string, string][];

const DAY = 86_400_000;

beforeAll(async () => {
  k = await createApiKit();
  s = await seedFamily(k);
  // A token issued with a one-day lifetime, two days ago.
  k.h.services.apiTokenTtlDays = 1;
  expired = await k.tokenFor(ANN, 'short');
  k.h.services.apiTokenTtlDays = undefined;
  k.h.clock.advance(2 * DAY);
  revoked = await k.tokenFor(ANN, 'revoke-me');
  const doc = await k.req('GET', '/openapi.json');
  routes = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.keys(ops).map((m): [string, string] => [m.toUpperCase(), path]),
  );
});
afterAll(async () => k?.close());

/** Like encodeURIComponent, but a lone surrogate becomes bytes that are not UTF-8 instead of throwing. */
const enc = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80%FF';
  }
};
const fill = (path: string, bookId: number) =>
  path.replace('{bookId}', String(bookId)).replace('{seq}', '1').replace('{kind}', 'pie').replace('{target}', 'food').replace('{id}', '1').replace('{n}', '1').replace('{previewId}', 'p1');
/** A body the route would accept from a member, so only the credentials or the book decide. */
const validBody = (method: string, path: string) =>
  method === 'PUT'
    ? { amount: '300' }
    : method === 'POST' && path.endsWith('/templates')
      ? { schedule: 'monthly:1', record: '5 should never be recorded' }
      : method === 'POST' && path.endsWith('/events')
        ? { amount: '1.00', note: 'should never be recorded' }
        : method === 'POST' && path.endsWith('/events/batch')
          ? { events: [{ key: 'never', amount: '1.00', note: 'should never be recorded' }] }
          : method === 'POST' && path.endsWith('/rules')
            ? { pattern: 'never', label: 'never' }
            : method === 'POST' && path.endsWith('/{previewId}')
              ? { action: 'cancel' }
              : undefined;

describe('authentication', () => {
  it('GIVEN the revoked token worked a moment ago THEN /revoke stops it at once', async () => {
    expect((await k.req('GET', '/books', { token: revoked })).status).toBe(200);
    const list = await k.h.say(ANN, '/tokens');
    expect(list).toContain('revoke-me');
    const id = /(\d+)\s+revoke-me/.exec(list)![1];
    expect(await k.h.say(ANN, `/revoke ${id}`)).toContain('Revoked token');
    expect((await k.req('GET', '/books', { token: revoked })).status).toBe(401);
  });

  it('GIVEN no, malformed, wrong, expired or revoked credentials THEN every route answers 401, leaks nothing and changes nothing', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(21);
    const wrong = 'coin_' + randomBytes(32).toString('base64url');
    const creds: [string, Record<string, string>][] = [
      ['none', {}],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['basic', { authorization: `Basic ${Buffer.from('ann:pw').toString('base64')}` }],
      ['malformed', { authorization: 'Bearer coin_short' }],
      ['sql', { authorization: "Bearer ' or 1=1 --" }],
      ['wrong', { authorization: `Bearer ${wrong}` }],
      ['expired', { authorization: `Bearer ${expired}` }],
      ['revoked', { authorization: `Bearer ${revoked}` }],
      ['token in query only', {}],
    ];
    const before = await k.snapshot();
    for (const [method, template] of routes) {
      if (template === '/openapi.json' || template === '/docs') continue;
      for (const [label, headers] of creds) {
        const path = fill(template, s.group) + (label === 'token in query only' ? `?token=${s.ann}&access_token=${s.ann}` : '');
        const r = await k.req(method, path, { headers, json: validBody(method, template) });
        expect([method, template, label, r.status, r.body?.error]).toEqual([method, template, label, 401, 'unauthorized']);
        expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="coin"/);
        expect(r.text).not.toMatch(/groceries|pizza|Family|g-family|Main/);
      }
    }
    expect(await k.snapshot()).toBe(before);
  });

  it('GIVEN an expired or revoked token THEN the message says so, so its owner knows to make a new one', async () => {
    expect((await k.req('GET', '/books', { token: expired })).body.message).toMatch(/expired/);
    expect((await k.req('GET', '/books', { token: revoked })).body.message).toMatch(/revoked/);
  });
});

describe('book scoping', () => {
  it('GIVEN Eve’s token and the family book THEN every book route answers exactly like for a book that does not exist', async () => {
    const before = await k.snapshot();
    for (const [method, template] of routes) {
      if (!template.includes('{bookId}')) continue;
      const theirs = await k.req(method, fill(template, s.group), { token: s.eve, json: validBody(method, template) });
      const missing = await k.req(method, fill(template, 987_654), { token: s.eve, json: validBody(method, template) });
      expect([method, template, theirs.status, theirs.body]).toEqual([method, template, 404, missing.body]);
      expect(theirs.body.error).toBe('not_found');
    }
    // And the other way round: Ann cannot reach Eve's private book.
    for (const [method, template] of routes) {
      if (!template.includes('{bookId}')) continue;
      const r = await k.req(method, fill(template, s.eveBook), { token: s.ann, json: validBody(method, template) });
      expect([method, template, r.status]).toEqual([method, template, 404]);
      expect(r.text).not.toContain('eve-only');
    }
    expect(await k.snapshot()).toBe(before);
  });

  it('GIVEN Eve’s books list THEN nothing of other books appears', async () => {
    const r = await k.req('GET', '/books', { token: s.eve });
    expect(r.body.books.map((b: { id: number }) => b.id)).toEqual([s.eveBook]);
  });
});

describe('hostile bodies', () => {
  it('GIVEN malformed JSON, a wrong content type or no body THEN 400 and nothing changes', async () => {
    const before = await k.snapshot();
    const path = `/books/${s.annBook}/events`;
    const cases: { body?: string; headers?: Record<string, string> }[] = [
      { body: '{"amount": "1.00",', headers: { 'content-type': 'application/json' } },
      { body: '{"amount": 1.00}}', headers: { 'content-type': 'application/json' } },
      { body: 'amount=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { body: '{"amount": "1.00"}', headers: { 'content-type': 'text/plain' } },
      { body: '', headers: { 'content-type': 'application/json' } },
      { body: '[]', headers: { 'content-type': 'application/json' } },
      { body: 'null', headers: { 'content-type': 'application/json' } },
      { body: '{"__proto__": {"admin": true}, "amount": "1"}', headers: { 'content-type': 'application/json' } },
      { headers: {} },
    ];
    for (const c of cases) {
      const r = await k.req('POST', path, { token: s.ann, ...c });
      expect([c.body, r.status]).toEqual([c.body, 400]);
      expect(typeof r.body.error).toBe('string');
      expect(r.text).not.toMatch(/at .*\.ts|stack|SyntaxError/);
    }
    expect(await k.snapshot()).toBe(before);
  });

  it('GIVEN a huge body THEN 413 before anything is parsed, and nothing changes', async () => {
    const before = await k.snapshot();
    const huge = JSON.stringify({ amount: '1', note: 'x'.repeat(2_000_000) });
    const r = await k.req('POST', `/books/${s.annBook}/events`, { token: s.ann, body: huge, headers: { 'content-type': 'application/json' } });
    expect([r.status, r.body.error]).toEqual([413, 'payload_too_large']);
    // Just under the limit but over the field limit: a validation error, not a crash.
    const big = await k.req('POST', `/books/${s.annBook}/events`, { token: s.ann, json: { amount: '1', note: 'y'.repeat(30_000) } });
    expect([big.status, big.body.error]).toEqual([400, 'invalid_request']);
    expect(await k.snapshot()).toBe(before);
  });

  const NASTY = [
    "'; drop table events; --",
    '" or 1=1 --',
    "Robert'); DELETE FROM accounts;--",
    '%_\\%',
    '$1 $$ ${x} {{x}}',
    '😀 café 中文 עברית عربى',
    '\u202Egnp.exe',
    'a\u200Bb\uFEFF',
    'e\u0301\u0301\u0301',
    '<script>alert(1)</script>',
    '\\x00 \\u0000',
    '\u0000',
    '\u0007bell',
    '\uD800',
    '../../etc/passwd',
    ' ',
  ];

  it('GIVEN SQL metacharacters and unicode in every text field THEN no 500, rejected input changes nothing, accepted notes round-trip', async () => {
    const fields = ['note', 'labels', 'account', 'line', 'date', 'amount', 'toAccount', 'toAmount'];
    for (const field of fields) {
      for (const v of NASTY) {
        const body: Record<string, unknown> =
          field === 'line' ? { line: `5 ${v}` } : field === 'labels' ? { amount: '1', labels: [v] } : field === 'amount' ? { amount: v } : { amount: '1', [field]: v };
        if (field === 'toAccount' || field === 'toAmount') body.kind = 'transfer';
        const before = await k.snapshot();
        const r = await k.req('POST', `/books/${s.annBook}/events`, { token: s.ann, json: body });
        expect([field, v, r.status]).toEqual([field, v, expect.toSatisfy((x: number) => [201, 400, 404, 422].includes(x))]);
        expect(typeof r.body.message === 'string' || r.status === 201).toBe(true);
        if (r.status !== 201) expect(await k.snapshot()).toBe(before);
        if (r.status === 201 && field === 'note') {
          const stored = await k.req('GET', `/books/${s.annBook}/events/${r.body.event.seq}`, { token: s.ann });
          expect(stored.body.event.note).toBe(v.trim());
        }
      }
    }
    // The tables are all still there and Ann's data is whole.
    expect((await k.req('GET', `/books/${s.annBook}/accounts`, { token: s.ann })).status).toBe(200);
  });

  it('GIVEN SQL metacharacters and unicode in template and budget fields THEN no 500 and rejected input changes nothing', async () => {
    const attempts: [string, string, unknown][] = [];
    for (const v of NASTY) {
      attempts.push(['POST', `/books/${s.annBook}/templates`, { schedule: 'daily', record: `5 ${v}` }]);
      attempts.push(['POST', `/books/${s.annBook}/templates`, { schedule: v, record: '5 x' }]);
      attempts.push(['PUT', `/books/${s.annBook}/budgets/food`, { amount: v }]);
      attempts.push(['PUT', `/books/${s.annBook}/budgets/${enc(v)}`, { amount: '5' }]);
      attempts.push(['DELETE', `/books/${s.annBook}/budgets/${enc(v)}`, undefined]);
      attempts.push(['POST', `/books/${s.annBook}/templates/${enc(v)}/run`, undefined]);
    }
    for (const [method, path, json] of attempts) {
      const before = await k.snapshot();
      const r = await k.req(method, path, { token: s.ann, json });
      expect([method, path, json, r.status]).toEqual([method, path, json, expect.toSatisfy((x: number) => [200, 201, 400, 404, 422].includes(x))]);
      if (r.status >= 400) expect(await k.snapshot()).toBe(before);
    }
  });

  it('GIVEN SQL metacharacters and unicode in every query parameter THEN no 500 and no data from elsewhere', async () => {
    const params = ['label', 'account', 'period', 'q', 'from', 'to', 'cursor', 'kind', 'limit'];
    const before = await k.snapshot();
    for (const p of params) {
      for (const v of NASTY) {
        const r = await k.req('GET', `/books/${s.annBook}/events?${p}=${enc(v)}`, { token: s.ann });
        expect([p, v, r.status]).toEqual([p, v, expect.toSatisfy((x: number) => [200, 400, 422].includes(x))]);
        expect(r.text).not.toContain('eve-only');
      }
    }
    for (const v of NASTY) {
      const r = await k.req('GET', `/books/${enc(v)}/events`, { token: s.ann });
      expect([v, r.status]).toEqual([v, expect.toSatisfy((x: number) => [400, 404].includes(x))]);
    }
    expect(await k.snapshot()).toBe(before);
  });
});

describe('logs', () => {
  it('GIVEN everything above THEN no token ever reached a log line, and request lines carry ids, not secrets', async () => {
    const all = k.logs.join('');
    expect(all.length).toBeGreaterThan(1000);
    for (const t of [s.ann, s.bob, s.vic, s.eve, expired, revoked]) expect(all).not.toContain(t);
    expect(all).not.toMatch(/coin_[A-Za-z0-9_-]{43}/);
    const line = JSON.parse(k.logs.find((l) => l.includes('"api request"') && l.includes('"tokenId"'))!);
    expect(line).toMatchObject({ method: expect.any(String), status: expect.any(Number), tokenId: expect.any(Number) });
    expect(JSON.stringify(line)).not.toMatch(/authorization|bearer/i);
  });
});

describe('chat side', () => {
  it('GIVEN /token in a group THEN it is refused and no token is made', async () => {
    const before = await k.snapshot();
    const reply = await k.h.say(ANN, '/token group-leak', GROUP);
    expect(reply).toMatch(/private chat/);
    expect(reply).not.toMatch(/coin_/);
    expect(await k.snapshot()).toBe(before);
  });

  it('GIVEN /revoke of someone else’s token id THEN it is unknown and stays valid', async () => {
    const evesId = (await k.req('GET', '/me', { token: s.eve })).body.token.id;
    expect(await k.h.say(ANN, `/revoke ${evesId}`)).toContain(`no token ${evesId}`);
    expect((await k.req('GET', '/books', { token: s.eve })).status).toBe(200);
  });

  it('GIVEN /revoke all THEN every token of that user stops, other users’ keep working', async () => {
    expect(await k.h.say(EVE, '/revoke all')).toContain('Tokens revoked: 1');
    expect((await k.req('GET', '/books', { token: s.eve })).status).toBe(401);
    expect((await k.req('GET', '/books', { token: s.ann })).status).toBe(200);
    expect(await k.h.say(EVE, '/tokens')).toContain('no API tokens');
  });
});

describe('limits', () => {
  it('GIVEN a token over its rate THEN 429 with Retry-After, and other tokens are unaffected', async () => {
    const rk = await createApiKit({ rateLimit: { capacity: 5, refillPerSecond: 0.5 } });
    try {
      await rk.h.say(ANN, '/start');
      await rk.h.say(EVE, '/start');
      const a = await rk.tokenFor(ANN);
      const e = await rk.tokenFor(EVE);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await rk.req('GET', '/books', { token: a })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const limited = await rk.req('GET', '/books', { token: a });
      expect(limited.body.error).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await rk.req('GET', '/books', { token: e })).status).toBe(200);
    } finally {
      await rk.close();
    }
  });

  it('GIVEN an unexpected failure THEN 500 with a reference only, and the log line is scrubbed of tokens', async () => {
    const seen: string[] = [];
    const fk = await createApiKit({
      store: (st) => ({
        ...st,
        eventPage: async () => {
          throw new Error(`database exploded near ${seen.join(' ')}`);
        },
      }),
    });
    try {
      await fk.h.say(ANN, '/spend 1 x');
      const t = await fk.tokenFor(ANN);
      seen.push(t);
      const book = (await fk.req('GET', '/books', { token: t })).body.books[0].id;
      const r = await fk.req('GET', `/books/${book}/events`, { token: t });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ error: 'internal', message: expect.stringContaining(r.body.ref), ref: expect.any(String) });
      expect(r.text).not.toContain('exploded');
      const logged = fk.logs.find((l) => l.includes(r.body.ref))!;
      expect(logged).toContain('exploded');
      expect(logged).not.toContain(t);
    } finally {
      await fk.close();
    }
  });
});
