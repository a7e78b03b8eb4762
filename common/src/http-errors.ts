// Every error a client sees is JSON {"error": <stable code>, "message": <text for a person>}.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from './logger.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);

/** Express's body parsers and URL decoding throw errors with a `type`/`status`; translate them. */
function fromFrameworkError(err: unknown, maxBodyBytes?: number): HttpError | undefined {
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large') {
    const limit = maxBodyBytes ? ` (the limit is ${maxBodyBytes} bytes)` : '';
    return new HttpError(413, 'value_too_large', `the request body is too large${limit}`);
  }
  if (e?.type === 'entity.parse.failed') return badRequest('malformed_body', `the body could not be parsed: ${e.message}`);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new HttpError(415, 'unsupported_encoding', e.message ?? 'unsupported encoding');
  if (err instanceof URIError) return badRequest('malformed_url', 'the URL contains invalid percent-encoding');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'bad_request', e.message ?? 'bad request');
  return undefined;
}

export function errorHandler(log: Logger, maxBodyBytes?: number): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const httpErr = err instanceof HttpError ? err : fromFrameworkError(err, maxBodyBytes);
    if (httpErr) {
      for (const [k, v] of Object.entries(httpErr.headers)) res.setHeader(k, v);
      res.status(httpErr.status).json({ error: httpErr.code, message: httpErr.message });
      return;
    }
    log.error('unhandled error', { requestId: req.headers['x-request-id'], path: req.path, error: String(err?.stack ?? err) });
    res.status(500).json({ error: 'internal_error', message: 'an unexpected error happened; see the server log' });
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `no route ${req.method} ${req.path}` });
};

/** For `app.route(path)....all(methodNotAllowed([...]))`: the path exists, the method does not. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (req, res) => {
    res.setHeader('Allow', allowed.join(', '));
    res.status(405).json({ error: 'method_not_allowed', message: `${req.method} is not allowed on ${req.path}; use ${allowed.join(' or ')}` });
  };
}
