import { describe, expect, it } from 'vitest';
import { checkMessagePayload } from '../../test/doubles/discord/validation.js';
import { escapeText, flagsOf, plainText, renderMessage } from './render.js';

/** The payload as discord.js would send it (files become multipart parts, counted separately). */
const valid = (m: ReturnType<typeof renderMessage>) =>
  checkMessagePayload({ content: m.content, embeds: m.embeds, components: m.components }, [], { requireNonEmpty: false });

describe('Reply rendering for Discord', () => {
  it('GIVEN plain text THEN it is the message content with markdown escaped and no mentions allowed', () => {
    const m = renderMessage({ text: '#3 −4.50 EUR · *cheap* @everyone' });
    expect(m.content).toBe('#3 −4.50 EUR · \\*cheap\\* @everyone');
    expect(m.embeds).toEqual([]);
    expect(m.allowedMentions).toEqual({ parse: [] });
  });

  it('GIVEN a heading-like or list-like line THEN it is not formatted', () => {
    expect(escapeText('# big\n- item')).toBe('\\# big\n\\- item');
  });

  it('GIVEN a table THEN it is a code block in an embed after the text', () => {
    const m = renderMessage({ text: 'Accounts', pre: 'Main   -4.50 EUR\nCard  10.00 EUR' });
    expect(m.content).toBe('');
    expect(m.embeds[0]!.description).toBe('Accounts\n```\nMain   -4.50 EUR\nCard  10.00 EUR\n```');
    expect(valid(m)).toBeNull();
  });

  it('GIVEN a table longer than an embed THEN whole lines are kept and the message stays within limits', () => {
    const pre = Array.from({ length: 400 }, (_, i) => `#${i} −4.50 EUR · coffee`).join('\n');
    const m = renderMessage({ text: 'Last 400 records', pre });
    const d = m.embeds[0]!.description!;
    expect(d.length).toBeLessThanOrEqual(4096);
    expect(d.endsWith('\n…\n```')).toBe(true);
    expect(d).toMatch(/#\d+ −4\.50 EUR · coffee\n…/);
    expect(valid(m)).toBeNull();
  });

  it('GIVEN ``` inside a table THEN the code block is not closed early', () => {
    const d = renderMessage({ text: 't', pre: 'a ``` b' }).embeds[0]!.description!;
    expect(d.match(/```/g)).toHaveLength(2);
  });

  it('GIVEN a chart THEN the PNG is attached and shown as the embed image', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const m = renderMessage({ text: 'Expenses, November', image: { name: 'pie.png', png, alt: 'Pie chart' } });
    expect(m.files).toEqual([{ attachment: png, name: 'pie.png', description: 'Pie chart' }]);
    expect(m.embeds[0]).toMatchObject({ description: 'Expenses, November', image: { url: 'attachment://pie.png' } });
  });

  it('GIVEN a CSV file THEN it is attached and the text stays the content', () => {
    const m = renderMessage({ text: 'Export', file: { name: 'events.csv', content: Buffer.from('a,b'), mime: 'text/csv' } });
    expect(m.content).toBe('Export');
    expect(m.files.map((f) => f.name)).toEqual(['events.csv']);
  });

  it('GIVEN buttons THEN they become action rows; an action too long for custom_id is left out', () => {
    const m = renderMessage({
      text: 'x',
      buttons: [[{ label: 'Undo', action: 'undo:12' }, { label: 'Too long', action: 'x'.repeat(101) }], [{ label: 'Only long', action: 'y'.repeat(101) }]],
    });
    expect(m.components).toEqual([{ type: 1, components: [{ type: 2, style: 2, label: 'Undo', custom_id: 'undo:12' }] }]);
    expect(valid(m)).toBeNull();
  });

  it('GIVEN text over 2000 characters THEN it moves into an embed rather than being refused', () => {
    const m = renderMessage({ text: 'word '.repeat(600) });
    expect(m.content).toBe('');
    expect(m.embeds[0]!.description!.length).toBeLessThanOrEqual(4096);
    expect(valid(m)).toBeNull();
  });

  it('GIVEN an ephemeral reply THEN the ephemeral flag is set; otherwise none', () => {
    expect(flagsOf({ text: 'no', ephemeral: true })).toBe(64);
    expect(flagsOf({ text: 'yes' })).toBeUndefined();
  });

  it('GIVEN a rendered message THEN plainText reads content and embeds', () => {
    expect(plainText(renderMessage({ text: 'Title', pre: 'row' }))).toBe('Title\n```\nrow\n```');
  });
});
