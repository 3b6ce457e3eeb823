import { changeDigest } from '../../domain/digests/settings.js';
import { digestSettingText } from '../presentation/digest-text.js';
import type { CommandDef } from '../registry.js';

/** `/digest`, `/remind`: what COIN sends a chat on its own (issue 18; docs/commands.md). */
export const digestCommands: CommandDef[] = [
  {
    name: 'digest',
    description: 'A weekly or monthly summary in this chat',
    usage: '/digest [weekly|monthly|off] [HH:MM]',
    options: [
      { name: 'every', description: 'weekly, monthly or off', type: 'string', choices: ['weekly', 'monthly', 'off'] },
      { name: 'time', description: 'Local time, e.g. 09:00', type: 'string' },
    ],
    run: async (ctx, args) => ({ text: digestSettingText(await changeDigest(ctx.actor, ctx.chat, 'digest', args), ctx.actor.book.timezone, ctx.lang) }),
  },
  {
    name: 'remind',
    description: 'A daily nudge on days with nothing recorded',
    usage: '/remind [daily HH:MM|off]',
    privateOnly: true,
    options: [{ name: 'when', description: 'daily 21:00, or off', type: 'string' }],
    run: async (ctx, args) => ({ text: digestSettingText(await changeDigest(ctx.actor, ctx.chat, 'reminder', args), ctx.actor.book.timezone, ctx.lang) }),
  },
];
