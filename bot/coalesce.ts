import type { Button, Reply } from './reply.js';
import type { PendingReply, ReplyVia } from './chat-journal.js';

/** One message to send: the outbox rows it answers for and what it says. */
export interface Coalesced {
  ids: number[];
  reply: Reply;
  replyTo?: number | undefined;
  editMessageId?: number | undefined;
  /** The interaction the reply answers (Discord): such a reply is a message of its own. */
  via?: ReplyVia | undefined;
}

/** Room for merged text, well inside Telegram's 4,096 characters and Discord's 2,000. */
export const COALESCE_LIMIT = 1800;

/** Plain text only; a reply answering an interaction belongs to it alone (two interactions' answers never merge). */
const mergeable = (r: PendingReply): boolean => !r.reply.image && !r.reply.file && !r.reply.pre && r.editMessageId === undefined && r.via === undefined;

/** Buttons of merged replies: a label appears once, with its latest action ("Undo" undoes the last record). */
function mergeButtons(rows: Button[][][]): Button[][] | undefined {
  const byLabel = new Map<string, Button>();
  for (const b of rows.flat(2)) {
    byLabel.delete(b.label);
    byLabel.set(b.label, b);
  }
  return byLabel.size ? [[...byLabel.values()]] : undefined;
}

/**
 * A chat's pending replies (in order) as the fewest messages: consecutive plain-text replies
 * (no picture, file, table, edit or interaction answer) are joined into one message, so a burst of ten records is
 * answered once instead of ten times a second apart. Order is kept; nothing is dropped.
 */
export function coalesce(rows: PendingReply[]): Coalesced[] {
  const out: Coalesced[] = [];
  let run: PendingReply[] = [];
  const flush = () => {
    if (!run.length) return;
    if (run.length === 1) {
      const [r] = run;
      out.push({ ids: [r!.id], reply: r!.reply, replyTo: r!.replyTo, editMessageId: r!.editMessageId, ...(r!.via ? { via: r!.via } : {}) });
    } else {
      const buttons = mergeButtons(run.map((r) => r.reply.buttons ?? []));
      const reply: Reply = { text: run.map((r) => r.reply.text).join('\n\n'), ...(buttons ? { buttons } : {}) };
      out.push({ ids: run.map((r) => r.id), reply, replyTo: run[run.length - 1]!.replyTo });
    }
    run = [];
  };
  for (const r of rows) {
    if (!mergeable(r)) {
      flush();
      run = [r];
      flush();
      continue;
    }
    const length = run.reduce((n, x) => n + x.reply.text.length + 2, 0) + r.reply.text.length;
    if (length > COALESCE_LIMIT) flush();
    run.push(r);
  }
  flush();
  return out;
}
