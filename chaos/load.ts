import type { TelegramDouble } from '../test/doubles/telegram-api.js';
import { recordText } from './ledger-check.js';

export interface LoadSpec {
  chats: number[];
  perChat: number;
  /** Records a chat sends at once. */
  burst: number;
  /** Pause between a chat's bursts, ms. */
  gapMs: number;
}

/**
 * Chats sending records in bursts: every `gapMs` each chat sends its next `burst` records at
 * once (chats staggered across the gap). Resolves when everything is offered.
 */
export async function offer(tg: TelegramDouble, spec: LoadSpec): Promise<void> {
  const rounds = Math.ceil(spec.perChat / spec.burst);
  for (let round = 0; round < rounds; round++) {
    const step = spec.gapMs / spec.chats.length;
    for (const chat of spec.chats) {
      for (let k = 0; k < spec.burst; k++) {
        const n = round * spec.burst + k + 1;
        if (n > spec.perChat) break;
        tg.sendText({ id: chat, type: 'private' }, { id: chat, first_name: `Chaos${chat}` }, recordText(n));
      }
      await new Promise((r) => setTimeout(r, step));
    }
  }
}

/** Waits until every chat's records 1..perChat have an answer, or `timeoutMs` passes. */
export async function settled(tg: TelegramDouble, spec: Pick<LoadSpec, 'chats' | 'perChat'>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  const done = () =>
    spec.chats.every((chat) => {
      const seen = new Set<number>();
      for (const m of tg.outbox(chat)) for (const x of (m.text ?? '').matchAll(/#(\d+) −/g)) seen.add(Number(x[1]));
      return seen.size >= spec.perChat;
    });
  while (Date.now() < end) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return done();
}
