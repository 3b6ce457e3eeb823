import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { assertTimezone } from './timezone.js';

describe('assertTimezone', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    [' America/New_York ', 'America/New_York'],
    ['pacific/auckland', 'Pacific/Auckland'],
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Etc/GMT-3', 'Etc/GMT-3'],
  ])('GIVEN %s THEN it is accepted as %s', (input, canonical) => {
    expect(assertTimezone(input)).toBe(canonical);
  });

  it.each(['', '   ', 'Berlin', 'Europe/Berlinn', 'Mars/Olympus', '+03:00', 'UTC+3', 'GMT+03:00'])(
    'GIVEN %j THEN timezone_invalid names what was typed',
    (input) => {
      let error: unknown;
      try {
        assertTimezone(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('timezone_invalid');
      expect((error as DomainError).context).toEqual({ timezone: input });
    },
  );
});
