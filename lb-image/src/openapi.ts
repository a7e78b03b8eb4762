// The OpenAPI 3.1 document of the LB's public HTTP API, served as JSON at GET /openapi.json.
// The route handlers are the source of truth: change this file with them.
// test/integration/openapi.test.ts checks real answers of a running LB against it.

// Small builders, so that each route below reads as what it answers rather than as nesting.
const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` }) as const;
const json = (s: object) => ({ 'application/json': { schema: s } }) as const;
const header = (name: string) => ({ $ref: `#/components/headers/${name}` }) as const;
/** An error answer {"error", "message"}; `codes` are the values "error" takes for this case. */
const error = (codes: string, description: string, headers: object = {}) =>
  ({ description: `${description} Codes: ${codes}.`, headers: { 'X-Request-Id': header('RequestId'), ...headers }, content: json(schema('Error')) }) as const;
const ok = (description: string, s: object, headers: object = {}) =>
  ({ description, headers: { 'X-Request-Id': header('RequestId'), ...headers }, content: json(s) }) as const;
const retryAfter = { 'Retry-After': header('RetryAfter') } as const;
const param = (name: string, description: string, s: object, where: 'query' | 'path' | 'header' = 'query') =>
  ({ name, in: where, required: where === 'path', description, schema: s }) as const;

const keyParam = param('key', 'The key, URL-encoded (`a%2Fb` for `a/b`): 1 to 512 bytes of UTF-8 without control characters. With no key at all (`PUT /keys/`, `DELETE /keys/`) the answer is 400 `invalid_key`.', { type: 'string', minLength: 1 }, 'path');
const ttlParam = param('ttl', 'Seconds until the key expires (1 to 315360000). Without it the key never expires.', { type: 'integer', minimum: 1, maximum: 315360000 });
const listParams = [
  param('prefix', 'Only keys that start with this text.', { type: 'string', default: '' }),
  param('cursor', 'Where to resume: the `cursor` of the previous page. Omit it for the first page.', { type: 'string' }),
  param('limit', 'Most keys on this page.', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
] as const;
/** View coordinates: the set lies within |c| ≤ 2, and the LB refuses anything beyond 4. */
const coordinate = { type: 'number', minimum: -4, maximum: 4 } as const;
const escapeParam = param('escape', 'Iteration limit (1 to MANDELBROT_MAX_ESCAPE, 100000 at most): higher shows more detail at the edge of the set and takes longer.', { type: 'integer', minimum: 1, maximum: 100000, default: 1000 });

// Answers shared by the key-value routes.
const kvErrors = {
  '500': error('`redis_error`, `internal_error`', 'Redis refused this operation, or the LB hit a bug. Only this request is affected.'),
  '503': error('`unavailable`, `overloaded`, `leader_unavailable`, `no_leader`', 'No leader could serve the request in time (during an election the request waits up to LEADER_WAIT_MS first), or the LB is holding too many operations. Try again after Retry-After.', retryAfter),
} as const;
const writeErrors = {
  '413': error('`value_too_large`', 'The value (or the body) is over MAX_VALUE_BYTES (1 MiB by default).'),
  '415': error('`unsupported_encoding`', 'The body has a Content-Encoding or charset the LB cannot read.'),
  ...kvErrors,
  '503': error('`not_replicated`, `unavailable`, `overloaded`', 'The write is not acknowledged: no follower confirmed it in time (`not_replicated`), no leader could take it in time, or the LB is holding too many operations. It may or may not have been applied; every write is safe to retry.', retryAfter),
  '507': error('`store_full`', 'The store is full (EVICTION=none) and this write was not applied. Delete keys or give the clusters more memory.'),
} as const;
const getResponses = {
  '200': ok('The value.', schema('Value')),
  '400': error('`invalid_key`, `malformed_url`', 'The key is not valid.'),
  '404': error('`key_not_found`', 'No value is stored under this key.'),
  ...kvErrors,
} as const;
const deleteResponses = {
  '200': ok('The key is gone (`deleted` says whether it was there).', schema('Deleted')),
  '400': error('`invalid_key`, `malformed_url`', 'The key is not valid.'),
  ...kvErrors,
  '503': writeErrors['503'],
} as const;
const listResponses = {
  '200': ok('One page of keys, in byte order.', schema('KeyPage')),
  '400': error('`invalid_prefix`, `invalid_limit`, `invalid_cursor`, `invalid_key`', 'A query parameter is not valid.'),
  ...kvErrors,
} as const;
const text = (mediaType: string, description: string) =>
  ({ description, headers: { 'X-Request-Id': header('RequestId') }, content: { [mediaType]: { schema: { type: 'string' } } } }) as const;
const png = (description: string, headers: object) =>
  ({ description, headers: { 'X-Request-Id': header('RequestId'), ...headers }, content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } } }) as const;
