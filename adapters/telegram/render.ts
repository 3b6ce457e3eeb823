import { InputFile, type Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Reply } from '../../bot/reply.js';

const LIMIT = 4096;
const CAPTION_LIMIT = 1024;

export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Text and monospace block as Telegram HTML, cut to fit one message. */
export function replyHtml(r: Reply, limit = LIMIT): string {
  const head = escapeHtml(r.text);
  if (!r.pre) return head.length > limit ? head.slice(0, limit - 1) + '…' : head;
  const room = limit - head.length - '\n<pre></pre>'.length - 1;
  let pre = escapeHtml(r.pre);
  if (pre.length > room) pre = pre.slice(0, Math.max(0, room - 1)).replace(/&[a-z]*$/, '') + '…';
  return `${head}\n<pre>${pre}</pre>`;
}

export const captionHtml = (r: Reply): string => replyHtml(r, CAPTION_LIMIT);

/** Callback data is limited to 64 bytes; actions are short (`undo:123`). */
export function keyboard(r: Reply): InlineKeyboardMarkup | undefined {
  if (!r.buttons?.length && !r.webApp) return undefined;
  const rows: InlineKeyboardMarkup['inline_keyboard'] = (r.buttons ?? []).map((row) =>
    row.filter((b) => Buffer.byteLength(b.action) <= 64).map((b) => ({ text: b.label, callback_data: b.action })),
  );
  // The Mini App button: Telegram opens the page and signs who opened it (initData).
  if (r.webApp) rows.push([{ text: r.webApp.label, web_app: { url: r.webApp.url } }]);
  return { inline_keyboard: rows };
}

/**
 * Sends one Reply to a chat: a photo for an image, a document for a file, else an HTML message.
 * The bot (answers) and the outbound worker (notifications) both send through here.
 */
export async function sendReply(
  api: Pick<Api, 'sendPhoto' | 'sendDocument' | 'sendMessage'>,
  chatId: number | string,
  r: Reply,
  replyTo?: number,
): Promise<void> {
  const markup = keyboard(r);
  const common = {
    parse_mode: 'HTML' as const,
    ...(markup ? { reply_markup: markup } : {}),
    ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
  };
  if (r.image) await api.sendPhoto(chatId, new InputFile(r.image.png, r.image.name), { ...common, caption: captionHtml(r) });
  else if (r.file) await api.sendDocument(chatId, new InputFile(r.file.content, r.file.name), { ...common, caption: captionHtml(r) });
  else await api.sendMessage(chatId, replyHtml(r), common);
}
