/**
 * Recurring-template schedules: text forms, their English description,
 * and when they fire in a book's timezone. Parsing lives in parse.ts, occurrence
 * arithmetic in next.ts, RRULE support in rrule.ts.
 */
export {
  DEFAULT_AT,
  MAX_EVERY,
  describeSchedule,
  formatSchedule,
  formatWallTime,
  parseSchedule,
  splitSchedule,
  type EveryUnit,
  type IsoWeekday,
  type Schedule,
  type WallTime,
} from './parse.js';
export { nextOccurrence, occurrencesBetween } from './next.js';
