/**
 * Control characters other than tab and line breaks. NUL makes PostgreSQL refuse a whole row
 * (`invalid byte sequence`), and the rest only arrive by accident or malice.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
/** Half of a surrogate pair without its other half: not text, and not storable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Platform text made storable: control characters dropped, broken UTF-16 replaced by U+FFFD. */
export const cleanText = (s: string): string => s.replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD');

interface Cleanable {
  text?: string;
  from: { name: string; username?: string | undefined };
  chat: { title: string };
}

/**
 * The same input with every free-text field a platform hands over (message, sender name and
 * username, chat title) passed through {@link cleanText}. Applied at the dispatcher's edge, so
 * every adapter gets it.
 */
export function cleanIncoming<T extends Cleanable>(m: T): T {
  const out: T = {
    ...m,
    from: { ...m.from, name: cleanText(m.from.name) },
    chat: { ...m.chat, title: cleanText(m.chat.title) },
  };
  if (m.from.username !== undefined) out.from.username = cleanText(m.from.username);
  if (m.text !== undefined) out.text = cleanText(m.text);
  return out;
}
