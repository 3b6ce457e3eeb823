import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { writeCamt } from '../../test/statements/writers.js';
import { encodeStatement } from '../../domain/statements/decode.js';
import { startConsoleChat } from './console-adapter.js';

/** The terminal chat: `/import <path>` reads the statement from disk; numbered buttons answer. */
describe('terminal /import <path> with a bank statement', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await createHarness({ engine: 'pglite', now: '2026-05-20T12:00:00Z' });
    dir = mkdtempSync(path.join(tmpdir(), 'coin-statements-'));
  });
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const session = async (lines: string[]): Promise<string> => {
    const input = new PassThrough();
    const output = new PassThrough();
    let out = '';
    output.on('data', (d) => (out += String(d)));
    const chat = startConsoleChat({ dispatcher: h.dispatcher, input, output, outDir: dir, user: 'terminal-user' });
    input.end(lines.map((l) => l + '\n').join(''));
    await chat.done;
    return out;
  };

  it('GIVEN a CAMT file on disk THEN /import <path> asks the account, !1 shows the preview, !1 imports, and the same path again adds nothing', async () => {
    const file = path.join(dir, 'may.xml');
    writeFileSync(
      file,
      writeCamt(
        {
          format: 'camt.053',
          accountId: 'DE89370400440532013000',
          currency: 'EUR',
          rows: [
            { externalId: 'R1', date: '2026-05-03', amountMinor: -1999, currency: 'EUR', payee: 'Book shop', memo: '' },
            { externalId: 'R2', date: '2026-05-04', amountMinor: 5000, currency: 'EUR', payee: 'Refund', memo: '' },
          ],
        },
        '053',
      ),
    );
    const out = await session(['4.50 coffee', `/import ${file}`, '!1', '!1', `/import ${file}`, '/accounts']);
    expect(out).toContain('CAMT.053 statement …3000, 2 transactions. Which account is it?');
    expect(out).toContain('  [!1] @Main\n  [!2] Cancel');
    expect(out).toContain('CAMT.053 statement, 2 transactions, compared with @Main: 2 new, 0 already imported. Nothing is imported yet.\n  [!1] Import\n  [!2] Cancel');
    expect(out).toContain('Imported into @Main: 2 new, 0 merged with records you typed, 0 there already.');
    expect(out).toContain('CAMT.053 statement, 2 transactions, compared with @Main: all 2 are imported already. Nothing to do.');
    expect(out).toMatch(/Main +25\.51 EUR/);
  });

  it('GIVEN a bank CSV in Windows-1252 whose columns are not guessed THEN /import map in the terminal gives them', async () => {
    const file = path.join(dir, 'bank.csv');
    writeFileSync(file, encodeStatement('Wann;Was;Wieviel\n02.05.2026;Café Müller;-3,80\n', 'windows-1252'));
    const out = await session([`/import ${file}`, '/import map date=1 payee=2 amount=3 format=DD.MM.YYYY decimal=,', '!1', '!1']);
    expect(out).toContain('Bank CSV: which column holds what? The header: Wann;Was;Wieviel.');
    expect(out).toContain('Bank CSV, 1 transactions, read as /import map date=1 amount=3 payee=2 format=DD.MM.YYYY decimal=,');
    expect(out).toContain('Imported into @Main: 1 new, 0 merged with records you typed, 0 there already.');
  });
});
