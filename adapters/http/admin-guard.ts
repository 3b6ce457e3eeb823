import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'hono';

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/**
 * Accepts `Authorization: Bearer <token>` (scripts) or HTTP Basic with the token as password
 * (any user name; what a browser prompts for). Compared in constant time.
 */
export function adminGuard(token: string) {
  return async (c: Context, next: Next) => {
    const auth = c.req.header('authorization') ?? '';
    const [scheme = '', value = ''] = auth.split(/\s+/, 2);
    let given: string | undefined;
    if (scheme.toLowerCase() === 'bearer') given = value;
    else if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      given = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (given === undefined || !same(given, token)) {
      c.header('WWW-Authenticate', 'Basic realm="COIN admin", charset="UTF-8"');
      return c.json({ error: 'unauthorized' }, 401);
    }
    await next();
  };
}
