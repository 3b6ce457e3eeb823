import type { MessageKey } from './en.js';

/** Russian texts; any key missing here falls back to English (a test lists the gaps). */
export const ru: Partial<Record<MessageKey, string>> = {
  'settings.language': 'Язык: русский.',
};
