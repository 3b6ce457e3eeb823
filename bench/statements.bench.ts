import { classifyRows, type BookRecord } from '../domain/statements/matching.js';
import { parseStatement } from '../domain/statements/parse.js';
import type { Statement, StatementRow } from '../domain/statements/types.js';
import { writeCamt, writeOfx } from '../test/statements/writers.js';
import { median } from './stats-util.js';

const ROWS = 10_000;
const RUNS = 5;
const PAYEES = ['LIDL DIENSTLEISTUNG GMBH', 'Пятёрочка 1234 Москва', 'ACME PAYROLL', 'Café & Bar', 'Stadtwerke', 'Amazon EU S.à r.l.'];

/** 10,000 rows over a year, deterministic (no randomness between runs). */
function statement(): Statement {
  const rows: StatementRow[] = [];
  let total = 0;
  for (let i = 0; i < ROWS; i++) {
    const day = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 28) * 86_400_000).toISOString().slice(0, 10);
    const amountMinor = i % 10 === 0 ? 250_000 + i : -((i * 7919) % 50_000) - 1;
    total += amountMinor;
    rows.push({ externalId: `TX${i}`, date: day, amountMinor, currency: 'EUR', payee: PAYEES[i % PAYEES.length]!, memo: `Card ${i}` });
  }
  return { format: 'ofx', accountId: 'DE02120300000000202051', currency: 'EUR', rows, openingBalance: 1_000_000, closingBalance: 1_000_000 + total };
}

/** The account's book: 1,000 rows already imported, 2,000 typed records (half of them twins of statement rows). */
function book(s: Statement): BookRecord[] {
  const records: BookRecord[] = [];
  for (let i = 0; i < 1_000; i++) {
    const r = s.rows[i * 3]!;
    records.push({ seq: i + 1, accountId: 1, amountMinor: r.amountMinor, currency: 'EUR', date: r.date, labels: ['imported'], note: '', externalId: r.externalId });
  }
  for (let i = 0; i < 2_000; i++) {
    const r = s.rows[(i * 5 + 1) % ROWS]!;
    const twin = i % 2 === 0;
    records.push({ seq: 1_001 + i, accountId: 1, amountMinor: twin ? r.amountMinor : r.amountMinor - 1, currency: 'EUR', date: r.date, labels: ['groceries'], note: twin ? 'lidl' : '', externalId: null });
  }
  return records;
}

function measure(name: string, file: Buffer, records: BookRecord[]): string[] {
  const parse: number[] = [];
  const classify: number[] = [];
  let summary = '';
  for (let run = 0; run <= RUNS; run++) {
    const t0 = performance.now();
    const parsed = parseStatement(file);
    const t1 = performance.now();
    const c = classifyRows(parsed.rows, records, { accountId: 1 });
    const t2 = performance.now();
    if (parsed.rows.length !== ROWS) throw new Error(`${name}: parsed ${parsed.rows.length} rows, expected ${ROWS}`);
    if (run === 0) {
      summary = `${c.newCount} new, ${c.importedCount} already imported, ${c.twins.length} twins`;
      continue; // warm-up
    }
    parse.push(t1 - t0);
    classify.push(t2 - t1);
  }
  const p = median(parse);
  const k = median(classify);
  return [
    `${name}: ${(file.byteLength / 1e6).toFixed(1)} MB, ${ROWS} rows (${summary})`,
    `  parse ${p.toFixed(0)} ms, classify ${k.toFixed(0)} ms, parse+classify ${(p + k).toFixed(0)} ms (median of ${RUNS}; target for parse+preview+import: 2000 ms)`,
  ];
}

/** Issue 17: a 10,000-transaction OFX (1.x SGML and 2.x XML) and CAMT.053 file parsed and classified against the book. */
export async function benchStatements(): Promise<string[]> {
  const s = statement();
  const records = book(s);
  return [
    ...measure('OFX 1.x SGML', Buffer.from(writeOfx(s, 1)), records),
    ...measure('OFX 2.x XML', Buffer.from(writeOfx(s, 2)), records),
    ...measure('CAMT.053', Buffer.from(writeCamt(s, '053')), records),
  ];
}

/**
 * End to end into PostgreSQL: the 10,000-row OFX and CAMT.053 files received (parsed, kept as a
 * pending preview, compared with the account), then imported (read again, each row written through
 * the one event writer with its id), then sent again (a preview that finds every row imported).
 * A new account per run, so every run writes 10,000 rows; median of 3 after a warm-up.
 */
export async function benchStatementImport(): Promise<string[]> {
  const { freshPostgres } = await import('../test/databases.js');
  const { createStore } = await import('../drizzle/store/index.js');
  const { systemClock } = await import('../domain/clock.js');
  const { receiveStatement, commitStatement } = await import('../domain/statements/flow.js');
  const database = await freshPostgres();
  try {
    const store = createStore(database.db);
    const entered = (await store.enter({ platform: 'console', chatId: 'bench', kind: 'private', title: 'bench' }, { platform: 'console', externalId: 'bench', name: 'Bench' }, false, { currency: 'EUR', timezone: 'UTC', language: 'en' }))!;
    const actor = { store, clock: systemClock, book: entered.book, userId: entered.user.id, role: entered.member.role };
    const s = statement();
    const out: string[] = [];
    let n = 0;
    for (const [name, file] of [
      ['OFX 1.x SGML', Buffer.from(writeOfx(s, 1))],
      ['CAMT.053', Buffer.from(writeCamt(s, '053'))],
    ] as const) {
      const preview: number[] = [];
      const write: number[] = [];
      const again: number[] = [];
      for (let run = 0; run <= 3; run++) {
        const account = await store.createAccount(actor.book.id, { name: `Bank ${++n}`, currency: 'EUR', openingMinor: 0 });
        const t0 = performance.now();
        const step = await receiveStatement(actor, { name, content: file }, { accountId: account.id });
        const t1 = performance.now();
        const done = await commitStatement(actor, step.id, true);
        const t2 = performance.now();
        const second = await receiveStatement(actor, { name, content: file }, { accountId: account.id });
        const t3 = performance.now();
        if (done.created !== ROWS || second.step !== 'preview' || second.classification.importedCount !== ROWS) throw new Error(`${name}: imported ${done.created}, then ${second.step}`);
        if (run === 0) continue;
        preview.push(t1 - t0);
        write.push(t2 - t1);
        again.push(t3 - t2);
      }
      const [p, w, a] = [median(preview), median(write), median(again)];
      out.push(`${name} into PostgreSQL, ${ROWS} rows: preview ${p.toFixed(0)} ms + import ${w.toFixed(0)} ms = ${(p + w).toFixed(0)} ms (target 2000 ms); sending it again: ${a.toFixed(0)} ms, 0 new (median of 3)`);
    }
    return out;
  } finally {
    await database.close();
  }
}
