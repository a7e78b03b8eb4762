// The document's component schemas, generated from the zod schemas that define the API's bodies
// (common/src/api/): JSON Schema 2020-12, which OpenAPI 3.1 uses as is. Each zod schema with an
// `id` becomes #/components/schemas/<id>, and a schema used inside another becomes a $ref to it.
import { z } from 'zod';
import { apiBodies } from '@hscale/common';

/** Every body schema, by its component name. */
export function apiSchemas(): Record<string, object> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(apiBodies)) registry.add(schema, { id });
  // The descriptions and examples are the schemas' metadata (.meta), in zod's global registry.
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input', metadata: z.globalRegistry });
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]));
}

/** The JSON Schema of one parameter (no components: parameters are written out in place). */
export function paramSchema(schema: z.ZodType): object {
  const { $schema: _s, ...json } = z.toJSONSchema(schema, { io: 'input' });
  return json;
}
