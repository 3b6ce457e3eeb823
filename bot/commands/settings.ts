import { DateTime } from 'luxon';
import { DomainError } from '../../domain/errors.js';
import { setCurrency, setLanguage, setTimezone } from '../../domain/ledger/settings.js';
import { t } from '../i18n/index.js';
import type { CommandDef } from '../registry.js';

const one = (args: string): string => {
  const v = args.trim();
  if (!v || /\s/.test(v)) throw new DomainError('usage', {});
  return v;
};

export const settingsCommands: CommandDef[] = [
  {
    name: 'currency',
    description: 'Set the book currency',
    usage: '/currency <ISO code>',
    options: [{ name: 'code', description: 'ISO 4217 code, e.g. EUR', type: 'string', required: true }],
    run: async (ctx, args) => {
      const book = await setCurrency(ctx.actor, one(args));
      return { text: t(book.language, 'settings.currency', { currency: book.currency }) };
    },
  },
  {
    name: 'timezone',
    description: 'Set the book time zone',
    usage: '/timezone <IANA name, e.g. Europe/Berlin>',
    options: [{ name: 'zone', description: 'IANA time zone, e.g. Europe/Berlin', type: 'string', required: true }],
    run: async (ctx, args) => {
      const book = await setTimezone(ctx.actor, one(args));
      const time = DateTime.fromJSDate(ctx.actor.clock.now(), { zone: book.timezone }).toFormat('HH:mm');
      return { text: t(book.language, 'settings.timezone', { timezone: book.timezone, time }) };
    },
  },
  {
    name: 'language',
    description: 'Set the book language',
    usage: '/language <en|ru>',
    options: [{ name: 'language', description: 'en or ru', type: 'string', required: true, choices: ['en', 'ru'] }],
    run: async (ctx, args) => {
      const book = await setLanguage(ctx.actor, one(args));
      return { text: t(book.language, 'settings.language') };
    },
  },
];
