import type { AutocompleteSource, CommandContext } from '../../bot/registry.js';

/** One autocomplete suggestion: what the list shows and what the option receives. */
export interface Choice {
  name: string;
  value: string;
}

/** Discord shows at most 25 suggestions of up to 100 characters each. */
const MAX_CHOICES = 25;
const MAX_LENGTH = 100;

const fold = (s: string): string => s.normalize('NFC').toLocaleLowerCase();

/**
 * Orders candidates for what the user typed: names starting with it first, then names
 * containing it, each alphabetically; a leading `#`/`@` the user typed is ignored.
 */
export function rank(candidates: readonly Choice[], typed: string): Choice[] {
  const q = fold(typed.trim().replace(/^[#@]/, ''));
  const starts: Choice[] = [];
  const contains: Choice[] = [];
  for (const c of candidates) {
    const n = fold(c.name);
    if (n.startsWith(q)) starts.push(c);
    else if (n.includes(q)) contains.push(c);
  }
  // Numeric order keeps template 3 before template 12.
  const byName = (a: Choice, b: Choice) => a.name.localeCompare(b.name, undefined, { numeric: true });
  return [...starts.sort(byName), ...contains.sort(byName)]
    .filter((c) => c.value.length <= MAX_LENGTH && c.value.length > 0)
    .slice(0, MAX_CHOICES)
    .map((c) => ({ name: [...c.name].length > MAX_LENGTH ? [...c.name].slice(0, MAX_LENGTH - 1).join('') + '…' : c.name, value: c.value }));
}

/** Candidates of one source, read from the book of the chat the user is typing in. */
async function candidates(ctx: CommandContext, source: AutocompleteSource): Promise<Choice[]> {
  const { store, book } = ctx.actor;
  switch (source) {
    case 'account':
      return (await store.listAccounts(book.id)).map((a) => ({ name: `${a.name} (${a.currency})`, value: a.name }));
    case 'label':
      return (await store.listLabels(book.id)).map((l) => ({ name: `#${l.name}`, value: l.name }));
    case 'member':
      return (await store.listMemberProfiles(book.id)).map((m) => {
        const discord = m.handles.find((h) => h.platform === 'discord');
        const username = m.handles.find((h) => h.username)?.username;
        // A Discord mention resolves exactly; elsewhere the username, then the display name.
        const value = discord ? `<@${discord.externalId}>` : username ? `@${username}` : m.name;
        return { name: username ? `${m.name} (@${username})` : m.name, value };
      });
    case 'template':
      return templateCandidates(ctx);
  }
}

/** Templates by id, described by schedule and record so the right one is easy to pick. */
async function templateCandidates(ctx: CommandContext): Promise<Choice[]> {
  const list = await ctx.actor.store.listTemplates(ctx.actor.book.id);
  return list.map((tpl) => ({
    name: `${tpl.id} · ${tpl.scheduleText} · ${tpl.kind === 'income' ? '+' : ''}${tpl.record}${tpl.paused ? ' (paused)' : ''}`,
    value: String(tpl.id),
  }));
}

/** Suggestions for an option with an autocomplete source, given the text typed so far. */
export async function suggest(ctx: CommandContext, source: AutocompleteSource, typed: string): Promise<Choice[]> {
  return rank(await candidates(ctx, source), typed);
}
