import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Context, Env, Hono } from 'hono';

/**
 * The API's docs page (`/api/v1/docs`): Swagger UI served from the `swagger-ui-dist` npm package
 * by COIN itself, so it works on a closed network and no third party ever sees the token a user
 * types into "Authorize". Nothing on the page comes from another origin, and the
 * Content-Security-Policy says so to the browser: scripts, styles and requests only from COIN,
 * no inline scripts (the start-up code is a served file, `init.js`), images also as `data:`
 * URLs (Swagger UI's stylesheet draws its icons that way).
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const require = createRequire(import.meta.url);
const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** Files of the package the page uses, by the name they are served under. */
const DIST_FILES = {
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { file: 'favicon-32x32.png', type: 'image/png' },
} as const;

/** Read once, on first request (the bundle is ~1.8 MB; most processes never serve it). */
const cache = new Map<string, Buffer>();
function distFile(name: keyof typeof DIST_FILES): Buffer {
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(path.join(distDir, DIST_FILES[name].file));
    cache.set(name, body);
  }
  return body;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(base: string): string {
  const at = (file: string): string => escapeHtml(`${base}/${file}`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>COIN API</title>
<link rel="stylesheet" href="${at('swagger-ui.css')}">
<link rel="icon" type="image/png" href="${at('favicon-32x32.png')}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${at('swagger-ui-bundle.js')}"></script>
<script src="${at('init.js')}"></script>
</body>
</html>
`;
}

/**
 * Start-up code: the API's own description, no top bar (it would offer to load any URL), and no
 * online validator badge (Swagger UI's default sends the document to validator.swagger.io).
 */
function init(openApiUrl: string): string {
  return `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(openApiUrl)},
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  deepLinking: true,
  validatorUrl: 'none',
  persistAuthorization: false,
});
`;
}

function send<E extends Env>(c: Context<E>, body: string | Buffer, type: string): Response {
  c.header('Content-Type', type);
  c.header('Content-Security-Policy', DOCS_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  // The files change only with the package version; an hour spares a 1.8 MB reload per visit.
  c.header('Cache-Control', 'public, max-age=3600');
  return c.body(typeof body === 'string' ? body : new Uint8Array(body));
}

/**
 * Mounts the docs page at `/docs` and its files under `/docs/` on the API app (before auth:
 * the page and the API description are public). `prefix` is where the API app is mounted.
 */
export function docsRoutes<E extends Env>(api: Hono<E>, prefix: string): void {
  const base = `${prefix}/docs`;
  const html = page(base);
  const initJs = init(`${prefix}/openapi.json`);
  api.get('/docs', (c) => send(c, html, 'text/html; charset=utf-8'));
  api.get('/docs/init.js', (c) => send(c, initJs, 'text/javascript; charset=utf-8'));
  for (const name of Object.keys(DIST_FILES) as (keyof typeof DIST_FILES)[]) {
    api.get(`/docs/${name}`, (c) => send(c, distFile(name), DIST_FILES[name].type));
  }
}
