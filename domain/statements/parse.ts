import { parseCamt } from './camt.js';
import { parseCsvStatement, type CsvMapping } from './csv.js';
import type { DateFormat } from './dates.js';
import { decodeStatement, type StatementEncoding } from './decode.js';
import { parseOfx } from './ofx.js';
import { parseQif } from './qif.js';
import { statementError } from './statement-error.js';
import type { Statement, StatementFormat } from './types.js';

export interface ParseStatementOptions {
  /** The account's currency, for files that name none (QIF, CSV without a currency column). */
  currency?: string;
  /** Required for CSV: which column holds what. */
  csv?: CsvMapping;
  /** QIF date layout when the file's dates are ambiguous (default: the first layout that reads them all). */
  qifDateFormat?: DateFormat;
  /** Text encoding; `auto` (default) uses a BOM, else UTF-8 when valid, else `fallbackEncoding`. */
  encoding?: StatementEncoding;
  fallbackEncoding?: 'windows-1251' | 'windows-1252';
}

/** Recognises a statement's format from its text (not its file name). */
export function detectStatementFormat(text: string): StatementFormat {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '').trimStart();
  if (/^OFXHEADER\s*:/i.test(head) || /<\?OFX[\s>]/i.test(head) || /<OFX>/i.test(head)) return 'ofx';
  if (/^<(\?xml|Document[\s>])/i.test(head) || /^<[\w:]+[\s>]/.test(head)) {
    if (/BkToCstmrAcctRpt/.test(head) || /camt\.052/.test(head)) return 'camt.052';
    if (/BkToCstmrStmt/.test(head) || /camt\.053/.test(head)) return 'camt.053';
    throw statementError('statement', { line: 1 }, 'unknown_format', { value: head.split(/\r?\n/, 1)[0]! });
  }
  if (/^!(Type|Account|Option|Clear)/i.test(head)) return 'qif';
  return 'csv';
}

/** Charset an OFX 1.x header declares (`CHARSET:1251`), used when the bytes are not UTF-8. */
function ofxCharset(bytes: Uint8Array): 'windows-1251' | 'windows-1252' | undefined {
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1');
  const m = /CHARSET\s*:\s*(?:WINDOWS-?)?(125[12])/i.exec(head);
  return m ? (`windows-${m[1]}` as 'windows-1251' | 'windows-1252') : undefined;
}

/** True when the bytes hold nothing but blanks (as `String.trim` sees them in Latin-1), read until the first other byte. */
export function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (!(b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0xa0)) return false;
  return true;
}

/**
 * Reads a statement file of any supported format: detects the format from the content, decodes
 * the text, parses it. Throws `statement_invalid` naming the line or element and the problem.
 */
export function parseStatement(bytes: Uint8Array, opts: ParseStatementOptions = {}): Statement {
  if (isBlank(bytes)) throw statementError('statement', undefined, 'empty');
  const text = decodeStatement(bytes, opts.encoding ?? 'auto', opts.fallbackEncoding ?? ofxCharset(bytes) ?? 'windows-1252');
  const format = detectStatementFormat(text);
  const currency = opts.currency ? { currency: opts.currency } : {};
  switch (format) {
    case 'ofx':
      return parseOfx(text, currency);
    case 'camt.052':
    case 'camt.053':
      return parseCamt(text);
    case 'qif':
      return parseQif(text, { ...currency, ...(opts.qifDateFormat ? { dateFormat: opts.qifDateFormat } : {}) });
    case 'csv':
      if (!opts.csv) throw statementError('csv', undefined, 'missing', { field: 'mapping' });
      return parseCsvStatement(text, opts.csv, currency);
  }
}
