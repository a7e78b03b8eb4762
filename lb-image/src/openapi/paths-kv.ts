// The key-value routes of the OpenAPI document (openapi.ts): /keys, /batch and the seed system's aliases.
import { kvParams, MAX_BATCH_OPS, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_KEY_BYTES, MAX_TTL_SECONDS, MAX_WAIT_SECONDS } from '@hscale/common';
import { batchBodyLimit } from '../routes/batch-route.js';
import type { DocumentLimits } from './document-limits.js';
import { schema, json, error, ok, retryAfter, param, eventStream, header } from './builders.js';

const keyParam = param('key', `The key, URL-encoded (\`a%2Fb\` for \`a/b\`): 1 to ${MAX_KEY_BYTES} bytes of UTF-8 without control characters. With no key at all (\`PUT /keys/\`, \`DELETE /keys/\`) the answer is 400 \`invalid_key\`.`, kvParams.key, 'path');
const ttlParam = param('ttl', `Seconds until the key expires (1 to ${MAX_TTL_SECONDS}). Without it the key never expires.`, kvParams.ttl);
const ifVersionParam = param('if_version', 'Compare-and-set: apply only if the key is at this version (0 = only if it does not exist); otherwise 412 `version_mismatch` with its version, and nothing changes.', kvParams.version);
const idempotencyParam = param(
  'Idempotency-Key',
  `Makes every request with this key one write: repeat a write whose answer you did not get (through any LB) and it applies once, answering what it did. Remembered for 40 s or more. 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters.`,
  kvParams.idempotencyKey,
  'header',
);
const conflict = { description: 'The key is not at `if_version`: nothing was changed. Codes: `version_mismatch`.', headers: { 'X-Request-Id': header('RequestId') }, content: json(schema('VersionConflict')) } as const;
const listParams = [
  param('prefix', 'Only keys that start with this text.', { type: 'string', default: '' }),
  param('cursor', 'Where to resume: the `cursor` of the previous page. Omit it for the first page.', { type: 'string' }),
  param('limit', 'Most keys on this page.', kvParams.listLimit),
  param('versions', 'Also answer each key\'s version (`versions`, in the order of `keys`).', { type: 'boolean', default: false }),
] as const;
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
  '400': error('`invalid_prefix`, `invalid_limit`, `invalid_cursor`, `invalid_key`, `invalid_parameter`', 'A query parameter is not valid.'),
  ...kvErrors,
} as const;

