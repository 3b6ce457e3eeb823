import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { DomainError } from '../errors.js';
import type { ChatRef } from '../ports.js';
import type { DigestSettingsStore, ScheduledDigest } from './ports.js';
import { nextRun, parseDigestArgs, parseRemindArgs, type DigestKind } from './schedule.js';

/** What `/digest` or `/remind` did: the setting now (undefined: off), and whether it changed. */
export interface DigestAnswer {
  kind: DigestKind;
  setting: ScheduledDigest | undefined;
  changed: boolean;
}

/**
 * `/digest [weekly|monthly|off] [HH:MM]` and `/remind [daily HH:MM|off]` in a chat: without
 * arguments shows the chat's setting (anyone who reads the book); changing it needs the right to
 * change settings in a group (admins), and is anyone's own business in a private chat. The next
 * run is computed from now in the book's time zone. Reminders are for private chats only.
 *
 * @throws DomainError `digest_invalid`/`remind_invalid` (bad arguments, nothing changed),
 *   `private_only` (a reminder asked in a group), `forbidden`.
 */
export async function changeDigest(a: Actor<DigestSettingsStore>, chat: ChatRef, kind: DigestKind, args: string): Promise<DigestAnswer> {
  assertCan(a.role, 'read');
  const cmd = kind === 'digest' ? parseDigestArgs(args) : parseRemindArgs(args);
  if (kind === 'reminder' && chat.kind !== 'private') throw new DomainError('private_only', {});
  const current = (await a.store.digestSettings(chat.platform, chat.chatId))[kind];
  if (cmd.action === 'show') return { kind, setting: current, changed: false };
  if (chat.kind !== 'private') assertCan(a.role, 'settings');
  if (cmd.action === 'off') {
    await a.store.setDigestSetting(chat.platform, chat.chatId, kind, null);
    return { kind, setting: undefined, changed: current !== undefined };
  }
  const setting: ScheduledDigest = { ...cmd.setting, nextAt: nextRun(cmd.setting, a.book.timezone, a.clock.now()) };
  await a.store.setDigestSetting(chat.platform, chat.chatId, kind, setting);
  return { kind, setting, changed: true };
}
