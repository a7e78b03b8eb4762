import { timingSafeEqual } from 'node:crypto';

/** Constant-time check of "Authorization: Bearer <secret>". An empty secret disables the check. */
export function hasBearer(header: string | undefined, secret: string): boolean {
  if (!secret) return true;
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const want = Buffer.from(secret);
  return given.length === want.length && timingSafeEqual(given, want);
}
