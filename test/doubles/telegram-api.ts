/**
 * A local stand-in for the Telegram Bot API server, so end-to-end tests and benchmarks can
 * drive the real grammY client (`new Bot(token, { client: { apiRoot } })`) without the
 * network. It keeps chats, messages and files in memory, answers like Telegram does
 * (including its error texts for the mistakes a bot typically makes: unparsable markup,
 * "message is not modified", oversized callback data, messages that are too long), and
 * records everything the bot did for assertions.
 *
 * Deliberately NOT done: deduplication of updates (redelivery is a feature to test COIN's own
 * idempotency), webhooks delivery, channels, forum topics, inline mode, payments.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type {
  BotCommand,
  Chat,
  ChatMember,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  Update,
  User,
} from 'grammy/types';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** The chat a test user writes in. For private chats the chat's name fields come from the user. */
export interface ChatSpec {
  id: number;
  type: 'private' | 'group' | 'supergroup';
  title?: string;
  username?: string;
}

/** The human who writes to the bot. */
export interface UserSpec {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** A file the bot uploaded (multipart) or referenced by file_id. */
export interface SentFile {
  /** The API field the file was attached to: `photo`, `document`, ... */
  field: string;
  filename: string;
  bytes: Buffer;
  /** The file_id the double assigned; `getFile` and `/file/bot<token>/<path>` serve it. */
  file_id: string;
}

/** One thing the bot did to a chat: a message sent, edited or deleted. */
export interface SentMessage {
  method: string;
  chat_id: number;
  message_id: number;
  /** The text exactly as the bot sent it (markup included; see `message()` for the parsed form). */
  text?: string;
  caption?: string;
  parse_mode?: string;
  reply_markup?: unknown;
  reply_to_message_id?: number;
  file?: SentFile;
  /** All parameters of the call, normalised (numbers and JSON fields decoded). */
  payload: Record<string, unknown>;
  /** `Date.now()` when the double handled the call. */
  at: number;
}

/** One authorised API call, whether it succeeded or not. */
export interface ApiCall {
  method: string;
  payload: any;
  at: number;
  /** Set when the double answered with an error (injected by `failNext` or a validation). */
  error_code?: number;
}

/** An error `failNext` makes the double answer with. */
export interface InjectedError {
  error_code: number;
  description?: string;
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/** An answerCallbackQuery the bot made. */
export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  at: number;
}

/** A file a test user sends to the bot (e.g. a CSV for /import). */
export interface UserFile {
  filename: string;
  bytes: Buffer | Uint8Array | string;
  mimeType?: string;
}

export interface TelegramDoubleOptions {
  /** `<bot id>:<secret>`; the number before the colon becomes the bot's user id. */
  token?: string;
  botUsername?: string;
  botFirstName?: string;
  /** Clock for message `date` fields; defaults to the wall clock. */
  now?: () => Date;
  /**
   * When true, sending to a chat the double has never seen fails with "chat not found" like
   * Telegram. Default false: the chat is created on the fly (private for positive ids).
   */
  strictChats?: boolean;
}

export interface SendOptions {
  /** Make the message a reply to the bot's latest message in that chat. */
  replyToBot?: boolean;
  /** Make the message a reply to this message (the bot's or a user's). */
  replyToMessageId?: number;
  /** Override the message date (default: the double's clock). */
  date?: Date;
}

/** The test-facing handle of a running double. */
export interface TelegramDouble {
  /** Pass as `new Bot(token, { client: { apiRoot } })`. No trailing slash. */
  readonly apiRoot: string;
  readonly token: string;
  readonly bot: { id: number; username: string; first_name: string };
  /** Every authorised API call, in arrival order. */
  readonly calls: ApiCall[];
  /** Every answerCallbackQuery, in order. */
  readonly callbackAnswers: CallbackAnswer[];

  /** Queues a text message from `from` in `chat`; returns its update_id. */
  sendText(chat: ChatSpec, from: UserSpec, text: string, opts?: SendOptions): number;
  /** Queues a document message (e.g. a CSV) with an optional caption; returns its update_id. */
  sendDocument(chat: ChatSpec, from: UserSpec, file: UserFile, opts?: SendOptions & { caption?: string }): number;
  /**
   * Queues a photo message, as Telegram delivers one: a `photo` array of sizes (a thumbnail and
   * the full picture, each with its own file_id that `getFile` and the file endpoint serve).
   */
  sendPhoto(chat: ChatSpec, from: UserSpec, file: UserFile, opts?: SendOptions & { caption?: string }): number;
  /** Queues a callback_query for an inline button on the bot's message; returns its update_id. */
  pressButton(chat: ChatSpec, from: UserSpec, messageId: number, data: string): number;
  /** Queues an arbitrary update (update_id assigned unless given); returns its update_id. */
  pushRawUpdate(update: object): number;
  /** Queues an already delivered update again, unchanged, as Telegram may do after a timeout. */
  redeliver(updateId: number): void;

  /** What the bot sent, edited or deleted, in order; optionally for one chat only. */
  outbox(chatId?: number): SentMessage[];
  /** Resolves with the oldest outbox entry (already there or still to come) matching `predicate`. */
  waitForOutbox(predicate: (m: SentMessage) => boolean, timeoutMs?: number): Promise<SentMessage>;
  /** Resolves with the chat's outbox once it holds at least `n` entries. */
  waitForCount(chatId: number, n: number, timeoutMs?: number): Promise<SentMessage[]>;
  /** Resolves with the oldest call (already made or still to come) of `method` matching `predicate`. */
  waitForCall(method: string, predicate?: (c: ApiCall) => boolean, timeoutMs?: number): Promise<ApiCall>;
  /** Resolves once the bot holds a getUpdates long poll open, i.e. it is up and idle. */
  waitForPoll(timeoutMs?: number): Promise<void>;
  /** Current state of a stored message (after edits), as Telegram would return it. */
  message(chatId: number, messageId: number): Message | undefined;
  /** Updates queued and not yet confirmed by a getUpdates offset. */
  pendingUpdates(): number;
  /**
   * Removes the queued updates and returns them in order: a webhook test delivers them itself
   * (to a load balancer, to chosen replicas, twice), as Telegram's webhook sender would.
   */
  takeUpdates(): Update[];

