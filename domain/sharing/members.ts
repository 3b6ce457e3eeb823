import type { Actor } from '../access/actor.js';
import { DomainError } from '../errors.js';
import { periodOf, type Period } from '../parsing/period.js';
import { assertCan } from '../access/permissions.js';
import { tokenize } from '../parsing/tokenize.js';
import type { Role } from '../types.js';
import type { MemberProfile } from './ports.js';

export const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'viewer'];

const fold = (s: string): string => s.normalize('NFC').toLowerCase();

/**
 * Finds the member a user means by `written`, case-insensitively:
 * 1. a Discord mention `<@123>` / `<@!123>` → the member with that Discord id;
 * 2. `me` (with or without `@`) → `self`, unless someone's username or name is literally "me";
 * 3. a platform username (`@ann_k`) on any platform;
 * 4. a display name (`Ann`, `"Ann Lee"`, or `Ann_Lee` for names with spaces);
 * 5. a display name's first word (`@ann` for "Ann Lee") when only one member has it.
 * A step that matches several members stops with an error naming them rather than guessing.
 *
 * @throws DomainError `member_unknown` ({member}); with `{context: 'ambiguous', candidates}` when
 *   several members match.
 */
export function resolveMember(members: readonly MemberProfile[], written: string, self?: number): MemberProfile {
  const raw = written.trim();
  const mention = /^<@!?(\d+)>$/.exec(raw);
  if (mention) {
    const hit = members.find((m) => m.handles.some((h) => h.platform === 'discord' && h.externalId === mention[1]));
    if (hit) return hit;
    throw new DomainError('member_unknown', { member: raw });
  }
  const name = fold(raw.replace(/^@/, ''));
  if (!name) throw new DomainError('member_unknown', { member: raw });
  const steps: ((m: MemberProfile) => boolean)[] = [
    (m) => m.handles.some((h) => h.username !== null && fold(h.username) === name),
    (m) => fold(m.name) === name,
    (m) => fold(m.name).replace(/\s+/g, '_') === name,
    (m) => fold(m.name).split(/\s+/)[0] === name,
  ];
  for (const [i, step] of steps.entries()) {
    // `me` loses only to a real username or name "me" (steps 0 and 1).
    if (i === 2 && name === 'me' && self !== undefined) {
      const me = members.find((m) => m.userId === self);
      if (me) return me;
    }
    const hits = members.filter(step);
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) {
      throw new DomainError('member_unknown', { member: raw, context: 'ambiguous', candidates: hits.map(describeMember) });
    }
  }
  throw new DomainError('member_unknown', { member: raw });
}

/** `Ann (@ann_k)`: the name and, when known, a username to write instead. */
export function describeMember(m: MemberProfile): string {
  const u = m.handles.find((h) => h.username)?.username;
  return u ? `${m.name} (@${u})` : m.name;
}

/** One row of `/members`. */
export interface MemberSummary {
  member: MemberProfile;
  /** This period's expenses recorded by the member, per currency; empty when none. */
  spent: { currency: string; minor: number }[];
}

/** `/members`: everyone in the book with their role and what they recorded this month. */
export async function membersWithSpending(a: Actor): Promise<{ period: Period; members: MemberSummary[] }> {
  assertCan(a.role, 'read');
  const period = periodOf('month', a.clock.now(), a.book.timezone);
  const [profiles, spending] = await Promise.all([
    a.store.listMemberProfiles(a.book.id),
    a.store.memberSpending(a.book.id, period.start, period.end),
  ]);
  return {
    period,
    members: profiles.map((member) => ({
      member,
      spent: spending.filter((s) => s.userId === member.userId).map((s) => ({ currency: s.currency, minor: s.expenseMinor })),
    })),
  };
}

/**
 * `/role <user> <owner|admin|member|viewer>`. Admins change roles; only an owner may make
 * someone an owner or change an owner's role (otherwise an admin could take over the book),
 * and the last owner cannot step down.
 *
 * @throws DomainError `forbidden`, `usage`, `member_unknown`, `last_owner`.
 */
export async function changeRole(a: Actor, args: string): Promise<{ member: MemberProfile; from: Role; to: Role }> {
  assertCan(a.role, 'roles');
  const words = tokenize(args);
  const roleWord = words.pop()?.toLowerCase();
  if (!roleWord || words.length === 0 || !ROLES.includes(roleWord as Role)) throw new DomainError('usage', {});
  const target = resolveMember(await a.store.listMemberProfiles(a.book.id), words.join(' '), a.userId);
  return changeMemberRole(a, target, roleWord as Role);
}

/**
 * Gives `target` the role `to` with the rules of {@link changeRole} (the web app picks the member
 * from a list instead of by name).
 *
 * @throws DomainError `forbidden`, `last_owner`.
 */
export async function changeMemberRole(a: Actor, target: MemberProfile, to: Role): Promise<{ member: MemberProfile; from: Role; to: Role }> {
  assertCan(a.role, 'roles');
  if ((to === 'owner' || target.role === 'owner') && a.role !== 'owner') {
    throw new DomainError('forbidden', { role: a.role, needed: 'owner' });
  }
  if (target.role === to) return { member: target, from: to, to };
  const from = await a.store.changeRole(a.book.id, target.userId, to);
  return { member: { ...target, role: to }, from, to };
}
