import type { TelegramDouble } from '../test/doubles/telegram-api.js';

/**
 * Load for the Telegram benchmark, generated inside the Bot API double's process so that the
 * clock that stamps an update and the clock that sees its reply are the same, and no IPC sits
 * between them.
 *
 * - `closed`: every chat sends its next record as soon as the previous one is answered (as many
 *   updates in flight as chats): the saturation throughput.
 * - `open`: updates are queued on a fixed schedule (`rate` per second, round robin over the
 *   chats) whatever the bot is doing, and latency counts from the scheduled moment, so a slow
 *   bot cannot hide its backlog (no coordinated omission): the latency at a given load.
 */
export interface LoadSpec {
  mode: 'closed' | 'open';
  chats: number;
  perChat: number;
  /** First chat id; each run uses new chats so their first update (sign-up) is measured too. */
  chatBase: number;
  /** Updates per second for `open`. */
  rate?: number;
}

export interface LoadResult {
  seconds: number;
  /** Update→reply latency of every update, ms, in send order per chat (first update first). */
  latencies: number[][];
  /** CPU time the double itself used during the run, ms. */
  cpuMs: number;
  /** Messages the bot sent these chats (a burst's replies go out coalesced: fewer than updates). */
  messages: number;
}

export function runLoad(tg: TelegramDouble, spec: LoadSpec): Promise<LoadResult> {
  const { chats, perChat, chatBase } = spec;
  const sentAt = Array.from({ length: chats }, () => new Array<number>(perChat));
  const latencies: (number | undefined)[][] = Array.from({ length: chats }, () => new Array<number | undefined>(perChat).fill(undefined));
  const replies = new Array<number>(chats).fill(0);
  const total = chats * perChat;
  let done = 0;
  let messages = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  const send = (c: number, n: number, at: number): void => {
    sentAt[c]![n] = at;
    const id = chatBase + c;
    tg.sendText({ id, type: 'private' }, { id, first_name: `User${id}` }, `${n + 1}.25 coffee #bench`);
  };

  return new Promise((resolve) => {
    const off = tg.onSent((m) => {
      const c = m.chat_id - chatBase;
      if (c < 0 || c >= chats || m.method !== 'sendMessage') return;
      messages++;
      // A message answers the records whose `#N −` it holds (a burst is answered coalesced);
      // the chats are new, so record n of a chat is its #n.
      for (const x of (m.text ?? '').matchAll(/#(\d+) −/g)) {
        const n = Number(x[1]) - 1;
        if (n < 0 || n >= perChat || latencies[c]![n] !== undefined) continue;
        replies[c]!++;
        latencies[c]![n] = performance.now() - sentAt[c]![n]!;
        if (spec.mode === 'closed' && n + 1 < perChat) send(c, n + 1, performance.now());
        done++;
      }
      if (done === total) {
        off();
        const cpu = process.cpuUsage(cpu0);
        resolve({ seconds: (performance.now() - t0) / 1000, latencies: latencies as number[][], cpuMs: (cpu.user + cpu.system) / 1000, messages });
      }
    });

    if (spec.mode === 'closed') {
      for (let c = 0; c < chats; c++) send(c, 0, performance.now());
      return;
    }
    // Open loop: update k is due at t0 + k / rate; a 1 ms timer queues whatever is due.
    const interval = 1000 / (spec.rate ?? 1000);
    let k = 0;
    const tick = (): void => {
      const now = performance.now();
      while (k < total && t0 + k * interval <= now) {
        send(k % chats, Math.floor(k / chats), t0 + k * interval);
        k++;
      }
      if (k < total) setTimeout(tick, 1);
    };
    tick();
  });
}