/** The key-value paths; the body limits are this LB's settings. */
export const kvPaths = (limits: DocumentLimits) => ({
  '/keys/{key}': {
    parameters: [keyParam],
    get: {
      tags: ['keys'],
      operationId: 'getKey',
      summary: 'Read a key',
      description:
        'Reads come from the leader, so a write that was acknowledged is always seen. With `wait_version` it is a blocking read (as Consul\'s): ' +
        'the answer comes as soon as the key\'s version is no longer `wait_version` (written, deleted or expired), or after `timeout` with the current state.',
      parameters: [
        param('wait_version', 'Block until the key is no longer at this version (0 = until it exists).', kvParams.version),
        param('timeout', `With \`wait_version\`: the longest wait, in seconds (above 0, at most ${MAX_WAIT_SECONDS}).`, kvParams.waitTimeout),
      ],
      responses: { ...getResponses, '400': error('`invalid_key`, `malformed_url`, `invalid_version`, `invalid_timeout`', 'The key or a parameter is not valid.') },
    },
    put: {
      tags: ['keys'],
      operationId: 'putKey',
      summary: 'Write a key',
      description: 'The body is the value, as is (any Content-Type). A 200 means the leader and, with WRITE_ACK=replica, at least one follower hold it (`durability` says which).',
      parameters: [ttlParam, ifVersionParam, idempotencyParam],
      requestBody: {
        required: true,
        description: `The value: UTF-8 text, at most ${limits.maxValueBytes} bytes (MAX_VALUE_BYTES).`,
        content: { '*/*': { schema: { type: 'string', 'x-max-bytes': limits.maxValueBytes } } },
      },
      responses: {
        '200': ok('Stored.', schema('Written')),
        '400': error('`invalid_key`, `invalid_ttl`, `invalid_value`, `invalid_version`, `invalid_idempotency_key`, `malformed_url`', 'The key, a parameter or the value is not valid (a value must be UTF-8).'),
        '412': conflict,
        ...writeErrors,
      },
    },
    delete: {
      tags: ['keys'],
      operationId: 'deleteKey',
      summary: 'Delete a key',
      description: 'Deletes run even when the store is full.',
      parameters: [ifVersionParam, idempotencyParam],
      responses: { ...deleteResponses, '400': error('`invalid_key`, `invalid_version`, `invalid_idempotency_key`, `malformed_url`', 'The key or a parameter is not valid.'), '412': conflict },
    },
  },
  '/keys/{key}/incr': {
    parameters: [keyParam],
    post: {
      tags: ['keys'],
      operationId: 'incrementKey',
      summary: 'Add to an integer',
      description: 'Adds `by` to the signed 64-bit integer stored under the key (a key that does not exist counts as 0; its TTL is kept), atomically on the leader. Answers the new value.',
      parameters: [
        param('by', 'The amount: a signed 64-bit integer.', kvParams.incrBy),
        ifVersionParam,
        idempotencyParam,
      ],
      responses: {
        '200': ok('Incremented.', schema('Incremented')),
        '400': error('`invalid_key`, `invalid_increment`, `invalid_version`, `invalid_idempotency_key`, `malformed_url`', 'The key or a parameter is not valid.'),
        '409': error('`not_an_integer`, `integer_overflow`', 'The value is not a whole number, or the sum would leave the signed 64-bit range. Nothing was changed.'),
        '412': conflict,
        ...writeErrors,
      },
    },
  },
  '/watch': {
    get: {
      tags: ['keys'],
      operationId: 'watchKeys',
      summary: 'Stream every change under a prefix',
      description:
        'Server-Sent Events: one `change` per write, increment, delete or expiry of a key under `prefix`, in the order they were applied, from the leader\'s data ' +
        '(a watcher on one LB sees writes made through any other). Every event has an `id`; reconnect with it as `Last-Event-ID` (EventSource does) to miss nothing, through any LB, across failovers. ' +
        'About the last 10,000 changes are kept: a position older than that gets `reset` (list again, then go on).',
      parameters: [
        param('prefix', 'Only keys that start with this text.', { type: 'string', default: '' }),
        param('after', 'Resume after this event id (what `Last-Event-ID` says; the header wins).', kvParams.changeId),
        param('Last-Event-ID', 'Resume after this event id.', kvParams.changeId, 'header'),
      ],
      responses: {
        '200': {
          description: 'The stream.',
          headers: { 'X-Request-Id': header('RequestId') },
          content: { 'text/event-stream': eventStream('`event: ready` first, then `event: change` messages (and `reset`); each with an `id`.', schema('WatchEvent')) },
        },
        '400': error('`invalid_prefix`, `invalid_key`, `invalid_position`', 'The prefix or the position is not valid.'),
      },
    },
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
      summary: `Run up to ${MAX_BATCH_OPS} operations`,
      description: 'The operations run concurrently, like separate requests, and each gets its own result, in order. A bad operation fails alone (its result has status 400).',
      requestBody: { required: true, content: json(schema('BatchRequest')) },
      responses: {
        '200': ok('One result per operation, in the order sent.', schema('BatchResponse')),
        '400': error('`malformed_body`', 'The body is not JSON of the form {"ops": [...]}.'),
        '413': error('`batch_too_large`, `value_too_large`', `More than ${MAX_BATCH_OPS} operations, or a body over ${batchBodyLimit(limits.maxValueBytes)} bytes.`),
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
}) as const;
