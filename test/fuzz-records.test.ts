import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { parseAmount, readAmount } from '../domain/money/amount.js';
import { parseDateToken } from '../domain/parsing/dates.js';
import { isDomainError } from '../domain/errors.js';
import { isCurrency } from '../domain/money/money.js';
import { parsePeriod } from '../domain/parsing/period.js';
import { parseQuickEntry, parseRecordLine, type RecordContext } from '../domain/parsing/record-line.js';
import { tokenize } from '../domain/parsing/tokenize.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { mountApi } from '../adapters/http/api/api-app.js';
import { createHarness, type Harness, type TestUser } from './harness.js';

/**
 * Fuzzing with a seeded PRNG (set FUZZ_SEED to replay a failure): thousands of random record
 * lines and amounts through the parsers, the whole bot, and the HTTP API. Nothing may crash,
 * no reply may be the "something went wrong" apology, and the books must stay consistent:
 * every balance equals its opening plus the sum of its live events.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);

function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}

type R = ReturnType<typeof prng>;

const AMOUNTS = [
  '4.50', '12,5', '1 234.56', "1'234.50", '1_000', '1,234.56', '1.234,56', '12.345', '0.125', '.5', '5.', ',5',
  '€12', '12€', '$3.20', '£7', '¥500', '₽100', '12 usd', 'USD 12', '12usd', '100 jpy', '0.125 bhd', '3 cup', '5 CUP',
  '0', '0.00', '-5', '−5', '+5', '1e5', 'NaN', 'Infinity', '0x10', '1..2', '1,2,3', '٣', '５', '999999999999.99',
  '1000000000000', '1000000000000.01', '123456789012345678901234567890', '00012', '1 23', '12 34 567', '€', 'usd',
  '12.3456', '7.5 eur', '7,50 EUR', '9.99 xyz', '3 zł', '1 000 000',
];
const WORDS = [
  'coffee', 'lunch', 'groceries', 'кофе', 'продукты', '咖啡', 'café', 'naïve', '😀', '👨‍👩‍👧', 'עברית', 'عربى', '\u202Eevil',
  "'; drop table events; --", '" or 1=1 --', "Robert'); DELETE FROM accounts;--", '%', '_', '\\', '$1', '${x}', '{{x}}',
  '<b>bold</b>', '&amp;', "don't", '"quoted', "'", '"', '“Credit', 'Card”', '«x»', 'a\u200Bb', 'e\u0301', 'x'.repeat(300),
  '/spend', '+', '-', '#', '@', '..', '...', '2026-11-24', 'today', 'yesterday', '31.12', '0.5', '1.5', 'split', 'split:@ann',
  'nul\u0000byte', '\u0007bell', 'esc\u001B[31m', 'half\uD800', '\uDC00tail',
];
const LABELS = ['#food', '#Food', '#еда', '#a-b_c', '#', '##x', '#' + 'l'.repeat(40), "#'; drop", '#😀', '#coffee', '#%', '#café'];
const ACCOUNTS = ['@Main', '@main', '@Card', '@"Credit Card"', '@Dollars', '@nope', '@', '@@', "@'; --"];
const DATES = ['today', 'yesterday', '2026-11-24', '2026-02-30', '31.12', '29.02', '01.01.1900', '2099-12-31', '99.99', '2026-13-01', '1.1.26'];

function randomChars(r: R): string {
  const pools = ['abcxyz', '0123456789', '.,\'_ -+', '€$£¥₽', '#@"\'«»“”', 'аяё中文😀', '\t\n', '%\\;()'];
  let s = '';
  for (let i = r.int(1, 12); i > 0; i--) s += r.pick([...r.pick(pools)]);
  return s;
}

const amount = (r: R) => (r.chance(0.85) ? r.pick(AMOUNTS) : r.chance(0.5) ? String(r.int(1, 10 ** r.int(1, 9))) + (r.chance(0.5) ? '.' + r.int(0, 999) : '') : randomChars(r));

function recordLine(r: R): string {
  const parts = [amount(r)];
  for (let i = r.int(0, 5); i > 0; i--) {
    const kind = r.int(0, 9);
    parts.push(kind < 2 ? r.pick(LABELS) : kind < 3 ? r.pick(ACCOUNTS) : kind < 4 ? r.pick(DATES) : kind < 5 ? randomChars(r) : r.pick(WORDS));
  }
  // Amount first most of the time; shuffled sometimes (a note word first is a real mistake).
  if (r.chance(0.1)) parts.reverse();
  return parts.join(r.chance(0.9) ? ' ' : '  ');
}

function chatMessage(r: R, lastSeq: number): string {
  const seq = () => `#${r.chance(0.8) ? r.int(1, Math.max(1, lastSeq)) : r.int(0, 999999)}`;
  switch (r.int(0, 15)) {
    case 0: case 1: case 2: return `/spend ${recordLine(r)}`;
    case 3: return `/s ${recordLine(r)}`;
    case 4: case 5: return recordLine(r);
    case 6: return `+${recordLine(r)}`;
    case 7: return `/income ${recordLine(r)}`;
    case 8: return `/transfer ${amount(r)} ${r.chance(0.3) ? amount(r) + ' ' : ''}${r.pick(['Main', 'Card', 'Dollars', '"Credit Card"', 'nope'])} ${r.pick(['Main', 'Card', 'Dollars', 'x'])} ${r.pick(WORDS)}`;
    case 9: return `/edit ${seq()} ${r.pick(['amount', 'label', 'account', 'date', 'note', 'colour'])} ${r.pick([amount(r), r.pick(LABELS), r.pick(ACCOUNTS), r.pick(DATES), r.pick(WORDS), '-'])}`;
    case 10: return `/delete ${seq()}`;
    case 11: return '/undo';
    case 12: return `/history ${r.pick(['', '5', '#food', '@Card', 'month', 'last-year', '2026-02-30', r.pick(WORDS)])}`;
    case 13: return `/account add ${r.pick(['Card', 'Dollars', '"Credit Card"', '123', "'; drop", '😀', 'x'.repeat(40)])} ${r.pick(['', 'usd', 'EUR', 'xyz', '100', '-50', '1e9', r.pick(AMOUNTS)])}`;
    case 14: return r.pick(['/accounts', '/labels', '/start', '/help', `/label rename ${r.pick(LABELS)} ${r.pick(LABELS)}`, `/label merge food coffee`]);
    default: return `/${r.pick(['spend', 'income', 'transfer', 'edit', 'delete', randomChars(r)])}${r.chance(0.5) ? '' : ' ' + randomChars(r)}`;
  }
}

describe(`fuzz (seed ${SEED})`, () => {
  it('GIVEN thousands of random lines THEN the parsers either parse to sane values or refuse with a DomainError', () => {
    const r = prng(SEED);
    const now = new Date('2026-11-24T12:00:00Z');
    const ctxs: RecordContext[] = [
      { accounts: [], defaultAccount: undefined, labels: [], now, timezone: 'UTC', bookCurrency: 'EUR' },
      {
        accounts: [{ name: 'Main', currency: 'EUR' }, { name: 'Card', currency: 'EUR' }, { name: 'Dollars', currency: 'USD' }, { name: 'Credit Card', currency: 'EUR' }],
        defaultAccount: 'Main',
        labels: ['food', 'coffee', 'café'],
        now,
        timezone: 'Pacific/Kiritimati',
        bookCurrency: 'EUR',
      },
    ];
    const refused = (f: () => unknown, input: string) => {
      try {
        return f();
      } catch (e) {
        if (!isDomainError(e)) throw new Error(`non-domain error for ${JSON.stringify(input)} (seed ${SEED}): ${String(e)}`);
        return undefined;
      }
    };
    let parsed = 0;
    for (let i = 0; i < 6000; i++) {
      const line = recordLine(r);
      const rec = refused(() => parseRecordLine(line, r.pick(ctxs)), line) as ReturnType<typeof parseRecordLine> | undefined;
      if (rec) {
        parsed++;
        expect(Number.isSafeInteger(rec.minor) && rec.minor > 0, line).toBe(true);
        expect(isCurrency(rec.currency), line).toBe(true);
        for (const l of rec.labels) expect(l, line).toMatch(/^[\p{L}\p{N}_-]{1,32}$/u);
        if (rec.occurredAt) expect(Number.isNaN(rec.occurredAt.getTime()), line).toBe(false);
      }
      const q = parseQuickEntry(r.chance(0.5) ? line : '+' + line);
      if (q) expect(['expense', 'income']).toContain(q.kind);
      const amt = r.chance(0.5) ? amount(r) : randomChars(r);
      const a = refused(() => parseAmount(amt, r.pick(['EUR', 'JPY', 'BHD'])), amt) as { minor: number } | undefined;
      if (a) expect(Number.isSafeInteger(a.minor) && a.minor > 0 && a.minor <= 1e15, amt).toBe(true);
      refused(() => readAmount(tokenize(amt)), amt);
      const word = r.pick([...DATES, ...WORDS, randomChars(r)]);
      refused(() => parseDateToken(word, now, 'America/St_Johns'), word);
      refused(() => parsePeriod(word, now, 'Asia/Kathmandu'), word);
    }
    // The generator must produce valid records too, or the test would only prove refusals.
    expect(parsed).toBeGreaterThan(1000);
  });

  describe('through the bot and the API', () => {
    let h: Harness;
    let app: Hono;
    const users: TestUser[] = [
      { id: 'f1', name: 'Fay' },
      { id: 'f2', name: 'Gus', admin: true },
      { id: 'f3', name: 'Hal\u0000 \uD83D', locale: 'ru' },
    ];

    beforeAll(async () => {
      h = await createHarness();
      app = new Hono();
      mountApi(app, { store: h.services.store, clock: h.clock, logger: h.services.logger, rateLimit: false });
      for (const u of users) {
        await h.say(u, '/account add Card EUR 100');
        await h.say(u, '/account add Dollars USD');
        await h.say(u, '/account add "Credit Card" EUR');
        await h.say(u, '/start', 'fuzz-group');
      }
      await h.say(users[1]!, '/account add Card EUR 100', 'fuzz-group');
    });
    afterAll(async () => h?.close());

    /** The books' invariants; any partial write breaks one of them. */
    async function assertConsistent(where: string) {
      const q = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await h.database.db.execute(query));
      const off = await q<{ id: number; name: string; balance: string; expected: string }>(sql`
        select a.id, a.name, a.balance_minor::text as balance,
          (a.opening_minor + coalesce((
            select sum(case when e.kind = 'income' and e.account_id = a.id then e.amount_minor
                            when e.kind in ('expense', 'transfer') and e.account_id = a.id then -e.amount_minor else 0 end
                     + case when e.kind = 'transfer' and e.to_account_id = a.id then coalesce(e.to_amount_minor, e.amount_minor) else 0 end)
            from events e where e.deleted_at is null and (e.account_id = a.id or e.to_account_id = a.id)), 0))::text as expected
        from accounts a`);
      expect(off.filter((x) => x.balance !== x.expected), `balances (${where}, seed ${SEED})`).toEqual([]);
      const crossBook = await q(sql`
        select e.id from events e join accounts a on a.id = e.account_id left join accounts t on t.id = e.to_account_id
        where a.book_id <> e.book_id or (t.id is not null and t.book_id <> e.book_id)
          or (e.kind <> 'transfer' and e.currency <> a.currency) or (t.id is not null and e.to_currency <> t.currency)
          or e.amount_minor <= 0 or (e.kind = 'transfer') <> (e.to_account_id is not null)`);
      expect(crossBook, `event/account consistency (${where})`).toEqual([]);
      const labels = await q(sql`select el.event_id from event_labels el join events e on e.id = el.event_id join labels l on l.id = el.label_id where l.book_id <> e.book_id`);
      expect(labels, `labels in their own book (${where})`).toEqual([]);
      const seqs = await q(sql`select b.id from books b where b.last_seq < coalesce((select max(seq) from events e where e.book_id = b.id), 0)`);
      expect(seqs, `sequence numbers (${where})`).toEqual([]);
    }

    it('GIVEN 2,500 random chat messages THEN every one is answered without the apology and the books stay consistent', async () => {
      const r = prng(SEED + 1);
      let lastSeq = 1;
      let recorded = 0;
      for (let i = 0; i < 2500; i++) {
        const user = r.pick(users);
        const text = chatMessage(r, lastSeq);
        const group = r.chance(0.3) ? 'fuzz-group' : undefined;
        const replies = await h.replies(user, text, group);
        const out = replies.map((x) => [x.text, x.pre].join('\n')).join('\n');
        if (/Sorry, something went wrong|Что-то пошло не так/.test(out)) throw new Error(`apology for ${JSON.stringify(text)} (seed ${SEED}, #${i}): ${out}`);
        const m = /^#(\d+) [−+]/.exec(replies[0]?.text ?? '');
        if (m) {
          lastSeq = Math.max(lastSeq, Number(m[1]));
          recorded++;
        }
        if (i % 500 === 499) await assertConsistent(`after message ${i + 1}`);
      }
      expect(recorded).toBeGreaterThan(300);
      await assertConsistent('end of chat fuzz');
    }, 180_000);

    it('GIVEN 1,000 random API records THEN never a 500 and the books stay consistent', async () => {
      const r = prng(SEED + 2);
      const [reply] = await h.replies(users[0]!, '/token fuzz');
      const token = reply!.pre!;
      const books = (await (await app.request('/api/v1/books', { headers: { authorization: `Bearer ${token}` } })).json()) as { books: { id: number }[] };
      let created = 0;
      for (let i = 0; i < 1000; i++) {
        const book = r.pick(books.books).id;
        const body = r.chance(0.5)
          ? { line: recordLine(r) }
          : {
              ...(r.chance(0.8) ? { amount: amount(r) } : { amountMinor: r.pick([1, 450, -5, 0, 1e15, 2 ** 53, 1.5]) }),
              ...(r.chance(0.3) ? { kind: r.pick(['expense', 'income', 'transfer']) } : {}),
              ...(r.chance(0.4) ? { account: r.pick(['Main', 'card', 'Dollars', 'Credit Card', 'nope']) } : {}),
              ...(r.chance(0.2) ? { toAccount: r.pick(['Main', 'Card', 'Dollars']) } : {}),
              ...(r.chance(0.4) ? { labels: [r.pick(LABELS).replace(/^#/, '')] } : {}),
              ...(r.chance(0.5) ? { note: r.pick(WORDS) } : {}),
              ...(r.chance(0.3) ? { date: r.pick([...DATES, '2026-11-24T10:00:00+02:00', '1969-12-31T23:59:59Z']) } : {}),
            };
        const res = await app.request(`/api/v1/books/${book}/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (res.status >= 500 || ![200, 201, 400, 403, 404, 409, 422].includes(res.status))
          throw new Error(`${res.status} for ${JSON.stringify(body)} (seed ${SEED}): ${await res.text()}`);
        if (res.status === 201) created++;
      }
      expect(created).toBeGreaterThan(100);
      await assertConsistent('end of API fuzz');
    }, 120_000);
  });
});
