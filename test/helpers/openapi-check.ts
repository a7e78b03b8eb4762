// Checks answers against the OpenAPI document (lb-image/src/openapi.ts) with Ajv (JSON Schema
// 2020-12): the status must be documented for the path and method, the content type and headers
// too, and a JSON body must validate against its schema. Used by test/integration/openapi.test.ts.
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import { openApiDocument } from '../../lb-image/src/openapi.ts';
import { documentLimits } from '../../lb-image/src/openapi/document-limits.ts';
import { loadLbSettings } from '../../lb-image/src/settings.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** The document of an LB with the default settings (the test harness's). */
export const doc = JSON.parse(JSON.stringify(openApiDocument(documentLimits(loadLbSettings({ INSECURE_DEV_MODE: '1' }))))) as Json;
const DOC_ID = 'openapi.json';
export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

// ---- The validator: the whole document is one Ajv resource, so every schema is reached by its
// JSON pointer and $refs resolve exactly as an OpenAPI tool would resolve them.
// ajv is CommonJS: under NodeNext its class is the default export's `default`.
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
ajv.addKeyword('example'); // OpenAPI's own annotation; "examples" is standard 2020-12
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)));
ajv.addSchema(doc, DOC_ID);

export const pointer = (...parts: string[]) => '#' + parts.map((p) => '/' + encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('');
export function resolve(ptr: string): any {
  let node: any = doc;
  for (const raw of ptr.slice(2).split('/')) node = node?.[decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}
/** The schema at `ptr` (a pointer into the document), compiled; throws if it cannot be. */
export const validatorAt = (ptr: string) => ajv.getSchema(DOC_ID + ptr) ?? assert.fail(`no schema at ${ptr}`);
const schemaErrors = (ptr: string, value: unknown): string[] => {
  const v = validatorAt(ptr);
  return v(value) ? [] : [`body does not match ${ptr}: ${ajv.errorsText(v.errors)}`];
};

/** The documented path a request path falls under (templates match one segment, or part of one). */
function findPath(rawPath: string): string | undefined {
  return Object.keys(doc.paths).find((template) => {
    const re = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    return new RegExp(`^${re}$`).test(rawPath);
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}
export const baseType = (h: Headers) => (h.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

/** What is wrong with `a` as an answer to `method rawPath`, by the document (empty: nothing). */
export function problems(method: string, rawPath: string, a: Answer): string[] {
  const template = findPath(rawPath);
  if (!template) return a.status === 404 ? checkResponse(pointer('components', 'responses', 'NotFound'), a) : [`${rawPath} is not documented, yet got ${a.status}`];
  const item = doc.paths[template];
  const op = item[method.toLowerCase()];
  if (!op) {
    // A method the path does not offer: 405, and Allow must list exactly the documented methods.
    if (a.status !== 405) return [`${method} ${template} is not documented, yet got ${a.status}`];
    const allowed = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase()).sort();
    const allow = (a.headers.get('allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean).sort();
    const mismatch = allow.join() === allowed.join() ? [] : [`Allow: ${allow} but the document lists ${allowed}`];
    return [...mismatch, ...checkResponse(pointer('components', 'responses', 'MethodNotAllowed'), a)];
  }
  if (!op.responses[String(a.status)]) return [`${method} ${template}: status ${a.status} is not documented (${a.body.toString().slice(0, 200)})`];
  return checkResponse(pointer('paths', template, method.toLowerCase(), 'responses', String(a.status)), a);
}

function checkResponse(ptr: string, a: Answer): string[] {
  const response = resolve(ptr);
  if (response.$ref) return checkResponse(response.$ref, a);
  const out: string[] = [];
  for (const [name, h] of Object.entries<any>(response.headers ?? {})) {
    const header = h.$ref ? resolve(h.$ref) : h;
    const value = a.headers.get(name);
    if (value === null) {
      if (header.required) out.push(`header ${name} is missing`);
      continue;
    }
    const type = header.schema?.type;
    const parsed = type === 'integer' || type === 'number' ? (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value) : value;
    const v = ajv.compile(header.schema ?? {});
    if (!v(parsed)) out.push(`header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(v.errors)}`);
  }
  const type = baseType(a.headers);
  const media = Object.keys(response.content ?? {}).find((m) => m === type || m === '*/*');
  if (!response.content) return a.body.length === 0 ? out : [...out, 'a body where none is documented'];
  if (!media) return [...out, `content type "${type}" is not one of ${Object.keys(response.content)}`];
  if (media.endsWith('json')) {
    let body: unknown;
    try {
      body = JSON.parse(a.body.toString('utf8'));
    } catch {
      return [...out, `the ${media} body is not JSON: ${a.body.toString().slice(0, 100)}`];
    }
    out.push(...schemaErrors(`${ptr}/content/${encodeURIComponent(media.replace(/\//g, '~1'))}/schema`, body));
  }
  return out;
}


export function parseSse(block: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const m = /^([^:]+): ?(.*)$/.exec(line);
    if (m) fields[m[1]!] = fields[m[1]!] === undefined ? m[2]! : `${fields[m[1]!]}\n${m[2]}`;
  }
  return fields;
}
/** The data of an SSE message against the schema the document gives for that stream. */
export const sseProblems = (path: string, data: string) =>
  schemaErrors(pointer('paths', findPath(path)!, 'get', 'responses', '200', 'content', 'text/event-stream', 'x-sse-data'), JSON.parse(data));
