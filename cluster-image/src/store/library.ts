// The Redis function library the slaves run in the leader's Redis (loaded by the leader's slave at
// every promotion; replicated to the followers with the data). The Lua is in ./lua/, one file per
// concern (shared.lua explains the keys and the rules); Redis takes a library as one script, so the
// parts are joined here, in order, after the constants that TypeScript defines once.
// `npm run lint:lua` runs luacheck on exactly this text.
import { readFileSync } from 'node:fs';
import { MAX_TTL_SECONDS } from '@hscale/common';

export const LIBRARY_NAME = 'hscale';

/** The parts, in load order: shared.lua defines what the others use. */
export const LIBRARY_PARTS = ['shared.lua', 'kv.lua', 'leadership.lua', 'changes.lua', 'tiles.lua'] as const;

// The build copies ./lua/ next to the compiled file (cluster-image/build-assets.mjs), so this
// resolves both under dist/ and when the TypeScript runs directly (tests).
const part = (name: string) => readFileSync(new URL(`./lua/${name}`, import.meta.url), 'utf8');

export const LIBRARY = [
  `#!lua name=${LIBRARY_NAME}`,
  `local MAX_TTL_S = ${MAX_TTL_SECONDS}`,
  ...LIBRARY_PARTS.map((name) => `-- ${name}\n${part(name)}`),
].join('\n');
