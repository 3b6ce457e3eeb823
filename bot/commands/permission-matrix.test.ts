import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestUser } from '../../test/harness.js';
import type { Role } from '../../domain/types.js';
import { ROLE_RANK } from '../../domain/types.js';

/**
 * Every role against every group command, on Telegram and on Discord chat refs, through the
 * dispatcher (the layer every adapter calls). A role below what a command needs gets the
 * "forbidden" (or "not yours") answer and the book is left exactly as it was; a role at or above
 * it gets the command's normal answer.
 *
 * An adapter-level version would run the same table through the Telegram Bot API double (text
 * commands) and the Discord interaction double (slash commands with typed options, where
 * `platformAdmin` comes from the Manage Server permission) once the Discord adapter exists.
 */

interface Case {
  /** Registry command name this row covers (the coverage check below uses it). */
  command: string;
  name: string;
  /**
   * `{own}` is replaced by the actor's own record number, `{other}` by someone else's;
   * `{ownTpl}` / `{otherTpl}` likewise by template ids (templates are seeded only for those rows).
   */
  text: string;
  /** Attach the owner's `/export` of the book (for `/import`). */
  attachExport?: boolean;
  needs: Role;
  ok: RegExp;
}

const CASES: Case[] = [
  // read
  { command: 'start', name: '/start', text: '/start', needs: 'viewer', ok: /Book: / },
  { command: 'help', name: '/help', text: '/help', needs: 'viewer', ok: /Commands/ },
  { command: 'history', name: '/history', text: '/history', needs: 'viewer', ok: /#1 / },
  { command: 'accounts', name: '/accounts', text: '/accounts', needs: 'viewer', ok: /Main/ },
  { command: 'labels', name: '/labels', text: '/labels', needs: 'viewer', ok: /food/ },
  { command: 'members', name: '/members', text: '/members', needs: 'viewer', ok: /owner/ },
  { command: 'balances', name: '/balances', text: '/balances', needs: 'viewer', ok: /To settle up/ },
  // record
  { command: 'spend', name: '/spend', text: '/spend 5 coffee', needs: 'member', ok: /#6 −5\.00 EUR/ },
  { command: 'spend', name: '/spend split', text: '/spend 9 #dinner split', needs: 'member', ok: /Split, paid by/ },
  { command: 'income', name: '/income', text: '/income 5 gift', needs: 'member', ok: /#6 \+5\.00 EUR/ },
  { command: 'transfer', name: '/transfer', text: '/transfer 5 Main Card', needs: 'member', ok: /#6 5\.00 EUR Main → Card/ },
  { command: 'settle', name: '/settle', text: '/settle @olga 1', needs: 'member', ok: /paid Olga 1\.00 EUR|cannot settle up with yourself/ },
  // own records
  { command: 'undo', name: '/undo (own)', text: '/undo', needs: 'member', ok: /Undone #/ },
  { command: 'edit', name: '/edit own', text: '/edit #{own} note mine', needs: 'member', ok: /Changed #/ },
  { command: 'delete', name: '/delete own', text: '/delete #{own}', needs: 'member', ok: /Deleted #/ },
  { command: 'restore', name: '/restore own', text: '/restore #{own}', needs: 'member', ok: /There is no deleted record #\d+|Restored #/ },
  // anyone's records
  { command: 'edit', name: '/edit other', text: '/edit #{other} note theirs', needs: 'admin', ok: /Changed #/ },
  { command: 'delete', name: '/delete other', text: '/delete #{other}', needs: 'admin', ok: /Deleted #/ },
  // manage the book
  { command: 'account', name: '/account add', text: '/account add Savings', needs: 'admin', ok: /Added account Savings/ },
  { command: 'account', name: '/account rename', text: '/account rename Card Debit', needs: 'admin', ok: /Renamed Card to Debit/ },
  { command: 'account', name: '/account default', text: '/account default Card', needs: 'admin', ok: /Card is now the default/ },
  { command: 'account', name: '/account delete', text: '/account delete Card', needs: 'admin', ok: /Deleted account Card/ },
  { command: 'label', name: '/label rename', text: '/label rename fun play', needs: 'admin', ok: /Renamed #fun to #play/ },
  { command: 'label', name: '/label merge', text: '/label merge fun food', needs: 'admin', ok: /Merged #fun into #food/ },
  { command: 'label', name: '/label delete', text: '/label delete fun', needs: 'admin', ok: /Deleted #fun/ },
  { command: 'link', name: '/link', text: '/link', needs: 'admin', ok: /Link code: / },
  { command: 'unlink', name: '/unlink', text: '/unlink', needs: 'admin', ok: /nothing to unlink/ },
  { command: 'currency', name: '/currency', text: '/currency USD', needs: 'admin', ok: /USD/ },
  { command: 'timezone', name: '/timezone', text: '/timezone Europe/Berlin', needs: 'admin', ok: /Europe\/Berlin/ },
  { command: 'language', name: '/language', text: '/language en', needs: 'admin', ok: /English/ },
  // statistics, budgets, rates, CSV
  { command: 'stats', name: '/stats', text: '/stats', needs: 'viewer', ok: /Expenses/ },
  { command: 'chart', name: '/chart', text: '/chart pie', needs: 'viewer', ok: /expenses by label/ },
  { command: 'rates', name: '/rates', text: '/rates', needs: 'viewer', ok: /exchange rates/i },
  { command: 'budgets', name: '/budgets', text: '/budgets', needs: 'viewer', ok: /budgets/i },
  { command: 'export', name: '/export', text: '/export', needs: 'viewer', ok: /Exported 5 records/ },
  { command: 'rate', name: '/rate', text: '/rate USD 0.92', needs: 'admin', ok: /Exchange rate: 1 USD/ },
  { command: 'budget', name: '/budget', text: '/budget #food 300', needs: 'admin', ok: /Budget #food: 300\.00 EUR/ },
  { command: 'import', name: '/import', text: '/import', attachExport: true, needs: 'admin', ok: /Imported \d+ records/ },
  // digests (issue 18): anyone sees the setting; changing a group's needs an admin
  { command: 'digest', name: '/digest', text: '/digest', needs: 'viewer', ok: /No digest in this chat/ },
  { command: 'digest', name: '/digest weekly', text: '/digest weekly', needs: 'admin', ok: /Digest: every Monday/ },
  // recurring templates
  { command: 'templates', name: '/templates', text: '/templates', needs: 'viewer', ok: /No templates yet/ },
  { command: 'template', name: '/template add', text: '/template add monthly:1 5 #rent', needs: 'member', ok: /Template \d+ added/ },
  { command: 'template', name: '/template run', text: '/template run {otherTpl}', needs: 'member', ok: /#6 −5\.00 EUR/ },
  { command: 'template', name: '/template pause own', text: '/template pause {ownTpl}', needs: 'member', ok: /Template \d+ paused/ },
  { command: 'template', name: '/template pause other', text: '/template pause {otherTpl}', needs: 'admin', ok: /Template \d+ paused/ },
  { command: 'template', name: '/template delete other', text: '/template delete {otherTpl}', needs: 'admin', ok: /Template \d+ deleted/ },
  // rules
  { command: 'rules', name: '/rules', text: '/rules', needs: 'viewer', ok: /No rules yet/ },
  { command: 'rule', name: '/rule suggest', text: '/rule suggest', needs: 'viewer', ok: /Nothing to propose/ },
  { command: 'rule', name: '/rule add', text: '/rule add lidl #food', needs: 'admin', ok: /Added rule 1/ },
  { command: 'rule', name: '/rule delete', text: '/rule delete 1', needs: 'admin', ok: /There is no rule 1/ },
  // roles
  { command: 'role', name: '/role', text: '/role @mia viewer', needs: 'admin', ok: /Mia is now viewer/ },
  { command: 'role', name: '/role … owner', text: '/role @mia owner', needs: 'owner', ok: /Mia is now owner/ },
];

/** Personal commands that do not depend on a book role (private chat only, the user is its owner). */
// `/app` opens the web app for every role; the web app itself checks each role (adapters/web tests).
const NOT_ROLE_BOUND = new Set(['token', 'tokens', 'revoke', 'app', 'remind']);

const ROLES: Role[] = ['owner', 'admin', 'member', 'viewer'];
const DENIED = /Your role \(\w+\) cannot do that here; it needs \w+\.|You can only change your own records/;

describe.concurrent.each(['telegram', 'discord'] as const)('permission matrix on %s', (platform) => {
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const ids = platform === 'discord' ? ['900000000000000301', '900000000000000302', '900000000000000303', '900000000000000304'] : ['301', '302', '303', '304'];
  const people: Record<Role, TestUser> = {
    owner: { id: ids[0]!, name: 'Olga', username: 'olga', platform },
    // A Telegram chat administrator / Discord member with Manage Server: admin by default.
    admin: { id: ids[1]!, name: 'Adam', username: 'adam', platform, admin: true },
    member: { id: ids[2]!, name: 'Mia', username: 'mia', platform },
    viewer: { id: ids[3]!, name: 'Vic', username: 'vic', platform },
  };
  /** Record numbers seeded below: each person's own record. */
  const OWN: Record<Role, number> = { owner: 1, admin: 2, member: 3, viewer: 4 };

  /**
   * A group where Olga owns, Adam administers, Mia is a member and Vic a viewer, with a record each
   * and a split; with `templates`, also a monthly template each (their ids by role).
   */
  async function seededGroup(templates: boolean): Promise<{ chat: string; tpl: Partial<Record<Role, number>> }> {
    const chat = `${platform}-matrix-${++n}`;
    await h.say(people.owner, '/spend 10 #food', chat);
    await h.say(people.admin, '/spend 20 #fun', chat);
    await h.say(people.member, '/spend 30 #food', chat);
    await h.say(people.viewer, '/spend 40 #food', chat);
    await h.say(people.owner, '/spend 80 #dinner split', chat);
    await h.say(people.owner, '/account add Card', chat);
    const tpl: Partial<Record<Role, number>> = {};
    if (templates) {
      for (const role of ROLES) tpl[role] = Number(/Template (\d+) added/.exec(await h.say(people[role], '/template add monthly:1 5 #rent', chat))![1]);
    }
    expect(await h.say(people.owner, '/role @vic viewer', chat)).toBe('Vic is now viewer (was member).');
    return { chat, tpl };
  }

  /** The owner's CSV export of the book, to import again. */
  async function exported(chat: string): Promise<{ name: string; content: Buffer }> {
    const file = (await h.replies(people.owner, '/export', chat)).find((r) => r.file)!.file!;
    return { name: file.name, content: file.content };
  }

  /** A message with a file, as an adapter hands it over (the harness sends text only). */
  async function sayWithFile(user: TestUser, text: string, chat: string, attachment: { name: string; content: Buffer }) {
    const replies = await h.dispatcher.handleMessage({
      chat: { platform, chatId: chat, kind: 'group', title: chat },
      from: { platform, externalId: user.id, name: user.name, username: user.username },
      platformAdmin: user.admin ?? false,
      text,
      attachment,
    });
    return replies.map((r) => [r.text, r.pre].filter(Boolean).join('\n')).join('\n');
  }

  /** Everything a command could change, as the owner sees it. */
  const snapshot = async (chat: string) =>
    Promise.all(['/history 100', '/accounts', '/labels', '/members', '/balances', '/budgets', '/rates', '/templates', '/rules', '/start'].map((c) => h.say(people.owner, c, chat)));

  for (const c of CASES) {
    for (const role of ROLES) {
      const allowed = ROLE_RANK[role] >= ROLE_RANK[c.needs];
      // Concurrent tests assert through their own `expect` so failures are attributed to them.
      it(`${role} ${c.name} → ${allowed ? 'allowed' : 'denied'}`, async ({ expect }) => {
        const { chat, tpl } = await seededGroup(c.text.includes('Tpl}'));
        const other: Role = role === 'owner' ? 'member' : 'owner';
        const text = c.text
          .replace('{own}', String(OWN[role]))
          .replace('{other}', String(OWN[other]))
          .replace('{ownTpl}', String(tpl[role]))
          .replace('{otherTpl}', String(tpl[other]));
        const attachment = c.attachExport ? await exported(chat) : undefined;
        const before = allowed ? undefined : await snapshot(chat);
        const out = attachment ? await sayWithFile(people[role], text, chat, attachment) : await h.say(people[role], text, chat);
        if (allowed) {
          expect(out).not.toMatch(DENIED);
          expect(out).toMatch(c.ok);
        } else {
          expect(out).toMatch(DENIED);
          expect(await snapshot(chat)).toEqual(before);
        }
      });
    }
  }

  it('GIVEN the registry THEN every command that depends on a role has a row in this matrix', () => {
    const covered = new Set(CASES.map((c) => c.command));
    const missing = h.registry.commands.map((c) => c.name).filter((name) => !covered.has(name) && !NOT_ROLE_BOUND.has(name));
    expect(missing).toEqual([]);
  });
});
