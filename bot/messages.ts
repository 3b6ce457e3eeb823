import type { DomainError } from '../domain/errors.js';
import type { Language } from '../domain/types.js';
import { t, type MessageKey } from './i18n/index.js';

/** The one place where error codes become text. */
export function messageFor(e: DomainError, lang: Language): string {
  return t(lang, `error.${e.code}` as MessageKey, e.context);
}
