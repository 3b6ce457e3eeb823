import { startTelegramDouble } from '../test/doubles/telegram-api.js';
import { runLoad, type LoadSpec } from './telegram-load.js';
import { runRepliesLoad, type RepliesSpec } from './replies-load.js';
import { startWebhookSender } from '../test/doubles/telegram-webhook-sender.js';

/**
 * The Bot API double in a process of its own for the Telegram benchmark, so serving the API does
 * not share the bot's event loop (in production Telegram is on another machine). It also
 * generates the load (`bench/telegram-load.ts`).
 * Messages: {waitForPoll} → {polling}; {run, spec} → {result}; {replies, replies} → {repliesResult};
 * {webhook, url, secret} → {webhooking} (updates are POSTed to url from then on); {unhook} → {unhooked};
 * {close} → {closed}.
 */
const tg = await startTelegramDouble();
let sender: ReturnType<typeof startWebhookSender> | undefined;
process.on('message', async (m: { type: string; spec?: LoadSpec; replies?: RepliesSpec; url?: string; secret?: string }) => {
  if (m.type === 'webhook') {
    sender = startWebhookSender(tg, { url: m.url!, secret: m.secret! });
    process.send!({ type: 'webhooking' });
  } else if (m.type === 'unhook') {
    sender?.stop();
    sender = undefined;
    process.send!({ type: 'unhooked' });
  } else if (m.type === 'waitForPoll') {
    await tg.waitForPoll();
    process.send!({ type: 'polling' });
  } else if (m.type === 'run') {
    const result = await runLoad(tg, m.spec!);
    tg.clearRecords();
    process.send!({ type: 'result', result });
  } else if (m.type === 'replies') {
    const result = await runRepliesLoad(tg, m.replies!);
    tg.clearRecords();
    process.send!({ type: 'repliesResult', result });
  } else if (m.type === 'close') {
    await tg.close();
    process.send!({ type: 'closed' });
    process.disconnect();
  }
});
process.send!({ type: 'ready', apiRoot: tg.apiRoot, token: tg.token });
