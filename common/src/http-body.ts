// The body of a node:http request, for the routes served without Express (the hot paths).
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors.js';

/** The whole body, or 413 once it is longer than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'value_too_large', `the request body is too large (the limit is ${limit - 1} bytes)`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
