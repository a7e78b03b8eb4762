// Small builders of the OpenAPI document (openapi.ts), so that each route reads as what it answers
// rather than as nesting.
import { z } from 'zod';
import { paramSchema } from './api-schemas.js';
export const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` }) as const;
export const json = (s: object) => ({ 'application/json': { schema: s } }) as const;
export const header = (name: string) => ({ $ref: `#/components/headers/${name}` }) as const;
/** An error answer {"error", "message"}; `codes` are the values "error" takes for this case. */
export const error = (codes: string, description: string, headers: object = {}) =>
  ({ description: `${description} Codes: ${codes}.`, headers: { 'X-Request-Id': header('RequestId'), ...headers }, content: json(schema('Error')) }) as const;
export const ok = (description: string, s: object, headers: object = {}) =>
  ({ description, headers: { 'X-Request-Id': header('RequestId'), ...headers }, content: json(s) }) as const;
export const retryAfter = { 'Retry-After': header('RetryAfter') } as const;
/** A parameter; its domain is a zod schema (common/src/api/params.ts) or, for plain text, a JSON Schema. */
export const param = (name: string, description: string, s: z.ZodType | object, where: 'query' | 'path' | 'header' = 'query') =>
  ({ name, in: where, required: where === 'path', description, schema: s instanceof z.ZodType ? paramSchema(s) : s }) as const;
export const text = (mediaType: string, description: string) =>
  ({ description, headers: { 'X-Request-Id': header('RequestId') }, content: { [mediaType]: { schema: { type: 'string' } } } }) as const;
export const png = (description: string, headers: object) =>
  ({ description, headers: { 'X-Request-Id': header('RequestId'), ...headers }, content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } } }) as const;
/** A Server-Sent Events stream; `x-sse-data` is the schema of each message's `data` (JSON). */
export const eventStream = (description: string, data: object) =>
  ({
    schema: { type: 'string', description: `${description} The stream opens with \`retry: 2000\` and sends a \`: keep-alive\` comment every 15 s.` },
    'x-sse-data': data,
  }) as const;
