import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { userInfo } from 'node:os';
import type { Dispatcher } from '../../bot/dispatcher.js';
import type { Reply } from '../../bot/reply.js';
import type { ChatRef, IdentityRef } from '../../domain/ports.js';
import { MAX_IMPORT_BYTES } from '../../domain/ledger/csv-import.js';

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

  const prompt = () => deps.output.write('> ');
  write('COIN terminal chat. Try: 4.50 coffee · +2500 salary · /stats · /import file.csv · /help · Ctrl-D to quit');
  prompt();
  const done = (async () => {
    for await (const line of rl) {
      await handle(line.trim());
      prompt();
    }
  })();

  async function handle(text: string): Promise<void> {
    {
      if (!text) return;
      // A terminal cannot attach a file: `/import <path>` reads it from disk (SPEC §7);
      // `/import map …` (a bank CSV's columns) is a command like any other.
      const imp = /^\/import(?:@\w+)?\s+(?!map(?:\s|$))(.+)$/i.exec(text);
      if (imp) {
        const file = await readAttachment(imp[1]!.trim().replace(/^(["'])(.*)\1$/, '$2'));
        if (typeof file === 'string') {
          write(file);
          return;
        }
        return render(await deps.dispatcher.handleMessage({ chat, from, platformAdmin: false, text: '/import', addressedToBot: true, attachment: file }));
      }
      const press = /^!(\d+)$/.exec(text);
      if (press) {
        const action = buttons[Number(press[1]) - 1];
        if (!action) write('No such button.');
        else render((await deps.dispatcher.handleAction({ chat, from, platformAdmin: false, action })).replies);
        return;
      }
      render(await deps.dispatcher.handleMessage({ chat, from, platformAdmin: false, text, addressedToBot: true }));
    }
  }
  return { done, close: () => rl.close() };
}

/** A file named in `/import <path>`, or why it cannot be read. */
async function readAttachment(file: string): Promise<{ name: string; content: Buffer } | string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return `${file} is not a file.`;
    if (info.size > MAX_IMPORT_BYTES) return `${file} is larger than ${MAX_IMPORT_BYTES} bytes; split it into smaller files.`;
    return { name: path.basename(file), content: await readFile(file) };
  } catch (err) {
    return `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((err as Error).message)}.`;
  }
}

/** The login name of whoever runs the terminal chat, if the system knows one. */
function systemUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}
