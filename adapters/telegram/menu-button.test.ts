import { Bot } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramDouble, type TelegramDouble } from '../../test/doubles/telegram-api.js';
import { setWebAppMenuButton } from './menu-button.js';
import { keyboard } from './render.js';

describe('the chat menu button', () => {
  let tg: TelegramDouble;
  let bot: Bot;
  beforeAll(async () => {
    tg = await startTelegramDouble();
    bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  });
  afterAll(() => tg.close());

  it('GIVEN an https PUBLIC_URL THEN the menu button opens the web app as a Mini App', async () => {
    expect(await setWebAppMenuButton(bot.api, 'https://coin.example.org/')).toBe(true);
    expect(await bot.api.getChatMenuButton()).toEqual({ type: 'web_app', text: 'COIN', web_app: { url: 'https://coin.example.org/app/' } });
  });

  it('GIVEN an http address THEN it is left alone (Telegram takes only https)', async () => {
    await bot.api.setChatMenuButton({ menu_button: { type: 'commands' } });
    expect(await setWebAppMenuButton(bot.api, 'http://localhost:8080')).toBe(false);
    expect(await bot.api.getChatMenuButton()).toEqual({ type: 'commands' });
  });

  it('GIVEN a reply with a web app button THEN Telegram gets a web_app inline button after the others', async () => {
    const markup = keyboard({ text: 'x', buttons: [[{ label: 'Undo', action: 'undo:1' }]], webApp: { label: 'Open COIN', url: 'https://coin.example.org/app/' } });
    expect(markup?.inline_keyboard).toEqual([[{ text: 'Undo', callback_data: 'undo:1' }], [{ text: 'Open COIN', web_app: { url: 'https://coin.example.org/app/' } }]]);
    const sent = await bot.api.sendMessage(1, 'hi', { reply_markup: markup! }).catch((e: Error) => e);
    expect(sent).not.toBeInstanceOf(Error);
  });
});
