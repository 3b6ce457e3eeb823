import { DomainError } from '../domain/errors.js';

/** Runs `fn` and returns the DomainError it throws; any other outcome fails the test. */
export function domainError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}
