// The components of the OpenAPI document (openapi.ts): security schemes, headers and the schemas,
// which are generated from the zod schemas of common/src/api/ (api-schemas.ts).
import { apiSchemas } from './api-schemas.js';
import { header, error } from './builders.js';

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
  schemas: apiSchemas(),
} as const;
