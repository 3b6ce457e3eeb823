import type { Sql } from 'postgres';
import type { TelegramDouble } from '../test/doubles/telegram-api.js';

/**
 * What the chaos suite offered and what COIN made of it. Each chat writes records `r1, r2, …`
 * (expense `n.25`) in order; afterwards every record must be in the ledger exactly once, `#N`
 * must follow the order written (1..n, no gaps), the balance must equal the sum of the events,
 * and every record must have been answered exactly once.
 */
export interface Outcome {
  offered: number;
  applied: number;
  duplicated: number;
  lost: number;
  /** Records whose `#N` is not their place in the chat's order, or missing numbers. */
  orderGaps: number;
  /** Accounts whose balance differs from the sum of their events. */
  balanceMismatches: number;
  repliesMissing: number;
  repliesDuplicated: number;
}

export const recordText = (n: number): string => `${n}.25 r${n}`;

export async function checkLedger(sql: Sql, tg: TelegramDouble, chats: number[], perChat: number, explain?: (line: string) => void): Promise<Outcome> {
  const rows = await sql<{ chat_id: string; seq: number; note: string; amount_minor: string }[]>`
    select c.chat_id, e.seq, e.note, e.amount_minor::text
    from chats c join events e on e.book_id = c.book_id and e.deleted_at is null
    where c.platform = 'telegram' and c.chat_id = any(${chats.map(String)})`;
  const balances = await sql<{ chat_id: string; ok: boolean }[]>`
    select c.chat_id, a.balance_minor = a.opening_minor
      - coalesce((select sum(e.amount_minor) from events e where e.account_id = a.id and e.deleted_at is null and e.kind = 'expense'), 0)
      + coalesce((select sum(e.amount_minor) from events e where e.account_id = a.id and e.deleted_at is null and e.kind = 'income'), 0) as ok
    from chats c join accounts a on a.book_id = c.book_id
    where c.platform = 'telegram' and c.chat_id = any(${chats.map(String)})`;
  const out: Outcome = { offered: chats.length * perChat, applied: 0, duplicated: 0, lost: 0, orderGaps: 0, balanceMismatches: 0, repliesMissing: 0, repliesDuplicated: 0 };
  out.balanceMismatches = balances.filter((b) => !b.ok).length;
  for (const chat of chats) {
    const mine = rows.filter((r) => r.chat_id === String(chat));
    const seen = new Map<number, number[]>();
    for (const r of mine) {
      const n = Number(/^r(\d+)$/.exec(r.note)?.[1]);
      if (!n) continue;
      seen.set(n, [...(seen.get(n) ?? []), r.seq]);
    }
    // Replies: each record's `#N −` line, across all messages (coalesced ones hold several).
    const answered = new Map<number, number>();
    for (const m of tg.outbox(chat)) {
      if (m.method !== 'sendMessage' || !m.text) continue;
      for (const x of m.text.matchAll(/#(\d+) −/g)) answered.set(Number(x[1]), (answered.get(Number(x[1])) ?? 0) + 1);
    }
    for (let n = 1; n <= perChat; n++) {
      const seqs = seen.get(n) ?? [];
      if (seqs.length !== 1) explain?.(`chat ${chat} r${n} applied ${seqs.length}×`);
      if (seqs.length === 0) out.lost++;
      else out.applied++;
      if (seqs.length > 1) out.duplicated += seqs.length - 1;
      if (seqs.length === 1 && seqs[0] !== n) out.orderGaps++;
      for (const s of seqs) {
        const times = answered.get(s) ?? 0;
        if (times === 0) out.repliesMissing++;
        if (times > 1) out.repliesDuplicated += times - 1;
        if (times !== 1)
          explain?.(`chat ${chat} #${s} answered ${times}× (messages: ${tg.outbox(chat).filter((m) => m.text?.includes(`#${s} −`)).map((m) => String(m.message_id)).join(', ')})`);
      }
    }
  }
  return out;
}

export const clean = (o: Outcome): boolean => o.lost === 0 && o.duplicated === 0 && o.orderGaps === 0 && o.balanceMismatches === 0 && o.repliesMissing === 0;
