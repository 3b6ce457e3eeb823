import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  escapeMarkdown,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type AttachmentPayload,
  type MessageMentionOptions,
} from 'discord.js';
import type { Reply } from '../../bot/reply.js';

/** Discord's message limits. */
export const MESSAGE_LIMITS = { content: 2000, embedDescription: 4096, customId: 100, buttonLabel: 80, rows: 5, buttonsPerRow: 5 } as const;

/** COIN's accent on embeds. */
const COLOR = 0x2e7d32;

/** Notes and names come from users: never let them ping anyone (`@everyone` in a note). */
export const NO_MENTIONS: MessageMentionOptions = { parse: [] };

/** A message body discord.js accepts for reply, editReply, followUp and update. */
export interface DiscordMessage {
  content: string;
  embeds: APIEmbed[];
  files: AttachmentPayload[];
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  allowedMentions: MessageMentionOptions;
}

const cut = (s: string, max: number): string => (s.length <= max ? s : s.slice(0, max - 1) + '…');

/** Plain reply text with Discord markdown neutralised, so `*`, `_`, `# ` and links show as typed. */
export const escapeText = (s: string): string => escapeMarkdown(s, { heading: true, bulletedList: true, numberedList: true, maskedLink: true });

/** A monospace block; a stray ``` inside would end it early, so it is broken with a zero-width space. */
function codeBlock(pre: string, room: number): string {
  const body = pre.replace(/```/g, '`\u200b``');
  const fence = '```\n\n```'.length;
  if (body.length + fence <= room) return '```\n' + body + '\n```';
  // Cut whole lines where possible: a half row of a table reads worse than a missing one.
  const space = Math.max(0, room - fence - 2);
  const lines = body.split('\n');
  let kept = '';
  for (const line of lines) {
    if (kept.length + line.length + 1 > space) break;
    kept += (kept ? '\n' : '') + line;
  }
  return '```\n' + (kept || body.slice(0, space)) + '\n…\n```';
}

function buttons(r: Reply): DiscordMessage['components'] {
  return (r.buttons ?? [])
    .slice(0, MESSAGE_LIMITS.rows)
    .map((row) =>
      row
        // An action that does not fit a custom_id could not be routed back; better no button.
        .filter((b) => b.action.length > 0 && b.action.length <= MESSAGE_LIMITS.customId)
        .slice(0, MESSAGE_LIMITS.buttonsPerRow)
        .map(
          (b): APIButtonComponentWithCustomId => ({
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            label: cut(b.label, MESSAGE_LIMITS.buttonLabel),
            custom_id: b.action,
          }),
        ),
    )
    .filter((row) => row.length > 0)
    .map((components) => ({ type: ComponentType.ActionRow, components }));
}

/**
 * A Reply as a Discord message. Short plain text is the message content; a table (`pre`) or a
 * chart goes into an embed, text and code block in its description (4096 characters rather
 * than 2000) and the PNG attached and shown as the embed's image; a file (CSV) is attached;
 * buttons become one action row per row. Every list is present (possibly empty) so the same
 * body can replace an earlier message completely (button updates).
 */
export function renderMessage(r: Reply): DiscordMessage {
  const text = escapeText(r.text);
  const files: AttachmentPayload[] = [];
  const embeds: APIEmbed[] = [];
  let content = '';
  if (r.pre || r.image || text.length > MESSAGE_LIMITS.content) {
    const head = cut(text, MESSAGE_LIMITS.embedDescription - (r.pre ? 200 : 0));
    const description = r.pre ? `${head}\n${codeBlock(r.pre, MESSAGE_LIMITS.embedDescription - head.length - 1)}` : head;
    const embed: APIEmbed = { color: COLOR, ...(description.trim() ? { description } : {}) };
    if (r.image) {
      files.push({ attachment: r.image.png, name: r.image.name, description: cut(r.image.alt, 1024) });
      embed.image = { url: `attachment://${r.image.name}` };
    }
    embeds.push(embed);
  } else {
    content = text;
  }
  if (r.file) files.push({ attachment: r.file.content, name: r.file.name });
  return { content, embeds, files, components: buttons(r), allowedMentions: NO_MENTIONS };
}

/** A Reply as a raw REST request (channel messages, interaction webhooks and callbacks): JSON body and files. */
export function restMessage(r: Reply, flags?: number): { body: Record<string, unknown>; files?: { name: string; data: Buffer }[] } {
  const m = renderMessage(r);
  const files = m.files.map((f) => ({ name: f.name ?? 'file', data: f.attachment as Buffer }));
  const body = {
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    allowed_mentions: { parse: [] },
    ...(flags ? { flags } : {}),
    ...(files.length ? { attachments: m.files.map((f, id) => ({ id, filename: f.name, ...(f.description ? { description: f.description } : {}) })) } : {}),
  };
  return files.length ? { body, files } : { body };
}

/** Message flags for a reply: ephemeral replies (errors, tokens) only show to the person who asked. */
export const flagsOf = (r: Reply): MessageFlags.Ephemeral | undefined => (r.ephemeral ? MessageFlags.Ephemeral : undefined);

/** The platform-neutral text of a rendered message (content, then embed descriptions), for logs and tests. */
export function plainText(m: { content?: string | null; embeds?: { description?: string | null }[] | null }): string {
  return [m.content ?? '', ...(m.embeds ?? []).map((e) => e.description ?? '')].filter(Boolean).join('\n');
}
