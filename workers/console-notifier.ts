import type { Notifier } from './notifier.js';

/**
 * The terminal chat's notifications: printed where the chat is, marked so they read as the bot
 * speaking on its own (a template applied while you typed).
 */
export function consoleNotifier(output: NodeJS.WritableStream): Notifier {
  return {
    async send(_platform, _chatId, reply) {
      const lines = [`[COIN] ${reply.text}`];
      if (reply.pre) lines.push(reply.pre);
      output.write(lines.join('\n') + '\n');
      return 'sent';
    },
  };
}
