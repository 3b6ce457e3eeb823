import { decimalToMinor } from './amount.js';
import { isCalendarDay, isoDay } from './dates.js';
import { fillExternalIds } from './external-id.js';
import { statementError } from './statement-error.js';
import { isCurrency } from '../money/money.js';
import type { Statement } from './types.js';
import { child, findAll, leaf, readMarkup, type MarkupNode } from './markup-tree.js';

/**
 * Reads OFX 1.x (SGML: leaf elements are not closed) and 2.x (XML) into one tree, leniently (a
 * closing tag closes any unclosed leaves in it). The headers before `<OFX>` (OFXHEADER lines or
 * `<?xml?>`/`<?OFX?>`) are skipped.
 */
export function readOfxTree(text: string): MarkupNode {
  const start = text.search(/<OFX>/i);
  if (start < 0) throw statementError('ofx', undefined, 'missing', { field: '<OFX>' });
  const ofx = readMarkup(text, 'ofx', 'sgml', start).children.find((c) => c.name === 'OFX');
  if (!ofx) throw statementError('ofx', undefined, 'missing', { field: '<OFX>' });
  return ofx;
}

/** `20260503`, `20260503120000`, `20260503120000.000[-5:EST]` → `2026-05-03`. */
export function readOfxDate(text: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,3})?)?)?)?(?:\s*\[[-+]?\d+(?:\.\d+)?(?::[A-Za-z]+)?\])?$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isCalendarDay(y, mo, d) ? isoDay(y, mo, d) : undefined;
}

/**
 * Parses an OFX/QFX statement (bank or credit card; every statement response in the file). The
 * account currency is `CURDEF`; a transaction's own `CURRENCY`/`CURSYM` overrides it.
 */
export function parseOfx(text: string, opts: { currency?: string } = {}): Statement {
  const ofx = readOfxTree(text);
  const responses = [...findAll(ofx, 'STMTRS'), ...findAll(ofx, 'CCSTMTRS')];
  if (!responses.length) throw statementError('ofx', { line: ofx.line }, 'missing', { field: '<STMTRS>' });
  const first = responses[0]!;
  const curdef = leaf(first, 'CURDEF')?.toUpperCase() ?? opts.currency?.toUpperCase();
  if (!curdef) throw statementError('ofx', { line: first.line }, 'missing', { field: 'CURDEF' });
  if (!isCurrency(curdef)) throw statementError('ofx', { line: child(first, 'CURDEF')?.line ?? first.line }, 'currency', { value: curdef });
  const accountId = leaf(first, 'BANKACCTFROM', 'ACCTID') ?? leaf(first, 'CCACCTFROM', 'ACCTID');

  const rows = [];
  for (const response of responses) {
    for (const trn of findAll(response, 'STMTTRN')) {
      const field = (name: string) => {
        const value = leaf(trn, name);
        if (value === undefined) throw statementError('ofx', { line: trn.line }, 'missing', { field: name });
        return value;
      };
      const currency = (leaf(trn, 'CURRENCY', 'CURSYM') ?? curdef).toUpperCase();
      if (!isCurrency(currency)) throw statementError('ofx', { line: child(trn, 'CURRENCY')?.line ?? trn.line }, 'currency', { value: currency });
      const dateText = field('DTPOSTED');
      const date = readOfxDate(dateText);
      if (!date) throw statementError('ofx', { line: child(trn, 'DTPOSTED')!.line }, 'date', { value: dateText, field: 'DTPOSTED', expected: 'YYYYMMDD' });
      const amountText = field('TRNAMT');
      const amountMinor = decimalToMinor(amountText, currency);
      if (amountMinor === undefined) throw statementError('ofx', { line: child(trn, 'TRNAMT')!.line }, 'amount', { value: amountText, field: 'TRNAMT' });
      rows.push({
        externalId: leaf(trn, 'FITID')?.trim() || undefined,
        date,
        amountMinor,
        currency,
        payee: (leaf(trn, 'NAME') ?? leaf(trn, 'PAYEE', 'NAME') ?? '').trim(),
        memo: (leaf(trn, 'MEMO') ?? '').trim(),
      });
    }
  }
  const balText = leaf(first, 'LEDGERBAL', 'BALAMT');
  let closingBalance: number | undefined;
  if (balText !== undefined) {
    closingBalance = decimalToMinor(balText, curdef);
    if (closingBalance === undefined) throw statementError('ofx', { line: child(child(first, 'LEDGERBAL'), 'BALAMT')!.line }, 'amount', { value: balText, field: 'BALAMT' });
  }
  return {
    format: 'ofx',
    ...(accountId ? { accountId: accountId.trim() } : {}),
    currency: curdef,
    rows: fillExternalIds(rows),
    ...(closingBalance !== undefined ? { closingBalance } : {}),
  };
}
