import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscordDouble, DoubleResponse } from '../../test/doubles/discord/index.js';
import { startDiscordKit, type DiscordKit } from '../../test/discord-kit.js';
import { writeCsv } from '../../test/statements/writers.js';
import { plainText } from './render.js';

const ann = { id: '120000000000000001', username: 'ann', global_name: 'Ann' };
const annDm = '320000000000000001';

const readable = (r: DoubleResponse): string => plainText(r.data).replace(/\\([*_`~|>#\-[\]().=])/g, '$1');
const buttons = (r: DoubleResponse): { label: string; custom_id: string }[] =>
  ((r.data.components ?? []) as { components: { label: string; custom_id: string }[] }[]).flatMap((row) => row.components);

/** A bank CSV as a Discord attachment option, the mapping as the `map` option, the buttons as components. */
describe('bank statement in Discord', () => {
  let kit: DiscordKit;
  let dc: DiscordDouble;

  beforeAll(async () => {
    kit = await startDiscordKit({ harness: { now: '2026-05-20T12:00:00Z' } });
    ({ dc } = kit);
  });
  afterAll(() => kit?.close());

  it('GIVEN /import with a bank CSV attached THEN the account buttons and the preview buttons import it; /import map fixes the columns', async () => {
    const spend = dc.sendCommand({ user: ann, channelId: annDm, name: 'spend', options: { amount: '1' } });
    await dc.waitForResponse(spend.id);
    const csv = writeCsv({ format: 'csv', rows: [{ externalId: 'A', date: '2026-05-01', amountMinor: -1250, currency: 'EUR', payee: 'Bakery', memo: '' }, { externalId: 'B', date: '2026-05-02', amountMinor: 4000, currency: 'EUR', payee: 'Refund', memo: 'x' }] }, 'signed');
    const imp = dc.sendCommand({ user: ann, channelId: annDm, name: 'import', attachments: { file: { name: 'bank.csv', bytes: csv, contentType: 'text/csv' } } });
    const ask = await dc.waitForResponse(imp.id, (r) => r.kind !== 'callback' || r.type !== 5, 10_000);
    expect(readable(ask)).toContain('Bank CSV, 2 transactions, read as /import map date=Date amount=Amount payee=Payee memo=Memo currency=Currency id=Id format=YYYY-MM-DD decimal=.');
    expect(buttons(ask).map((b) => b.label)).toEqual(['@Main', 'Cancel']);

    const fix = dc.sendCommand({ user: ann, channelId: annDm, name: 'import', options: { map: 'memo=-' } });
    const asked = await dc.waitForResponse(fix.id, (r) => r.kind !== 'callback' || r.type !== 5, 10_000);
    expect(readable(asked)).toContain('read as /import map date=Date amount=Amount payee=Payee currency=Currency id=Id format=YYYY-MM-DD decimal=.');

    const press = dc.pressButton({ user: ann, channelId: annDm, customId: buttons(asked)[0]!.custom_id, messageId: asked.messageId! });
    const preview = await dc.waitForResponse(press.id);
    expect(readable(preview)).toBe('CSV statement, 2 transactions, compared with @Main: 2 new, 0 already imported. Nothing is imported yet.');
    const importButton = buttons(preview).find((b) => b.label === 'Import')!;
    const done = await dc.waitForResponse(dc.pressButton({ user: ann, channelId: annDm, customId: importButton.custom_id, messageId: asked.messageId! }).id);
    expect(readable(done)).toBe('Imported into @Main: 2 new, 0 merged with records you typed, 0 there already.');
  });
});
