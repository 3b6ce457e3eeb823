import { randomBytes } from 'node:crypto';
import type { DomainError } from '../../domain/errors.js';
import { minorToDecimal } from '../../domain/money/money.js';
import { messageFor } from '../messages.js';
import type { CommandContext } from '../registry.js';
import type { Reply } from '../reply.js';
import { TtlCache } from '../ttl-cache.js';

/** A question waiting for its answer: who asked, in which book, and the line for each reading. */
interface Pending {
  bookId: number;
  userId: number;
  kind: 'expense' | 'income';
  lines: [string, string];
}

/**
 * Open questions, by id. In memory on purpose: a question is answered within moments, and one
 * lost to a restart only means writing the amount again (nothing was recorded). An hour, and at
 * most 10,000 open at once, bound it.
 */
const pending = new TtlCache<Pending>(60 * 60 * 1000, 10_000);

/**
 * The reply to an amount that reads two ways (`4.505` in EUR, SPEC §6): the question with one
 * button per reading. Nothing is recorded until a button is pressed; the button records the line
 * with the amount rewritten unambiguously (`4505.00` or `4.51`).
 */
export function askAmount(ctx: CommandContext, kind: 'expense' | 'income', line: string, e: DomainError): Reply {
  const { text, currency, thousands, decimal } = e.context;
  const rewrite = (minor: unknown) => line.replace(String(text), minorToDecimal(Number(minor), String(currency)));
  const id = randomBytes(6).toString('base64url');
  pending.set(id, { bookId: ctx.actor.book.id, userId: ctx.actor.userId, kind, lines: [rewrite(e.context.thousandsMinor), rewrite(e.context.decimalMinor)] });
  return {
    text: messageFor(e, ctx.lang),
    buttons: [
      [
        { label: String(thousands), action: `amount:${id}.0` },
        { label: String(decimal), action: `amount:${id}.1` },
      ],
    ],
  };
}

/**
 * The pressed reading (`<id>.<0|1>`) as the line to record, once: only the person who wrote the
 * amount, in the same book, can answer; a second press or an expired question finds nothing.
 */
export function takeAnswer(ctx: CommandContext, arg: string): { kind: 'expense' | 'income'; line: string } | undefined {
  const m = /^([\w-]+)\.([01])$/.exec(arg);
  const p = m ? pending.get(m[1]!) : undefined;
  if (!m || !p || p.bookId !== ctx.actor.book.id || p.userId !== ctx.actor.userId) return undefined;
  pending.delete(m[1]!);
  return { kind: p.kind, line: p.lines[Number(m[2])]! };
}
