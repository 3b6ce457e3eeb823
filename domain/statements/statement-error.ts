import { DomainError } from '../errors.js';
import type { StatementFormat } from './types.js';

/** What is wrong with a statement file; each has a message in every language (`statement.problem.*`). */
export type StatementProblem =
  | 'empty'
  | 'unknown_format'
  | 'encoding'
  | 'syntax'
  | 'missing'
  | 'date'
  | 'amount'
  | 'currency'
  | 'column'
  | 'no_rows'
  | 'too_large';

/** Where in the file: a line (text formats) or an element path (XML formats). */
export type StatementPlace = { line: number } | { element: string };

/**
 * A malformed statement: `statement_invalid` naming the format, the line or element and what is
 * wrong. `value` is the offending text (cut to 40 characters), `field` the field or column.
 */
export function statementError(
  format: StatementFormat | 'statement',
  place: StatementPlace | undefined,
  problem: StatementProblem,
  details: { value?: string; field?: string; expected?: string } = {},
): DomainError {
  const value = details.value === undefined ? undefined : details.value.length > 40 ? details.value.slice(0, 39) + '…' : details.value;
  return new DomainError('statement_invalid', {
    format: format.toUpperCase(),
    formatted: format === 'statement' ? '' : ` (${format.toUpperCase()})`,
    at: place === undefined ? 'file' : 'line' in place ? 'line' : 'element',
    line: place && 'line' in place ? place.line : undefined,
    element: place && 'element' in place ? place.element : undefined,
    problem,
    value: value ?? '',
    field: details.field ?? '',
    expected: details.expected ?? '',
  });
}
