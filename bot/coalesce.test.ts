import { describe, expect, it } from 'vitest';
import { coalesce, COALESCE_LIMIT } from './coalesce.js';
import type { PendingReply } from './chat-journal.js';

let id = 0;
const row = (text: string, extra: Partial<PendingReply> = {}, reply: Partial<PendingReply['reply']> = {}): PendingReply => ({
  id: ++id,
  attempts: 0,
  platform: 'telegram',
  chatId: '1',
  reply: { text, ...reply },
  ...extra,
});

describe('coalescing a chat’s pending replies', () => {
  it('GIVEN ten record replies THEN one message holds them in order, with one Undo for the last', () => {
    const rows = Array.from({ length: 10 }, (_, i) => row(`#${i + 1} −1.00 EUR`, {}, { buttons: [[{ label: 'Undo', action: `undo:${i + 1}` }]] }));
    const out = coalesce(rows);
    expect(out).toHaveLength(1);
    expect(out[0]!.ids).toEqual(rows.map((r) => r.id));
    expect(out[0]!.reply.text.split('\n\n')).toEqual(rows.map((r) => r.reply.text));
    expect(out[0]!.reply.buttons).toEqual([[{ label: 'Undo', action: 'undo:10' }]]);
  });

  it('GIVEN two interactions’ answers pending in one channel THEN each stays a message of its own, with how to reach its interaction', () => {
    const via = (interaction: string) => ({ interaction, token: 't', application: 'a', at: 1, channel: 'c', part: 0 });
    const rows = [row('#1 −1.00 EUR', { platform: 'discord', via: via('1') }), row('#2 −2.00 EUR', { platform: 'discord', via: via('2') }), row('plain')];
    const out = coalesce(rows);
    expect(out.map((m) => [m.reply.text, m.via])).toEqual([
      ['#1 −1.00 EUR', via('1')],
      ['#2 −2.00 EUR', via('2')],
      ['plain', undefined],
    ]);
  });

  it('GIVEN a picture, a table or an edit between texts THEN each stays a message of its own and order is kept', () => {
    const rows = [
      row('a'),
      row('b'),
      row('chart', {}, { image: { name: 'c.png', png: Buffer.from('x'), alt: 'c' } }),
      row('c'),
      row('table', {}, { pre: 'x  1' }),
      row('edited', { editMessageId: 7 }),
      row('d'),
    ];
    const out = coalesce(rows);
    expect(out.map((m) => m.reply.text)).toEqual(['a\n\nb', 'chart', 'c', 'table', 'edited', 'd']);
    expect(out.flatMap((m) => m.ids)).toEqual(rows.map((r) => r.id));
    expect(out[4]!.editMessageId).toBe(7);
  });

  it('GIVEN more text than fits THEN it is split into several messages, none over the limit, nothing lost', () => {
    const rows = Array.from({ length: 40 }, (_, i) => row(`${i}`.padEnd(150, '.')));
    const out = coalesce(rows);
    expect(out.length).toBeGreaterThan(1);
    for (const m of out) expect(m.reply.text.length).toBeLessThanOrEqual(COALESCE_LIMIT);
    expect(out.flatMap((m) => m.ids)).toEqual(rows.map((r) => r.id));
  });
});
