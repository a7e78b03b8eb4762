// Settings: defaults come from a JSON file in config/, environment variables override them,
// and everything is validated once at start-up. A bad value stops the process with a message
// that names the setting and says why, instead of failing later in some unrelated place.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export class SettingsError extends Error {
  readonly code = 'invalid_settings';
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SettingsError';
  }
}

/** The repository's (or image's) config/ folder: CONFIG_DIR, else <package>/../config. */
export function configDir(fromModuleUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONFIG_DIR) return env.CONFIG_DIR;
  return path.resolve(path.dirname(fileURLToPath(fromModuleUrl)), '../../config');
}

export function readDefaults(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new SettingsError([`cannot read defaults from ${file}: ${(err as Error).message}`]);
  }
}

/**
 * Merge defaults with the environment (only keys the schema knows) and validate.
 * Environment values are strings; the schema coerces them (see the field helpers below).
 * NAME_FILE=/path reads NAME from a file (the official images' convention, for Docker and
 * Kubernetes secrets); a trailing newline is dropped.
 */
export function loadSettings<S extends z.ZodObject>(
  schema: S,
  defaults: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const merged: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of Object.keys(schema.shape)) {
    let fromEnv = env[key];
    const file = env[`${key}_FILE`];
    if (file && !fromEnv) {
      try {
        fromEnv = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        problems.push(`${key}_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    merged[key] = fromEnv !== undefined && fromEnv !== '' ? fromEnv : defaults[key];
  }
  const unknown = Object.keys(defaults).filter((k) => !(k in schema.shape) && !k.startsWith('//'));
  const result = schema.safeParse(merged);
  problems.push(...unknown.map((k) => `${k}: not a known setting (typo in the defaults file?)`));
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.join('.') || '(settings)';
      problems.push(`${key}: ${issue.message} (got ${JSON.stringify(merged[key as string])})`);
    }
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return result.data as z.infer<S>;
}

// Field helpers: each accepts the JSON default (number/boolean) or an env string.
export const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const text = () => z.string().default('');

/** A number from 0 to 1 (a fraction, such as a sampling rate). */
export const fraction = () =>
  z.coerce.number({ error: 'must be a number' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');

export const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { message: `must be one of ${values.join(', ')}` });

/** "host:port,host:port" → [{address, port}]; empty string → []. */
export const hostPortList = () =>
  z
    .string()
    .default('')
    .transform((raw, ctx) => {
      const out: { address: string; port: number }[] = [];
      for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
        const m = /^([^\s:]+):(\d{1,5})$/.exec(item);
        const port = m ? Number(m[2]) : 0;
        if (!m || port < 1 || port > 65535) {
          ctx.addIssue({ code: 'custom', message: `"${item}" is not host:port` });
          return z.NEVER;
        }
        out.push({ address: m[1]!, port });
      }
      return out;
    });

/** "1"/"true" or "0"/"false" (env strings), or a JSON boolean. */
export const flag = () =>
  z
    .preprocess((v) => String(v ?? 'false'), z.enum(['0', '1', 'true', 'false'], { message: 'must be 1 or 0' }))
    .transform((v) => v === '1' || v === 'true');

export const MIN_SECRET_LENGTH = 16;

/**
 * Secrets are required: without them anyone who reaches a port could sign up, assign leaders or
 * read and write through a slave. INSECURE_DEV_MODE=1 lifts this for a trial on one's own machine.
 * The values are never part of the message.
 */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

export function requireSecrets(secrets: Record<string, string>, insecureDevMode: boolean): void {
  if (insecureDevMode) return;
  const problem = (value: string) =>
    !value
      ? 'required'
      : value.length < MIN_SECRET_LENGTH
        ? `too short (${value.length} characters, at least ${MIN_SECRET_LENGTH})`
        : // It travels in an HTTP header: a space, control character or non-ASCII letter would not arrive intact.
          !PRINTABLE_ASCII.test(value)
          ? 'may hold only printable ASCII characters without spaces'
          : undefined;
  const problems = Object.entries(secrets)
    .filter(([, value]) => problem(value) !== undefined)
    .map(
      ([name, value]) =>
        `${name}: ${problem(value)}; ./launch-env.sh makes one, ` +
        `or: openssl rand -hex 24 (INSECURE_DEV_MODE=1 runs without, for a trial on your own machine only)`,
    );
  if (problems.length > 0) throw new SettingsError(problems);
}

/** What the log says at start, and again every few minutes, while INSECURE_DEV_MODE is on. */
export const INSECURE_WARNING = 'INSECURE_DEV_MODE=1: secrets are not required; anyone who can reach this port can use every route. Never run it like this where others can reach it.';

/** Says INSECURE_WARNING now and every 5 minutes while `on` (nobody should miss it in the log). */
export function warnWhileInsecure(log: { warn(message: string): unknown }, on: boolean): void {
  if (!on) return;
  log.warn(INSECURE_WARNING);
  setInterval(() => log.warn(INSECURE_WARNING), 5 * 60_000).unref();
}
