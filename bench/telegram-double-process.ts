import { startTelegramDouble } from '../test/doubles/telegram-api.js';

/**
 * The Bot API double in a process of its own for the Telegram benchmark, so serving the API does
 * not share the bot's event loop (in production Telegram is on another machine).
 * Messages: {send, chatId, n, text} → {replied, chatId, n} once the chat has n replies.
 */
const tg = await startTelegramDouble();
process.on('message', async (m: { type: string; chatId?: number; n?: number; text?: string }) => {
  if (m.type === 'waitForPoll') {
    await tg.waitForPoll();
    process.send!({ type: 'polling' });
  } else if (m.type === 'send') {
    const user = { id: m.chatId!, first_name: `User${m.chatId}` };
    tg.sendText({ id: m.chatId!, type: 'private' }, user, m.text!);
    await tg.waitForCount(m.chatId!, m.n!, 60_000);
    process.send!({ type: 'replied', chatId: m.chatId, n: m.n });
  } else if (m.type === 'close') {
    await tg.close();
    process.send!({ type: 'closed' });
    process.disconnect();
  }
});
process.send!({ type: 'ready', apiRoot: tg.apiRoot, token: tg.token });