const tooManyRenders = error('`too_many_renders`', 'MANDELBROT_MAX_RENDERS renders (or MANDELBROT_MAX_PIXELS pixels) are in progress already. Try again after Retry-After.', retryAfter);
/** A Server-Sent Events stream; `x-sse-data` is the schema of each message's `data` (JSON). */
const eventStream = (description: string, data: object) =>
  ({
    schema: { type: 'string', description: `${description} The stream opens with \`retry: 2000\` and sends a \`: keep-alive\` comment every 15 s.` },
    'x-sse-data': data,
  }) as const;
const tooManyStreams = error('`too_many_streams`', 'The LB already keeps 64 live streams open. Try again after Retry-After.', retryAfter);

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
  paths: {
    '/keys/{key}': {
      parameters: [keyParam],
      get: { tags: ['keys'], operationId: 'getKey', summary: 'Read a key', description: 'Reads come from the leader, so a write that was acknowledged is always seen.', responses: getResponses },
      put: {
        tags: ['keys'],
        operationId: 'putKey',
        summary: 'Write a key',
        description: 'The body is the value, as is (any Content-Type). A 200 means the leader and, with WRITE_ACK=replica, at least one follower hold it (`durability` says which).',
        parameters: [ttlParam],
        requestBody: { required: true, description: 'The value: UTF-8 text.', content: { '*/*': { schema: { type: 'string' } } } },
        responses: {
          '200': ok('Stored.', schema('Written')),
          '400': error('`invalid_key`, `invalid_ttl`, `invalid_value`, `malformed_url`', 'The key, the ttl or the value is not valid (a value must be UTF-8).'),
          ...writeErrors,
        },
      },
      delete: { tags: ['keys'], operationId: 'deleteKey', summary: 'Delete a key', description: 'Deletes run even when the store is full.', responses: deleteResponses },
    },
    '/keys': {
      get: {
        tags: ['keys'],
        operationId: 'listKeys',
        summary: 'List keys',
        description: 'Keys in byte order, a page at a time: pass `cursor` back until it is null. Every key present for the whole listing appears exactly once.',
        parameters: listParams,
        responses: listResponses,
      },
    },
    '/batch': {
      post: {
        tags: ['keys'],
        operationId: 'batch',
        summary: 'Run up to 1000 operations',
        description: 'The operations run concurrently, like separate requests, and each gets its own result, in order. A bad operation fails alone (its result has status 400).',
        requestBody: { required: true, content: json(schema('BatchRequest')) },
        responses: {
          '200': ok('One result per operation, in the order sent.', schema('BatchResponse')),
          '400': error('`malformed_body`', 'The body is not JSON of the form {"ops": [...]}.'),
          '413': error('`batch_too_large`, `value_too_large`', 'More than 1000 operations, or a body over 16 MiB.'),
          '415': error('`unsupported_encoding`', 'The body has a Content-Encoding or charset the LB cannot read.'),
          '500': error('`internal_error`', 'A bug in the LB.'),
        },
      },
    },
    '/set': {
      post: {
        tags: ['keys'],
        operationId: 'setAlias',
        summary: 'Write a key (alias of PUT /keys/{key})',
        description: 'Kept for clients of the original system. Same answers as PUT /keys/{key}.',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: schema('SetForm') }, 'application/x-www-form-urlencoded': { schema: schema('SetForm') } },
        },
        responses: {
          '200': ok('Stored.', schema('Written')),
          '400': error('`malformed_body`, `invalid_key`, `invalid_ttl`, `invalid_value`', 'The body is not a JSON object or form, or a field is not valid.'),
          ...writeErrors,
        },
      },
    },
    '/get/{key}': {
      parameters: [keyParam],
      get: { tags: ['keys'], operationId: 'getAlias', summary: 'Read a key (alias of GET /keys/{key})', responses: getResponses },
    },
    '/list-keys': {
      get: { tags: ['keys'], operationId: 'listAlias', summary: 'List keys (alias of GET /keys)', parameters: listParams, responses: listResponses },
    },
    '/delete/{key}': {
      parameters: [keyParam],
      delete: { tags: ['keys'], operationId: 'deleteAlias', summary: 'Delete a key (alias of DELETE /keys/{key})', responses: deleteResponses },
    },
    '/health': {
      get: {
        tags: ['system'],
        operationId: 'health',
        summary: 'Health of the whole system',
        description: 'Always 200 while the LB runs: `ok` (a leader and every cluster healthy), `degraded`, or `down` (no healthy cluster).',
        responses: { '200': ok('The summary.', schema('Health')) },
      },
    },
    '/ready': {
      get: {
        tags: ['system'],
        operationId: 'ready',
        summary: 'Whether writes are served now',
        description: 'For load balancers and probes in front of the LB: 200 when a leader serves writes, 503 otherwise (no leader, or an election in progress).',
        responses: {
          '200': ok('Ready.', schema('Readiness')),
          '503': ok('Not ready: no leader serves writes right now. The body is the same summary, with `ready: false`.', schema('Readiness')),
        },
      },
    },
    '/leader': {
      get: {
        tags: ['system'],
        operationId: 'leader',
        summary: 'The current leader',
        responses: {
          '200': ok('The leader and its epoch; `available` is false while requests are held (an election is under way).', schema('Leader')),
          '503': error('`no_leader`', 'No leader has been elected yet.', retryAfter),
        },
      },
    },
    '/election': {
      post: {
        tags: ['system'],
        operationId: 'election',
        summary: 'Run an election now',
        description: 'The most up-to-date healthy cluster wins (possibly the current leader), under a new epoch.',
        security: [{ adminToken: [] }],
        responses: {
          '200': ok('The leader elected, and its epoch.', schema('LeaderRef')),
          '401': error('`unauthorized`', 'The admin token is missing or wrong.'),
          '503': error('`no_leader`', 'No healthy cluster could be elected.', retryAfter),
        },
      },
    },
    '/servers': {
      get: {
        tags: ['system'],
        operationId: 'listServers',
        summary: 'Every known cluster',
        responses: { '200': ok('One entry per cluster, found through DNS, the static list or a sign-up.', { type: 'array', items: schema('Server') }) },
      },
      post: {
        tags: ['system'],
        operationId: 'signUp',
        summary: 'Sign a server up',
        description: 'A slave outside compose joins the LB. It must renew its sign-up within `renewWithinSeconds`, or it leaves once its probes fail.',
        security: [{ clusterSecret: [] }],
        requestBody: { required: true, content: json(schema('SignUp')) },
        responses: {
          '201': ok('Signed up (or renewed: `new` is false).', schema('SignedUp')),
          '400': error('`invalid_address`, `invalid_port`, `invalid_name`, `malformed_body`', 'A field is not valid, or the body is not JSON.'),
          '401': error('`unauthorized`', 'The cluster secret is missing or wrong.'),
          '413': error('`value_too_large`', 'The body is over 4 KiB.'),
          '415': error('`unsupported_encoding`', 'The body has a Content-Encoding or charset the LB cannot read.'),
        },
      },
    },
    '/events': {
      get: {
        tags: ['system'],
        operationId: 'events',
        summary: "The LB's recent events",
        description:
          'Elections, leaders adopted or lost, clusters joining, leaving, turning healthy or unhealthy, fenced writers. ' +
          'Pass the last `seq` you saw as `after` to get only newer ones. With `Accept: text/event-stream` the answer is a Server-Sent Events stream instead: ' +
          'the events after `after` (up to 1000), then each new one as it happens. The LB keeps its last 1000 events, in memory.',
        parameters: [
          param('after', 'Only events with a larger sequence number.', { type: 'integer', minimum: 0, default: 0 }),
          param('limit', 'Most events in a JSON answer.', { type: 'integer', minimum: 1, maximum: 1000, default: 200 }),
          param('Last-Event-ID', 'Sent by a reconnecting EventSource (`<boot>.<seq>`): takes the place of `after`; from an earlier run of the LB, every event is new.', { type: 'string', pattern: '^\\w+\\.\\d+$' }, 'header'),
        ],
        responses: {
          '200': {
            description: 'The events, oldest first.',
            headers: { 'X-Request-Id': header('RequestId') },
            content: {
              ...json(schema('EventList')),
              'text/event-stream': eventStream('One message per event: `id: <boot>.<seq>` (boot names this run of the LB), `event: <kind>`, `data: <the event as JSON>`.', schema('Event')),
            },
          },
          '400': error('`invalid_parameter`', '`after` or `limit` is not valid.'),
          '503': tooManyStreams,
        },
      },
    },
    '/mandelbrot.png': {
      get: {
        tags: ['mandelbrot'],
        operationId: 'mandelbrot',
        summary: 'Render the Mandelbrot set',
        description:
          'A PNG of exactly width × height. The default view is re -2..0.5, im -1.2..1.2. Choose another with `cx`, `cy` and `scale`, or with the four corners ' +
          '(not both). A view deeper than double precision resolves gets 400 `zoom_too_deep`.',
        parameters: [
          param('width', 'Width in pixels (1 to MANDELBROT_MAX_DIMENSION, 8192 at most).', { type: 'integer', minimum: 1, maximum: 8192, default: 800 }),
          param('height', "Height in pixels (1 to MANDELBROT_MAX_DIMENSION). Default: the view's aspect ratio.", { type: 'integer', minimum: 1, maximum: 8192 }),
          escapeParam,
          param('cx', 'Real part of the centre of the view. Goes with `cy` and `scale`.', coordinate),
          param('cy', 'Imaginary part of the centre of the view. Goes with `cx` and `scale`.', coordinate),
          param('scale', 'Size of one pixel in complex-plane units (above 0). Goes with `cx` and `cy`.', { type: 'number', exclusiveMinimum: 0, maximum: 1 }),
          param('reMin', 'Left edge of the view. Goes with `reMax`, `imMin` and `imMax`.', coordinate),
          param('reMax', 'Right edge of the view (above `reMin`).', coordinate),
          param('imMin', 'Bottom edge of the view.', coordinate),
          param('imMax', 'Top edge of the view (above `imMin`).', coordinate),
        ],
        responses: {
          '200': png('The picture.', {
            'X-Render-Bands': { description: 'Bands the picture was split into.', schema: { type: 'integer' } },
            'X-Render-Ms': { description: 'Milliseconds the clusters took.', schema: { type: 'integer' } },
            'X-Render-Retries': { description: 'Bands sent again after a cluster failed.', schema: { type: 'integer' } },
            'X-Render-Backups': { description: 'Backup copies started for slow bands.', schema: { type: 'integer' } },
          }),
          '400': error('`invalid_parameter`, `zoom_too_deep`', 'A parameter is missing its partners, out of range or not a number, or the view is too deep.'),
          '429': tooManyRenders,
          '500': error('`internal_error`', 'A bug in the LB.'),
          '503': error('`render_failed`', 'No healthy cluster could render the picture.', retryAfter),
        },
      },
    },
    '/mandelbrot/tiles/{z}/{x}/{y}.png': {
      get: {
        tags: ['mandelbrot'],
        operationId: 'mandelbrotTile',
        summary: 'A 256×256 map tile',
        description: 'Slippy-map tiles (as for Leaflet): zoom `z`, column `x` to the east, row `y` to the south. Tiles are cached: `X-Tile-Cache` says whether this one was.',
        parameters: [
          param('z', 'Zoom level, 0 to 36.', { type: 'integer', minimum: 0, maximum: 36 }, 'path'),
          param('x', 'Column, 0 to 2^z - 1.', { type: 'integer', minimum: 0 }, 'path'),
          param('y', 'Row, 0 to 2^z - 1.', { type: 'integer', minimum: 0 }, 'path'),
          escapeParam,
        ],
        responses: {
          '200': png('The tile, 256 × 256 pixels. It never changes: `Cache-Control: public, max-age=86400`.', {
            'X-Tile-Cache': { description: '`hit` if the tile came from the cache, `miss` if it was rendered now.', schema: { type: 'string', enum: ['hit', 'miss'] } },
            'X-Rendered-By': { description: 'On a miss: the id of the cluster that rendered it.', schema: { type: 'string' } },
          }),
          '400': error('`invalid_parameter`, `zoom_too_deep`', 'z, x, y or escape is not a whole number in range (`invalid_parameter`), or z is 37 to 99, deeper than double precision resolves (`zoom_too_deep`).'),
          '429': tooManyRenders,
          '500': error('`internal_error`', 'A bug in the LB.'),
          '503': error('`render_failed`', 'No healthy cluster could render the tile. (Without a leader the cache is skipped and the tile is still rendered.)', retryAfter),
        },
      },
    },
    '/': {
      get: {
        tags: ['monitoring'],
        operationId: 'dashboard',
        summary: 'The dashboard',
        description: 'A web page: health, leader and every cluster, refreshed live.',
        responses: { '200': text('text/html', 'The page.') },
      },
    },
    '/dashboard/stream': {
      get: {
        tags: ['monitoring'],
        operationId: 'dashboardStream',
        summary: "The dashboard's live feed",
        description: 'Server-Sent Events: an `event: state` message at once, then every second while connected.',
        responses: {
          '200': {
            description: 'The stream.',
            content: { 'text/event-stream': eventStream('`event: state` with `data: {"health": <the /health body>, "servers": <the /servers body>, "traffic": <the last second>}`.', schema('DashboardState')) },
          },
          '503': tooManyStreams,
        },
      },
    },
    '/metrics': {
      get: {
        tags: ['monitoring'],
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        description: 'Request latency by route, clusters by health, epoch, elections, retries, fences, and each Redis\'s memory and evictions.',
        responses: { '200': text('text/plain', 'Prometheus text format 0.0.4.') },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['monitoring'],
        operationId: 'openapi',
        summary: 'This document',
        responses: { '200': ok('The OpenAPI 3.1 document of this API.', { type: 'object', required: ['openapi', 'info', 'paths'] }) },
      },
    },
  },
  components: {
    securitySchemes: {
      adminToken: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <ADMIN_TOKEN>`' },
      clusterSecret: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <CLUSTER_SECRET>`, the secret the LB shares with the slaves.' },
    },
    headers: {
      RequestId: { description: 'The id of this request, quoted in the logs.', required: true, schema: { type: 'string' } },
      RetryAfter: { description: 'Seconds to wait before trying again.', required: true, schema: { type: 'integer', minimum: 0 } },
      Allow: { description: 'The methods this path offers.', required: true, schema: { type: 'string' } },
    },
    responses: {
      NotFound: error('`not_found`', 'No such route.'),
      MethodNotAllowed: error('`method_not_allowed`', 'The path exists, the method does not.', { Allow: header('Allow') }),
    },
    schemas: {
      Error: {
        type: 'object',
        description: 'Every error answer.',
        required: ['error', 'message'],
        properties: {
          error: { type: 'string', pattern: '^[a-z_]+$', description: 'A stable code for programs.', examples: ['key_not_found'] },
          message: { type: 'string', description: 'What happened, for a person.' },
        },
      },
      Value: {
        type: 'object',
        required: ['key', 'value', 'ttl'],
        properties: {
          key: { type: 'string' },
          value: { type: 'string' },
          ttl: { type: ['integer', 'null'], minimum: 0, description: 'Seconds until it expires; null if it never does.' },
        },
        examples: [{ key: 'greeting', value: 'hello', ttl: null }],
      },
      Durability: {
        type: 'string',
        enum: ['replica', 'leader'],
        description: '`replica`: the leader and at least one follower hold the write. `leader`: only the leader does (no follower connected, or WRITE_ACK=leader); lost if the leader dies before a follower copies it.',
      },
      Written: {
        type: 'object',
        required: ['key', 'ttl', 'durability'],
        properties: { key: { type: 'string' }, ttl: { type: ['integer', 'null'], minimum: 1 }, durability: schema('Durability') },
        examples: [{ key: 'greeting', ttl: null, durability: 'replica' }],
      },
      Deleted: {
        type: 'object',
        required: ['key', 'deleted', 'durability'],
        properties: { key: { type: 'string' }, deleted: { type: 'boolean', description: 'Whether the key existed.' }, durability: schema('Durability') },
      },
      KeyPage: {
        type: 'object',
        required: ['keys', 'cursor'],
        properties: {
          keys: { type: 'array', items: { type: 'string' } },
          cursor: { type: ['string', 'null'], description: 'Pass it back as `cursor` for the next page; null on the last page.' },
        },
        examples: [{ keys: ['greeting'], cursor: null }],
      },
      SetForm: {
        type: 'object',
        required: ['key', 'value'],
        properties: {
          key: { type: 'string' },
          value: { type: 'string' },
          ttl: { type: ['integer', 'string'], description: 'Seconds until the key expires (a whole number, also as text).' },
        },
      },
      BatchOp: {
        type: 'object',
        required: ['op', 'key'],
        properties: {
          op: { type: 'string', enum: ['get', 'set', 'del'] },
          key: { type: 'string' },
          value: { type: 'string', description: 'For `set`.' },
          ttl: { type: 'integer', minimum: 1, description: 'For `set`: seconds until the key expires.' },
        },
      },
      BatchRequest: {
        type: 'object',
        required: ['ops'],
        properties: { ops: { type: 'array', maxItems: 1000, items: schema('BatchOp') } },
        examples: [{ ops: [{ op: 'set', key: 'a', value: '1', ttl: 60 }, { op: 'get', key: 'greeting' }, { op: 'del', key: 'b' }] }],
      },
      BatchResult: {
        description: "The operation's HTTP status, then the body the single route would have answered.",
        type: 'object',
        required: ['status'],
        properties: { status: { type: 'integer', minimum: 200, maximum: 599 } },
        anyOf: [schema('Value'), schema('Written'), schema('Deleted'), schema('Error')],
      },
      BatchResponse: {
        type: 'object',
        required: ['results'],
        properties: { results: { type: 'array', items: schema('BatchResult') } },
      },
      LeaderRef: {
        type: 'object',
        required: ['id', 'address', 'epoch'],
        properties: {
          id: { type: 'string', description: 'The cluster, as `address:port`.' },
          address: { type: 'string' },
          epoch: { type: 'integer', minimum: 1, description: 'Grows with every election; never reused.' },
        },
      },
      Leader: {
        allOf: [schema('LeaderRef')],
        type: 'object',
        required: ['available'],
        properties: { available: { type: 'boolean', description: 'False while requests are held (an election is under way).' } },
      },
      Health: {
        type: 'object',
        required: ['status', 'leader', 'clusters'],
        properties: {
          status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
          leader: { oneOf: [schema('LeaderRef'), { type: 'null' }] },
          clusters: {
            type: 'object',
            required: ['total', 'healthy'],
            properties: { total: { type: 'integer', minimum: 0 }, healthy: { type: 'integer', minimum: 0 } },
          },
        },
      },
      Readiness: {
        allOf: [schema('Health')],
        type: 'object',
        required: ['ready'],
        properties: { ready: { type: 'boolean' } },
      },
      Server: {
        type: 'object',
        required: ['id', 'address', 'port', 'name', 'healthy', 'role', 'failures', 'source', 'epoch', 'redis'],
        properties: {
          id: { type: 'string', description: '`address:port`' },
          address: { type: 'string' },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          name: { type: ['string', 'null'], description: 'The name the cluster gives itself, once known.' },
          healthy: { type: 'boolean' },
          role: { type: 'string', enum: ['leader', 'follower'] },
          failures: { type: 'integer', minimum: 0, description: 'Failed health probes in a row.' },
          source: { type: 'string', enum: ['dns', 'static', 'registered'], description: 'How the LB knows it.' },
          epoch: { type: ['integer', 'null'], description: "The epoch the cluster reports; null before its first answer." },
          redis: {
            description: "The cluster's Redis, as last reported; null before its first answer.",
            oneOf: [
              {
                type: 'object',
                required: ['role', 'offset', 'memory'],
                properties: {
                  role: { type: 'string', enum: ['master', 'replica', 'fenced', 'down'] },
                  offset: { type: 'integer', minimum: 0, description: 'Replication offset: how much of the write stream it holds.' },
                  lag: { type: ['integer', 'null'], minimum: 0, description: "A follower's bytes of the leader's stream not applied yet; null for the leader." },
                  keys: { type: ['integer', 'null'], minimum: 0, description: 'Keys in its Redis, internal ones included.' },
                  memory: {
                    oneOf: [
                      {
                        type: 'object',
                        required: ['used', 'max', 'evictedKeys', 'policy'],
                        properties: {
                          used: { type: 'integer', minimum: 0, description: 'Bytes.' },
                          max: { type: 'integer', minimum: 0, description: 'Bytes; 0 = no bound.' },
                          evictedKeys: { type: 'integer', minimum: 0 },
                          policy: { type: 'string', examples: ['noeviction', 'volatile-lru'] },
                        },
                      },
                      { type: 'null' },
                    ],
                  },
                },
              },
              { type: 'null' },
            ],
          },
        },
      },
      SignUp: {
        type: 'object',
        required: ['address', 'port'],
        properties: {
          address: { type: 'string', pattern: '^[A-Za-z0-9.-]{1,253}$', description: 'Host name or IPv4 address where the LB reaches the slave.' },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          name: { type: 'string', maxLength: 100 },
        },
      },
      SignedUp: {
        type: 'object',
        required: ['id', 'new', 'renewWithinSeconds'],
        properties: {
          id: { type: 'string' },
          new: { type: 'boolean', description: 'False when this renews an earlier sign-up.' },
          renewWithinSeconds: { type: 'integer', minimum: 0 },
        },
      },
      Event: {
        type: 'object',
        required: ['seq', 'time', 'kind', 'message', 'details'],
        properties: {
          seq: { type: 'integer', minimum: 1, description: '1, 2, 3, ... since the LB started.' },
          time: { type: 'string', format: 'date-time' },
          kind: { type: 'string', enum: ['election', 'leader-adopted', 'no-leader', 'cluster-joined', 'cluster-left', 'cluster-healthy', 'cluster-unhealthy', 'fenced', 'lb-started'] },
          message: { type: 'string' },
          details: { type: 'object' },
        },
      },
      EventList: {
        type: 'object',
        required: ['events'],
        properties: { events: { type: 'array', items: schema('Event') } },
      },
      DashboardState: {
        type: 'object',
        required: ['health', 'servers'],
        properties: {
          health: schema('Health'),
          servers: { type: 'array', items: schema('Server') },
          traffic: {
            description: "The LB's requests in the last second; null in the first message.",
            oneOf: [
              {
                type: 'object',
                required: ['t', 'requests', 'byRoute', 'byStatus', 'p50', 'p99'],
                properties: {
                  t: { type: 'integer', description: 'End of that second, in milliseconds since 1970.' },
                  requests: { type: 'integer', minimum: 0 },
                  byRoute: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Requests by route pattern.' },
                  byStatus: { type: 'object', additionalProperties: { type: 'integer' }, examples: [{ '2xx': 120, '3xx': 0, '4xx': 2, '5xx': 0 }] },
                  p50: { type: ['number', 'null'], description: 'Median latency in milliseconds; null without requests.' },
                  p99: { type: ['number', 'null'] },
                },
              },
              { type: 'null' },
            ],
          },
        },
      },
    },
  },
} as const;
