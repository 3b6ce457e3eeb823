import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { checkSession, csrfMatches, csrfToken, WEB_SESSION_TTL_MS } from '../../domain/access/web-access.js';
import { createRateLimiter } from '../../bot/rate-limit.js';
import { SIGN_IN_LIMIT, type WebDeps, type WebEnv } from './web-env.js';

const PLAIN = 'coin_session';
/** Behind HTTPS the cookie is `Secure` and takes the `__Host-` prefix (no Domain, Path=/). */
const HOST = '__Host-coin_session';

/** True when the browser reached us over HTTPS (directly, or through a proxy that says so). */
export function isHttps(c: Context, deps: WebDeps): boolean {
  if (deps.publicUrl?.startsWith('https:')) return true;
  if (new URL(c.req.url).protocol === 'https:') return true;
  return c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

const secretOf = (c: Context): string | undefined => getCookie(c, HOST) ?? getCookie(c, PLAIN);

/** Sets the session cookie: HttpOnly, SameSite=Lax, `Secure` behind HTTPS. */
export function setSessionCookie(c: Context, deps: WebDeps, secret: string): void {
  const secure = isHttps(c, deps);
  setCookie(c, secure ? HOST : PLAIN, secret, {
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    path: '/',
    maxAge: Math.floor(WEB_SESSION_TTL_MS / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, PLAIN, { path: '/' });
  deleteCookie(c, HOST, { path: '/', secure: true });
}

/** The cookie's secret, for CSRF checks and sign-out. */
export const sessionSecret = secretOf;

/**
 * Requires a live session: pages redirect to the sign-in page, anything else gets 401. Sets
 * `session` and the session's `csrf` token.
 */
export function requireSession(deps: WebDeps): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const secret = secretOf(c);
    const session = await checkSession(deps.store, deps.clock, secret);
    if (!session || !secret) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect('/app/sign-in', 303);
      return c.text('Sign in first.', 401);
    }
    c.set('session', session);
    c.set('csrf', csrfToken(secret));
    await next();
  };
}

/**
 * Every write carries the session's CSRF token (form field `_csrf` or header `X-CSRF-Token`),
 * and a cross-site `Origin` is refused outright.
 */
export function requireCsrf(): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    let presented = c.req.header('x-csrf-token');
    if (!presented) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const body = await c.req.parseBody();
        presented = typeof body._csrf === 'string' ? body._csrf : undefined;
      }
    }
    if (!csrfMatches(secretOf(c) ?? '', presented)) return c.text('This form has expired; reload the page and try again.', 403);
    await next();
  };
}

/**
 * Refuses any write whose `Origin` is another site (sign-in included, so no site can sign a
 * visitor into someone else's account). Browsers send `Origin` with every form post.
 */
export function sameOrigin(): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const origin = c.req.header('origin');
    if (origin && origin !== 'null' && new URL(c.req.url).host !== safeHost(origin)) return c.text('Cross-site request refused.', 403);
    await next();
  };
}

/** A request path fit for logs: sign-in link secrets replaced. */
export const loggablePath = (p: string): string => p.replace(/\/auth\/link\/[^/?]+/, '/auth/link/[secret]');

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** Client address for the sign-in limit: the socket's, or the first forwarded one behind a proxy. */
function clientKey(c: Context): string {
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  if (forwarded) return forwarded;
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}

/**
 * A token bucket per client address over every sign-in attempt (links and initData), and one
 * for the whole process ten times larger: `X-Forwarded-For` can be forged by a client talking
 * to COIN directly, so the per-address limit alone would not bound the work.
 */
export function signInLimit(deps: WebDeps): MiddlewareHandler<WebEnv> {
  if (deps.signInLimit === false) return (_c, next) => next();
  const opts = deps.signInLimit ?? SIGN_IN_LIMIT;
  const limiter = createRateLimiter(opts);
  const everyone = createRateLimiter({ capacity: opts.capacity * 10, refillPerSecond: opts.refillPerSecond * 10 });
  return async (c, next) => {
    const d = limiter.take(clientKey(c));
    const decision = d.allowed ? everyone.take('all') : d;
    if (!decision.allowed) {
      c.header('Retry-After', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))));
      return c.text('Too many sign-in attempts; wait a minute and try again.', 429);
    }
    await next();
  };
}
