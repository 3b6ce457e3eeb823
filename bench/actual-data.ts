/**
 * The transactions both sides of the Actual side-by-side load (`bench/actual.bench.ts`): one
 * account, 20 labels (Actual: categories), five years, every 9th an income; deterministic.
 */
export const ACTUAL_LABELS = Array.from({ length: 20 }, (_, i) => `label${String(i + 1).padStart(2, '0')}`);
export const ACTUAL_YEARS = [2022, 2023, 2024, 2025, 2026];

export interface BenchTransaction {
  /** Local day, `YYYY-MM-DD`. */
  date: string;
  kind: 'expense' | 'income';
  /** Positive, in cents. */
  minor: number;
  label: string;
  note: string;
}

export function benchTransactions(n: number): BenchTransaction[] {
  const out: BenchTransaction[] = [];
  const start = Date.UTC(ACTUAL_YEARS[0]!, 0, 1);
  const span = Date.UTC(ACTUAL_YEARS[ACTUAL_YEARS.length - 1]! + 1, 0, 1) - start;
  for (let i = 0; i < n; i++) {
    const day = new Date(start + Math.floor((i / n) * (span / 86_400_000)) * 86_400_000).toISOString().slice(0, 10);
    out.push({
      date: day,
      kind: i % 9 === 0 ? 'income' : 'expense',
      minor: 100 + ((i * 7919) % 20_000),
      label: ACTUAL_LABELS[(i * 31) % ACTUAL_LABELS.length]!,
      note: `note ${i}`,
    });
  }
  return out;
}

/** The same transactions as a CSV in COIN's import format (what `/import` takes). */
export function benchCsv(txs: readonly BenchTransaction[]): string {
  const lines = ['date,type,amount,currency,account,labels,note'];
  for (const t of txs) lines.push(`${t.date},${t.kind},${(t.minor / 100).toFixed(2)},EUR,Main,${t.label},${t.note}`);
  return lines.join('\r\n') + '\r\n';
}

/** `year|label` → net sum in cents (incomes positive, expenses negative), the matrix both sides must agree on. */
export type Matrix = Record<string, number>;

export function expectedMatrix(txs: readonly BenchTransaction[]): Matrix {
  const m: Matrix = {};
  for (const t of txs) {
    const k = `${t.date.slice(0, 4)}|${t.label}`;
    m[k] = (m[k] ?? 0) + (t.kind === 'income' ? t.minor : -t.minor);
  }
  return m;
}
