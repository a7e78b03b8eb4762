// Lints the OpenAPI document with Redocly CLI's recommended rules (redocly.yaml): the document an
// LB with the default settings serves (openapi.test.ts checks that a running LB serves exactly
// this), written to lb-image/dist/openapi.json first. Exit code: Redocly's (errors fail).
// Usage: npm run lint:openapi
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { openApiDocument } from './src/openapi.ts';
import { documentLimits } from './src/openapi/document-limits.ts';
import { loadLbSettings } from './src/settings.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('Usage: npm run lint:openapi\nLints the OpenAPI document a default LB serves with Redocly CLI (redocly.yaml), written to lb-image/dist/openapi.json first.');
  process.exit(0);
}

const file = new URL('./dist/openapi.json', import.meta.url);
mkdirSync(new URL('./dist/', import.meta.url), { recursive: true });
writeFileSync(file, JSON.stringify(openApiDocument(documentLimits(loadLbSettings({ INSECURE_DEV_MODE: '1' }))), null, 2) + '\n');
const root = new URL('../', import.meta.url).pathname;
const run = spawnSync('npx', ['--no-install', 'redocly', 'lint', 'lb-image/dist/openapi.json', '--format', 'stylish'], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 2);
