import { closeSync, createReadStream, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';

/**
 * Unpacks a gzipped ustar archive (what PGlite's `dumpDataDir('gzip')` writes: directories and
 * regular files, names of at most 255 characters) into `into`, streaming: never more than a
 * chunk of it in memory. Anything else in the archive (links, devices, names leaving `into`)
 * is refused.
 */
export async function untarGz(file: string, into: string): Promise<void> {
  const root = path.resolve(into);
  let pending: Buffer = Buffer.alloc(0);
  /** The file being written, how many of its bytes are still to come, and the padding after them (to the next 512-byte block). */
  let out: { fd: number; left: number; pad: number } | undefined;
  /** Padding bytes still to skip. */
  let skip = 0;
  let ended = false;

  const target = (name: string): string => {
    const full = path.resolve(root, name.replace(/^\/+/, ''));
    if (full !== root && !full.startsWith(root + path.sep)) throw new Error(`archive entry outside the folder: ${name}`);
    return full;
  };
  const text = (h: Buffer, at: number, len: number): string => {
    const end = h.indexOf(0, at);
    return h.toString('utf8', at, end === -1 || end > at + len ? at + len : end);
  };
  const octal = (h: Buffer, at: number, len: number): number => parseInt(text(h, at, len).trim() || '0', 8);

  try {
    for await (const chunk of createReadStream(file).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      if (ended) continue; // the zero blocks at the end
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (!ended) {
        if (skip) {
          const n = Math.min(skip, pending.length);
          skip -= n;
          pending = pending.subarray(n);
          if (skip) break;
        }
        if (out) {
          const n = Math.min(out.left, pending.length);
          for (let at = 0; at < n; ) at += writeSync(out.fd, pending, at, n - at);
          out.left -= n;
          pending = pending.subarray(n);
          if (out.left) break;
          closeSync(out.fd);
          skip = out.pad;
          out = undefined;
          continue;
        }
        if (pending.length < 512) break;
        const header = pending.subarray(0, 512);
        pending = pending.subarray(512);
        if (header.every((b) => b === 0)) {
          ended = true;
          break;
        }
        const prefix = text(header, 345, 155);
        const name = (prefix ? `${prefix}/` : '') + text(header, 0, 100);
        const mode = octal(header, 100, 8) & 0o777;
        const size = octal(header, 124, 12);
        const type = String.fromCharCode(header[156]!);
        if (type === '5') mkdirSync(target(name), { recursive: true, mode });
        else if (type === '0' || type === '\0') {
          const full = target(name);
          mkdirSync(path.dirname(full), { recursive: true });
          out = { fd: openSync(full, 'w', mode), left: size, pad: (512 - (size % 512)) % 512 };
        } else throw new Error(`archive entry of type '${type}' not supported: ${name}`);
      }
    }
  } finally {
    if (out) closeSync(out.fd);
  }
  if (!ended && (out || pending.length)) throw new Error('archive ends in the middle of an entry');
}
