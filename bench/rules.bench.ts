import { loadavg } from 'node:os';
import { compileRules } from '../domain/rules/matcher.js';
import { compilePattern, matchesSearchable } from '../domain/rules/pattern.js';
import { searchableText } from '../domain/rules/fold.js';
import { labelStatementRows } from '../domain/rules/statement-rows.js';
import type { Rule } from '../domain/rules/types.js';
import { mulberry32 } from '../test/seeded-random.js';
import { median } from './stats-util.js';

const RULES = 1_000;
const ROWS = 10_000;
const RUNS = 5;

/** A made-up merchant word from a seeded generator (Latin and Cyrillic, some accents). */
function word(rnd: () => number): string {
  const latin = 'abcdefghijklmnopqrstuvwxyzéü';
  const cyr = 'абвгдеёжзиклмнопрстуфхцчшщыэюя';
  const letters = rnd() < 0.2 ? cyr : latin;
  const n = 4 + Math.floor(rnd() * 7);
  let w = '';
  for (let i = 0; i < n; i++) w += letters[Math.floor(rnd() * letters.length)];
  return w;
}

/**
 * 1,000 rules as a book might grow them: 70 % one merchant word, 15 % two words, 10 % a word
 * start (`word*`), 4 % a word end (`*word`), 1 % inside a word (`*wor*`, tried on every row).
 * 10,000 statement rows: payee with a store number and a city, a card memo; about two thirds
 * name a rule's merchant (in another case, sometimes glued to more letters).
 */
function world(): { rules: Rule[]; rows: { payee: string; memo: string }[] } {
  const rnd = mulberry32(17);
  const merchants = Array.from({ length: RULES }, () => word(rnd));
  const rules: Rule[] = merchants.map((m, i) => {
    const r = rnd();
    const pattern = r < 0.7 ? m : r < 0.85 ? `${m} ${word(rnd)}` : r < 0.95 ? `${m.slice(0, 4)}*` : r < 0.99 ? `*${m.slice(-4)}` : `*${m.slice(1, 4)}*`;
    return { id: i + 1, seq: i + 1, pattern, label: `label${i % 50}`, accountId: null, note: null };
  });
  const cities = Array.from({ length: 30 }, () => word(rnd));
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const known = rnd() < 0.66;
    const m = known ? merchants[Math.floor(rnd() * RULES)]! : word(rnd);
    const shown = rnd() < 0.5 ? m.toUpperCase() : m;
    const glued = rnd() < 0.1 ? `${shown}${word(rnd)}` : shown;
    return { payee: `${glued} ${1000 + (i % 9000)} ${cities[i % cities.length]}`, memo: `Card payment ${i} ${rnd() < 0.5 ? 'EUR' : 'Kartenzahlung'}` };
  });
  return { rules, rows };
}

/** Issue 17: rule matching, 1,000 rules × 10,000 rows, with the word index and without it (same run). */
export async function benchRules(): Promise<string[]> {
  const { rules, rows } = world();
  const compileTimes: number[] = [];
  const indexed: number[] = [];
  const naive: number[] = [];
  let labelled = 0;
  let agree = true;
  for (let run = 0; run <= RUNS; run++) {
    const t0 = performance.now();
    const matcher = compileRules(rules);
    const t1 = performance.now();
    const out = labelStatementRows(matcher, rows);
    const t2 = performance.now();
    // Without the index: every row tries every rule, in precedence order, until one matches.
    const ordered = rules
      .map((r) => ({ r, c: compilePattern(r.pattern) }))
      .sort((a, b) => b.c.literalLength - a.c.literalLength || a.r.seq - b.r.seq);
    const t3 = performance.now();
    const plain = rows.map((row) => {
      const texts = [searchableText(row.payee), searchableText(row.memo)];
      let best: (typeof ordered)[number] | undefined;
      for (const text of texts) {
        const hit = ordered.find((o) => matchesSearchable(o.c, text));
        if (hit && (!best || ordered.indexOf(hit) < ordered.indexOf(best))) best = hit;
      }
      return best?.r.seq ?? null;
    });
    const t4 = performance.now();
    if (run === 0) {
      labelled = out.filter((l) => l.rule).length;
      agree = out.every((l, i) => (l.rule?.seq ?? null) === plain[i]);
      if (!agree) throw new Error('indexed and plain matching disagree');
      continue; // warm-up
    }
    compileTimes.push(t1 - t0);
    indexed.push(t2 - t1);
    naive.push(t4 - t3);
  }
  const [c, i, n] = [median(compileTimes), median(indexed), median(naive)];
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  return [
    `rules: ${RULES} rules × ${ROWS} rows (payee and memo), ${labelled} rows labelled; both ways agree on every row`,
    `  compile ${c.toFixed(1)} ms, match ${i.toFixed(0)} ms (${((i / ROWS) * 1000).toFixed(1)} µs a row) with the word index (median of ${RUNS})`,
    `  every rule on every row: ${n.toFixed(0)} ms — the index is ${(n / i).toFixed(1)}× faster in this run`,
    `  load average ${load}`,
  ];
}
