import { decimalToMinor } from './amount.js';
import { isCalendarDay, isoDay } from './dates.js';
import { fillExternalIds } from './external-id.js';
import { statementError } from './statement-error.js';
import { isCurrency } from '../money/money.js';
import type { Statement } from './types.js';

/** An OFX element: an aggregate (children) or a leaf (text), with the line it starts on. */
export interface OfxNode {
  name: string;
  line: number;
  text?: string;
  children: OfxNode[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });

/**
 * Reads OFX 1.x (SGML: leaf elements are not closed) and 2.x (XML) into one tree. A leaf ends at
 * the next tag; an aggregate ends at its closing tag, which also closes any unclosed leaves in it.
 * The headers before `<OFX>` (OFXHEADER lines or `<?xml?>`/`<?OFX?>`) are skipped.
 */
export function readOfxTree(text: string): OfxNode {
  const start = text.search(/<OFX>/i);
  if (start < 0) throw statementError('ofx', undefined, 'missing', { field: '<OFX>' });
  let line = 1 + countNewlines(text, 0, start);
  const root: OfxNode = { name: '#root', line: 1, children: [] };
  const stack: OfxNode[] = [root];
  const re = /<([^<>]*)>|([^<]+)/g;
  re.lastIndex = start;
  let m: RegExpExecArray | null;
  let pos = start;
  while ((m = re.exec(text))) {
    line += countNewlines(text, pos, m.index);
    pos = m.index;
    if (m[2] !== undefined) {
      const value = m[2].trim();
      if (value) {
        const top = stack[stack.length - 1]!;
        if (top === root || top.children.length || top.text !== undefined) throw statementError('ofx', { line: line + leadingNewlines(m[2]) }, 'syntax', { value });
        top.text = decodeEntities(value);
      }
      continue;
    }
    const tag = m[1]!.trim();
    if (!tag || tag.startsWith('?') || tag.startsWith('!')) continue;
    const top = stack[stack.length - 1]!;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim().toUpperCase();
      const at = findLast(stack, name);
      if (at <= 0) throw statementError('ofx', { line }, 'syntax', { value: `</${name}>` });
      stack.length = at;
      continue;
    }
    if (top.text !== undefined) stack.pop();
    const selfClosing = tag.endsWith('/');
    const name = (selfClosing ? tag.slice(0, -1) : tag).trim().split(/\s/)[0]!.toUpperCase();
    if (!/^[A-Z0-9._]+$/.test(name)) throw statementError('ofx', { line }, 'syntax', { value: `<${tag}>` });
    const node: OfxNode = { name, line, children: [] };
    stack[stack.length - 1]!.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  const ofx = root.children.find((c) => c.name === 'OFX');
  if (!ofx) throw statementError('ofx', undefined, 'missing', { field: '<OFX>' });
  return ofx;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
const leadingNewlines = (s: string): number => countNewlines(s, 0, s.search(/\S/));
function findLast(stack: OfxNode[], name: string): number {
  for (let i = stack.length - 1; i > 0; i--) if (stack[i]!.name === name) return i;
  return -1;
}

/** Depth-first search for elements named `name`. */
export function findAll(node: OfxNode, name: string, out: OfxNode[] = []): OfxNode[] {
  for (const c of node.children) {
    if (c.name === name) out.push(c);
    else findAll(c, name, out);
  }
  return out;
}
const child = (node: OfxNode | undefined, name: string): OfxNode | undefined => node?.children.find((c) => c.name === name);
const leaf = (node: OfxNode | undefined, ...path: string[]): string | undefined => {
  let n = node;
  for (const p of path) n = child(n, p);
  return n?.text;
};

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
