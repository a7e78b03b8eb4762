// The OpenAPI 3.1 document of the LB's public HTTP API, served as JSON at GET /openapi.json.
// The route handlers are the source of truth: change this file with them.
// test/integration/openapi.test.ts checks real answers of a running LB against it.
// Its parts: openapi/builders.ts, paths-kv.ts, paths-mandelbrot.ts, paths-system.ts, components.ts.
import { components } from './openapi/components.js';
import { kvPaths } from './openapi/paths-kv.js';
import { mandelbrotPaths } from './openapi/paths-mandelbrot.js';
import { systemPaths } from './openapi/paths-system.js';

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'hscale load balancer',
    version: '1.0.0',
    description:
      'A key-value cache and a Mandelbrot renderer served by N clusters behind one load balancer (LB). Every request goes to the LB.\n\n' +
      'Errors are always JSON `{"error": "<code>", "message": "<text for a person>"}`. Besides the answers listed for each route: ' +
      'an unknown path gets 404 `not_found`; a method a path does not offer gets 405 `method_not_allowed` with an `Allow` header that lists the methods it does offer; ' +
      'a request that is not valid HTTP gets 400 `malformed_request` (431 for headers over 16 KiB, 408 when it arrives too slowly); a bug gets 500 `internal_error`. ' +
      'Every answer carries an `X-Request-Id` header (yours, if you sent a sane one), which the logs quote.',
  },
  servers: [{ url: 'http://127.0.0.1:8080', description: 'The LB started by ./launch-env.sh' }],
  tags: [
    { name: 'keys', description: 'The key-value cache. Keys: 1 to 512 bytes of UTF-8 without control characters. Values: UTF-8 text up to MAX_VALUE_BYTES (1 MiB).' },
    { name: 'mandelbrot', description: 'Pictures of the Mandelbrot set, rendered in bands by the clusters. The same bytes whatever the number of clusters.' },
    { name: 'system', description: 'Health, leader, clusters and events.' },
    { name: 'monitoring', description: 'Dashboard, metrics and this document.' },
  ],
  paths: { ...kvPaths, ...systemPaths, ...mandelbrotPaths },
  components,
} as const;
