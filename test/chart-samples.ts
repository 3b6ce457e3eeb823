import type { ChartKind, ChartSpec } from '../bot/presentation/chart-types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * One realistic spec per chart kind (a family's year in EUR), shared by the tests and the
 * benchmark so both exercise the same amount of drawing.
 */
export const SAMPLE_SPECS: Record<ChartKind, ChartSpec> = {
  pie: {
    kind: 'pie',
    title: 'Family budget — expenses by label',
    subtitle: 'November 2026 · EUR',
    currency: 'EUR',
    slices: [
      { label: 'Groceries', minor: 84250 },
      { label: 'Rent', minor: 120000 },
      { label: 'Transport', minor: 12340 },
      { label: 'Eating out', minor: 23410 },
      { label: 'Kids', minor: 30999 },
      { label: 'Health', minor: 4500 },
      { label: 'Utilities', minor: 15075 },
      { label: 'Gifts', minor: 2000 },
      { label: 'Books', minor: 1299 },
      { label: 'Subscriptions', minor: 3497 },
      { label: 'Coffee', minor: 850 },
    ],
  },
  bars: {
    kind: 'bars',
    title: 'Family budget — income vs expenses',
    subtitle: '2026 · EUR',
    currency: 'EUR',
    months: MONTHS.map((label, i) => ({ label, incomeMinor: 420000 + (i % 3) * 12345, expenseMinor: 310000 + i * 17321 })),
  },
  balance: {
    kind: 'balance',
    title: 'Family budget — balance',
    subtitle: 'Jan – Dec 2026 · EUR',
    currency: 'EUR',
    series: [
      { account: 'Checking', currency: 'EUR', points: MONTHS.map((label, i) => ({ label, minor: 250000 + i * 31000 - (i % 4) * 52000 })) },
      { account: 'Savings', currency: 'EUR', points: MONTHS.map((label, i) => ({ label, minor: 800000 + i * 20000 })) },
      { account: 'Cash', currency: 'EUR', points: MONTHS.map((label, i) => ({ label, minor: 20000 - i * 1500 })) },
    ],
  },
  members: {
    kind: 'members',
    title: 'Family budget — spending per member',
    subtitle: 'November 2026 · EUR',
    currency: 'EUR',
    rows: [
      { member: 'Anna', minor: 152340 },
      { member: 'Boris', minor: 98765 },
      { member: 'Clara', minor: 12050 },
    ],
  },
};
