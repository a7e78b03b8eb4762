// The parts of the slave that are not TypeScript, put beside the compiled code in dist/ by
// `npm run build` (after tsc): the Redis function library's Lua files, as they are, and the
// WebAssembly kernel, compiled from its text (src/render/kernel.wat) with wabt, a build-time
// dependency only. Usage: node build-assets.mjs
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import wabt from 'wabt';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('Usage: node build-assets.mjs (run by npm run build)\nCopies the Lua library into dist/store/lua/ and compiles src/render/kernel.wat to dist/render/kernel.wasm.');
  process.exit(0);
}

const src = new URL('./src/', import.meta.url);
const dist = new URL('./dist/', import.meta.url);

const luaDir = new URL('store/lua/', dist);
mkdirSync(luaDir, { recursive: true });
const luaFiles = readdirSync(new URL('store/lua/', src)).filter((f) => f.endsWith('.lua'));
for (const f of luaFiles) copyFileSync(new URL(`store/lua/${f}`, src), new URL(f, luaDir));

const toolkit = await wabt();
const wat = new URL('render/kernel.wat', src);
const parsed = toolkit.parseWat('kernel.wat', readFileSync(wat, 'utf8'), { simd: true });
try {
  parsed.validate();
  mkdirSync(new URL('render/', dist), { recursive: true });
  writeFileSync(new URL('render/kernel.wasm', dist), parsed.toBinary({}).buffer);
} finally {
  parsed.destroy();
}
console.log(`build-assets: ${luaFiles.length} Lua files, render/kernel.wasm`);
