// Every error a client sees is JSON {"error": <stable code>, "message": <text for a person>}.
import type { Server } from 'node:http';
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

/**
 * Requests Node's HTTP parser refuses before any route sees them (a garbled request line, a bad
 * header, headers over 16 KiB, headers too slow to arrive) get the same JSON error as everything
 * else, instead of Node's bare "400 Bad Request" with no body.
 */
export function answerClientErrorsAsJson(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // As Node's own handler: no answer of ours while another response is going out on this socket.
    const inProgress = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) return void socket.destroy();
    const [status, reason, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'the request did not arrive in time']
          : [400, 'Bad Request', 'the request is not valid HTTP/1.1'];
    const body = JSON.stringify({ error: 'malformed_request', message });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
