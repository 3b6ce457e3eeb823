import type { Api } from 'grammy';

/**
 * Makes the chat menu button (next to the message field) open the web app as a Mini App, for
 * every private chat with the bot. Telegram takes only https addresses.
 */
export async function setWebAppMenuButton(api: Pick<Api, 'setChatMenuButton'>, publicUrl: string): Promise<boolean> {
  if (!publicUrl.startsWith('https:')) return false;
  await api.setChatMenuButton({ menu_button: { type: 'web_app', text: 'COIN', web_app: { url: `${publicUrl.replace(/\/+$/, '')}/app/` } } });
  return true;
}
