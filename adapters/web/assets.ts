import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** One built file served under `/app/assets/<name>-<hash>.<ext>`. */
export interface Asset {
  /** The fingerprinted file name (`app-3f2a9c1d.js`). */
  file: string;
  body: Buffer;
  gzip: Buffer;
  type: string;
}

/** The web app's static files, by logical name (`app.js`, `charts.js`, `app.css`). */
export interface Assets {
  byLogical: Map<string, Asset>;
  byFile: Map<string, Asset>;
  /** `/app/assets/app-3f2a9c1d.js` for `app.js`. */
  url(logical: string): string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Where the client sources are: next to this module when running from TypeScript (`tsx`), or,
 * when this module runs compiled elsewhere (`dist/`), the compiled `client/*.js` beside it or
 * the repository's `adapters/web/client` under the working directory. The stylesheet is read
 * from the first of those folders that has it.
 */
function clientFiles(): { app: string; charts: string; css: string } {
  const dirs = [path.join(here, 'client'), path.resolve('adapters/web/client')];
  const find = (names: string[]) => {
    for (const dir of dirs) for (const n of names) if (existsSync(path.join(dir, n))) return path.join(dir, n);
    throw new Error(`web app client file ${names[0]} not found in ${dirs.join(' or ')}`);
  };
  return { app: find(['app.ts', 'app.js']), charts: find(['charts.ts', 'charts.js']), css: find(['app.css']) };
}

function asset(logical: string, body: Buffer, type: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const ext = path.extname(logical);
  return { file: `${path.basename(logical, ext)}-${hash}${ext}`, body, gzip: gzipSync(body, { level: 9 }), type };
}

let building: Promise<Assets> | undefined;

/**
 * Builds the client once per process, in memory, with esbuild (a dependency): the small page
 * script, the Chart.js bundle used only by the statistics page, and the stylesheet. Nothing is
 * written to disk, so `npm start` on a fresh clone needs no build step. Names carry a content
 * hash, so they are served `immutable`.
 */
export function buildAssets(): Promise<Assets> {
  building ??= (async () => {
    const { build } = await import('esbuild');
    const files = clientFiles();
    const out = await build({
      entryPoints: { app: files.app, charts: files.charts },
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['es2020'],
      write: false,
      outdir: '/assets',
      legalComments: 'none',
      logLevel: 'silent',
    });
    const list: Asset[] = out.outputFiles.map((f) => asset(path.basename(f.path), Buffer.from(f.contents), 'text/javascript; charset=utf-8'));
    list.push(asset('app.css', readFileSync(files.css), 'text/css; charset=utf-8'));
    const byLogical = new Map<string, Asset>();
    const byFile = new Map<string, Asset>();
    for (const a of list) {
      byLogical.set(a.file.replace(/-[0-9a-f]{12}(\.\w+)$/, '$1'), a);
      byFile.set(a.file, a);
    }
    return {
      byLogical,
      byFile,
      url: (logical) => `/app/assets/${byLogical.get(logical)?.file ?? logical}`,
    };
  })();
  return building;
}
