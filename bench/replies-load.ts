import type { TelegramDouble } from '../test/doubles/telegram-api.js';

/**
 * Load for the reply benchmark (issue 12), generated in the Bot API double's process: `chats`
 * chats each send one burst of `burst` records at a moment spread evenly over `spreadMs` (open
 * loop: nothing waits for answers). A record's latency runs from its burst's moment to the first
 * message that answers it (`#N −…`, coalesced messages answer several).
 */
export interface RepliesSpec {
  chats: number;
  burst: number;
  spreadMs: number;
  chatBase: number;
}

export interface RepliesResult {
  /** Per record, ms. */
  latencies: number[];
  /** From the first burst to the last answer. */
  seconds: number;
  messages: number;
  answered: number;
}

export function runRepliesLoad(tg: TelegramDouble, spec: RepliesSpec): Promise<RepliesResult> {
  const sentAt = new Array<number>(spec.chats).fill(NaN);
  const answered = Array.from({ length: spec.chats }, () => new Set<number>());
  const latencies: number[] = [];
  const total = spec.chats * spec.burst;
  let messages = 0;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const off = tg.onSent((m) => {
      const c = m.chat_id - spec.chatBase;
      if (c < 0 || c >= spec.chats || m.method !== 'sendMessage') return;
      messages++;
      for (const x of (m.text ?? '').matchAll(/#(\d+) −/g)) {
        const n = Number(x[1]);
        if (answered[c]!.has(n)) continue;
        answered[c]!.add(n);
        latencies.push(performance.now() - sentAt[c]!);
      }
      if (latencies.length === total) {
        off();
        resolve({ latencies, seconds: (performance.now() - t0) / 1000, messages, answered: latencies.length });
      }
    });
    for (let c = 0; c < spec.chats; c++) {
      setTimeout(() => {
        sentAt[c] = performance.now();
        const id = spec.chatBase + c;
        for (let n = 1; n <= spec.burst; n++) tg.sendText({ id, type: 'private' }, { id, first_name: `User${id}` }, `${n}.25 coffee`);
      }, (c * spec.spreadMs) / spec.chats);
    }
  });
}
