import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../test/coin-process.js';
import { standardFontPdf } from '../test/receipts/write-pdf.js';

/**
 * `npm start` (app/start.mjs) on a copy of the sources, so that changing one does not touch the
 * checkout: compiled once, run compiled, compiled again after a change.
 */
describe('npm start runs COIN compiled', () => {
  const copy = mkdtempSync(path.join(tmpdir(), 'coin-start-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));
  for (const f of ['app', 'adapters', 'bot', 'domain', 'drizzle', 'workers', 'package.json', 'tsconfig.json'])
    cpSync(path.join(ROOT, f), path.join(copy, f), { recursive: true, filter: (src) => !/\.test\.tsx?$/.test(src) });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  const build = () => execFileSync(process.execPath, ['app/start.mjs', '--build'], { cwd: copy, encoding: 'utf8' }).trim();
  const builds = () => readdirSync(path.join(copy, '.cache', 'start')).sort();

  it('GIVEN the sources THEN the build is made once, reused while they stay, and made anew after one changes, keeping two older ones', () => {
    const first = build();
    expect(first).toMatch(/^COIN compiled for npm start: \.cache\/start\/[0-9a-f]{16}$/);
    expect(build()).toBe(first);
    expect(builds()).toHaveLength(1);
    const seen = [first];
    for (let i = 1; i <= 3; i++) {
      const later = new Date(Date.now() + i * 1000);
      utimesSync(path.join(copy, 'domain', 'money', 'amount.ts'), later, later);
      seen.push(build());
    }
    expect(new Set(seen).size).toBe(4);
    // The newest and the two before it; the oldest is gone.
    expect(builds()).toEqual(seen.slice(1).map((l) => l.split('/').pop()).sort());
  }, 120_000);

  it('GIVEN the compiled build run by plain node THEN a PDF receipt is read in its own process (the compiled entry beside it, run by plain node), and one past the time limit is stopped', () => {
    const dir = build().split(': ').pop()!;
    const pdf = path.join(copy, 'receipt.pdf');
    writeFileSync(pdf, standardFontPdf(['SUPERMART', 'TOTAL   11.83']));
    const script = `
      import { readFileSync } from 'node:fs';
      const { readPdfReceipt } = await import(${JSON.stringify(path.join(copy, dir, 'workers/receipts/receipt-pdf.js'))});
      const file = readFileSync(${JSON.stringify(pdf)});
      const read = await readPdfReceipt(file, 30000);
      const late = await readPdfReceipt(file, 1).then(() => 'read', (e) => e.problem);
      console.log(JSON.stringify({ text: read.text, kept: read.kept.length, late }));`;
    const { NODE_OPTIONS: _, ...env } = process.env;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: copy, env, encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toMatchObject({ text: 'SUPERMART\nTOTAL 11.83', late: 'pdf_slow' });
    expect((JSON.parse(out.trim().split('\n').at(-1)!) as { kept: number }).kept).toBeGreaterThan(1000);
  }, 120_000);

  it('GIVEN a new DATA_DIR THEN the compiled COIN answers in the terminal chat and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'coin-start-data-'));
    try {
      const child = spawn(process.execPath, ['app/start.mjs'], {
        cwd: copy,
        env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, PORT: '0' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.stdin.write('4.50 coffee\n');
      const end = Date.now() + 60_000;
      while (!out.includes('#1 ') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('#1 −4.50 EUR');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
