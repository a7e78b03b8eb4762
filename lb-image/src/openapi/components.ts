// The components of the OpenAPI document (openapi.ts): security schemes, headers and schemas.
import { schema, header, error } from './builders.js';

export const components = {
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
    Version: {
      type: 'integer',
      minimum: 0,
      description: 'How many times the key was written since it last did not exist: 1 after its first write, +1 with each write or increment, 0 for a key that does not exist.',
    },
    Value: {
      type: 'object',
      required: ['key', 'value', 'ttl', 'version'],
      properties: {
        key: { type: 'string' },
        value: { type: 'string' },
        ttl: { type: ['integer', 'null'], minimum: 0, description: 'Seconds until it expires; null if it never does.' },
        version: schema('Version'),
      },
      examples: [{ key: 'greeting', value: 'hello', ttl: null, version: 3 }],
    },
    Durability: {
      type: 'string',
      enum: ['replica', 'leader'],
      description: '`replica`: the leader and at least one follower hold the write. `leader`: only the leader does (no follower connected, or WRITE_ACK=leader); lost if the leader dies before a follower copies it.',
    },
    Written: {
      type: 'object',
      required: ['key', 'ttl', 'version', 'durability'],
      properties: { key: { type: 'string' }, ttl: { type: ['integer', 'null'], minimum: 1 }, version: schema('Version'), durability: schema('Durability') },
      examples: [{ key: 'greeting', ttl: null, version: 4, durability: 'replica' }],
    },
    Incremented: {
      type: 'object',
      required: ['key', 'value', 'version', 'durability'],
      properties: {
        key: { type: 'string' },
        value: { type: 'string', pattern: '^-?[0-9]+$', description: 'The new value: a signed 64-bit integer, as text (as GET shows it; a JSON number would round it past 2^53).' },
        version: schema('Version'),
        durability: schema('Durability'),
      },
      examples: [{ key: 'visits', value: '42', version: 42, durability: 'replica' }],
    },
    VersionConflict: {
      allOf: [schema('Error')],
      type: 'object',
      required: ['key', 'version'],
      properties: { key: { type: 'string' }, version: schema('Version') },
      description: 'Nothing was changed: the key is at `version` (the one to compare with next time).',
    },
    WatchEvent: {
      type: 'object',
      description:
        '`event: change`: `{key, version, value}` (`{key, version, value_omitted: true}` for a value over 1 KiB: GET it), or `{key, version: 0, deleted: true, reason: "deleted" | "expired"}` when the key is gone. ' +
        '`event: ready` (first): `{position}`, where the stream starts. `event: reset`: `{position, message}`: changes after the asked position are no longer kept; list the keys again, then go on.',
      properties: {
        key: { type: 'string' },
        version: schema('Version'),
        value: { type: 'string' },
        value_omitted: { type: 'boolean' },
        deleted: { type: 'boolean' },
        reason: { type: 'string', enum: ['deleted', 'expired'] },
        position: { type: 'string', pattern: '^[0-9]+-[0-9]+$' },
        message: { type: 'string' },
      },
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
        versions: { type: 'array', items: schema('Version'), description: 'With `versions=true`: the version of each key, in the same order.' },
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
        op: { type: 'string', enum: ['get', 'set', 'del', 'incr'] },
        key: { type: 'string' },
        value: { type: 'string', description: 'For `set`.' },
        ttl: { type: 'integer', minimum: 1, description: 'For `set`: seconds until the key expires.' },
        if_version: { type: 'integer', minimum: 0, description: 'For `set`, `del` and `incr`: only if the key is at this version (0 = absent); else status 412.' },
        by: { type: 'string', pattern: '^[+-]?[0-9]{1,19}$', description: 'For `incr`: the signed 64-bit amount (default "1").' },
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
      anyOf: [schema('Value'), schema('Written'), schema('Incremented'), schema('Deleted'), schema('Error')],
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
    LbList: {
      type: 'object',
      required: ['self', 'lbs'],
      properties: {
        self: { type: 'string', description: "This LB's name (LB_NAME)." },
        lbs: {
          type: 'array',
          description: 'This LB first, then every other LB the clusters heard from in the last minute.',
          items: {
            type: 'object',
            required: ['name', 'heardMsAgo', 'clusters'],
            properties: {
              name: { type: 'string' },
              heardMsAgo: { type: 'integer', minimum: 0, description: 'Since a cluster last heard from it (0 for this LB).' },
              clusters: { type: 'integer', minimum: 0, description: 'How many clusters heard from it.' },
            },
          },
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
} as const;
