import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.js';

const ann = { id: '1', name: 'Ann' };
const bob = { id: '2', name: 'Bob' };

describe('chat commands on PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('GIVEN a first quick entry THEN Main is created and the reply shows #N, amount, account and balance', async () => {
    const out = await h.say(ann, '4.50 coffee');
    expect(out).toContain('#1 −4.50 EUR');
    expect(out).toContain('@Main');
    expect(out).toContain('Main: −4.50 EUR');
    const [reply] = await h.replies(ann, '+2500 salary');
    expect(reply!.text).toContain('#2 +2,500.00 EUR');
    expect(reply!.buttons?.[0]?.[0]?.action).toBe('undo:2');
  });

  it('GIVEN an existing label as the first note word THEN it becomes the label', async () => {
    await h.say(ann, '/spend 3 #coffee');
    expect(await h.say(ann, '2.20 coffee')).toContain('#coffee');
  });

  it('GIVEN bad amounts THEN the reply says what is wrong and nothing is recorded', async () => {
    const before = await h.say(ann, '/accounts');
    expect(await h.say(ann, '/spend abc')).toContain('is not an amount');
    expect(await h.say(ann, '/spend 0.505 EUR')).toMatch(/2 decimal places/);
    expect(await h.say(ann, '/spend 3 JPY')).toContain('not JPY');
    expect(await h.say(ann, '/spend 0')).toContain('cannot be zero');
    expect(await h.say(ann, '/spend 10000000000000')).toContain('too large');
    expect(await h.say(ann, '/spend 5 @nowhere')).toContain('Accounts: Main');
    expect(await h.say(ann, '/spend')).toContain('Usage: /spend');
    expect(await h.say(ann, '/nosuch')).toContain('I do not know /nosuch');
    expect(await h.say(ann, '/accounts')).toBe(before);
  });

  it('GIVEN a record THEN undo removes it and restores the balance, and the button can restore it', async () => {
    const rec = await h.say(bob, '10 lunch');
    expect(rec).toContain('Main: −10.00 EUR');
    const undone = await h.say(bob, '/undo');
    expect(undone).toContain('Undone #1');
    expect(undone).toContain('Main: 0.00 EUR');
    expect(await h.say(bob, '/undo')).toContain('Nothing to undo');
    const restored = await h.press(bob, 'restore:1');
    expect(restored.replies[0]!.text).toContain('Restored #1');
    expect(await h.say(bob, '/accounts')).toContain('−10.00 EUR');
  });

  it('GIVEN accounts in two currencies THEN a transfer needs both amounts and moves both balances', async () => {
    const carl = { id: '3', name: 'Carl' };
    await h.say(carl, '/account add Euros EUR 1000');
    await h.say(carl, '/account add Dollars USD');
    expect(await h.say(carl, '/transfer 100 Euros Dollars')).toContain('both amounts');
    const out = await h.say(carl, '/transfer 100 eur 108.50 usd Euros Dollars exchange');
    expect(out).toContain('Euros: 900.00 EUR');
    expect(out).toContain('Dollars: 108.50 USD');
    expect(await h.say(carl, '/spend 5 usd snack')).toContain('@Dollars');
  });

  it('GIVEN edits THEN amount, label, account, date and note change and balances follow', async () => {
    const dan = { id: '4', name: 'Dan' };
    await h.say(dan, '/account add Cash');
    await h.say(dan, '/account add Card');
    await h.say(dan, '/spend 20 #food @Cash groceries');
    expect(await h.say(dan, '/edit #1 amount 25')).toContain('−25.00 EUR');
    expect(await h.say(dan, '/edit #1 label #market #weekly')).toContain('#market #weekly');
    expect(await h.say(dan, '/edit #1 account Card')).toContain('@Card');
    expect(await h.say(dan, '/edit #1 date 2026-11-20')).toContain('2026-11-20');
    expect(await h.say(dan, '/edit #1 note farmers market')).toContain('farmers market');
    expect(await h.say(dan, '/edit #1 colour red')).toContain('You can edit');
    expect(await h.say(dan, '/edit #9 amount 1')).toContain('no record #9');
    const accounts = await h.say(dan, '/accounts');
    expect(accounts).toMatch(/Cash\s+0\.00 EUR/);
    expect(accounts).toMatch(/Card\s+−25\.00 EUR/);
  });

  it('GIVEN a group THEN members record into one book, chatter is ignored and members cannot change others’ records', async () => {
    const g = 'group-1';
    expect(await h.say(ann, 'hello everyone', g)).toBe('');
    expect(await h.say(ann, '12 pizza', g)).toContain('#1 −12.00 EUR');
    expect(await h.say(bob, '8 drinks', g)).toContain('Main: −20.00 EUR');
    expect(await h.say(bob, '/delete #1', g)).toContain('only change your own');
    expect(await h.say(bob, '+1', g)).toBe('');
    const hist = await h.say(bob, '/history', g);
    expect(hist).toContain('(Ann)');
    expect(hist).toContain('(Bob)');
  });

  it('GIVEN the same update twice THEN it is applied once', async () => {
    const msg = {
      chat: { platform: 'telegram' as const, chatId: 'dup', kind: 'private' as const, title: 'dup' },
      from: { platform: 'telegram' as const, externalId: '77', name: 'Eve' },
      platformAdmin: false,
      text: '5 tea',
      updateKey: 'tg:test:1',
    };
    expect(await h.dispatcher.handleMessage(msg)).toHaveLength(1);
    expect(await h.dispatcher.handleMessage(msg)).toHaveLength(0);
    expect(await h.say({ id: '77', name: 'Eve' }, '/history')).not.toContain('#2');
  });

  it('GIVEN settings THEN currency, timezone and language change and bad values are refused', async () => {
    const fay = { id: '5', name: 'Fay' };
    expect(await h.say(fay, '/currency usd')).toContain('USD');
    expect(await h.say(fay, '/currency XYZ')).toContain('not a currency');
    expect(await h.say(fay, '/timezone Europe/Berlin')).toContain('13:00');
    expect(await h.say(fay, '/timezone Mars/Base')).toContain('not a time zone');
    expect(await h.say(fay, '5 coffee')).toContain('−5.00 USD');
  });
});
