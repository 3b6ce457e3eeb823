import i18next, { type i18n } from 'i18next';
import type { Language } from '../../domain/types.js';
import { en, type MessageKey } from './en.js';
import { ru } from './ru.js';
import { RU_COMMAND_DESCRIPTIONS, RU_OPTION_DESCRIPTIONS } from './ru-commands.js';

export type { MessageKey };
export type Vars = Record<string, string | number | readonly string[] | undefined>;

let instance: i18n | undefined;

function engine(): i18n {
  if (instance) return instance;
  instance = i18next.createInstance();
  void instance.init({
    resources: { en: { translation: en }, ru: { translation: ru } },
    lng: 'en',
    fallbackLng: 'en',
    initAsync: false,
    // Keys contain dots (`error.amount_zero`); they are flat, not nested.
    keySeparator: false,
    nsSeparator: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  return instance;
}

/** Translates a message key for a language, interpolating `{{vars}}` (lists are joined with commas). */
export function t(lang: Language, key: MessageKey, vars: Vars = {}): string {
  const flat: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) continue;
    flat[k] = Array.isArray(v) ? (v as readonly string[]).join(', ') : (v as string | number);
  }
  return engine().t(key, { lng: lang, ...flat }) as string;
}

/** Picks the book language from a platform locale (`ru-RU` → ru), English otherwise. */
export const languageOf = (locale: string | null | undefined): Language => (locale?.toLowerCase().startsWith('ru') ? 'ru' : 'en');

/**
 * A command's description (`path` is `name` or `name sub`) in `lang`; the English one is the
 * definition's own.
 */
export function describeCommand(lang: Language, path: string, english: string): string {
  return lang === 'ru' ? (RU_COMMAND_DESCRIPTIONS[path] ?? english) : english;
}

/** A command option's description in `lang`, looked up by its English text. */
export function describeOption(lang: Language, english: string): string {
  return lang === 'ru' ? (RU_OPTION_DESCRIPTIONS[english] ?? english) : english;
}
