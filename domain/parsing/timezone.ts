import { IANAZone } from 'luxon';
import { DomainError } from '../errors.js';

/**
 * Validates an IANA timezone name (`Europe/Berlin`, `america/new_york`, `UTC`) and returns the
 * runtime's canonical spelling, so a book stores `Europe/Berlin` however the user typed it.
 * Fixed offsets (`+03:00`, `UTC+3`) are refused: they ignore daylight saving, which an IANA
 * zone (`Etc/GMT-3` if need be) does not.
 *
 * @throws DomainError `timezone_invalid` ({timezone}).
 */
export function assertTimezone(tz: string): string {
  const name = tz.trim();
  if (!name || !IANAZone.isValidZone(name)) throw new DomainError('timezone_invalid', { timezone: tz });
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}
