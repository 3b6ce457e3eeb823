import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness, type TestUser } from '../../test/harness.js';
import { createRegistry } from './index.js';

/**
 * `docs/commands.md` is the users' command reference. It is written by hand, so this keeps it
 * from falling behind the registry: every command, alias and subcommand has its entry, every
 * fixed choice of an option is explained in its command's entry, and the doc describes no
 * command the registry does not have.
 */
const doc = readFileSync(new URL('../../docs/commands.md', import.meta.url), 'utf8');
const registry = createRegistry();

/** `#### \`/account add <name> …\`` → "account add". */
const headings = [...doc.matchAll(/^#### `\/([a-z0-9_]+(?: [a-z]+)?)/gm)].map((m) => m[1]!);

/** The text of an entry: from its heading to the next heading. */
function entry(name: string): string {
  const start = doc.search(new RegExp(`^#### \`/${name}(?=[\\s\`])`, 'm'));
  if (start < 0) return '';
  const bodyAt = doc.indexOf('\n', start) + 1;
  const end = doc.slice(bodyAt).search(/^#{2,4} /m);
  return doc.slice(start, end < 0 ? undefined : bodyAt + end);
}

describe('docs/commands.md', () => {
  it('GIVEN the registry THEN every command and subcommand has an entry of its own', () => {
    const expected = registry.commands.flatMap((c) => (c.subcommands?.length ? c.subcommands.map((s) => `${c.name} ${s.name}`) : [c.name]));
    expect(expected.length).toBeGreaterThan(30);
    for (const name of expected) expect(headings, `no entry for /${name}`).toContain(name);
  });

  it('GIVEN the doc THEN it has no entry for a command the registry does not have', () => {
    for (const heading of headings) {
      const [name, sub] = heading.split(' ');
      const def = registry.find(name!);
      expect(def, `/${heading}`).toBeDefined();
      if (sub) expect(def!.subcommands?.map((s) => s.name), `/${heading}`).toContain(sub);
    }
  });

  it('GIVEN a command with aliases or fixed choices THEN its entry names each of them', () => {
    let checked = 0;
    for (const def of registry.commands) {
      const parts = def.subcommands?.length ? def.subcommands.map((s) => ({ name: `${def.name} ${s.name}`, options: s.options })) : [{ name: def.name, options: def.options }];
      for (const part of parts) {
        const text = entry(part.name);
        for (const alias of def.aliases ?? []) {
          expect(text, `/${part.name} alias /${alias}`).toContain(`/${alias}`);
          checked++;
        }
        for (const choice of (part.options ?? []).flatMap((o) => o.choices ?? [])) {
          expect(text, `/${part.name} choice ${choice}`).toMatch(new RegExp(`\\b${choice}\\b`));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

/**
 * The lines of the doc's example blocks (commands and quick entries), without the explanation
 * some carry after two or more spaces.
 */
function examples(): string[] {
  const blocks = [...doc.matchAll(/^```\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((line) => line.replace(/\s{2,}.*$/, '').trim())
    .filter((line) => /^(\/|\+?[\d€$£¥₽])/.test(line));
}

describe('docs/commands.md examples', () => {
  const ANN: TestUser = { id: '9101', name: 'Ann' };
  const BOB: TestUser = { id: '9102', name: 'Bob' };
  const GROUP = 'g-docs';
  let h: Awaited<ReturnType<typeof createHarness>> | undefined;
  afterAll(async () => h?.close());

  it('GIVEN a book with the accounts the examples name THEN COIN accepts every example as written', async () => {
    h = await createHarness();
    const lines = examples();
    expect(lines.length).toBeGreaterThan(20);
    // The examples' world: Ann owns a shared group book with Bob; accounts card, cash, bank, euros
    // (EUR) and dollars (USD); twelve records, so that `#12` is one of Ann's.
    for (const setup of ['/start', '/account add card', '/account add cash', '/account add bank', '/account add euros', '/account add dollars usd']) {
      expect((await h.replies(ANN, setup, GROUP))[0]?.ephemeral, setup).toBeFalsy();
    }
    await h.say(BOB, '/start', GROUP);
    for (let i = 0; i < 12; i++) await h.say(ANN, `/spend ${i + 1} #seed @card`, GROUP);
    for (const line of lines) {
      const [reply] = await h.replies(ANN, line, GROUP);
      // Refusals are ephemeral replies (usage, unknown account, bad amount…); answers are not.
      expect(reply, line).toBeDefined();
      expect({ line, refused: reply!.ephemeral ? reply!.text : false }).toEqual({ line, refused: false });
    }
  });
});