  /**
   * Makes `userIds` the chat's administrators. The first one is the creator unless
   * `opts.creatorId` says otherwise (`null`: no creator among them). Everyone else is 'member'.
   */
  setAdmins(chatId: number, userIds: number[], opts?: { creatorId?: number | null }): void;
  /** The commands stored by setMyCommands for a scope (default scope) and language. */
  myCommands(scope?: object, languageCode?: string): BotCommand[];
  /** Makes the next `times` (default 1; Infinity allowed) calls of `method` fail with `error`. */
  failNext(method: string, error: InjectedError, times?: number): void;
  /** Calls `listener` with every message the bot sends or edits, as it is recorded; returns an unsubscribe. */
  onSent(listener: (m: SentMessage) => void): () => void;
  /** Calls `listener` once after each burst of queued updates (a webhook sender takes them then); returns an unsubscribe. */
  onQueued(listener: () => void): () => void;
  /** Forgets the recorded calls, outbox and callback answers (state such as chats is kept). */
  clearRecords(): void;
  /** Releases pending long polls with an empty result, then stops the server. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Errors and parameter helpers
// ---------------------------------------------------------------------------------------------

class ApiFailure extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
  }
}

const badRequest = (what: string): ApiFailure => new ApiFailure(400, `Bad Request: ${what}`);

type Params = Record<string, unknown>;

interface UploadedFile {
  kind: 'upload';
  field: string;
  filename: string;
  bytes: Buffer;
  contentType?: string;
}

function isUpload(v: unknown): v is UploadedFile {
  return typeof v === 'object' && v !== null && (v as UploadedFile).kind === 'upload';
}

function optInt(p: Params, key: string): number | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid ${key} specified`);
  return n;
}

function reqInt(p: Params, key: string): number {
  const n = optInt(p, key);
  if (n === undefined) throw badRequest(`${key} is empty`);
  return n;
}

function optStr(p: Params, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

function optBool(p: Params, key: string): boolean {
  const v = p[key];
  return v === true || v === 'true' || v === 1 || v === '1';
}

function optObj<T>(p: Params, key: string): T | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as T;
    } catch {
      throw badRequest(`can't parse ${key} JSON object`);
    }
  }
  return v as T;
}

// Form fields arrive as strings; decoding them keeps `calls`/`outbox` identical whether grammY
// sent JSON or multipart. Free-text fields are never decoded.
const TEXT_FIELDS = new Set(['text', 'caption', 'data', 'description', 'title', 'query', 'url', 'secret_token', 'short_description', 'name']);

function coerceFormValue(key: string, v: string): unknown {
  if (TEXT_FIELDS.has(key)) return v;
  if ((v.startsWith('{') || v.startsWith('[')) && v.length > 1) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  if (/^-?\d{1,15}$/.test(v)) return Number(v);
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Body parsing (JSON, urlencoded, multipart — grammY writes its own multipart with unquoted
// filenames, so a hand-written, lenient parser is used rather than a strict library one)
// ---------------------------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headerParam(header: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|;)\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i');
  const m = re.exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '').trim();
}

function parseMultipart(body: Buffer, boundary: string): Params {
  const fields: Params = {};
  const files = new Map<string, { filename: string; bytes: Buffer; contentType?: string }>();
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos === -1) throw badRequest('invalid multipart body');
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": closing delimiter
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd === -1) throw badRequest('invalid multipart body');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const end = body.indexOf(nextDelimiter, headerEnd + 4);
    if (end === -1) throw badRequest('invalid multipart body');
    const content = body.subarray(headerEnd + 4, end);
    let disposition = '';
    let contentType: string | undefined;
    for (const line of headers) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'content-disposition') disposition = value;
      if (key === 'content-type') contentType = value;
    }
    const name = headerParam(disposition, 'name');
    const filename = headerParam(disposition, 'filename');
    if (name !== undefined) {
      if (filename !== undefined) files.set(name, { filename, bytes: Buffer.from(content), contentType });
      else fields[name] = coerceFormValue(name, content.toString('utf8'));
    }
    pos = end + nextDelimiter.length;
  }
  // grammY puts `attach://<id>` into the field and the bytes into a part named <id>.
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.startsWith('attach://')) {
      const f = files.get(value.slice('attach://'.length));
      if (f) {
        fields[key] = { kind: 'upload', field: key, ...f } satisfies UploadedFile;
        files.delete(value.slice('attach://'.length));
      }
    }
  }
  for (const [name, f] of files) {
    if (!(name in fields)) fields[name] = { kind: 'upload', field: name, ...f } satisfies UploadedFile;
  }
  return fields;
}

async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const params: Params = {};
  for (const [k, v] of url.searchParams) params[k] = coerceFormValue(k, v);
  if (req.method === 'GET' || req.method === 'HEAD') return params;
  const body = await readBody(req);
  if (body.length === 0) return params;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const boundary = headerParam(req.headers['content-type'] ?? '', 'boundary');
    if (!boundary) throw badRequest('multipart boundary is missing');
    return { ...params, ...parseMultipart(body, boundary) };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = coerceFormValue(k, v);
    return params;
  }
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return { ...params, ...(parsed as Params) };
  } catch {
    throw badRequest("can't parse JSON object");
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting: Telegram rejects markup it cannot parse, and stores the stripped text + entities.
// The parsers follow TDLib's rules closely enough to reproduce its errors for common mistakes.
// ---------------------------------------------------------------------------------------------

interface Formatted {
  text: string;
  entities: MessageEntity[];
}

const byteOffset = (src: string, index: number): number => Buffer.byteLength(src.slice(0, index), 'utf8');
const entityError = (what: string): ApiFailure => badRequest(`can't parse entities: ${what}`);

const HTML_TAGS = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins', 'tg-spoiler', 'tg-emoji', 'span',
  'pre', 'code', 'blockquote', 'tg-time',
]);

function decodeHtmlEntity(name: string): string | undefined {
  if (name === 'lt') return '<';
  if (name === 'gt') return '>';
  if (name === 'amp') return '&';
  if (name === 'quot') return '"';
  if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
  if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
  return undefined;
}

function parseHtml(src: string): Formatted {
  let text = '';
  const entities: MessageEntity[] = [];
  const open: { tag: string; start: number; attrs: Record<string, string> }[] = [];
  const entityRe = /&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|lt|gt|amp|quot);/y;
  const nameRe = /[a-zA-Z0-9-]+/y;
  const attrRe = /\s*([a-zA-Z0-9_-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/y;
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '&') {
      entityRe.lastIndex = i;
      const m = entityRe.exec(src);
      const decoded = m ? decodeHtmlEntity(m[1]!) : undefined;
      if (m && decoded !== undefined) {
        text += decoded;
        i += m[0].length;
        continue;
      }
    }
    if (c !== '<') {
      text += c;
      i++;
      continue;
    }
    const begin = i;
    i++;
    if (src[i] !== '/') {
      nameRe.lastIndex = i;
      const m = nameRe.exec(src);
      if (!m) throw entityError(`Empty tag name at byte offset ${byteOffset(src, begin)}`);
      const tag = m[0].toLowerCase();
      if (!HTML_TAGS.has(tag)) throw entityError(`Unsupported start tag "${tag}" at byte offset ${byteOffset(src, begin)}`);
      i += m[0].length;
      const attrs: Record<string, string> = {};
      for (;;) {
        while (src[i] === ' ' || src[i] === '\n' || src[i] === '\t' || src[i] === '\r') i++;
        if (i >= src.length) throw entityError(`Unclosed start tag at byte offset ${byteOffset(src, begin)}`);
        if (src[i] === '>') break;
        attrRe.lastIndex = i;
        const a = attrRe.exec(src);
        if (!a || a[0].length === 0) throw entityError(`Unclosed start tag at byte offset ${byteOffset(src, begin)}`);
        attrs[a[1]!.toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? '';
        i += a[0].length;
      }
      i++; // '>'
      if (tag === 'span' && attrs.class !== 'tg-spoiler') {
        throw entityError(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(src, begin)}`);
      }
      open.push({ tag, start: text.length, attrs });
      continue;
    }
    i++;
    nameRe.lastIndex = i;
    const m = nameRe.exec(src);
    const name = (m?.[0] ?? '').toLowerCase();
    i += m?.[0].length ?? 0;
    while (src[i] === ' ') i++;
    if (src[i] !== '>') throw entityError(`Unclosed end tag at byte offset ${byteOffset(src, begin)}`);
    i++;
    const top = open.pop();
    if (!top) throw entityError(`Unexpected end tag at byte offset ${byteOffset(src, begin)}`);
    if (top.tag !== name) {
      throw entityError(
        `Unmatched end tag at byte offset ${byteOffset(src, begin)}, expected "</${top.tag}>", found "</${name}>"`,
      );
    }
    const length = text.length - top.start;
    if (length > 0) {
      const e = htmlEntity(top.tag, top.attrs, top.start, length, open[open.length - 1]?.tag);
      if (e) entities.push(e);
    }
  }
  const unclosed = open[open.length - 1];
  if (unclosed) throw entityError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function htmlEntity(
  tag: string,
  attrs: Record<string, string>,
  offset: number,
  length: number,
  parent: string | undefined,
): MessageEntity | undefined {
  switch (tag) {
    case 'b':
    case 'strong':
      return { type: 'bold', offset, length };
    case 'i':
    case 'em':
      return { type: 'italic', offset, length };
    case 'u':
    case 'ins':
      return { type: 'underline', offset, length };
    case 's':
    case 'strike':
    case 'del':
      return { type: 'strikethrough', offset, length };
    case 'span':
    case 'tg-spoiler':
      return { type: 'spoiler', offset, length };
    case 'code':
      // <pre><code class="language-x"> is one pre entity with a language; the pre carries it.
      return parent === 'pre' ? undefined : { type: 'code', offset, length };
    case 'pre':
      return { type: 'pre', offset, length };
    case 'blockquote':
      return { type: 'expandable' in attrs ? 'expandable_blockquote' : 'blockquote', offset, length };
    case 'a':
      return attrs.href ? { type: 'text_link', offset, length, url: attrs.href } : undefined;
    case 'tg-emoji':
      return { type: 'custom_emoji', offset, length, custom_emoji_id: attrs['emoji-id'] ?? '' };
    default:
      return undefined;
  }
}

function formatText(src: string, parseMode: string | undefined, given: MessageEntity[] | undefined): Formatted {
  switch ((parseMode ?? '').toLowerCase()) {
    case '':
      return { text: src, entities: given ?? [] };
    case 'html':
      return parseHtml(src);
    default:
      throw badRequest('unsupported parse_mode');
  }
}

/** Entities Telegram's clients attach to what a user types: commands, mentions, hashtags. */
function detectEntities(text: string): MessageEntity[] {
  const found: MessageEntity[] = [];
  const rules: [RegExp, MessageEntity['type']][] = [
    [/(?<=^|\s)\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])/g, 'bot_command'],
    [/(?<=^|[^\p{L}\p{N}_@])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])/gu, 'mention'],
    [/(?<=^|[^\p{L}\p{N}_#])#[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*/gu, 'hashtag'],
  ];
  for (const [re, type] of rules) {
    for (const m of text.matchAll(re)) found.push({ type, offset: m.index, length: m[0].length } as MessageEntity);
  }
  return found.sort((a, b) => a.offset - b.offset);
}

// ---------------------------------------------------------------------------------------------
// Keyboards
// ---------------------------------------------------------------------------------------------

function validateReplyMarkup(markup: unknown): void {
  if (markup === undefined) return;
  if (typeof markup !== 'object' || markup === null) throw badRequest("can't parse reply keyboard markup JSON object");
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (rows === undefined) return;
  if (!Array.isArray(rows)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
  for (const row of rows) {
    if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    for (const button of row as Record<string, unknown>[]) {
      if (typeof button?.text !== 'string') throw badRequest("can't parse inline keyboard button: Field \"text\" must be of type String");
      const actions = Object.keys(button).filter((k) => k !== 'text' && k !== 'style' && k !== 'icon_custom_emoji_id');
      if (actions.length === 0) {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
      if ('callback_data' in button) {
        const data = button.callback_data;
        if (typeof data !== 'string' || data.length === 0 || Buffer.byteLength(data, 'utf8') > 64) {
          throw badRequest('BUTTON_DATA_INVALID');
        }
      }
      if ('url' in button && (typeof button.url !== 'string' || !/^(https?|tg):\/\//i.test(button.url))) {
        throw badRequest('inline keyboard button URL is invalid');
      }
    }
  }
}

/** Messages only carry inline keyboards; an empty one is the same as none. */
function inlineMarkupOf(markup: unknown): InlineKeyboardMarkup | undefined {
  const rows = (markup as { inline_keyboard?: unknown[] } | undefined)?.inline_keyboard;
  if (!Array.isArray(rows) || rows.every((r) => Array.isArray(r) && r.length === 0)) return undefined;
  return markup as InlineKeyboardMarkup;
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  filename: string;
  mime_type: string;
  bytes: Buffer;
}

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', csv: 'text/csv',
  txt: 'text/plain', json: 'application/json', pdf: 'application/pdf', zip: 'application/zip',
};

function mimeOf(filename: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  return MIME_BY_EXT[ext] ?? 'application/octet-stream';
}

/** Width and height from a PNG's IHDR chunk; other formats get a plausible default. */
function imageSize(bytes: Buffer): { width: number; height: number } {
  const isPng = bytes.length >= 24 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return isPng ? { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) } : { width: 800, height: 600 };
}

// ---------------------------------------------------------------------------------------------
// The double
// ---------------------------------------------------------------------------------------------

interface ChatState {
  chat: Chat;
  nextMessageId: number;
  messages: Map<number, Message>;
  lastBotMessageId?: number;
  admins: number[];
  creatorId: number | null;
  members: Set<number>;
}

interface QueuedUpdate {
  update: Update;
  /** A redelivered or hand-numbered update: kept until actually delivered, whatever the offset. */
  forced: boolean;
  delivered: boolean;
}

interface PendingPoll {
  limit: number;
  res: ServerResponse;
  finish: (updates: Update[]) => void;
  fail: (failure: ApiFailure) => void;
}

type Handler = (p: Params, res: ServerResponse) => unknown;

const ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document',
  'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

const DEFAULT_WAIT_MS = 3000;

class TelegramApiDouble implements TelegramDouble {
  apiRoot = '';
  readonly token: string;
  readonly bot: { id: number; username: string; first_name: string };
  readonly calls: ApiCall[] = [];
  readonly callbackAnswers: CallbackAnswer[] = [];

  private server: Server | undefined;
  private closed = false;
  private readonly now: () => Date;
  private readonly strictChats: boolean;
  private readonly sent: SentMessage[] = [];
  /** Per-chat index of `sent`, so waiting on one chat's count stays cheap with thousands of entries. */
  private readonly sentByChat = new Map<number, SentMessage[]>();
  private readonly listeners = new Set<() => void>();
  private readonly queuedListeners = new Set<() => void>();
  private readonly sentListeners = new Set<(m: SentMessage) => void>();
  private readonly queue: QueuedUpdate[] = [];
  private readonly history = new Map<number, Update>();
  private nextUpdateId = 1;
  private poll: PendingPoll | undefined;
  private wakeScheduled = false;
  private readonly chats = new Map<number, ChatState>();
  private readonly users = new Map<number, User>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  private fileSeq = 0;
  private callbackSeq = 0;
  private readonly openCallbacks = new Set<string>();
  private readonly failures = new Map<string, { error: InjectedError; remaining: number }[]>();
  private readonly commands = new Map<string, BotCommand[]>();
  /** The default chat menu button (setChatMenuButton without chat_id). */
  private menuButton: Record<string, unknown> = { type: 'commands' };
  private webhook: { url: string; secret_token?: string } | undefined;
  private readonly handlers: Map<string, Handler>;

  constructor(opts: TelegramDoubleOptions) {
    this.token = opts.token ?? `7000000001:AAF-coin-test-${randomBytes(6).toString('hex')}`;
    const idPart = Number(this.token.split(':')[0]);
    this.bot = {
      id: Number.isSafeInteger(idPart) && idPart > 0 ? idPart : 7000000001,
      username: opts.botUsername ?? 'coin_test_bot',
      first_name: opts.botFirstName ?? 'COIN',
    };
    this.now = opts.now ?? (() => new Date());
    this.strictChats = opts.strictChats ?? false;
    this.handlers = this.buildHandlers();
  }

  // ----- lifecycle ---------------------------------------------------------------------------

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.handleHttp(req, res));
    // Idle keep-alive sockets must outlive grammY's agent reuse, or a reused socket races the
    // server closing it ("socket hang up"); close() destroys them explicitly.
    server.keepAliveTimeout = 120_000;
    server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const poll = this.poll;
    this.poll = undefined;
    poll?.finish([]);
    for (const l of [...this.listeners]) l();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Let the released long poll's response flush before connections are cut.
      setImmediate(() => server.closeAllConnections());
    });
  }

  // ----- update queue ------------------------------------------------------------------------

  private enqueue(update: Update, forced: boolean): number {
    if (this.closed) throw new Error('Telegram double is closed');
    this.queue.push({ update, forced, delivered: false });
    this.history.set(update.update_id, update);
    this.scheduleWake();
    return update.update_id;
  }

  private scheduleWake(): void {
    // Deferred so that updates pushed in one synchronous burst leave in one batch.
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      for (const l of [...this.queuedListeners]) l();
      const poll = this.poll;
      if (!poll) return;
      const batch = this.takeBatch(poll.limit);
      if (batch.length === 0) return;
      this.poll = undefined;
      poll.finish(batch);
    });
  }

  private confirm(offset: number): void {
    if (offset < 0) {
      // Telegram: a negative offset keeps only the last -offset updates and forgets the rest.
      this.queue.splice(0, Math.max(0, this.queue.length + offset));
      return;
    }
    if (offset === 0) return;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const q = this.queue[i]!;
      if (q.update.update_id < offset && (!q.forced || q.delivered)) this.queue.splice(i, 1);
    }
  }

  /**
   * The next batch: queue order, stopping before an id that does not increase, so that the
   * offset the client confirms next (last id + 1) covers exactly the batch — a redelivered
   * older update always travels in a batch of its own.
   */
  private takeBatch(limit: number): Update[] {
    const batch: Update[] = [];
    let lastId = -Infinity;
    for (const q of this.queue) {
      if (batch.length >= limit || q.update.update_id <= lastId) break;
      q.delivered = true;
      lastId = q.update.update_id;
      batch.push(q.update);
    }
    return batch;
  }

  pendingUpdates(): number {
    return this.queue.length;
  }

  takeUpdates(): Update[] {
    return this.queue.splice(0, this.queue.length).map((q) => structuredClone(q.update));
  }

  private newUpdateId(): number {
    return this.nextUpdateId++;
  }

  // ----- chats, users, messages --------------------------------------------------------------

  private registerUser(spec: UserSpec): User {
    const user: User = { id: spec.id, is_bot: false, first_name: spec.first_name };
    if (spec.last_name !== undefined) user.last_name = spec.last_name;
    if (spec.username !== undefined) user.username = spec.username;
    if (spec.language_code !== undefined) user.language_code = spec.language_code;
    this.users.set(user.id, user);
    return user;
  }

  private registerChat(spec: ChatSpec, from: User): ChatState {
    let chat: Chat;
    if (spec.type === 'private') {
      chat = { id: spec.id, type: 'private', first_name: from.first_name };
      if (from.last_name !== undefined) chat.last_name = from.last_name;
      if (from.username !== undefined) chat.username = from.username;
    } else if (spec.type === 'group') {
      chat = { id: spec.id, type: 'group', title: spec.title ?? `Group ${spec.id}` };
    } else {
      chat = { id: spec.id, type: 'supergroup', title: spec.title ?? `Supergroup ${spec.id}` };
      if (spec.username !== undefined) chat.username = spec.username;
    }
    const state = this.chatState(chat.id, chat);
    state.chat = chat;
    state.members.add(from.id);
    return state;
  }

  private chatState(id: number, chat?: Chat): ChatState {
    let state = this.chats.get(id);
    if (!state) {
      state = {
        chat: chat ?? this.guessChat(id),
        nextMessageId: 1,
        messages: new Map(),
        admins: [],
        creatorId: null,
        members: new Set(),
      };
      this.chats.set(id, state);
    }
    return state;
  }

  private guessChat(id: number): Chat {
    if (id > 0) {
      const user = this.users.get(id);
      const chat: Chat = { id, type: 'private', first_name: user?.first_name ?? `User ${id}` };
      if (user?.username !== undefined) chat.username = user.username;
      return chat;
    }
    return id <= -1_000_000_000_000
      ? { id, type: 'supergroup', title: `Supergroup ${id}` }
      : { id, type: 'group', title: `Group ${id}` };
  }

  /** The chat an API call addresses; numeric id or @username. */
  private targetChat(p: Params): ChatState {
    const raw = p.chat_id;
    if (raw === undefined || raw === null || raw === '') throw badRequest('chat_id is empty');
    if (typeof raw === 'string' && raw.startsWith('@')) {
      for (const state of this.chats.values()) {
        if ('username' in state.chat && state.chat.username?.toLowerCase() === raw.slice(1).toLowerCase()) return state;
      }
      throw badRequest('chat not found');
    }
    const id = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isSafeInteger(id) || id === 0) throw badRequest('chat not found');
    if (this.strictChats && !this.chats.has(id)) throw badRequest('chat not found');
    return this.chatState(id);
  }

  private botUser(): User {
    return { id: this.bot.id, is_bot: true, first_name: this.bot.first_name, username: this.bot.username };
  }

  private dateSeconds(date?: Date): number {
    return Math.floor((date ?? this.now()).getTime() / 1000);
  }

  /** Telegram nests only one level of reply_to_message. */
  private replyCopy(m: Message): Message {
    const { reply_to_message: _nested, ...rest } = m;
    return structuredClone(rest) as Message;
  }

  private storeMessage(state: ChatState, message: Message): void {
    state.messages.set(message.message_id, message);
    if (message.message_id >= state.nextMessageId) state.nextMessageId = message.message_id + 1;
    if (message.from?.id === this.bot.id) state.lastBotMessageId = message.message_id;
  }

  private userMessage(chat: ChatSpec, from: UserSpec, opts: SendOptions | undefined, content: Partial<Message>): number {
    const user = this.registerUser(from);
    const state = this.registerChat(chat, user);
    const message = {
      message_id: state.nextMessageId,
      from: user,
      chat: state.chat,
      date: this.dateSeconds(opts?.date),
      ...content,
    } as Message;
    const replyId = opts?.replyToBot ? state.lastBotMessageId : opts?.replyToMessageId;
    if (opts?.replyToBot && replyId === undefined) {
      throw new Error(`Telegram double: the bot has sent nothing in chat ${chat.id} to reply to`);
    }
    if (replyId !== undefined) {
      const original = state.messages.get(replyId);
      if (!original) throw new Error(`Telegram double: no message ${replyId} in chat ${chat.id} to reply to`);
      message.reply_to_message = this.replyCopy(original) as Message.CommonMessage['reply_to_message'];
    }
    this.storeMessage(state, message);
    return this.enqueue({ update_id: this.newUpdateId(), message: structuredClone(message) } as Update, false);
  }

  sendText(chat: ChatSpec, from: UserSpec, text: string, opts?: SendOptions): number {
    const entities = detectEntities(text);
    return this.userMessage(chat, from, opts, entities.length > 0 ? { text, entities } : { text });
  }

  sendDocument(chat: ChatSpec, from: UserSpec, file: UserFile, opts?: SendOptions & { caption?: string }): number {
    const bytes = typeof file.bytes === 'string' ? Buffer.from(file.bytes, 'utf8') : Buffer.from(file.bytes);
    const stored = this.storeFile(file.filename, bytes, 'documents', file.mimeType);
    const content: Partial<Message> = {
      document: {
        file_id: stored.file_id,
        file_unique_id: stored.file_unique_id,
        file_name: stored.filename,
        mime_type: stored.mime_type,
        file_size: bytes.length,
      },
    };
    if (opts?.caption !== undefined) {
      content.caption = opts.caption;
      const entities = detectEntities(opts.caption);
      if (entities.length > 0) content.caption_entities = entities;
    }
    return this.userMessage(chat, from, opts, content);
  }

  sendPhoto(chat: ChatSpec, from: UserSpec, file: UserFile, opts?: SendOptions & { caption?: string }): number {
    const bytes = typeof file.bytes === 'string' ? Buffer.from(file.bytes, 'utf8') : Buffer.from(file.bytes);
    const full = this.storeFile(file.filename, bytes, 'photos', 'image/jpeg');
    const { width, height } = imageSize(bytes);
    const scale = Math.min(1, 90 / Math.max(width, height));
    // The thumbnail is the same picture under another file_id (the double does not resize).
    const thumb = this.storeFile(`thumb_${file.filename}`, bytes, 'photos', 'image/jpeg');
    const content: Partial<Message> = {
      photo: [
        { file_id: thumb.file_id, file_unique_id: thumb.file_unique_id, width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), file_size: bytes.length },
        { file_id: full.file_id, file_unique_id: full.file_unique_id, width, height, file_size: bytes.length },
      ],
    };
    if (opts?.caption !== undefined) {
      content.caption = opts.caption;
      const entities = detectEntities(opts.caption);
      if (entities.length > 0) content.caption_entities = entities;
    }
    return this.userMessage(chat, from, opts, content);
  }

  pressButton(chat: ChatSpec, from: UserSpec, messageId: number, data: string): number {
    const user = this.registerUser(from);
    const state = this.registerChat(chat, user);
    const message = state.messages.get(messageId);
    if (!message) throw new Error(`Telegram double: no message ${messageId} in chat ${chat.id} to press a button on`);
    const id = `${this.bot.id}${String(++this.callbackSeq).padStart(8, '0')}`;
    this.openCallbacks.add(id);
    const chatInstance = BigInt.asIntN(64, BigInt(`0x${createHash('sha1').update(String(chat.id)).digest('hex').slice(0, 16)}`));
    return this.enqueue(
      {
        update_id: this.newUpdateId(),
        callback_query: {
          id,
          from: user,
          message: structuredClone(message),
          chat_instance: chatInstance.toString(),
          data,
        },
      } as Update,
      false,
    );
  }

  pushRawUpdate(update: object): number {
    const given = (update as { update_id?: unknown }).update_id;
    const full = structuredClone(update) as Update;
    const hasId = typeof given === 'number' && Number.isInteger(given);
    if (hasId) this.nextUpdateId = Math.max(this.nextUpdateId, given + 1);
    else full.update_id = this.newUpdateId();
    // Remember the message so that later replies, edits and button presses can refer to it.
    const m = full.message ?? full.edited_message;
    if (m && typeof m.message_id === 'number' && m.chat && typeof m.chat.id === 'number') {
      if (m.from) this.users.set(m.from.id, m.from);
      const state = this.chatState(m.chat.id, m.chat);
      if (m.from) state.members.add(m.from.id);
      this.storeMessage(state, structuredClone(m));
    }
    return this.enqueue(full, hasId);
  }

  redeliver(updateId: number): void {
    const update = this.history.get(updateId);
    if (!update) throw new Error(`Telegram double: update ${updateId} was never queued`);
    this.enqueue(structuredClone(update), true);
  }

  message(chatId: number, messageId: number): Message | undefined {
    const m = this.chats.get(chatId)?.messages.get(messageId);
    return m ? structuredClone(m) : undefined;
  }

  // ----- admin and commands ------------------------------------------------------------------

  setAdmins(chatId: number, userIds: number[], opts?: { creatorId?: number | null }): void {
    const state = this.chatState(chatId);
    state.admins = [...userIds];
    state.creatorId = opts && 'creatorId' in opts ? (opts.creatorId ?? null) : (userIds[0] ?? null);
  }

  private memberOf(state: ChatState, userId: number): ChatMember {
    const user = userId === this.bot.id ? this.botUser() : (this.users.get(userId) ?? { id: userId, is_bot: false, first_name: `User ${userId}` });
    if (state.chat.type !== 'private' && state.creatorId === userId) return { status: 'creator', user, is_anonymous: false };
    if (state.chat.type !== 'private' && state.admins.includes(userId)) {
      return {
        status: 'administrator', user, can_be_edited: false, is_anonymous: false, can_manage_chat: true,
        can_delete_messages: true, can_manage_video_chats: true, can_restrict_members: true,
        can_promote_members: false, can_change_info: true, can_invite_users: true, can_post_stories: false,
        can_edit_stories: false, can_delete_stories: false, can_pin_messages: true,
      } as ChatMember;
    }
    return { status: 'member', user };
  }

  private static commandKey(scope: unknown, languageCode: unknown): string {
    const s = (scope ?? { type: 'default' }) as Record<string, unknown>;
    const sorted = Object.fromEntries(Object.entries(s).sort(([a], [b]) => a.localeCompare(b)));
    return JSON.stringify([sorted, typeof languageCode === 'string' ? languageCode : '']);
  }

  myCommands(scope?: object, languageCode?: string): BotCommand[] {
    return structuredClone(this.commands.get(TelegramApiDouble.commandKey(scope, languageCode)) ?? []);
  }

  // ----- failure injection and records -------------------------------------------------------

  failNext(method: string, error: InjectedError, times = 1): void {
    const key = method.toLowerCase();
    const list = this.failures.get(key) ?? [];
    list.push({ error, remaining: times });
    this.failures.set(key, list);
  }

  private takeFailure(method: string): ApiFailure | undefined {
    const list = this.failures.get(method.toLowerCase());
    const next = list?.[0];
    if (!list || !next) return undefined;
    next.remaining--;
    if (next.remaining <= 0) list.shift();
    const { error_code: code, retry_after, migrate_to_chat_id } = next.error;
    const defaults: Record<number, string> = {
      400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden: bot was blocked by the user', 404: 'Not Found',
      409: 'Conflict', 429: `Too Many Requests: retry after ${retry_after ?? 0}`, 500: 'Internal Server Error',
      502: 'Bad Gateway',
    };
    const parameters: { retry_after?: number; migrate_to_chat_id?: number } = {};
    if (retry_after !== undefined) parameters.retry_after = retry_after;
    if (migrate_to_chat_id !== undefined) parameters.migrate_to_chat_id = migrate_to_chat_id;
    return new ApiFailure(
      code,
      next.error.description ?? defaults[code] ?? `Error ${code}`,
      Object.keys(parameters).length > 0 ? parameters : undefined,
    );
  }

  onSent(listener: (m: SentMessage) => void): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  onQueued(listener: () => void): () => void {
    this.queuedListeners.add(listener);
    return () => this.queuedListeners.delete(listener);
  }

  clearRecords(): void {
    this.calls.length = 0;
    this.sent.length = 0;
    this.sentByChat.clear();
    this.callbackAnswers.length = 0;
  }

  outbox(chatId?: number): SentMessage[] {
    return chatId === undefined ? [...this.sent] : [...(this.sentByChat.get(chatId) ?? [])];
  }

  private record(entry: Omit<SentMessage, 'at'>): void {
    const sent = { ...entry, at: Date.now() };
    this.sent.push(sent);
    const list = this.sentByChat.get(sent.chat_id);
    if (list) list.push(sent);
    else this.sentByChat.set(sent.chat_id, [sent]);
    for (const l of this.sentListeners) l(sent);
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Polls `check` on every recorded change until it yields a value, the timeout, or close(). */
  private waitFor<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    const first = check();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => {
        const value = check();
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (this.closed) {
          done();
          reject(new Error(`Telegram double closed while waiting: ${describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Telegram double: timed out after ${timeoutMs} ms waiting ${describe()}`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  private outboxSummary(): string {
    const last = this.sent.slice(-8).map((m) => `${m.method}(${m.chat_id}#${m.message_id}) ${JSON.stringify(m.text ?? m.caption ?? '')}`);
    return `outbox has ${this.sent.length} entries${last.length > 0 ? `; last: ${last.join(' | ')}` : ''}`;
  }

  waitForOutbox(predicate: (m: SentMessage) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<SentMessage> {
    return this.waitFor(() => this.sent.find(predicate), timeoutMs, () => `for a matching outbox entry; ${this.outboxSummary()}`);
  }

  waitForCount(chatId: number, n: number, timeoutMs = DEFAULT_WAIT_MS): Promise<SentMessage[]> {
    return this.waitFor(
      () => ((this.sentByChat.get(chatId)?.length ?? 0) >= n ? this.outbox(chatId) : undefined),
      timeoutMs,
      () => `for ${n} outbox entries in chat ${chatId} (have ${this.outbox(chatId).length}); ${this.outboxSummary()}`,
    );
  }

  waitForCall(method: string, predicate?: (c: ApiCall) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<ApiCall> {
    const name = method.toLowerCase();
    return this.waitFor(
      () => this.calls.find((c) => c.method.toLowerCase() === name && (predicate?.(c) ?? true)),
      timeoutMs,
      () => `for a ${method} call; calls so far: ${this.calls.map((c) => c.method).slice(-15).join(', ')}`,
    );
  }

  waitForPoll(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor(() => (this.poll ? true : undefined), timeoutMs, () => 'for the bot to hold a getUpdates long poll').then(() => undefined);
  }

  // ----- HTTP --------------------------------------------------------------------------------

  private reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }

  private replyFailure(res: ServerResponse, f: ApiFailure): void {
    const body: Record<string, unknown> = { ok: false, error_code: f.errorCode, description: f.description };
    if (f.parameters) body.parameters = f.parameters;
    this.reply(res, f.errorCode, body);
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fileRoute = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileRoute) {
      req.resume();
      if (decodeURIComponent(fileRoute[1]!) !== this.token) return this.replyFailure(res, new ApiFailure(401, 'Unauthorized'));
      const file = this.filesByPath.get(decodeURIComponent(fileRoute[2]!));
      if (!file) return this.replyFailure(res, new ApiFailure(404, 'Not Found'));
      res.writeHead(200, { 'content-type': file.mime_type, 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    const route = /^\/bot([^/]*)\/([A-Za-z0-9_]*)$/.exec(url.pathname);
    if (!route) {
      req.resume();
      return this.replyFailure(res, new ApiFailure(404, 'Not Found'));
    }
    if (decodeURIComponent(route[1]!) !== this.token) {
      req.resume();
      return this.replyFailure(res, new ApiFailure(401, 'Unauthorized'));
    }
    const method = route[2]!;
    const call: ApiCall = { method, payload: {}, at: Date.now() };
    let params: Params;
    try {
      params = await readParams(req, url);
    } catch (e) {
      this.calls.push(call);
      call.error_code = 400;
      return this.replyFailure(res, e instanceof ApiFailure ? e : badRequest(String(e)));
    }
    call.payload = params;
    this.calls.push(call);
    this.notify();
    try {
      const handler = this.handlers.get(method.toLowerCase());
      if (!handler) throw new ApiFailure(404, 'Not Found');
      const injected = this.takeFailure(method);
      if (injected) throw injected;
      const result = await handler(params, res);
      this.reply(res, 200, { ok: true, result });
    } catch (e) {
      const failure = e instanceof ApiFailure ? e : new ApiFailure(500, `Internal Server Error: ${(e as Error)?.message ?? String(e)}`);
      if (!(e instanceof ApiFailure)) console.error('Telegram double: handler crashed', e);
      call.error_code = failure.errorCode;
      this.replyFailure(res, failure);
    }
  }

  // ----- methods -----------------------------------------------------------------------------

  private buildHandlers(): Map<string, Handler> {
    const h: Record<string, Handler> = {
      getMe: () => ({
        ...this.botUser(), can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
        can_connect_to_business: false, has_main_web_app: false,
      }),
      getUpdates: (p, res) => this.getUpdates(p, res),
      setWebhook: (p) => {
        const url = optStr(p, 'url') ?? '';
        if (url === '') this.webhook = undefined;
        else this.webhook = { url, secret_token: optStr(p, 'secret_token') };
        if (optBool(p, 'drop_pending_updates')) this.queue.length = 0;
        return true;
      },
      deleteWebhook: (p) => {
        this.webhook = undefined;
        if (optBool(p, 'drop_pending_updates')) this.queue.length = 0;
        return true;
      },
      getWebhookInfo: () => ({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.length }),
      setMyCommands: (p) => {
        const list = optObj<BotCommand[]>(p, 'commands');
        if (!Array.isArray(list)) throw badRequest('parameter "commands" is required');
        if (list.length > 100) throw badRequest('too many commands');
        for (const c of list) {
          if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest('BOT_COMMAND_INVALID');
          if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) {
            throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
          }
        }
        this.commands.set(TelegramApiDouble.commandKey(optObj(p, 'scope'), p.language_code), list.map((c) => ({ command: c.command, description: c.description })));
        return true;
      },
      getMyCommands: (p) => this.myCommands(optObj(p, 'scope'), optStr(p, 'language_code')),
      deleteMyCommands: (p) => {
        this.commands.delete(TelegramApiDouble.commandKey(optObj(p, 'scope'), p.language_code));
        return true;
      },
      sendMessage: (p) => this.sendMessage(p),
      sendPhoto: (p) => this.sendFile(p, 'sendPhoto', 'photo'),
      sendDocument: (p) => this.sendFile(p, 'sendDocument', 'document'),
      editMessageText: (p) => this.editMessage(p, 'editMessageText'),
      editMessageCaption: (p) => this.editMessage(p, 'editMessageCaption'),
      editMessageReplyMarkup: (p) => this.editMessage(p, 'editMessageReplyMarkup'),
      deleteMessage: (p) => {
        const state = this.targetChat(p);
        const id = reqInt(p, 'message_id');
        if (!state.messages.delete(id)) throw badRequest('message to delete not found');
        this.record({ method: 'deleteMessage', chat_id: state.chat.id, message_id: id, payload: p });
        return true;
      },
      answerCallbackQuery: (p) => {
        const id = optStr(p, 'callback_query_id') ?? '';
        if (!this.openCallbacks.has(id)) throw badRequest('query is too old and response timeout expired or query ID is invalid');
        const text = optStr(p, 'text');
        if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
        const answer: CallbackAnswer = { callback_query_id: id, at: Date.now() };
        if (text !== undefined) answer.text = text;
        if (p.show_alert !== undefined) answer.show_alert = optBool(p, 'show_alert');
        const url = optStr(p, 'url');
        if (url !== undefined) answer.url = url;
        this.callbackAnswers.push(answer);
        this.notify();
        return true;
      },
      sendChatAction: (p) => {
        this.targetChat(p);
        if (!ACTIONS.has(optStr(p, 'action') ?? '')) throw badRequest('wrong parameter action in request');
        return true;
      },
      getChat: (p) => {
        const state = this.targetChat(p);
        return { ...structuredClone(state.chat), accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false } };
      },
      getChatMember: (p) => this.memberOf(this.targetChat(p), reqInt(p, 'user_id')),
      getChatAdministrators: (p) => {
        const state = this.targetChat(p);
        if (state.chat.type === 'private') throw badRequest('there are no administrators in the private chat');
        const ids = [...new Set([...(state.creatorId !== null ? [state.creatorId] : []), ...state.admins])];
        return ids.map((id) => this.memberOf(state, id));
      },
      getChatMemberCount: (p) => this.targetChat(p).members.size + 1,
      getFile: (p) => {
        const file = this.files.get(optStr(p, 'file_id') ?? '');
        if (!file) throw badRequest('invalid file_id');
        return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length, file_path: file.file_path };
      },
      logOut: () => true,
      close: () => true,
      leaveChat: () => true,
      pinChatMessage: () => true,
      unpinChatMessage: () => true,
      unpinAllChatMessages: () => true,
      setMessageReaction: () => true,
      setMyDescription: () => true,
      setMyShortDescription: () => true,
      setMyName: () => true,
      getMyName: () => ({ name: this.bot.first_name }),
      getMyDescription: () => ({ description: '' }),
      getMyShortDescription: () => ({ short_description: '' }),
      setChatMenuButton: (p) => {
        const button = optObj<Record<string, unknown>>(p, 'menu_button') ?? { type: 'default' };
        if (button.type === 'web_app') {
          const url = (button.web_app as { url?: unknown } | undefined)?.url;
          // Telegram accepts only https Mini App addresses.
          if (typeof url !== 'string' || !url.startsWith('https://')) throw badRequest('BUTTON_URL_INVALID');
          if (typeof button.text !== 'string' || !button.text) throw badRequest('BUTTON_TEXT_INVALID');
        }
        this.menuButton = button;
        return true;
      },
      getChatMenuButton: () => this.menuButton,
    };
    return new Map(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  }

  private getUpdates(p: Params, res: ServerResponse): Update[] | Promise<Update[]> {
    if (this.webhook) {
      throw new ApiFailure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = optInt(p, 'offset') ?? 0;
    const limit = Math.min(100, Math.max(1, optInt(p, 'limit') ?? 100));
    const timeout = Math.max(0, optInt(p, 'timeout') ?? 0);
    this.confirm(offset);
    const previous = this.poll;
    if (previous) {
      // Telegram's answer to two pollers; usually the earlier request was already aborted.
      this.poll = undefined;
      previous.fail(new ApiFailure(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    }
    const batch = this.takeBatch(limit);
    if (batch.length > 0 || timeout === 0 || this.closed) return batch;
    return new Promise<Update[]>((resolve, reject) => {
      const poll: PendingPoll = {
        limit,
        res,
        finish: (updates) => {
          clearTimeout(timer);
          resolve(updates);
        },
        fail: (failure) => {
          clearTimeout(timer);
          reject(failure);
        },
      };
      const timer = setTimeout(() => {
        if (this.poll === poll) this.poll = undefined;
        resolve([]);
      }, timeout * 1000);
      res.on('close', () => {
        // The client gave up (grammY aborts its poll on stop): nothing may be delivered to it.
        if (this.poll === poll) {
          this.poll = undefined;
          clearTimeout(timer);
          resolve([]);
        }
      });
      this.poll = poll;
      this.notify();
    });
  }

  private replyTarget(state: ChatState, p: Params): Message | undefined {
    const params = optObj<{ message_id?: number; chat_id?: unknown; allow_sending_without_reply?: boolean }>(p, 'reply_parameters');
    const id = params?.message_id ?? optInt(p, 'reply_to_message_id');
    if (id === undefined) return undefined;
    const original = state.messages.get(Number(id));
    if (!original && !(params?.allow_sending_without_reply ?? optBool(p, 'allow_sending_without_reply'))) {
      throw badRequest('message to be replied not found');
    }
    return original;
  }

  private newBotMessage(state: ChatState, p: Params, content: Partial<Message>): Message {
    const message = {
      message_id: state.nextMessageId,
      from: this.botUser(),
      chat: structuredClone(state.chat),
      date: this.dateSeconds(),
      ...content,
    } as Message;
    const original = this.replyTarget(state, p);
    if (original) message.reply_to_message = this.replyCopy(original) as Message.CommonMessage['reply_to_message'];
    const markup = optObj<unknown>(p, 'reply_markup');
    validateReplyMarkup(markup);
    const inline = inlineMarkupOf(markup);
    if (inline) message.reply_markup = inline;
    this.storeMessage(state, message);
    return message;
  }

  private sendMessage(p: Params): Message {
    const state = this.targetChat(p);
    const raw = optStr(p, 'text') ?? '';
    if (raw.length === 0) throw badRequest('message text is empty');
    const parseMode = optStr(p, 'parse_mode');
    const formatted = formatText(raw, parseMode, optObj<MessageEntity[]>(p, 'entities'));
    if (formatted.text.trim().length === 0) throw badRequest('message text is empty');
    if (formatted.text.length > 4096) throw badRequest('message is too long');
    const content: Partial<Message> = { text: formatted.text };
    if (formatted.entities.length > 0) content.entities = formatted.entities;
    const message = this.newBotMessage(state, p, content);
    this.record({
      method: 'sendMessage', chat_id: state.chat.id, message_id: message.message_id, text: raw, parse_mode: parseMode,
      reply_markup: optObj(p, 'reply_markup'), reply_to_message_id: message.reply_to_message?.message_id, payload: p,
    });
    return message;
  }

  private storeFile(filename: string, bytes: Buffer, folder: string, mimeType?: string): StoredFile {
    const n = ++this.fileSeq;
    const ext = filename.includes('.') ? filename.split('.').pop() : 'dat';
    const file: StoredFile = {
      file_id: `BQACAgI${String(n).padStart(6, '0')}${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}`,
      file_unique_id: `AgAD${createHash('sha1').update(bytes).digest('base64url').slice(0, 12)}`,
      file_path: `${folder}/file_${n}.${ext}`,
      filename,
      mime_type: mimeType ?? mimeOf(filename),
      bytes,
    };
    this.files.set(file.file_id, file);
    this.filesByPath.set(file.file_path, file);
    return file;
  }

  private resolveInputFile(p: Params, field: string, folder: string): StoredFile {
    const v = p[field];
    if (isUpload(v)) {
      if (v.bytes.length === 0) throw badRequest('file must be non-empty');
      return this.storeFile(v.filename, v.bytes, folder);
    }
    const ref = typeof v === 'string' ? v : '';
    const known = this.files.get(ref);
    if (known) return known;
    if (/^https?:\/\//i.test(ref)) return this.storeFile(ref.split('/').pop() || `${field}.dat`, Buffer.alloc(0), folder);
    if (ref === '') throw badRequest(`there is no ${field} in the request`);
    throw badRequest('wrong file identifier/HTTP URL specified');
  }

  private sendFile(p: Params, method: 'sendPhoto' | 'sendDocument', field: 'photo' | 'document'): Message {
    const state = this.targetChat(p);
    const stored = this.resolveInputFile(p, field, field === 'photo' ? 'photos' : 'documents');
    const content: Partial<Message> = {};
    if (field === 'photo') {
      const { width, height } = imageSize(stored.bytes);
      const scale = Math.min(1, 90 / Math.max(width, height));
      content.photo = [
        { file_id: stored.file_id, file_unique_id: `${stored.file_unique_id}s`, width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), file_size: stored.bytes.length },
        { file_id: stored.file_id, file_unique_id: stored.file_unique_id, width, height, file_size: stored.bytes.length },
      ];
    } else {
      content.document = {
        file_id: stored.file_id, file_unique_id: stored.file_unique_id, file_name: stored.filename,
        mime_type: stored.mime_type, file_size: stored.bytes.length,
      };
    }
    const rawCaption = optStr(p, 'caption');
    const parseMode = optStr(p, 'parse_mode');
    if (rawCaption !== undefined && rawCaption.length > 0) {
      const formatted = formatText(rawCaption, parseMode, optObj<MessageEntity[]>(p, 'caption_entities'));
      if (formatted.text.length > 1024) throw badRequest('message caption is too long');
      content.caption = formatted.text;
      if (formatted.entities.length > 0) content.caption_entities = formatted.entities;
    }
    const message = this.newBotMessage(state, p, content);
    this.record({
      method, chat_id: state.chat.id, message_id: message.message_id, caption: rawCaption, parse_mode: parseMode,
      reply_markup: optObj(p, 'reply_markup'), reply_to_message_id: message.reply_to_message?.message_id,
      file: { field, filename: stored.filename, bytes: stored.bytes, file_id: stored.file_id }, payload: p,
    });
    return message;
  }

  private editMessage(p: Params, method: 'editMessageText' | 'editMessageCaption' | 'editMessageReplyMarkup'): Message | true {
    const markup = optObj<unknown>(p, 'reply_markup');
    validateReplyMarkup(markup);
    const newInline = inlineMarkupOf(markup);
    if (p.inline_message_id !== undefined) {
      // Inline messages live outside any chat; accept and record without state.
      this.record({ method, chat_id: 0, message_id: 0, text: optStr(p, 'text'), caption: optStr(p, 'caption'), reply_markup: markup, payload: p });
      return true;
    }
    const state = this.targetChat(p);
    const id = reqInt(p, 'message_id');
    const current = state.messages.get(id);
    if (!current) throw badRequest('message to edit not found');
    if (current.from?.id !== this.bot.id) throw badRequest("message can't be edited");
    const next = structuredClone(current);
    const parseMode = optStr(p, 'parse_mode');
    let rawText: string | undefined;
    let rawCaption: string | undefined;
    if (method === 'editMessageText') {
      if (current.text === undefined) throw badRequest('there is no text in the message to edit');
      rawText = optStr(p, 'text') ?? '';
      if (rawText.length === 0) throw badRequest('message text is empty');
      const f = formatText(rawText, parseMode, optObj<MessageEntity[]>(p, 'entities'));
      if (f.text.trim().length === 0) throw badRequest('message text is empty');
      if (f.text.length > 4096) throw badRequest('message is too long');
      next.text = f.text;
      if (f.entities.length > 0) next.entities = f.entities;
      else delete next.entities;
    } else if (method === 'editMessageCaption') {
      if (current.photo === undefined && current.document === undefined) throw badRequest('there is no caption in the message to edit');
      rawCaption = optStr(p, 'caption') ?? '';
      const f = formatText(rawCaption, parseMode, optObj<MessageEntity[]>(p, 'caption_entities'));
      if (f.text.length > 1024) throw badRequest('message caption is too long');
      if (f.text.length > 0) next.caption = f.text;
      else delete next.caption;
      if (f.entities.length > 0) next.caption_entities = f.entities;
      else delete next.caption_entities;
    }
    // Like Telegram, an edit without reply_markup removes the inline keyboard.
    if (newInline) next.reply_markup = newInline;
    else delete next.reply_markup;
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (
      same(next.text, current.text) && same(next.entities, current.entities) && same(next.caption, current.caption) &&
      same(next.caption_entities, current.caption_entities) && same(next.reply_markup, current.reply_markup)
    ) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    next.edit_date = this.dateSeconds();
    state.messages.set(id, next);
    this.record({
      method, chat_id: state.chat.id, message_id: id, text: rawText, caption: rawCaption, parse_mode: parseMode,
      reply_markup: markup, payload: p,
    });
    return next;
  }
}

/**
 * Starts a Telegram Bot API double on 127.0.0.1 with an ephemeral port.
 * Stop the bot (runner.stop() / bot.stop()) before `close()`, or its retry loop will log errors.
 */
export async function startTelegramDouble(opts: TelegramDoubleOptions = {}): Promise<TelegramDouble> {
  const double = new TelegramApiDouble(opts);
  await double.listen();
  return double;
}
