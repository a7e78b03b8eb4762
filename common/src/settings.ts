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
 */
export function loadSettings<S extends z.ZodObject>(
  schema: S,
  defaults: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const fromEnv = env[key];
    merged[key] = fromEnv !== undefined && fromEnv !== '' ? fromEnv : defaults[key];
  }
  const unknown = Object.keys(defaults).filter((k) => !(k in schema.shape) && !k.startsWith('//'));
  const result = schema.safeParse(merged);
  const problems = unknown.map((k) => `${k}: not a known setting (typo in the defaults file?)`);
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
