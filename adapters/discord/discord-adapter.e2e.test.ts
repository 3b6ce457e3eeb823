import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { DiscordDouble, DoubleResponse, GuildSpec } from '../../test/doubles/discord/index.js';
import { checkCommandList } from '../../test/doubles/discord/validation.js';
import type { Harness } from '../../test/harness.js';
import { startDiscordKit, type DiscordKit } from '../../test/discord-kit.js';
import type { CommandDef } from '../../bot/registry.js';
import { addTemplate } from '../../domain/schedules/templates.js';
import { renderChart } from '../../workers/charts/render-chart.js';
import { SAMPLE_SPECS } from '../../test/chart-samples.js';
import { createDiscordBot } from './discord-adapter.js';
import { plainText } from './render.js';

const ann = { id: '110000000000000001', username: 'ann', global_name: 'Ann' };
const bob = { id: '110000000000000002', username: 'bob', global_name: 'Bob' };
const annDm = '310000000000000001';
const bobDm = '310000000000000002';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What a person reads: content and embed text, with Discord's markdown escapes removed. */
const readable = (r: DoubleResponse): string => plainText(r.data).replace(/\\([*_`~|>#\-[\]().])/g, '$1');
const buttonsOf = (r: DoubleResponse): string[] =>
  ((r.data.components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((c) => c.custom_id));

/** Commands only this test adds: a slow chart, a command that outlasts the defer timer, a file echo. */
const fixtures: CommandDef[] = [
  {
    name: 'testchart',
    description: 'Test: a chart image',
    usage: '/testchart',
    slow: true,
    run: async () => ({ text: 'Expenses by label', image: { name: 'chart.png', png: await renderChart(SAMPLE_SPECS.pie), alt: 'A pie chart' } }),
  },
  {
    name: 'testslow',
    description: 'Test: takes a while',
    usage: '/testslow [fail]',
    options: [{ name: 'fail', description: 'Answer with an error', type: 'string', choices: ['yes'] }],
    run: async (_ctx, args) => {
      await sleep(1300);
      return args ? { text: 'That went wrong', ephemeral: true } : { text: 'Done after a while' };
    },
  },
  {
    name: 'testbutton',
    description: 'Test: a message with a slow button',
    usage: '/testbutton',
    run: async () => ({ text: 'Press it', buttons: [[{ label: 'Slow', action: 'testslowbtn:7' }]] }),
  },
  {
    name: 'testtpl',
    description: 'Test: templates to pick from',
    usage: '/testtpl add|show',
    subcommands: [
      {
        name: 'add',
        description: 'Add a template',
        usage: '/testtpl add <schedule> <record>',
        options: [{ name: 'line', description: 'Schedule and record', type: 'string', required: true }],
        run: async (ctx, args) => ({ text: `template ${(await addTemplate(ctx.actor, args, null)).id}` }),
      },
      {
        name: 'show',
        description: 'Show one',
        usage: '/testtpl show <id>',
        options: [{ name: 'id', description: 'Template', type: 'string', required: true, autocomplete: 'template' }],
        run: async (_ctx, args) => ({ text: `picked ${args}` }),
      },
    ],
  },
  {
    name: 'testfile',
    description: 'Test: echo an attachment',
    usage: '/testfile <file>',
    options: [
      { name: 'file', description: 'A CSV', type: 'attachment', required: true },
      { name: 'note', description: 'Note', type: 'string' },
    ],
    run: async (ctx, args) => ({
      text: `got ${ctx.attachment?.name} with ${ctx.attachment?.content.toString().split('\n').length} lines; args “${args}”`,
      file: { name: 'echo.csv', content: ctx.attachment?.content ?? Buffer.alloc(0), mime: 'text/csv' },
    }),
  },
];

/** The real discord.js client (gateway, REST, interactions) against the local Discord double. */
describe('Discord adapter end to end', () => {
  let kit: DiscordKit;
  let dc: DiscordDouble;
  let h: Harness;
  let guild: GuildSpec;
  let channel: string;

  beforeAll(async () => {
    // Discord's 3-second answer window is enforced, so a late first answer fails the test.
    kit = await startDiscordKit({
      double: { interactionTimeoutMs: 3000 },
      harness: {
        extend: (services) => {
          services.renderChart = renderChart;
        },
      },
      deferAfterMs: 1000,
      prepare: (double, harness) => {
        guild = double.addGuild({ name: 'Flat 4B', channels: [{ name: 'money' }] });
        channel = guild.channels[0]!.id;
        double.addMember(guild.id, ann, { manageGuild: true });
        double.addMember(guild.id, bob);
        harness.registry.add(...fixtures);
        harness.registry.addAction({
          name: 'testslowbtn',
          replaces: true,
          run: async (_ctx, arg) => {
            await sleep(1300);
            return { text: `Slow edit ${arg}` };
          },
        });
      },
    });
    ({ dc, h } = kit);
  });
  afterAll(() => kit?.close());

  const inDm = (user: typeof ann, channelId: string) => ({ user, channelId });
  const inGuild = (user: typeof ann) => ({ user, guildId: guild.id, channelId: channel });

  it('GIVEN start THEN every registry command is registered globally, valid by Discord’s rules', () => {
    const registered = dc.registeredCommands();
    expect(registered.map((c) => c.name).sort()).toEqual(h.registry.commands.map((c) => c.name).sort());
    expect(checkCommandList(registered)).toBeNull();
    const spend = registered.find((c) => c.name === 'spend')!;
    expect(spend.options?.map((o) => [o.name, !!o.required])).toEqual([
      ['amount', false],
      ['label', false],
      ['account', false],
      ['date', false],
      ['note', false],
      ['record', false],
    ]);
    const account = registered.find((c) => c.name === 'account')!;
    expect(account.options?.map((o) => o.name)).toEqual(['add', 'rename', 'delete', 'default']);
    expect(registered.find((c) => c.name === 'token')?.contexts).toEqual([1]);
    expect(registered.find((c) => c.name === 'spend')?.contexts).toEqual([0, 1]);
  });

  it('GIVEN DISCORD_GUILD_ID THEN commands are registered to that guild only', async () => {
    const dev = dc.addGuild({ name: 'Dev' });
    const scoped = createDiscordBot({
      token: dc.token,
      applicationId: dc.applicationId,
      apiRoot: dc.restApi,
      guildId: dev.id,
      dispatcher: h.dispatcher,
      registry: h.registry,
      logger: pino({ level: 'silent' }),
    });
    await scoped.publishCommands();
    const names = dc.registeredCommands(dev.id).map((c) => c.name);
    expect(names).toContain('spend');
    expect(names).toHaveLength(h.registry.commands.length);
    expect(dc.registeredCommands(dev.id).every((c) => c.contexts === undefined || c.contexts === null)).toBe(true);
    await scoped.client.destroy();
  });

  it('GIVEN /spend with typed options in a DM THEN it records with #N, balance and an Undo button that works', async () => {
    const i = dc.sendCommand({ ...inDm(ann, annDm), name: 'spend', options: { amount: '4.50', label: 'food', note: 'coffee' } });
    const reply = await dc.waitForResponse(i.id);
    expect(reply).toMatchObject({ kind: 'callback', type: 4, ephemeral: false });
    expect(readable(reply)).toContain('#1 −4.50 EUR · #food @Main · coffee');
    expect(readable(reply)).toContain('Main: −4.50 EUR');
    expect(buttonsOf(reply)).toEqual(['undo:1']);

    const press = dc.pressButton({ ...inDm(ann, annDm), customId: 'undo:1', messageId: reply.messageId! });
    const update = await dc.waitForResponse(press.id);
    expect(update).toMatchObject({ kind: 'callback', type: 7, messageId: reply.messageId });
    expect(plainText(dc.message(reply.messageId!)!)).toContain('Undone #1');
    expect(buttonsOf(update)).toEqual(['restore:1']);
  });

  it('GIVEN /spend with one free-text record line THEN it is read like Telegram text', async () => {
    const i = dc.sendCommand({ ...inDm(ann, annDm), name: 'spend', options: { record: '12 #books novel' } });
    expect(readable(await dc.waitForResponse(i.id))).toContain('#2 −12.00 EUR · #books @Main · novel');
  });

  it('GIVEN subcommands and a name with spaces THEN /account add and @account options round-trip', async () => {
    const add = dc.sendCommand({ ...inDm(ann, annDm), name: 'account', subcommand: 'add', options: { name: 'Credit Card', currency: 'EUR' } });
    expect(readable(await dc.waitForResponse(add.id))).toContain('Added account Credit Card (EUR)');
    const spend = dc.sendCommand({ ...inDm(ann, annDm), name: 'spend', options: { amount: '5', account: 'Credit Card', label: '#books' } });
    const r = readable(await dc.waitForResponse(spend.id));
    expect(r).toContain('−5.00 EUR · #books @Credit Card');
    expect(r).toContain('Credit Card: −5.00 EUR');
  });

  it('GIVEN autocomplete THEN accounts and labels come from the book of that chat', async () => {
    const labels = dc.sendAutocomplete({ ...inDm(ann, annDm), name: 'spend', options: { label: 'bo' }, focused: 'label' });
    expect((await dc.waitForResponse(labels.id)).data.choices).toEqual([{ name: '#books', value: 'books' }]);
    const accounts = dc.sendAutocomplete({ ...inDm(ann, annDm), name: 'account', subcommand: 'rename', options: { name: '' }, focused: 'name' });
    expect((await dc.waitForResponse(accounts.id)).data.choices).toEqual([
      { name: 'Credit Card (EUR)', value: 'Credit Card' },
      { name: 'Main (EUR)', value: 'Main' },
    ]);
    // Bob's personal book has none of Ann's labels.
    const other = dc.sendAutocomplete({ ...inDm(bob, bobDm), name: 'spend', options: { label: '' }, focused: 'label' });
    expect((await dc.waitForResponse(other.id)).data.choices).toEqual([]);
  });

  it('GIVEN templates THEN a template option suggests them by id, schedule and record', async () => {
    for (const line of ['monthly:1 500 #rent', 'weekly:mon 20 #kids pocket money']) {
      const add = dc.sendCommand({ ...inDm(ann, annDm), name: 'testtpl', subcommand: 'add', options: { line } });
      expect(readable(await dc.waitForResponse(add.id))).toMatch(/^template \d+$/);
    }
    const i = dc.sendAutocomplete({ ...inDm(ann, annDm), name: 'testtpl', subcommand: 'show', options: { id: 'kid' }, focused: 'id' });
    const choices = (await dc.waitForResponse(i.id)).data.choices as { name: string; value: string }[];
    expect(choices).toHaveLength(1);
    expect(choices[0]!.name).toMatch(/^\d+ · weekly:mon.* · 20 #kids pocket money$/);
    const show = dc.sendCommand({ ...inDm(ann, annDm), name: 'testtpl', subcommand: 'show', options: { id: choices[0]!.value } });
    expect(readable(await dc.waitForResponse(show.id))).toBe(`picked ${choices[0]!.value}`);
  });

  it('GIVEN bad input THEN the answer is an ephemeral explanation and nothing is recorded', async () => {
    const i = dc.sendCommand({ ...inDm(ann, annDm), name: 'spend', options: { amount: '12.345.6', note: 'x' } });
    const reply = await dc.waitForResponse(i.id);
    expect(reply.ephemeral).toBe(true);
    expect(readable(reply)).toContain('is not an amount');
    expect(readable(reply)).not.toMatch(/Error|stack/);
    const hist = dc.sendCommand({ ...inDm(ann, annDm), name: 'history' });
    const text = readable(await dc.waitForResponse(hist.id));
    expect(text).not.toContain('#4');
    expect(text).toContain('#3');
  });

  it('GIVEN an interaction delivered twice THEN it is applied and answered once', async () => {
    const i = dc.sendCommand({ ...inDm(bob, bobDm), name: 'spend', options: { record: '7 #dup' } });
    await dc.waitForResponse(i.id);
    dc.redeliver(i);
    await sleep(300);
    expect(dc.responses(i.id)).toHaveLength(1);
    const hist = dc.sendCommand({ ...inDm(bob, bobDm), name: 'history' });
    expect(readable(await dc.waitForResponse(hist.id)).match(/#dup/g)).toHaveLength(1);
  });

  it('GIVEN a guild channel THEN two members share one book; only the author or a Manage Server member may undo', async () => {
    const first = dc.sendCommand({ ...inGuild(ann), name: 'spend', options: { amount: '30', note: 'groceries' } });
    expect(readable(await dc.waitForResponse(first.id))).toContain('#1 −30.00 EUR');
    const second = dc.sendCommand({ ...inGuild(bob), name: 'spend', options: { amount: '12', note: 'pizza' } });
    const bobReply = await dc.waitForResponse(second.id);
    expect(readable(bobReply)).toContain('#2 −12.00 EUR');
    expect(readable(bobReply)).toContain('Main: −42.00 EUR');
    const annReply = dc.responses(first.id)[0]!;

    // Bob (member) cannot undo Ann's record: he alone is told, the message stays.
    const denied = dc.pressButton({ ...inGuild(bob), customId: 'undo:1', messageId: annReply.messageId! });
    const refusal = await dc.waitForResponse(denied.id);
    expect(refusal).toMatchObject({ type: 4, ephemeral: true });
    expect(readable(refusal)).toContain('only change your own');
    expect(plainText(dc.message(annReply.messageId!)!)).toContain('#1 −30.00 EUR');

    // Ann has Manage Server, so she is an admin of the book and may undo Bob's.
    const allowed = dc.pressButton({ ...inGuild(ann), customId: 'undo:2', messageId: bobReply.messageId! });
    await dc.waitForResponse(allowed.id);
    expect(plainText(dc.message(bobReply.messageId!)!)).toContain('Undone #2');

    const members = dc.sendCommand({ ...inGuild(bob), name: 'members' });
    const list = readable(await dc.waitForResponse(members.id));
    expect(list).toContain('Flat 4B #money');
    expect(list).toMatch(/Ann @ann\s+owner/);
    expect(list).toMatch(/Bob @bob\s+member/);

    const who = dc.sendAutocomplete({ ...inGuild(ann), name: 'role', options: { user: 'bo' }, focused: 'user' });
    expect((await dc.waitForResponse(who.id)).data.choices).toEqual([{ name: 'Bob (@bob)', value: `<@${bob.id}>` }]);
    const promote = dc.sendCommand({ ...inGuild(ann), name: 'role', options: { user: `<@${bob.id}>`, role: 'admin' } });
    expect(readable(await dc.waitForResponse(promote.id))).toContain('Bob');
  });

  it('GIVEN a shared guild budget THEN one member sets it, the other’s spending triggers the alert as a follow-up', async () => {
    const set = dc.sendCommand({ ...inGuild(ann), name: 'budget', options: { label: 'food', amount: '100' } });
    expect(readable(await dc.waitForResponse(set.id))).toContain('Budget #food: 100.00 EUR per month');
    const spend = dc.sendCommand({ ...inGuild(bob), name: 'spend', options: { amount: '85', label: 'food', note: 'market' } });
    const alert = await dc.waitForResponse(spend.id, (r) => r.kind === 'followup');
    expect(readable(alert)).toContain('Budget #food is at 85%: 85.00 EUR of 100.00 EUR');
    expect(readable(dc.responses(spend.id)[0]!)).toContain('−85.00 EUR · #food');
    const list = dc.sendCommand({ ...inGuild(ann), name: 'budgets' });
    expect(readable(await dc.waitForResponse(list.id))).toMatch(/#food.*85\.00/);
  });

  it('GIVEN a slow command with a chart THEN it is deferred and the PNG arrives as an attachment shown in an embed', async () => {
    const i = dc.sendCommand({ ...inGuild(ann), name: 'testchart' });
    const edit = await dc.waitForResponse(i.id, (r) => r.kind === 'edit', 15_000);
    expect(dc.responses(i.id)[0]).toMatchObject({ kind: 'callback', type: 5 });
    expect(edit.files).toHaveLength(1);
    expect(edit.files[0]!.name).toBe('chart.png');
    expect(edit.files[0]!.bytes.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
    expect(edit.data.embeds[0].image.url).toBe('attachment://chart.png');
    expect(edit.data.embeds[0].description).toBe('Expenses by label');
  });

  it('GIVEN a command that outlasts the answer window THEN it is deferred and edited; a late error becomes an ephemeral follow-up', async () => {
    const ok = dc.sendCommand({ ...inGuild(bob), name: 'testslow' });
    const edit = await dc.waitForResponse(ok.id, (r) => r.kind === 'edit');
    expect(dc.responses(ok.id)[0]).toMatchObject({ kind: 'callback', type: 5 });
    expect(readable(edit)).toBe('Done after a while');

    const bad = dc.sendCommand({ ...inGuild(bob), name: 'testslow', options: { fail: 'yes' } });
    const follow = await dc.waitForResponse(bad.id, (r) => r.kind === 'followup');
    expect(follow.ephemeral).toBe(true);
    expect(dc.responses(bad.id).map((r) => r.kind)).toEqual(['callback', 'delete', 'followup']);
  });

  it('GIVEN an attachment option THEN the file is downloaded and handed to the command; a file reply is attached', async () => {
    const i = dc.sendCommand({
      ...inDm(ann, annDm),
      name: 'testfile',
      options: { note: 'march' },
      attachments: { file: { name: 'events.csv', bytes: 'date,amount\n2026-11-01,4.50\n', contentType: 'text/csv' } },
    });
    const reply = await dc.waitForResponse(i.id);
    expect(readable(reply)).toContain('got events.csv with 3 lines; args “march”');
    expect(reply.files.map((f) => f.name)).toEqual(['echo.csv']);
    expect(reply.files[0]!.bytes.toString()).toContain('2026-11-01,4.50');
  });

  it('GIVEN the attachment cannot be downloaded THEN the person gets an apology with a reference, not silence', async () => {
    dc.failNext({ method: 'GET', path: /^\/cdn\//, status: 500 });
    const i = dc.sendCommand({ ...inDm(ann, annDm), name: 'testfile', attachments: { file: { name: 'a.csv', bytes: 'x\n' } } });
    const reply = await dc.waitForResponse(i.id);
    expect(reply.ephemeral).toBe(true);
    expect(readable(reply)).toMatch(/something went wrong on my side.*Reference: [0-9a-f]{8}/);
  });

  it('GIVEN /export and /import THEN the CSV comes as an attachment and goes back in as an attachment option', async () => {
    const exp = dc.sendCommand({ ...inDm(ann, annDm), name: 'export' });
    const file = await dc.waitForResponse(exp.id, (r) => r.files.length > 0, 10_000);
    expect(readable(file)).toMatch(/Exported \d+ records/);
    expect(file.files[0]!.name).toMatch(/\.csv$/);
    const imp = dc.sendCommand({
      ...inDm(bob, bobDm),
      name: 'import',
      attachments: { file: { name: file.files[0]!.name, bytes: file.files[0]!.bytes, contentType: 'text/csv' } },
    });
    const done = await dc.waitForResponse(imp.id, (r) => r.kind !== 'callback' || r.type !== 5, 10_000);
    expect(readable(done)).toMatch(/Imported [1-9]\d* records/);
  });

  it('GIVEN /chart pie THEN the chart arrives as a PNG attachment within the answer window', async () => {
    const i = dc.sendCommand({ ...inDm(ann, annDm), name: 'chart', options: { kind: 'pie', period: 'month' } });
    const r = await dc.waitForResponse(i.id, (x) => x.files.length > 0, 15_000);
    expect(r.files[0]!.bytes.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
    expect(r.data.embeds[0].image.url).toBe(`attachment://${r.files[0]!.name}`);
  });

  it('GIVEN private-only commands THEN they are offered only in DMs and answer ephemerally there', async () => {
    expect(() => dc.sendCommand({ ...inGuild(ann), name: 'tokens' })).toThrow(/contexts/);
    const i = dc.sendCommand({ ...inDm(ann, annDm), name: 'tokens' });
    const reply = await dc.waitForResponse(i.id);
    expect(reply.ephemeral).toBe(true);
  });

  it('GIVEN a button whose action outlasts the answer window THEN the press is deferred and the message edited', async () => {
    const i = dc.sendCommand({ ...inGuild(bob), name: 'testbutton' });
    const msg = await dc.waitForResponse(i.id);
    const press = dc.pressButton({ ...inGuild(bob), customId: 'testslowbtn:7', messageId: msg.messageId! });
    await dc.waitForResponse(press.id, (r) => r.kind === 'edit');
    expect(dc.responses(press.id)[0]).toMatchObject({ kind: 'callback', type: 6 });
    expect(plainText(dc.message(msg.messageId!)!)).toBe('Slow edit 7');
    expect(dc.message(msg.messageId!)!.components).toEqual([]);
  });

  it('GIVEN a DM and a guild THEN they are different books', async () => {
    const dm = dc.sendCommand({ ...inDm(ann, annDm), name: 'accounts' });
    const dmText = readable(await dc.waitForResponse(dm.id));
    expect(dmText).toContain('Credit Card');
    const g = dc.sendCommand({ ...inGuild(ann), name: 'accounts' });
    expect(readable(await dc.waitForResponse(g.id))).not.toContain('Credit Card');
    // The gateway session stayed alive throughout (heartbeats acknowledged, no re-identify).
    expect(dc.gatewayStats.heartbeats).toBeGreaterThan(0);
    expect(dc.gatewayStats.identifies).toBe(1);
  });
});
