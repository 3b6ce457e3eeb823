import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors.js';
import { classifyRows } from '../domain/statements/matching.js';
import { parseStatement } from '../domain/statements/parse.js';
import type { StatementRow } from '../domain/statements/types.js';
import { messageFor } from './messages.js';
import { statementPreviewText } from './statement-preview.js';

const rows = (n: number, from: number): StatementRow[] =>
  Array.from({ length: n }, (_, i) => ({ externalId: `X${from + i}`, date: '2026-05-10', amountMinor: -(100 + from + i), currency: 'EUR', payee: 'Shop', memo: '' }));

describe('statement preview text', () => {
  it('GIVEN 42 new rows, 3 imported and a Lidl twin THEN the preview counts them and shows the pair in both languages', () => {
    const lidl: StatementRow = { externalId: 'L1', date: '2026-05-03', amountMinor: -2340, currency: 'EUR', payee: 'Lidl', memo: '' };
    const all = [...rows(42, 0), ...rows(3, 100), lidl];
    const records = [
      ...rows(3, 100).map((r, i) => ({ seq: 200 + i, accountId: 7, amountMinor: r.amountMinor, currency: 'EUR', date: r.date, labels: [], note: '', externalId: r.externalId })),
      { seq: 118, accountId: 7, amountMinor: -2340, currency: 'EUR', date: '2026-05-02', labels: ['groceries'], note: '' },
    ];
    const c = classifyRows(all, records, { accountId: 7 });
    expect(statementPreviewText(c, 'en')).toBe('42 new, 3 already imported, 1 looks like a record you typed (Lidl 23.40 on 3 May ↔ #118 23.40 on 2 May) — merge?');
    expect(statementPreviewText(c, 'ru')).toBe('Новых: 42, уже загружено: 3, похожи на записи, введённые вручную: 1 (Lidl 23,40, 3 мая ↔ #118 23,40, 2 мая) — объединить?');
    expect(statementPreviewText(classifyRows(rows(2, 0), [], { accountId: 7 }), 'en')).toBe('2 new, 0 already imported.');
  });

  it('GIVEN a malformed statement THEN the user reads the line and the problem in their language', () => {
    let error: DomainError | undefined;
    try {
      parseStatement(Buffer.from('!Type:Bank\nD05/03/2026\nT-12.3x\n^\n'), { currency: 'EUR' });
    } catch (e) {
      error = e as DomainError;
    }
    expect(messageFor(error!, 'en')).toBe('The statement (QIF) was not read; nothing changed. Line 3: “-12.3x” is not an amount.');
    expect(messageFor(error!, 'ru')).toBe('Выписка (QIF) не прочитана, ничего не изменилось. Строка 3: «-12.3x» — не сумма.');
  });
});
