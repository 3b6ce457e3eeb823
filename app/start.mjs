// `npm start`: COIN compiled to JavaScript, then app/cli.ts's compiled self in this process.
//
// Running the TypeScript through tsx costs the embedded mode ≈ 80 MB of resident memory for as
// long as it runs (tsx's loader thread with its own V8 isolate, every module transformed on
// load and kept with its source map): over the 250 MB the embedded mode may use (issue 19). So
// the sources are compiled once with esbuild (a dependency, a prebuilt binary) into
// `.cache/start/<key>/`, keyed by every source file's path, size and time of change; a start
// with unchanged sources runs that build at once, a change rebuilds it (about a second).
// `npm install` builds it ahead (`prepare`), so the first start does not wait for it.
// `node start.mjs --build` only builds. Tests and tools keep running the sources with tsx.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Folders compiled; everything in them but tests goes in (migrations, the web client, the postgres.js mends are copied as they are). */
const SOURCES = ['app', 'adapters', 'bot', 'domain', 'drizzle', 'workers'];
const isTest = (f) => /\.test\.tsx?$/.test(f);

/** Every source file, relative to the root, sorted. */
function sourceFiles() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (!isTest(e.name)) out.push(rel);
    }
  };
  for (const dir of SOURCES) walk(dir);
  return out.sort();
}

/** The build folder for these sources: named by their paths, sizes and times of change. */
function buildKey(files) {
  const hash = createHash('sha256');
  for (const f of [...files, 'package.json', 'tsconfig.json']) {
    const s = statSync(path.join(root, f));
    hash.update(`${f}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Compiles the sources into `.cache/start/<key>/` unless there already; answers that folder. */
export async function build() {
  const files = sourceFiles();
  const cache = path.join(root, '.cache', 'start');
  const dir = path.join(cache, buildKey(files));
  if (existsSync(dir)) return dir;
  const draft = `${dir}.${process.pid}.tmp`;
  rmSync(draft, { recursive: true, force: true });
  const { build: esbuild } = await import('esbuild');
  const code = files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith(path.join('adapters', 'web', 'client')));
  await esbuild({
    entryPoints: code.map((f) => path.join(root, f)),
    outdir: draft,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'error',
  });
  for (const f of files) if (!/\.tsx?$/.test(f) || f.startsWith(path.join('adapters', 'web', 'client'))) cpSync(path.join(root, f), path.join(draft, f));
  mkdirSync(cache, { recursive: true });
  try {
    renameSync(draft, dir);
  } catch (err) {
    // Another start built the same sources at the same moment: theirs is as good.
    rmSync(draft, { recursive: true, force: true });
    if (!existsSync(dir)) throw err;
  }
  // Older builds go, but the two newest stay: a COIN still running from one loads some modules
  // late (a chart's libraries, say). Builds being written by another start end in .tmp.
  const old = readdirSync(cache)
    .filter((f) => f !== path.basename(dir) && !f.endsWith('.tmp'))
    .map((f) => ({ f, at: statSync(path.join(cache, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { f } of old.slice(2)) rmSync(path.join(cache, f), { recursive: true, force: true });
  return dir;
}

if (process.argv[2] === '--build') {
  const dir = await build();
  process.stdout.write(`COIN compiled for npm start: ${path.relative(root, dir)}\n`);
} else {
  const dir = await build();
  await import(pathToFileURL(path.join(dir, 'app', 'cli.js')).href);
}
