/**
 * Bearer-token auth. Tokens are compared as SHA-256 digests with timingSafeEqual (equal lengths, constant time),
 * against every configured token without an early exit. Tokens are never logged.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Routes anyone may call: probes, metrics and the dashboard shell (which calls /api with a token itself). */
export function isOpenRoute(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return url === '/healthz' || url === '/readyz' || url === '/metrics' || url === '/' || url === '/ui' || url === '/ui/' || url.startsWith('/ui/');
}

export class TokenCheck {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  /** True when `header` is `Bearer <one of the tokens>`. */
  check(header: string | undefined): boolean {
    if (!header || !header.startsWith('Bearer ')) return false;
    const d = digest(header.slice(7).trim());
    let ok = false;
    for (const t of this.digests) ok = timingSafeEqual(t, d) || ok;
    return ok;
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}
