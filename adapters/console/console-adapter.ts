import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { userInfo } from 'node:os';
import type { Dispatcher } from '../../bot/dispatcher.js';
import type { Reply } from '../../bot/reply.js';
import type { ChatRef, IdentityRef } from '../../domain/ports.js';

export interface ConsoleDeps {
  dispatcher: Dispatcher;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Where chart images and CSV files are saved. */
  outDir: string;
  user?: string;
}

/**
 * A terminal chat that speaks the same commands against the same books: the quickest way to
 * see COIN work. Buttons are numbered; type `!1` to press the first one.
 */
export function startConsoleChat(deps: ConsoleDeps): { done: Promise<void>; close: () => void } {
  const name = deps.user ?? process.env.USER ?? systemUser() ?? 'you';
  // Titled like a private Telegram chat: after its person (the title shows in /stats and charts).
  const chat: ChatRef = { platform: 'console', chatId: 'local', kind: 'private', title: name };
  const from: IdentityRef = { platform: 'console', externalId: name, name };
  const rl = readline.createInterface({ input: deps.input, output: deps.output, terminal: false });
  let buttons: string[] = [];
  let saved = 0;
  const write = (s: string) => deps.output.write(s + '\n');

  const save = (file: string, content: Buffer): string => {
    mkdirSync(deps.outDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const full = path.resolve(deps.outDir, `${stamp}-${++saved}-${file}`);
    writeFileSync(full, content);
    return full;
  };

  const render = (replies: Reply[]) => {
    buttons = [];
    for (const r of replies) {
      write(r.text);
      if (r.pre) write(r.pre);
      if (r.image) write(`[chart saved to ${save(r.image.name, r.image.png)}]`);
      if (r.file) write(`[file saved to ${save(r.file.name, r.file.content)}]`);
      for (const row of r.buttons ?? [])
        for (const b of row) {
          buttons.push(b.action);
          write(`  [!${buttons.length}] ${b.label}`);
        }
    }
  };

  write('COIN terminal chat. Try: 4.50 coffee · +2500 salary · /stats · /help · Ctrl-D to quit');
  const done = (async () => {
    for await (const line of rl) {
      const text = line.trim();
      if (!text) continue;
      const press = /^!(\d+)$/.exec(text);
      if (press) {
        const action = buttons[Number(press[1]) - 1];
        if (!action) write('No such button.');
        else render((await deps.dispatcher.handleAction({ chat, from, platformAdmin: false, action })).replies);
        continue;
      }
      render(await deps.dispatcher.handleMessage({ chat, from, platformAdmin: false, text, addressedToBot: true }));
    }
  })();
  return { done, close: () => rl.close() };
}

/** The login name of whoever runs the terminal chat, if the system knows one. */
function systemUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}
