// Reference orbits of deep views: computed once per view and escape limit (in a worker thread,
// orbit-worker.ts) and sent with every band of the view to the clusters that render it, so no
// cluster computes one. The last few are kept: a view rendered again, or its bands sent again
// after a cluster failed, reuse theirs.
import { Worker } from 'node:worker_threads';
import type { DeepView } from '@hscale/common';

const KEEP = 8;

export class OrbitCache {
  private readonly orbits = new Map<string, Promise<Buffer>>();

  /** The orbit as bytes (little-endian doubles [re, im] per iteration), as the clusters take it. */
  get(view: DeepView, escape: number): Promise<Buffer> {
    const key = JSON.stringify([view.cx, view.cy, view.scale, escape]);
    let orbit = this.orbits.get(key);
    if (orbit) {
      this.orbits.delete(key); // most recently used last
    } else {
      orbit = compute(view, escape);
      orbit.catch(() => this.orbits.delete(key));
    }
    this.orbits.set(key, orbit);
    while (this.orbits.size > KEEP) this.orbits.delete(this.orbits.keys().next().value!);
    return orbit;
  }
}

function compute(view: DeepView, escape: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./orbit-worker.js', import.meta.url), { workerData: { view, escape } });
    worker.once('message', (orbit: Float64Array) => resolve(Buffer.from(orbit.buffer, orbit.byteOffset, orbit.byteLength)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the orbit worker exited (code ${code})`)));
  });
}
