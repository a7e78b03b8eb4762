// The system and monitoring routes of the OpenAPI document (openapi.ts): health, leader, elections,
// clusters, events, the dashboard, metrics and the document itself.
import { schema, json, header, error, ok, retryAfter, param, text, eventStream } from './builders.js';

const tooManyStreams = error('`too_many_streams`', 'The LB already keeps 64 live streams open. Try again after Retry-After.', retryAfter);

export const systemPaths = {
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
      description: 'A majority of the clusters must promise the new epoch; the one of them with the most recent data wins (possibly the current leader), under that epoch.',
      security: [{ adminToken: [] }],
      responses: {
        '200': ok('The leader elected, and its epoch.', schema('LeaderRef')),
        '401': error('`unauthorized`', 'The admin token is missing or wrong.'),
        '503': error('`no_leader`', 'No healthy cluster could be elected.', retryAfter),
      },
    },
  },
  '/lbs': {
    get: {
      tags: ['system'],
      operationId: 'listLbs',
      summary: 'Every LB of the fleet',
      description: 'The LBs the clusters heard from in the last minute (each LB names itself to them): the same list from any LB.',
      responses: { '200': ok('This LB and the others.', schema('LbList')) },
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
      responses: {
        '200': ok('The OpenAPI 3.1 document of this API.', {
          type: 'object',
          required: ['openapi', 'info', 'paths'],
          properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' } },
        }),
      },
    },
  },
} as const;
