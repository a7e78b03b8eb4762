import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time check of "Authorization: Bearer <secret>". An empty secret disables the check. The
 * scheme is case-insensitive and may be followed by several spaces (RFC 9110, section 11.1 and 11.4).
 */
export function hasBearer(header: string | undefined, secret: string): boolean {
  if (!secret) return true;
  const given = Buffer.from(/^bearer +(.+)$/i.exec(header ?? '')?.[1] ?? '');
  const want = Buffer.from(secret);
  return given.length === want.length && timingSafeEqual(given, want);
}
