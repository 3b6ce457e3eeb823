import { DomainError } from '../../domain/errors.js';
import { cancelStatement, chooseStatementAccount, commitStatement, mapStatement, receiveStatement, statementStep } from '../../domain/statements/flow.js';
import { decodeStatement } from '../../domain/statements/decode.js';
import { t } from '../i18n/index.js';
import type { ActionDef, CommandContext } from '../registry.js';
import type { Reply } from '../reply.js';
import { statementStepReply } from '../statement-preview.js';
import { alertReplies } from './record.js';

/**
 * COIN's own CSV (the columns of `/export`) goes to the CSV import; any other file is a bank
 * statement (OFX/QFX, QIF, CAMT, bank CSV).
 */
export function isCoinCsv(content: Buffer): boolean {
  const first = decodeStatement(content.subarray(0, 4096)).split(/\r?\n/, 1)[0] ?? '';
  const names = new Set(first.split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase()));
  return ['date', 'type', 'amount', 'account', 'labels'].every((c) => names.has(c));
}

/** `/import` with a statement file: its first step (preview, or which account, or which columns). */
export async function statementFileReply(ctx: CommandContext, file: { name: string; content: Buffer; bytes?: number | undefined }): Promise<Reply> {
  return statementStepReply(await receiveStatement(ctx.actor, file), ctx.lang);
}

/** `/import map date=1 amount=3 …`: the columns of the newest bank CSV waiting. */
export async function statementMapReply(ctx: CommandContext, args: string): Promise<Reply> {
  return statementStepReply(await mapStatement(ctx.actor, args), ctx.lang);
}

/** Buttons under a statement: `st:<id>.i` import, `.m` import and merge twins, `.x` cancel, `.a<account id>` this account. */
export const statementActions: ActionDef[] = [
  {
    name: 'st',
    replaces: true,
    run: async (ctx, arg) => {
      const m = /^([\w-]{1,24})\.(i|m|x|a\d{1,9}|s)$/.exec(arg);
      if (!m) throw new DomainError('statement_expired', {});
      const [, id, choice] = m as unknown as [string, string, string];
      if (choice === 'x') {
        await cancelStatement(ctx.actor, id);
        return { text: t(ctx.lang, 'statement.cancelled') };
      }
      if (choice === 's') return statementStepReply(await statementStep(ctx.actor, id), ctx.lang);
      if (choice.startsWith('a')) return statementStepReply(await chooseStatementAccount(ctx.actor, id, Number(choice.slice(1))), ctx.lang);
      const done = await commitStatement(ctx.actor, id, choice === 'm');
      return [{ text: t(ctx.lang, 'statement.imported', { account: done.account.name, created: done.created, merged: done.merged, skipped: done.skipped }) }, ...alertReplies(ctx, done)];
    },
  },
];
