import { formatDateTime } from '../../domain/parsing/dates.js';
import { describeSchedule, formatSchedule } from '../../domain/schedules/schedule.js';
import { addTemplate, deleteTemplate, displayRecord, listTemplates, parseTemplateId, pauseTemplate, resumeTemplate } from '../../domain/schedules/templates.js';
import type { NotifyTarget, Template } from '../../domain/schedules/ports.js';
import type { Language } from '../../domain/types.js';
import { t } from '../i18n/index.js';
import type { CommandContext, CommandDef, OptionSpec } from '../registry.js';
import { table, type Reply } from '../reply.js';
import { recordAndReply } from './record.js';

/** Schedules are described in English words; other languages see the schedule as written. */
const scheduleText = (tpl: Pick<Template, 'schedule'>, lang: Language): string =>
  lang === 'en' ? describeSchedule(tpl.schedule) : formatSchedule(tpl.schedule);

/** The chat a template reports to: where it was created. Console chats are local to one process. */
const notifyTarget = (ctx: CommandContext): NotifyTarget => ({ platform: ctx.chat.platform, chatId: ctx.chat.chatId });

const idOption: OptionSpec = { name: 'template', description: 'Template id (see /templates)', type: 'string', required: true, autocomplete: 'template' };

function nextText(ctx: CommandContext, tpl: Template): string {
  if (tpl.paused) return t(ctx.lang, 'template.status_paused');
  if (!tpl.nextDueAt) return t(ctx.lang, 'template.status_ended');
  return formatDateTime(tpl.nextDueAt, ctx.actor.book.timezone);
}

async function list(ctx: CommandContext): Promise<Reply> {
  const tpls = await listTemplates(ctx.actor);
  if (tpls.length === 0) return { text: t(ctx.lang, 'template.list_empty') };
  const head = ['template.col_id', 'template.col_next', 'template.col_schedule', 'template.col_record'] as const;
  const rows = [
    head.map((k) => t(ctx.lang, k)),
    ...tpls.map((tpl) => [String(tpl.id), nextText(ctx, tpl), tpl.scheduleText, displayRecord(tpl.kind, tpl.record)]),
  ];
  return { text: t(ctx.lang, 'template.list_title', { timezone: ctx.actor.book.timezone }), pre: table(rows, ['r', 'l', 'l', 'l']) };
}

export const templateCommands: CommandDef[] = [
  {
    name: 'templates',
    description: 'Recurring records and when each happens next',
    usage: '/templates',
    run: async (ctx) => list(ctx),
  },
  {
    name: 'template',
    description: 'Add, pause, resume, delete or run a recurring record',
    usage: '/template add|pause|resume|delete|run …',
    subcommands: [
      {
        name: 'add',
        description: 'Add a recurring record',
        usage:
          '/template add <schedule> [at:HH:MM] <record> — schedule: daily, weekly:mon, monthly:1|last, yearly:12-24, every:2w, rrule:…; a + before the amount (or the word income) makes an income',
        options: [
          { name: 'schedule', description: 'daily, weekly:mon, monthly:1, monthly:last, yearly:12-24, every:2w, rrule:…', type: 'string', required: true },
          { name: 'amount', description: 'Amount, e.g. 500 (+2500 for an income)', type: 'string', required: true },
          { name: 'label', description: 'Label', type: 'string', autocomplete: 'label', prefix: '#' },
          { name: 'account', description: 'Account', type: 'string', autocomplete: 'account', prefix: '@', quote: true },
          { name: 'note', description: 'Note', type: 'string' },
          { name: 'at', description: 'Time of day in the book’s timezone, HH:MM (default 09:00)', type: 'string', prefix: 'at:' },
        ],
        run: async (ctx, args) => {
          const tpl = await addTemplate(ctx.actor, args, notifyTarget(ctx));
          return {
            text: t(ctx.lang, 'template.added', {
              id: tpl.id,
              record: displayRecord(tpl.kind, tpl.record),
              schedule: scheduleText(tpl, ctx.lang),
              next: nextText(ctx, tpl),
              timezone: ctx.actor.book.timezone,
            }),
          };
        },
      },
      {
        name: 'pause',
        description: 'Stop a template until resumed',
        usage: '/template pause <id>',
        options: [idOption],
        run: async (ctx, args) => {
          const tpl = await pauseTemplate(ctx.actor, parseTemplateId(args));
          return { text: t(ctx.lang, 'template.paused', { id: tpl.id }) };
        },
      },
      {
        name: 'resume',
        description: 'Start a paused template again',
        usage: '/template resume <id>',
        options: [idOption],
        run: async (ctx, args) => {
          const tpl = await resumeTemplate(ctx.actor, parseTemplateId(args));
          if (!tpl.nextDueAt) return { text: t(ctx.lang, 'template.resumed_ended', { id: tpl.id }) };
          return { text: t(ctx.lang, 'template.resumed', { id: tpl.id, next: nextText(ctx, tpl), timezone: ctx.actor.book.timezone }) };
        },
      },
      {
        name: 'delete',
        description: 'Delete a template (its records stay)',
        usage: '/template delete <id>',
        options: [idOption],
        run: async (ctx, args) => {
          const tpl = await deleteTemplate(ctx.actor, parseTemplateId(args));
          return { text: t(ctx.lang, 'template.deleted', { id: tpl.id }) };
        },
      },
      {
        name: 'run',
        description: 'Record a template once now',
        usage: '/template run <id>',
        options: [idOption],
        run: async (ctx, args) => recordAndReply(ctx, { template: parseTemplateId(args) }),
      },
    ],
  },
];
