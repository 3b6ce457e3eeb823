import { once } from 'node:events';
import zlib from 'node:zlib';
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type Interaction,
} from 'discord.js';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordDouble, type DiscordDouble, type GuildSpec } from './index.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
const ann = { id: '100000000000000001', username: 'ann', global_name: 'Ann', locale: 'de' };
const bob = { id: '100000000000000002', username: 'bob' };

const coin = new SlashCommandBuilder()
  .setName('coin')
  .setDescription('Budget')
  .addSubcommand((s) =>
    s
      .setName('show')
      .setDescription('Show totals')
      .addStringOption((o) => o.setName('period').setDescription('Period').setRequired(true).setAutocomplete(true))
      .addIntegerOption((o) => o.setName('limit').setDescription('Rows').setMinValue(1)),
  )
  .addSubcommand((s) => s.setName('chart').setDescription('A chart image'))
  .addSubcommand((s) => s.setName('fail').setDescription('Always fails'));
const help = new SlashCommandBuilder().setName('help').setDescription('How to use COIN');

/** The bot under test: a tiny discord.js app answering the commands above. */
function handle(interaction: Interaction, seen: { errors: unknown[]; codes: number[]; echoes: string[] }) {
  const run = async () => {
    if (interaction.isAutocomplete()) {
      const typed = interaction.options.getFocused();
      await interaction.respond([{ name: `typed:${typed}`, value: `${typed}-month` }]);
      return;
    }
    if (interaction.isButton()) {
      await interaction.update({ content: `pressed ${interaction.customId}`, components: [] });
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    if (interaction.commandName === 'help') {
      const response = await interaction.reply({
        content: `help for ${interaction.user.username} in ${interaction.guildId ?? 'dm'}`,
        files: [new AttachmentBuilder(PNG, { name: 'help.png' })],
        withResponse: true,
      });
      seen.echoes.push(response.resource?.message?.content ?? '');
      return;
    }
    const sub = interaction.options.getSubcommand();
    if (sub === 'show') {
      const period = interaction.options.getString('period', true);
      const limit = interaction.options.getInteger('limit');
      const manager = interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('undo').setLabel('Undo').setStyle(ButtonStyle.Secondary),
      );
      await interaction.reply({
        content: `show ${period} ${limit} manager=${manager} locale=${interaction.locale}`,
        components: [row],
      });
    } else if (sub === 'chart') {
      await interaction.deferReply();
      await interaction.editReply({ files: [new AttachmentBuilder(PNG, { name: 'c.png' })] });
      await interaction.followUp({ content: 'Totals by label follow', flags: MessageFlags.Ephemeral });
    } else if (sub === 'fail') {
      await interaction.reply({ content: 'That did not work', flags: MessageFlags.Ephemeral });
    }
  };
  run().catch((err: unknown) => {
    if (err instanceof DiscordAPIError && typeof err.code === 'number') seen.codes.push(err.code);
    else seen.errors.push(err);
  });
}

