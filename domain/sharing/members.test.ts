import { describe, expect, it } from 'vitest';
import { describeMember, resolveMember } from './members.js';
import type { MemberProfile } from './ports.js';
import { domainError as codeOf } from '../../test/domain-error.js';

const profile = (userId: number, name: string, handles: MemberProfile['handles'] = []): MemberProfile => ({
  bookId: 1,
  userId,
  role: 'member',
  name,
  handles,
});

const ann = profile(1, 'Ann Lee', [{ platform: 'telegram', externalId: '111', username: 'annie' }]);
const bob = profile(2, 'Bob', [
  { platform: 'telegram', externalId: '222', username: null },
  { platform: 'discord', externalId: '900000000000000002', username: 'bobby' },
]);
const bo = profile(3, 'Bo', []);
const ann2 = profile(4, 'Ann Kay', []);
const members = [ann, bob, bo, ann2];


describe('resolveMember', () => {
  it('GIVEN a username with or without @ in any case THEN finds its member on any platform', () => {
    expect(resolveMember(members, '@ANNIE').userId).toBe(1);
    expect(resolveMember(members, 'bobby').userId).toBe(2);
  });

  it('GIVEN a display name THEN matches it case-insensitively, also with _ for spaces', () => {
    expect(resolveMember(members, 'bob').userId).toBe(2);
    expect(resolveMember(members, '@ann_lee').userId).toBe(1);
    expect(resolveMember(members, 'ANN KAY').userId).toBe(4);
  });

  it('GIVEN "Bo" and "Bob" THEN an exact name wins over nothing else (no prefix guessing)', () => {
    expect(resolveMember(members, '@bo').userId).toBe(3);
  });

  it('GIVEN a first name that two members share THEN refuses and names both', () => {
    const e = codeOf(() => resolveMember(members, '@ann'));
    expect(e.code).toBe('member_unknown');
    expect(e.context).toMatchObject({ member: '@ann', context: 'ambiguous' });
    expect(e.context.candidates).toEqual(['Ann Lee (@annie)', 'Ann Kay']);
  });

  it('GIVEN a unique first name THEN finds the member', () => {
    expect(resolveMember([ann, bob], 'ann').userId).toBe(1);
  });

  it('GIVEN a Discord mention THEN finds the member by Discord id only', () => {
    expect(resolveMember(members, '<@900000000000000002>').userId).toBe(2);
    expect(resolveMember(members, '<@!900000000000000002>').userId).toBe(2);
    expect(codeOf(() => resolveMember(members, '<@111>')).code).toBe('member_unknown');
  });

  it('GIVEN @me THEN it is the acting user, unless someone is really called "me"', () => {
    expect(resolveMember(members, '@me', 3).userId).toBe(3);
    const me = profile(9, 'Me');
    expect(resolveMember([...members, me], '@me', 3).userId).toBe(9);
  });

  it('GIVEN nobody by that name THEN member_unknown quotes what was written', () => {
    const e = codeOf(() => resolveMember(members, '@zed'));
    expect(e.code).toBe('member_unknown');
    expect(e.context.member).toBe('@zed');
  });

  it('GIVEN a member with a username THEN describes them with it', () => {
    expect(describeMember(ann)).toBe('Ann Lee (@annie)');
    expect(describeMember(bo)).toBe('Bo');
  });
});
