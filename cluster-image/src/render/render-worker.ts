// Worker thread entry: renders bands off the main thread, so that a long render never delays the
// slave's answers to health probes (a slow probe would look like a dead cluster to the LB).
import { parentPort } from 'node:worker_threads';
import type { RenderParams } from '@hscale/common';
import { renderRows } from './kernel.js';

export interface RenderJob {
  params: RenderParams;
  y0: number;
  y1: number;
}

parentPort?.on('message', (job: RenderJob) => {
  const pixels = renderRows(job.params, job.y0, job.y1);
  parentPort!.postMessage(pixels, [pixels.buffer as ArrayBuffer]);
});