describe('discord double driven by a real discord.js client', () => {
  let discord: DiscordDouble;
  let client: Client;
  let guild: GuildSpec;
  let channelId: string;
  const seen = { errors: [] as unknown[], codes: [] as number[], echoes: [] as string[] };

  beforeAll(async () => {
    discord = await startDiscordDouble({ heartbeatIntervalMs: 200 });
    guild = discord.addGuild({ name: 'Flat', channels: [{ name: 'money' }] });
    channelId = guild.channels[0]!.id;
    discord.addMember(guild.id, ann, { manageGuild: true });
    discord.addMember(guild.id, bob);
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.restApi } });
    client.on(Events.InteractionCreate, (interaction) => handle(interaction, seen));
    const ready = once(client, Events.ClientReady);
    await client.login(discord.token);
    await ready;
    await client.application!.commands.set([coin.toJSON()], guild.id);
    await client.application!.commands.set([help.toJSON()]);
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('GIVEN login THEN the client is ready as the bot with the guild and its channel cached', () => {
    expect(client.user?.id).toBe(discord.botUser.id);
    expect(client.application?.id).toBe(discord.applicationId);
    expect(client.guilds.cache.get(guild.id)?.name).toBe('Flat');
    expect(client.channels.cache.get(channelId)?.isTextBased()).toBe(true);
    expect(discord.gatewayStats.identifies).toBe(1);
    expect(discord.requests.some((r) => r.path === '/gateway/bot' && r.status === 200)).toBe(true);
  });

  it('GIVEN commands.set THEN the double stores them per scope with ids', () => {
    const [stored] = discord.registeredCommands(guild.id);
    expect(stored?.name).toBe('coin');
    expect(stored?.id).toMatch(/^\d+$/);
    expect(stored?.options?.map((o) => o.name)).toEqual(['show', 'chart', 'fail']);
    expect(discord.registeredCommands().map((c) => c.name)).toEqual(['help']);
  });

  it('GIVEN a subcommand with options THEN discord.js parses them and the reply with a button is recorded', async () => {
    const interaction = discord.sendCommand({
      guildId: guild.id,
      channelId,
      user: ann,
      name: 'coin',
      subcommand: 'show',
      options: { period: 'month', limit: 3 },
    });
    expect(interaction.data.options[0]).toMatchObject({ type: 1, name: 'show' });
    expect(interaction.data.options[0].options).toEqual([
      { name: 'period', type: 3, value: 'month' },
      { name: 'limit', type: 4, value: 3 },
    ]);
    const reply = await discord.waitForResponse(interaction.id);
    expect(reply).toMatchObject({ kind: 'callback', type: 4, ephemeral: false });
    expect(reply.data.content).toBe('show month 3 manager=true locale=de');
    expect(reply.data.components[0].components[0].custom_id).toBe('undo');
  });

  it('GIVEN a member without Manage Server THEN the permission bit is absent', async () => {
    const interaction = discord.sendCommand({
      guildId: guild.id,
      channelId,
      user: bob,
      name: 'coin',
      subcommand: 'show',
      options: { period: 'week' },
    });
    const reply = await discord.waitForResponse(interaction.id);
    expect(reply.data.content).toBe('show week null manager=false locale=en-US');
  });

  it('GIVEN a button press on the reply THEN update edits that message', async () => {
    const command = discord.sendCommand({
      guildId: guild.id,
      channelId,
      user: ann,
      name: 'coin',
      subcommand: 'show',
      options: { period: 'year' },
    });
    const reply = await discord.waitForResponse(command.id);
    const press = discord.pressButton({ guildId: guild.id, channelId, user: ann, customId: 'undo', messageId: reply.messageId! });
    const update = await discord.waitForResponse(press.id);
    expect(update).toMatchObject({ kind: 'callback', type: 7, messageId: reply.messageId });
    expect(discord.message(reply.messageId!)?.content).toBe('pressed undo');
    expect(discord.message(reply.messageId!)?.components).toEqual([]);
    expect(() =>
      discord.pressButton({ guildId: guild.id, channelId, user: ann, customId: 'undo', messageId: reply.messageId! }),
    ).toThrow(/no component "undo"/);
  });

  it('GIVEN a deferred reply edited with a PNG THEN the bytes arrive and are served at the attachment URL', async () => {
    const interaction = discord.sendCommand({ guildId: guild.id, channelId, user: ann, name: 'coin', subcommand: 'chart' });
    const edit = await discord.waitForResponse(interaction.id, (r) => r.kind === 'edit');
    const followUp = await discord.waitForResponse(interaction.id, (r) => r.kind === 'followup');
    expect(discord.responses(interaction.id).map((r) => [r.kind, r.type])).toEqual([
      ['callback', 5],
      ['edit', undefined],
      ['followup', undefined],
    ]);
    expect(followUp).toMatchObject({ ephemeral: true, data: { content: 'Totals by label follow' } });
    expect(edit.files).toHaveLength(1);
    expect(edit.files[0]!.name).toBe('c.png');
    expect(edit.files[0]!.contentType).toBe('image/png');
    expect(edit.files[0]!.bytes.equals(PNG)).toBe(true);
    const message = discord.message(edit.messageId!)!;
    expect(message.flags ?? 0).toBe(0); // no longer "thinking"
    const served = await fetch(message.attachments[0]!.url);
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('GIVEN autocomplete THEN the typed text reaches getFocused and the choices are recorded', async () => {
    const interaction = discord.sendAutocomplete({
      guildId: guild.id,
      channelId,
      user: ann,
      name: 'coin',
      subcommand: 'show',
      options: { period: 'mo' },
      focused: 'period',
    });
    const result = await discord.waitForResponse(interaction.id);
    expect(result).toMatchObject({ kind: 'callback', type: 8 });
    expect(result.data.choices).toEqual([{ name: 'typed:mo', value: 'mo-month' }]);
  });

  it('GIVEN a command in a DM THEN there is no guild and the DM channel is the user’s', async () => {
    const interaction = discord.sendCommand({ channelId: '300000000000000001', user: bob, name: 'help' });
    expect(interaction.user?.id).toBe(bob.id);
    expect(interaction.member).toBeUndefined();
    expect(interaction.context).toBe(1);
    const reply = await discord.waitForResponse(interaction.id);
    expect(reply.data.content).toBe('help for bob in dm');
    expect(reply.files.map((f) => f.name)).toEqual(['help.png']);
    expect(discord.message(reply.messageId!)?.attachments[0]?.filename).toBe('help.png');
    expect(discord.dmChannelId(bob.id)).toBe('300000000000000001');
    // with_response=true returns the created message, which discord.js exposes.
    await expect.poll(() => seen.echoes).toContain('help for bob in dm');
  });

  it('GIVEN a guild-only command in a DM THEN the double refuses, as Discord would not show it', () => {
    expect(() => discord.sendCommand({ channelId: '300000000000000009', user: ann, name: 'coin', subcommand: 'chart' })).toThrow(
      /not registered in DMs/,
    );
  });

  it('GIVEN an error reply THEN it is ephemeral (flags 64)', async () => {
    const interaction = discord.sendCommand({ guildId: guild.id, channelId, user: ann, name: 'coin', subcommand: 'fail' });
    const reply = await discord.waitForResponse(interaction.id);
    expect(reply.ephemeral).toBe(true);
    expect(reply.data.flags).toBe(64);
    expect(reply.data.content).toBe('That did not work');
  });

  it('GIVEN the same interaction delivered twice THEN the second callback gets 40060', async () => {
    const interaction = discord.sendCommand({ channelId: '300000000000000001', user: bob, name: 'help' });
    await discord.waitForResponse(interaction.id);
    discord.redeliver(interaction);
    await expect.poll(() => seen.codes).toContain(40060);
    expect(discord.responses(interaction.id)).toHaveLength(1);
  });

  it('GIVEN outbound messages THEN channel posts and DMs (with files) are recorded', async () => {
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    await channel.send({ content: 'Budget food reached 80%', files: [new AttachmentBuilder(PNG, { name: 'b.png' })] });
    const post = await discord.waitForChannelMessage(channelId);
    expect(post).toMatchObject({ kind: 'channel-message', data: { content: 'Budget food reached 80%' } });
    expect(post.files[0]!.bytes.equals(PNG)).toBe(true);
    const fetched = await client.channels.fetch(channelId, { force: true });
    expect(fetched && 'name' in fetched ? fetched.name : undefined).toBe('money');
    const member = await client.guilds.cache.get(guild.id)!.members.fetch({ user: ann.id, force: true });
    expect(member.roles.cache.has(guild.roles.manager)).toBe(true);
    expect(member.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    const user = await client.users.fetch(ann.id);
    await user.send('Template applied');
    const dm = await discord.waitForDirectMessage(ann.id);
    expect(dm.data.content).toBe('Template applied');
  });

  it('GIVEN a guild added after login THEN the client receives GUILD_CREATE for it', async () => {
    const joined = discord.addGuild({ name: 'Trip', channels: [{ name: 'costs' }] });
    await expect.poll(() => client.guilds.cache.get(joined.id)?.channels.cache.size).toBe(1);
  });

  it('GIVEN heartbeats THEN the double acknowledges them and discord.js measures a ping', async () => {
    await expect.poll(() => client.ws.ping, { timeout: 3000 }).toBeGreaterThanOrEqual(0);
    expect(discord.gatewayStats.heartbeats).toBeGreaterThan(0);
  });

  it('GIVEN the socket drops THEN discord.js resumes and gets the interaction sent meanwhile', async () => {
    discord.dropConnections(4000);
    const interaction = discord.sendCommand({ guildId: guild.id, channelId, user: ann, name: 'coin', subcommand: 'fail' });
    await discord.waitForResponse(interaction.id);
    expect(discord.gatewayStats.resumes).toBe(1);
    expect(discord.gatewayStats.identifies).toBe(1);
  });

  it('GIVEN everything above THEN the handler saw no unexpected errors', () => {
    expect(seen.errors).toEqual([]);
  });
});

describe('discord double REST and gateway rules', () => {
  let discord: DiscordDouble;
  beforeAll(async () => {
    discord = await startDiscordDouble({ token: 'secret', applicationId: '200000000000000001' });
  });
  afterAll(async () => {
    await discord.close();
  });

  const call = (method: string, path: string, body?: unknown, auth = true) =>
    fetch(`${discord.restApi}/v10${path}`, {
      method,
      headers: { ...(auth ? { authorization: 'Bot secret' } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }).then(async (res) => ({ status: res.status, json: res.status === 204 ? null : await res.json() }));

  it('GIVEN a wrong token THEN bot routes answer 401 and the unversioned path works too', async () => {
    const res = await fetch(`${discord.restApi}/users/@me`, { headers: { authorization: 'Bot nope' } });
    expect(res.status).toBe(401);
    const ok = await fetch(`${discord.restApi}/users/@me`, { headers: { authorization: 'Bot secret' } });
    expect((await ok.json()).id).toBe('200000000000000001');
  });

  it('GIVEN an invalid command definition THEN registration fails with 50035', async () => {
    const res = await call('PUT', '/applications/200000000000000001/commands', [{ name: 'Spend', description: 'x' }]);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(50035);
    expect(res.json.errors['0'].name._errors[0].code).toBe('APPLICATION_COMMAND_INVALID_NAME');
  });

  it('GIVEN an empty or oversized message THEN Discord’s errors come back', async () => {
    const guild = discord.addGuild({ name: 'G' });
    const channel = guild.channels[0]!.id;
    const empty = await call('POST', `/channels/${channel}/messages`, { content: '' });
    expect(empty).toMatchObject({ status: 400, json: { code: 50006 } });
    const long = await call('POST', `/channels/${channel}/messages`, { content: 'x'.repeat(2001) });
    expect(long.json.errors.content._errors[0].code).toBe('BASE_TYPE_MAX_LENGTH');
    const unknown = await call('POST', '/channels/1/messages', { content: 'hi' });
    expect(unknown).toMatchObject({ status: 404, json: { code: 10003 } });
  });

  it('GIVEN an injected 500 THEN the next matching request fails once', async () => {
    discord.failNext({ method: 'GET', path: '/users/@me', status: 500 });
    expect((await call('GET', '/users/@me')).status).toBe(500);
    expect((await call('GET', '/users/@me')).status).toBe(200);
  });

  it('GIVEN no client session THEN sendCommand throws instead of silently dropping', () => {
    expect(() => discord.sendCommand({ channelId: '5', user: bob, name: 'help' })).toThrow(/no gateway session/);
  });

  it('GIVEN IDENTIFY with a bad token THEN the gateway closes with 4004', async () => {
    const ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json`);
    const [hello] = (await once(ws, 'message')) as [Buffer];
    expect(JSON.parse(hello.toString()).op).toBe(10);
    ws.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 1, properties: {} } }));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(4004);
  });

  it('GIVEN compress=zlib-stream THEN payloads are one deflate stream with sync flushes', async () => {
    discord.addGuild({ name: 'Z' });
    const ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
    const inflate = zlib.createInflate();
    const decoded: any[] = [];
    const flushed: boolean[] = [];
    let chain = Promise.resolve();
    ws.on('message', (data: Buffer) => {
      flushed.push(data.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff])));
      chain = chain.then(
        () =>
          new Promise<void>((resolve) => {
            const chunks: Buffer[] = [];
            const onData = (chunk: Buffer) => chunks.push(chunk);
            inflate.on('data', onData);
            inflate.write(data);
            inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
              inflate.off('data', onData);
              decoded.push(JSON.parse(Buffer.concat(chunks).toString()));
              resolve();
            });
          }),
      );
    });
    await expect.poll(() => decoded.length).toBe(1);
    expect(decoded[0].op).toBe(10);
    ws.send(JSON.stringify({ op: 2, d: { token: 'secret', intents: 1, properties: {} } }));
    await expect.poll(() => decoded.map((p) => p.t)).toEqual([null, 'READY', 'GUILD_CREATE', 'GUILD_CREATE']);
    ws.send(JSON.stringify({ op: 1, d: 2 }));
    await expect.poll(() => decoded.at(-1)?.op).toBe(11);
    expect(flushed.every(Boolean)).toBe(true);
    ws.close(1000);
    await once(ws, 'close');
    inflate.close();
  });
});

describe('discord double interaction shapes', () => {
  let discord: DiscordDouble;
  let guild: GuildSpec;
  let ws: WebSocket;
  const cid = () => guild.channels[0]!.id;

  beforeAll(async () => {
    discord = await startDiscordDouble({ token: 'secret', applicationId: '200000000000000002' });
    guild = discord.addGuild({ name: 'Shapes' });
    const put = await fetch(`${discord.restApi}/v10/applications/200000000000000002/guilds/${guild.id}/commands`, {
      method: 'PUT',
      headers: { authorization: 'Bot secret', 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          name: 'account',
          description: 'Accounts',
          options: [
            {
              type: 2,
              name: 'balance',
              description: 'Balances',
              options: [
                {
                  type: 1,
                  name: 'set',
                  description: 'Set a balance',
                  options: [
                    { type: 4, name: 'amount', description: 'Minor units', required: true },
                    { type: 3, name: 'kind', description: 'Kind', choices: [{ name: 'Cash', value: 'cash' }] },
                    { type: 6, name: 'who', description: 'Owner' },
                  ],
                },
              ],
            },
          ],
        },
        {
          name: 'import',
          description: 'Import a CSV',
          options: [{ type: 11, name: 'file', description: 'CSV', required: true }],
        },
      ]),
    });
    expect(put.status).toBe(200);
    // A bare gateway session so interactions can be dispatched without discord.js.
    ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json`);
    await once(ws, 'open');
    ws.send(JSON.stringify({ op: 2, d: { token: 'secret', intents: 0, properties: {} } }));
    await once(ws, 'message');
  });
  afterAll(async () => {
    ws.close(1000);
    await discord.close();
  });

  it('GIVEN a subcommand group THEN options nest group → subcommand → typed leaves with resolved users', () => {
    discord.addMember(guild.id, bob);
    const interaction = discord.sendCommand({
      guildId: guild.id,
      channelId: cid(),
      user: ann,
      name: 'account',
      subcommand: 'balance set',
      options: { amount: '1250', kind: 'cash', who: bob.id },
    });
    expect(interaction.data.options).toEqual([
      {
        name: 'balance',
        type: 2,
        options: [
          {
            name: 'set',
            type: 1,
            options: [
              { name: 'amount', type: 4, value: 1250 },
              { name: 'kind', type: 3, value: 'cash' },
              { name: 'who', type: 6, value: bob.id },
            ],
          },
        ],
      },
    ]);
    expect(interaction.data.resolved.users[bob.id].username).toBe('bob');
    expect(interaction.data.resolved.members[bob.id].permissions).toMatch(/^\d+$/);
    expect(BigInt(interaction.member!.permissions) & (1n << 5n)).toBe(0n);
  });

  it('GIVEN what a Discord user could not send THEN sendCommand throws', () => {
    const base = { guildId: guild.id, channelId: cid(), user: ann, name: 'account', subcommand: 'balance set' };
    expect(() => discord.sendCommand({ ...base, options: {} })).toThrow(/needs option "amount"/);
    expect(() => discord.sendCommand({ ...base, options: { amount: 1.5 } })).toThrow(/integer/);
    expect(() => discord.sendCommand({ ...base, options: { amount: 1, kind: 'gold' } })).toThrow(/one of "cash"/);
    expect(() => discord.sendCommand({ ...base, subcommand: 'balance', options: { amount: 1 } })).toThrow(/is a group/);
    expect(() => discord.sendCommand({ ...base, name: 'nope' })).toThrow(/not registered/);
  });

  it('GIVEN an attachment option THEN resolved.attachments points at the served bytes', async () => {
    const interaction = discord.sendCommand({
      guildId: guild.id,
      channelId: cid(),
      user: ann,
      name: 'import',
      attachments: { file: { name: 'events.csv', bytes: 'date,amount\n', contentType: 'text/csv' } },
    });
    const id = interaction.data.options[0].value;
    const attachment = interaction.data.resolved.attachments[id];
    expect(attachment).toMatchObject({ filename: 'events.csv', content_type: 'text/csv', size: 12 });
    expect(await (await fetch(attachment.url)).text()).toBe('date,amount\n');
  });

  it('GIVEN an invalid callback THEN it is rejected and the interaction stays unacknowledged', async () => {
    const interaction = discord.sendCommand({
      guildId: guild.id,
      channelId: cid(),
      user: ann,
      name: 'account',
      subcommand: 'balance set',
      options: { amount: 1 },
    });
    const callback = (body: unknown) =>
      fetch(`${discord.restApi}/v10/interactions/${interaction.id}/${interaction.token}/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await callback({
      type: 4,
      data: { content: 'x', components: [{ type: 1, components: [{ type: 2, style: 1, label: 'No id' }] }] },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.components['0'].components['0'].custom_id._errors[0].code).toBe(
      'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED',
    );
    expect((await callback({ type: 8, data: { choices: [] } })).status).toBe(400);
    expect(discord.responses(interaction.id)).toEqual([]);
    expect((await callback({ type: 4, data: { content: 'ok' } })).status).toBe(204);
    const again = await callback({ type: 4, data: { content: 'twice' } });
    expect(await again.json()).toMatchObject({ code: 40060 });
  });
});
