import iconv from 'iconv-lite';

/** Text encodings statements come in. `auto`: a BOM decides, else UTF-8 when valid, else Windows-1252. */
export type StatementEncoding = 'auto' | 'utf-8' | 'utf-16le' | 'windows-1251' | 'windows-1252';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns a statement file's bytes into text. A byte-order mark always wins (and is dropped); with
 * `auto` and no BOM, bytes that are valid UTF-8 are read as UTF-8, others as `fallback`
 * (Windows-1252 unless told, e.g. Windows-1251 for a Russian bank's CSV).
 */
export function decodeStatement(bytes: Uint8Array, encoding: StatementEncoding = 'auto', fallback: 'windows-1251' | 'windows-1252' = 'windows-1252'): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf.subarray(2), 'utf-16be');
  if (encoding === 'utf-8') return buf.toString('utf8');
  if (encoding === 'utf-16le') return buf.toString('utf16le');
  if (encoding !== 'auto') return iconv.decode(buf, encoding);
  try {
    return utf8.decode(buf);
  } catch {
    return iconv.decode(buf, fallback);
  }
}

/** Encodes text the way a bank's export would (for fixtures and round trips). */
export function encodeStatement(text: string, encoding: Exclude<StatementEncoding, 'auto'>, bom = false): Buffer {
  if (encoding === 'utf-8') return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
  if (encoding === 'utf-16le') return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
  return iconv.encode(text, encoding);
}
