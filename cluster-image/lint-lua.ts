// Lints the Redis function library with luacheck (Debian: lua-check), as the one script Redis
// loads (library.ts joins the parts of src/store/lua/), so that names one part defines and another
// uses are checked too. Findings are reported as "<part>:<line>". Exit code: luacheck's.
// Usage: npm run lint:lua
import { spawnSync } from 'node:child_process';
import { LIBRARY } from './src/store/library.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('Usage: npm run lint:lua\nLints the Redis function library (cluster-image/src/store/lua/) with luacheck, as the one script Redis loads; findings as <part>:<line>.');
  process.exit(0);
}

const run = spawnSync('luacheck', ['--config', new URL('.luacheckrc', import.meta.url).pathname, '--formatter', 'plain', '--filename', 'hscale.lua', '-'], {
  input: LIBRARY,
  encoding: 'utf8',
});
if (run.error) {
  console.error(`lint:lua: cannot run luacheck (${run.error.message}); install it: apt-get install lua-check`);
  process.exit(2);
}

// Each part starts after a "-- <name>.lua" line of the joined text: map bundle lines back to it.
const starts = [...LIBRARY.split('\n').entries()].filter(([, l]) => /^-- [a-z-]+\.lua$/.test(l)).map(([i, l]) => ({ line: i + 2, name: l.slice(3) }));
const where = (line: number) => {
  const part = starts.findLast((s) => s.line <= line);
  return part ? `cluster-image/src/store/lua/${part.name}:${line - part.line + 1}` : `hscale.lua:${line}`;
};
const findings = run.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^hscale\.lua:(\d+):/, (_, n) => `${where(Number(n))}:`));
for (const f of findings) console.log(f);
console.log(`lint:lua: luacheck ${run.status === 0 ? 'found nothing' : `found ${findings.length} problem(s)`} in ${starts.length} parts`);
process.exit(run.status ?? 2);
