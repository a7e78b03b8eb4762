// The OpenAPI 3.1 document of the LB's public HTTP API, served as JSON at GET /openapi.json.
// Its schemas are generated from the zod schemas of common/src/api/ and its bounds are the
// validators' constants and this LB's settings (openapi/document-limits.ts): nothing is written twice.
// test/integration/openapi.test.ts checks real answers of a running LB against it,
// test/integration/api-bounds.test.ts its bounds, and `npm run lint:openapi` lints it (Redocly).
// Its parts: openapi/builders.ts, paths-kv.ts, paths-mandelbrot.ts, paths-system.ts, components.ts.
import { MAX_KEY_BYTES } from '@hscale/common';
import { components } from './openapi/components.js';
import type { DocumentLimits } from './openapi/document-limits.js';
import { kvPaths } from './openapi/paths-kv.js';
import { mandelbrotPaths } from './openapi/paths-mandelbrot.js';
import { systemPaths } from './openapi/paths-system.js';

/**
 * Every operation says which security applies: the ones that take a secret name its scheme
 * (POST /election, POST /servers); every other one is public, stated as `security: []`, as
 * linters and client generators expect rather than guess.
 */
function publicUnlessSecured<P extends Record<string, object>>(paths: P): P {
  const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(Object.entries(item).map(([k, op]) => [k, methods.has(k) && !('security' in op) ? { security: [], ...op } : op])),
    ]),
  ) as P;
}

/** The document for an LB with these limits. */
export const openApiDocument = (limits: DocumentLimits) => ({
  openapi: '3.1.0',
  info: {
    title: 'hscale load balancer',
    version: '1.0.0',
    license: { name: 'MIT', identifier: 'MIT' },
    description:
      'A key-value cache and a Mandelbrot renderer served by N clusters behind one load balancer (LB). Every request goes to the LB.\n\n' +
      'Errors are always JSON `{"error": "<code>", "message": "<text for a person>"}`. Besides the answers listed for each route: ' +
      'an unknown path gets 404 `not_found`; a method a path does not offer gets 405 `method_not_allowed` with an `Allow` header that lists the methods it does offer; ' +
      'a request that is not valid HTTP gets 400 `malformed_request` (431 for headers over 16 KiB, 408 when it arrives too slowly); a bug gets 500 `internal_error`. ' +
      'Every answer carries an `X-Request-Id` header (yours, if you sent a sane one), which the logs quote.',
  },
  servers: [{ url: 'http://127.0.0.1:8080', description: 'The LB started by ./launch-env.sh' }],
  tags: [
    { name: 'keys', description: `The key-value cache. Keys: 1 to ${MAX_KEY_BYTES} bytes of UTF-8 without control characters. Values: UTF-8 text up to ${limits.maxValueBytes} bytes (MAX_VALUE_BYTES).` },
    { name: 'mandelbrot', description: 'Pictures of the Mandelbrot set, rendered in bands by the clusters. The same bytes whatever the number of clusters.' },
    { name: 'system', description: 'Health, leader, clusters and events.' },
    { name: 'monitoring', description: 'Dashboard, metrics and this document.' },
  ],
  paths: publicUnlessSecured({ ...kvPaths(limits), ...systemPaths, ...mandelbrotPaths(limits) }),
  components,
});
