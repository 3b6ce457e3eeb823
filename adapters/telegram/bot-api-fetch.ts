import { Agent, request } from 'undici';
import type { Readable } from 'node:stream';

/** The part of a fetch Response that grammY's API client reads. */
interface BotApiResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

interface BotApiInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  signal?: AbortSignal;
}

/**
 * grammY's `client.fetch` on undici's `request` (the engine under Node's own fetch, without the
 * WHATWG stream and Response layers): one keep-alive connection pool for the Bot API. grammY
 * only ever POSTs a JSON string or a multipart stream and reads the JSON answer, so that is all
 * this speaks. Measured in `npm run bench -- telegram`.
 */
export function botApiFetch(): (url: string, init?: BotApiInit) => Promise<BotApiResponse> {
  const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: 64 });
  return async (url, init = {}) => {
    const res = await request(url, {
      method: (init.method ?? 'GET') as 'POST',
      headers: init.headers ?? {},
      body: init.body ?? null,
      signal: init.signal ?? null,
      dispatcher,
    });
    return { ok: res.statusCode >= 200 && res.statusCode < 300, status: res.statusCode, json: () => res.body.json() };
  };
}
